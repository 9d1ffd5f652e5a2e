"""Models for the DRF-compatibility tests: fields set by ``save()``, by a pre_save receiver, by hooks."""

from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.text import slugify


class Note(models.Model):
    title = models.CharField(max_length=100)
    slug = models.CharField(max_length=120, blank=True, default="")  # set by save()
    body = models.TextField(blank=True, default="")
    word_count = models.IntegerField(default=0)  # set by a pre_save receiver
    author = models.CharField(max_length=100, blank=True, default="")  # set by perform_* hooks
    hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def save(self, *args, **kwargs):
        self.slug = slugify(self.title)
        super().save(*args, **kwargs)


@receiver(pre_save, sender=Note)
def count_words(sender, instance, **kwargs):
    instance.word_count = len(instance.body.split())

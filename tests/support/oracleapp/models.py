"""A small blog: authors' posts with tags, comments and file attachments.

Post.save() and a pre_save receiver set fields of their own, as models often
do; the oracle checks that every side persists them.
"""

from django.conf import settings
from django.core.files.storage import InMemoryStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.text import slugify


class OverwritingStorage(InMemoryStorage):
    """In-memory files; a name is reused, so every side stores an upload under the same name."""

    def get_available_name(self, name, max_length=None):
        return name


STORAGE = OverwritingStorage(base_url="/media/")


def now():
    """The current time, read when called (the oracle's clock replaces ``timezone.now``)."""
    return timezone.now()


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oracle_profile")
    sees_drafts = models.BooleanField(default=False)


class Tag(models.Model):
    name = models.CharField(max_length=20, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oracle_posts")
    title = models.CharField(max_length=40)
    body = models.TextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    rating = models.IntegerField(default=0, validators=[MinValueValidator(0), MaxValueValidator(5)])
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    slug = models.SlugField(max_length=60, blank=True, default="")
    word_count = models.IntegerField(default=0)
    search_text = models.TextField(blank=True, default="")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        unique_together = [("author", "title")]

    def save(self, *args, **kwargs):
        self.slug = slugify(self.title)
        self.word_count = len(self.body.split())
        super().save(*args, **kwargs)

    def __str__(self):
        return self.title


@receiver(pre_save, sender=Post)
def _index_post(sender, instance, **kwargs):
    instance.search_text = f"{instance.title} {instance.body}".lower()


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="oracle_comments"
    )
    text = models.CharField(max_length=100)
    edited = models.BooleanField(default=False)
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["id"]


class Attachment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=30)
    file = models.FileField(upload_to="oracle/", storage=STORAGE)

    class Meta:
        ordering = ["id"]

"""Models for the serializer tests: authors writing articles with tags."""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField(blank=True, default="")

    class Meta:
        ordering = ["id"]


class Tag(models.Model):
    name = models.CharField(max_length=30, unique=True)

    class Meta:
        ordering = ["id"]


class Article(models.Model):
    title = models.CharField(max_length=100)
    body = models.TextField(blank=True, default="")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    score = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    published = models.BooleanField(default=False)
    reviewer = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]
        unique_together = [("author", "title")]

"""Models for the filtering conformance suite: the fields restflow's filtering guide filters on.

The guide's Product, Category and Review are GuideProduct, GuideCategory and GuideReview here (the
tests import them under the guide's names), so their permission codenames stay apart from the
other test apps' models.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Department(models.Model):
    name = models.CharField(max_length=100)


class GuideCategory(models.Model):
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    sku = models.CharField(max_length=12, blank=True, default="")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL)


class Brand(models.Model):
    name = models.CharField(max_length=100)


class Region(models.Model):
    name = models.CharField(max_length=100)


class City(models.Model):
    name = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.CASCADE)


class Address(models.Model):
    street = models.CharField(max_length=200)
    city = models.ForeignKey(City, on_delete=models.CASCADE)


class Store(models.Model):
    name = models.CharField(max_length=100)
    address = models.ForeignKey(Address, on_delete=models.CASCADE)


class Tag(models.Model):
    name = models.CharField(max_length=50)


class GuideProduct(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True, default="")
    sku = models.CharField(max_length=20, blank=True, default="")
    description = models.TextField(blank=True, default="")
    price = models.IntegerField(default=0)
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    rating = models.FloatField(default=0)
    quantity = models.IntegerField(default=0)
    views = models.IntegerField(default=0)
    inventory = models.IntegerField(default=0)
    in_stock = models.BooleanField(default=True)
    is_featured = models.BooleanField(default=False)
    is_new = models.BooleanField(default=False)
    is_refurbished = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    priority = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    created_date = models.DateField(null=True, blank=True)
    opening_time = models.TimeField(null=True, blank=True)
    duration = models.DurationField(null=True, blank=True)
    contact_email = models.EmailField(blank=True, default="")
    server_ip = models.GenericIPAddressField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    internal_id = models.CharField(max_length=20, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    category = models.ForeignKey(GuideCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.SET_NULL)
    store = models.ForeignKey(Store, null=True, blank=True, on_delete=models.SET_NULL)
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")

    class Meta:
        ordering = ["id"]


class GuideReview(models.Model):
    product = models.ForeignKey(GuideProduct, on_delete=models.CASCADE, related_name="reviews")
    rating = models.IntegerField()


class PortableArrayField(ArrayField):
    """A PostgreSQL array; a text column elsewhere, so the table exists on SQLite too (the array
    lookups themselves are tested on PostgreSQL only)."""

    def db_type(self, connection):
        return super().db_type(connection) if connection.vendor == "postgresql" else "text"


class TaggedItem(models.Model):
    """The guide's ``tags = ArrayField(models.CharField(max_length=50))``."""

    name = models.CharField(max_length=100)
    tags = PortableArrayField(models.CharField(max_length=50), default=list)

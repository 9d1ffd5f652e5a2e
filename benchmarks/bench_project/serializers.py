"""The serializer DRF and restflow share, and the hand-written equivalents of its output."""

from django.utils import timezone
from rest_framework import serializers

from tests.support.testapp.models import Product

FIELDS = ["id", "name", "sku", "price", "rating", "in_stock", "status", "category", "created"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = FIELDS


def rating_text(value):
    """A rating as DecimalField(decimal_places=2) renders it: "4.50", also for a plain 0."""
    return f"{value:.2f}"


def created_text(value):
    """A datetime as DRF's DateTimeField renders it: current time zone, ISO 8601, "Z" for UTC."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def product_dict(product):
    """What ProductSerializer gives for ``product``, written by hand (same JSON once decoded)."""
    return {
        "id": product.id,
        "name": product.name,
        "sku": product.sku,
        "price": product.price,
        "rating": rating_text(product.rating),
        "in_stock": product.in_stock,
        "status": product.status,
        "category": product.category_id,
        "created": created_text(product.created),
    }

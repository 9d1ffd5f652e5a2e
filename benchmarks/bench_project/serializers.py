"""The serializer DRF and restflow share, and the hand-written view's equivalent."""

from django.utils import timezone
from rest_framework import serializers

from tests.testapp.models import Product

FIELDS = ["id", "name", "sku", "price", "rating", "in_stock", "status", "category", "created"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = FIELDS


def product_dict(product):
    """What ProductSerializer gives for ``product``, written by hand (same JSON once decoded)."""
    created = timezone.localtime(product.created).isoformat()
    if created.endswith("+00:00"):
        created = created[:-6] + "Z"
    return {
        "id": product.id,
        "name": product.name,
        "sku": product.sku,
        "price": product.price,
        "rating": f"{product.rating:.2f}",
        "in_stock": product.in_stock,
        "status": product.status,
        "category": product.category_id,
        "created": created,
    }

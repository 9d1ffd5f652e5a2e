"""Plain DRF serializers: restflow runs them from async views as they are."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from catalog.models import Category, Product, Review


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class ProductSerializer(serializers.ModelSerializer):
    """Everything about a product: what retrieve, update and create answer with."""

    url = serializers.HyperlinkedIdentityField(view_name="product-detail")
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), allow_null=True, required=False
    )
    review_count = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id", "url", "name", "sku", "description", "price", "stock", "status",
            "is_archived", "category", "review_count", "created_at", "updated_at",
        ]
        read_only_fields = ["is_archived", "created_at", "updated_at"]

    def get_review_count(self, product) -> int:
        # Filled in by the viewset's queryset annotation; 0 on a freshly created product.
        return getattr(product, "num_reviews", 0)


class ProductListSerializer(serializers.ModelSerializer):
    """The short form the list shows: no description, the category by name."""

    url = serializers.HyperlinkedIdentityField(view_name="product-detail")
    category = serializers.CharField(source="category.name", default=None, read_only=True)

    class Meta:
        model = Product
        fields = ["id", "url", "name", "sku", "price", "stock", "status", "is_archived", "category"]


class ProductCreateSerializer(serializers.ModelSerializer):
    """What a client may send to create a product; the answer uses ProductSerializer."""

    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Product
        fields = ["name", "sku", "description", "price", "stock", "status", "category"]


class BulkArchiveSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=500,
        help_text="Primary keys of the products to archive.",
    )


class BulkArchiveResultSerializer(serializers.Serializer):
    archived = serializers.IntegerField(help_text="How many products were archived by this call.")


class ReviewSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field=get_user_model().USERNAME_FIELD, read_only=True)

    class Meta:
        model = Review
        fields = ["id", "product", "author", "rating", "title", "body", "created_at"]
        read_only_fields = ["product", "created_at"]


class PingSerializer(serializers.Serializer):
    status = serializers.CharField()


class TimeSerializer(serializers.Serializer):
    now = serializers.DateTimeField()

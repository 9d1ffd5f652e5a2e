"""Serializers of the spec page's examples."""

from rest_framework import serializers

from tests.support.testapp.models import Category, Product, Review


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku", "description", "price", "in_stock", "is_archived", "status", "category"]


class ProductListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "price"]


class ProductCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["name", "sku", "price"]


class ProductDetailSerializer(serializers.ModelSerializer):
    category = CategorySerializer(read_only=True)
    review_count = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "name", "sku", "price", "category", "review_count"]

    def get_review_count(self, obj):
        return obj.reviews.count()


class BulkArchiveSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class ArchiveInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=100)


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "product", "author", "rating", "body"]
        read_only_fields = ["product"]

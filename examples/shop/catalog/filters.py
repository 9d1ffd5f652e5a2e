"""Query parameters the product list accepts, validated before any query runs."""

from django.db.models import Q
from restflow.filters import (
    BooleanField,
    DecimalField,
    FilterSet,
    IntegerField,
    MultipleChoiceField,
    OrderField,
    StringField,
)

from catalog.models import Product


class ProductFilterSet(FilterSet):
    """``?status=active,draft&price__gte=10&name__icontains=mug&ordering=-price``."""

    name = StringField(lookups=["icontains", "istartswith"], max_length=120)
    sku = StringField(max_length=32)
    status = MultipleChoiceField(choices=Product.Status.choices)
    price = DecimalField(lookups=["comparison"], max_digits=10, decimal_places=2)
    stock = IntegerField(lookups=["exact", "gte", "lte"], min_value=0)
    in_stock = BooleanField(method="filter_in_stock", help_text="Only products with stock (true) or without (false).")
    is_archived = BooleanField()
    category = IntegerField(min_value=1)
    category_slug = StringField(filter_by="category__slug", max_length=80)
    ordering = OrderField(["name", "price", "stock", "created_at", "id"])

    def filter_in_stock(self, queryset, path, value):
        return Q(stock__gt=0) if value else Q(stock=0)


class CategoryFilterSet(FilterSet):
    name = StringField(lookups=["exact", "icontains"], max_length=80)
    ordering = OrderField(["name", "id"])

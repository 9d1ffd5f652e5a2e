"""Routes for the filter tests: sync DRF list views and an async viewset, all filtered by restflow."""

from django.db.models import Q
from django.urls import include, path
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, pagination, serializers
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.routers import DefaultRouter

from restflow.filters import (
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    FilterSet,
    IntegerField,
    ListField,
    MultipleChoiceField,
    OrderField,
    RestflowFilterBackend,
    StringField,
)
from restflow.pagination import PageNumberPagination
from restflow.views import AsyncReadOnlyModelViewSet
from tests.support.testapp.models import Product


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku", "price", "status", "in_stock", "category"]


class ProductFilterSet(FilterSet):
    name = StringField(lookups=["text"])
    price = IntegerField(lookups=["exact", "comparison", "in"], min_value=0)
    weight: float
    rating = DecimalField(lookups=["comparison"])
    in_stock: bool
    status = ChoiceField(Product.Status.choices)
    statuses = MultipleChoiceField(Product.Status.choices, filter_by="status")
    category = IntegerField(db_field="category__id", lookups=["basic"])
    released = DateField(lookups=["comparison", "date"])
    created = DateTimeField(lookups=["comparison", "date"])
    ids = ListField(child=IntegerField(), filter_by="id")
    review_rating = IntegerField(db_field="reviews__rating", lookups=["comparison"])
    review_author = StringField(filter_by="reviews__author")
    search = StringField(method="search_text", help_text="Words in the name or description.")
    ordering = OrderField(fields={"price": "price", "name": "name", "created": "created", "category": "category__name"})

    def search_text(self, queryset, value):
        return Q(name__icontains=value) | Q(description__icontains=value)


class SmallPages(pagination.PageNumberPagination):
    page_size = 2


class ProductList(generics.ListAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [RestflowFilterBackend]
    filterset_class = ProductFilterSet
    pagination_class = SmallPages


class ShortcutList(generics.ListAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [RestflowFilterBackend]
    filterset_fields = {"price": ["comparison"], "status": ["exact"], "category": ["basic"]}


class PriceFilterSet(FilterSet):
    price = IntegerField(lookups=["comparison"])


class MixedBackendsList(generics.ListAPIView):
    """restflow beside django-filter, DRF's search and DRF's ordering, each reading its own settings."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter, RestflowFilterBackend]
    filterset_fields = ["in_stock"]
    search_fields = ["name"]
    ordering_fields = ["price"]
    restflow_filterset_class = PriceFilterSet


urlpatterns = [
    path("products/", ProductList.as_view()),
    path("shortcut/", ShortcutList.as_view()),
    path("mixed/", MixedBackendsList.as_view()),
]



class AsyncPages(PageNumberPagination):
    page_size = 2


class ProductViewSet(AsyncReadOnlyModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [RestflowFilterBackend]
    filterset_class = ProductFilterSet
    pagination_class = AsyncPages


router = DefaultRouter()
router.register("products", ProductViewSet, basename="product")
urlpatterns.append(path("api/", include(router.urls)))

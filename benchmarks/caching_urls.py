"""Contenders for benchmarks/compare_caching.py: one 20-row product list, cached three ways and not at all."""

from django.core.cache import cache
from django.http import JsonResponse
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from restflow.caching import cache_response
from restflow.pagination import PageNumberPagination
from restflow.views import ActionConfig, AsyncModelViewSet
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductSerializer


class Pages(PageNumberPagination):
    page_size = 20


class Uncached(AsyncModelViewSet):
    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    pagination_class = Pages
    permission_classes = [AllowAny]
    authentication_classes = []


class Cached(Uncached):
    action_configs = {"list": ActionConfig(cache=cache_response(ttl=300))}


FIELDS = ("id", "name", "sku", "description", "price", "in_stock", "is_archived", "status", "category_id")


async def handwritten(request):
    """A hand-written async view on Django's async cache API (``aget``/``aset``)."""
    key = "handwritten:" + request.GET.urlencode()
    body = await cache.aget(key)
    if body is None:
        rows = [row async for row in Product.objects.order_by("id").values(*FIELDS)[20:40]]
        body = JsonResponse({"count": await Product.objects.acount(), "results": rows}).content
        await cache.aset(key, body, 300)
    return JsonResponse.__base__(body, content_type="application/json")


uncached = DefaultRouter()
uncached.register("products", Uncached, basename="uncached")
cached = DefaultRouter()
cached.register("products", Cached, basename="cached")

urlpatterns = [
    path("uncached/", include(uncached.urls)),
    path("cached/", include(cached.urls)),
    path("handwritten/products/", handwritten),
]

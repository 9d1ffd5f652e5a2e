"""Routes for the filtering conformance suite (tests/filters/test_filterset_api.py).

``/fs/<key>/products/`` serves the docs' FilterSets through a restflow viewset on DRF's
DefaultRouter: the viewset's ``get_filterset_class()`` (the documented dynamic hook) picks the
FilterSet registered under ``key``. The other routes are the integration guide's views as written.
"""

from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from restflow.filters import FilterSet, IntegerField, RestflowFilterBackend, StringField
from restflow.views import AsyncAPIView, AsyncReadOnlyModelViewSet
from tests.support.docfilters.models import GuideProduct as Product

FILTERSETS = {}


def register(filterset_class):
    """Serve ``filterset_class`` under /fs/<key>/products/ and return the key."""
    key = f"{filterset_class.__qualname__}-{id(filterset_class)}".replace(".", "-").replace("<", "").replace(">", "")
    FILTERSETS[key] = filterset_class
    return key


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name"]


class DocProductViewSet(AsyncReadOnlyModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [RestflowFilterBackend]

    def get_filterset_class(self):
        return FILTERSETS.get(self.kwargs.get("filterset"))


class StaffProductFilterSet(FilterSet):
    name: str
    internal_id: str


class PublicProductFilterSet(FilterSet):
    name: str


class DynamicProductView(generics.ListAPIView):
    """integration.md, "Dynamic FilterSets", as written (plus the queryset and serializer it needs)."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [RestflowFilterBackend]

    def get_filterset_class(self):
        if self.request.user.is_staff:
            return StaffProductFilterSet
        return PublicProductFilterSet


class SearchFilterSet(FilterSet):
    name = StringField(lookups=["icontains"])


class ProductSearchView(AsyncAPIView):
    """integration.md, "Plain APIView"."""

    filterset_class = SearchFilterSet

    async def get(self, request):
        qs = SearchFilterSet(request=request).filter_queryset(Product.objects.all())
        return Response(sorted([p.name async for p in qs]))


class IntegrationFilterSet(FilterSet):
    name: str
    price = IntegerField(lookups=["comparison"])


class ProductView(generics.ListAPIView):
    """integration.md, "Setup": a sync DRF list view."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [RestflowFilterBackend]
    filterset_class = IntegrationFilterSet
    pagination_class = None


class ProductViewSet(AsyncReadOnlyModelViewSet):
    """The viewsets spec page's wiring: ``filterset_class = ProductFilterSet`` with the backend."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [RestflowFilterBackend]
    filterset_class = IntegrationFilterSet


router = DefaultRouter()
router.register("products", DocProductViewSet, basename="doc-product")
spec_router = DefaultRouter()
spec_router.register("catalog", ProductViewSet, basename="doc-catalog")

urlpatterns = [
    path("fs/<str:filterset>/", include(router.urls)),
    path("", include(spec_router.urls)),
    path("setup/", ProductView.as_view()),
    path("dynamic/", DynamicProductView.as_view()),
    path("search/", ProductSearchView.as_view()),
]

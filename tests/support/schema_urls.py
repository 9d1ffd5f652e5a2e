"""Routes for test_schema: the spec page's ProductViewSet with filters, per-action paginators and @extend_schema."""

from django.urls import include, path
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import pagination
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.routers import DefaultRouter

from restflow.filters import FilterSet, IntegerField, RestflowFilterBackend
from restflow.pagination import PageNumberPagination
from restflow.views import ActionConfig, AsyncModelViewSet, AsyncReadOnlyModelViewSet, ModelViewSet
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import (
    ArchiveInputSerializer,
    BulkArchiveSerializer,
    ProductCreateSerializer,
    ProductListSerializer,
    ProductSerializer,
)


class SizedPages(PageNumberPagination):
    page_size = 2
    page_size_query_param = "page_size"


class PriceFilterSet(FilterSet):
    price = IntegerField(lookups=["comparison"])


class TaggedSchema(AutoSchema):
    """A project's own AutoSchema subclass, as DEFAULT_SCHEMA_CLASS."""

    def get_tags(self):
        return ["tagged"]


PRODUCT_CONFIGS = {
    "list": ActionConfig(serializer_class=ProductListSerializer),
    "create": ActionConfig(request_serializer_class=ProductCreateSerializer, response_serializer_class=ProductSerializer),
    "bulk_archive": ActionConfig(request_serializer_class=BulkArchiveSerializer),
    "archive": ActionConfig(request_serializer_class=BulkArchiveSerializer),
}


class ProductViewSet(AsyncModelViewSet):
    """The spec page's ProductViewSet, filtered by DRF's backends and restflow's."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = SizedPages
    filter_backends = [SearchFilter, OrderingFilter, RestflowFilterBackend]
    search_fields = ["name"]
    ordering_fields = ["price"]
    filterset_class = PriceFilterSet
    action_configs = PRODUCT_CONFIGS

    @action(detail=False, methods=["post"])
    async def bulk_archive(self, request):
        ser = await self.avalidated_serializer()
        await Product.objects.filter(id__in=ser.validated_data["ids"]).aupdate(is_archived=True)
        return await self.aserialized_response({"ok": True})

    @extend_schema(request=ArchiveInputSerializer, responses={200: ProductListSerializer})
    @action(detail=True, methods=["post"])
    async def archive(self, request, pk=None):
        instance = await self.aget_object()
        instance.is_archived = True
        await instance.asave()
        return await self.aserialized_response(instance)


class SyncProductViewSet(ModelViewSet):
    """The sync twin with the same configuration (plain DRF actions)."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = SizedPages
    filter_backends = [SearchFilter, OrderingFilter]
    search_fields = ["name"]
    ordering_fields = ["price"]
    action_configs = {key: PRODUCT_CONFIGS[key] for key in ("list", "create")}


class ListPagedViewSet(AsyncReadOnlyModelViewSet):
    """Pagination for list only, from its ActionConfig: the class has none."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    action_configs = {"list": ActionConfig(pagination_class=pagination.LimitOffsetPagination)}


@extend_schema(tags=["catalog"])
class TaggedProductViewSet(AsyncModelViewSet):
    """@extend_schema on the viewset class."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    action_configs = {"create": PRODUCT_CONFIGS["create"]}


router = DefaultRouter()
router.register(r"products", ProductViewSet, basename="product")
router.register(r"sync-products", SyncProductViewSet, basename="sync-product")
router.register(r"list-paged", ListPagedViewSet, basename="list-paged")
router.register(r"tagged", TaggedProductViewSet, basename="tagged")

urlpatterns = [path("api/", include(router.urls))]

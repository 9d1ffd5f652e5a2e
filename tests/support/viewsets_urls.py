"""Routes for test_viewsets: the spec page's viewsets, registered as a user would."""

from django.urls import include, path
from django.utils import timezone
from rest_framework import parsers, renderers, serializers
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.routers import DefaultRouter, SimpleRouter
from rest_framework.throttling import BaseThrottle
from rest_framework_nested.routers import NestedDefaultRouter
from rest_framework_nested.viewsets import NestedViewSetMixin

from restflow.pagination import PageNumberPagination
from restflow.serializers import asave
from restflow.views import (
    ActionConfig,
    AsyncCreateModelMixin,
    AsyncGenericViewSet,
    AsyncListCreateAPIView,
    AsyncListModelMixin,
    AsyncModelViewSet,
    AsyncReadOnlyModelViewSet,
    AsyncRetrieveModelMixin,
    AsyncViewSet,
    ModelViewSet,
)
from tests.support.testapp.models import Category, Product, Review
from tests.support.testapp.serializers import (
    ArchiveInputSerializer,
    BulkArchiveSerializer,
    ProductCreateSerializer,
    ProductListSerializer,
    ProductSerializer,
    ReviewSerializer,
)


class SmallPages(PageNumberPagination):
    page_size = 2


class LargePages(PageNumberPagination):
    page_size = 5


class DenyAll(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 7


class PlainTextRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "txt"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return f"text:{data}".encode()


class ProductViewSet(AsyncModelViewSet):
    """The spec page's ProductViewSet with action_configs and both custom actions."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = SmallPages
    action_configs = {
        "list": ActionConfig(serializer_class=ProductListSerializer),
        "create": ActionConfig(
            request_serializer_class=ProductCreateSerializer, response_serializer_class=ProductSerializer
        ),
        "bulk_archive": ActionConfig(request_serializer_class=BulkArchiveSerializer),
        "destroy": ActionConfig(permission_classes=[IsAuthenticated]),
    }

    @action(detail=False, methods=["post"])
    async def bulk_archive(self, request):
        ser = await self.avalidated_serializer()
        await Product.objects.filter(id__in=ser.validated_data["ids"]).aupdate(is_archived=True)
        return await self.aserialized_response({"ok": True})

    @action(detail=True, methods=["post"])
    async def archive(self, request, pk=None):
        instance = await self.aget_object()
        instance.is_archived = True
        await instance.asave()
        return await self.aserialized_response(instance)


class HealthViewSet(AsyncViewSet):
    """The spec page's HealthViewSet: no serializer, no queryset."""

    @action(detail=False, methods=["get"])
    async def ping(self, request):
        return await self.aserialized_response({"status": "ok"})

    @action(detail=False, methods=["get"])
    async def time(self, request):
        return await self.aserialized_response({"now": timezone.now()})


class ComposedProductViewSet(AsyncCreateModelMixin, AsyncRetrieveModelMixin, AsyncListModelMixin, AsyncGenericViewSet):
    """The spec page's AsyncGenericViewSet example, composed from mixins."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = PageNumberPagination


class ReadOnlyProductViewSet(AsyncReadOnlyModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer


class GuardedProductViewSet(AsyncModelViewSet):
    """The spec page's AsyncModelViewSet example with IsAuthenticated."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = PageNumberPagination
    permission_classes = [IsAuthenticated]
    action_configs = {"list": ActionConfig(permission_classes=[AllowAny])}


class OverridesViewSet(AsyncModelViewSet):
    """One override per ActionConfig field, each on its own action."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = SmallPages
    action_configs = {
        "list": ActionConfig(pagination_class=LargePages, renderer_classes=[PlainTextRenderer]),
        "retrieve": ActionConfig(throttle_classes=[DenyAll]),
        "create": ActionConfig(parser_classes=[parsers.FormParser]),
        "update": ActionConfig(queryset=Product.objects.filter(in_stock=True)),
        "partial_update": ActionConfig(queryset=Product.objects),
        "destroy": ActionConfig(queryset=lambda view: Product.objects.filter(name__startswith=view.request.query_params.get("prefix", ""))),
    }


async def archived_only(view):
    return Product.objects.filter(is_archived=True)


class AsyncCallableQuerysetViewSet(AsyncReadOnlyModelViewSet):
    serializer_class = ProductSerializer
    action_configs = {"list": ActionConfig(queryset=archived_only)}


class InlineActionViewSet(AsyncModelViewSet):
    """@action(serializer_class=...) inline beside action_configs."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    action_configs = {"archive": ActionConfig(response_serializer_class=ProductListSerializer)}

    @action(detail=True, methods=["post"], serializer_class=ArchiveInputSerializer)
    async def archive(self, request, pk=None):
        ser = await self.avalidated_serializer()
        instance = await self.aget_object()
        instance.is_archived = True
        instance.description = ser.validated_data["reason"]
        await instance.asave()
        return await self.aserialized_response(instance)

    @action(detail=False, methods=["post"], serializer_class=BulkArchiveSerializer)
    async def bulk_archive(self, request):
        ser = await self.avalidated_serializer()
        return await self.aserialized_response({"ids": ser.validated_data["ids"]})


class AsyncQuerysetViewSet(AsyncModelViewSet):
    """The spec page's async get_queryset, plus an ActionConfig queryset that wins for retrieve."""

    serializer_class = ProductSerializer
    filter_backends = [SearchFilter, OrderingFilter]
    search_fields = ["name"]
    ordering_fields = ["name", "price"]
    action_configs = {"retrieve": ActionConfig(queryset=Product.objects.filter(is_archived=True))}

    async def get_queryset(self):
        ids = [pk async for pk in Product.objects.filter(in_stock=True).values_list("id", flat=True)]
        return Product.objects.filter(id__in=ids)


class ReviewViewSet(AsyncModelViewSet):
    """The spec page's nested ReviewViewSet."""

    serializer_class = ReviewSerializer
    queryset = Review.objects.all()

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.filter(product_id=self.kwargs["product_pk"])

    async def aperform_create(self, serializer):
        await asave(serializer, product_id=int(self.kwargs["product_pk"]))


class MixinReviewViewSet(NestedViewSetMixin, AsyncModelViewSet):
    """drf-nested-routers' NestedViewSetMixin on an async viewset."""

    serializer_class = ReviewSerializer
    queryset = Review.objects.all()
    parent_lookup_kwargs = {"product_pk": "product__pk"}


class SyncProductViewSet(ModelViewSet):
    """The sync twin with the same action_configs."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = SmallPages
    action_configs = {
        "list": ActionConfig(serializer_class=ProductListSerializer, pagination_class=LargePages),
        "create": ActionConfig(parser_classes=[parsers.FormParser]),
        "retrieve": ActionConfig(queryset=Product.objects.filter(is_archived=True)),
    }


class CategoryListCreate(AsyncListCreateAPIView):
    queryset = Category.objects.all()

    class serializer_class(serializers.ModelSerializer):
        class Meta:
            model = Category
            fields = ["id", "name"]


class CategoryViewSet(AsyncModelViewSet):
    queryset = Category.objects.all()
    serializer_class = CategoryListCreate.serializer_class


router = DefaultRouter()
router.register(r"products", ProductViewSet, basename="product")
router.register(r"health", HealthViewSet, basename="health")
router.register(r"composed", ComposedProductViewSet, basename="composed")
router.register(r"readonly", ReadOnlyProductViewSet, basename="readonly")
router.register(r"guarded", GuardedProductViewSet, basename="guarded")
router.register(r"overrides", OverridesViewSet, basename="overrides")
router.register(r"async-callable", AsyncCallableQuerysetViewSet, basename="async-callable")
router.register(r"inline", InlineActionViewSet, basename="inline")
router.register(r"async-qs", AsyncQuerysetViewSet, basename="async-qs")
router.register(r"sync-products", SyncProductViewSet, basename="sync-product")
router.register(r"categories", CategoryViewSet, basename="category")

products_router = NestedDefaultRouter(router, "products", lookup="product")
products_router.register("reviews", ReviewViewSet, basename="product-reviews")
products_router.register("mixin-reviews", MixinReviewViewSet, basename="product-mixin-reviews")

simple = SimpleRouter()
simple.register(r"products", ProductViewSet, basename="simple-product")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/", include(products_router.urls)),
    path("simple/", include(simple.urls)),
    path("generic/categories/", CategoryListCreate.as_view()),
]

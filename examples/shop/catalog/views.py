"""The shop's API: restflow viewsets registered with DRF routers (see shop/urls.py)."""

from django.db.models import Count
from django.shortcuts import aget_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from restflow.filters import RestflowFilterBackend
from restflow.pagination import PageNumberPagination
from restflow.permissions import IsAuthenticatedOrReadOnly
from restflow.serializers import asave
from restflow.views import ActionConfig, AsyncModelViewSet, AsyncReadOnlyModelViewSet, AsyncViewSet

from catalog.filters import CategoryFilterSet, ProductFilterSet
from catalog.models import Category, Product, Review
from catalog.permissions import IsAuthorOrReadOnly
from catalog.serializers import (
    BulkArchiveResultSerializer,
    BulkArchiveSerializer,
    CategorySerializer,
    PingSerializer,
    ProductCreateSerializer,
    ProductListSerializer,
    ProductSerializer,
    ReviewSerializer,
    TimeSerializer,
)


class ShopPagination(PageNumberPagination):
    """``?page=2&page_size=50``: 20 rows a page unless asked, never more than 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ProductViewSet(AsyncModelViewSet):
    """Products: anyone may browse, signed-in users may change the catalogue."""

    queryset = Product.objects.select_related("category").annotate(num_reviews=Count("reviews"))
    serializer_class = ProductSerializer
    filter_backends = [RestflowFilterBackend]
    filterset_class = ProductFilterSet
    pagination_class = ShopPagination
    permission_classes = [IsAuthenticatedOrReadOnly]
    # Ids of up to 18 digits fit a 64-bit column; anything else is a 404 before any query.
    # The nested review routes reuse this pattern for {product_pk}.
    lookup_value_regex = "[0-9]{1,18}"
    action_configs = {
        "list": ActionConfig(serializer_class=ProductListSerializer),
        "create": ActionConfig(
            request_serializer_class=ProductCreateSerializer,
            response_serializer_class=ProductSerializer,
        ),
        "bulk_archive": ActionConfig(
            request_serializer_class=BulkArchiveSerializer,
            response_serializer_class=BulkArchiveResultSerializer,
        ),
    }

    @action(detail=False, methods=["post"])
    async def bulk_archive(self, request):
        """Archive many products at once; answers how many changed."""
        serializer = await self.avalidated_serializer()
        archived = await Product.objects.filter(
            id__in=serializer.validated_data["ids"], is_archived=False
        ).aupdate(is_archived=True, updated_at=timezone.now())
        return await self.aserialized_response({"archived": archived})

    @extend_schema(request=None)  # no body: the product comes from the URL
    @action(detail=True, methods=["post"])
    async def archive(self, request, pk=None):
        """Archive one product and answer with it."""
        product = await self.aget_object()
        if not product.is_archived:
            product.is_archived = True
            await product.asave(update_fields=["is_archived", "updated_at"])
        return await self.aserialized_response(product)


class CategoryViewSet(AsyncReadOnlyModelViewSet):
    """Categories are managed by staff elsewhere; the API only reads them."""

    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filter_backends = [RestflowFilterBackend]
    filterset_class = CategoryFilterSet
    pagination_class = ShopPagination
    lookup_value_regex = "[0-9]{1,18}"


@extend_schema(parameters=[OpenApiParameter("product_pk", OpenApiTypes.INT, OpenApiParameter.PATH)])
class ReviewViewSet(AsyncModelViewSet):
    """Reviews of one product, at /api/products/{product_pk}/reviews/."""

    queryset = Review.objects.select_related("author")
    serializer_class = ReviewSerializer
    pagination_class = ShopPagination
    permission_classes = [IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return Review.objects.none()
        return super().get_queryset().filter(product_id=self.kwargs["product_pk"])

    async def aperform_create(self, serializer):
        # The product comes from the URL, the author from the request: neither from the body.
        product = await aget_object_or_404(Product, pk=self.kwargs["product_pk"])
        await asave(serializer, product=product, author=self.request.user)


class HealthViewSet(AsyncViewSet):
    """Liveness and clock checks for load balancers and humans; no database involved."""

    permission_classes = []
    authentication_classes = []

    @extend_schema(responses=PingSerializer)
    @action(detail=False, methods=["get"])
    async def ping(self, request):
        return await self.aserialized_response({"status": "ok"})

    @extend_schema(responses=TimeSerializer)
    @action(detail=False, methods=["get"])
    async def time(self, request):
        return await self.aserialized_response({"now": timezone.now()})

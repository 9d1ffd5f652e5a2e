"""The shop's API: restflow viewsets registered with DRF routers (see shop/urls.py)."""

import asyncio
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import aget_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from restflow.caching import InvalidationRule, cache_response
from restflow.filters import RestflowFilterBackend
from restflow.pagination import PageNumberPagination
from restflow.permissions import IsAuthenticatedOrReadOnly
from restflow.responses import (
    EventStreamRenderer,
    NDJSONRenderer,
    NDJSONResponse,
    SSEResponse,
    StreamingJSONListResponse,
    stream_queryset,
)
from restflow.throttling import ExactScopedRateThrottle, ScopedRateThrottle
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


# With Redis, every worker process shares one exact limit; without it each process counts alone.
WriteThrottle = ExactScopedRateThrottle if settings.REDIS_URL else ScopedRateThrottle
WRITES = ActionConfig(throttle_classes=[WriteThrottle])

# Categories change rarely (through the admin or the ORM): their answers are cached until one does.
category_cache = cache_response(ttl=600, invalidates_on=[InvalidationRule(model=Category, trigger_on_create=True)])


class ProductViewSet(AsyncModelViewSet):
    """Products: anyone may browse, signed-in users may change the catalogue."""

    # Ordered explicitly: Django leaves Meta.ordering out of a query with an aggregate, and
    # pages of an unordered query may repeat or skip rows.
    queryset = Product.objects.select_related("category").annotate(num_reviews=Count("reviews")).order_by("id")
    serializer_class = ProductSerializer
    filter_backends = [RestflowFilterBackend]
    filterset_class = ProductFilterSet
    pagination_class = ShopPagination
    permission_classes = [IsAuthenticatedOrReadOnly]
    # Ids of up to 18 digits fit a 64-bit column; anything else is a 404 before any query.
    # The nested review routes reuse this pattern for {product_pk}.
    lookup_value_regex = "[0-9]{1,18}"
    throttle_scope = "writes"
    action_configs = {
        "list": ActionConfig(serializer_class=ProductListSerializer),
        "create": ActionConfig(
            request_serializer_class=ProductCreateSerializer,
            response_serializer_class=ProductSerializer,
            throttle_classes=[WriteThrottle],
        ),
        "update": WRITES,
        "partial_update": WRITES,
        "destroy": WRITES,
        # The export needs no review counts: a plain join, cheap to stream.
        "export": ActionConfig(queryset=Product.objects.select_related("category")),
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


    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["ndjson", "json"], description="NDJSON (default) or a JSON array")],
        responses={
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            (200, "application/json"): ProductListSerializer(many=True),
        },
    )
    @action(detail=False, methods=["get"], renderer_classes=[NDJSONRenderer, JSONRenderer])
    async def export(self, request):
        """Every product the list's filters select, streamed: one JSON line each, or one JSON array.

        Rows are fetched 500 at a time and serialized as they go, so memory stays flat however
        many products there are; ``?format=json`` (or ``Accept: application/json``) asks for an array.
        """
        queryset = await self.afilter_queryset(await self.aget_queryset())
        rows = stream_queryset(queryset, ProductListSerializer, context=self.get_serializer_context())
        if request.accepted_renderer.format == "json":
            return StreamingJSONListResponse(rows)
        return NDJSONResponse(rows)

    # Seconds between two looks for changed products in ``live``.
    live_poll_seconds = 1.0

    @extend_schema(exclude=True)  # an endless event stream: not an OpenAPI operation
    @action(detail=False, methods=["get"], renderer_classes=[EventStreamRenderer, JSONRenderer])
    async def live(self, request):
        """Server-Sent Events: a ``product`` event each time a product is created or changed.

        Each event's id is the product's change time and id; a browser's EventSource sends the
        last one back as ``Last-Event-ID`` when it reconnects, and the stream resumes after it.
        A new client starts from now. Quiet periods carry keep-alive comments.
        """
        last_seen = _parse_event_id(request.headers.get("Last-Event-ID"))
        if last_seen is None:
            last_seen = (timezone.now(), 0)
        context = self.get_serializer_context()
        poll_seconds = self.live_poll_seconds

        async def changes():
            nonlocal last_seen
            yield {"retry": 3000, "data": "connected"}
            while True:
                changed_at, product_id = last_seen
                queryset = (
                    Product.objects.select_related("category")
                    .filter(Q(updated_at__gt=changed_at) | Q(updated_at=changed_at, id__gt=product_id))
                    .order_by("updated_at", "id")[:100]
                )
                async for product in queryset:
                    last_seen = (product.updated_at, product.id)
                    yield {
                        "id": f"{product.updated_at.isoformat()}/{product.id}",
                        "event": "product",
                        "data": ProductListSerializer(product, context=context).data,
                    }
                await asyncio.sleep(poll_seconds)

        return SSEResponse(changes())


def _parse_event_id(value):
    """``(changed_at, id)`` from a ``live`` event id, or None when absent or not one of ours."""
    changed_at, _, product_id = (value or "").rpartition("/")
    try:
        return datetime.fromisoformat(changed_at), int(product_id)
    except ValueError:
        return None


class CategoryViewSet(AsyncReadOnlyModelViewSet):
    """Categories are managed by staff elsewhere; the API only reads them."""

    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filter_backends = [RestflowFilterBackend]
    filterset_class = CategoryFilterSet
    pagination_class = ShopPagination
    lookup_value_regex = "[0-9]{1,18}"
    action_configs = {"list": ActionConfig(cache=category_cache), "retrieve": ActionConfig(cache=category_cache)}


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

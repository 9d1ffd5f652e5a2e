"""Views and URLs for tests/responses/test_streaming_responses.py: streaming responses from function
views, restflow's async views and viewsets, and DRF's sync views."""

import asyncio
import datetime
import uuid
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from restflow.responses import NDJSONResponse, SSEResponse, StreamingJSONListResponse, stream_queryset
from restflow.views import AsyncAPIView, AsyncReadOnlyModelViewSet
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductDetailSerializer, ProductListSerializer

# What the streams did, for the tests to look at: started, items produced, closed.
TRACE = []


async def numbers(count, name="numbers"):
    TRACE.append(("start", name))
    try:
        for number in range(count):
            TRACE.append(("item", name, number))
            yield {"id": number}
    finally:
        TRACE.append(("closed", name))


async def typed_values():
    yield {
        "when": datetime.datetime(2026, 1, 1, 12, 30, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 1, 1),
        "at": datetime.time(8, 15),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "price": Decimal("9.99"),
        "label": gettext_lazy("Active"),
        "name": "Caf\u00e9",
    }


async def failing(after):
    for number in range(after):
        yield {"id": number}
    raise RuntimeError("the source broke")


class FloatDecimalEncoder(DjangoJSONEncoder):
    """The guide's custom encoder; counts its instances to show there is one per response."""

    instances = 0

    def __init__(self, *args, **kwargs):
        type(self).instances += 1
        super().__init__(*args, **kwargs)

    def default(self, obj):
        if isinstance(obj, Decimal):
            return float(obj)
        return super().default(obj)


async def orders():
    for total in ("9.99", "10.50"):
        yield {"total": Decimal(total)}


async def events(request):
    yield {"event": "start", "data": "job-42"}
    for pct in range(0, 101, 50):
        yield {"event": "progress", "id": str(pct), "data": {"pct": pct}}
    yield {"event": "done", "data": "job-42", "retry": 1500}
    yield "line one\nline two\r\nline three"


async def events_after(request):
    since = int(request.headers.get("Last-Event-ID", "0"))
    for number in range(since + 1, since + 4):
        yield {"id": str(number), "data": f"event {number}"}


async def bad_event(field, value):
    yield "fine"
    yield {field: value, "data": "x"}


# Function views


def json_list(request):
    count = int(request.GET.get("n", 3))
    kwargs = {"content_type": request.GET["ct"]} if "ct" in request.GET else {}
    return StreamingJSONListResponse(numbers(count), **kwargs)


async def json_list_failing(request):
    return StreamingJSONListResponse(failing(2))


async def ndjson(request):
    return NDJSONResponse(numbers(int(request.GET.get("n", 3))), status=200, headers={"X-Total-Count": "3"})


async def ndjson_failing(request):
    return NDJSONResponse(failing(2))


async def ndjson_safe(request):
    async def safe_events():
        try:
            async for event in failing(2):
                yield event
        except Exception as exc:
            yield {"event": "error", "data": str(exc)}

    return NDJSONResponse(safe_events())


async def typed(request):
    response_class = {"json": StreamingJSONListResponse, "ndjson": NDJSONResponse}[request.GET["as"]]
    return response_class(typed_values())


async def encoded(request):
    response_class = {"json": StreamingJSONListResponse, "ndjson": NDJSONResponse}[request.GET["as"]]
    return response_class(orders(), encoder=FloatDecimalEncoder)


async def sse(request):
    return SSEResponse(events(request))


async def sse_reconnect(request):
    return SSEResponse(events_after(request))


async def sse_bad(request):
    return SSEResponse(bad_event(request.GET["field"], request.GET["value"]))


async def sse_cors(request):
    response = SSEResponse(numbers(1))
    response["Access-Control-Allow-Origin"] = "https://app.example.com"
    response["Access-Control-Allow-Credentials"] = "true"
    return response


async def sse_keep_alive(request):
    async def slow():
        yield "first"
        await asyncio.sleep(0.35)
        yield "second"

    return SSEResponse(slow(), keep_alive=0.1)


async def proxied(request):
    response = NDJSONResponse(numbers(2))
    response["X-Accel-Buffering"] = "no"
    return response


@require_GET
async def export_view(request):
    return NDJSONResponse(numbers(2, "export"))


async def products(request):
    """Rows of a queryset, fetched in chunks, serialized per row."""
    serializer = ProductDetailSerializer if "serialize" in request.GET else None
    chunk_size = int(request.GET.get("chunk", 2))
    rows = stream_queryset(Product.objects.order_by("id"), serializer, context={"request": request}, chunk_size=chunk_size)
    if serializer is None:
        rows = ({"id": product.id, "name": product.name} async for product in rows)
    return StreamingJSONListResponse(rows)


async def products_queryset(request):
    """A QuerySet handed to the response directly (fetched in chunks)."""
    return NDJSONResponse(Product.objects.order_by("id").values("id", "name"))


async def products_aiterator(request):
    async def rows():
        async for product in Product.objects.order_by("id").aiterator(chunk_size=2):
            yield {"id": product.id, "name": product.name}

    return NDJSONResponse(rows())


# Class-based views


class EventStream(AsyncAPIView):
    """Authentication and permissions run before the response (and its iterable) exist."""

    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return SSEResponse({"data": item} async for item in numbers(2, "guarded"))


class DRFSyncExport(APIView):
    """DRF's own sync view may return an async streaming response too (served under ASGI)."""

    permission_classes = []

    def get(self, request):
        return NDJSONResponse(numbers(2, "drf"))


class ProductViewSet(AsyncReadOnlyModelViewSet):
    queryset = Product.objects.order_by("id")
    serializer_class = ProductListSerializer
    permission_classes = []

    @action(detail=False, methods=["get"])
    async def export(self, request):
        return NDJSONResponse(stream_queryset(self.get_queryset(), ProductListSerializer, context={"request": request}))


router = DefaultRouter()
router.register("products", ProductViewSet, basename="product")

urlpatterns = [
    path("json-list/", json_list),
    path("json-list/failing/", json_list_failing),
    path("ndjson/", ndjson),
    path("ndjson/failing/", ndjson_failing),
    path("ndjson/safe/", ndjson_safe),
    path("typed/", typed),
    path("encoded/", encoded),
    path("sse/", sse),
    path("sse/reconnect/", sse_reconnect),
    path("sse/bad/", sse_bad),
    path("sse/cors/", sse_cors),
    path("sse/keep-alive/", sse_keep_alive),
    path("proxied/", proxied),
    path("export/", export_view),
    path("rows/", products),
    path("rows/queryset/", products_queryset),
    path("rows/aiterator/", products_aiterator),
    path("event-stream/", EventStream.as_view()),
    path("drf-export/", DRFSyncExport.as_view()),
    *router.urls,
]

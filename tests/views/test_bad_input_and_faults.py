"""Bad input and faults through real routing: 4xx never 500, races end in DRF's 400,
concurrent writes lose nothing, and the number of hops to the sync thread per request."""

import asyncio
import logging
from base64 import b64encode

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.db import connections
from rest_framework import serializers

from restflow.apiview import AsyncAPIView
from restflow.mixins import CONFLICT_MESSAGE
from restflow.pagination import CursorPagination, PageNumberPagination
from restflow.views import (
    AsyncCreateAPIView,
    AsyncListCreateAPIView,
    AsyncRetrieveUpdateDestroyAPIView,
)
from tests.support.hops import count_hops
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductSerializer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.views_urls_faults")]

HUGE = str(10**30)


# --- views -------------------------------------------------------------------------------------


class ThreePerPage(PageNumberPagination):
    page_size = 3


class ById(CursorPagination):
    page_size = 2
    ordering = "id"


class NoUniqueValidatorSerializer(serializers.ModelSerializer):
    """The sku's UniqueValidator is removed: only the database constraint stands."""

    class Meta:
        model = Product
        fields = ["id", "name", "sku", "price"]
        extra_kwargs = {"sku": {"validators": []}}


class ProductsView(AsyncListCreateAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = ThreePerPage


class ProductDetailView(AsyncRetrieveUpdateDestroyAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer


class CursorProductsView(ProductsView):
    pagination_class = ById


class NoUniqueCreateView(AsyncCreateAPIView):
    queryset = Product.objects.all()
    serializer_class = NoUniqueValidatorSerializer


class QuerysetResponseView(AsyncAPIView):
    """Serializes a lazy queryset with ProductSerializer (many=True)."""

    serializer_class = ProductSerializer

    async def get(self, request, *args, **kwargs):
        return await self.aserialized_response(Product.objects.order_by("id"), many=True)


class EchoDataView(AsyncAPIView):
    """Answers the parsed body, so parsing happens inside the handler."""

    async def post(self, request, *args, **kwargs):
        return await self.aserialized_response({"received": type(request.data).__name__})


# --- bad input ---------------------------------------------------------------------------------


async def test_malformed_json_is_400(client):
    """A body that is not JSON: 400 "JSON parse error", nothing written."""
    response = await client.post("/f/products/", '{"name": "x", ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert await Product.objects.acount() == 0


async def test_unsupported_media_type_is_415(client):
    """A content type no parser accepts: 415 naming the type."""
    response = await client.post("/f/products/", "<product/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["detail"] == 'Unsupported media type "application/xml" in request.'


@pytest.mark.parametrize("path", ["/f/products/", "/f/echo/"])
async def test_json_nested_too_deep_is_400(client, path):
    """100000 nested lists exceed the parser's recursion limit: 400, not 500."""
    body = "[" * 100_000 + "]" * 100_000
    response = await client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


async def test_json_nested_moderately_is_parsed(client):
    """Nesting within the limit still parses normally."""
    body = "[" * 50 + "]" * 50
    response = await client.post("/f/echo/", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"received": "list"}


@pytest.mark.parametrize("page", ["abc", "0", "-1", "2.5", HUGE])
@pytest.mark.parametrize("rows", [0, 4])
async def test_invalid_or_huge_page_is_404(client, page, rows):
    """A bad or enormous page number is DRF's 404 "Invalid page.", also on an empty table."""
    for i in range(rows):
        await Product.objects.acreate(name=f"p{i}", sku=f"s{i}")
    response = await client.get(f"/f/products/?page={page}")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Invalid page")


async def test_last_page_and_empty_first_page(client):
    """page=last names the last page; the first page of an empty table is an empty 200."""
    assert (await client.get("/f/products/")).json() == {"count": 0, "next": None, "previous": None, "results": []}
    for i in range(4):
        await Product.objects.acreate(name=f"p{i}", sku=f"s{i}")
    body = (await client.get("/f/products/?page=last")).json()
    assert [p["sku"] for p in body["results"]] == ["s3"]


@pytest.mark.parametrize("position", ["abc", HUGE])
async def test_tampered_cursor_is_404(client, position):
    """A cursor whose position does not fit the integer ordering field: 404 "Invalid cursor"."""
    await Product.objects.acreate(name="p", sku="s")
    cursor = b64encode(f"p={position}".encode()).decode()
    response = await client.get(f"/f/cursor-products/?cursor={cursor}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("pk", ["424242", "abc", HUGE])
async def test_missing_or_malformed_pk_is_404(client, method, pk):
    """Every detail method answers 404 for a missing, non-integer or out-of-range pk."""
    call = getattr(client, method)
    response = await (call(f"/f/products/{pk}/") if method in ("get", "delete") else call(f"/f/products/{pk}/", {}))
    assert response.status_code == 404


# --- faults ------------------------------------------------------------------------------------


async def test_unique_race_past_the_validator_is_400(client):
    """The database rejects a duplicate the serializer did not check: 400 in DRF's shape, no second row."""
    assert (await client.post("/f/no-unique/", {"name": "a", "sku": "dup"})).status_code == 201
    response = await client.post("/f/no-unique/", {"name": "b", "sku": "dup"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [CONFLICT_MESSAGE]}
    assert await Product.objects.filter(sku="dup").acount() == 1


async def test_concurrent_creates_with_one_unique_value(client):
    """Ten concurrent creates of one sku: one 201, the rest 400 naming the sku, one row stored."""
    responses = await asyncio.gather(
        *(client.post("/f/products/", {"name": f"n{i}", "sku": "same"}) for i in range(10))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [400] * 9
    for response in responses:
        if response.status_code == 400:
            assert response.json() == {"sku": ["product with this sku already exists."]}
    assert await Product.objects.filter(sku="same").acount() == 1


async def test_concurrent_patches_of_different_fields_lose_nothing(client):
    """Concurrent PATCHes each setting a different field of one row: every change survives."""
    product = await Product.objects.acreate(name="old", sku="s")
    changes = [
        {"name": "new"},
        {"description": "described"},
        {"price": 42},
        {"in_stock": False},
        {"is_archived": True},
        {"status": "draft"},
    ]
    responses = await asyncio.gather(*(client.patch(f"/f/products/{product.pk}/", change) for change in changes))
    assert [response.status_code for response in responses] == [200] * len(changes)
    fresh = await Product.objects.aget(pk=product.pk)
    assert (fresh.name, fresh.description, fresh.price, fresh.in_stock, fresh.is_archived, fresh.status) == (
        "new", "described", 42, False, True, "draft",
    )


def _sqlite_in_memory():
    return connections["default"].vendor == "sqlite"


@pytest.mark.parametrize("through", ["asgi-application", "test-client"])
async def test_hundred_concurrent_creates(client, caplog, through):
    """100 concurrent POSTs: all 201, every row stored, no error (SynchronousOnlyOperation) logged.

    Through Django's ASGI application each request gets its own sync thread (asgiref's
    ThreadSensitiveContext), hence its own connection; the in-memory shared-cache SQLite
    test database answers "table is locked" to concurrent writers there, so that variant
    needs PostgreSQL. There at most 40 are in flight at once, as a server's worker limit
    or a connection pool would keep them: 100 at once would need 100 connections, past
    PostgreSQL's default max_connections. The test-client variant runs everywhere.
    """
    if through == "asgi-application" and _sqlite_in_memory():
        pytest.skip("in-memory SQLite cannot take concurrent writers on separate connections")
    caplog.set_level(logging.ERROR, logger="django")
    bodies = [{"name": f"n{i}", "sku": f"sku-{i}", "price": i} for i in range(100)]
    if through == "asgi-application":
        transport = httpx.ASGITransport(app=get_asgi_application())
        in_flight = asyncio.Semaphore(40)

        async def post(http, body):
            async with in_flight:
                return await http.post("/f/products/", json=body)

        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            responses = await asyncio.gather(*(post(http, body) for body in bodies))
    else:
        responses = await asyncio.gather(*(client.post("/f/products/", body) for body in bodies))
    assert [response.status_code for response in responses] == [201] * 100
    assert {response.json()["sku"] for response in responses} == {body["sku"] for body in bodies}
    assert await Product.objects.acount() == 100
    assert (await client.get("/f/products/")).json()["count"] == 100
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


# --- hops to the sync thread -------------------------------------------------------------------

# Upper bounds on hops inside the view (anonymous request, default authenticators,
# AllowAny, no throttles, plain ModelSerializer with a foreign key and a unique field).
HOP_LIMITS = {"list": 1, "retrieve": 1, "create": 1}


async def _measure(client, monkeypatch, kind, path, method="get", body=None):
    call = getattr(client, method)
    await (call(path) if body is None else call(path, body(0)))  # warm-up: serializer paths learned
    with count_hops(monkeypatch) as hops:
        response = await (call(path) if body is None else call(path, body(1)))
    assert response.status_code in (200, 201)
    print(f"\nhops {kind}: view={len(hops['view'])} {hops['view']} request={len(hops['request'])}")
    return hops


async def test_hops_list_paginated(client, monkeypatch):
    """A paginated list: the count and the page query share one hop."""
    for i in range(5):
        await Product.objects.acreate(name=f"p{i}", sku=f"s{i}")
    hops = await _measure(client, monkeypatch, "list", "/f/products/?page=2")
    assert len(hops["view"]) <= HOP_LIMITS["list"]


async def test_hops_retrieve(client, monkeypatch):
    """A retrieve: the one query for the object."""
    product = await Product.objects.acreate(name="p", sku="s")
    hops = await _measure(client, monkeypatch, "retrieve", f"/f/products/{product.pk}/")
    assert len(hops["view"]) <= HOP_LIMITS["retrieve"]


async def test_hops_create(client, monkeypatch):
    """A create with a UniqueValidator: validation and the transactional save share one hop."""
    hops = await _measure(
        client, monkeypatch, "create", "/f/products/", "post", lambda i: {"name": "n", "sku": f"s{i}"}
    )
    assert len(hops["view"]) <= HOP_LIMITS["create"]


async def test_serializing_a_lazy_queryset_does_not_make_later_lists_hop(client, monkeypatch):
    """After a response serializes a lazy queryset, a paginated list with the same serializer
    still costs only its one pagination hop (the queryset's fetch is not mistaken for a
    representation that needs the thread)."""
    await Product.objects.acreate(name="p", sku="s")
    assert [p["sku"] for p in (await client.get("/f/queryset-response/")).json()] == ["s"]
    with count_hops(monkeypatch) as hops:
        assert (await client.get("/f/products/")).status_code == 200
    assert hops["view"] == ["PageNumberPagination.paginate_queryset"]


async def test_hop_counter_counts(monkeypatch):
    """The counter sees a hop made inside a view dispatch and one made outside it."""
    with count_hops(monkeypatch) as hops:
        await sync_to_async(len)([1])
    assert hops == {"request": ["len"], "view": []}


async def test_json_response_is_not_rendered_in_a_hop(client, monkeypatch):
    """A JSON response is rendered on the loop: no hop runs ``render`` for the whole request."""
    product = await Product.objects.acreate(name="p", sku="s")
    hops = await _measure(client, monkeypatch, "retrieve-render", f"/f/products/{product.pk}/")
    assert hops["request"] and not [name for name in hops["request"] if "render" in name]
    html = await client.get("/f/products/", headers={"Accept": "text/html"})
    assert html.status_code == 200  # the browsable API still renders, in Django's hop

"""Conformance with restflow's pagination guide (guide/pagination/index.md), section by section."""

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import path
from rest_framework import pagination as drf_pagination
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIRequestFactory
from rest_framework.request import Request

from restflow.pagination import (
    BasePagination,
    CursorPagination,
    FastPageNumberPagination,
    LimitOffsetPagination,
    PageNumberPagination,
)
from restflow.views import ActionConfig, AsyncListAPIView, AsyncModelViewSet
from tests.support.testapp.models import Product

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.pagination.test_paginators_api")]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku"]


async def seed(count):
    await Product.objects.abulk_create(
        [Product(name=f"p{i}", sku=f"s{i:03}", price=i) for i in range(1, count + 1)]
    )


def skus(body):
    return [row["sku"] for row in body["results"]]


# "PageNumberPagination / Example" and "Dynamic page size"


class ProductPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_staff:
            return 100
        return super().get_page_size(request)


class ProductListView(AsyncListAPIView):
    serializer_class = ProductSerializer
    pagination_class = ProductPagination

    async def get_queryset(self):
        return Product.objects.order_by("id")


async def test_page_number_example(client):
    """guide/pagination, "PageNumberPagination": class attributes, response shape, async get_queryset."""
    await seed(25)
    first = (await client.get("/products/")).json()
    assert list(first) == ["count", "next", "previous", "results"]
    assert first["count"] == 25 and len(first["results"]) == 20 and first["previous"] is None
    assert first["next"].endswith("/products/?page=2")
    assert len((await client.get("/products/?page_size=5")).json()["results"]) == 5
    assert len((await client.get("/products/?page_size=500")).json()["results"]) == 25  # max_page_size 100
    assert (await client.get("/products/?page=9")).status_code == 404


async def test_page_number_dynamic_page_size(client):
    """guide/pagination, "Dynamic page size": get_page_size(request) per user."""
    await seed(25)
    staff = await sync_to_async(User.objects.create_user)(username="s", password="pw", is_staff=True)
    client.force_authenticate(staff)
    assert len((await client.get("/products/")).json()["results"]) == 25


# "LimitOffsetPagination / Example"


class ExportPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


class ExportListView(AsyncListAPIView):
    serializer_class = ProductSerializer
    pagination_class = ExportPagination
    queryset = Product.objects.order_by("id")


async def test_limit_offset_example(client):
    """guide/pagination, "LimitOffsetPagination": default_limit, max_limit, the ?limit&offset window."""
    await seed(60)
    default = (await client.get("/exports/")).json()
    assert default["count"] == 60 and len(default["results"]) == 50
    window = (await client.get("/exports/?limit=10&offset=20")).json()
    assert skus(window)[0] == "s021" and len(window["results"]) == 10
    assert "limit=10" in window["next"] and "offset=30" in window["next"]


# "CursorPagination / Required configuration" and "Stability across inserts"


class ActivityPagination(CursorPagination):
    page_size = 2
    ordering = "-created,-id"


class ActivityView(AsyncListAPIView):
    serializer_class = ProductSerializer
    pagination_class = ActivityPagination
    queryset = Product.objects.all()


async def test_cursor_example_and_stability(client):
    """guide/pagination, "CursorPagination": opaque cursor, no count, stable when rows are inserted at the head."""
    await seed(5)
    first = (await client.get("/activity/")).json()
    assert list(first) == ["next", "previous", "results"] and first["previous"] is None
    await Product.objects.acreate(name="new", sku="s999")  # newest: sorts before everything
    second = (await client.get(first["next"])).json()
    assert not set(skus(first)) & set(skus(second)) and "s999" not in skus(second)


# "FastPageNumberPagination"


class EventPagination(FastPageNumberPagination):
    page_size = 3
    page_size_query_param = "page_size"
    max_page_size = 5


class EventListView(AsyncListAPIView):
    serializer_class = ProductSerializer
    pagination_class = EventPagination
    queryset = Product.objects.order_by("id")


async def test_fast_page_number_shape_and_next(client):
    """guide/pagination, "FastPageNumberPagination": next/previous/results, no count; next only when more rows exist."""
    await seed(6)
    first = (await client.get("/events/")).json()
    assert list(first) == ["next", "previous", "results"] and "count" not in first
    assert skus(first) == ["s001", "s002", "s003"] and first["previous"] is None
    second = (await client.get(first["next"])).json()
    # Exactly full and last: no next link (a row past the page is fetched to know).
    assert skus(second) == ["s004", "s005", "s006"] and second["next"] is None
    assert second["previous"].endswith("/events/")
    assert len((await client.get("/events/?page_size=4")).json()["results"]) == 4
    assert len((await client.get("/events/?page_size=50")).json()["results"]) == 5


async def test_fast_page_number_empty_and_invalid_pages(client):
    """guide/pagination, "FastPageNumberPagination / When the page is empty": 404 past page 1, [] on page 1."""
    empty = (await client.get("/events/")).json()
    assert empty == {"next": None, "previous": None, "results": []}
    await seed(2)
    for page in ("2", "0", "-1", "abc", "99999999999999999999"):
        response = await client.get(f"/events/?page={page}")
        assert response.status_code == 404 and response.json() == {"detail": "Invalid page."}, page


async def test_fast_page_number_never_counts(client, monkeypatch):
    """guide/pagination, "FastPageNumberPagination / Async path": no COUNT query, sync or async."""
    await seed(4)

    def refuse(*args, **kwargs):
        raise AssertionError("FastPageNumberPagination counted")

    monkeypatch.setattr(QuerySet, "count", refuse)
    monkeypatch.setattr(QuerySet, "acount", refuse)
    assert len((await client.get("/events/")).json()["results"]) == 3

    def sync_page():
        request = Request(APIRequestFactory().get("/events/"))
        with CaptureQueriesContext(connection) as queries:
            page = EventPagination().paginate_queryset(Product.objects.order_by("id"), request)
        return page, [query["sql"] for query in queries]

    page, sql = await sync_to_async(sync_page)()
    assert len(page) == 3 and len(sql) == 1 and "COUNT" not in sql[0].upper()


# "Configuring through ActionConfig"


class FastTwo(FastPageNumberPagination):
    page_size = 2


class Limit2(LimitOffsetPagination):
    default_limit = 2


class ArticleViewSet(AsyncModelViewSet):
    serializer_class = ProductSerializer
    queryset = Product.objects.order_by("id")
    pagination_class = None

    action_configs = {
        "list": ActionConfig(pagination_class=FastTwo),
        "exports": ActionConfig(pagination_class=Limit2),
    }

    from rest_framework.decorators import action

    @action(detail=False, methods=["get"])
    async def exports(self, request):
        return await self.apaginated_response(self.get_queryset())

    @action(detail=False, methods=["get"])
    async def everything(self, request):
        return await self.apaginated_response(self.get_queryset())


async def test_action_config_pagination(client):
    """guide/pagination, "Configuring through ActionConfig": per-action paginators over pagination_class = None."""
    await seed(3)
    assert set((await client.get("/articles/")).json()) == {"next", "previous", "results"}
    exports = (await client.get("/articles/exports/")).json()
    assert exports["count"] == 3 and len(exports["results"]) == 2
    assert len((await client.get("/articles/everything/")).json()) == 3


# "Disabling pagination"


class ArticleListView(AsyncListAPIView):
    serializer_class = ProductSerializer
    queryset = Product.objects.order_by("id")
    pagination_class = FastTwo

    def get_pagination_class(self):
        if self.request.query_params.get("all") == "true":
            return None
        return super().get_pagination_class()


class UnpagedListView(AsyncListAPIView):
    serializer_class = ProductSerializer
    queryset = Product.objects.order_by("id")
    pagination_class = None


class Declining(PageNumberPagination):
    page_size = 2

    async def apaginate_queryset(self, queryset, request, view=None):
        if request.query_params.get("raw"):
            return None
        return await super().apaginate_queryset(queryset, request, view)


class DecliningView(AsyncListAPIView):
    serializer_class = ProductSerializer
    queryset = Product.objects.order_by("id")
    pagination_class = Declining


async def test_disabling_pagination(client):
    """guide/pagination, "Disabling pagination" and "The async hook": None class, get_pagination_class, a paginator returning None."""
    await seed(3)
    assert len((await client.get("/unpaged/")).json()) == 3
    assert len((await client.get("/articles-list/")).json()["results"]) == 2
    assert len((await client.get("/articles-list/?all=true")).json()) == 3
    assert (await client.get("/declining/")).json()["count"] == 3
    assert len((await client.get("/declining/?raw=1")).json()) == 3


# "Custom paginators"


class HeaderPagination(BasePagination):
    """guide/pagination, "Subclass BasePagination": sync methods only."""

    def paginate_queryset(self, queryset, request, view=None):
        self.total = queryset.count()
        return list(queryset[:2])

    def get_paginated_response(self, data):
        return Response(data, headers={"X-Total-Count": str(self.total)})


class HeaderView(AsyncListAPIView):
    serializer_class = ProductSerializer
    queryset = Product.objects.order_by("id")
    pagination_class = HeaderPagination


class CustomPagination(drf_pagination.PageNumberPagination):
    """guide/pagination, "Subclass an existing DRF paginator": its own apaginate_queryset."""

    page_size = 2
    calls = 0

    async def apaginate_queryset(self, queryset, request, view=None):
        CustomPagination.calls += 1
        return await sync_to_async(self.paginate_queryset, thread_sensitive=True)(queryset, request, view)


class CustomView(AsyncListAPIView):
    serializer_class = ProductSerializer
    queryset = Product.objects.order_by("id")
    pagination_class = CustomPagination


async def test_custom_paginators(client):
    """guide/pagination, "Custom paginators": BasePagination's default hook runs the sync method in a thread."""
    await seed(3)
    response = await client.get("/header/")
    assert response["X-Total-Count"] == "3" and len(response.json()) == 2
    CustomPagination.calls = 0
    assert (await client.get("/custom/")).json()["count"] == 3 and CustomPagination.calls == 1


async def test_base_pagination_default_hook_runs_sync_method():
    """guide/pagination, "The async hook": BasePagination.apaginate_queryset runs paginate_queryset via sync_to_async."""
    await seed(3)
    request = Request(APIRequestFactory().get("/"))
    page = await HeaderPagination().apaginate_queryset(Product.objects.order_by("id"), request)
    assert [p.sku for p in page] == ["s001", "s002"]
    assert issubclass(PageNumberPagination, drf_pagination.PageNumberPagination)


# "Settings interaction"


class DefaultPaginatedView(AsyncListAPIView):
    serializer_class = ProductSerializer
    queryset = Product.objects.order_by("id")


async def test_settings_default_pagination_class(client, settings):
    """guide/pagination, "Settings interaction": DEFAULT_PAGINATION_CLASS names restflow's paginator by path."""
    from rest_framework.settings import api_settings

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_PAGINATION_CLASS": "restflow.pagination.PageNumberPagination",
        "PAGE_SIZE": 2,
    }
    assert api_settings.DEFAULT_PAGINATION_CLASS is PageNumberPagination

    class Later(PageNumberPagination):  # PAGE_SIZE is read when a class is defined, as in DRF
        page_size = api_settings.PAGE_SIZE

    assert Later.page_size == 2


router = DefaultRouter()
router.register("articles", ArticleViewSet, basename="articles")

urlpatterns = [
    path("products/", ProductListView.as_view()),
    path("exports/", ExportListView.as_view()),
    path("activity/", ActivityView.as_view()),
    path("events/", EventListView.as_view()),
    path("articles-list/", ArticleListView.as_view()),
    path("unpaged/", UnpagedListView.as_view()),
    path("declining/", DecliningView.as_view()),
    path("header/", HeaderView.as_view()),
    path("custom/", CustomView.as_view()),
    *router.urls,
]

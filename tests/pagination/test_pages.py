"""restflow.pagination: async pages equal DRF's sync pages; bad input answers 404, never 500."""

import datetime
from base64 import b64encode
from urllib.parse import parse_qs, urlparse

import pytest
from asgiref.sync import sync_to_async
from django.db.backends import utils as db_utils
from django.test import AsyncClient
from django.utils import timezone
from rest_framework import pagination as drf
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIRequestFactory

from restflow import pagination
from restflow.views import AsyncReadOnlyModelViewSet
from tests.support.testapp.models import Product

pytestmark = pytest.mark.django_db(transaction=True)

factory = APIRequestFactory()
HUGE = str(10**30)


@pytest.fixture
def queries(monkeypatch):
    """The SQL statements run while the test runs, on any thread."""
    seen = []
    execute = db_utils.CursorWrapper._execute_with_wrappers

    def counting(self, sql, *args, **kwargs):
        seen.append(sql)
        return execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(db_utils.CursorWrapper, "_execute_with_wrappers", counting)
    return seen


async def make_products(count, same_created_every=1):
    """``count`` products with ascending ids and prices; ``created`` repeats in runs."""
    start = timezone.now()
    await Product.objects.abulk_create(
        Product(
            name=f"product {i}",
            sku=f"sku-{i}",
            price=i // 2,
            created=start + datetime.timedelta(seconds=i // same_created_every),
        )
        for i in range(count)
    )


def request(params=None):
    return Request(factory.get("/products/", params or {}))


def ids(objects):
    return [obj.pk for obj in objects]


async def sync_and_async(sync_pager, async_pager, queryset, params, view=None):
    """Paginate one request with DRF's sync paginator and restflow's async one."""
    sync_rows = await sync_to_async(sync_pager.paginate_queryset)(queryset, request(params), view)
    async_rows = await async_pager.apaginate_queryset(queryset, request(params), view)
    return sync_rows, async_rows


async def assert_same_as_drf(sync_pager, async_pager, queryset, params):
    sync_rows, async_rows = await sync_and_async(sync_pager, async_pager, queryset, params)
    if sync_rows is None:
        assert async_rows is None
        return
    assert ids(async_rows) == ids(sync_rows)
    for pager, rows in ((sync_pager, sync_rows), (async_pager, async_rows)):
        data = ids(rows)
        pager.summary = (
            pager.get_paginated_response(data).data,
            pager.get_html_context(),
            pager.display_page_controls,
        )
    assert async_pager.summary == sync_pager.summary


# Page number -----------------------------------------------------------------------------


class PageNumber(pagination.PageNumberPagination):
    page_size = 5
    page_size_query_param = "page_size"
    max_page_size = 7


class DRFPageNumber(drf.PageNumberPagination):
    page_size = 5
    page_size_query_param = "page_size"
    max_page_size = 7


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": "2"},
        {"page": "3"},
        {"page": "last"},
        {"page": "2", "page_size": "3"},
        {"page_size": "1000"},
        {"page_size": "0"},
        {"page_size": "junk"},
        {"page": "2", "other": "kept"},
    ],
)
async def test_page_number_matches_drf(params):
    await make_products(12)
    await assert_same_as_drf(DRFPageNumber(), PageNumber(), Product.objects.all(), params)


async def test_page_number_uses_two_queries(queries):
    await make_products(12)
    queries.clear()
    rows = await PageNumber().apaginate_queryset(Product.objects.all(), request({"page": "2"}))
    assert len(rows) == 5
    assert len(queries) == 2


async def test_page_size_capped_by_max_page_size():
    await make_products(12)
    pager = PageNumber()
    rows = await pager.apaginate_queryset(Product.objects.all(), request({"page_size": "1000"}))
    assert len(rows) == 7
    assert pager.get_paginated_response(ids(rows)).data["next"].endswith("page=2&page_size=1000")


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", " ", "4", HUGE, "9" * 5000])
async def test_invalid_page_is_404(page):
    await make_products(12)
    with pytest.raises(NotFound) as raised:
        await PageNumber().apaginate_queryset(Product.objects.all(), request({"page": page}))
    assert str(raised.value.detail) == "Invalid page."


@pytest.mark.parametrize("page", ["2", HUGE])
async def test_page_past_an_empty_table_is_404(page):
    with pytest.raises(NotFound, match="Invalid page."):
        await PageNumber().apaginate_queryset(Product.objects.all(), request({"page": page}))


async def test_first_page_of_an_empty_table():
    pager = PageNumber()
    assert await pager.apaginate_queryset(Product.objects.all(), request()) == []
    assert pager.get_paginated_response([]).data == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


async def test_invalid_page_message_is_formatted():
    class Verbose(PageNumber):
        invalid_page_message = "Page {page_number}: {message}"

    await make_products(3)
    with pytest.raises(NotFound) as raised:
        await Verbose().apaginate_queryset(Product.objects.all(), request({"page": "9"}))
    assert str(raised.value.detail) == "Page 9: That page contains no results"


async def test_no_page_size_means_no_pagination(queries):
    class Off(pagination.PageNumberPagination):
        page_size = None

    assert await Off().apaginate_queryset(Product.objects.all(), request()) is None
    assert queries == []


async def test_page_number_paginates_a_list():
    pager = PageNumber()
    rows = await pager.apaginate_queryset(list(range(12)), request({"page": "3"}))
    assert rows == [10, 11]
    assert pager.get_paginated_response(rows).data["count"] == 12


# Limit/offset ----------------------------------------------------------------------------


class LimitOffset(pagination.LimitOffsetPagination):
    default_limit = 4


class DRFLimitOffset(drf.LimitOffsetPagination):
    default_limit = 4


class CappedLimitOffset(pagination.LimitOffsetPagination):
    default_limit = 4
    max_limit = 5


class DRFCappedLimitOffset(drf.LimitOffsetPagination):
    default_limit = 4
    max_limit = 5


LIMIT_OFFSET_PARAMS = [
    {},
    {"limit": "3"},
    {"limit": "3", "offset": "4"},
    {"offset": "10"},
    {"offset": "11"},
    {"offset": "12"},
    {"offset": "40"},
    {"offset": HUGE},
    {"limit": "50"},
    {"limit": "0"},
    {"limit": "-3", "offset": "-2"},
    {"limit": "abc", "offset": "xyz"},
]


@pytest.mark.parametrize("params", LIMIT_OFFSET_PARAMS)
async def test_limit_offset_matches_drf(params):
    await make_products(12)
    await assert_same_as_drf(DRFLimitOffset(), LimitOffset(), Product.objects.all(), params)


@pytest.mark.parametrize("params", LIMIT_OFFSET_PARAMS)
async def test_capped_limit_offset_matches_drf(params):
    await make_products(12)
    await assert_same_as_drf(
        DRFCappedLimitOffset(), CappedLimitOffset(), Product.objects.all(), params
    )


@pytest.mark.parametrize("offset", ["0", "5", HUGE])
async def test_huge_limit_is_clamped_for_the_database(offset):
    await make_products(12)
    pager = LimitOffset()
    params = {"limit": HUGE, "offset": offset}
    rows = await pager.apaginate_queryset(Product.objects.all(), request(params))
    assert len(rows) == max(12 - min(int(offset), 12), 0)
    data = pager.get_paginated_response(ids(rows)).data
    assert data["count"] == 12
    assert data["next"] is None


async def test_limit_offset_uses_two_queries(queries):
    await make_products(12)
    queries.clear()
    params = {"limit": "3", "offset": "4"}
    assert len(await LimitOffset().apaginate_queryset(Product.objects.all(), request(params))) == 3
    assert len(queries) == 2


async def test_limit_offset_paginates_a_list():
    pager = LimitOffset()
    assert await pager.apaginate_queryset(list("abcdefg"), request({"offset": "5"})) == ["f", "g"]
    assert pager.count == 7


# Cursor ----------------------------------------------------------------------------------


class Cursor(pagination.CursorPagination):
    page_size = 3
    page_size_query_param = "page_size"


class DRFCursor(drf.CursorPagination):
    page_size = 3
    page_size_query_param = "page_size"


def cursor_of(link):
    return parse_qs(urlparse(link).query)["cursor"][0] if link else None


@pytest.mark.parametrize(
    "ordering", [("-created", "-id"), ("created", "id"), ("price", "id"), ("-price", "-id"), "id"]
)
async def test_cursor_walk_matches_drf(ordering):
    """Follow next links to the end, then previous links back, comparing each page with DRF's.

    Positions repeat in pairs, which needs offset cursors; "id" breaks ties so the database
    returns repeated positions in one order on every query.
    """
    await make_products(11, same_created_every=2)
    queryset = Product.objects.all()
    async_cls = type("Ordered", (Cursor,), {"ordering": ordering})
    sync_cls = type("DRFOrdered", (DRFCursor,), {"ordering": ordering})

    async def walk(cursor, direction):
        pages = []
        while True:
            sync_pager, async_pager = sync_cls(), async_cls()
            params = {"cursor": cursor} if cursor else {}
            await assert_same_as_drf(sync_pager, async_pager, queryset, params)
            data = async_pager.summary[0]
            pages.append(data["results"])
            cursor = cursor_of(data[direction])
            if cursor is None or len(pages) > 10:
                return pages, data

    forward, last = await walk(None, "next")
    assert sorted(sum(forward, [])) == sorted([p.pk async for p in queryset])
    assert len(forward) == 4
    backward, first = await walk(cursor_of(last["previous"]), "previous")
    assert first["previous"] is None
    assert len(backward) == 3


def encoded(querystring):
    return b64encode(querystring.encode()).decode()


@pytest.mark.parametrize(
    "ordering, cursor",
    [
        ("-created", "%%%not-base64"),
        ("-created", "w6k="),  # base64 of non-ASCII bytes
        ("-created", encoded("o=abc")),
        ("-created", encoded("o=-1")),
        ("-created", encoded("r=yes")),
        ("-created", encoded("p=abc")),
        ("-created", encoded("p=")),
        ("created", encoded("r=1&p=2024-13-45")),
        ("price", encoded("p=abc")),
        ("price", encoded("p=1.5")),
        ("price", encoded(f"p={10**30}")),
        ("-price", encoded(f"p=-{10**30}")),
        ("id", encoded(f"p={2**63}")),
        ("id", encoded(f"r=1&p={10**30}")),
    ],
)
async def test_bad_cursor_is_404(ordering, cursor):
    await make_products(4)
    pager = type("Ordered", (Cursor,), {"ordering": ordering})()
    with pytest.raises(NotFound) as raised:
        await pager.apaginate_queryset(Product.objects.all(), request({"cursor": cursor}))
    assert str(raised.value.detail) == "Invalid cursor"


async def test_cursor_huge_page_size_is_clamped_for_the_database():
    await make_products(5)
    pager = Cursor()
    rows = await pager.apaginate_queryset(
        Product.objects.all(), request({"page_size": HUGE}), view=None
    )
    assert len(rows) == 5
    assert pager.get_next_link() is None


async def test_cursor_uses_one_query(queries):
    await make_products(5)
    pager = type("Ordered", (Cursor,), {"ordering": "id"})()
    await pager.apaginate_queryset(Product.objects.all(), request())
    queries.clear()
    rows = await pager.apaginate_queryset(
        Product.objects.all(), request({"cursor": cursor_of(pager.get_next_link())})
    )
    assert len(rows) == 2
    assert len(queries) == 1


# apaginate -------------------------------------------------------------------------------


async def test_apaginate_runs_a_sync_paginator_in_a_hop():
    """A third-party sync paginator queries the database; from async code that needs a hop."""
    await make_products(7)
    pager = DRFPageNumber()
    rows = await pagination.apaginate(pager, Product.objects.all(), request({"page": "2"}), None)
    assert len(rows) == 2
    assert pager.get_paginated_response(ids(rows)).data["previous"] == "http://testserver/products/"


async def test_apaginate_awaits_an_async_paginator(monkeypatch):
    """restflow's own paginator is asked through apaginate_queryset: one hop for a queryset, none for a list."""
    from asgiref.sync import SyncToAsync

    hops = []
    original = SyncToAsync.__call__

    async def counting(self, *args, **kwargs):
        hops.append(self.func.__qualname__)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counting)
    await make_products(7)
    hops.clear()
    rows = await pagination.apaginate(PageNumber(), Product.objects.all(), request(), None)
    assert len(rows) == 5 and hops == ["PageNumberPagination.paginate_queryset"]
    hops.clear()
    rows = await pagination.apaginate(PageNumber(), list(range(7)), request(), None)
    assert rows == [0, 1, 2, 3, 4] and hops == []


# Through a real route --------------------------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name"]


class PagedProducts(AsyncReadOnlyModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = PageNumber


class CursoredProducts(PagedProducts):
    pagination_class = type("ById", (Cursor,), {"ordering": "id"})


router = DefaultRouter()
router.register("products", PagedProducts, basename="paged")
router.register("cursored", CursoredProducts, basename="cursored")
urlpatterns = router.urls


@pytest.mark.urls(__name__)
async def test_route_answers_pages():
    await make_products(12)
    response = await AsyncClient().get("/products/", {"page": "2"})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (
        12,
        "http://testserver/products/?page=3",
        "http://testserver/products/",
    )
    assert len(body["results"]) == 5


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    "path, params, detail",
    [
        ("/products/", {"page": "abc"}, "Invalid page."),
        ("/products/", {"page": HUGE}, "Invalid page."),
        ("/cursored/", {"cursor": encoded(f"p={10**30}")}, "Invalid cursor"),
        ("/cursored/", {"cursor": "w6k="}, "Invalid cursor"),
    ],
)
async def test_route_answers_404_for_bad_pages(path, params, detail):
    await make_products(3)
    response = await AsyncClient().get(path, params)
    assert response.status_code == 404
    assert response.json() == {"detail": detail}


@pytest.mark.django_db(transaction=True)
async def test_subclass_overriding_only_the_sync_method_is_honoured():
    """A restflow paginator subclass that overrides only paginate_queryset is asked through it (in a hop)."""
    from rest_framework.test import APIRequestFactory
    from rest_framework.request import Request

    from restflow.pagination import PageNumberPagination, apaginate

    calls = []

    class Custom(PageNumberPagination):
        page_size = 1

        def paginate_queryset(self, queryset, request, view=None):
            calls.append("sync")
            return list(queryset[:1])

    await Product.objects.acreate(name="a", sku="a")
    request = Request(APIRequestFactory().get("/"))
    page = await apaginate(Custom(), Product.objects.all(), request, None)
    assert calls == ["sync"] and [p.sku for p in page] == ["a"]

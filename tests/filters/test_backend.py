"""RestflowFilterBackend through real routes: sync DRF list views, an async viewset, the schema,
other filter backends beside it, and fuzzed query strings."""

import datetime
from urllib.parse import urlencode

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.http import QueryDict
from django.test import AsyncClient
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.support.filters_urls import ProductFilterSet
from tests.support.testapp.models import Category, Product

pytestmark = pytest.mark.urls("tests.support.filters_urls")


def make_catalog():
    tools = Category.objects.create(name="tools")
    for i, (name, price, status) in enumerate(
        [("Anvil", 100, "active"), ("Ball", 5, "draft"), ("Crane", 40, "archived"), ("Drill", 80, "active"),
         ("Easel", 60, "active")]
    ):
        Product.objects.create(name=name, sku=f"S{i}", price=price, status=status, category=tools,
                               in_stock=name != "Drill", created=datetime.datetime(2024, 1, i + 1, tzinfo=datetime.UTC))


@pytest.fixture
def catalog(db):
    make_catalog()


@pytest.fixture
async def closes_thread_connections():
    """Close the ORM thread's connections so the PostgreSQL test database can be dropped."""
    yield
    await sync_to_async(connections.close_all)()


def listed(response):
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_sync_list_view_filters_orders_and_paginates(catalog):
    client = APIClient()
    response = client.get("/products/", {"price__gte": "40", "status!": "archived", "ordering": "-price"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert listed(response) == ["Anvil", "Drill"]
    assert "page=2" in body["next"]
    response = client.get(body["next"])
    assert listed(response) == ["Easel"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"price": "abc"}, {"price": ["A valid integer is required."]}),
        ({"price__gte": "abc", "name": "x"}, {"price__gte": ["A valid integer is required."]}),
        ({"ordering": "sku"}, {"ordering": [
            '"sku" is not an accepted ordering. Accepted: price, name, created, category; '
            'prefix a name with "-" for descending order.'
        ]}),
    ],
)
def test_sync_list_view_rejects_bad_values_with_400(catalog, query, errors):
    response = APIClient().get("/products/", query)
    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.django_db
def test_filterset_fields_shortcut_builds_a_filterset_for_the_model(catalog):
    client = APIClient()
    response = client.get("/shortcut/", {"price__lt": "70", "status": "active"})
    assert [row["name"] for row in response.json()] == ["Easel"]
    response = client.get("/shortcut/", {"category__isnull": "true"})
    assert response.json() == []
    response = client.get("/shortcut/", {"status": "lost"})
    assert response.status_code == 400
    assert response.json() == {"status": ['"lost" is not a valid choice. Accepted: draft, active, archived.']}


@pytest.mark.django_db
def test_works_beside_django_filter_search_and_ordering(catalog):
    client = APIClient()
    query = {"in_stock": "true", "search": "a", "ordering": "-price", "price__gte": "10"}
    response = client.get("/mixed/", query)
    assert response.status_code == 200
    assert [row["name"] for row in response.json()] == ["Anvil", "Easel", "Crane"]
    assert client.get("/mixed/", {"price__gte": "ten"}).json() == {"price__gte": ["A valid integer is required."]}
    assert [row["name"] for row in client.get("/mixed/", {"in_stock": "false"}).json()] == ["Drill"]


def operation_parameters(path):
    schema = SchemaGenerator(urlconf="tests.support.filters_urls").get_schema(request=None, public=True)
    return {param["name"]: param for param in schema["paths"][path]["get"]["parameters"]}


def test_schema_declares_every_filter_parameter():
    params = operation_parameters("/products/")
    expected = {param.name for param in ProductFilterSet.parameters()} | {"page"}
    assert set(params) == expected
    assert params["price__gte"] == {
        "name": "price__gte",
        "in": "query",
        "required": False,
        "description": "price is greater than or equal to",
        "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
    }
    assert params["price__gte!"]["description"] == "exclude where price is greater than or equal to"
    assert params["status!"]["description"] == "exclude where status"
    assert params["status"]["schema"] == {"type": "string", "enum": ["draft", "active", "archived"]}
    assert params["statuses"]["schema"]["items"]["enum"] == ["draft", "active", "archived"]
    assert params["statuses"]["explode"] is True
    assert params["created__date"]["schema"] == {"type": "string", "format": "date"}
    assert params["created__gte"]["schema"] == {"type": "string", "format": "date-time"}
    assert params["released__month"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 12}
    assert params["in_stock"]["schema"] == {"type": "boolean"}
    assert params["weight"]["schema"] == {"type": "number", "format": "float"}
    assert params["search"]["description"] == "Words in the name or description."
    assert params["ordering"]["schema"]["items"]["enum"][:2] == ["price", "name"]
    assert "-category" in params["ordering"]["schema"]["items"]["enum"]


def test_schema_of_the_shortcut_and_the_async_viewset():
    positive = {
        "price", "price__gt", "price__gte", "price__lt", "price__lte", "status", "status__exact",
        "category", "category__exact", "category__in", "category__isnull",
    }
    assert set(operation_parameters("/shortcut/")) == positive | {f"{name}!" for name in positive}
    assert "price__in!" in operation_parameters("/api/products/")


def test_schema_marks_required_parameters():
    from restflow.filters import FilterSet, RestflowFilterBackend, StringField

    class RequiredSku(FilterSet):
        sku = StringField(required=True)

    view = type("View", (), {"filterset_class": RequiredSku})()
    sku, negated = RestflowFilterBackend().get_schema_operation_parameters(view)
    assert (sku["name"], sku["required"]) == ("sku", True)
    assert (negated["name"], negated["required"]) == ("sku!", False)
    assert RestflowFilterBackend().get_schema_operation_parameters(object()) == []


@pytest.mark.django_db(transaction=True)
async def test_async_viewset_filters_orders_paginates_and_rejects(closes_thread_connections):
    await sync_to_async(make_catalog)()
    client = AsyncClient()
    response = await client.get("/api/products/", {"status": "active", "ordering": "name"})
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert listed(response) == ["Anvil", "Drill"]
    response = await client.get("/api/products/", {"status": "active", "ordering": "name", "page": "2"})
    assert listed(response) == ["Easel"]
    response = await client.get("/api/products/", {"search": "ANV"})
    assert listed(response) == ["Anvil"]
    response = await client.get("/api/products/", {"price__in": "5,60,x"})
    assert response.status_code == 400
    assert response.json() == {"price__in": ["A valid integer is required."]}
    response = await client.get("/api/products/", {"ordering": "-weight"})
    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]


NAMES = [param.name for param in ProductFilterSet.parameters()] + ["page", "unknown", "price__regex"]
EDGE_VALUES = [
    "0", "1", "-1", "12", "13", "9999", "10000", str(2**63), str(-(2**63) - 1), "1e999999", "-0", "nan", "inf",
    "true", "null", "9999-12-31", "0001-01-01", "2024-02-30", "9999-12-31T23:59:59", "0001-01-01T00:00:00+14:00",
    "1,2,,3", ",", "-", "--price", "-price,name", "\x00", "%", "_", "'", "\\", " ",
]
VALUES = st.one_of(
    st.sampled_from(EDGE_VALUES),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.datetimes(min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30)).map(
        datetime.datetime.isoformat
    ),
)


@pytest.mark.django_db
def test_every_parameter_with_every_edge_value_is_a_result_or_a_validation_error(catalog):
    for name in NAMES:
        for value in EDGE_VALUES:
            filterset = ProductFilterSet(QueryDict(urlencode({name: value})), Product.objects.all())
            if filterset.is_valid():
                list(filterset.filter_queryset())
            else:
                assert list(filterset.errors) == [name]


@pytest.mark.django_db
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=6))
def test_no_query_string_gives_a_500(catalog, query):
    response = APIClient().get("/products/?" + urlencode(query))
    assert response.status_code in (200, 400, 404), response.content  # 404: a page past the end
    if response.status_code == 400:
        assert set(response.json()) <= {name for name, _ in query}

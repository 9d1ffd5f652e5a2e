"""drf-spectacular schemas of restflow viewsets: each action's own serializers, paginator and filters."""

import pytest
from django.test import override_settings
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.validation import validate_schema
from rest_framework.routers import SimpleRouter
from rest_framework.schemas.openapi import AutoSchema as DRFAutoSchema

from restflow.schema import RestflowSchemaMixin, with_restflow
from restflow.views import AsyncModelViewSet
from tests.support.schema_urls import ProductViewSet, TaggedSchema
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductSerializer

JSON = "application/json"
PAGE_PARAMS = {"page", "page_size"}
PRICE_PARAMS = {"price", "price__gt", "price__gte", "price__lt", "price__lte"}
FILTER_PARAMS = {"search", "ordering", *PRICE_PARAMS, *(f"{name}!" for name in PRICE_PARAMS)}


def generate():
    """The schema of tests.support.schema_urls, with no drf-spectacular warning or error on the way."""
    schema = SchemaGenerator(urlconf="tests.support.schema_urls").get_schema(request=None, public=True)
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))
    return schema


@pytest.fixture(scope="module")
def schema():
    return generate()


def op(schema, path, method):
    return schema["paths"][path][method]


def request_ref(operation):
    return operation["requestBody"]["content"][JSON]["schema"]["$ref"]


def response_ref(operation, code):
    return operation["responses"][code]["content"][JSON]["schema"]["$ref"]


def param_names(operation):
    return {param["name"] for param in operation.get("parameters", [])}


def component(schema, ref):
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_the_whole_schema_is_valid_openapi(schema):
    validate_schema(schema)


def test_list_responds_with_a_page_of_its_action_serializer(schema):
    listing = op(schema, "/api/products/", "get")
    page = component(schema, response_ref(listing, "200"))
    assert response_ref(listing, "200") == "#/components/schemas/PaginatedProductListList"
    assert page["properties"]["results"]["items"]["$ref"] == "#/components/schemas/ProductList"
    assert set(page["properties"]) == {"count", "next", "previous", "results"}


def test_create_takes_its_request_serializer_and_answers_with_its_response_serializer(schema):
    create = op(schema, "/api/products/", "post")
    assert request_ref(create) == "#/components/schemas/ProductCreate"
    assert list(create["responses"]) == ["201"]
    assert response_ref(create, "201") == "#/components/schemas/Product"
    assert set(component(schema, request_ref(create))["properties"]) == {"name", "sku", "price"}


def test_actions_without_configs_use_the_class_serializer(schema):
    detail = "/api/products/{id}/"
    assert response_ref(op(schema, detail, "get"), "200") == "#/components/schemas/Product"
    assert request_ref(op(schema, detail, "put")) == "#/components/schemas/Product"
    assert request_ref(op(schema, detail, "patch")) == "#/components/schemas/PatchedProduct"
    assert list(op(schema, detail, "delete")["responses"]) == ["204"]


def test_a_custom_action_takes_its_action_config_request_serializer(schema):
    bulk = op(schema, "/api/products/bulk_archive/", "post")
    assert request_ref(bulk) == "#/components/schemas/BulkArchive"
    assert response_ref(bulk, "200") == "#/components/schemas/Product"


def test_extend_schema_on_an_action_wins_over_its_action_config(schema):
    archive = op(schema, "/api/products/{id}/archive/", "post")
    assert request_ref(archive) == "#/components/schemas/ArchiveInput"
    assert response_ref(archive, "200") == "#/components/schemas/ProductList"


def test_pagination_and_filter_parameters_are_on_list_only(schema):
    assert param_names(op(schema, "/api/products/", "get")) == PAGE_PARAMS | FILTER_PARAMS
    for path, method in [
        ("/api/products/", "post"),
        ("/api/products/{id}/", "get"),
        ("/api/products/{id}/", "put"),
        ("/api/products/bulk_archive/", "post"),
        ("/api/products/{id}/archive/", "post"),
    ]:
        assert not param_names(op(schema, path, method)) & (PAGE_PARAMS | FILTER_PARAMS), (path, method)


def test_an_action_config_paginator_is_the_one_documented(schema):
    listing = op(schema, "/api/list-paged/", "get")
    assert param_names(listing) == {"limit", "offset"}
    assert response_ref(listing, "200") == "#/components/schemas/PaginatedProductList"
    assert component(schema, response_ref(listing, "200"))["properties"]["results"]["items"]["$ref"] == (
        "#/components/schemas/Product"
    )
    retrieve = op(schema, "/api/list-paged/{id}/", "get")
    assert response_ref(retrieve, "200") == "#/components/schemas/Product"


def test_extend_schema_on_the_viewset_class_keeps_the_action_serializers(schema):
    create = op(schema, "/api/tagged/", "post")
    assert create["tags"] == ["catalog"]
    assert request_ref(create) == "#/components/schemas/ProductCreate"
    assert response_ref(create, "201") == "#/components/schemas/Product"


def test_the_sync_twin_documents_the_same_serializers(schema):
    create = op(schema, "/api/sync-products/", "post")
    listing = op(schema, "/api/sync-products/", "get")
    assert response_ref(listing, "200") == "#/components/schemas/PaginatedProductListList"
    assert param_names(listing) == PAGE_PARAMS | {"search", "ordering"}
    assert request_ref(create) == "#/components/schemas/ProductCreate"
    assert response_ref(create, "201") == "#/components/schemas/Product"


def test_a_project_schema_subclass_keeps_its_overrides_and_gains_the_action_serializers():
    settings = {"DEFAULT_SCHEMA_CLASS": "tests.support.schema_urls.TaggedSchema", "TEST_REQUEST_DEFAULT_FORMAT": "json"}
    with override_settings(REST_FRAMEWORK=settings):
        schema = generate()
        view_schema = ProductViewSet.schema
    validate_schema(schema)
    create = op(schema, "/api/products/", "post")
    archive = op(schema, "/api/products/{id}/archive/", "post")
    assert create["tags"] == archive["tags"] == ["tagged"]
    assert request_ref(create) == "#/components/schemas/ProductCreate"
    assert request_ref(archive) == "#/components/schemas/ArchiveInput"
    assert type(view_schema).__mro__[1:4] == (TaggedSchema, RestflowSchemaMixin, AutoSchema)


def test_with_restflow_leaves_other_schema_classes_alone():
    class Ready(RestflowSchemaMixin, AutoSchema):
        pass

    assert with_restflow(DRFAutoSchema) is DRFAutoSchema
    assert with_restflow(Ready) is Ready
    assert with_restflow(AutoSchema).__mro__[1:3] == (RestflowSchemaMixin, AutoSchema)


def test_a_schema_set_on_a_view_instance_wins():
    view = ProductViewSet()
    own = TaggedSchema()
    view.schema = own
    assert view.schema is own
    assert own.view is view
    other = ProductViewSet()
    assert isinstance(other.schema, RestflowSchemaMixin)
    assert other.schema.view is other


def test_a_failing_serializer_getter_is_reported_and_the_rest_still_documented():
    class BrokenRequestViewSet(AsyncModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductSerializer

        def get_request_serializer_class(self):
            raise LookupError("no request serializer today")

    router = SimpleRouter()
    router.register("broken", BrokenRequestViewSet, basename="broken")
    schema = SchemaGenerator(patterns=router.urls).get_schema(request=None, public=True)
    assert any("no request serializer today" in message for message in GENERATOR_STATS._error_cache)
    create = op(schema, "/broken/", "post")
    # The body falls back to the view's default serializer (serializer_class), as when the getter returns None.
    assert create["requestBody"]["content"][JSON]["schema"] == {"$ref": "#/components/schemas/Product"}
    assert response_ref(create, "201") == "#/components/schemas/Product"


def test_a_viewset_with_an_async_get_queryset_is_documented_without_warnings():
    """An ``async def get_queryset`` is awaited for the schema: the model is found, the id typed, nothing left un-awaited."""
    import gc
    import warnings

    class AsyncQueryset(AsyncModelViewSet):
        serializer_class = ProductSerializer

        async def get_queryset(self):
            return Product.objects.filter(in_stock=True)

    router = SimpleRouter()
    router.register("async-products", AsyncQueryset, basename="async-products")
    GENERATOR_STATS.reset()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        schema = SchemaGenerator(patterns=router.urls).get_schema(request=None, public=True)
        gc.collect()
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache)
    assert not [w for w in caught if "never awaited" in str(w.message)]
    detail = op(schema, "/async-products/{id}/", "get")
    [path_id] = [p for p in detail["parameters"] if p["name"] == "id"]
    assert path_id["schema"]["type"] == "integer"

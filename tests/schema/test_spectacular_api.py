"""Conformance with restflow's drf-spectacular guide (guide/spectacular/index.md, api/spectacular/index.md).

The schema of this module's ``urlpatterns`` is generated with ``DEFAULT_SCHEMA_CLASS`` set to each
documented spelling of ``RestflowAutoSchema``.
"""

import importlib

import pytest
from django.test import override_settings
from django.urls import path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.validation import validate_schema
from rest_framework import generics, serializers
from rest_framework.decorators import action
from rest_framework.routers import SimpleRouter

from restflow.pagination import FastPageNumberPagination, PageNumberPagination
from restflow.views import ActionConfig, AsyncAPIView, AsyncCreateAPIView, AsyncListAPIView, AsyncModelViewSet
from tests.support.testapp.models import Product

JSON = "application/json"
SPELLINGS = ["restflow.spectacular.RestflowAutoSchema", "restflow.spectacular.spectacular.RestflowAutoSchema"]


class ProductReadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "price"]


class ProductWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["name", "sku", "price"]


class ProductListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name"]


class ProductCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["name", "sku"]


class ImportPayloadSerializer(serializers.Serializer):
    rows = serializers.ListField(child=serializers.CharField())


class TokenRefreshRequestSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class TokenResponseSerializer(serializers.Serializer):
    access = serializers.CharField()


class TwoPerPage(PageNumberPagination):
    page_size = 2


class SplitViewSet(AsyncModelViewSet):
    """"Request and response serializer split": no serializer_class at all."""

    queryset = Product.objects.all()
    request_serializer_class = ProductWriteSerializer
    response_serializer_class = ProductReadSerializer


class PerActionViewSet(AsyncModelViewSet):
    """"Request and response serializer split": per-action overrides through ActionConfig."""

    queryset = Product.objects.all()
    serializer_class = ProductReadSerializer
    request_serializer_class = ProductWriteSerializer
    pagination_class = TwoPerPage

    action_configs = {
        "list": ActionConfig(
            response_serializer_class=ProductListSerializer,
            pagination_class=FastPageNumberPagination,
        ),
        "create": ActionConfig(request_serializer_class=ProductCreateSerializer),
    }

    @action(detail=False, methods=["post"], serializer_class=ImportPayloadSerializer)
    async def bulk_import(self, request):
        return await self.aserialized_response({"ok": True})


class TokenRefreshView(AsyncAPIView):
    """"Plain APIView support"."""

    request_serializer_class = TokenRefreshRequestSerializer
    response_serializer_class = TokenResponseSerializer

    async def post(self, request):
        ser = await self.avalidated_serializer()
        return await self.aserialized_response({"access": ser.validated_data["refresh"]})


class PagedPlainView(AsyncAPIView):
    """"List vs detail detection": a plain GET view with a pagination class lists."""

    serializer_class = ProductReadSerializer
    pagination_class = TwoPerPage

    async def get(self, request):
        return await self.apaginated_response(Product.objects.all())


class CreateOnly(AsyncCreateAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductWriteSerializer


class PlainList(AsyncListAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductReadSerializer
    pagination_class = None


class DRFListView(generics.ListAPIView):
    """A plain DRF view: RestflowAutoSchema falls back to drf-spectacular's rules."""

    queryset = Product.objects.all()
    serializer_class = ProductReadSerializer


router = SimpleRouter()
router.register("split", SplitViewSet, basename="split")
router.register("per-action", PerActionViewSet, basename="per-action")

urlpatterns = [
    path("token/refresh/", TokenRefreshView.as_view()),
    path("paged-plain/", PagedPlainView.as_view()),
    path("create-only/", CreateOnly.as_view()),
    path("plain-list/", PlainList.as_view()),
    path("drf-list/", DRFListView.as_view()),
    *router.urls,
]


def generate(schema_class):
    GENERATOR_STATS.reset()
    with override_settings(REST_FRAMEWORK={"DEFAULT_SCHEMA_CLASS": schema_class}):
        schema = SchemaGenerator(urlconf="tests.schema.test_spectacular_api").get_schema(request=None, public=True)
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))
    validate_schema(schema)
    return schema


@pytest.fixture(scope="module", params=SPELLINGS)
def schema(request):
    return generate(request.param)


def op(schema, url, method):
    return schema["paths"][url][method]


def ref_name(ref):
    return ref.rsplit("/", 1)[1]


def request_name(operation):
    return ref_name(operation["requestBody"]["content"][JSON]["schema"]["$ref"])


def response_schema(operation, code):
    return operation["responses"][code]["content"][JSON]["schema"]


def component(schema, name):
    return schema["components"]["schemas"][name]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_documented_schema_class_paths(spelling):
    """guide/spectacular, "Install and setup": both documented DEFAULT_SCHEMA_CLASS paths import an AutoSchema."""
    module, _, name = spelling.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, AutoSchema) and cls.__name__ == "RestflowAutoSchema"


def test_request_and_response_split(schema):
    """guide/spectacular, "Request and response serializer split": write shape in, read shape out."""
    assert request_name(op(schema, "/split/", "post")) == "ProductWrite"
    assert ref_name(response_schema(op(schema, "/split/", "post"), "201")["$ref"]) == "ProductRead"
    assert request_name(op(schema, "/split/{id}/", "patch")) == "PatchedProductWrite"
    assert ref_name(response_schema(op(schema, "/split/{id}/", "get"), "200")["$ref"]) == "ProductRead"


def test_per_action_overrides_and_fast_envelope(schema):
    """guide/spectacular, "Request and response serializer split" and "Pagination in the schema":
    the list uses ProductListSerializer in a FastPageNumberPagination envelope without count."""
    listing = response_schema(op(schema, "/per-action/", "get"), "200")
    page = component(schema, ref_name(listing["$ref"]))
    assert set(page["properties"]) == {"next", "previous", "results"} and "count" not in page.get("required", [])
    assert ref_name(page["properties"]["results"]["items"]["$ref"]) == "ProductList"
    create = op(schema, "/per-action/", "post")
    assert request_name(create) == "ProductCreate"
    assert ref_name(response_schema(create, "201")["$ref"]) == "ProductRead"
    assert request_name(op(schema, "/per-action/{id}/", "put")) == "ProductWrite"


def test_custom_action_serializer(schema):
    """guide/spectacular, "Custom action endpoints": @action(serializer_class=...) wins through the chain."""
    assert request_name(op(schema, "/per-action/bulk_import/", "post")) == "ImportPayload"


def test_plain_apiview_support(schema):
    """guide/spectacular, "Plain APIView support": request and response classes on an AsyncAPIView."""
    refresh = op(schema, "/token/refresh/", "post")
    assert request_name(refresh) == "TokenRefreshRequest"
    assert ref_name(response_schema(refresh, "200")["$ref"]) == "TokenResponse"


def test_list_vs_detail_detection(schema):
    """guide/spectacular, "List vs detail detection": GET + pagination class + no lookup in the path lists."""
    paged = component(schema, ref_name(response_schema(op(schema, "/paged-plain/", "get"), "200")["$ref"]))
    assert {"count", "results"} <= set(paged["properties"])
    plain = response_schema(op(schema, "/plain-list/", "get"), "200")
    assert plain["type"] == "array"
    assert list(op(schema, "/create-only/", "post")["responses"]) == ["201"]


def test_plain_drf_views_keep_drf_spectaculars_rules(schema):
    """guide/spectacular, "Features": views without restflow's getters are drf-spectacular's defaults."""
    assert response_schema(op(schema, "/drf-list/", "get"), "200")["type"] == "array"


def test_hooks_are_overridable():
    """guide/spectacular, "Customising further": the resolution hooks exist for subclasses."""
    from restflow.spectacular import RestflowAutoSchema

    for hook in ("get_request_serializer", "get_response_serializers", "restflow_action_config",
                 "restflow_serializer_class", "resolved_pagination_class"):
        assert callable(getattr(RestflowAutoSchema, hook)), hook

    class Narrow(RestflowAutoSchema):
        def resolved_pagination_class(self):
            return None

    GENERATOR_STATS.reset()
    with override_settings(REST_FRAMEWORK={"DEFAULT_SCHEMA_CLASS": Narrow}):
        schema = SchemaGenerator(urlconf="tests.schema.test_spectacular_api").get_schema(request=None, public=True)
    assert response_schema(op(schema, "/per-action/", "get"), "200")["type"] == "array"


def test_import_error_names_the_install_command():
    """guide/spectacular, "Common pitfalls": without drf-spectacular, importing restflow.spectacular says how to fix it."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['drf_spectacular'] = None; sys.modules['drf_spectacular.openapi'] = None\n"
        "try:\n    import restflow.spectacular\nexcept ImportError as exc:\n    print(exc)\n"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "pip install drf-spectacular" in result.stdout, result.stderr

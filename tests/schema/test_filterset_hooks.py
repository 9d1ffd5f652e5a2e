"""restflow.spectacular's FilterSet helpers: the postprocessing hook and the parameter builders."""

import logging

from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from rest_framework import generics

from restflow.spectacular import add_filterset_parameters, build_filterset_parameters, resolve_filterset_class
from tests.support.filters_urls import ProductFilterSet, ProductSerializer
from tests.support.testapp.models import Product


class PlainSchemaList(generics.ListAPIView):
    """drf-spectacular's own AutoSchema and no filter backend: only the hook documents the FilterSet."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    schema = AutoSchema()


class Unfiltered(generics.ListAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    schema = AutoSchema()


def schema_of(view, hook=True):
    generator = SchemaGenerator(patterns=[path("products/", view.as_view())])
    schema = generator.get_schema(request=None, public=True)
    return add_filterset_parameters(schema, generator) if hook else schema


def names(schema):
    return [parameter["name"] for parameter in schema["paths"]["/products/"]["get"].get("parameters", [])]


def test_the_hook_adds_every_filterset_parameter_once():
    assert "price__gte" not in names(schema_of(PlainSchemaList, hook=False))
    schema = schema_of(PlainSchemaList)
    expected = [param.name for param in ProductFilterSet.parameters()]
    assert [name for name in names(schema) if name in expected] == expected
    again = names(add_filterset_parameters(schema, _generator(PlainSchemaList)))
    assert again.count("price__gte") == 1


def _generator(view):
    generator = SchemaGenerator(patterns=[path("products/", view.as_view())])
    generator.get_schema(request=None, public=True)
    return generator


def test_the_hook_leaves_views_without_a_filterset_alone():
    assert names(schema_of(Unfiltered)) == names(schema_of(Unfiltered, hook=False))


def test_build_filterset_parameters_describes_each_parameter():
    parameters = {parameter["name"]: parameter for parameter in build_filterset_parameters(ProductFilterSet)}
    assert parameters["price__gte"]["in"] == "query"
    assert parameters["price__gte"]["schema"]["type"] == "integer"
    assert parameters["ids"]["schema"]["type"] == "array"
    assert build_filterset_parameters(object) == []


def test_resolve_filterset_class_prefers_the_getter_then_the_attributes(caplog):
    class Getter:
        filterset_class = None

        def get_filterset_class(self):
            return ProductFilterSet

    class Broken:
        filterset_class = ProductFilterSet

        def get_filterset_class(self):
            raise RuntimeError("boom")

    assert resolve_filterset_class(Getter()) is ProductFilterSet
    with caplog.at_level(logging.WARNING, logger="restflow.spectacular"):
        assert resolve_filterset_class(Broken()) is ProductFilterSet
    assert "get_filterset_class() raised" in caplog.text
    assert resolve_filterset_class(object()) is None

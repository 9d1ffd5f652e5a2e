"""Whole create requests: restflow's viewset answers and writes as DRF's does, byte for byte.

The same generated JSON bodies (valid and invalid: missing, blank, too long, wrong
type, None, unicode, huge integers, unique clashes) are POSTed to a DRF ModelViewSet
and to restflow's AsyncModelViewSet over one plain ModelSerializer; each request's
writes are rolled back. Status, response bytes (the new row's id and creation time
aside) and the rows in the table must be the same.
"""

import json
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import include, path
from hypothesis import assume, given
from hypothesis import strategies as st
from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from restflow.views import AsyncModelViewSet
from tests.serializers.test_validation_plan import CATEGORY, PRODUCT_DATA, hypothesis_settings
from tests.support.testapp.models import Category, Product

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku", "price", "rating", "in_stock", "status", "category", "created"]


class DRFProducts(viewsets.ModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    authentication_classes = []
    permission_classes = []


class RestflowProducts(AsyncModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    authentication_classes = []
    permission_classes = []


drf_router, restflow_router = DefaultRouter(), DefaultRouter()
drf_router.register("products", DRFProducts, basename="drf-product")
restflow_router.register("products", RestflowProducts, basename="restflow-product")
urlpatterns = [path("drf/", include(drf_router.urls)), path("restflow/", include(restflow_router.urls))]

@pytest.fixture
def product():
    category = Category.objects.create(name="tools")
    Product.objects.create(name="Other", sku="taken", price=1)
    return Product.objects.create(name="Hammer", sku="hammer", price=5, category=category)


NEW_ROW = re.compile(rb'"id":\d+|"created":"[^"]*"')


def _outcome(side, body):
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        response = client.post(f"/{side}/products/", body, content_type="application/json")
        rows = list(Product.objects.order_by("pk").values())
        transaction.set_rollback(True)
    content = response.content if response.status_code != 500 else b""  # the server error page
    for row in rows:
        for key in ("id", "created", "updated"):
            row.pop(key)
    return response.status_code, NEW_ROW.sub(b"_", content), rows


VALID_DATA = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=30).filter(str.strip), "sku": st.one_of(st.uuids().map(str), st.uuids().map(str), st.just("hammer"))},
    optional={
        "price": st.integers(-(2**31), 2**31 - 1),
        "rating": st.sampled_from(["1.25", "99.99", 3, "0"]),
        "in_stock": st.booleans(),
        "status": st.sampled_from(["draft", "active", "archived"]),
        "category": st.sampled_from([CATEGORY, None]),
    },
)


@hypothesis_settings
@given(data=st.one_of(VALID_DATA, PRODUCT_DATA), body_case=st.sampled_from(["dict"] * 8 + ["list", "junk"]))
def test_create_requests_answer_and_write_as_drf(product, data, body_case):
    if data.get("category") == CATEGORY:
        data["category"] = product.category_id
    try:
        body = json.dumps({"dict": data, "list": [data], "junk": "text"}[body_case])
    except (TypeError, ValueError):  # a Decimal, or an integer too long for json to write
        assume(False)
    assert _outcome("restflow", body) == _outcome("drf", body)


def test_a_clean_create_is_201_with_drfs_body(product):
    body = json.dumps({"name": " New ", "sku": "new", "price": 3, "status": "draft", "category": product.category_id})
    ours, drf = _outcome("restflow", body), _outcome("drf", body)
    assert ours == drf and ours[0] == 201
    clash = json.dumps({"name": "x", "sku": "hammer"})
    assert _outcome("restflow", clash) == _outcome("drf", clash)
    assert _outcome("drf", clash)[0] == 400

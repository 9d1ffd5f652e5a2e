"""DRF's bulk-create recipe (get_serializer sets many=True for a list body) answers as in DRF."""

import pytest
from asgiref.sync import sync_to_async
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory

from restflow import views as restflow_views
from restflow.views import AsyncModelViewSet
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductCreateSerializer, ProductListSerializer, ProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)


class Body:
    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    permission_classes = [AllowAny]

    def get_serializer(self, *args, **kwargs):
        if isinstance(kwargs.get("data", {}), list):
            kwargs["many"] = True
        return super().get_serializer(*args, **kwargs)


class Drf(Body, viewsets.ModelViewSet):
    pass


class Ours(Body, AsyncModelViewSet):
    pass


class OursSync(Body, restflow_views.ModelViewSet):
    pass


class Split(Body, AsyncModelViewSet):
    """restflow's request/response split: a list body is validated by one class, answered by another."""

    request_serializer_class = ProductCreateSerializer
    response_serializer_class = ProductListSerializer


def post(rows):
    return APIRequestFactory().post("/", rows, format="json")


async def test_bulk_create_through_a_get_serializer_override():
    drf = await sync_to_async(Drf.as_view({"post": "create"}))(post([{"name": "a", "sku": "a"}, {"name": "b", "sku": "b"}]))
    ours = await Ours.as_view({"post": "create"})(post([{"name": "c", "sku": "c"}, {"name": "d", "sku": "d"}]))
    assert drf.status_code == 201 and [row["name"] for row in drf.data] == ["a", "b"]
    assert ours.status_code == 201 and [row["name"] for row in ours.data] == ["c", "d"]
    assert [{**row, "id": None, "name": None, "sku": None} for row in ours.data] == [
        {**row, "id": None, "name": None, "sku": None} for row in drf.data
    ]
    assert await Product.objects.filter(sku__in=["c", "d"]).acount() == 2


async def test_bulk_create_on_restflows_sync_viewset():
    ours = await sync_to_async(OursSync.as_view({"post": "create"}))(post([{"name": "e", "sku": "e"}]))
    assert ours.status_code == 201 and [row["name"] for row in ours.data] == ["e"]


async def test_bulk_create_answers_through_the_response_serializer():
    response = await Split.as_view({"post": "create"})(post([{"name": "f", "sku": "f", "price": 3}]))
    assert response.status_code == 201
    assert [set(row) for row in response.data] == [{"id", "name", "price"}]
    assert response.data[0]["price"] == 3


async def test_one_object_still_answers_as_one():
    response = await Ours.as_view({"post": "create"})(post({"name": "g", "sku": "g"}))
    assert response.status_code == 201 and response.data["sku"] == "g"

"""restflow's sync viewsets: split request/response serializers without ``serializer_class``, and the helpers."""

import pytest
from django.test import Client
from django.urls import include, path
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from restflow.views import ModelViewSet
from tests.support.testapp.models import Product

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.viewsets.test_sync_viewset_helpers")]


class ProductWrite(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["name", "sku"]


class ProductRead(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "name", "label"]

    def get_label(self, product):
        return f"#{product.pk}"


class Products(ModelViewSet):
    queryset = Product.objects.order_by("id")
    request_serializer_class = ProductWrite
    response_serializer_class = ProductRead
    permission_classes = [AllowAny]

    @action(detail=True, methods=["get"])
    def card(self, request, pk=None):
        return self.serialized_response(self.get_object())


router = DefaultRouter()
router.register("products", Products, basename="sync-products")
urlpatterns = [path("", include(router.urls))]


def test_create_validates_with_the_request_serializer_and_answers_with_the_response_one():
    response = Client().post("/products/", {"name": "Anvil", "sku": "A1"}, content_type="application/json")
    assert response.status_code == 201
    product = Product.objects.get()
    assert response.json() == {"id": product.pk, "name": "Anvil", "label": f"#{product.pk}"}


def test_list_and_retrieve_use_the_response_serializer():
    product = Product.objects.create(name="Ball", sku="B1")
    assert Client().get("/products/").json() == [{"id": product.pk, "name": "Ball", "label": f"#{product.pk}"}]
    assert Client().get(f"/products/{product.pk}/").json()["label"] == f"#{product.pk}"


def test_serialized_response_on_a_sync_viewset_action():
    product = Product.objects.create(name="Crane", sku="C1")
    assert Client().get(f"/products/{product.pk}/card/").json() == {
        "id": product.pk, "name": "Crane", "label": f"#{product.pk}",
    }

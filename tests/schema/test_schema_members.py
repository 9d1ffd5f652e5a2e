"""RestflowAutoSchema: should_paginate, and the default serializer when a view's getter gives none."""

from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from restflow.pagination import PageNumberPagination
from restflow.spectacular import RestflowAutoSchema
from restflow.views import AsyncGenericAPIView, AsyncListAPIView
from tests.support.testapp.models import Product


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name"]


class Pages(PageNumberPagination):
    page_size = 5


class Listing(AsyncListAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = Pages


class NoRequestSerializer(AsyncGenericAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer

    def get_request_serializer_class(self):
        return None

    async def post(self, request):
        return None


def operation(view, route, method):
    generator = SchemaGenerator(patterns=[path(route, view.as_view())])
    schema = generator.get_schema(request=None, public=True)
    return schema["paths"]["/" + route.replace("<int:pk>", "{pk}")][method]


def test_should_paginate_is_true_for_a_paginated_listing_only():
    schema = RestflowAutoSchema()
    schema.view, schema.path, schema.path_regex = Listing(), "/products/", "^products/$"
    schema.method = "GET"
    assert schema.should_paginate() is True
    schema.method = "POST"
    assert schema.should_paginate() is False
    paged = operation(Listing, "products/", "get")["responses"]["200"]["content"]["application/json"]["schema"]
    assert paged == {"$ref": "#/components/schemas/PaginatedProductList"}


def test_a_request_serializer_getter_giving_none_documents_the_default_serializer():
    body = operation(NoRequestSerializer, "products/", "post")["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Product"}

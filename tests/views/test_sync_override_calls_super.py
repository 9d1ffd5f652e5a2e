"""DRF code that overrides an action and post-processes ``super()``'s answer keeps working."""

import pytest
from asgiref.sync import sync_to_async
from django.views.decorators.cache import cache_page
from django.utils.decorators import method_decorator
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory

from restflow import views as restflow_views
from restflow.views import AsyncModelViewSet
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductListSerializer, ProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)


class Body:
    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    permission_classes = [AllowAny]

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response["X-Count"] = str(len(response.data))
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["X-Name"] = response.data["name"]
        return response

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response["X-Created"] = response.data["sku"]
        return response

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response["X-Updated"] = response.data["name"]
        return response

    def partial_update(self, request, *args, **kwargs):
        response = super().partial_update(request, *args, **kwargs)
        response["X-Patched"] = response.data["name"]
        return response

    def destroy(self, request, *args, **kwargs):
        response = super().destroy(request, *args, **kwargs)
        response["X-Destroyed"] = "yes"
        return response


class Drf(Body, viewsets.ModelViewSet):
    pass


class Ours(Body, AsyncModelViewSet):
    pass


async def test_sync_list_override_post_processing_supers_response():
    await Product.objects.acreate(name="a", sku="a")
    drf = await sync_to_async(Drf.as_view({"get": "list"}))(APIRequestFactory().get("/"))
    ours = await Ours.as_view({"get": "list"})(APIRequestFactory().get("/"))
    assert drf.status_code == 200 and drf["X-Count"] == "1"
    assert (ours.status_code, ours.get("X-Count"), ours.data) == (200, "1", drf.data)


@pytest.mark.parametrize(
    "method, action, data, header, status",
    [
        ("get", "retrieve", None, "X-Name", 200),
        ("put", "update", {"name": "new"}, "X-Updated", 200),
        ("patch", "partial_update", {"name": "new"}, "X-Patched", 200),
        ("delete", "destroy", None, "X-Destroyed", 204),
    ],
)
async def test_sync_object_action_overrides_post_processing_supers_response(method, action, data, header, status):
    factory = APIRequestFactory()
    answers = []
    for view, sku in ((Drf, "d"), (Ours, "o")):
        row = await Product.objects.acreate(name="a", sku=sku)
        body = None if data is None else {**data, "sku": sku} if method == "put" else data
        request = getattr(factory, method)("/", body, format="json")
        handler = view.as_view({method: action})
        if view is Drf:
            response = await sync_to_async(handler)(request, pk=row.pk)
        else:
            response = await handler(request, pk=row.pk)
        answers.append((response.status_code, response.get(header), response.data))
    drf, ours = answers
    assert drf[:2] == ours[:2] and drf[0] == status and drf[1] is not None
    if status == 200:
        assert {**drf[2], "id": None, "sku": None} == {**ours[2], "id": None, "sku": None}


async def test_sync_create_override_post_processing_supers_response():
    ours = await Ours.as_view({"post": "create"})(APIRequestFactory().post("/", {"name": "a", "sku": "s"}, format="json"))
    assert (ours.status_code, ours.get("X-Created")) == (201, "s")


class Cached(AsyncModelViewSet):
    """DRF's documented per-view caching of a sync list that calls ``super().list()``."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductListSerializer
    permission_classes = [AllowAny]

    @method_decorator(cache_page(60))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


async def test_cache_page_on_a_sync_list_calling_super(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "trial"}}
    await Product.objects.acreate(name="a", sku="a")
    view = Cached.as_view({"get": "list"})
    first = await view(APIRequestFactory().get("/cached/"))
    await Product.objects.acreate(name="b", sku="b")
    second = await view(APIRequestFactory().get("/cached/"))
    assert first.status_code == second.status_code == 200
    assert [row["name"] for row in first.data] == ["a"]
    assert second.content == first.content  # the cached page, as DRF's would be


class Lean(restflow_views.ModelViewSet):
    """restflow's sync ModelViewSet with DRF's get_serializer override (a shorter list shape)."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    permission_classes = [AllowAny]

    def get_serializer(self, *args, **kwargs):
        if self.action == "list":
            return ProductListSerializer(*args, context=self.get_serializer_context(), **kwargs)
        return super().get_serializer(*args, **kwargs)


async def test_sync_viewset_list_uses_get_serializer_override():
    row = await Product.objects.acreate(name="a", sku="a")
    response = await sync_to_async(Lean.as_view({"get": "list"}))(APIRequestFactory().get("/"))
    assert response.status_code == 200
    assert set(response.data[0]) == {"id", "name", "price"}
    detail = await sync_to_async(Lean.as_view({"get": "retrieve"}))(APIRequestFactory().get("/"), pk=row.pk)
    assert set(detail.data) == set(ProductSerializer.Meta.fields)


class UpdateOnly(AsyncModelViewSet):
    """Only DRF's ``update`` overridden: a PATCH reaches it through ``partial_update``, as in DRF."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    permission_classes = [AllowAny]

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response["X-Partial"] = str(kwargs.get("partial", False))
        return response


async def test_patch_reaches_a_sync_update_override():
    row = await Product.objects.acreate(name="a", sku="a")
    response = await UpdateOnly.as_view({"patch": "partial_update"})(
        APIRequestFactory().patch("/", {"name": "new"}, format="json"), pk=row.pk
    )
    assert (response.status_code, response.get("X-Partial"), response.data["name"]) == (200, "True", "new")

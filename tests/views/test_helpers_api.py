"""Conformance with restflow's views docs (guide/views/*.md, api/views/*.md), section by section.

Each test names the page and section it shows. Views are served through this module's own
``urlpatterns`` and driven with the async client; PostFetch is also called directly.
"""

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext
from django.urls import path
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from restflow.pagination import FastPageNumberPagination, PageNumberPagination
from restflow.views import (
    ActionConfig,
    APIView,
    AsyncAPIView,
    AsyncCreateAPIView,
    AsyncCreateModelMixin,
    AsyncDestroyAPIView,
    AsyncDestroyModelMixin,
    AsyncGenericAPIView,
    AsyncGenericViewSet,
    AsyncListAPIView,
    AsyncListModelMixin,
    AsyncModelViewSet,
    AsyncRetrieveModelMixin,
    AsyncUpdateAPIView,
    AsyncViewSet,
    CreateModelMixin,
    DestroyModelMixin,
    ListModelMixin,
    PostFetch,
    RetrieveModelMixin,
    UpdateModelMixin,
)
from tests.support.testapp.models import Product, Review

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.views.test_helpers_api")]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku", "price", "is_archived"]


class ProductWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["name", "sku", "price"]


class ProductReadSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "label"]

    def get_label(self, obj):
        return f"{obj.name} ({obj.sku})"


class ProductReviewSerializer(serializers.ModelSerializer):
    latest_review = serializers.DictField(allow_null=True)

    class Meta:
        model = Product
        fields = ["id", "name", "latest_review"]


class TwoPerPage(PageNumberPagination):
    page_size = 2


class FastTwoPerPage(FastPageNumberPagination):
    page_size = 2


async def seed(count=3):
    return [await Product.objects.acreate(name=f"p{i}", sku=f"s{i}", price=i * 10) for i in range(1, count + 1)]


# --- guide/views/index.md ----------------------------------------------------------------------


class TopProductsView(AsyncAPIView):
    """index.md "Helper methods": the short AsyncAPIView example."""

    serializer_class = ProductSerializer
    pagination_class = TwoPerPage

    async def get(self, request):
        qs = Product.objects.filter(price__gte=10).order_by("id")
        return await self.apaginated_response(qs)

    async def post(self, request):
        ser = await self.avalidated_serializer()
        product = await sync_to_async(ser.save)()
        return await self.aserialized_response(product, status=201)


class SplitView(AsyncAPIView):
    """index.md "The serializer split": request and response serializer classes."""

    request_serializer_class = ProductWriteSerializer
    response_serializer_class = ProductReadSerializer

    async def post(self, request):
        ser = await self.avalidated_serializer()
        product = await sync_to_async(ser.save)()
        return await self.aserialized_response(product, status=201)


async def test_index_helper_methods_async_example(client):
    """guide/views/index.md, "Helper methods": apaginated_response and avalidated_serializer on AsyncAPIView."""
    await seed(3)
    page = (await client.get("/index/top/")).json()
    assert page["count"] == 3 and [row["name"] for row in page["results"]] == ["p1", "p2"]
    created = await client.post("/index/top/", {"name": "n", "sku": "new", "price": 5})
    assert created.status_code == 201 and created.json()["sku"] == "new"
    assert (await client.post("/index/top/", {"name": "n"})).status_code == 400


async def test_index_serializer_split(client):
    """guide/views/index.md, "The serializer split": input through request_serializer_class, output through response."""
    response = await client.post("/index/split/", {"name": "Phone", "sku": "ph", "price": 3})
    assert response.status_code == 201
    assert response.json() == {"id": response.json()["id"], "label": "Phone (ph)"}


async def test_index_serializer_split_getter_defaults():
    """guide/views/index.md, "The serializer split": both fall back to serializer_class."""

    class Both(AsyncAPIView):
        serializer_class = ProductSerializer

    view = Both()
    assert view.get_request_serializer_class() is ProductSerializer
    assert view.get_response_serializer_class() is ProductSerializer
    assert SplitView().get_serializer_class() is None
    assert SplitView().get_request_serializer_class() is ProductWriteSerializer
    assert SplitView().get_response_serializer_class() is ProductReadSerializer


# --- guide/views/apiview.md --------------------------------------------------------------------


class SyncUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class SyncUserView(APIView):
    """apiview.md "APIView": the sync example, served by DRF's sync dispatch."""

    serializer_class = SyncUserSerializer
    pagination_class = TwoPerPage

    def get(self, request):
        return self.paginated_response(User.objects.order_by("id"))

    def post(self, request):
        ser = self.validated_serializer()
        user = ser.save()
        return self.serialized_response(user, status=201)


class AsyncUserView(AsyncAPIView):
    """apiview.md "AsyncAPIView": the async example."""

    serializer_class = SyncUserSerializer
    pagination_class = TwoPerPage

    async def get(self, request):
        qs = User.objects.order_by("id")
        return await self.apaginated_response(qs)

    async def post(self, request):
        ser = await self.avalidated_serializer()
        user = await sync_to_async(ser.save)()
        return await self.aserialized_response(user, status=201)


@pytest.mark.parametrize("url", ["/apiview/sync-users/", "/apiview/async-users/"])
async def test_apiview_sync_and_async_examples(client, url):
    """guide/views/apiview.md, "APIView" and "AsyncAPIView": the same helpers, sync and async."""
    for name in ("a", "b", "c"):
        assert (await client.post(url, {"username": name})).status_code == 201
    page = (await client.get(url)).json()
    assert page["count"] == 3 and [row["username"] for row in page["results"]] == ["a", "b"]
    assert (await client.post(url, {"username": ""})).status_code == 400


def test_apiview_is_sync_and_asyncapiview_is_async():
    """guide/views/apiview.md, "AsyncAPIView": view_is_async; the sync APIView keeps DRF's dispatch."""
    assert AsyncAPIView.view_is_async is True
    assert APIView.view_is_async is False
    for name in ("get_context", "get_serializer_class", "get_request_serializer_class",
                 "get_response_serializer_class", "get_pagination_class", "get_serializer",
                 "validated_serializer", "serialized_response", "paginated_response"):
        assert callable(getattr(APIView, name)) and callable(getattr(AsyncAPIView, name)), name
    for name in ("avalidated_serializer", "aserialized_response", "apaginated_response"):
        assert callable(getattr(AsyncAPIView, name)), name


class PartlyAsyncView(AsyncAPIView):
    """apiview.md "AsyncAPIView": the sync helpers remain available on the async view."""

    async def get(self, request):
        return self.serialized_response({"sync": True})


async def test_apiview_sync_helpers_on_async_view(client):
    """guide/views/apiview.md, "AsyncAPIView": a partially async view calls self.serialized_response(...)."""
    assert (await client.get("/apiview/partly/")).json() == {"sync": True}


class ContextView(AsyncAPIView):
    """apiview.md "get_context": an override injects extra context."""

    class Echo(serializers.Serializer):
        organization = serializers.SerializerMethodField()
        has_request = serializers.SerializerMethodField()

        def get_organization(self, obj):
            return self.context["organization"]

        def get_has_request(self, obj):
            return self.context["request"] is not None and self.context["view"] is not None

    serializer_class = Echo

    def get_context(self):
        ctx = super().get_context()
        ctx["organization"] = "acme"
        return ctx

    async def get(self, request):
        return await self.aserialized_response(object())


async def test_apiview_get_context(client):
    """guide/views/apiview.md, "get_context": defaults hold request and view; an override adds to it."""
    assert (await client.get("/apiview/context/")).json() == {"organization": "acme", "has_request": True}


class DirectionView(AsyncAPIView):
    serializer_class = ProductSerializer
    request_serializer_class = ProductWriteSerializer
    response_serializer_class = ProductReadSerializer

    async def get(self, request):
        picked = {
            str(direction): type(self.get_serializer(direction=direction)).__name__
            for direction in (None, "request", "response")
        }
        picked["explicit"] = type(self.get_serializer(serializer_class=SyncUserSerializer)).__name__
        return Response(picked)


async def test_apiview_get_serializer_direction(client):
    """guide/views/apiview.md, "get_serializer_class / ..." and "get_serializer": direction= picks the getter."""
    assert (await client.get("/apiview/direction/")).json() == {
        "None": "ProductSerializer",
        "request": "ProductWriteSerializer",
        "response": "ProductReadSerializer",
        "explicit": "SyncUserSerializer",
    }


def test_apiview_get_serializer_rejects_unknown_direction_and_missing_class():
    """guide/views/apiview.md, "get_serializer": a wrong direction or no serializer fails loudly."""
    from django.core.exceptions import ImproperlyConfigured

    view = DirectionView()
    view.request, view.format_kwarg = None, None
    with pytest.raises(ValueError, match="direction"):
        view.get_serializer(direction="sideways")
    bare = AsyncAPIView()
    bare.request, bare.format_kwarg = None, None
    with pytest.raises(ImproperlyConfigured, match="serializer_class"):
        bare.get_serializer()


class PaginationClassView(AsyncAPIView):
    """apiview.md "get_pagination_class" on the plain async view, and pagination_class= per call."""

    serializer_class = ProductSerializer
    pagination_class = TwoPerPage

    def get_pagination_class(self):
        if self.request.query_params.get("all") == "true":
            return None
        return super().get_pagination_class()

    async def get(self, request):
        qs = Product.objects.order_by("id")
        if request.query_params.get("fast"):
            return await self.apaginated_response(
                qs, pagination_class=FastTwoPerPage, headers={"X-Mode": "fast"}
            )
        return await self.apaginated_response(qs, headers={"X-Mode": "plain"})


async def test_apiview_get_pagination_class_and_keyword(client):
    """guide/views/apiview.md, "get_pagination_class" and "paginated_response / apaginated_response"."""
    await seed(3)
    paged = await client.get("/apiview/pagination/")
    assert paged.json()["count"] == 3 and len(paged.json()["results"]) == 2 and paged["X-Mode"] == "plain"
    everything = await client.get("/apiview/pagination/?all=true")
    assert len(everything.json()) == 3 and everything["X-Mode"] == "plain"
    fast = await client.get("/apiview/pagination/?fast=1")
    assert set(fast.json()) == {"next", "previous", "results"} and fast["X-Mode"] == "fast"


async def test_apiview_no_pagination_class_serialises_everything(client):
    """guide/views/apiview.md, "paginated_response": no pagination_class means the full queryset."""

    await seed(3)
    assert len((await client.get("/apiview/no-pagination/")).json()) == 3


class NoPaginationView(AsyncAPIView):
    serializer_class = ProductSerializer

    async def get(self, request):
        return await self.apaginated_response(Product.objects.order_by("id"))


class ExplicitDataView(AsyncAPIView):
    """apiview.md "validated_serializer / avalidated_serializer": data= validates something else."""

    serializer_class = ProductWriteSerializer

    async def post(self, request):
        ser = await self.avalidated_serializer(data={"name": request.data["title"], "sku": "x", "price": 1})
        return Response(ser.validated_data)


async def test_apiview_validated_serializer_data_keyword(client):
    """guide/views/apiview.md, "validated_serializer / avalidated_serializer": pass data=."""
    assert (await client.post("/apiview/explicit-data/", {"title": "Lamp"})).json()["name"] == "Lamp"
    assert (await client.post("/apiview/explicit-data/", {"title": ""})).status_code == 400


class ManyView(APIView):
    serializer_class = ProductSerializer

    def get(self, request):
        return self.serialized_response(Product.objects.order_by("id"), many=True)


async def test_apiview_serialized_response_many(client):
    """guide/views/apiview.md, "serialized_response / aserialized_response": many=True for a sequence."""
    await seed(2)
    assert [row["sku"] for row in (await client.get("/apiview/many/")).json()] == ["s1", "s2"]


class FailingAuthView(AsyncAPIView):
    from rest_framework.authentication import BasicAuthentication, SessionAuthentication

    authentication_classes = [SessionAuthentication]

    async def get(self, request):
        from rest_framework.exceptions import NotAuthenticated

        raise NotAuthenticated()


class BasicAuthView(FailingAuthView):
    from rest_framework.authentication import BasicAuthentication

    authentication_classes = [BasicAuthentication]


class HandledView(AsyncAPIView):
    """apiview.md "Exception handling": override ahandle_exception and call super()."""

    async def ahandle_exception(self, exc):
        response = await super().ahandle_exception(exc)
        response["X-Handled"] = "yes"
        return response

    async def get(self, request):
        raise NotFound("gone")


async def test_apiview_exception_handling(client):
    """guide/views/apiview.md, "Exception handling": 403 without an authenticate header, 401 with one."""
    assert (await client.get("/apiview/no-auth-header/")).status_code == 403
    with_header = await client.get("/apiview/basic-auth/")
    assert with_header.status_code == 401 and with_header["WWW-Authenticate"].startswith("Basic")
    handled = await client.get("/apiview/handled/")
    assert handled.status_code == 404 and handled["X-Handled"] == "yes" and handled.json() == {"detail": "gone"}


class OwnerOnly:
    def has_permission(self, request, view):
        return True

    def has_object_permission(self, request, view, obj):
        return obj.sku != "secret"


class CustomObjectView(AsyncGenericAPIView):
    """apiview.md "Object permissions": a handler fetching an object checks it explicitly."""

    serializer_class = ProductSerializer
    queryset = Product.objects.all()
    permission_classes = [OwnerOnly]

    async def get(self, request, pk):
        obj = await self.get_queryset().aget(pk=pk)
        await self.acheck_object_permissions(request, obj)
        return await self.aserialized_response(obj)


async def test_apiview_object_permissions(client):
    """guide/views/apiview.md, "Object permissions": acheck_object_permissions(request, obj)."""
    open_one = await Product.objects.acreate(name="a", sku="open")
    secret = await Product.objects.acreate(name="b", sku="secret")
    assert (await client.get(f"/apiview/object/{open_one.pk}/")).status_code == 200
    assert (await client.get(f"/apiview/object/{secret.pk}/")).status_code == 403


class LoggedUserView(AsyncAPIView):
    """apiview.md "Custom dispatch hooks": afinalize_response adds a header."""

    async def afinalize_response(self, request, response, *args, **kwargs):
        response = await super().afinalize_response(request, response, *args, **kwargs)
        response["X-User"] = str(request.user)
        return response

    async def get(self, request):
        return Response({"ok": True})


async def test_apiview_custom_dispatch_hooks(client):
    """guide/views/apiview.md, "Custom dispatch hooks": the afinalize_response example."""
    response = await client.get("/apiview/logged/")
    assert response.json() == {"ok": True} and response["X-User"] == "AnonymousUser"


# --- guide/views/generic-views.md and mixins.md -----------------------------------------------


class ProductCreateView(AsyncCreateAPIView):
    """generic-views.md "AsyncCreateAPIView": aperform_create for side effects."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer

    async def aperform_create(self, serializer):
        instance = await sync_to_async(serializer.save)(description="created via api")
        await Review.objects.acreate(product=instance, author="audit", body="product_created")


class ProductArchiveDeleteView(AsyncDestroyAPIView):
    """generic-views.md "AsyncDestroyAPIView": aperform_destroy archives instead of deleting."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer

    async def aperform_destroy(self, instance):
        instance.is_archived = True
        await instance.asave()


class ProductUpdateView(AsyncUpdateAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer


class AsyncQuerysetListView(AsyncListAPIView):
    """generic-views.md "Overriding get_queryset": an async version."""

    serializer_class = ProductSerializer

    async def get_queryset(self):
        ids = [p.pk async for p in Product.objects.filter(price__gte=20)]
        return Product.objects.filter(id__in=ids).order_by("id")


class ProductReadAndCreateView(
    AsyncListModelMixin,
    AsyncCreateModelMixin,
    AsyncRetrieveModelMixin,
    AsyncGenericAPIView,
):
    """mixins.md "Composing mixins": list + create + retrieve on one view."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    pagination_class = TwoPerPage

    async def get(self, request, *args, **kwargs):
        if "pk" in kwargs:
            return await self.retrieve(request, *args, **kwargs)
        return await self.list(request, *args, **kwargs)

    async def post(self, request, *args, **kwargs):
        return await self.create(request, *args, **kwargs)


class ProductSoftViewSet(AsyncListModelMixin, AsyncCreateModelMixin, AsyncDestroyModelMixin, AsyncGenericViewSet):
    """mixins.md "Composing mixins": list, create and destroy but no retrieve or update."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer


async def test_generic_create_with_aperform_create(client):
    """guide/views/generic-views.md, "AsyncCreateAPIView": the aperform_create side effect shares the write."""
    response = await client.post("/generic/create/", {"name": "n", "sku": "c1"})
    assert response.status_code == 201
    product = await Product.objects.aget(sku="c1")
    assert product.description == "created via api"
    assert await Review.objects.filter(product=product, body="product_created").aexists()


async def test_generic_update_put_and_patch(client):
    """guide/views/generic-views.md, "AsyncUpdateAPIView": PUT full update, PATCH partial."""
    (product,) = await seed(1)
    put = await client.put(f"/generic/update/{product.pk}/", {"name": "x", "sku": "y", "price": 7})
    assert put.status_code == 200 and put.json()["price"] == 7
    assert (await client.put(f"/generic/update/{product.pk}/", {"name": "only"})).status_code == 400
    patch = await client.patch(f"/generic/update/{product.pk}/", {"price": 9})
    assert patch.json()["price"] == 9 and patch.json()["name"] == "x"


async def test_generic_destroy_archives(client):
    """guide/views/generic-views.md, "AsyncDestroyAPIView": an aperform_destroy that archives."""
    (product,) = await seed(1)
    assert (await client.delete(f"/generic/archive/{product.pk}/")).status_code == 204
    assert (await Product.objects.aget(pk=product.pk)).is_archived is True


async def test_generic_async_get_queryset(client):
    """guide/views/generic-views.md, "Overriding get_queryset": an async def get_queryset is awaited."""
    await seed(3)
    assert [row["sku"] for row in (await client.get("/generic/async-qs/")).json()] == ["s2", "s3"]


async def test_mixins_composing_on_generic_view(client):
    """guide/views/mixins.md, "Composing mixins": list, retrieve and create on AsyncGenericAPIView."""
    products = await seed(3)
    assert (await client.get("/mixins/compose/")).json()["count"] == 3
    assert (await client.get(f"/mixins/compose/{products[0].pk}/")).json()["sku"] == "s1"
    assert (await client.post("/mixins/compose/", {"name": "n", "sku": "new"})).status_code == 201


async def test_mixins_composing_on_viewset(client):
    """guide/views/mixins.md, "Composing mixins": a viewset with list, create and destroy only."""
    (product,) = await seed(1)
    assert len((await client.get("/soft/")).json()) == 1
    assert (await client.get(f"/soft/{product.pk}/")).status_code == 405
    assert (await client.delete(f"/soft/{product.pk}/")).status_code == 204


class SyncGenericProducts(ListModelMixin, CreateModelMixin, GenericAPIView):
    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.create(request, *args, **kwargs)


class SyncGenericProduct(RetrieveModelMixin, UpdateModelMixin, DestroyModelMixin, GenericAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer

    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)

    def patch(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def delete(self, request, *args, **kwargs):
        return self.destroy(request, *args, **kwargs)


async def test_sync_mixins_behave_as_drf(client):
    """api/views (restflow.views exports): the sync mixins are DRF's on a plain DRF GenericAPIView."""
    created = await client.post("/sync-mixins/", {"name": "n", "sku": "m1"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert [row["sku"] for row in (await client.get("/sync-mixins/")).json()] == ["m1"]
    assert (await client.patch(f"/sync-mixins/{pk}/", {"price": 4})).json()["price"] == 4
    assert (await client.get(f"/sync-mixins/{pk}/")).json()["price"] == 4
    assert (await client.delete(f"/sync-mixins/{pk}/")).status_code == 204


# --- guide/views/viewsets.md and action-configs.md ------------------------------------------


class HealthViewSet(AsyncViewSet):
    """viewsets.md "AsyncViewSet": non-CRUD actions answering plain data."""

    @action(detail=False, methods=["get"])
    async def ping(self, request):
        return await self.aserialized_response({"status": "ok"})


class ArchiveViewSet(AsyncModelViewSet):
    """action-configs.md "Worked example" (shortened): per-action serializer, paginator and queryset."""

    serializer_class = ProductSerializer
    queryset = Product.objects.order_by("id")
    pagination_class = TwoPerPage
    action_configs = {
        "list": ActionConfig(response_serializer_class=ProductReadSerializer, pagination_class=FastTwoPerPage),
        "archive": ActionConfig(queryset=Product.objects.filter(is_archived=True).order_by("id")),
    }

    @action(detail=False, methods=["get"])
    async def archive(self, request):
        return await self.apaginated_response(self.get_queryset())


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class InlineActionViewSet(AsyncModelViewSet):
    """viewsets.md "Custom actions": @action(serializer_class=...) beside class-wide request/response classes."""

    queryset = Product.objects.all()
    request_serializer_class = ProductWriteSerializer
    response_serializer_class = ProductReadSerializer

    @action(detail=False, methods=["post"], serializer_class=ReasonSerializer)
    async def bulk_archive(self, request):
        ser = await self.avalidated_serializer()
        return await self.aserialized_response(ser.validated_data, serializer_class=ReasonSerializer)


async def test_viewsets_inline_action_serializer_wins(client):
    """guide/views/viewsets.md, "Custom actions": the decorator's serializer_class is used for that action."""
    response = await client.post("/inline-action/bulk_archive/", {"reason": "old"})
    assert response.status_code == 200 and response.json() == {"reason": "old"}
    assert (await client.post("/inline-action/bulk_archive/", {"name": "x"})).status_code == 400
    created = await client.post("/inline-action/", {"name": "n", "sku": "i1", "price": 1})
    assert created.status_code == 201 and created.json()["label"] == "n (i1)"


async def test_viewsets_asyncviewset_plain_data(client):
    """guide/views/viewsets.md, "AsyncViewSet": aserialized_response of plain data."""
    assert (await client.get("/health/ping/")).json() == {"status": "ok"}


async def test_action_configs_worked_example(client):
    """guide/views/action-configs.md, "Worked example": list is lighter and count-free; archive has its own queryset."""
    products = await seed(3)
    products[2].is_archived = True
    await products[2].asave()
    listing = (await client.get("/archive-products/")).json()
    assert "count" not in listing and listing["results"][0] == {"id": products[0].pk, "label": "p1 (s1)"}
    archived = (await client.get("/archive-products/archive/")).json()
    assert archived["count"] == 1 and archived["results"][0]["sku"] == "s3"


class UrlNamedActionViewSet(AsyncModelViewSet):
    """action-configs.md "Custom actions": an action is named by its method "or the url_name argument
    when supplied" -- a config keyed by the url_name applies (here: admins only)."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    action_configs = {"archive-all": ActionConfig(permission_classes=[IsAdminUser])}

    @action(detail=False, methods=["post"], url_path="archive-all", url_name="archive-all")
    async def archive_all(self, request):
        return await self.aserialized_response({"archived": True})


async def test_action_configs_keyed_by_url_name(client):
    """guide/views/action-configs.md, "Custom actions": the url_name key configures the action."""
    assert (await client.post("/url-named/archive-all/")).status_code == 403  # anonymous: refused
    assert (await client.get("/url-named/")).status_code == 200  # other actions keep the defaults


def test_action_configs_url_name_key_is_no_check_warning():
    from restflow._checks import _action_config_messages

    assert _action_config_messages(UrlNamedActionViewSet) == []


def test_action_configs_one_action_keyed_twice_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    class Twice(UrlNamedActionViewSet):
        action_configs = {
            "archive-all": ActionConfig(permission_classes=[IsAdminUser]),
            "archive_all": ActionConfig(permission_classes=[]),
        }

    with pytest.raises(ImproperlyConfigured, match="configures the action 'archive_all' twice"):
        Twice.as_view({"post": "archive_all"})


# --- guide/views/post-fetch.md -----------------------------------------------------------------


async def reviewed_products():
    """Three products: p1 with two reviews, p2 with one, p3 with none."""
    p1, p2, p3 = await seed(3)
    await Review.objects.acreate(product=p1, author="ann", rating=2, body="old")
    await Review.objects.acreate(product=p1, author="bob", rating=5, body="new")
    await Review.objects.acreate(product=p2, author="ann", rating=4, body="only")
    return p1, p2, p3


def latest_review():
    return PostFetch(
        queryset=Review.objects.all(),
        to_attr="latest_review",
        values=["id", "rating", "body"],
        order_by=["-id"],
        limit=1,
        product_id="id",
    )


class ProductListView(AsyncListAPIView):
    """post-fetch.md "Integration with views" / "Worked example"."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductReviewSerializer
    pagination_class = TwoPerPage

    async def get(self, request, *args, **kwargs):
        return await self.apaginated_response(self.get_queryset(), post_fetches=[latest_review()])


class SyncPostFetchView(APIView):
    serializer_class = ProductReviewSerializer

    def get(self, request):
        return self.serialized_response(Product.objects.order_by("id"), many=True, post_fetches=[latest_review()])


class SinglePostFetchView(AsyncGenericAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductReviewSerializer

    async def get(self, request, pk):
        return await self.aserialized_response(await self.aget_object(), post_fetches=[latest_review()])


async def test_post_fetch_worked_example(client):
    """guide/views/post-fetch.md, "Worked example": the latest review per product of the page; None without."""
    p1, p2, p3 = await reviewed_products()
    page1 = (await client.get("/post-fetch/")).json()
    assert [row["latest_review"]["body"] for row in page1["results"]] == ["new", "only"]
    page2 = (await client.get("/post-fetch/?page=2")).json()
    assert page2["results"] == [{"id": p3.pk, "name": "p3", "latest_review": None}]


async def test_post_fetch_on_serialized_response_sync_and_single(client):
    """guide/views/apiview.md, "serialized_response" and "PostFetch helpers": many, and a single object."""
    p1, _, _ = await reviewed_products()
    rows = (await client.get("/post-fetch/sync/")).json()
    assert [row["latest_review"] and row["latest_review"]["body"] for row in rows] == ["new", "only", None]
    assert (await client.get(f"/post-fetch/one/{p1.pk}/")).json()["latest_review"]["body"] == "new"


async def test_post_fetch_limit_values():
    """guide/views/post-fetch.md, "limit": 1 (first or None), N (a list of up to N), None (all)."""
    p1, p2, p3 = await reviewed_products()
    base = [p async for p in Product.objects.order_by("id")]

    def fetch(limit):
        return PostFetch(Review.objects.all(), "matches", ["author"], limit=limit, order_by=["id"], product_id="id")

    await fetch(1).afetch(base)
    assert [p.matches and p.matches["author"] for p in base] == ["ann", "ann", None]
    await fetch(None).afetch(base)
    assert [[r["author"] for r in p.matches] for p in base] == [["ann", "bob"], ["ann"], []]
    await fetch(1).afetch(base)
    items = await fetch(5).afetch(base)
    assert [[r["author"] for r in p.matches] for p in items] == [["ann", "bob"], ["ann"], []]
    single = await PostFetch(Review.objects.all(), "matches", ["author"], limit=1, order_by=["-id"], product_id="id").afetch(base)
    assert [p.matches and p.matches["author"] for p in single] == ["bob", "ann", None]


def test_post_fetch_rejects_what_it_cannot_do():
    """guide/views/post-fetch.md, "Constructor": a join and a valid limit are required (fails loudly)."""
    with pytest.raises(TypeError, match="join"):
        PostFetch(Review.objects.all(), "x", ["id"])
    with pytest.raises(ValueError, match="limit"):
        PostFetch(Review.objects.all(), "x", ["id"], limit=0, product_id="id")
    with pytest.raises(TypeError, match="QuerySet"):
        PostFetch([1, 2], "x", ["id"], product_id="id")


@pytest.mark.django_db(transaction=True)
def test_post_fetch_sync_dicts_values_dict_and_multi_field_join(django_assert_num_queries):
    """guide/views/post-fetch.md, "The queries kwarg", "values and values_dict", "to_attr" (dicts), "Sync and async paths"."""
    p1 = Product.objects.create(name="ann", sku="a1")
    p2 = Product.objects.create(name="bob", sku="b1")
    Review.objects.create(product=p1, author="ann", rating=3, body="mine")
    Review.objects.create(product=p1, author="zed", rating=1, body="other")
    Review.objects.create(product=p2, author="ann", rating=5, body="not bob's")
    base = list(Product.objects.order_by("id").values("id", "name"))
    by_author = PostFetch(
        queryset=Review.objects.all(),
        to_attr="own_review",
        values=["rating"],
        values_dict={"shout": Upper("body")},
        product_id="id",
        author="name",
    )
    with django_assert_num_queries(1):
        items = by_author.fetch(base)
    assert items[0]["own_review"] == {"rating": 3, "shout": "MINE", "product_id": p1.pk, "author": "ann"}
    assert items[1]["own_review"] is None
    # "The list is copied per fetch call": values are not mutated.
    assert by_author.values == ["rating"]


@pytest.mark.django_db(transaction=True)
def test_post_fetch_performance_no_query_when_nothing_to_join(django_assert_num_queries):
    """guide/views/post-fetch.md, "Performance": an empty page, or items without join keys, make no query."""
    fetch = PostFetch(Review.objects.all(), "latest", ["id"], limit=None, product_id="id")
    with django_assert_num_queries(0):
        assert fetch.fetch([]) == []
        items = fetch.fetch([{"id": None}, {"id": None}])
    assert items == [{"id": None, "latest": []}, {"id": None, "latest": []}]


async def test_post_fetch_afetch_takes_a_queryset():
    """guide/views/post-fetch.md, "Sync and async paths": afetch materialises the base sequence once."""
    await reviewed_products()
    items = await latest_review().afetch(Product.objects.order_by("id"))
    assert [item.latest_review["body"] if item.latest_review else None for item in items] == ["new", "only", None]


# --- Serializers with their own async methods --------------------------------------------------


CALLS = []


class OwnAsyncSerializer(serializers.ModelSerializer):
    """A serializer defining ais_valid/asave/adata, as restflow's serializers do."""

    class Meta:
        model = Product
        fields = ["id", "name", "sku"]

    async def ais_valid(self, *, raise_exception=False):
        CALLS.append("ais_valid")
        return await sync_to_async(self.is_valid)(raise_exception=raise_exception)

    async def asave(self, **kwargs):
        CALLS.append("asave")
        return await sync_to_async(self.save)(**kwargs)

    async def adata(self):
        CALLS.append("adata")
        return await sync_to_async(lambda: self.data)()


class OwnAsyncView(AsyncAPIView):
    serializer_class = OwnAsyncSerializer

    async def post(self, request):
        ser = await self.avalidated_serializer()
        product = await ser.asave()
        return await self.aserialized_response(product, status=201)


class OwnAsyncViewSet(AsyncModelViewSet):
    queryset = Product.objects.all()
    serializer_class = OwnAsyncSerializer


async def test_serializer_own_async_methods_are_awaited(client):
    """guide/views/index.md, "Helper methods": the helpers await ais_valid / asave when the serializer has them."""
    CALLS.clear()
    assert (await client.post("/own-async/", {"name": "n", "sku": "o1"})).status_code == 201
    assert CALLS == ["ais_valid", "asave", "adata"]
    CALLS.clear()
    created = await client.post("/own-async-vs/", {"name": "n", "sku": "o2"})
    assert created.status_code == 201 and CALLS == ["ais_valid", "asave", "adata"]
    CALLS.clear()
    patched = await client.patch(f"/own-async-vs/{created.json()['id']}/", {"name": "m"})
    assert patched.json()["name"] == "m" and CALLS == ["ais_valid", "asave", "adata"]
    assert (await client.post("/own-async/", {"name": "n"})).status_code == 400


router = DefaultRouter()
router.register("soft", ProductSoftViewSet, basename="soft")
router.register("health", HealthViewSet, basename="health")
router.register("archive-products", ArchiveViewSet, basename="archive-products")
router.register("own-async-vs", OwnAsyncViewSet, basename="own-async-vs")
router.register("inline-action", InlineActionViewSet, basename="inline-action")
router.register("url-named", UrlNamedActionViewSet, basename="url-named")

urlpatterns = [
    path("index/top/", TopProductsView.as_view()),
    path("index/split/", SplitView.as_view()),
    path("apiview/sync-users/", SyncUserView.as_view()),
    path("apiview/async-users/", AsyncUserView.as_view()),
    path("apiview/partly/", PartlyAsyncView.as_view()),
    path("apiview/context/", ContextView.as_view()),
    path("apiview/direction/", DirectionView.as_view()),
    path("apiview/pagination/", PaginationClassView.as_view()),
    path("apiview/no-pagination/", NoPaginationView.as_view()),
    path("apiview/explicit-data/", ExplicitDataView.as_view()),
    path("apiview/many/", ManyView.as_view()),
    path("apiview/no-auth-header/", FailingAuthView.as_view()),
    path("apiview/basic-auth/", BasicAuthView.as_view()),
    path("apiview/handled/", HandledView.as_view()),
    path("apiview/object/<int:pk>/", CustomObjectView.as_view()),
    path("apiview/logged/", LoggedUserView.as_view()),
    path("generic/create/", ProductCreateView.as_view()),
    path("generic/update/<int:pk>/", ProductUpdateView.as_view()),
    path("generic/archive/<int:pk>/", ProductArchiveDeleteView.as_view()),
    path("generic/async-qs/", AsyncQuerysetListView.as_view()),
    path("mixins/compose/", ProductReadAndCreateView.as_view()),
    path("mixins/compose/<int:pk>/", ProductReadAndCreateView.as_view()),
    path("sync-mixins/", SyncGenericProducts.as_view()),
    path("sync-mixins/<int:pk>/", SyncGenericProduct.as_view()),
    path("post-fetch/", ProductListView.as_view()),
    path("post-fetch/sync/", SyncPostFetchView.as_view()),
    path("post-fetch/one/<int:pk>/", SinglePostFetchView.as_view()),
    path("own-async/", OwnAsyncView.as_view()),
    *router.urls,
]

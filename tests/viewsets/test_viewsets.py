"""The viewsets page (shared/spec/viewsets.md), statement by statement, through real routing.

Each test's docstring quotes or names the statement it shows.
"""

import asyncio

import pytest
from asgiref.sync import iscoroutinefunction
from django.contrib.auth.models import User
from django.urls import resolve
from rest_framework.routers import DefaultRouter
from rest_framework.viewsets import ViewSetMixin

from restflow.pagination import PageNumberPagination
from restflow.test import AsyncAPIClient
from restflow.views import (
    ActionConfig,
    AsyncAPIView,
    AsyncGenericAPIView,
    AsyncGenericViewSet,
    AsyncListAPIView,
    AsyncModelViewSet,
    AsyncViewSet,
    AsyncViewSetMixin,
    ModelViewSet,
)
from tests.support import viewsets_urls as urls
from tests.support.testapp.models import Product, Review
from tests.support.testapp.serializers import ProductListSerializer, ProductSerializer

pytestmark = [pytest.mark.urls("tests.support.viewsets_urls"), pytest.mark.django_db(transaction=True)]


async def make_products(count, **fields):
    return [
        await Product.objects.acreate(name=f"p{i}", sku=f"sku-{i}-{fields.get('name', '')}", price=i, **fields)
        for i in range(count)
    ]


# AsyncViewSetMixin: as_view


async def test_as_view_returns_async_closure_that_dispatches(client):
    """"Replaces as_view() with a closure that returns an async view callable ... awaits self.dispatch"."""
    view = urls.ProductViewSet.as_view({"get": "list", "post": "create"})
    assert iscoroutinefunction(view)
    assert view.cls is urls.ProductViewSet
    assert view.actions == {"get": "list", "post": "create"}
    assert view.initkwargs == {}
    await make_products(3)
    response = await client.get("/api/products/")
    assert response.status_code == 200
    assert response.json()["count"] == 3


async def test_as_view_binds_action_map_per_request(client):
    """"The closure binds the action map, instantiates the viewset": each request gets its own instance."""
    seen = []

    class Recording(urls.ProductViewSet):
        async def list(self, request, *args, **kwargs):
            seen.append((id(self), self.action, self.action_map, self.get.__name__, self.head.__name__))
            return await super().list(request, *args, **kwargs)

    view = Recording.as_view({"get": "list"})
    request = _django_request("GET")
    await view(request)
    await view(_django_request("HEAD"))
    assert seen[0][1:] == ("list", {"get": "list", "head": "list"}, "list", "list")
    assert seen[0][0] != seen[1][0] or len(seen) == 2


def _django_request(method, path="/api/products/"):
    from django.test import RequestFactory

    return getattr(RequestFactory(), method.lower())(path)


def test_as_view_checks_like_drf():
    """DRF's checks on actions and initkwargs, with DRF's messages."""
    with pytest.raises(TypeError, match="The `actions` argument must be provided"):
        urls.ProductViewSet.as_view()
    with pytest.raises(TypeError, match="You tried to pass in the get method name"):
        urls.ProductViewSet.as_view({"get": "list"}, get="x")
    with pytest.raises(TypeError, match="received an invalid keyword 'nonsense'"):
        urls.ProductViewSet.as_view({"get": "list"}, nonsense=1)
    with pytest.raises(TypeError, match="mutually exclusive"):
        urls.ProductViewSet.as_view({"get": "list"}, name="a", suffix="b")


async def test_undefined_action_raises_drf_error():
    """Binding an action the class does not define raises the AttributeError DRF raises."""
    view = AsyncViewSet.as_view({"get": "list"})
    with pytest.raises(AttributeError, match="'AsyncViewSet' object has no attribute 'list'"):
        await view(_django_request("GET"))


def test_action_configs_entries_checked_at_routing():
    """An action_configs entry that is not an ActionConfig fails when routed (a key naming no
    action is a system check warning instead, see test_drf_compat)."""
    from django.core.exceptions import ImproperlyConfigured

    class WrongType(AsyncModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductSerializer
        action_configs = {"list": {"serializer_class": ProductListSerializer}}

    with pytest.raises(ImproperlyConfigured, match="must be an ActionConfig"):
        WrongType.as_view({"get": "list"})


def test_action_config_is_frozen_with_none_defaults():
    """ActionConfig: a frozen dataclass whose nine documented fields (and restflow's ``cache``) default to None."""
    import dataclasses

    config = ActionConfig()
    fields = [f.name for f in dataclasses.fields(ActionConfig)]
    assert fields == [
        "serializer_class", "request_serializer_class", "response_serializer_class", "permission_classes",
        "throttle_classes", "parser_classes", "renderer_classes", "pagination_class", "queryset", "cache",
    ]
    assert all(getattr(config, name) is None for name in fields)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.serializer_class = ProductSerializer


# AsyncViewSetMixin: the wrapped getters


async def test_serializer_class_override_on_real_requests(client):
    """get_serializer_class: the list action uses its ActionConfig serializer, retrieve the class one."""
    [product] = await make_products(1)
    listed = (await client.get("/api/products/")).json()["results"][0]
    assert set(listed) == {"id", "name", "price"}
    detail = (await client.get(f"/api/products/{product.pk}/")).json()
    assert set(detail) == set(ProductSerializer.Meta.fields)


async def test_request_and_response_serializer_classes(client):
    """get_request_serializer_class / get_response_serializer_class: create takes one serializer, returns another."""
    response = await client.post("/api/products/", {"name": "n", "sku": "s", "price": 5, "status": "draft"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == set(ProductSerializer.Meta.fields)
    assert body["status"] == "active"  # the create serializer has no status field: ignored
    missing = await client.post("/api/products/", {"name": "n"})
    assert missing.status_code == 400
    assert set(missing.json()) == {"sku"}


async def test_permissions_override(client):
    """get_permissions: destroy requires authentication through its ActionConfig; other actions do not."""
    [product] = await make_products(1)
    assert (await client.get(f"/api/products/{product.pk}/")).status_code == 200
    denied = await client.delete(f"/api/products/{product.pk}/")
    assert denied.status_code == 403
    assert await Product.objects.filter(pk=product.pk).aexists()
    client.force_authenticate(User(username="u", id=1))
    assert (await client.delete(f"/api/products/{product.pk}/")).status_code == 204
    assert not await Product.objects.filter(pk=product.pk).aexists()


async def test_permissions_override_loosens_class_default(client):
    """An ActionConfig permission list replaces the class's: list is open on a viewset guarded by IsAuthenticated."""
    [product] = await make_products(1)
    assert (await client.get("/api/guarded/")).status_code == 200
    assert (await client.get(f"/api/guarded/{product.pk}/")).status_code == 403
    assert (await client.post("/api/guarded/", {"name": "x", "sku": "y"})).status_code == 403


async def test_throttles_override(client):
    """get_throttles: retrieve is throttled through its ActionConfig (429 with Retry-After); list is not."""
    [product] = await make_products(1)
    assert (await client.get("/api/overrides/")).status_code == 200
    response = await client.get(f"/api/overrides/{product.pk}/")
    assert response.status_code == 429
    assert response["Retry-After"] == "7"


async def test_parsers_override(client):
    """get_parsers: create parses only form data through its ActionConfig: JSON gets 415, the form 201."""
    json_response = await client.post("/api/overrides/", {"name": "j", "sku": "j"})
    assert json_response.status_code == 415
    form = await client.post(
        "/api/overrides/", "name=f&sku=f&price=3", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 201, form.content
    assert await Product.objects.filter(sku="f", price=3).aexists()


async def test_renderers_and_pagination_override(client):
    """get_renderers and get_pagination_class: list renders text/plain with five-per-page pages."""
    await make_products(7)
    response = await client.get("/api/overrides/")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert text.startswith("text:") and "'count': 7" in text
    assert text.count("'sku'") == 5
    detail = await client.get("/api/overrides/1/")  # retrieve is throttled: still JSON
    assert detail["Content-Type"] == "application/json"


async def test_getters_without_request():
    """The getters work without a request, as schema generators call them (request=None)."""
    view = urls.ProductViewSet(action_map={"get": "list"})
    view.request = None
    view.action = "list"
    view.format_kwarg = None
    assert view.get_serializer_class() is ProductListSerializer
    assert view.get_response_serializer_class() is ProductListSerializer
    assert view.get_pagination_class() is urls.SmallPages
    view.action = "create"
    assert view.get_request_serializer_class().__name__ == "ProductCreateSerializer"
    assert view.get_response_serializer_class() is ProductSerializer
    view.action = "destroy"
    assert [type(p).__name__ for p in view.get_permissions()] == ["IsAuthenticated"]
    view.action = None
    assert view.get_serializer_class() is ProductSerializer


def test_lookup_order_config_then_parent_then_attribute():
    """"ActionConfig field -> super().get_*() -> class attribute"."""

    class Parent(AsyncGenericAPIView):
        def get_serializer_class(self):
            return ProductListSerializer if self.request == "parent" else super().get_serializer_class()

    class Viewset(AsyncViewSetMixin, Parent):
        serializer_class = ProductSerializer
        action_configs = {"special": ActionConfig(serializer_class=dict)}

    view = Viewset()
    view.action, view.request = "special", "parent"
    assert view.get_serializer_class() is dict
    view.action = "list"
    assert view.get_serializer_class() is ProductListSerializer
    view.request = None
    assert view.get_serializer_class() is ProductSerializer

    class Bare(AsyncViewSet):  # no generic parent: the class attribute answers
        serializer_class = ProductSerializer

    bare = Bare()
    bare.action = "x"
    assert bare.get_serializer_class() is ProductSerializer


def test_none_fields_are_not_configured():
    """A None ActionConfig field delegates to the parent getter."""

    class Viewset(AsyncModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductSerializer
        action_configs = {"list": ActionConfig(serializer_class=None, pagination_class=None)}

    view = Viewset()
    view.action = "list"
    assert view.get_serializer_class() is ProductSerializer
    assert view.get_pagination_class() is None


async def test_paginator_cached(client):
    """"Caches the paginator instance on self._paginator so repeated reads of self.paginator do not rebuild it"."""
    built = []

    class Counting(PageNumberPagination):
        page_size = 1

        def __init__(self):
            built.append(self)

    class Viewset(AsyncModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductSerializer
        pagination_class = Counting

    view = Viewset()
    view.action = "list"
    first = view.paginator
    assert view.paginator is first and view._paginator is first
    assert len(built) == 1


# get_queryset and ActionConfig.queryset


async def test_static_queryset_is_reevaluated_per_request(client):
    """"A static QuerySet instance. Returned as-is via .all()": rows added later are seen (no cached result)."""
    [product] = await make_products(1, in_stock=True)
    assert (await client.put(f"/api/overrides/{product.pk}/", {"name": "a", "sku": "a"})).status_code == 200
    other = await Product.objects.acreate(name="b", sku="b", in_stock=True)
    assert (await client.put(f"/api/overrides/{other.pk}/", {"name": "b2", "sku": "b"})).status_code == 200
    hidden = await Product.objects.acreate(name="c", sku="c", in_stock=False)
    assert (await client.put(f"/api/overrides/{hidden.pk}/", {"name": "c", "sku": "c"})).status_code == 404
    config_qs = urls.OverridesViewSet.action_configs["update"].queryset
    assert config_qs._result_cache is None


async def test_manager_queryset(client):
    """"A Manager. Resolved with manager.all()"."""
    [product] = await make_products(1, in_stock=False)
    response = await client.patch(f"/api/overrides/{product.pk}/", {"price": 42})
    assert response.status_code == 200
    assert (await Product.objects.aget(pk=product.pk)).price == 42


async def test_callable_queryset_called_every_request(client):
    """"A callable with signature (self) -> QuerySet. Called every request"."""
    first = await Product.objects.acreate(name="keep-1", sku="k1")
    second = await Product.objects.acreate(name="drop-1", sku="d1")
    assert (await client.delete(f"/api/overrides/{first.pk}/?prefix=drop")).status_code == 404
    assert (await client.delete(f"/api/overrides/{second.pk}/?prefix=drop")).status_code == 204
    assert (await client.delete(f"/api/overrides/{first.pk}/?prefix=keep")).status_code == 204


async def test_async_callable_queryset_is_awaited(client):
    """An async callable ActionConfig.queryset is awaited."""
    await make_products(2)
    await Product.objects.acreate(name="arch", sku="arch", is_archived=True)
    body = (await client.get("/api/async-callable/")).json()
    assert [row["name"] for row in body] == ["arch"]


def test_missing_queryset_assertion_guides():
    """"When no ActionConfig is set and the parent getter is missing, an AssertionError is raised with guidance"."""

    class NoQueryset(AsyncModelViewSet):
        serializer_class = ProductSerializer

    view = NoQueryset()
    view.action = "list"
    with pytest.raises(AssertionError) as info:
        view.get_queryset()
    message = str(info.value)
    assert "queryset" in message and "ActionConfig" in message and "get_queryset()" in message

    class Bare(AsyncViewSet):
        pass

    bare = Bare()
    bare.action = "ping"
    with pytest.raises(AssertionError, match="override `get_queryset\\(\\)`"):
        bare.get_queryset()


async def test_missing_queryset_is_a_server_error_not_silent(client):
    """The guidance error surfaces when such a viewset is requested (a configuration error, not bad input)."""

    class NoQueryset(AsyncModelViewSet):
        serializer_class = ProductSerializer

    view = NoQueryset.as_view({"get": "list"})
    with pytest.raises(AssertionError, match="ActionConfig"):
        await view(_django_request("GET"))


# AsyncViewSet


async def test_health_viewset_ping_and_time(client):
    """AsyncViewSet: the page's HealthViewSet answers ping and time without a serializer_class."""
    ping = await client.get("/api/health/ping/")
    assert ping.status_code == 200 and ping.json() == {"status": "ok"}
    now = (await client.get("/api/health/time/")).json()["now"]
    from django.utils.dateparse import parse_datetime

    assert parse_datetime(now) is not None


def test_async_viewset_has_no_default_actions():
    """"AsyncViewSet = AsyncViewSetMixin + AsyncAPIView. The class has no default actions"."""
    assert issubclass(AsyncViewSet, AsyncViewSetMixin) and issubclass(AsyncViewSet, AsyncAPIView)
    for name in ("list", "retrieve", "create", "update", "partial_update", "destroy"):
        assert not hasattr(AsyncViewSet, name)
    names = {url.name for url in DefaultRouter().get_urls()}
    router = DefaultRouter()
    router.register("health", urls.HealthViewSet, basename="health")
    names = {url.name for url in router.get_urls()}
    assert names == {"api-root", "health-ping", "health-time"}


# AsyncGenericViewSet


async def test_generic_viewset_composed_from_mixins(client):
    """AsyncGenericViewSet: the page's mixin-composed ProductViewSet has list, create, retrieve and nothing else."""
    assert issubclass(AsyncGenericViewSet, AsyncGenericAPIView)
    for name in ("aget_object", "afilter_queryset", "apaginate_queryset"):
        assert hasattr(AsyncGenericViewSet, name)
    for name in ("list", "retrieve", "create"):
        assert not hasattr(AsyncGenericViewSet, name)
    created = await client.post("/api/composed/", {"name": "a", "sku": "a"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert (await client.get(f"/api/composed/{pk}/")).json()["sku"] == "a"
    assert len((await client.get("/api/composed/")).json()) == 1  # no PAGE_SIZE: pagination off, as in DRF
    assert (await client.put(f"/api/composed/{pk}/", {"name": "b", "sku": "b"})).status_code == 405
    assert (await client.delete(f"/api/composed/{pk}/")).status_code == 405


# AsyncReadOnlyModelViewSet and AsyncModelViewSet


async def test_read_only_viewset_is_immutable(client):
    """"A viewset that exposes only list and retrieve ... browsable but immutable"."""
    [product] = await make_products(1)
    assert (await client.get("/api/readonly/")).status_code == 200
    assert (await client.get(f"/api/readonly/{product.pk}/")).status_code == 200
    assert (await client.post("/api/readonly/", {"name": "x", "sku": "x"})).status_code == 405
    assert (await client.put(f"/api/readonly/{product.pk}/", {"name": "x", "sku": "x"})).status_code == 405
    assert (await client.patch(f"/api/readonly/{product.pk}/", {"name": "x"})).status_code == 405
    assert (await client.delete(f"/api/readonly/{product.pk}/")).status_code == 405
    assert await Product.objects.acount() == 1


async def test_model_viewset_full_crud(client):
    """AsyncModelViewSet: list, retrieve, create, update, partial_update, destroy."""
    client.force_authenticate(User(username="u", id=1))
    created = await client.post("/api/guarded/", {"name": "a", "sku": "a", "price": 1})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert len((await client.get("/api/guarded/")).json()) == 1
    assert (await client.get(f"/api/guarded/{pk}/")).json()["price"] == 1
    assert (await client.put(f"/api/guarded/{pk}/", {"name": "b", "sku": "a", "price": 2})).json()["name"] == "b"
    assert (await client.patch(f"/api/guarded/{pk}/", {"price": 3})).json()["price"] == 3
    assert (await client.delete(f"/api/guarded/{pk}/")).status_code == 204
    assert not await Product.objects.filter(pk=pk).aexists()


async def test_model_viewset_requires_authentication(client):
    """The page's AsyncModelViewSet with permission_classes = [IsAuthenticated] refuses anonymous writes."""
    response = await client.post("/api/guarded/", {"name": "a", "sku": "a"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


# Routing


def test_router_builds_same_patterns_as_for_sync_viewsets():
    """"The router builds the same URL patterns as for sync viewsets; the dispatch path is the only thing that differs"."""
    async_router, sync_router = DefaultRouter(), DefaultRouter()
    async_router.register("products", urls.ProductViewSet, basename="product")

    class SyncTwin(ModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductSerializer

        def bulk_archive(self, request):  # same extra actions, decorated the same way
            pass

        def archive(self, request, pk=None):
            pass

    from rest_framework.decorators import action

    SyncTwin.bulk_archive = action(detail=False, methods=["post"])(SyncTwin.bulk_archive)
    SyncTwin.archive = action(detail=True, methods=["post"])(SyncTwin.archive)
    sync_router.register("products", SyncTwin, basename="product")

    def shape(router):
        return [(str(u.pattern), u.name, getattr(u.callback, "actions", None)) for u in router.urls]

    assert shape(async_router) == shape(sync_router)
    callbacks = [u.callback for u in async_router.urls if getattr(u.callback, "cls", None) is urls.ProductViewSet]
    assert callbacks and all(iscoroutinefunction(cb) for cb in callbacks)
    assert all(getattr(cb, "csrf_exempt", False) for cb in callbacks)


async def test_router_callable_is_csrf_exempt_async(client):
    """"as_view returns a csrf-exempt async view callable" served with CSRF checks on."""
    strict = AsyncAPIClient(enforce_csrf_checks=True)
    response = await strict.post("/api/health/ping/")
    assert response.status_code == 405  # reached DRF (method not allowed), not refused by CsrfViewMiddleware
    match = resolve("/api/products/")
    assert match.func.csrf_exempt is True
    assert match.func.cls is urls.ProductViewSet


async def test_simple_router_and_basename(client):
    """SimpleRouter works too; basename, suffix, name and detail reach the view as initkwargs."""
    await make_products(1)
    response = await client.get("/simple/products/")
    assert response.status_code == 200
    match = resolve("/simple/products/1/archive/")
    assert match.func.initkwargs["basename"] == "simple-product"
    assert match.func.initkwargs["detail"] is True
    list_match = resolve("/simple/products/")
    assert list_match.func.initkwargs["suffix"] == "List"


async def test_reverse_action_and_extra_actions(client):
    """reverse_action, get_extra_actions and get_extra_action_url_map keep working."""
    seen = {}

    class Probe(urls.ProductViewSet):
        async def list(self, request, *args, **kwargs):
            seen["bulk"] = self.reverse_action("bulk-archive")
            seen["extra"] = sorted(a.__name__ for a in self.get_extra_actions())
            seen["map"] = dict(self.get_extra_action_url_map())
            seen["names"] = (self.basename, self.detail, self.suffix)
            return await super().list(request, *args, **kwargs)

    router = DefaultRouter()
    router.register("products", Probe, basename="product")
    callback = next(u.callback for u in router.urls if u.name == "product-list")
    from django.test import RequestFactory

    request = RequestFactory().get("/api/products/")
    request.resolver_match = resolve("/api/products/")
    response = await callback(request)
    assert response.status_code == 200
    assert seen["bulk"].endswith("/api/products/bulk_archive/")
    assert seen["extra"] == ["archive", "bulk_archive"]
    assert list(seen["map"]) == ["Bulk archive"]
    assert seen["names"] == ("product", False, "List")


async def test_head_follows_get(client):
    """HEAD is bound to GET's action: 200 with no body."""
    await make_products(1)
    response = await client.head("/api/products/")
    assert response.status_code == 200
    assert response.content == b""


async def test_options_metadata(client):
    """OPTIONS answers DRF's metadata (action 'metadata') on a viewset route."""
    response = await client.options("/api/products/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Product List"
    assert "POST" in body["actions"]


# Custom actions


async def test_custom_actions_route_and_use_action_configs(client):
    """bulk_archive and archive route through @action; action_configs["bulk_archive"] is picked up by name."""
    products = await make_products(3)
    response = await client.post("/api/products/bulk_archive/", {"ids": [products[0].pk, products[1].pk]})
    assert response.status_code == 200 and response.json() == {"ok": True}
    archived = {p.pk async for p in Product.objects.filter(is_archived=True)}
    assert archived == {products[0].pk, products[1].pk}
    bad = await client.post("/api/products/bulk_archive/", {"ids": []})
    assert bad.status_code == 400 and "ids" in bad.json()
    one = await client.post(f"/api/products/{products[2].pk}/archive/")
    assert one.status_code == 200
    assert one.json()["is_archived"] is True
    assert (await client.post("/api/products/999999/archive/")).status_code == 404


async def test_self_action_is_method_name():
    """"A custom action's self.action attribute is the method name"."""
    seen = []

    from rest_framework.decorators import action

    class Probe(urls.ProductViewSet):
        @action(detail=False, methods=["post"])
        async def bulk_archive(self, request):
            seen.append(self.action)
            return await self.aserialized_response({"ok": True})

    router = DefaultRouter()
    router.register("p", Probe, basename="p")
    callback = next(u.callback for u in router.urls if u.name == "p-bulk-archive")
    from django.test import RequestFactory

    await callback(RequestFactory().post("/p/bulk_archive/", {}, content_type="application/json"))
    assert seen == ["bulk_archive"]


async def test_inline_action_serializer_coexists_with_action_configs(client):
    """@action(serializer_class=...) falls through ActionConfig to the parent getter; both mechanisms coexist."""
    [product] = await make_products(1)
    bad = await client.post(f"/api/inline/{product.pk}/archive/", {})
    assert bad.status_code == 400 and set(bad.json()) == {"reason"}
    response = await client.post(f"/api/inline/{product.pk}/archive/", {"reason": "old"})
    assert response.status_code == 200
    assert set(response.json()) == {"id", "name", "price"}  # ActionConfig response serializer
    stored = await Product.objects.aget(pk=product.pk)
    assert stored.is_archived and stored.description == "old"
    bulk = await client.post("/api/inline/bulk_archive/", {"ids": [1, 2]})
    assert bulk.json() == {"ids": [1, 2]}
    assert (await client.post("/api/inline/bulk_archive/", {"ids": "x"})).status_code == 400


# Per-method handlers vs viewset actions


async def test_generic_view_and_viewset_same_wire_behaviour(client):
    """"The two styles produce identical wire behaviour for the same CRUD shape"."""
    via_generic = await client.post("/generic/categories/", {"name": "one"})
    via_viewset = await client.post("/api/categories/", {"name": "two"})
    assert via_generic.status_code == via_viewset.status_code == 201
    assert set(via_generic.json()) == set(via_viewset.json()) == {"id", "name"}
    dup_generic = await client.post("/generic/categories/", {"name": "two"})
    dup_viewset = await client.post("/api/categories/", {"name": "one"})
    assert dup_generic.status_code == dup_viewset.status_code == 400
    assert set(dup_generic.json()) == set(dup_viewset.json()) == {"name"}
    list_generic = (await client.get("/generic/categories/")).json()
    list_viewset = (await client.get("/api/categories/")).json()
    assert list_generic == list_viewset


async def test_generic_views_have_no_action(client):
    """"Generic views do not have an action attribute, so ActionConfig overrides do not apply"."""
    seen = []

    class Listing(AsyncListAPIView):
        queryset = Product.objects.all()
        serializer_class = ProductSerializer
        action_configs = {"list": ActionConfig(serializer_class=ProductListSerializer)}

        async def get(self, request, *args, **kwargs):
            seen.append(hasattr(self, "action"))
            return await super().get(request, *args, **kwargs)

    await make_products(1)
    response = await Listing.as_view()(_django_request("GET"))
    response.render()
    assert seen == [False]
    import json

    assert set(json.loads(response.content)[0]) == set(ProductSerializer.Meta.fields)


def test_custom_routes_are_viewset_only():
    """"@action ... is a viewset-only decorator; the router collects the decorated methods"."""
    assert [a.__name__ for a in urls.ProductViewSet.get_extra_actions()] == ["archive", "bulk_archive"]
    assert not hasattr(AsyncListAPIView, "get_extra_actions")
    assert issubclass(urls.ProductViewSet, ViewSetMixin)


# Hook overrides


async def test_hook_get_queryset_sync_and_nested(client):
    """get_queryset as a sync class method: the nested ReviewViewSet scopes by product_pk."""
    first, second = await make_products(2)
    await Review.objects.acreate(product=first, author="a")
    await Review.objects.acreate(product=second, author="b")
    body = (await client.get(f"/api/products/{first.pk}/reviews/")).json()
    assert [r["author"] for r in body] == ["a"]
    created = await client.post(f"/api/products/{second.pk}/reviews/", {"author": "c", "rating": 4})
    assert created.status_code == 201, created.content
    assert created.json()["product"] == second.pk
    other = await Review.objects.aget(author="a")
    assert (await client.get(f"/api/products/{second.pk}/reviews/{other.pk}/")).status_code == 404


async def test_nested_view_set_mixin_initial_injects_parent(client):
    """drf-nested-routers' NestedViewSetMixin: its initial() hook runs and injects the parent kwarg."""
    first, second = await make_products(2)
    await Review.objects.acreate(product=first, author="a")
    await Review.objects.acreate(product=second, author="b")
    body = (await client.get(f"/api/products/{second.pk}/mixin-reviews/")).json()
    assert [r["author"] for r in body] == ["b"]
    seen = {}

    class Probe(urls.MixinReviewViewSet):
        async def list(self, request, *args, **kwargs):
            seen["product"] = request.query_params.get("product")
            return await super().list(request, *args, **kwargs)

    router = DefaultRouter()
    router.register("products", urls.ProductViewSet, basename="product")
    from rest_framework_nested.routers import NestedSimpleRouter

    nested = NestedSimpleRouter(router, "products", lookup="product")
    nested.register("mixin-reviews", Probe, basename="probe")
    callback = next(u.callback for u in nested.urls if u.name == "probe-list")
    await callback(_django_request("GET", f"/products/{first.pk}/mixin-reviews/"), product_pk=str(first.pk))
    assert seen["product"] == str(first.pk)


async def test_hook_async_get_queryset_and_config_wins(client):
    """Async get_queryset is awaited; ActionConfig.queryset wins for its action (retrieve)."""
    visible = await Product.objects.acreate(name="v", sku="v", in_stock=True)
    await Product.objects.acreate(name="h", sku="h", in_stock=False)
    archived = await Product.objects.acreate(name="a", sku="a", in_stock=False, is_archived=True)
    names = [row["name"] for row in (await client.get("/api/async-qs/")).json()]
    assert names == ["v"]
    assert (await client.get(f"/api/async-qs/{visible.pk}/")).status_code == 404
    assert (await client.get(f"/api/async-qs/{archived.pk}/")).status_code == 200
    assert (await client.patch(f"/api/async-qs/{visible.pk}/", {"price": 2})).status_code == 200
    assert (await client.patch(f"/api/async-qs/{archived.pk}/", {"price": 2})).status_code == 404


def _hooked_viewset(**methods):
    return type("Hooked", (AsyncModelViewSet,), {
        "queryset": Product.objects.all(), "serializer_class": ProductSerializer, **methods,
    })


async def _call(viewset, actions, method, path, data=None, **kwargs):
    from django.test import RequestFactory
    import json

    factory = RequestFactory()
    body = json.dumps(data) if data is not None else ""
    request = getattr(factory, method)(path, body, content_type="application/json")
    response = await viewset.as_view(actions)(request, **kwargs)
    response.render()
    return response


async def test_hooks_perform_create_update_destroy():
    """aperform_create, aperform_update and aperform_destroy (archive instead of delete) are honoured."""
    calls = []

    async def aperform_create(self, serializer):
        calls.append("create")
        from restflow.serializers import asave

        await asave(serializer, description="made by hook")

    async def aperform_update(self, serializer):
        calls.append("update")
        from restflow.serializers import asave

        await asave(serializer, description="changed by hook")

    async def aperform_destroy(self, instance):
        calls.append("destroy")
        instance.is_archived = True
        await instance.asave()

    viewset = _hooked_viewset(
        aperform_create=aperform_create, aperform_update=aperform_update, aperform_destroy=aperform_destroy
    )
    created = await _call(viewset, {"post": "create"}, "post", "/", {"name": "a", "sku": "a"})
    assert created.status_code == 201
    product = await Product.objects.aget(sku="a")
    assert product.description == "made by hook"
    updated = await _call(viewset, {"patch": "partial_update"}, "patch", "/", {"price": 4}, pk=product.pk)
    assert updated.status_code == 200
    destroyed = await _call(viewset, {"delete": "destroy"}, "delete", "/", pk=product.pk)
    assert destroyed.status_code == 204
    product = await Product.objects.aget(sku="a")
    assert (product.description, product.price, product.is_archived) == ("changed by hook", 4, True)
    assert calls == ["create", "update", "destroy"]


async def test_hooks_filter_paginate_permissions_exceptions():
    """afilter_queryset, apaginate_queryset, acheck_permissions and ahandle_exception are honoured."""
    from rest_framework.exceptions import PermissionDenied
    from rest_framework.response import Response

    await make_products(4)

    async def afilter_queryset(self, queryset):
        return queryset.filter(price__gte=2)

    async def apaginate_queryset(self, queryset):
        return [obj async for obj in queryset[:1]]

    def get_paginated_response(self, data):
        return Response({"only": data})

    viewset = _hooked_viewset(
        afilter_queryset=afilter_queryset,
        apaginate_queryset=apaginate_queryset,
        get_paginated_response=get_paginated_response,
    )
    listed = await _call(viewset, {"get": "list"}, "get", "/")
    assert [row["price"] for row in listed.data["only"]] == [2]

    async def acheck_permissions(self, request):
        if request.method != "GET":
            raise PermissionDenied("gated")

    async def ahandle_exception(self, exc):
        return Response({"mapped": str(exc)}, status=418)

    gated = _hooked_viewset(acheck_permissions=acheck_permissions, ahandle_exception=ahandle_exception)
    response = await _call(gated, {"post": "create"}, "post", "/", {"name": "z", "sku": "z"})
    assert response.status_code == 418 and response.data == {"mapped": "gated"}
    assert not await Product.objects.filter(sku="z").aexists()


# Sync twins


async def test_sync_twin_honours_action_configs(client):
    """ModelViewSet (sync twin) honours action_configs: serializer, pagination, parsers and queryset per action."""
    products = await make_products(6)
    await Product.objects.filter(pk=products[0].pk).aupdate(is_archived=True)
    body = (await client.get("/api/sync-products/")).json()
    assert body["count"] == 6 and len(body["results"]) == 5
    assert set(body["results"][0]) == {"id", "name", "price"}
    assert (await client.get(f"/api/sync-products/{products[0].pk}/")).status_code == 200
    assert (await client.get(f"/api/sync-products/{products[1].pk}/")).status_code == 404
    assert (await client.post("/api/sync-products/", {"name": "j", "sku": "j"})).status_code == 415
    form = await client.post("/api/sync-products/", "name=f&sku=f", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 201


# Concurrency through the viewset


async def test_concurrent_requests_each_get_their_own_action(client):
    """Many concurrent requests to different actions of one viewset each resolve their own ActionConfig."""
    products = await make_products(3)

    async def one(i):
        if i % 2:
            response = await client.get("/api/products/")
            return set(response.json()["results"][0])
        response = await client.get(f"/api/products/{products[i % 3].pk}/")
        return set(response.json())

    results = await asyncio.gather(*(one(i) for i in range(20)))
    for i, keys in enumerate(results):
        assert keys == ({"id", "name", "price"} if i % 2 else set(ProductSerializer.Meta.fields))


async def test_read_only_viewset_is_browsable(client):
    """"Pair with a router and the resource is browsable": the browsable API renders list and detail pages."""
    [product] = await make_products(1)
    for url in ("/api/readonly/", f"/api/readonly/{product.pk}/"):
        response = await client.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert product.sku in response.content.decode()
    page = (await client.get("/api/readonly/", headers={"Accept": "text/html"})).content.decode()
    assert 'method="POST"' not in page  # immutable: no create form


async def test_action_config_json_parser_rejects_deep_nesting():
    """An ActionConfig naming DRF's JSONParser still answers 400 to JSON nested too deeply."""
    from rest_framework.parsers import JSONParser

    class Deep(AsyncModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductSerializer
        action_configs = {"create": ActionConfig(parser_classes=[JSONParser])}

    from django.test import RequestFactory

    body = "[" * 100000 + "]" * 100000
    request = RequestFactory().post("/", body, content_type="application/json")
    response = await Deep.as_view({"post": "create"})(request)
    assert response.status_code == 400
    assert "nested too deeply" in str(response.data["detail"])


async def test_out_of_range_parent_lookup_is_not_a_server_error(client):
    """A parent id too large for the database's integers is bad input: 404 (SQLite) or an empty list, never 500."""
    huge = "9" * 25
    listed = await client.get(f"/api/products/{huge}/reviews/")
    assert listed.status_code in (200, 404)
    if listed.status_code == 200:
        assert listed.json() == []
    detail = await client.get(f"/api/products/{huge}/reviews/1/")
    assert detail.status_code == 404
    assert (await client.get(f"/api/products/{huge}/")).status_code == 404


async def test_browsable_filter_form_awaits_async_get_queryset(client):
    """The browsable API's filter form awaits a viewset's async get_queryset (no coroutine left un-awaited)."""
    import gc
    import warnings

    await Product.objects.acreate(name="visible", sku="v", in_stock=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = await client.get("/api/async-qs/?search=vis", headers={"Accept": "text/html"})
        gc.collect()
    assert response.status_code == 200
    page = response.content.decode()
    assert "visible" in page and "Ordering" in page
    assert not [w for w in caught if "never awaited" in str(w.message)]


async def test_sync_twin_action_config_queryset_wins_over_get_queryset():
    """In a sync twin too, ActionConfig.queryset wins over the class's own get_queryset for its action."""
    from asgiref.sync import sync_to_async
    from django.test import RequestFactory

    class Hidden(ModelViewSet):
        serializer_class = ProductSerializer
        action_configs = {"retrieve": ActionConfig(queryset=Product.objects.all())}

        def get_queryset(self):
            return Product.objects.none()

    [product] = await make_products(1)
    factory = RequestFactory()
    listed = await sync_to_async(Hidden.as_view({"get": "list"}))(factory.get("/"))
    detail = await sync_to_async(Hidden.as_view({"get": "retrieve"}))(factory.get("/"), pk=product.pk)
    assert listed.status_code == 200 and listed.data == []
    assert detail.status_code == 200 and detail.data["sku"] == product.sku


async def test_options_reports_each_methods_own_action(client):
    """OPTIONS on a viewset describes POST with create's request serializer and checks create's permissions."""
    body = (await client.options("/api/products/")).json()
    assert set(body["actions"]["POST"]) == {"name", "sku", "price"}  # ProductCreateSerializer
    [product] = await make_products(1)
    detail = (await client.options(f"/api/products/{product.pk}/")).json()
    assert set(detail["actions"]["PUT"]) == set(ProductSerializer.Meta.fields)
    guarded = (await client.options("/api/guarded/")).json()
    assert "actions" not in guarded  # create needs authentication there

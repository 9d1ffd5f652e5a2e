"""Every fall-back of the dispatch plan, against DRF: each class overrides one step, sync or async.

For each step of a request (building the request, negotiation, the renderers, versioning,
authentication, permissions, object permissions, throttles, ``initial``, the queryset, the
lookup, filtering, exception handling, the headers, finalizing) a restflow viewset overrides
that step alone with code that defers to the stock one: written for DRF (sync, DRF's method
name) and written for restflow (``async def``, restflow's async method where it has one). That
takes the step off the light path (the plan falls back for it), so the answer must still be
DRF's own: each is compared with DRF's ``ModelViewSet`` carrying the sync override, through
real routing, status, bytes, the headers DRF sets and the rows.
"""

import re

import pytest
from asgiref.sync import sync_to_async
from django.urls import include, path
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIClient

from restflow._dispatch import plan_for
from restflow.views import AsyncModelViewSet
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductSerializer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]

HEADERS = ("Content-Type", "Allow", "Vary", "WWW-Authenticate", "Retry-After")


class Body:
    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    permission_classes = [AllowAny]


class Ping:
    """A custom action without database, on both sides."""

    @action(detail=False)
    def ping(self, request):
        return Response({"status": "ok"})


class AsyncPing:
    @action(detail=False)
    async def ping(self, request):
        return Response({"status": "ok"})


def _passing(name):
    """A sync override of ``name`` that defers to the stock method (DRF's name, DRF's signature)."""

    def call(self, *args, **kwargs):
        return getattr(super(self._o, self), name)(*args, **kwargs)

    call.__name__ = name
    return call


def _apassing(name):
    """An ``async def`` override of restflow's async ``name`` that awaits the stock one."""

    async def call(self, *args, **kwargs):
        return await getattr(super(self._o, self), name)(*args, **kwargs)

    call.__name__ = name
    return call


async def _aqueryset(self):
    return Product.objects.order_by("id")


# Per step: the sync override both sides get, and the async one restflow's side gets.
SYNC = {
    "request": {"initialize_request": _passing("initialize_request")},
    "negotiation": {"perform_content_negotiation": _passing("perform_content_negotiation")},
    "renderers": {"get_renderers": _passing("get_renderers")},
    "versioning": {"determine_version": _passing("determine_version")},
    "authentication": {"perform_authentication": _passing("perform_authentication")},
    "permissions": {"check_permissions": _passing("check_permissions")},
    "object permissions": {"check_object_permissions": _passing("check_object_permissions")},
    "throttles": {"check_throttles": _passing("check_throttles")},
    "initial": {"initial": _passing("initial")},
    "queryset": {"get_queryset": lambda self: Product.objects.order_by("id")},
    "object lookup": {"get_object": _passing("get_object")},
    "filtering": {"filter_queryset": _passing("filter_queryset")},
    "exception handling": {"handle_exception": _passing("handle_exception")},
    "headers": {"default_response_headers": property(lambda self: super(self._o, self).default_response_headers)},
    "finalize": {"finalize_response": _passing("finalize_response")},
}
ASYNC = {
    "authentication": {"aperform_authentication": _apassing("aperform_authentication")},
    "permissions": {"acheck_permissions": _apassing("acheck_permissions")},
    "object permissions": {"acheck_object_permissions": _apassing("acheck_object_permissions")},
    "throttles": {"acheck_throttles": _apassing("acheck_throttles")},
    "queryset": {"get_queryset": _aqueryset},
    "object lookup": {"aget_object": _apassing("aget_object")},
    "filtering": {"afilter_queryset": _apassing("afilter_queryset")},
    "exception handling": {"ahandle_exception": _apassing("ahandle_exception")},
    "finalize": {"afinalize_response": _apassing("afinalize_response")},
}


def _viewset(name, bases, attributes):
    cls = type(name, bases, {"__module__": __name__, **attributes})
    cls._o = cls  # the pass-throughs' super() starts above the class itself
    return cls


def _slug(step):
    return step.replace(" ", "-")


router = SimpleRouter()
router.register("drf/plain", _viewset("DrfPlain", (Ping, Body, viewsets.ModelViewSet), {}), basename="drf-plain")
CASES = []
for kind, overrides, ping in (("sync", SYNC, Ping), ("async", ASYNC, AsyncPing)):
    for step, attributes in overrides.items():
        case = f"{kind}-{_slug(step)}"
        router.register(f"flow/{case}", _viewset(case, (ping, Body, AsyncModelViewSet), attributes), basename=case)
        CASES.append(case)
urlpatterns = [path("", include(router.urls))]

REQUESTS = [
    ("get", "", {}),
    ("get", "{pk}/", {}),
    ("get", "ping/", {}),
    ("get", "ping/", {"HTTP_ACCEPT": "application/json; indent=4"}),
    ("get", "999999/", {}),  # 404
    ("get", "ping/", {"HTTP_ACCEPT": "application/xml"}),  # 406
    ("delete", "ping/", {}),  # 405
    ("post", "", {"data": {"name": "New", "sku": "N-1", "price": "3.00"}}),
    ("post", "", {"data": {"name": "", "sku": "N-2", "price": "x"}}),  # 400
]


@pytest.fixture
def products():
    return [Product.objects.create(name=f"P{i}", sku=f"P-{i}", price=i) for i in range(3)]


def _answer(response):
    headers = {name: response.get(name) for name in HEADERS}
    return response.status_code, response.content, headers


@pytest.mark.parametrize("case", CASES)
async def test_each_step_override_answers_as_drf(client, products, case):
    cls = next(cls for prefix, cls, _ in router.registry if prefix == f"flow/{case}")
    step = case.split("-", 1)[1].replace("-", " ")
    if step in plan_for(cls).steps:
        assert plan_for(cls).steps[step].how != "stock", plan_for(cls).steps[step]
    drf_client = APIClient()
    for method, suffix, kwargs in REQUESTS:
        suffix = suffix.format(pk=products[1].pk)
        kwargs = dict(kwargs)
        data = kwargs.pop("data", None)
        extra = {"format": "json"} if data is not None else {}
        ours = await getattr(client, method)(f"/flow/{case}/{suffix}", data, **extra, **kwargs)
        ours_rows = [row async for row in Product.objects.order_by("id").values("name", "sku", "price")]
        await Product.objects.filter(sku__startswith="N-").adelete()
        drf = await _drf_call(drf_client, method, f"/drf/plain/{suffix}", data, extra, kwargs)
        drf_rows = [row async for row in Product.objects.order_by("id").values("name", "sku", "price")]
        await Product.objects.filter(sku__startswith="N-").adelete()
        status, content, headers = _answer(ours)
        assert (status, headers) == _answer(drf)[::2], (method, suffix)
        assert _same(content, case) == _same(drf.content, "plain"), (method, suffix)
        assert ours_rows == drf_rows


def _same(content, name):
    """Bytes with the side's URL prefix and the new row's id (a sequence value) taken out."""
    content = content.replace(f"/flow/{name}/".encode(), b"/X/").replace(b"/drf/plain/", b"/X/")
    return re.sub(rb'"id":\d+', b'"id":0', content)


async def _drf_call(drf_client, method, url, data, extra, kwargs):
    return await sync_to_async(getattr(drf_client, method))(url, data, **extra, **kwargs)

"""The dispatch plan: each step runs where the class's code says, decided once per class.

Through real routing (this module's URLconf): a sync ``handle_exception`` override that queries
runs in a hop; a sync viewset honours an ``action_configs`` key that is an ``@action``'s
``url_name``; with ``DJANGO_ALLOW_ASYNC_UNSAFE`` set, sync serializer code goes to a thread (and
the project is warned once); a sync ``get_queryset`` override runs once per request, off the
loop. Then the plan itself: what ``explain`` says, one plan per class across threads.
"""

import asyncio
import os
import re
import subprocess
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.urls import include, path
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIClient

from restflow import _sync
from restflow._dispatch import explain, plan_for
from restflow.views import ActionConfig, AsyncAPIView, AsyncModelViewSet, ModelViewSet

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


def on_loop():
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class OtherSerializer(UserSerializer):
    pass


class QueryingHandleException(AsyncAPIView):
    """A DRF-style sync ``handle_exception`` override that queries (counts users)."""

    permission_classes = [AllowAny]

    async def get(self, request):
        raise ValueError("boom")

    def handle_exception(self, exc):
        return Response({"users": User.objects.count(), "on_loop": on_loop()}, status=418)


class SyncViewSet(ModelViewSet):
    """restflow's sync ModelViewSet: ``action_configs`` keyed by the action's ``url_name``."""

    queryset = User.objects.order_by("id")
    serializer_class = UserSerializer
    permission_classes = [AllowAny]
    action_configs = {"user-stats": ActionConfig(serializer_class=OtherSerializer)}

    @action(detail=False, url_path="stats", url_name="user-stats")
    def stats(self, request):
        return Response({"serializer": self.get_serializer_class().__name__})


calls = []


class CountingSerializer(UserSerializer):
    """A method field that records where it ran, and how often."""

    where = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = ["id", "username", "where"]

    def get_where(self, obj):
        calls.append(("field", on_loop()))
        return obj.groups.count()  # a query per row


class QueryingViewSet(AsyncModelViewSet):
    """A sync ``get_queryset`` override with a side effect before its query."""

    serializer_class = CountingSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        calls.append(("get_queryset", on_loop()))
        User.objects.exists()  # a query of its own, as DRF code often makes here
        return User.objects.order_by("id")


class UnsafeSerializer(CountingSerializer):
    """Its own class: no earlier request has sent its rendering to the thread."""


class UnsafeViewSet(AsyncModelViewSet):
    queryset = User.objects.order_by("id")
    serializer_class = UnsafeSerializer
    permission_classes = [AllowAny]


@pytest.fixture
def users():
    return [User.objects.create(username=f"user{i}") for i in range(2)]


@pytest.fixture
def recorded():
    calls.clear()
    yield calls
    calls.clear()


async def test_sync_handle_exception_override_runs_in_a_hop(client, users):
    response = await client.get("/handle-exception/")
    assert response.status_code == 418
    assert response.json() == {"users": 2, "on_loop": False}


def test_sync_viewset_reads_an_action_configs_key_that_is_a_url_name(users):
    response = APIClient().get("/sync-users/stats/")
    assert response.status_code == 200
    assert response.json() == {"serializer": "OtherSerializer"}
    assert "stats" not in SyncViewSet.action_configs  # the class itself is left as written


async def test_sync_get_queryset_override_runs_once_in_a_hop(client, users, recorded):
    response = await client.get("/querying/")
    assert response.status_code == 200
    assert [call for call in recorded if call[0] == "get_queryset"] == [("get_queryset", False)]


async def test_allow_async_unsafe_sends_sync_serializer_code_to_a_thread(client, users, recorded, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setattr(_sync, "_warned_unsafe", [])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            response = await client.get("/unsafe/")
            assert response.status_code == 200
    assert [call for call in recorded if call[0] == "field"] == [("field", False)] * 4  # 2 rows, 2 requests
    unsafe = [w for w in caught if "DJANGO_ALLOW_ASYNC_UNSAFE" in str(w.message)]
    assert len(unsafe) == 1 and unsafe[0].category is RuntimeWarning


class Overrides(AsyncModelViewSet):
    queryset = User.objects.all()
    serializer_class = UserSerializer

    def check_permissions(self, request):
        super().check_permissions(request)

    async def check_throttles(self, request):
        pass

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force)


def test_plan_records_how_each_override_runs():
    plan = plan_for(Overrides)
    assert plan.permissions == _sync.HOP
    assert plan.throttles == _sync.ASYNC
    assert plan.negotiation == _sync.LOOP
    assert plan.authentication == _sync.STOCK
    assert plan.handler("list").how == _sync.ASYNC
    text = explain(Overrides)
    assert "Overrides.check_permissions is sync and overridden: runs in a hop" in text
    assert "Overrides.check_throttles is async: awaited on the loop" in text
    assert "handler retrieve" in text


def test_plan_is_built_once_per_class_across_threads():
    class Fresh(AsyncModelViewSet):
        queryset = User.objects.all()

    barrier = threading.Barrier(8)

    def build(_):
        barrier.wait()
        return plan_for(Fresh)

    with ThreadPoolExecutor(8) as pool:
        plans = list(pool.map(build, range(8)))
    assert all(plan is plans[0] for plan in plans)


def test_explain_command_prints_the_plan():
    result = subprocess.run(
        [sys.executable, "-m", "restflow", "explain", f"{__name__}.Overrides"],
        check=False, capture_output=True, text=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    )
    assert result.returncode == 0, result.stderr
    assert "permissions" in result.stdout and "runs in a hop" in result.stdout


# --- the light path -----------------------------------------------------------------------------


class Stock(AsyncModelViewSet):
    queryset = User.objects.order_by("id")
    serializer_class = UserSerializer
    permission_classes = [AllowAny]

    @action(detail=False)
    async def ping(self, request):
        return Response({"ping": "\u2028ok", "n": 1})


# Every light step falls back: each DRF method the light path replaces is overridden (no
# docstring: the browsable API would show it, and the pages are compared).
class General(Stock):
    def initialize_request(self, request, *args, **kwargs):
        return super().initialize_request(request, *args, **kwargs)

    def get_renderers(self):
        return super().get_renderers()

    def finalize_response(self, request, response, *args, **kwargs):
        return super().finalize_response(request, response, *args, **kwargs)


def test_light_and_general_plans():
    light, general = plan_for(Stock), plan_for(General)
    assert light.light_request and light.light_negotiation and light.light_finalize
    assert not (general.light_request or general.light_negotiation or general.light_finalize)
    assert "lazy Request            no: initialize_request" in explain(General)


def _same_page(content):
    return re.sub(rb'"csrfToken": "[^"]*"', b"", content)  # a fresh token per page


@pytest.mark.parametrize(
    "path,accept",
    [
        ("/stock/", "application/json"),
        ("/stock/ping/", "application/json"),
        ("/stock/ping/", "application/json; indent=2"),
        ("/stock/?format=json", "*/*"),
        ("/stock/ping/?format=api", "text/html"),
        ("/stock/ping/", "text/html"),
        ("/stock/1/", "application/json"),  # 404
        ("/stock/ping/", "application/xml"),  # 406
    ],
)
async def test_light_path_answers_as_the_general_path(client, users, path, accept):
    light = await client.get(path, HTTP_ACCEPT=accept)
    general = await client.get(path.replace("/stock/", "/general/"), HTTP_ACCEPT=accept)
    assert light.status_code == general.status_code
    assert _same_page(light.content.replace(b"/stock/", b"/general/").replace(b"Stock", b"General")) == _same_page(
        general.content
    )
    if b"<html" not in general.content:  # a page's length moves with the view's name
        assert dict(light.headers) == dict(general.headers)
    assert [*light.headers] == [*general.headers]
    assert light.renderer_context.keys() == general.renderer_context.keys()
    assert {"view", "args", "kwargs", "request", "response"} <= light.renderer_context.keys()
    assert light.renderer_context["response"] is light and light.data == general.data


async def test_light_request_reads_parsers_negotiator_and_context_when_asked(client, users):
    response = await client.post("/stock/", {"username": "posted"}, format="json")
    assert response.status_code == 201, response.content
    request = response.renderer_context["request"]
    assert [type(p).__name__ for p in request.parsers] == ["JSONParser", "FormParser", "MultiPartParser"]
    assert type(request.negotiator).__name__ == "DefaultContentNegotiation"
    assert request.parser_context["request"] is request
    assert request.parser_context["view"] is response.renderer_context["view"]


def test_light_request_holds_the_state_drf_request_init_sets():
    """Pins the private state DRF's ``Request.__init__`` sets, which ``_LightRequest`` sets too."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory, force_authenticate

    from restflow._request import build_request, light_request

    django_request = APIRequestFactory().get("/")
    force_authenticate(django_request, user=User(username="forced"))
    view = Stock(action_map={"get": "list"}, action="list", args=(), kwargs={}, format_kwarg=None)
    drf, light = build_request(view, django_request), light_request(view, django_request)
    assert isinstance(light, Request) and type(light).__init__ is not Request.__init__
    for request in (drf, light):
        request.parsers, request.negotiator, request.parser_context  # noqa: B018 (built when read)
    names = set(vars(drf)) | {"_view"}
    assert set(vars(light)) == names
    for name in names - {"_view", "authenticators", "parsers", "negotiator", "parser_context"}:
        assert getattr(light, name) == getattr(drf, name), name
    assert [type(a) for a in light.authenticators] == [type(a) for a in drf.authenticators]
    assert light.parser_context.keys() == drf.parser_context.keys()


router = SimpleRouter()
router.register("sync-users", SyncViewSet, basename="sync-users")
router.register("querying", QueryingViewSet, basename="querying")
router.register("unsafe", UnsafeViewSet, basename="unsafe")
router.register("stock", Stock, basename="stock")
router.register("general", General, basename="general")
urlpatterns = [
    path("handle-exception/", QueryingHandleException.as_view()),
    path("", include(router.urls)),
]

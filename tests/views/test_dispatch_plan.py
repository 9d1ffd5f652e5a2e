"""The dispatch plan: each step runs where the class's code says, decided once per class.

Through real routing (this module's URLconf): a sync ``handle_exception`` override that queries
runs in a hop; a sync viewset honours an ``action_configs`` key that is an ``@action``'s
``url_name``; with ``DJANGO_ALLOW_ASYNC_UNSAFE`` set, sync serializer code goes to a thread (and
the project is warned once); a sync ``get_queryset`` override runs once per request, off the
loop. Then the plan itself: what ``explain`` says, one plan per class across threads.
"""

import asyncio
import os
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


router = SimpleRouter()
router.register("sync-users", SyncViewSet, basename="sync-users")
router.register("querying", QueryingViewSet, basename="querying")
router.register("unsafe", UnsafeViewSet, basename="unsafe")
urlpatterns = [
    path("handle-exception/", QueryingHandleException.as_view()),
    path("", include(router.urls)),
]


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

"""Conformance with restflow's throttling guide (guide/throttling/index.md, api/throttling/index.md)."""

import inspect

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.urls import path
from rest_framework import serializers
from rest_framework import throttling as drf
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView as DRFAPIView

from restflow.throttling import (
    AnonRateThrottle,
    BaseThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
    throttler_allow_request,
)
from restflow.views import ActionConfig, AsyncAPIView, AsyncModelViewSet
from tests.support.testapp.models import Product

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.throttling.test_throttles_api")]

RATES = {
    "anon": "2/min",
    "user": "3/min",
    "uploads": "1/min",
    "downloads": "2/min",
    "tenant": "1/min",
    "api_key": "2/hour",
    "list": "3/hour",
    "destroy": "1/hour",
    "exports": "1/min",
    "isolated": "1/min",
}


@pytest.fixture(autouse=True)
def rates(monkeypatch):
    """DEFAULT_THROTTLE_RATES, which DRF reads into SimpleRateThrottle.THROTTLE_RATES at import."""
    monkeypatch.setattr(drf.SimpleRateThrottle, "THROTTLE_RATES", RATES)


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku"]


class ArticleView(AsyncAPIView):
    """guide/throttling, the first example (``self.respond`` as the guide writes it)."""

    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    async def get(self, request):
        return self.respond({"ok": True})


MAINTENANCE = {"active": False}


def maintenance_window_active():
    return MAINTENANCE["active"]


class MaintenanceThrottle(BaseThrottle):
    """guide/throttling, "Async hooks": an async-only custom throttle."""

    async def aallow_request(self, request, view):
        return not maintenance_window_active()

    def wait(self):
        return 60


class MaintenanceView(AsyncAPIView):
    throttle_classes = [MaintenanceThrottle]

    async def get(self, request):
        return Response({"ok": True})


class SyncMaintenanceView(DRFAPIView):
    throttle_classes = [MaintenanceThrottle]

    def get(self, request):
        return Response({"ok": True})


class TenantRateThrottle(SimpleRateThrottle):
    """guide/throttling, "SimpleRateThrottle": a key per tenant (here: the user's last name)."""

    scope = "tenant"

    def get_cache_key(self, request, view):
        tenant_id = getattr(request.user, "last_name", None) or None
        if tenant_id is None:
            return None
        return self.cache_format.format(scope=self.scope, ident=tenant_id)


class TenantView(AsyncAPIView):
    throttle_classes = [TenantRateThrottle]

    async def get(self, request):
        return Response({"ok": True})


class ApiKeyRateThrottle(SimpleRateThrottle):
    """guide/throttling, "Custom throttles"."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        api_key = request.headers.get("X-API-Key")
        if not api_key:
            return None
        return self.cache_format.format(scope=self.scope, ident=api_key)


class ApiKeyView(AsyncAPIView):
    throttle_classes = [ApiKeyRateThrottle]

    async def get(self, request):
        return Response({"ok": True})


class UploadView(AsyncAPIView):
    """guide/throttling, "ScopedRateThrottle"."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "uploads"

    async def get(self, request):
        return Response({"ok": True})


class DownloadView(UploadView):
    throttle_scope = "downloads"


class ArticleViewSet(AsyncModelViewSet):
    """guide/throttling, "Per-action throttling"."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    throttle_classes = [UserRateThrottle]

    action_configs = {
        "list": ActionConfig(throttle_classes=[ScopedRateThrottle]),
        "destroy": ActionConfig(throttle_classes=[ScopedRateThrottle]),
    }

    throttle_scope = "list"

    def get_throttles(self):
        if self.action == "destroy":
            self.throttle_scope = "destroy"
        else:
            self.throttle_scope = "list"
        return super().get_throttles()


class ReportViewSet(AsyncModelViewSet):
    """guide/throttling, "Per-action throttling": throttle_scope through @action's kwargs."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    throttle_classes = [ScopedRateThrottle]

    @action(detail=False, methods=["post"], throttle_scope="exports")
    async def export(self, request):
        return self.respond({"ok": True})


class Slow(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 42


class Slower(Slow):
    def wait(self):
        return 90


class TwoLimitsView(AsyncAPIView):
    throttle_classes = [Slow, Slower]

    async def get(self, request):
        return Response({"ok": True})


class IsolatedThrottle(SimpleRateThrottle):
    """guide/throttling, "Cache backend": counters in another cache alias."""

    cache = caches["throttling"] if "throttling" in caches.settings else caches["default"]
    scope = "isolated"

    def get_cache_key(self, request, view):
        return self.cache_format.format(scope=self.scope, ident="all")


router = DefaultRouter()
router.register("articles", ArticleViewSet, basename="articles")
router.register("reports", ReportViewSet, basename="reports")

urlpatterns = [
    path("article/", ArticleView.as_view()),
    path("maintenance/", MaintenanceView.as_view()),
    path("sync-maintenance/", SyncMaintenanceView.as_view()),
    path("tenant/", TenantView.as_view()),
    path("api-key/", ApiKeyView.as_view()),
    path("upload/", UploadView.as_view()),
    path("download/", DownloadView.as_view()),
    path("two-limits/", TwoLimitsView.as_view()),
    *router.urls,
]


async def statuses(client, url, count, **extra):
    return [(await client.get(url, **extra)).status_code for _ in range(count)]


def test_every_class_has_the_async_hook():
    """api/throttling/index.md: BaseThrottle, SimpleRateThrottle and the three rate throttles."""
    for cls in (BaseThrottle, SimpleRateThrottle, AnonRateThrottle, UserRateThrottle, ScopedRateThrottle):
        assert issubclass(cls, drf.BaseThrottle) and issubclass(cls, BaseThrottle), cls
        assert inspect.iscoroutinefunction(cls.aallow_request), cls
    # "cache_format defaults to throttle_{scope}_{ident}": .format and DRF's % give the same key.
    key_format = SimpleRateThrottle.cache_format
    assert key_format.format(scope="s", ident="i") == key_format % {"scope": "s", "ident": "i"} == "throttle_s_i"


async def test_anon_and_user_throttles_stack(client):
    """guide/throttling, first example, "AnonRateThrottle" and "UserRateThrottle": independent scopes."""
    assert (await client.get("/article/")).json() == {"ok": True}
    assert await statuses(client, "/article/", 2) == [200, 429]
    client.force_authenticate(await User.objects.acreate(username="u"))
    assert await statuses(client, "/article/", 4) == [200, 200, 200, 429]


async def test_async_only_custom_throttle(client):
    """guide/throttling, "Async hooks": aallow_request decides, wait() gives Retry-After."""
    assert (await client.get("/maintenance/")).status_code == 200
    MAINTENANCE["active"] = True
    try:
        denied = await client.get("/maintenance/")
        assert denied.status_code == 429 and denied["Retry-After"] == "60"
        # The same class on a sync DRF view: allow_request runs the async hook to completion.
        assert (await client.get("/sync-maintenance/")).status_code == 429
    finally:
        MAINTENANCE["active"] = False
    assert (await client.get("/sync-maintenance/")).status_code == 200


async def test_base_throttle_default_hook_runs_sync_allow_request():
    """guide/throttling, "Async hooks": BaseThrottle's default aallow_request runs allow_request in a thread."""
    assert await Slow().aallow_request(None, None) is False


async def test_simple_rate_throttle_custom_key(client):
    """guide/throttling, "SimpleRateThrottle": get_cache_key per tenant; None skips the throttle."""
    assert await statuses(client, "/tenant/", 3) == [200, 200, 200]
    client.force_authenticate(await User.objects.acreate(username="a", last_name="acme"))
    assert await statuses(client, "/tenant/", 2) == [200, 429]
    client.force_authenticate(await User.objects.acreate(username="b", last_name="globex"))
    assert await statuses(client, "/tenant/", 1) == [200]


async def test_custom_api_key_throttle(client):
    """guide/throttling, "Custom throttles": an API-key throttle; no key, no limit."""
    assert await statuses(client, "/api-key/", 3, HTTP_X_API_KEY="k1") == [200, 200, 429]
    assert await statuses(client, "/api-key/", 1, HTTP_X_API_KEY="k2") == [200]
    assert await statuses(client, "/api-key/", 3) == [200, 200, 200]


async def test_scoped_rate_throttle(client):
    """guide/throttling, "ScopedRateThrottle": the scope comes from view.throttle_scope."""
    assert await statuses(client, "/upload/", 2) == [200, 429]
    assert await statuses(client, "/download/", 3) == [200, 200, 429]


async def test_per_action_throttling(client):
    """guide/throttling, "Per-action throttling": ActionConfig throttle_classes with per-action scopes."""
    client.force_authenticate(await User.objects.acreate(username="u"))
    products = [await Product.objects.acreate(name="n", sku=f"s{i}") for i in range(3)]
    assert await statuses(client, "/articles/", 4) == [200, 200, 200, 429]
    assert (await client.delete(f"/articles/{products[0].pk}/")).status_code == 204
    assert (await client.delete(f"/articles/{products[1].pk}/")).status_code == 429
    # retrieve keeps the class-level UserRateThrottle (3/min for the user)
    assert await statuses(client, f"/articles/{products[2].pk}/", 4) == [200, 200, 200, 429]


async def test_action_throttle_scope_keyword(client):
    """guide/throttling, "Per-action throttling": @action(throttle_scope="exports")."""
    assert [(await client.post("/reports/export/")).status_code for _ in range(2)] == [200, 429]


async def test_largest_wait_wins(client):
    """guide/throttling, "Headers and 429 responses": several denials answer the largest wait."""
    response = await client.get("/two-limits/")
    assert response.status_code == 429 and response["Retry-After"] == "90"
    assert response.json() == {"detail": "Request was throttled. Expected available in 90 seconds."}


def test_missing_rate_fails_loudly():
    """guide/throttling, "Forgetting DEFAULT_THROTTLE_RATES": the docs say the throttle silently allows
    everything; DRF (and restflow, which keeps DRF's behaviour) refuses with ImproperlyConfigured."""

    class Forgotten(SimpleRateThrottle):
        scope = "nowhere"

    with pytest.raises(ImproperlyConfigured, match="nowhere"):
        Forgotten()


async def test_cache_override_and_helper():
    """guide/throttling, "Cache backend" (cache = caches[...]) and restflow.throttling.throttler_allow_request."""
    request = Request(APIRequestFactory().get("/"))
    assert await throttler_allow_request(IsolatedThrottle(), request, None) is True
    assert await throttler_allow_request(IsolatedThrottle(), request, None) is False
    assert await throttler_allow_request(Slow(), request, None) is False
    assert await throttler_allow_request(MaintenanceThrottle(), request, None) is True

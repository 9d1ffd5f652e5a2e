"""restflow.throttling: DRF's rates and keys, kept in a cache through the async cache API."""

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache as default_cache
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connections
from django.test import AsyncClient
from rest_framework import serializers
from rest_framework import throttling as drf
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIRequestFactory

from restflow import throttling
from restflow.views import AsyncReadOnlyModelViewSet
from tests.support.services import redis_answers
from tests.support.testapp.models import Product

factory = APIRequestFactory()
RATES = {"anon": "3/min", "user": "3/min", "uploads": "2/min", "downloads": "5/min"}


class Clock:
    """A settable ``timer`` shared by throttles, so windows and waits are exact."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def throttle(cls, clock, cache=default_cache):
    """An instance of ``cls`` with the test rates, the test clock and ``cache``."""
    return type(cls.__name__, (cls,), {"THROTTLE_RATES": RATES, "timer": clock, "cache": cache})()


def request(ip="10.0.0.1", user=None):
    drf_request = Request(factory.get("/", REMOTE_ADDR=ip))
    drf_request.user = user or AnonymousUser()
    return drf_request


class View:
    throttle_scope = None


def scoped(scope):
    return type("ScopedView", (View,), {"throttle_scope": scope})()


async def test_limit_holds_across_instances_sharing_a_cache(clock):
    """Each request gets a fresh throttle instance, as each worker process would."""
    answers = []
    for _ in range(4):
        answers.append(await throttle(throttling.AnonRateThrottle, clock).aallow_request(request(), View()))
        clock.now += 1
    assert answers == [True, True, True, False]
    assert await throttle(throttling.AnonRateThrottle, clock).aallow_request(request("10.0.0.2"), View())


async def test_limit_holds_across_separate_cache_clients(clock, tmp_path):
    """Two cache clients on one store (two processes on one Redis or file cache) share a limit."""
    first, second = (FileBasedCache(str(tmp_path), {}) for _ in range(2))
    answers = [
        await throttle(throttling.UserRateThrottle, clock, cache).aallow_request(request(), View())
        for cache in (first, second, first, second)
    ]
    assert answers == [True, True, True, False]


@pytest.mark.redis
async def test_limit_holds_across_redis_clients(clock):
    """Two Redis cache clients (two worker processes on one Redis) share one limit."""
    import uuid

    from django.core.cache.backends.redis import RedisCache

    from tests.support.services import redis_url

    options = {"KEY_PREFIX": f"restflow-test-{uuid.uuid4().hex}"}
    first, second = (RedisCache(redis_url(), options) for _ in range(2))  # keys expire with the rate
    answers = [
        await throttle(throttling.UserRateThrottle, clock, cache).aallow_request(request(), View())
        for cache in (first, second, first, second)
    ]
    assert answers == [True, True, True, False]


async def test_sync_drf_throttle_and_async_throttle_share_keys(clock):
    """Sync DRF views and async restflow views count against one limit."""
    sync = throttle(drf.UserRateThrottle, clock)
    assert await sync_to_async(sync.allow_request)(request(), View())
    assert await throttle(throttling.UserRateThrottle, clock).aallow_request(request(), View())
    assert await sync_to_async(sync.allow_request)(request(), View())
    assert not await throttle(throttling.UserRateThrottle, clock).aallow_request(request(), View())
    assert len(await default_cache.aget("throttle_user_10.0.0.1")) == 3


async def test_wait_matches_drf(clock):
    """Requests at t=0, 10, 20; the fourth at t=30 waits until the first leaves the minute."""
    restflow_throttle = throttle(throttling.AnonRateThrottle, clock)
    for _ in range(3):
        assert await restflow_throttle.aallow_request(request(), View())
        clock.now += 10
    assert not await restflow_throttle.aallow_request(request(), View())
    assert restflow_throttle.wait() == 30.0

    drf_throttle = throttle(drf.AnonRateThrottle, clock)
    assert not await sync_to_async(drf_throttle.allow_request)(request(), View())
    assert drf_throttle.wait() == restflow_throttle.wait()

    clock.now += 30.5  # the request at t=0 has left the window
    assert await restflow_throttle.aallow_request(request(), View())


async def test_wait_before_the_limit(clock):
    restflow_throttle = throttle(throttling.AnonRateThrottle, clock)
    assert await restflow_throttle.aallow_request(request(), View())
    assert restflow_throttle.wait() == 60 / 3


@pytest.mark.django_db(transaction=True)
async def test_users_are_limited_by_id_and_anon_throttle_skips_them(clock):
    alice, bob = [
        await sync_to_async(User.objects.create_user)(name) for name in ("alice", "bob")
    ]
    user_answers = [
        await throttle(throttling.UserRateThrottle, clock).aallow_request(request(ip, alice), View())
        for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4")
    ]
    assert user_answers == [True, True, True, False]
    assert await throttle(throttling.UserRateThrottle, clock).aallow_request(request(user=bob), View())
    anon = throttle(throttling.AnonRateThrottle, clock)
    assert all([await anon.aallow_request(request(user=alice), View()) for _ in range(5)])
    await sync_to_async(connections.close_all)()


async def test_scoped_throttle_limits_per_scope(clock):
    uploads = [
        await throttle(throttling.ScopedRateThrottle, clock).aallow_request(request(), scoped("uploads"))
        for _ in range(3)
    ]
    assert uploads == [True, True, False]
    assert await throttle(throttling.ScopedRateThrottle, clock).aallow_request(
        request(), scoped("downloads")
    )
    unscoped = throttle(throttling.ScopedRateThrottle, clock)
    assert all([await unscoped.aallow_request(request(), View()) for _ in range(5)])
    assert await default_cache.aget("throttle_uploads_10.0.0.1") is not None


class ProductQuota(drf.BaseThrottle):
    """A third-party sync throttle that asks the database."""

    def allow_request(self, request, view):
        return Product.objects.count() < 1


@pytest.mark.django_db(transaction=True)
async def test_helper_runs_a_sync_throttle_in_a_hop():
    assert await throttling.aallow_request(ProductQuota(), request(), View())
    await Product.objects.acreate(name="lamp", sku="lamp-1")
    assert not await throttling.aallow_request(ProductQuota(), request(), View())
    await sync_to_async(connections.close_all)()


async def test_helper_awaits_an_async_throttle(clock):
    """restflow's own throttle is awaited; its sync method is never called."""

    def refuse(*args, **kwargs):
        raise AssertionError("the sync method must not run")

    async def ask():
        instance = throttle(throttling.AnonRateThrottle, clock)
        instance.allow_request = refuse
        return await throttling.aallow_request(instance, request(), View())

    answers = [await ask() for _ in range(4)]
    assert answers == [True, True, True, False]


# Through a real route --------------------------------------------------------------------

ROUTE_CLOCK = Clock()


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name"]


class ThrottledProducts(AsyncReadOnlyModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [
        type("Scoped", (throttling.ScopedRateThrottle,), {"THROTTLE_RATES": RATES, "timer": ROUTE_CLOCK})
    ]
    throttle_scope = "uploads"


router = DefaultRouter()
router.register("products", ThrottledProducts, basename="throttled")
urlpatterns = router.urls


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
async def test_route_answers_429_with_retry_after():
    """Two requests a minute: at t=0 and t=10 allowed, at t=20 told to retry in 40 seconds."""
    client, statuses = AsyncClient(), []
    for _ in range(3):
        response = await client.get("/products/")
        statuses.append(response.status_code)
        ROUTE_CLOCK.now += 10
    assert statuses == [200, 200, 429]
    assert response.headers["Retry-After"] == "40"
    assert response.json()["detail"] == "Request was throttled. Expected available in 40 seconds."
    await sync_to_async(connections.close_all)()


async def test_subclass_overriding_only_the_sync_method_is_honoured():
    """A restflow throttle subclass that overrides only allow_request is asked through it."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from restflow.throttling import AnonRateThrottle, aallow_request

    class Closed(AnonRateThrottle):
        rate = "100/min"

        def allow_request(self, request, view):
            return False

    request = Request(APIRequestFactory().get("/"))
    assert await aallow_request(Closed(), request, None) is False

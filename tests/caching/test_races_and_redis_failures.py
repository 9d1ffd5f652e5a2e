"""Cache writes racing an invalidation, and the cache when Redis fails (issue: faults 6 and 8).

A reader that computed from data a write then changed must not store its answer after the
write's invalidation; a dead Redis makes cached views answer uncached; a failed invalidation
is counted, kept, and applied before this process reads the cache again.
"""

import os

import pytest
from django.test import override_settings
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from restflow import _redis
from restflow.caching import cache_response, cache_result
from restflow.caching.store import CACHE_MISSING, CacheStore
from restflow.views import AsyncAPIView
from tests.support.services import free_port, redis_answers, redis_url

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": redis_url(),
    "KEY_PREFIX": f"restflow-races-{os.getpid()}",
}
runs = []


class Counted(AsyncAPIView):
    permission_classes = [AllowAny]

    @cache_response(ttl=60, set_cache_headers=True)
    async def get(self, request):
        runs.append(1)
        return Response({"run": len(runs)})


urlpatterns = [path("counted/", Counted.as_view())]


@pytest.fixture(params=["locmem", "redis"])
def backend(request):
    if request.param == "redis" and not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379: the Redis variant of this test needs one")
    with override_settings(CACHES={"default": REDIS if request.param == "redis" else LOCMEM}):
        CacheStore("default").delete_pattern("*")
        yield request.param
        CacheStore("default").delete_pattern("*")


def _counts(event):
    return _redis.failure_counts().get(("default", event), 0)


def test_fault_8_a_value_computed_before_an_invalidation_is_not_stored(backend):
    data = {"price": 1}

    @cache_result(ttl=600)
    def price(item):
        seen = data["price"]
        # While this reader computes, a write commits and its invalidation runs.
        data["price"] = 2
        price.delete_cache(item)
        return seen

    assert price("a") == 1  # computed from the old data: answered, but not stored
    assert price.get_cache_only("a") is CACHE_MISSING


async def test_fault_8_the_async_path_checks_the_generation_too(backend):
    data = {"price": 1}

    @cache_result(ttl=600)
    async def price(item):
        seen = data["price"]
        data["price"] = 2
        await price.adelete_cache(item)
        return seen

    assert await price("a") == 1
    assert await price("a") == 2  # recomputed: the stale answer was never stored


def test_values_computed_after_an_invalidation_are_stored(backend):
    @cache_result(ttl=600)
    def double(value):
        return value * 2

    double.delete_cache(1)
    assert double(1) == 2 and double.get_cache_only(1) == 2


@pytest.fixture
def dead_redis():
    runs.clear()
    dead = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    with override_settings(CACHES={"default": dead}):
        yield


async def test_fault_6_with_redis_down_a_cached_view_answers_uncached(client, dead_redis):
    before = _counts("cache_bypassed")
    answers = [await client.get("/counted/") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200] * 4
    assert [answer.json()["run"] for answer in answers] == [1, 2, 3, 4]
    assert _counts("cache_bypassed") > before


async def test_with_the_raise_policy_a_redis_failure_propagates(client, dead_redis, settings):
    settings.RESTFLOW_SETTINGS = {"REDIS": {"CACHE_ON_FAILURE": "raise"}}
    with pytest.raises(_redis.RedisUnavailable):
        await client.get("/counted/")


def test_fault_8_a_failed_invalidation_is_counted_and_retried_before_the_next_read(backend, monkeypatch):
    if backend != "redis":
        pytest.skip("only Redis invalidations can fail")

    @cache_result(ttl=600)
    def label(item):
        return f"v{len(runs)}"

    runs.clear()
    assert label("a") == "v0"
    real_call = _redis.call

    def failing(alias, method, *args, **kwargs):
        if method in ("incr", "delete", "unlink"):
            raise _redis.RedisUnavailable("down for this test")
        return real_call(alias, method, *args, **kwargs)

    monkeypatch.setattr(_redis, "call", failing)
    before = _counts("invalidation_failed")
    with pytest.raises(_redis.RedisUnavailable):
        label.delete_cache("a")
    assert _counts("invalidation_failed") == before + 1
    assert label.get_cache_only("a") is CACHE_MISSING  # still failing: nothing is read
    monkeypatch.setattr(_redis, "call", real_call)
    runs.append(1)
    assert label("a") == "v1"  # the kept invalidation ran first: the old entry is gone

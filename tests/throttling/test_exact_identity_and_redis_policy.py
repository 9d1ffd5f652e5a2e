"""Exact throttles: who a client is (X-Forwarded-For is not trusted by default) and what happens
when Redis fails (the ``RESTFLOW_SETTINGS["REDIS"]`` policy and its circuit breaker).

Identity tests use the machine's Redis (own key prefix); failure tests point the cache at a
port nothing listens on.
"""

import os

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import path
from rest_framework import throttling as drf
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from restflow import _redis
from restflow._checks import check_num_proxies
from restflow.caching.store import CacheStore
from restflow.throttling import ExactAnonRateThrottle
from restflow.views import AsyncAPIView
from tests.support.services import free_port, redis_answers, redis_url

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

LIVE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": redis_url(),
    "KEY_PREFIX": f"restflow-identity-{os.getpid()}",
}


class Limited(AsyncAPIView):
    permission_classes = [AllowAny]
    throttle_classes = [ExactAnonRateThrottle]

    async def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("limited/", Limited.as_view())]


@pytest.fixture(autouse=True)
def rates(monkeypatch):
    monkeypatch.setattr(drf.SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})


@pytest.fixture
def live_redis():
    if not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379: the exact throttle identity tests need one")
    with override_settings(CACHES={"default": LIVE}):
        CacheStore("default").delete_pattern("*")
        yield
        CacheStore("default").delete_pattern("*")


@pytest.fixture
def dead_redis():
    """The default cache on a port where nothing answers."""
    dead = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    with override_settings(CACHES={"default": dead}):
        yield


async def _statuses(client, count, forwarded):
    return [(await client.get("/limited/", headers={"X-Forwarded-For": forwarded(n)})).status_code for n in range(count)]


@pytest.mark.redis
async def test_fault_7_a_spoofed_forwarded_for_does_not_escape_the_limit(client, live_redis):
    statuses = await _statuses(client, 8, lambda n: f"203.0.113.{n}")
    assert statuses == [200] * 3 + [429] * 5


@pytest.mark.redis
async def test_with_num_proxies_the_proxys_entry_is_the_client(client, live_redis, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The client writes whatever it likes on the left; the proxy appends the address it saw.
    statuses = await _statuses(client, 6, lambda n: f"spoof-{n}, 198.51.100.7")
    assert statuses == [200] * 3 + [429] * 3


@pytest.mark.redis
async def test_a_long_identity_is_stored_under_a_short_key(client, live_redis, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    await client.get("/limited/", headers={"X-Forwarded-For": "x" * 8000})
    keys = _redis.sync_client("default").keys(f"{LIVE['KEY_PREFIX']}*")
    assert keys and max(len(key) for key in keys) < 200


def test_w003_when_proxied_without_num_proxies(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert [message.id for message in check_num_proxies()] == ["restflow.W003"]
    assert "restflow.W003" in [message.id for message in checks.run_checks(tags=[checks.Tags.security])]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert check_num_proxies() == []


async def test_fault_6_redis_down_lets_requests_through_by_default_and_opens_the_circuit(client, dead_redis):
    before = _redis.failure_counts()
    statuses = [(await client.get("/limited/")).status_code for _ in range(6)]
    after = _redis.failure_counts()
    assert statuses == [200] * 6
    assert after.get(("default", "throttle_allowed"), 0) - before.get(("default", "throttle_allowed"), 0) == 6
    assert after.get(("default", "short_circuited"), 0) - before.get(("default", "short_circuited"), 0) == 3


async def test_fault_6_redis_down_refuses_when_the_policy_says_deny(client, dead_redis, settings):
    settings.RESTFLOW_SETTINGS = {"REDIS": {"THROTTLE_ON_FAILURE": "deny", "BREAKER_RESET": 7}}
    answer = await client.get("/limited/")
    assert answer.status_code == 429 and answer["Retry-After"] == "7"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SOCKET_TIMEOUT", 0, "['SOCKET_TIMEOUT'] must be a number of seconds above 0, not 0."),
        ("POOL_SIZE", "8", "['POOL_SIZE'] must be a whole number of 1 or more, not '8'."),
        ("CACHE_ON_FAILURE", "ignore", "['CACHE_ON_FAILURE'] must be one of 'bypass', 'raise', not 'ignore'."),
        ("THROTTLE_ON_FAILURE", "open", "must be one of 'allow', 'deny', 'raise', not 'open'."),
    ],
)
def test_a_bad_redis_setting_fails_loudly(settings, name, value, message):
    settings.RESTFLOW_SETTINGS = {"REDIS": {name: value}}
    with pytest.raises(ImproperlyConfigured) as raised:
        _redis.policy()
    assert message in str(raised.value)

"""Redis for restflow: clients per cache alias, the policy for when Redis fails, a circuit breaker.

Django's cache backends answer ``aget``/``aset`` through ``sync_to_async``: a hop per call.
When an alias is backed by Redis (Django's ``RedisCache`` or django-redis), restflow talks to
the same server with ``redis.asyncio`` (and ``redis`` from sync code), using the backend's own
key function and Django's pickle format, so sync and async code read each other's entries.

Every such call goes through ``call``/``acall``: bounded by ``RESTFLOW_SETTINGS["REDIS"]``'s
timeouts, and refused at once (``RedisUnavailable``) while the alias's circuit is open, that is
after ``BREAKER_FAILURES`` calls in a row found Redis down or frozen, for ``BREAKER_RESET``
seconds; then one call tries again. A dead Redis so costs microseconds per request, not a timeout.
What a failure means (serve uncached, let a throttled request through) is the callers' policy.
"""

import logging
import numbers
import pickle
import threading
import time
import weakref
from asyncio import get_running_loop
from collections import Counter

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from restflow.settings import SETTING_NAME, restflow_settings

try:
    import redis
    import redis.asyncio
except ImportError:  # without the redis extra no alias is used as a Redis cache by restflow
    redis = None  # type: ignore[assignment]

logger = logging.getLogger("restflow.redis")

REDIS_BACKENDS = frozenset({"django.core.cache.backends.redis.RedisCache", "django_redis.cache.RedisCache"})
# django-redis options that change the stored bytes; with them, restflow leaves I/O to the backend.
_FORMAT_OPTIONS = ("SERIALIZER", "COMPRESSOR", "serializer")
# What a call that never reached Redis, or got no answer in time, raises.
_UNREACHABLE = (OSError, TimeoutError) + ((redis.ConnectionError, redis.TimeoutError) if redis else ())
# redis-py's message when every pooled connection stayed busy for POOL_TIMEOUT: this process is
# saturated, which says nothing about Redis, so it fails the call without counting against Redis.
_POOL_EXHAUSTED = "No connection available."

_SECONDS = ("SOCKET_TIMEOUT", "CONNECT_TIMEOUT", "POOL_TIMEOUT", "BREAKER_RESET")
_COUNTS = ("POOL_SIZE", "BREAKER_FAILURES")
_CHOICES = {"CACHE_ON_FAILURE": ("bypass", "raise"), "THROTTLE_ON_FAILURE": ("allow", "deny", "raise")}

_async_clients: dict = {}  # alias -> WeakKeyDictionary(loop -> client)
_sync_clients: dict = {}  # alias -> client
_breakers: dict = {}  # alias -> _Breaker
_policy = None
failures: Counter = Counter()  # (alias, event) -> how many times; see ``failure_counts``


class RedisUnavailable(Exception):
    """Redis did not answer: down, frozen past the timeouts, or its circuit is open."""


def policy():
    """``RESTFLOW_SETTINGS["REDIS"]`` as a dict, validated (ImproperlyConfigured names a bad value)."""
    global _policy
    if _policy is None:
        _policy = _validated(restflow_settings.REDIS.to_dict())
    return _policy


def _validated(values):
    where = f'{SETTING_NAME}["REDIS"]'
    for name in _SECONDS:
        value = values[name]
        if not (isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 < value < float("inf")):
            raise ImproperlyConfigured(f"{where}[{name!r}] must be a number of seconds above 0, not {value!r}.")
    for name in _COUNTS:
        value = values[name]
        if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            raise ImproperlyConfigured(f"{where}[{name!r}] must be a whole number of 1 or more, not {value!r}.")
    for name, choices in _CHOICES.items():
        if values[name] not in choices:
            raise ImproperlyConfigured(
                f"{where}[{name!r}] must be one of {', '.join(map(repr, choices))}, not {values[name]!r}."
            )
    return values


def failure_counts():
    """How often Redis failed, per ``(alias, event)``: a copy, for metrics and tests.

    Events: ``unreachable`` (a call failed), ``pool_exhausted`` (no pooled connection freed up in
    ``POOL_TIMEOUT``; not counted against Redis by the breaker), ``short_circuited`` (refused while the circuit was
    open), ``cache_bypassed``, ``throttle_allowed``, ``throttle_denied``, ``invalidation_failed``.
    """
    return dict(failures)


def redis_url(alias):
    """The Redis server an alias writes to, or None when the alias is not a Redis cache."""
    config = settings.CACHES.get(alias, {})
    if config.get("BACKEND") not in REDIS_BACKENDS:
        return None
    location = config.get("LOCATION")
    servers = location.replace(";", ",").split(",") if isinstance(location, str) else list(location)
    return servers[0].strip()


def speaks_pickle(alias):
    """True when entries of ``alias`` are plain pickles (so restflow may read and write them itself)."""
    options = settings.CACHES.get(alias, {}).get("OPTIONS", {})
    return redis_url(alias) is not None and not any(options.get(name) for name in _FORMAT_OPTIONS)


def _pool_options():
    values = policy()
    return {
        "max_connections": values["POOL_SIZE"],
        "timeout": values["POOL_TIMEOUT"],
        "socket_timeout": values["SOCKET_TIMEOUT"],
        "socket_connect_timeout": values["CONNECT_TIMEOUT"],
    }


def async_client(alias):
    """A ``redis.asyncio`` client for ``alias`` bound to the running event loop."""
    per_loop = _async_clients.setdefault(alias, weakref.WeakKeyDictionary())
    loop = get_running_loop()
    client = per_loop.get(loop)
    if client is None:
        pool = redis.asyncio.BlockingConnectionPool.from_url(redis_url(alias), **_pool_options())
        client = per_loop[loop] = redis.asyncio.Redis(connection_pool=pool)
    return client


def sync_client(alias):
    """A ``redis.Redis`` client for ``alias`` (thread-safe; one per process)."""
    client = _sync_clients.get(alias)
    if client is None:
        pool = redis.BlockingConnectionPool.from_url(redis_url(alias), **_pool_options())
        client = _sync_clients[alias] = redis.Redis(connection_pool=pool)
    return client


class _Breaker:
    """One alias's circuit: open after ``BREAKER_FAILURES`` failures in a row, for ``BREAKER_RESET`` seconds."""

    def __init__(self, alias):
        self.alias = alias
        self.failures = 0
        self.open_until = 0.0
        self._lock = threading.Lock()

    def admit(self):
        """Raise RedisUnavailable while open; once the time is up, let one trial call through."""
        if self.failures < policy()["BREAKER_FAILURES"]:
            return
        with self._lock:
            now = time.monotonic()
            if now < self.open_until:
                failures[self.alias, "short_circuited"] += 1
                raise RedisUnavailable(f"Redis of cache alias {self.alias!r} is unavailable (circuit open).")
            self.open_until = now + policy()["BREAKER_RESET"]  # the others wait while this one tries

    def succeeded(self):
        if self.failures:
            if self.failures >= policy()["BREAKER_FAILURES"]:
                logger.warning("Redis of cache alias %r answers again: circuit closed.", self.alias)
            self.failures = 0

    def failed(self, exc):
        if str(exc) == _POOL_EXHAUSTED:
            failures[self.alias, "pool_exhausted"] += 1
            return RedisUnavailable(f"No connection to the Redis of cache alias {self.alias!r} was free: {exc}")
        failures[self.alias, "unreachable"] += 1
        self.failures += 1
        if self.failures == policy()["BREAKER_FAILURES"]:
            with self._lock:
                self.open_until = time.monotonic() + policy()["BREAKER_RESET"]
            logger.warning(
                "Redis of cache alias %r failed %d times in a row (%s): circuit open for %gs.",
                self.alias,
                self.failures,
                exc,
                policy()["BREAKER_RESET"],
            )
        return RedisUnavailable(f"Redis of cache alias {self.alias!r} did not answer: {exc}")


def _breaker(alias):
    breaker = _breakers.get(alias)
    if breaker is None:
        breaker = _breakers[alias] = _Breaker(alias)
    return breaker


def call(alias, method, *args, **kwargs):
    """``sync_client(alias).<method>(*args, **kwargs)`` under the alias's circuit breaker."""
    breaker = _breaker(alias)
    breaker.admit()
    try:
        result = getattr(sync_client(alias), method)(*args, **kwargs)
    except _UNREACHABLE as exc:
        raise breaker.failed(exc) from exc
    breaker.succeeded()
    return result


async def acall(alias, method, *args, **kwargs):
    """``await async_client(alias).<method>(*args, **kwargs)`` under the alias's circuit breaker."""
    breaker = _breaker(alias)
    breaker.admit()
    try:
        result = await getattr(async_client(alias), method)(*args, **kwargs)
    except _UNREACHABLE as exc:
        raise breaker.failed(exc) from exc
    breaker.succeeded()
    return result


async def ascan(alias, match):
    """Every key matching ``match`` (a list), under the alias's circuit breaker."""
    breaker = _breaker(alias)
    breaker.admit()
    try:
        keys = [key async for key in async_client(alias).scan_iter(match=match, count=1000)]
    except _UNREACHABLE as exc:
        raise breaker.failed(exc) from exc
    breaker.succeeded()
    return keys


def scan(alias, match):
    """``ascan`` from sync code."""
    breaker = _breaker(alias)
    breaker.admit()
    try:
        keys = list(sync_client(alias).scan_iter(match=match, count=1000))
    except _UNREACHABLE as exc:
        raise breaker.failed(exc) from exc
    breaker.succeeded()
    return keys


def dumps(value):
    """Django's Redis format: ints as they are, anything else pickled."""
    return value if type(value) is int else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def loads(data):
    """Read what ``dumps`` (or Django's Redis cache) wrote."""
    try:
        return int(data)
    except ValueError:
        return pickle.loads(data)


def _reset(*, setting, **kwargs):
    """A changed ``RESTFLOW_SETTINGS`` or ``CACHES`` (tests) starts from new clients, circuits and policy."""
    global _policy
    if setting in (SETTING_NAME, "CACHES"):
        _policy = None
        _async_clients.clear()
        _sync_clients.clear()
        _breakers.clear()


setting_changed.connect(_reset)

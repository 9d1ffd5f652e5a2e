"""Rate throttles whose limit is exact across processes: one atomic Redis script per request.

DRF's throttles read the history, decide, then write it back: requests racing in different
workers all read the same history and all pass. Here the decision and the write are one Lua
script on the Redis server (a sorted set of request times, the server's clock), so N workers
sharing one Redis admit exactly ``num_requests`` per window. Async views reach Redis with
``redis.asyncio`` (no thread hop); sync DRF views use the sync client.

When Redis fails (down, frozen, circuit open), ``RESTFLOW_SETTINGS["REDIS"]["THROTTLE_ON_FAILURE"]``
decides: ``"allow"`` (the default: the request goes through), ``"deny"`` (429, retry after the
breaker's reset time) or ``"raise"``.

A client is known by the address the connection came from, unless DRF's ``NUM_PROXIES`` says
how many proxies in front of the server append to ``X-Forwarded-For``: a client cannot pick its
own identity by sending that header. An identity longer than an IPv6 address is hashed, so one
client makes the server store one short key per scope, holding at most ``num_requests`` entries.
"""

import hashlib
import uuid

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.settings import api_settings

from restflow import _redis

# KEYS[1]: the history; ARGV: window seconds, limit, a unique member. Returns {allowed, wait seconds}.
_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
    return {1, '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + window - now)}
"""

NOT_REDIS = (
    "{cls} needs a Redis cache: cache alias '{alias}' is {backend}. Point `cache_alias` at a cache whose "
    "BACKEND is django.core.cache.backends.redis.RedisCache or django_redis.cache.RedisCache, or use "
    "restflow.throttling's DRF-compatible throttles in a single process."
)


class ExactRateThrottleMixin:
    """The atomic check for a ``SimpleRateThrottle`` subclass (rates, scopes and idents are DRF's)."""

    cache_alias = "default"
    cache_format = "throttle_exact_%(scope)s_%(ident)s"
    _wait = None

    def _redis_key(self):
        if _redis.redis_url(self.cache_alias) is None:
            backend = caches[self.cache_alias].__class__.__name__
            raise ImproperlyConfigured(
                NOT_REDIS.format(cls=type(self).__name__, alias=self.cache_alias, backend=backend)
            )
        return caches[self.cache_alias].make_and_validate_key(self.key)

    def _decided(self, answer):
        allowed, wait = answer
        self._wait = None if allowed else max(0.0, float(wait))
        return bool(allowed)

    def _arguments(self):
        return (self.duration, self.num_requests, uuid.uuid4().hex)

    def _unavailable(self, exc):
        """The verdict when Redis cannot give one: the policy's ``THROTTLE_ON_FAILURE``."""
        choice = _redis.policy()["THROTTLE_ON_FAILURE"]
        if choice == "raise":
            raise exc
        allowed = choice == "allow"
        _redis.failures[self.cache_alias, "throttle_allowed" if allowed else "throttle_denied"] += 1
        self._wait = None if allowed else _redis.policy()["BREAKER_RESET"]
        return allowed

    def get_ident(self, request):
        """The client's address: the connection's, or the one ``NUM_PROXIES`` trusted proxies recorded."""
        address = request.META.get("REMOTE_ADDR") or ""
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
        proxies = api_settings.NUM_PROXIES
        if proxies and forwarded:
            hops = forwarded.split(",")
            address = hops[-min(proxies, len(hops))].strip()
        return address if len(address) <= 45 else hashlib.sha256(address.encode()).hexdigest()

    def _counts(self, request, view):
        """Whether this request is counted: a rate is set and the request has a key (kept on ``self.key``)."""
        if self.rate is None:
            return False
        self.key = self.get_cache_key(request, view)
        return self.key is not None

    def allow_request(self, request, view):
        if not self._counts(request, view):
            return True
        try:
            answer = _redis.call(self.cache_alias, "eval", _SCRIPT, 1, self._redis_key(), *self._arguments())
        except _redis.RedisUnavailable as exc:
            return self._unavailable(exc)
        return self._decided(answer)

    async def aallow_request(self, request, view):
        if not self._counts(request, view):
            return True
        try:
            answer = await _redis.acall(self.cache_alias, "eval", _SCRIPT, 1, self._redis_key(), *self._arguments())
        except _redis.RedisUnavailable as exc:
            return self._unavailable(exc)
        return self._decided(answer)

    def wait(self):
        """Seconds until the oldest request in the window leaves it (None when allowed)."""
        return self._wait


class ExactAnonRateThrottle(ExactRateThrottleMixin, throttling.AnonRateThrottle):
    """``AnonRateThrottle`` (scope ``anon``), exact across workers."""


class ExactUserRateThrottle(ExactRateThrottleMixin, throttling.UserRateThrottle):
    """``UserRateThrottle`` (scope ``user``), exact across workers."""


class ExactScopedRateThrottle(ExactRateThrottleMixin, throttling.ScopedRateThrottle):
    """``ScopedRateThrottle`` (the view's ``throttle_scope``), exact across workers."""

    def _scoped(self, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return False
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return True

    def allow_request(self, request, view):
        return not self._scoped(view) or super().allow_request(request, view)

    async def aallow_request(self, request, view):
        return not self._scoped(view) or await super().aallow_request(request, view)

"""Throttles with an ``aallow_request`` for async views; DRF's rate throttles on Django's async cache API.

``BaseThrottle`` is the base for custom throttles: write ``allow_request`` (run in a hop from
async views) or ``async def aallow_request`` (awaited on the loop, and run to completion on sync
views). The rate throttles keep DRF's rates (``DEFAULT_THROTTLE_RATES``), scopes, cache keys and
stored history, so sync DRF views and async restflow views sharing a cache (Redis in production)
share one limit. ``wait()`` is DRF's: it reads the state ``aallow_request`` leaves behind.
"""

from asgiref.sync import async_to_sync, sync_to_async
from rest_framework import throttling

from restflow._compat import register_compat_paths
from restflow._exact_throttle import (
    ExactAnonRateThrottle,
    ExactScopedRateThrottle,
    ExactUserRateThrottle,
)
from restflow._sync import prefers_async

__all__ = [
    "AnonRateThrottle",
    "AsyncRateThrottleMixin",
    "BaseThrottle",
    "ExactAnonRateThrottle",
    "ExactScopedRateThrottle",
    "ExactUserRateThrottle",
    "ScopedRateThrottle",
    "SimpleRateThrottle",
    "UserRateThrottle",
    "aallow_request",
    "throttler_allow_request",
]


def _asks_async(throttle):
    return prefers_async(type(throttle), "aallow_request", "allow_request")


async def aallow_request(throttle, request, view):
    """Ask any throttle: awaited when it is async-aware, one thread hop when not."""
    if _asks_async(throttle):
        return await throttle.aallow_request(request, view)
    return await sync_to_async(throttle.allow_request)(request, view)


def throttler_allow_request(throttle, request, view):
    """Ask any throttle from async code: an awaitable of its verdict (``await`` it).

    The throttle's own ``aallow_request`` when it has one, else ``allow_request`` in a hop.
    """
    return aallow_request(throttle, request, view)


class BaseThrottle(throttling.BaseThrottle):
    """A throttle with an async surface: ``aallow_request`` (by default ``allow_request`` in a hop).

    A subclass may define only ``async def aallow_request``: on sync (DRF) views
    ``allow_request`` then runs it to completion. ``wait()`` gives Retry-After.
    """

    def allow_request(self, request, view):
        if _asks_async(self) and type(self).aallow_request is not BaseThrottle.aallow_request:
            return async_to_sync(self.aallow_request)(request, view)
        raise NotImplementedError(".allow_request() or .aallow_request() must be overridden")

    async def aallow_request(self, request, view):
        """True to let the request through (default: ``allow_request`` in a hop)."""
        return await sync_to_async(self.allow_request)(request, view)


class AsyncRateThrottleMixin:
    """``aallow_request`` for a ``SimpleRateThrottle``: one cache read, and one write when allowed."""

    async def aallow_request(self, request, view):
        """True if the request is within the rate; records it when it is."""
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True

        self.history = await self.cache.aget(self.key, [])
        self.now = self.timer()
        # The history is newest first; forget requests older than the window.
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        self.history.insert(0, self.now)
        await self.cache.aset(self.key, self.history, self.duration)
        return True


class _KeyFormat(str):
    """DRF's ``%``-style key template, which also answers ``str.format(scope=..., ident=...)``.

    restflow's docs build keys with ``self.cache_format.format(...)``; DRF's code uses ``%``.
    Both give the same key, so limits stay shared with DRF's own throttles.
    """

    def format(self, *args, **kwargs):
        return self % kwargs


class SimpleRateThrottle(AsyncRateThrottleMixin, throttling.SimpleRateThrottle, BaseThrottle):
    """DRF's cache-backed rate throttle: set ``scope`` and write ``get_cache_key(request, view)``.

    Keys are ``throttle_<scope>_<ident>`` (``cache_format``, usable with ``%`` or ``.format``);
    ``cache`` is Django's default cache unless the subclass sets another.
    """

    cache_format = _KeyFormat(throttling.SimpleRateThrottle.cache_format)


class AnonRateThrottle(SimpleRateThrottle, throttling.AnonRateThrottle):
    """Limits anonymous clients by IP address (scope ``anon``)."""


class UserRateThrottle(SimpleRateThrottle, throttling.UserRateThrottle):
    """Limits each user by id, anonymous clients by IP address (scope ``user``)."""


class ScopedRateThrottle(SimpleRateThrottle, throttling.ScopedRateThrottle):
    """Limits per user and per view ``throttle_scope``; views without a scope are not limited."""

    async def aallow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        # The rate depends on the view's scope, so it is read per request, as DRF does.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return await super().aallow_request(request, view)


register_compat_paths(__name__)

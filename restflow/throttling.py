"""DRF's rate throttles with an ``aallow_request`` on Django's async cache API.

Same rates (``DEFAULT_THROTTLE_RATES``), scopes, cache keys and stored history as DRF's, so
sync DRF views and async restflow views sharing a cache (Redis in production) share one limit.
``wait()`` is DRF's: it reads the state ``aallow_request`` leaves behind.
"""

from asgiref.sync import sync_to_async
from rest_framework import throttling

from restflow._exact_throttle import ExactAnonRateThrottle, ExactScopedRateThrottle, ExactUserRateThrottle
from restflow._sync import prefers_async

__all__ = [
    "AnonRateThrottle",
    "AsyncRateThrottleMixin",
    "ExactAnonRateThrottle",
    "ExactScopedRateThrottle",
    "ExactUserRateThrottle",
    "ScopedRateThrottle",
    "UserRateThrottle",
    "aallow_request",
]


async def aallow_request(throttle, request, view):
    """Ask any throttle: awaited when it is async-aware, one thread hop when not."""
    if prefers_async(type(throttle), "aallow_request", "allow_request"):
        return await throttle.aallow_request(request, view)
    return await sync_to_async(throttle.allow_request)(request, view)


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


class AnonRateThrottle(AsyncRateThrottleMixin, throttling.AnonRateThrottle):
    """Limits anonymous clients by IP address (scope ``anon``)."""


class UserRateThrottle(AsyncRateThrottleMixin, throttling.UserRateThrottle):
    """Limits each user by id, anonymous clients by IP address (scope ``user``)."""


class ScopedRateThrottle(AsyncRateThrottleMixin, throttling.ScopedRateThrottle):
    """Limits per user and per view ``throttle_scope``; views without a scope are not limited."""

    async def aallow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        # The rate depends on the view's scope, so it is read per request, as DRF does.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return await super().aallow_request(request, view)

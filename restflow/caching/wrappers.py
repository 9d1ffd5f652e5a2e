"""``cache_result``: a function whose calls are answered from Django's cache, and its management surface.

An async function gets an async wrapper: every cache read and write goes through the store's
async path (no thread hop on local-memory and Redis caches), and concurrent misses of one key
in a process share one computation.
"""

import asyncio
import enum
import functools
import inspect
import types
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction
from rest_framework.response import Response

from restflow._sync import resolve
from restflow.caching.fields import KeyContext
from restflow.caching.keys import DefaultKeyConstructor, as_key_constructor
from restflow.caching.store import CACHE_MISSING, CACHE_UNAVAILABLE, CacheStore, absent
from restflow.helpers import require_sync

DEFAULT_TTL = 3600
_wrappers: dict = {}  # function id -> wrapper, for invalidation workers


class CacheStatus(enum.StrEnum):
    """How a value was obtained (``X-Cache-status``)."""

    HIT = "HIT"
    MISS = "MISS"
    STALE = "STALE"
    BYPASS = "BYPASS"
    REFRESH = "REFRESH"


def _metadata(status, entry=None):
    cached_at, reset_at = (entry[1], entry[2]) if entry else (None, None)
    return {"cache_status": status, "cached_at": cached_at, "reset_at": reset_at}


def registered_wrapper(function_id):
    """The cached function registered under ``function_id`` (for invalidation run in another process)."""
    return _wrappers[function_id]


class CachedWrapper:
    """What ``@cache_result`` returns: call it like the function; the methods manage its entries."""

    default_key_constructor: type = DefaultKeyConstructor

    def __init__(
        self,
        func,
        key_constructor=None,
        ttl=DEFAULT_TTL,
        invalidates_on=None,
        cache_if=None,
        cache_unless=None,
        cache_alias="default",
        function_id=None,
    ):
        if cache_if is not None and cache_unless is not None:
            raise ValueError("cache_if and cache_unless are mutually exclusive: pass one of them.")
        functools.update_wrapper(self, func)
        self.func = func
        self.is_async = iscoroutinefunction(func)
        self.signature = inspect.signature(func)
        self.function_id = function_id or f"{func.__module__}.{func.__qualname__}"
        self.key_constructor = as_key_constructor(key_constructor, self.default_key_constructor)
        self.key_constructor._users.add(self)
        self.ttl = ttl
        self.cache_if = cache_if
        self.cache_unless = cache_unless
        self.store = CacheStore(cache_alias)
        self._inflight = {}
        if self.is_async:
            markcoroutinefunction(self)
        _wrappers[self.function_id] = self
        self.rules = list(invalidates_on or ())
        for index, rule in enumerate(self.rules):
            rule.attach(self, index)

    def __repr__(self):
        return f"<cached {self.function_id}>"

    def __get__(self, instance, owner=None):
        """Accessed on an instance (a view method): bound to it, like a function; on the class: the wrapper."""
        return self if instance is None else types.MethodType(self, instance)

    # Keys

    def _arguments(self, args, kwargs, partial=False):
        bound = (self.signature.bind_partial if partial else self.signature.bind)(*args, **kwargs)
        if not partial:
            bound.apply_defaults()
        arguments = {}
        for name, value in bound.arguments.items():
            kind = self.signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                arguments.update(value)
            elif kind is inspect.Parameter.VAR_POSITIONAL and not value:
                continue
            else:
                arguments[name] = value
        return arguments

    def _context(self, arguments):
        return KeyContext(arguments, function=self.func)

    def get_cache_key(self, *args, **kwargs):
        """The key these arguments would use; the cache is not touched."""
        return self.key_constructor.build_key(self.function_id, self._context(self._arguments(args, kwargs)))

    def _store_key(self, key, value, args, kwargs):
        """The key ``value`` is stored under (the key it was looked up with, unless the value says otherwise)."""
        return key

    def _prefix_pattern(self, args, kwargs):
        """The glob of the partition the arguments name (bound to the function's signature as a call's are)."""
        context = self._context(self._arguments(args, kwargs, partial=True))
        return self.key_constructor.partition_pattern(self.function_id, context)

    # What is stored: (encoded value, cached_at, reset_at). Subclasses encode responses.

    def encode(self, value):
        """What is stored for ``value``: a DRF Response (not rendered yet) by its data, status and headers."""
        if isinstance(value, Response):
            return _StoredResponse(value.data, value.status_code, list(value.items()))
        return value

    def decode(self, stored):
        """The value ``stored`` stands for: a stored Response comes back as a fresh one, rendered per request."""
        if isinstance(stored, _StoredResponse):
            return Response(stored.data, status=stored.status, headers=dict(stored.headers))
        return stored

    def _entry(self, stored):
        now = datetime.now(UTC)
        reset_at = None if self.ttl is None else (now + timedelta(seconds=self.ttl)).isoformat()
        return (stored, now.isoformat(), reset_at)

    def _wanted(self, value):
        """Whether to store ``value``: ``cache_if``'s answer, the opposite of ``cache_unless``'s, else the
        default. An async predicate's answer comes back as an awaitable (async functions await it)."""
        if self.cache_if is not None:
            return self.cache_if(value)
        if self.cache_unless is not None:
            answer = self.cache_unless(value)
            return _negated(answer) if inspect.isawaitable(answer) else not answer
        return self.default_wanted(value)

    def default_wanted(self, value):
        return True

    def _sync_only(self, name):
        if self.is_async:
            raise TypeError(
                f"{self.function_id} is async: use `await {self.__name__}.a{name}(...)` instead of {name}()."
            )

    def _async_only(self, name):
        if not self.is_async:
            raise TypeError(f"{self.function_id} is sync: use {name[1:]}() instead of {name}().")

    # Sync surface

    def __call__(self, *args, **kwargs):
        if self.is_async:
            return self._avalue(args, kwargs)
        return self._get(args, kwargs)[0]

    async def _avalue(self, args, kwargs):
        return (await self._aget(args, kwargs))[0]

    def _get(self, args, kwargs):
        key = self.get_cache_key(*args, **kwargs)
        entry = self.store.get(key)
        if not absent(entry):
            return self.decode(entry[0]), _metadata(CacheStatus.HIT, entry)
        if entry is CACHE_UNAVAILABLE:  # the cache failed: answer uncached, try no write
            return self.func(*args, **kwargs), _metadata(CacheStatus.BYPASS)
        return self._compute(key, args, kwargs, CacheStatus.MISS)

    def _compute(self, key, args, kwargs, status):
        generation = self.store.generation(self.function_id)  # an invalidation from here on wins
        value = self.func(*args, **kwargs)
        if not require_sync(self._wanted(value), "a sync cache_if/cache_unless predicate for a sync function"):
            if status is CacheStatus.REFRESH:
                self.store.delete(key)
            return value, _metadata(status)
        entry = self._entry(self.encode(value))
        self.store.set(self._store_key(key, value, args, kwargs), entry, self.ttl, generation, self.function_id)
        return value, _metadata(status, entry)

    def get_with_metadata(self, *args, **kwargs):
        """``(value, metadata)``; metadata has ``cache_status``, ``cached_at`` and ``reset_at``."""
        self._sync_only("get_with_metadata")
        return self._get(args, kwargs)

    def get_cache_only(self, *args, **kwargs):
        """The cached value, or ``CACHE_MISSING``; the function is not run."""
        self._sync_only("get_cache_only")
        entry = self.store.get(self.get_cache_key(*args, **kwargs))
        return CACHE_MISSING if absent(entry) else self.decode(entry[0])

    def get_cached_metadata(self, *args, **kwargs):
        """The metadata of the cached entry, or None."""
        self._sync_only("get_cached_metadata")
        entry = self.store.get(self.get_cache_key(*args, **kwargs))
        return None if absent(entry) else _metadata(CacheStatus.HIT, entry)

    def refresh(self, *args, **kwargs):
        """Run the function and overwrite the entry (status ``REFRESH``)."""
        self._sync_only("refresh")
        return self._compute(self.get_cache_key(*args, **kwargs), args, kwargs, CacheStatus.REFRESH)[0]

    def bypass_cache(self, *args, **kwargs):
        """Run the function; neither read nor write the cache."""
        self._sync_only("bypass_cache")
        return self.func(*args, **kwargs)

    def delete_cache(self, *args, **kwargs):
        """Drop the entry for exactly these arguments."""
        self._sync_only("delete_cache")
        self.store.invalidate(self.function_id, key=self.get_cache_key(*args, **kwargs))

    def delete_by_prefix(self, *args, **kwargs):
        """Drop every entry of the partition the arguments name (keywords are safest: a positional
        value binds to the function's first parameter, as in a call)."""
        self._sync_only("delete_by_prefix")
        self.store.invalidate(self.function_id, self._prefix_pattern(args, kwargs))

    def invalidate_all(self):
        """Drop every entry this function ever wrote."""
        self._sync_only("invalidate_all")
        self.sync_invalidate_all()

    # Async surface

    async def _aget(self, args, kwargs):
        key = self.get_cache_key(*args, **kwargs)
        entry = await self.store.aget(key)
        if not absent(entry):
            return self.decode(entry[0]), _metadata(CacheStatus.HIT, entry)
        if entry is CACHE_UNAVAILABLE:  # the cache failed: answer uncached, try no write
            return await self.func(*args, **kwargs), _metadata(CacheStatus.BYPASS)
        pending = self._inflight.get(key)
        if pending is not None and pending.get_loop() is asyncio.get_running_loop():
            entry = await asyncio.shield(pending)
            if entry is not None:
                return self.decode(entry[0]), _metadata(CacheStatus.HIT, entry)
            return (await self._acompute(key, args, kwargs, CacheStatus.MISS))[:2]
        return await self._alead(key, args, kwargs)

    async def _alead(self, key, args, kwargs):
        """Compute a missing entry once: concurrent callers wait for this one."""
        shared = asyncio.get_running_loop().create_future()
        self._inflight[key] = shared
        entry = None
        try:
            # A previous leader may have stored it while this caller's first read was in flight.
            cached = await self.store.aget(key)
            if not absent(cached):
                entry = cached
                return self.decode(entry[0]), _metadata(CacheStatus.HIT, entry)
            value, metadata, entry = await self._acompute(key, args, kwargs, CacheStatus.MISS)
            return value, metadata
        finally:
            del self._inflight[key]
            shared.set_result(entry)

    async def _acompute(self, key, args, kwargs, status):
        """Run the function and store its value when wanted: ``(value, metadata, entry or None)``."""
        generation = await self.store.ageneration(self.function_id)  # an invalidation from here on wins
        value = await self.func(*args, **kwargs)
        if await resolve(self._wanted(value)):
            entry = self._entry(self.encode(value))
            key = self._store_key(key, value, args, kwargs)
            await self.store.aset(key, entry, self.ttl, generation, self.function_id)
            return value, _metadata(status, entry), entry
        if status is CacheStatus.REFRESH:
            await self.store.adelete(key)
        return value, _metadata(status), None

    async def aget_with_metadata(self, *args, **kwargs):
        self._async_only("aget_with_metadata")
        return await self._aget(args, kwargs)

    async def aget_cache_only(self, *args, **kwargs):
        entry = await self.store.aget(self.get_cache_key(*args, **kwargs))
        return CACHE_MISSING if absent(entry) else self.decode(entry[0])

    async def aget_cached_metadata(self, *args, **kwargs):
        entry = await self.store.aget(self.get_cache_key(*args, **kwargs))
        return None if absent(entry) else _metadata(CacheStatus.HIT, entry)

    async def arefresh(self, *args, **kwargs):
        self._async_only("arefresh")
        return (await self._acompute(self.get_cache_key(*args, **kwargs), args, kwargs, CacheStatus.REFRESH))[0]

    async def abypass_cache(self, *args, **kwargs):
        self._async_only("abypass_cache")
        return await self.func(*args, **kwargs)

    async def adelete_cache(self, *args, **kwargs):
        await self.store.ainvalidate(self.function_id, key=self.get_cache_key(*args, **kwargs))

    async def adelete_by_prefix(self, *args, **kwargs):
        await self.store.ainvalidate(self.function_id, self._prefix_pattern(args, kwargs))

    async def ainvalidate_all(self):
        await self.store.ainvalidate(self.function_id, self.key_constructor.function_pattern(self.function_id))

    # For invalidation workers, which may run sync code for an async function.

    def sync_delete_by_prefix(self, *args, **kwargs):
        self.store.invalidate(self.function_id, self._prefix_pattern(args, kwargs))

    def sync_delete_cache(self, **kwargs):
        self.store.invalidate(self.function_id, key=self.get_cache_key(**kwargs))

    def sync_invalidate_all(self):
        self.store.invalidate(self.function_id, self.key_constructor.function_pattern(self.function_id))

    def sync_refresh(self, **kwargs):
        if self.is_async:
            return async_to_sync(self.arefresh)(**kwargs)
        return self.refresh(**kwargs)


class _StoredResponse(NamedTuple):
    data: object
    status: int
    headers: list


async def _negated(awaitable):
    return not await awaitable


def cache_result(
    key_constructor=None, ttl=DEFAULT_TTL, invalidates_on=None, cache_if=None, cache_unless=None, cache_alias="default"
):
    """Cache a function's results (``CachedWrapper``); ``key_constructor`` may also be passed first, positionally.

    Used bare (``@cache_result``), the defaults apply.
    """
    if inspect.isfunction(key_constructor):
        return CachedWrapper(key_constructor)

    def decorate(func):
        return CachedWrapper(func, key_constructor, ttl, invalidates_on, cache_if, cache_unless, cache_alias)

    return decorate


def set_response_cache_header(response, metadata):
    """Add ``X-Cache-status``, ``X-Cached-at`` and ``X-Cache-reset-at`` from a wrapper's metadata."""
    for header, name in (
        ("X-Cache-status", "cache_status"),
        ("X-Cached-at", "cached_at"),
        ("X-Cache-reset-at", "reset_at"),
    ):
        value = (metadata or {}).get(name)
        if value is not None:
            response[header] = str(value)
    return response

"""A Django cache alias seen from restflow's caching layer: sync and async reads, writes and prefix deletes.

Async calls cost no thread hop where the backend allows it: a local-memory or dummy cache is
called directly (it does no I/O), a Redis cache is reached with ``redis.asyncio``. Other
backends (memcached, database, file) are awaited through Django's async cache API.

On Redis, every call follows ``RESTFLOW_SETTINGS["REDIS"]`` (timeouts, circuit breaker): when
Redis fails, reads miss and writes are skipped (``CACHE_ON_FAILURE="bypass"``, the default: the
answer is served uncached) or the error propagates (``"raise"``). An invalidation that fails is
counted, logged by its caller and kept: this process retries it before its next read, and
reads nothing from the cache until it succeeds.

Invalidations race with readers that computed before them. Each cached function has a
generation, bumped before its entries are deleted; a reader notes the generation before it
computes and stores its value only if the generation is unchanged at store time (atomically
on Redis and local memory), so an answer computed before a write cannot outlive the write's
invalidation.
"""

import fnmatch
import threading
from collections import deque

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured

from restflow import _redis
from restflow._sync import in_thread

# Redis: store ARGV[1] under KEYS[1] (for ARGV[2] seconds, 0: no expiry) only if KEYS[2] still holds ARGV[3].
_SET_IF_GENERATION = """
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[3] then return 0 end
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""
_local_lock = threading.Lock()  # generation checks and bumps on in-process caches
_pending: deque = deque()  # (alias, function_id, pattern or None, key or None): invalidations to retry


class _Missing:
    """The cache holds nothing for a key (distinct from a cached ``None``)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name

    def __bool__(self):
        return False


CACHE_MISSING = _Missing("CACHE_MISSING")
# What a read returns when Redis failed and the policy serves uncached: a miss not worth storing.
CACHE_UNAVAILABLE = _Missing("CACHE_UNAVAILABLE")


def absent(entry):
    """True for ``CACHE_MISSING`` and ``CACHE_UNAVAILABLE``."""
    return isinstance(entry, _Missing)


PATTERN_UNSUPPORTED = (
    "Cache alias '{alias}' ({backend}) cannot delete keys by prefix: delete_by_prefix(), "
    "invalidate_all() and wipe() need a Redis cache (django.core.cache.backends.redis.RedisCache "
    "or django_redis) or the local-memory cache."
)


def escape_glob(text):
    """``text`` with Redis/fnmatch glob characters escaped, to match literally inside a pattern."""
    return "".join("[" + char + "]" if char in "*?[" else char for char in text.replace("\\", "\\\\"))


class CacheStore:
    """Entries of one cache alias, for the caching layer."""

    def __init__(self, alias="default"):
        self.alias = alias

    @property
    def cache(self):
        return caches[self.alias]

    @property
    def _local(self):
        return isinstance(self.cache, (LocMemCache, DummyCache))

    @property
    def _redis(self):
        return _redis.speaks_pickle(self.alias)

    def _bypassed(self, exc):
        """Redis failed on a read or write: count it, and serve uncached unless the policy says raise."""
        _redis.failures[self.alias, "cache_bypassed"] += 1
        if _redis.policy()["CACHE_ON_FAILURE"] == "raise":
            raise exc

    # Sync: Django's own API, or restflow's Redis client under the Redis policy.

    def get(self, key):
        if not self._redis:
            return self.cache.get(key, CACHE_MISSING)
        try:
            self._retry_pending()
            data = _redis.call(self.alias, "get", self.cache.make_and_validate_key(key))
        except _redis.RedisUnavailable as exc:
            self._bypassed(exc)
            return CACHE_UNAVAILABLE
        return CACHE_MISSING if data is None else _redis.loads(data)

    def set(self, key, value, ttl, generation=CACHE_MISSING, function_id=None):
        """Store ``value``; with a ``generation``, only if ``function_id``'s generation is still that one."""
        if self._redis:
            try:
                self._redis_set(_redis.call, key, value, ttl, generation, function_id)
            except _redis.RedisUnavailable as exc:
                self._bypassed(exc)
            return
        with _local_lock:
            if generation is CACHE_MISSING or self.cache.get(_generation_key(function_id)) == generation:
                self.cache.set(key, value, ttl)

    def generation(self, function_id):
        """``function_id``'s generation now (pass it to ``set`` after computing)."""
        if not self._redis:
            return self.cache.get(_generation_key(function_id))
        try:
            data = _redis.call(self.alias, "get", self.cache.make_and_validate_key(_generation_key(function_id)))
        except _redis.RedisUnavailable as exc:
            self._bypassed(exc)
            return None
        return _text(data)

    def invalidate(self, function_id, pattern=None, key=None):
        """Bump ``function_id``'s generation, then delete ``key`` or every key matching the glob ``pattern``.

        On failure the invalidation is kept for a retry (this process reads nothing from the
        cache until it succeeds), counted, and the error raised for the caller to report.
        """
        try:
            self._invalidate(function_id, pattern, key)
        except _redis.RedisUnavailable:
            _redis.failures[self.alias, "invalidation_failed"] += 1
            _pending.append((self.alias, function_id, pattern, key))
            raise

    def _invalidate(self, function_id, pattern, key):
        generation = _generation_key(function_id)
        if self._redis:
            _redis.call(self.alias, "incr", self.cache.make_and_validate_key(generation))
        else:
            with _local_lock:
                self.cache.set(generation, (self.cache.get(generation) or 0) + 1, None)
        if key is not None:
            self.delete(key)
        if pattern is not None:
            self.delete_pattern(pattern)

    def _retry_pending(self):
        """Apply this process's failed invalidations of this alias (RedisUnavailable while Redis still fails)."""
        for _ in range(len(_pending)):
            alias, function_id, pattern, key = _pending[0]
            if alias == self.alias:
                self._invalidate(function_id, pattern, key)
            _pending.popleft()
            if alias != self.alias:
                _pending.append((alias, function_id, pattern, key))

    def delete(self, key):
        if self._redis:
            _redis.call(self.alias, "delete", self.cache.make_and_validate_key(key))
        else:
            self.cache.delete(key)

    def delete_pattern(self, pattern):
        """Delete every key matching the glob ``pattern`` (before the backend's key function)."""
        cache = self.cache
        made = cache.make_key(pattern)
        if isinstance(cache, LocMemCache):
            with cache._lock:
                for key in [key for key in cache._cache if fnmatch.fnmatchcase(key, made)]:
                    cache._delete(key)
            return
        if hasattr(cache, "delete_pattern"):  # django-redis
            cache.delete_pattern(pattern)
            return
        if _redis.redis_url(self.alias) is None:
            raise ImproperlyConfigured(PATTERN_UNSUPPORTED.format(alias=self.alias, backend=type(cache).__name__))
        keys = _redis.scan(self.alias, made)
        for start in range(0, len(keys), 500):
            _redis.call(self.alias, "unlink", *keys[start : start + 500])

    # Async: no hop for local and Redis caches.

    async def aget(self, key):
        if self._local:
            return self.get(key)
        if not self._redis:
            return await self.cache.aget(key, CACHE_MISSING)
        try:
            if _pending:
                await in_thread(self._retry_pending)
            data = await _redis.acall(self.alias, "get", self.cache.make_and_validate_key(key))
        except _redis.RedisUnavailable as exc:
            self._bypassed(exc)
            return CACHE_UNAVAILABLE
        return CACHE_MISSING if data is None else _redis.loads(data)

    async def aset(self, key, value, ttl, generation=CACHE_MISSING, function_id=None):
        if self._local:
            return self.set(key, value, ttl, generation, function_id)
        if not self._redis:
            if generation is CACHE_MISSING or await self.cache.aget(_generation_key(function_id)) == generation:
                await self.cache.aset(key, value, ttl)
            return None
        try:
            await self._redis_set(_redis.acall, key, value, ttl, generation, function_id)
        except _redis.RedisUnavailable as exc:
            self._bypassed(exc)
        return None

    def _redis_set(self, call, key, value, ttl, generation, function_id):
        """``call`` (``_redis.call`` or ``acall``) storing ``value``: a SET, or the generation-checked script."""
        made = self.cache.make_and_validate_key(key)
        if ttl is not None and ttl <= 0:
            return call(self.alias, "delete", made)
        if generation is CACHE_MISSING:
            return call(self.alias, "set", made, _redis.dumps(value), ex=None if ttl is None else int(ttl))
        guard = self.cache.make_and_validate_key(_generation_key(function_id))
        expiry = 0 if ttl is None else int(ttl)
        return call(
            self.alias, "eval", _SET_IF_GENERATION, 2, made, guard, _redis.dumps(value), expiry, generation or ""
        )

    async def adelete(self, key):
        if self._local:
            return self.delete(key)
        if not self._redis:
            return await self.cache.adelete(key)
        await _redis.acall(self.alias, "delete", self.cache.make_and_validate_key(key))
        return None

    async def adelete_pattern(self, pattern):
        if self._local or _redis.redis_url(self.alias) is None:
            return self.delete_pattern(pattern)
        keys = await _redis.ascan(self.alias, self.cache.make_key(pattern))
        for start in range(0, len(keys), 500):
            await _redis.acall(self.alias, "unlink", *keys[start : start + 500])
        return None

    async def ageneration(self, function_id):
        if self._local:
            return self.generation(function_id)
        if not self._redis:
            return await self.cache.aget(_generation_key(function_id))
        try:
            data = await _redis.acall(self.alias, "get", self.cache.make_and_validate_key(_generation_key(function_id)))
        except _redis.RedisUnavailable as exc:
            self._bypassed(exc)
            return None
        return _text(data)

    async def ainvalidate(self, function_id, pattern=None, key=None):
        if self._local:
            return self.invalidate(function_id, pattern, key)
        if not self._redis:
            return await in_thread(self.invalidate, function_id, pattern, key)
        try:
            await _redis.acall(self.alias, "incr", self.cache.make_and_validate_key(_generation_key(function_id)))
            if key is not None:
                await _redis.acall(self.alias, "delete", self.cache.make_and_validate_key(key))
            if pattern is not None:
                await self.adelete_pattern(pattern)
        except _redis.RedisUnavailable:
            _redis.failures[self.alias, "invalidation_failed"] += 1
            _pending.append((self.alias, function_id, pattern, key))
            raise
        return None


def _generation_key(function_id):
    return f"restflow:generation::{function_id}"


def _text(data):
    return None if data is None else data.decode() if isinstance(data, bytes) else str(data)

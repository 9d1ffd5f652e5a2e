"""A Django cache alias seen from restflow's caching layer: sync and async reads, writes and prefix deletes.

Async calls cost no thread hop where the backend allows it: a local-memory or dummy cache is
called directly (it does no I/O), a Redis cache is reached with ``redis.asyncio``. Other
backends (memcached, database, file) are awaited through Django's async cache API.
"""

import fnmatch

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured

from restflow import _redis


class _Missing:
    """The cache holds nothing for a key (distinct from a cached ``None``)."""

    __slots__ = ()

    def __repr__(self):
        return "CACHE_MISSING"

    def __bool__(self):
        return False


CACHE_MISSING = _Missing()

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

    # Sync: Django's own API, and the backend's keys for prefix deletes.

    def get(self, key):
        return self.cache.get(key, CACHE_MISSING)

    def set(self, key, value, ttl):
        self.cache.set(key, value, ttl)

    def delete(self, key):
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
        client = _redis.sync_client(self.alias)
        keys = list(client.scan_iter(match=made, count=1000))
        for start in range(0, len(keys), 500):
            client.unlink(*keys[start : start + 500])

    # Async: no hop for local and Redis caches.

    async def aget(self, key):
        if self._local:
            return self.get(key)
        if self._redis:
            data = await _redis.async_client(self.alias).get(self.cache.make_and_validate_key(key))
            return CACHE_MISSING if data is None else _redis.loads(data)
        return await self.cache.aget(key, CACHE_MISSING)

    async def aset(self, key, value, ttl):
        if self._local:
            return self.set(key, value, ttl)
        if self._redis:
            made = self.cache.make_and_validate_key(key)
            client = _redis.async_client(self.alias)
            if ttl is not None and ttl <= 0:
                await client.delete(made)
            else:
                await client.set(made, _redis.dumps(value), ex=None if ttl is None else int(ttl))
            return None
        return await self.cache.aset(key, value, ttl)

    async def adelete(self, key):
        if self._local:
            return self.delete(key)
        if self._redis:
            await _redis.async_client(self.alias).delete(self.cache.make_and_validate_key(key))
            return None
        return await self.cache.adelete(key)

    async def adelete_pattern(self, pattern):
        if self._local or _redis.redis_url(self.alias) is None:
            return self.delete_pattern(pattern)
        client = _redis.async_client(self.alias)
        keys = [key async for key in client.scan_iter(match=self.cache.make_key(pattern), count=1000)]
        for start in range(0, len(keys), 500):
            await client.unlink(*keys[start : start + 500])
        return None

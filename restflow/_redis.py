"""Redis clients for a Django cache alias, so async code reaches Redis without a thread hop.

Django's cache backends answer ``aget``/``aset`` through ``sync_to_async``: a hop per call.
When an alias is backed by Redis (Django's ``RedisCache`` or django-redis), restflow talks to
the same server with ``redis.asyncio`` instead, using the backend's own key function and
Django's pickle format, so sync and async code read each other's entries.
"""

import pickle
import weakref
from asyncio import get_running_loop

from django.conf import settings

REDIS_BACKENDS = frozenset({"django.core.cache.backends.redis.RedisCache", "django_redis.cache.RedisCache"})
# django-redis options that change the stored bytes; with them, restflow leaves I/O to the backend.
_FORMAT_OPTIONS = ("SERIALIZER", "COMPRESSOR", "serializer")

# Connections per process and loop: beyond it a call waits (up to the timeout) for a free one
# instead of failing, so a burst of requests queues on the pool rather than answering 500. A
# Redis call takes well under a millisecond, so a few connections serve hundreds of requests; the
# timeouts are generous because a saturated server may take seconds to connect in a burst.
POOL_SIZE = 16
TIMEOUT = 30

_async_clients = {}  # alias -> WeakKeyDictionary(loop -> client)
_sync_clients = {}  # alias -> client


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
    return {"max_connections": POOL_SIZE, "timeout": TIMEOUT, "socket_timeout": TIMEOUT, "socket_connect_timeout": TIMEOUT}


def async_client(alias):
    """A ``redis.asyncio`` client for ``alias`` bound to the running event loop."""
    import redis.asyncio

    per_loop = _async_clients.setdefault(alias, weakref.WeakKeyDictionary())
    loop = get_running_loop()
    client = per_loop.get(loop)
    if client is None:
        pool = redis.asyncio.BlockingConnectionPool.from_url(redis_url(alias), **_pool_options())
        client = per_loop[loop] = redis.asyncio.Redis(connection_pool=pool)
    return client


def sync_client(alias):
    """A ``redis.Redis`` client for ``alias`` (thread-safe; one per process)."""
    import redis

    client = _sync_clients.get(alias)
    if client is None:
        pool = redis.BlockingConnectionPool.from_url(redis_url(alias), **_pool_options())
        client = _sync_clients[alias] = redis.Redis(connection_pool=pool)
    return client


def dumps(value):
    """Django's Redis format: ints as they are, anything else pickled."""
    return value if type(value) is int else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def loads(data):
    """Read what ``dumps`` (or Django's Redis cache) wrote."""
    try:
        return int(data)
    except ValueError:
        return pickle.loads(data)

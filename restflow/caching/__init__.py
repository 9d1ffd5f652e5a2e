"""Declarative caching: key constructors, ``cache_result``, ``cache_response``, invalidation rules, dispatchers."""

from restflow._compat import register_compat_paths
from restflow.caching.dispatchers import (
    AsyncIODispatcher,
    CeleryDispatcher,
    Dispatcher,
    DjangoQDispatcher,
    DjangoRqDispatcher,
    DramatiqDispatcher,
    InlineDispatcher,
    ThreadPoolDispatcher,
    register_dispatcher,
    registered_dispatcher_names,
)
from restflow.caching.fields import (
    ArgsKeyField,
    CacheKeyField,
    ConstantKeyField,
    DjangoModelKeyField,
    DrfSerializerKeyField,
    QueryParamsKeyField,
    RequestValueKeyField,
    UserKeyField,
    ViewKwargsKeyField,
)
from restflow.caching.keys import (
    DefaultKeyConstructor,
    InlineKeyConstructor,
    KeyConstructor,
    ResponseCacheKeyConstructor,
)
from restflow.caching.registry import CacheRegister
from restflow.caching.responses import CachedResponseWrapper, cache_response
from restflow.caching.rules import InvalidationRule, arun_cache_rules, run_cache_rules
from restflow.caching.store import CACHE_MISSING
from restflow.caching.wrappers import (
    CachedWrapper,
    CacheStatus,
    cache_result,
    set_response_cache_header,
)

__all__ = [
    "CACHE_MISSING",
    "ArgsKeyField",
    "AsyncIODispatcher",
    "CacheKeyField",
    "CacheRegister",
    "CacheStatus",
    "CachedResponseWrapper",
    "CachedWrapper",
    "CeleryDispatcher",
    "ConstantKeyField",
    "DefaultKeyConstructor",
    "Dispatcher",
    "DjangoQDispatcher",
    "DjangoRqDispatcher",
    "DramatiqDispatcher",
    "DjangoModelKeyField",
    "DrfSerializerKeyField",
    "InlineDispatcher",
    "InlineKeyConstructor",
    "InvalidationRule",
    "KeyConstructor",
    "QueryParamsKeyField",
    "RequestValueKeyField",
    "ResponseCacheKeyConstructor",
    "ThreadPoolDispatcher",
    "UserKeyField",
    "ViewKwargsKeyField",
    "arun_cache_rules",
    "cache_response",
    "cache_result",
    "register_dispatcher",
    "registered_dispatcher_names",
    "run_cache_rules",
    "set_response_cache_header",
]


register_compat_paths(__name__)

"""Declarative caching: key constructors, ``cache_result``, ``cache_response``, invalidation rules, dispatchers."""

from restflow.caching.dispatchers import Dispatcher, register_dispatcher, registered_dispatcher_names
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
from restflow.caching.responses import CachedResponseWrapper, cache_response
from restflow.caching.rules import InvalidationRule, arun_cache_rules, run_cache_rules
from restflow.caching.store import CACHE_MISSING
from restflow.caching.wrappers import CachedWrapper, CacheStatus, cache_result, set_response_cache_header

__all__ = [
    "CACHE_MISSING",
    "ArgsKeyField",
    "CacheKeyField",
    "CacheStatus",
    "CachedResponseWrapper",
    "CachedWrapper",
    "ConstantKeyField",
    "DefaultKeyConstructor",
    "Dispatcher",
    "DjangoModelKeyField",
    "DrfSerializerKeyField",
    "InlineKeyConstructor",
    "InvalidationRule",
    "KeyConstructor",
    "QueryParamsKeyField",
    "RequestValueKeyField",
    "ResponseCacheKeyConstructor",
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

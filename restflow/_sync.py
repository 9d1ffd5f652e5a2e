"""Hops to the sync thread, and awaiting values that may or may not be awaitable."""

import asyncio
import sys
from functools import cache, wraps
from inspect import isawaitable

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.exceptions import SynchronousOnlyOperation
from django.db import transaction

# Sync functions that met SynchronousOnlyOperation on the loop: called in a hop from then on.
_known_to_query = set()


def in_thread(func, *args, **kwargs):
    """Run sync ``func`` in the request's sync thread (one hop); return an awaitable."""
    return sync_to_async(func, thread_sensitive=True)(*args, **kwargs)


async def resolve(value):
    """Await ``value`` when it is awaitable, else return it as it is."""
    if isawaitable(value):
        return await value
    return value


async def acall(method, *args, **kwargs):
    """Call a view's own override of a DRF method: awaited when ``async def``, else in one hop
    (code written for DRF may query the database)."""
    if iscoroutinefunction(method):
        return await method(*args, **kwargs)
    return await in_thread(method, *args, **kwargs)


async def loop_first(method, *args, **kwargs):
    """Call sync ``method`` on the loop, or in a hop once it has shown that it queries.

    Django raises SynchronousOnlyOperation on the loop before a query runs; the call is then
    repeated in a hop, and the function goes straight to the hop from then on. A returned
    awaitable (an ``async def`` override) is awaited.
    """
    key = getattr(method, "__func__", method)
    if key in _known_to_query:
        return await in_thread(method, *args, **kwargs)
    try:
        value = method(*args, **kwargs)
    except SynchronousOnlyOperation:
        _known_to_query.add(key)
        return await in_thread(method, *args, **kwargs)
    return await resolve(value)


def atomic_run(using, func, *args):
    """Run sync ``func`` inside one transaction on database ``using`` (call it in a hop)."""
    with transaction.atomic(using=using):
        return func(*args)


def callable_from_sync(method):
    """Make async ``method`` callable the way DRF code calls the sync method it replaces.

    Awaited from async code, it is the coroutine function it was. Called from a thread with
    no running event loop (a sync override, running in its hop, that calls ``super().list()``
    or ``super().dispatch()``), it runs to completion on the loop and returns its result.
    """

    @wraps(method)
    def call(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            # asgiref's async_to_sync builds the coroutine in the calling thread, before a loop
            # runs it: that caller gets the coroutine, as from async code.
            if sys._getframe(1).f_globals.get("__name__") != "asgiref.sync":
                return async_to_sync(method)(*args, **kwargs)
        return method(*args, **kwargs)

    call.callable_from_sync = True
    return markcoroutinefunction(call)


def in_hop(sync_method):
    """An ``async def`` that runs ``sync_method`` (a DRF-style override) in one hop."""

    @wraps(sync_method)
    async def call(*args, **kwargs):
        return await in_thread(sync_method, *args, **kwargs)

    return call


def overrides_sync(view, async_name, sync_name):
    """True when ``view``'s class overrides DRF's sync ``sync_name`` more specifically than
    restflow's ``async_name``: code written for DRF, which the async path must call."""
    return not prefers_async(type(view), async_name, sync_name)


@cache
def prefers_async(cls, async_name, sync_name):
    """True when ``cls`` has ``async_name`` and defines it no higher than ``sync_name``.

    A subclass that overrides only the sync method (say ``paginate_queryset`` on a
    restflow paginator) is then asked through the sync method, so its override holds.
    """
    for klass in cls.__mro__:
        if async_name in vars(klass):
            return True
        if sync_name in vars(klass):
            return False
    return False

"""Running user code that may be sync from async code: the one place restflow decides where it runs.

A step's code is run the way the dispatch plan (``restflow._dispatch``) chose for it from what
the code is: ``async def`` code is awaited on the loop, sync code that may block (a DRF-style
override, which may query) runs in one hop to the request's sync thread, and code restflow
knows does no I/O (DRF's stock steps) runs on the loop. ``run_step`` is that choice applied.

Serializer work the plan cannot see through (a plain DRF serializer's fields) starts on the loop
and is redone in a hop when Django refuses a query there (``restflow._serializing``). That
detection only works while Django guards the loop: with ``DJANGO_ALLOW_ASYNC_UNSAFE`` set it does
not, so such work then always goes to the thread, and the project is told once
(``loop_is_guarded``).
"""

import asyncio
import os
import sys
import warnings
from functools import wraps
from inspect import isawaitable

from asgiref.sync import async_to_sync, markcoroutinefunction, sync_to_async
from django.db import transaction

from restflow._memo import per_class

# How a step runs (the dispatch plan's vocabulary).
STOCK = "stock"  # restflow's own code for DRF's step, on the loop
ASYNC = "async"  # an ``async def`` override, awaited on the loop
HOP = "hop"  # a sync override that may block: one hop to the sync thread
LOOP = "loop"  # a sync override of a step whose contract does no I/O: called on the loop

UNSAFE_WARNING = (
    "DJANGO_ALLOW_ASYNC_UNSAFE is set: Django no longer refuses the sync ORM on the event loop, so "
    "restflow cannot see when serializer code queries. restflow runs such code in a thread instead "
    "(one hop per call); unset the variable to let code that does not query stay on the loop."
)
_warned_unsafe: list = []


def in_thread(func, *args, **kwargs):
    """Run sync ``func`` in the request's sync thread (one hop); return an awaitable."""
    return sync_to_async(func, thread_sensitive=True)(*args, **kwargs)


async def resolve(value):
    """Await ``value`` when it is awaitable, else return it as it is."""
    if isawaitable(value):
        return await value
    return value


async def run_step(how, method, *args, **kwargs):
    """Run ``method`` as the plan decided (``how``): awaited, in one hop, or called on the loop.

    A sync method may end in ``return super().x(...)`` reaching restflow's async parent: the
    coroutine it returns is awaited here.
    """
    if how == HOP:
        return await resolve(await in_thread(method, *args, **kwargs))
    return await resolve(method(*args, **kwargs))


def in_hop(sync_method):
    """An ``async def`` that runs ``sync_method`` (a DRF-style override) in one hop."""

    @wraps(sync_method)
    async def call(*args, **kwargs):
        return await in_thread(sync_method, *args, **kwargs)

    return call


def loop_is_guarded():
    """True unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set (Django checks it on every ORM call).

    When set, the first call warns once (``RuntimeWarning``): code restflow would otherwise try on
    the loop goes to a thread.
    """
    if not os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"):
        return True
    if not _warned_unsafe:
        _warned_unsafe.append(True)
        warnings.warn(UNSAFE_WARNING, RuntimeWarning, stacklevel=2)
    return False


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


@per_class
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

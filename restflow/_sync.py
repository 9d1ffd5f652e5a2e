"""Hops to the sync thread, and awaiting values that may or may not be awaitable."""

from functools import cache
from inspect import isawaitable

from asgiref.sync import sync_to_async
from django.db import transaction


def in_thread(func, *args, **kwargs):
    """Run sync ``func`` in the request's sync thread (one hop); return an awaitable."""
    return sync_to_async(func, thread_sensitive=True)(*args, **kwargs)


async def resolve(value):
    """Await ``value`` when it is awaitable, else return it as it is."""
    if isawaitable(value):
        return await value
    return value


def atomic_run(using, func, *args):
    """Run sync ``func`` inside one transaction on database ``using`` (call it in a hop)."""
    with transaction.atomic(using=using):
        return func(*args)


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

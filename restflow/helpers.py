"""Small public utilities: string types for serializer annotations, and sync/async bridges.

``Email``, ``IPAddress`` and ``BlankableString`` are plain ``str`` at run time; a type-annotated
restflow serializer maps them to ``EmailField``, ``IPAddressField`` and ``CharField(allow_blank=True)``.
"""

from inspect import isawaitable, iscoroutine

from asgiref.sync import async_to_sync

from restflow._string_types import BlankableString, Email, IPAddress
from restflow._sync import resolve

__all__ = ["BlankableString", "Email", "IPAddress", "maybe_await", "require_sync", "run_sync"]


async def maybe_await(value):
    """``value`` awaited when it is awaitable, else ``value`` itself."""
    return await resolve(value)


def require_sync(value, async_alternative):
    """``value`` when it is not awaitable; an awaitable is closed and a TypeError names ``async_alternative``."""
    if not isawaitable(value):
        return value
    if iscoroutine(value):
        value.close()
    raise TypeError(
        f"got an awaitable where a plain value was expected: an async callable cannot run here; "
        f"use {async_alternative} instead."
    )


def run_sync(value):
    """``value`` when it is not awaitable, else its result, awaited through ``async_to_sync``."""
    if not isawaitable(value):
        return value
    return async_to_sync(resolve)(value)

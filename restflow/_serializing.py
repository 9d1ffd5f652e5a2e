"""Validation, saving and representation of serializers from async code (the engine's async surface).

``ais_valid``, ``adata`` and ``asave`` (what the views call) await a serializer's
own async methods when it has them, as restflow's serializers do. A plain DRF
serializer takes the fast path (the ``plain_*`` helpers, which restflow's
serializer classes build on): validation and representation first run on the
event loop, where they cost no hop. When such a serializer needs the database
there (a related field, a UniqueValidator), Django refuses with
SynchronousOnlyOperation before any query runs; the work is then redone in one
hop (a rendering keeps the method fields' results it already has), and the
serializer class remembered so later requests go straight to the thread.
"""

from django.core.exceptions import SynchronousOnlyOperation
from django.db import models
from rest_framework.serializers import ListSerializer

from restflow._fields_cache import prime_fields
from restflow._memo import Memo
from restflow._plan import represent
from restflow._sync import in_thread, loop_is_guarded, resolve
from restflow._validation import validate

# Serializer classes (a list's child class, with the list's class) whose sync validation or
# representation met SynchronousOnlyOperation on the loop: run in a hop from then on.
_valid_in_thread = Memo("restflow._serializing.valid_in_thread")
_data_in_thread = Memo("restflow._serializing.data_in_thread")


def _key(serializer):
    """(class, other class): the serializer's, or a list's child's and the list's own."""
    child = getattr(serializer, "child", None)
    if child is None:
        return type(serializer), None
    return type(child), type(serializer)


def _representation(serializer, method_results=None):
    data = represent(serializer, method_results)
    if data is None:
        prime_fields(serializer)
        data = serializer.data
    return data


def _is_valid(serializer, raise_exception):
    prime_fields(serializer)
    return validate(serializer, raise_exception)


async def on_loop_or_hop(memo, key, func, *args, **kwargs):
    """Run sync ``func`` on the loop; when it needs the database there, redo it in one hop.

    ``key`` (a class, with one more hashable value) is then added to ``memo`` (a
    ``restflow._memo.Memo``), so later calls with it go straight to the thread.
    With ``DJANGO_ALLOW_ASYNC_UNSAFE`` set Django would not refuse: every call goes to the thread.
    """
    if not memo.has(*key) and loop_is_guarded():
        try:
            return func(*args, **kwargs)
        except SynchronousOnlyOperation:
            memo.add(*key)
    return await in_thread(func, *args, **kwargs)


async def plain_is_valid(serializer, raise_exception=True):
    """``serializer.is_valid()`` without blocking the loop."""
    return await on_loop_or_hop(_valid_in_thread, _key(serializer), _is_valid, serializer, raise_exception)


def _validate_then(serializer, then, args):
    _is_valid(serializer, True)
    return then(*args)


async def ais_valid_then(serializer, then, *args):
    """Validate (DRF's 400 when invalid), then run sync ``then(*args)`` in a hop.

    When validation needs the database too, both share that one hop. A serializer
    with its own ``ais_valid`` is awaited through it first.
    """
    if own_async(serializer, "ais_valid") is not None:
        await ais_valid(serializer, raise_exception=True)
        return await in_thread(then, *args)
    key = _key(serializer)
    if not _valid_in_thread.has(*key) and loop_is_guarded():
        try:
            _is_valid(serializer, True)
        except SynchronousOnlyOperation:
            _valid_in_thread.add(*key)
        else:
            return await in_thread(then, *args)
    return await in_thread(_validate_then, serializer, then, args)


async def plain_data(serializer):
    """``serializer.data`` without blocking the loop.

    A rendering redone in the hop takes back the method fields' results from the one
    that stopped on the loop (``represent``): each method runs once per row, as in DRF.
    """
    key = _key(serializer)
    method_results = None
    if not _data_in_thread.has(*key):
        instance = serializer.instance
        if isinstance(serializer, ListSerializer) and isinstance(instance, (models.QuerySet, models.Manager)):
            # Fetch a lazy queryset here: its query alone must not mark the class as
            # one whose representation needs the thread (every later request would hop).
            serializer.instance = [obj async for obj in instance.all()]
        method_results = []  # filled on the loop, read back by a redo in the hop
    return await on_loop_or_hop(_data_in_thread, key, _representation, serializer, method_results)


async def plain_save(serializer, **kwargs):
    """``serializer.save(**kwargs)`` in one hop; returns the saved instance."""
    return await in_thread(serializer.save, **kwargs)


# The helpers our views call: the serializer's own async method when it has one, else the
# plain_* fast path above (which never consults the serializer's own methods).


def own_async(serializer, name):
    """The serializer's own async method ``name`` (bound), or None to take the plain path.

    A class saying (through ``_runs_async_code(name)``, as restflow's serializers do) that
    the method only wraps DRF's sync path takes the plain path: the same work, and
    validation can share a hop with the write.
    """
    method = getattr(serializer, name, None)
    runs_own_code = getattr(serializer, "_runs_async_code", None)
    if method is None or (runs_own_code is not None and not runs_own_code(name)):
        return None
    return method


async def ais_valid(serializer, raise_exception=True):
    """``serializer.is_valid()`` without blocking the loop (its own ``ais_valid`` when it has one)."""
    own = own_async(serializer, "ais_valid")
    if own is not None:
        return await own(raise_exception=raise_exception)
    return await plain_is_valid(serializer, raise_exception)


async def adata(serializer):
    """``serializer.data`` without blocking the loop (its own ``adata``, a method or an awaitable property)."""
    own = own_async(serializer, "adata")
    if own is not None:
        return await resolve(own() if callable(own) else own)
    return await plain_data(serializer)


async def asave(serializer, **kwargs):
    """``serializer.save(**kwargs)`` in one hop (its own ``asave`` when it has one); returns the instance."""
    own = own_async(serializer, "asave")
    if own is not None:
        return await own(**kwargs)
    return await plain_save(serializer, **kwargs)

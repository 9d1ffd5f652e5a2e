"""Validation, saving and representation of serializers from async code.

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

import contextlib
import copy
import functools
import inspect

from django.core.exceptions import SynchronousOnlyOperation
from django.db import models
from rest_framework.serializers import ListSerializer

from restflow._plan import prime_fields, represent
from restflow._sync import in_thread, loop_is_guarded, resolve
from restflow._validation import validate

_valid_in_thread = set()
_data_in_thread = set()


def _key(serializer):
    return (type(serializer), type(getattr(serializer, "child", None)))


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

    ``key`` goes into the set ``memo`` then, so later calls with it go straight to the thread.
    With ``DJANGO_ALLOW_ASYNC_UNSAFE`` set Django would not refuse: every call goes to the thread.
    """
    if key not in memo and loop_is_guarded():
        try:
            return func(*args, **kwargs)
        except SynchronousOnlyOperation:
            memo.add(key)
    return await in_thread(func, *args, **kwargs)


async def plain_is_valid(serializer, raise_exception=True):
    """``serializer.is_valid()`` without blocking the loop."""
    return await on_loop_or_hop(
        _valid_in_thread, _key(serializer), _is_valid, serializer, raise_exception
    )


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
    if key not in _valid_in_thread and loop_is_guarded():
        try:
            _is_valid(serializer, True)
        except SynchronousOnlyOperation:
            _valid_in_thread.add(key)
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
    if key not in _data_in_thread:
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


@functools.cache
def _attnames(model):
    return tuple(field.attname for field in model._meta.concrete_fields)


def _loaded_values(instance):
    """Snapshot of the instance's loaded concrete field values (deferred ones left out)."""
    state = instance.__dict__
    values = {name: state[name] for name in _attnames(type(instance)) if name in state}
    for name, value in values.items():
        if isinstance(value, (dict, list)):
            values[name] = copy.deepcopy(value)  # a JSON value changed in place must still differ
    return values


def remember_loaded(instance):
    """Record ``instance``'s values as the database gave them; call it before any user code sees it.

    ``writing_changed_fields`` compares against this record: whatever is set on the
    instance afterwards (by ``validate()``, a hook, the model's ``save()``) counts as changed.
    """
    instance._state.restflow_loaded = _loaded_values(instance)
    return instance


def _changed(field, loaded, current):
    """True when ``field``'s value is set on the instance and is not the one loaded."""
    if field.attname not in current:
        return False  # deferred and never read: nothing to write
    return field.attname not in loaded or current[field.attname] != loaded[field.attname]


@contextlib.contextmanager
def writing_changed_fields(serializer):
    """While the block runs, a plain ``save()`` of the serializer's instance writes only what changed.

    Concurrent partial updates of different fields of one row then never undo each
    other. A field counts when the serializer validated it, when its value differs
    from the one recorded at load time (``remember_loaded``: whatever validation, a
    hook, the model's ``save()`` or a pre_save receiver set on the instance, as DRF's
    full save would write it), or when it is ``auto_now``. The fields are chosen when
    the row is written. An instance with no record of its loaded values (one a
    ``get_object`` override fetched), a save that names its own ``update_fields``, or
    one that changes the primary key is saved as it asks: in full, as in DRF.
    """
    instance = serializer.instance
    if not isinstance(instance, models.Model) or "_save_table" in instance.__dict__:
        yield  # not a model, or already inside such a block (an override calling the default hook)
        return
    before = getattr(instance._state, "restflow_loaded", None)
    if before is None:
        yield  # what was loaded is unknown: a full save, as DRF's
        return
    meta = instance._meta
    save_table = instance._save_table
    position = _update_fields_position(type(instance)._save_table)

    def changed_fields_only(*args, **kwargs):
        given = args[position] if len(args) > position else kwargs.get("update_fields")
        after = _loaded_values(instance)
        if given is not None or after.get(meta.pk.attname) != before.get(meta.pk.attname):
            return save_table(*args, **kwargs)
        validated = serializer.validated_data if isinstance(serializer.validated_data, dict) else {}
        fields = [
            field.name
            for field in meta.concrete_fields
            if not field.primary_key
            and (
                field.name in validated
                or field.attname in validated
                or _changed(field, before, after)
                or getattr(field, "auto_now", False)
            )
        ]
        if not fields:
            return True  # nothing to write: the row stands as it is (Django's save with update_fields=[])
        if len(args) > position:
            args = (*args[:position], fields, *args[position + 1 :])
        else:
            kwargs["update_fields"] = fields
        return save_table(*args, **kwargs)

    instance._save_table = changed_fields_only
    try:
        yield
    finally:
        del instance._save_table


@functools.cache
def _update_fields_position(save_table):
    """Where ``update_fields`` sits among ``Model._save_table``'s positional arguments (after self)."""
    return list(inspect.signature(save_table).parameters).index("update_fields") - 1


def save_changed_fields(serializer, **kwargs):
    """``serializer.save(**kwargs)`` for an update, writing only the fields that changed (see above)."""
    with writing_changed_fields(serializer):
        return serializer.save(**kwargs)

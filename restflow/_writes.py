"""Running a write: in a transaction only where one is needed for its rollback guarantee.

A default ModelSerializer save of a model with a plain ``save()`` and no
``pre_save``/``post_save`` receivers is one INSERT or UPDATE (Django wraps a
multi-table save in its own transaction), and Django's ``delete()`` puts its
cascades and signals in one transaction itself. Those run in autocommit: no
BEGIN/COMMIT round trips, and on SQLite the write lock is held for the one
statement instead of across the Python work around it. Anything else (a user's
hook, an overridden ``create``/``update``/``save``, a many-to-many write,
signal receivers) runs in ``transaction.atomic``, so a failure leaves nothing behind;
so does every write inside a transaction already (ATOMIC_REQUESTS), where the
savepoint keeps a failed statement from breaking the outer transaction.

Such a one-row create is also done directly (``_create_row``): what DRF's
``save()`` and ``ModelSerializer.create()`` do for it, without reading the
model's field info twice per call; their checks hold by construction (no
nested or dotted writable field, no many-to-many value), and anything else
(an unexpected keyword, a save asked for twice) goes to DRF's own code.
"""

from django.db import connections, models
from django.db.models import signals
from django.db.models.query import QuerySet
from rest_framework import serializers
from rest_framework.utils import model_meta

from restflow._changed_fields import save_changed_fields
from restflow._drf_own import PLANS_ENABLED, awaits_own_code, is_drfs
from restflow._memo import Memo
from restflow._sync import atomic_run

__all__ = ["run_write"]

_to_many = Memo("restflow._writes.to_many")  # model -> names of its to-many relations


def _is_default_save(write):
    """DRF's ``save``, or an override that runs it once it refused async user code (restflow's)."""
    return write is serializers.BaseSerializer.save or getattr(write, "runs_drfs", False)


def _plain_model(model):
    """A model whose save is Django's and that no save receiver watches."""
    return (
        model.save is models.Model.save
        and model.save_base is models.Model.save_base
        and not signals.pre_save.has_listeners(model)
        and not signals.post_save.has_listeners(model)
    )


def _to_many_names(model):
    return frozenset(name for name, info in model_meta.get_field_info(model).relations.items() if info.to_many)


def _to_many_written(model, validated_data):
    return any(name in validated_data for name in _to_many.get(model, _to_many_names))


def _one_statement_save(serializer):
    """True when ``serializer.save()`` is DRF's ModelSerializer save writing one row of a plain model."""
    cls = type(serializer)
    if not isinstance(serializer, serializers.ModelSerializer) or not is_drfs(cls, "save", "asave"):
        return False
    model = getattr(getattr(cls, "Meta", None), "model", None)
    validated = getattr(serializer, "_validated_data", None)
    if not (isinstance(model, type) and issubclass(model, models.Model) and isinstance(validated, dict)):
        return False
    if serializer.instance is None:
        manager_create = getattr(type(model._default_manager), "create", None)
        if cls.create is not serializers.ModelSerializer.create or (
            getattr(manager_create, "__wrapped__", None) is not QuerySet.create
        ):
            return False
    elif cls.update is not serializers.ModelSerializer.update or type(serializer.instance) is not model:
        return False
    return _plain_model(model) and not _to_many_written(model, validated)


def _creates_directly(serializer):
    """True when DRF's ``save()`` of ``serializer`` would create one row through ``_create_row``'s steps."""
    if not PLANS_ENABLED or serializer.instance is not None or awaits_own_code(type(serializer), "asave"):
        return False  # restflow's save may refuse an async create: DRF's path raises it
    if not hasattr(serializer, "_errors") or serializer._errors or hasattr(serializer, "_data"):
        return False  # DRF's save raises its own assertion
    for field in serializer._writable_fields:
        if isinstance(field, serializers.BaseSerializer) or len(field.source_attrs) > 1:
            return False  # DRF checks these for nested writes
    return _one_statement_save(serializer)


def _create_row(serializer):
    """DRF's ``save()`` creating one row through ModelSerializer's ``create()``, for ``_creates_directly``."""
    validated_data = {**serializer.validated_data}
    try:
        instance = serializer.Meta.model._default_manager.create(**validated_data)
    except TypeError:
        pass  # nothing was written: DRF's create explains the TypeError (outside this handler, as DRF words it)
    else:
        serializer.instance = instance
        return instance
    return type(serializer).save(serializer)


def _needs_transaction(write, target):
    if write is models.Model.delete:  # Django's own delete() is atomic by itself
        return False
    if write is _create_row:
        return False
    if _is_default_save(write) or write is save_changed_fields:
        return not _one_statement_save(target)
    return True


def run_write(using, write, target):
    """Run sync ``write(target)`` (call it in a hop): in one transaction on ``using`` unless not needed."""
    if _is_default_save(write) and _creates_directly(target):
        write = _create_row
    if connections[using].in_atomic_block or _needs_transaction(write, target):
        return atomic_run(using, write, target)
    return write(target)

"""An update writes only the columns that changed since the row was loaded, through ``save(update_fields=...)``.

Two concurrent partial updates of different fields of one row then never undo each
other (DRF's full save lets the later one write back the earlier one's column as it
loaded it). ``remember_loaded`` records an instance's values when the view loads it;
``save_changed_fields`` then does what DRF's ``ModelSerializer.update`` does, but saves
with ``update_fields``: the fields the serializer validated, those whose value differs
from the recorded one, and ``auto_now`` ones. That list is read when Django's
``Model.save()`` reads it, so whatever a model's own ``save()`` set before calling
Django's counts too; a field a ``pre_save`` receiver sets (after Django read the list)
is written right after the save, in the same transaction.

Anything else is DRF's full save: an instance with no record (a ``get_object``
override of DRF's fetched it), a serializer whose ``save()`` or ``update()`` is its
own, a DRF release the suite does not test. A row deleted while the update ran
answers 404 (DRF's full save would insert it again).
"""

import copy

from django.db import DatabaseError
from django.db.models import Model
from django.http import Http404
from rest_framework import serializers
from rest_framework.utils import model_meta

from restflow._drf_own import PLANS_ENABLED, is_drfs
from restflow._memo import Memo

__all__ = ["remember_loaded", "save_changed_fields", "updates_changed_fields"]

_attnames = Memo("restflow._changed_fields.attnames")  # model -> its concrete fields' attnames


def _concrete_attnames(model):
    return tuple(field.attname for field in model._meta.concrete_fields)


def _loaded_values(instance):
    """Snapshot of the instance's loaded concrete field values (deferred ones left out)."""
    state = instance.__dict__
    values = {name: state[name] for name in _attnames.get(type(instance), _concrete_attnames) if name in state}
    for name, value in values.items():
        if isinstance(value, (dict, list)):
            values[name] = copy.deepcopy(value)  # a JSON value changed in place must still differ
    return values


def remember_loaded(instance):
    """Record ``instance``'s values as the database gave them; call it before any user code sees it.

    ``save_changed_fields`` compares against this record: whatever is set on the
    instance afterwards (by ``validate()``, a hook, the model's ``save()``) counts as changed.
    """
    instance._state.restflow_loaded = _loaded_values(instance)
    return instance


def updates_changed_fields(serializer):
    """True when ``save_changed_fields`` writes only changed columns (else it is DRF's full save)."""
    cls = type(serializer)
    instance = serializer.instance
    return (
        PLANS_ENABLED
        and isinstance(serializer, serializers.ModelSerializer)
        and isinstance(instance, Model)
        and getattr(instance._state, "restflow_loaded", None) is not None
        and is_drfs(cls, "save", "asave")
        and cls.update is serializers.ModelSerializer.update
        and getattr(serializer, "_errors", None) == {}
        and not hasattr(serializer, "_data")
    )


class _ChangedFields:
    """``update_fields`` for one save, worked out when Django's ``Model.save()`` first reads it."""

    def __init__(self, instance, validated):
        self.instance = instance
        self.validated = validated
        self.names = None

    def _work_out(self):
        instance = self.instance
        before = instance._state.restflow_loaded
        current = instance.__dict__
        names = []
        for field in instance._meta.concrete_fields:
            if field.primary_key or getattr(field, "generated", False) or field.attname not in current:
                continue  # a deferred field never read has nothing to write
            if (
                field.name in self.validated
                or field.attname in self.validated
                or getattr(field, "auto_now", False)
                or field.attname not in before
                or current[field.attname] != before[field.attname]
            ):
                names.append(field.name)
        if not names:
            # Nothing changed: write one column back as the database holds it, so the save
            # (and its signals) still happens, as DRF's does, without undoing anyone's change.
            field = next(f for f in instance._meta.concrete_fields if not f.primary_key)
            instance.refresh_from_db(fields=[field.attname])
            names.append(field.name)
        self.names = names
        return names

    def __len__(self):
        return len(self.names if self.names is not None else self._work_out())

    def __iter__(self):
        return iter(self.names if self.names is not None else self._work_out())


def _write_the_rest(instance, written):
    """Write what changed after Django read ``update_fields`` (a ``pre_save`` receiver's work)."""
    before = instance._state.restflow_loaded
    current = instance.__dict__
    late = {
        field.attname: current[field.attname]
        for field in instance._meta.concrete_fields
        if field.name not in written
        and not field.primary_key
        and field.attname in current
        and (field.attname not in before or current[field.attname] != before[field.attname])
    }
    if late:
        type(instance)._base_manager.using(instance._state.db).filter(pk=instance.pk).update(**late)


# What Django's save(update_fields=...) raises when no row was updated: Model.NotUpdated from
# Django 6.0, a DatabaseError with this message before (pinned in tests/serializers/test_private_pins.py).
NOT_UPDATED_MESSAGE = "Save with update_fields did not affect any rows."


def _row_gone(instance, exc):
    """True when ``exc`` says the update found no row, its primary key unchanged: the row was deleted."""
    loaded_pk = instance._state.restflow_loaded.get(instance._meta.pk.attname)
    if instance.pk != loaded_pk:
        return False
    not_updated = getattr(type(instance), "NotUpdated", None)
    if not_updated is not None:
        return isinstance(exc, not_updated)
    return str(exc) == NOT_UPDATED_MESSAGE


def _save(instance, validated):
    changed = _ChangedFields(instance, validated)
    try:
        instance.save(update_fields=changed)
    except DatabaseError as exc:
        if _row_gone(instance, exc):
            raise Http404(f"No {instance._meta.object_name} matches the given query.") from None
        raise
    if changed.names is not None:
        _write_the_rest(instance, changed.names)
    instance._state.restflow_loaded = _loaded_values(instance)  # a second save counts from here


def save_changed_fields(serializer, **kwargs):
    """``serializer.save(**kwargs)`` for an update, writing only the fields that changed (see above)."""
    if not updates_changed_fields(serializer):
        return serializer.save(**kwargs)
    assert "commit" not in kwargs, "'commit' is not a valid keyword argument to the 'save()' method. "
    validated = {**serializer.validated_data, **kwargs}
    instance = serializer.instance
    serializers.raise_errors_on_nested_writes("update", serializer, validated)
    relations = model_meta.get_field_info(instance).relations
    to_many = []
    for attr, value in validated.items():
        if attr in relations and relations[attr].to_many:
            to_many.append((attr, value))
        else:
            setattr(instance, attr, value)
    _save(instance, validated)
    for attr, value in to_many:
        getattr(instance, attr).set(value)
    serializer.instance = instance
    return instance

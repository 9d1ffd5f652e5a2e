"""A serializer class's fields, built once and copied per instance: the base of the serializer engine.

DRF builds a serializer's fields on every instance (a ModelSerializer reads its model
each time). Here the fields ``get_fields()`` returns are built once per class
(``template``) and each instance gets its own copy, bound to it, exactly as DRF's
``fields`` would be (fields stay per instance and may be changed per instance): a
DRF field whose state is plain values is copied from a snapshot of what DRF's deep
copy (a fresh construction from the field's arguments) gives, its lists and dicts
copied too; any other field is deep-copied as DRF does.

A class whose ``get_fields()`` (or a ModelSerializer hook behind it) is its own, or
``fields`` itself, keeps DRF's way. The representation plan (``restflow._plan``) and
the validation plan (``restflow._validation``) build on these cached fields.
"""

import copy
import datetime
import decimal
import operator
import re
import types

from django.db import models
from django.utils.functional import Promise
from rest_framework import fields as drf_fields
from rest_framework import serializers as drf_serializers
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import BindingDict

from restflow._drf_own import DRF_MODULES, PLANS_ENABLED, owner_module
from restflow._memo import MISSING, Memo

__all__ = [
    "fields_are_drfs",
    "template",
    "recipe",
    "Snapshot",
    "prime_fields",
    "primed",
    "untouched",
    "set_url_field_name",
    "shared",
]

_NOT_CACHEABLE = object()
# serializer class -> {name: unbound field} from get_fields(), or _NOT_CACHEABLE
_templates = Memo("restflow._fields_cache.templates", settings_dependent=True)
# serializer class -> ((name, Snapshot or the template field to deep-copy), ...)
_recipes = Memo("restflow._fields_cache.recipes", settings_dependent=True)

# Methods ModelSerializer.get_fields() calls: overriding any makes the fields the class's own business.
_FIELD_HOOKS = (
    "get_fields",
    "get_field_names",
    "get_default_field_names",
    "build_field",
    "build_standard_field",
    "build_relational_field",
    "build_nested_field",
    "build_property_field",
    "build_url_field",
    "build_unknown_field",
    "include_extra_kwargs",
    "get_extra_kwargs",
    "get_uniqueness_extra_kwargs",
)


def fields_are_drfs(cls):
    """True when ``get_fields()`` is DRF's own (its result depends on the class alone) and DRF is tested."""
    if not PLANS_ENABLED or not issubclass(cls, drf_serializers.Serializer):
        return False
    if cls.fields is not drf_serializers.Serializer.fields:
        return False
    return all(owner_module(cls, name) in DRF_MODULES for name in _FIELD_HOOKS if hasattr(cls, name))


def template(serializer):
    """The class's unbound fields from ``get_fields()``, built on first use; None when not cacheable."""
    cls = type(serializer)
    found = _templates.find(cls)
    if found is MISSING:
        found = _templates.put(cls, serializer.get_fields() if fields_are_drfs(cls) else _NOT_CACHEABLE)
    return None if found is _NOT_CACHEABLE else found


def set_url_field_name(serializer):
    """ModelSerializer.get_fields() fills in url_field_name; do what it does."""
    if isinstance(serializer, drf_serializers.ModelSerializer) and serializer.url_field_name is None:
        serializer.url_field_name = api_settings.URL_FIELD_NAME


# Cheap copies. DRF copies a field by constructing it again from its arguments
# (``Field.__deepcopy__``). For DRF's own field classes, whose constructors
# depend on their arguments alone, a snapshot of one such construction stands
# for all of them when every value it holds is shared by DRF's copies too
# (immutable values, validators, the relation's queryset) or is a list, dict or
# set of such values (copied per instance, as each construction makes its own).
_SNAPSHOT_MODULES = frozenset({"rest_framework.fields", "rest_framework.relations", "restflow.serializers._fields"})
_VALIDATOR_MODULES = frozenset({"django.core.validators", "rest_framework.validators"})
_IMMUTABLE = frozenset(
    {
        type(None),
        bool,
        int,
        float,
        complex,
        str,
        bytes,
        decimal.Decimal,
        type,
        re.Pattern,
        types.FunctionType,
        types.BuiltinFunctionType,
        datetime.date,
        datetime.datetime,
        datetime.time,
        datetime.timedelta,
    }
)


def shared(value):
    """True when DRF's copies of a field would hold this very value (or an equal immutable one)."""
    cls = type(value)
    if cls in _IMMUTABLE or isinstance(value, Promise) or cls.__module__ in _VALIDATOR_MODULES:
        return True
    return cls is tuple and all(shared(item) for item in value)


def _flat(value):
    """True for a list, dict or set holding shared values only (one copy per instance suffices)."""
    cls = type(value)
    if cls is dict:
        return all(shared(key) and shared(item) for key, item in value.items())
    return (cls is list or cls is set) and all(shared(item) for item in value)


def _queryset(name, value):
    """A relation's queryset: shared by the copies, as a relation reads it only through ``.all()``."""
    return name == "queryset" and isinstance(value, (models.QuerySet, models.Manager))


class Snapshot:
    """A freshly constructed field's state, and the keys whose containers each copy gets anew.

    ``bound``: the state is the field's after DRF's own ``bind`` to its name (the
    class keeps DRF's ``bind``), so a copy only needs its parent.
    """

    __slots__ = ("cls", "state", "containers", "kwargs_containers", "bound")

    def __init__(self, cls, state, containers, kwargs_containers, bound):
        self.cls = cls
        self.state = state
        self.containers = containers
        self.kwargs_containers = kwargs_containers
        self.bound = bound

    def copy(self, parent=None):
        state = self.state.copy()
        for key in self.containers:
            state[key] = state[key].copy()
        kwargs = state["_kwargs"] = state["_kwargs"].copy()
        for key in self.kwargs_containers:
            kwargs[key] = kwargs[key].copy()
        state["_creation_counter"] = drf_fields.Field._creation_counter  # as constructing it would
        drf_fields.Field._creation_counter += 1
        if self.bound:
            state["parent"] = parent
        field = object.__new__(self.cls)
        field.__dict__ = state
        return field


def _snapshot(field, name, parent):
    """A Snapshot standing for DRF's deep copy of ``field`` (bound as ``name`` when DRF's bind would
    do only that), or None when only a deep copy will do."""
    cls = type(field)
    if cls.__module__ not in _SNAPSHOT_MODULES or cls.__deepcopy__ is not drf_fields.Field.__deepcopy__:
        return None
    fresh = copy.deepcopy(field)
    if type(fresh) is not cls or fresh.__dict__.get("parent", None) is not None:
        return None
    bound = cls.bind is drf_fields.Field.bind
    if bound:
        try:
            fresh.bind(name, parent)
        except Exception:
            return None
    state = dict(fresh.__dict__)
    state["parent"] = None
    containers, kwargs_containers = [], []
    for key, value in state.items():
        if key == "_kwargs":
            for argument_name, argument in value.items():
                if argument_name in ("validators", "regex") or shared(argument) or _queryset(argument_name, argument):
                    continue  # DRF passes validators and regexes on uncopied
                if not _flat(argument):
                    return None
                kwargs_containers.append(argument_name)
        elif _queryset(key, value):
            continue
        elif _flat(value):
            containers.append(key)
        elif not shared(value):
            return None
    return Snapshot(cls, state, tuple(containers), tuple(kwargs_containers), bound)


def recipe(serializer, fields):
    """How each of the class's ``fields`` (its template) is copied: (name, Snapshot or field to deep-copy)."""
    cls = type(serializer)
    found = _recipes.find(cls)
    if found is MISSING:
        copies = tuple((name, _snapshot(field, name, serializer) or field) for name, field in fields.items())
        found = _recipes.put(cls, copies)
    return found


def _prime_one(serializer):
    if "fields" in serializer.__dict__:
        return
    fields_template = template(serializer)
    if fields_template is None:
        return
    set_url_field_name(serializer)
    how_to_copy = recipe(serializer, fields_template)
    deep = {name: how for name, how in how_to_copy if type(how) is not Snapshot}
    if deep:
        deep = copy.deepcopy(deep)  # one memo, as DRF copies them together
    fields = BindingDict(serializer)
    bound = fields.fields  # BindingDict's own dict: a bound copy goes straight in
    for name, how in how_to_copy:
        if type(how) is not Snapshot:
            fields[name] = deep[name]
        elif how.bound:
            bound[name] = how.copy(serializer)
        else:
            fields[name] = how.copy()
    serializer.__dict__["fields"] = fields
    serializer._restflow_primed = tuple(fields.values())


def prime_fields(serializer):
    """Give ``serializer`` (or a list serializer's child) its fields from the class's cache."""
    child = getattr(serializer, "child", None)
    _prime_one(child if isinstance(serializer, drf_serializers.ListSerializer) else serializer)


def untouched(serializer):
    """True unless the instance's fields exist and are not the untouched cached copy."""
    fields = serializer.__dict__.get("fields")
    if fields is None:
        return True
    copied = serializer.__dict__.get("_restflow_primed")
    if copied is None or len(copied) != len(fields):
        return False
    current = fields.fields if type(fields) is BindingDict else fields  # its own dict: no Python-level views
    return all(map(operator.is_, copied, current.values()))


def primed(serializer):
    """True when the serializer's fields are the untouched copy of its class's cached ones."""
    return "_restflow_primed" in serializer.__dict__ and untouched(serializer)

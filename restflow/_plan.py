"""Per-class serializer work done once: cached fields and a representation plan.

DRF builds a serializer's fields on every instance (a ModelSerializer reads its
model each time) and renders each row through every field's ``get_attribute``
and ``to_representation``. Here, per serializer class:

- ``prime_fields``: the fields ``get_fields()`` returns are built once and each
  instance gets its own copy, bound to it, exactly as DRF's ``fields`` would be
  (fields stay per instance and may be changed per instance). A DRF field whose
  state is plain values is copied from a snapshot of what DRF's deep copy (a
  fresh construction from the field's arguments) gives, its lists and dicts
  copied too; any other field is deep-copied as DRF does.
- ``represent``: for a class whose readable fields are all plain (integers,
  strings, booleans, floats, decimals, dates, datetimes, UUIDs, choices,
  primary keys, read-only values, ``SerializerMethodField``), a plan of
  columns renders rows without building any field. Hot value types are
  formatted inline (the executor lives in ``restflow.speedups``, compiled or
  its twin); any other value goes to the DRF field's own ``to_representation``
  on a per-class template field, and a row the plan cannot render (a missing
  attribute, a callable source, an unexpected object) is rendered by DRF's own
  code. Output is DRF's, byte for byte (``tests/serializers/test_representation_plan.py``).

A class is left entirely to DRF when it customises anything the plan relies on:
``get_fields`` or the ModelSerializer hooks that build fields,
``to_representation``, ``data``, ``fields``; a field class that overrides the
methods its value goes through; nested serializers, ``source="*"``, dotted
sources, hyperlinked or other related fields. An instance whose ``fields``
were touched before rendering (built or changed in ``__init__``) is rendered
by DRF too.
"""

import copy
import datetime
import decimal
import operator
import re
import types
from collections.abc import Mapping

from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework import serializers as drf_serializers
from rest_framework.settings import ISO_8601, api_settings
from rest_framework.utils.serializer_helpers import BindingDict

from restflow import speedups

__all__ = ["prime_fields", "represent", "clear"]

_NOT_CACHEABLE = object()
_UNSET = object()
_templates = {}  # serializer class -> {name: unbound field} from get_fields(), or _NOT_CACHEABLE
_recipes = {}  # serializer class -> ((name, _Snapshot or the template field to deep-copy), ...)
_plans = {}  # serializer class -> _Plan, or None when DRF renders it

# Methods ModelSerializer.get_fields() calls: overriding any makes the fields the class's own business.
_FIELD_HOOKS = (
    "get_fields", "get_field_names", "get_default_field_names", "build_field", "build_standard_field",
    "build_relational_field", "build_nested_field", "build_property_field", "build_url_field",
    "build_unknown_field", "include_extra_kwargs", "get_extra_kwargs", "get_uniqueness_extra_kwargs",
)
_DRF_MODULES = frozenset({"rest_framework.serializers"})


_also_cleared = []  # other per-class caches built on these templates (restflow._validation's)


def clear(**kwargs):
    """Forget every cached template and plan, and what is built on them (settings changed, e.g. in tests)."""
    _templates.clear()
    _recipes.clear()
    _plans.clear()
    for forget in _also_cleared:
        forget()


setting_changed.connect(clear, dispatch_uid="restflow._plan.clear")


def _owner_module(cls, name):
    for klass in cls.__mro__:
        if name in vars(klass):
            return klass.__module__
    return None


def _fields_are_pure(cls):
    """True when ``get_fields()`` is DRF's own: its result depends on the class alone."""
    if not issubclass(cls, drf_serializers.Serializer):
        return False
    if cls.fields is not drf_serializers.Serializer.fields:
        return False
    return all(_owner_module(cls, name) in _DRF_MODULES for name in _FIELD_HOOKS if hasattr(cls, name))


def _template(serializer):
    """The class's unbound fields from ``get_fields()``, built on first use; None when not cacheable."""
    cls = type(serializer)
    template = _templates.get(cls)
    if template is None:
        if not _fields_are_pure(cls):
            _templates[cls] = _NOT_CACHEABLE
            return None
        template = _templates[cls] = serializer.get_fields()
    return None if template is _NOT_CACHEABLE else template


def _set_url_field_name(serializer):
    # ModelSerializer.get_fields() fills in url_field_name; do what it does.
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
_IMMUTABLE = frozenset({
    type(None), bool, int, float, complex, str, bytes, decimal.Decimal, type, re.Pattern,
    types.FunctionType, types.BuiltinFunctionType, datetime.date, datetime.datetime, datetime.time,
    datetime.timedelta,
})


def _shared(value):
    """True when DRF's copies of a field would hold this very value (or an equal immutable one)."""
    cls = type(value)
    if cls in _IMMUTABLE or isinstance(value, Promise) or cls.__module__ in _VALIDATOR_MODULES:
        return True
    return cls is tuple and all(_shared(item) for item in value)


def _flat(value):
    """True for a list, dict or set holding shared values only (one copy per instance suffices)."""
    cls = type(value)
    if cls is dict:
        return all(_shared(key) and _shared(item) for key, item in value.items())
    return (cls is list or cls is set) and all(_shared(item) for item in value)


def _queryset(name, value):
    """A relation's queryset: shared by the copies, as a relation reads it only through ``.all()``."""
    return name == "queryset" and isinstance(value, (models.QuerySet, models.Manager))


class _Snapshot:
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
    """A _Snapshot standing for DRF's deep copy of ``field`` (bound as ``name`` when DRF's bind would
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
        except Exception:  # noqa: BLE001 - DRF's bind raises it for every instance
            return None
    state = dict(fresh.__dict__)
    state["parent"] = None
    containers, kwargs_containers = [], []
    for key, value in state.items():
        if key == "_kwargs":
            for argument_name, argument in value.items():
                if argument_name in ("validators", "regex") or _shared(argument) or _queryset(argument_name, argument):
                    continue  # DRF passes validators and regexes on uncopied
                if not _flat(argument):
                    return None
                kwargs_containers.append(argument_name)
        elif _queryset(key, value):
            continue
        elif _flat(value):
            containers.append(key)
        elif not _shared(value):
            return None
    return _Snapshot(cls, state, tuple(containers), tuple(kwargs_containers), bound)


def _recipe(serializer, template):
    cls = type(serializer)
    recipe = _recipes.get(cls)
    if recipe is None:
        recipe = _recipes[cls] = tuple(
            (name, _snapshot(field, name, serializer) or field) for name, field in template.items()
        )
    return recipe


def _prime_one(serializer):
    if "fields" in serializer.__dict__:
        return
    template = _template(serializer)
    if template is None:
        return
    _set_url_field_name(serializer)
    recipe = _recipe(serializer, template)
    deep = {name: how for name, how in recipe if type(how) is not _Snapshot}
    if deep:
        deep = copy.deepcopy(deep)  # one memo, as DRF copies them together
    fields = BindingDict(serializer)
    bound = fields.fields  # BindingDict's own dict: a bound copy goes straight in
    for name, how in recipe:
        if type(how) is not _Snapshot:
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


# Columns: (name, attribute, kind, template field); the kinds are the executor's, but
# _BIGINT, which becomes KIND_INT or KIND_GENERIC per call (COERCE_BIGINT_TO_STRING).
K = speedups
_BIGINT = -1


def _same(cls, base, names):
    return all(getattr(cls, name, None) is getattr(base, name) for name in names)


# (DRF class, methods a value goes through) -> kind. Checked in order; a field
# class qualifies when those methods are DRF's own (subclasses that keep them count).
_FIELD_KINDS = (
    (drf_fields.SerializerMethodField, ("to_representation", "get_attribute", "bind"), K.KIND_METHOD),
    (drf_fields.BooleanField, ("to_representation", "_lower_if_str"), K.KIND_BOOL),
    (drf_fields.BigIntegerField, ("to_representation",), _BIGINT),
    (drf_fields.IntegerField, ("to_representation",), K.KIND_INT),
    (drf_fields.FloatField, ("to_representation",), K.KIND_FLOAT),
    (drf_fields.DecimalField, ("to_representation", "quantize"), K.KIND_DECIMAL),
    (drf_fields.DateTimeField, ("to_representation", "enforce_timezone", "default_timezone"), K.KIND_DATETIME),
    (drf_fields.DateField, ("to_representation",), K.KIND_DATE),
    (drf_fields.TimeField, ("to_representation",), K.KIND_GENERIC),
    (drf_fields.DurationField, ("to_representation",), K.KIND_GENERIC),
    (drf_fields.UUIDField, ("to_representation",), K.KIND_GENERIC),
    (drf_fields.MultipleChoiceField, ("to_representation",), K.KIND_GENERIC),
    (drf_fields.ChoiceField, ("to_representation",), K.KIND_CHOICE),
    (drf_fields.CharField, ("to_representation",), K.KIND_STR),
    (drf_fields.ReadOnlyField, ("to_representation",), K.KIND_READONLY),
    (drf_fields.JSONField, ("to_representation",), K.KIND_GENERIC),
)


def _field_kind(field):
    cls = type(field)
    if isinstance(field, relations.PrimaryKeyRelatedField):
        methods = ("to_representation", "get_attribute", "use_pk_only_optimization")
        if field.pk_field is None and _same(cls, relations.PrimaryKeyRelatedField, methods):
            return K.KIND_PK
        return None
    if getattr(cls, "get_attribute", None) is not drf_fields.Field.get_attribute:
        return None
    for base, methods, kind in _FIELD_KINDS:
        if isinstance(field, base):
            return kind if _same(cls, base, methods) else None
    return None


# What a column needs looked up per call, as DRF looks it up per value.
_PER_CALL_TZ = 1  # the current time zone (settings.USE_TZ)
_PER_CALL_DECIMAL = 2  # the current decimal context, its precision set to max_digits
_PER_CALL_METHOD = 3  # the serializer's bound method


class _Plan:
    """One serializer class's columns, what each needs per call, and the model rows must be.

    ``columns``: (name, attribute, kind, argument, the field's DRF to_representation).
    ``per_call``: (index, what, detail) for the columns whose argument is looked up per call.
    ``model``: the class each row must be; None: any object that is not a mapping.
    """

    __slots__ = ("columns", "per_call", "model")

    def __init__(self, columns, per_call, model):
        self.columns = columns
        self.per_call = per_call
        self.model = model


def _iso(field, setting):
    output_format = getattr(field, "format", setting)
    return output_format is not None and output_format.lower() == ISO_8601


def _column(name, attr, kind, field):
    """(column, per-call need): settings are read here, since a settings change clears every plan."""
    argument = per_call = None
    if kind == _BIGINT:
        coerce = getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
        kind = K.KIND_GENERIC if coerce else K.KIND_INT
    elif kind == K.KIND_METHOD:
        per_call = (_PER_CALL_METHOD, attr)
    elif kind == K.KIND_DATETIME:
        if not _iso(field, api_settings.DATETIME_FORMAT):
            kind = K.KIND_GENERIC
        elif hasattr(field, "timezone"):
            argument = field.timezone
        else:
            per_call = (_PER_CALL_TZ, None)
    elif kind == K.KIND_DATE:
        if not _iso(field, api_settings.DATE_FORMAT):
            kind = K.KIND_GENERIC
    elif kind == K.KIND_DECIMAL:
        coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        if not coerce or field.localize or field.normalize_output or field.decimal_places is None:
            kind = K.KIND_GENERIC
        else:
            # 10 ** -places: one significant digit, exact in any context DRF's own would compute it in
            exponent = decimal.Decimal(".1") ** field.decimal_places
            per_call = (_PER_CALL_DECIMAL, (exponent, field.rounding, field.max_digits))
    elif kind == K.KIND_CHOICE:
        argument = field.choice_strings_to_values
    return (name, attr, kind, argument, field.to_representation), per_call


def _build_plan(serializer):
    cls = type(serializer)
    if not (
        cls.to_representation is drf_serializers.Serializer.to_representation
        and cls.data is drf_serializers.Serializer.data
        and cls._readable_fields is drf_serializers.Serializer._readable_fields
    ):
        return None
    template = _template(serializer)
    if template is None:
        return None
    model = getattr(getattr(cls, "Meta", None), "model", None)
    if model is not None and (not isinstance(model, type) or issubclass(model, Mapping)):
        return None
    columns, per_call = [], []
    for name, field in template.items():
        if field.write_only:
            continue
        kind = _field_kind(field)
        if kind is None:
            return None
        source = field.source
        if kind == K.KIND_METHOD:
            attr = field.method_name or f"get_{name}"
        elif source == name or source == "*" or (source is not None and "." in source):
            return None  # DRF's bind refuses the first; the others are DRF's to walk
        else:
            attr = source or name
        if kind == K.KIND_PK:
            attr = _pk_attname(model, attr)
            if attr is None:
                return None
        column, need = _column(name, attr, kind, field)
        if need is not None:
            per_call.append((len(columns), *need))
        columns.append(column)
    return _Plan(tuple(columns), tuple(per_call), model)


def _pk_attname(model, name):
    """The column holding a foreign key's value (what ``serializable_value`` reads)."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return getattr(field, "attname", None)


def per_class(plans, serializer, build):
    """``plans[type(serializer)]``, built by ``build(serializer)`` on the class's first use."""
    cls = type(serializer)
    try:
        return plans[cls]
    except KeyError:
        plan = plans[cls] = build(serializer)
        return plan


def _plan(serializer):
    return per_class(_plans, serializer, _build_plan)


def _recording(method, results):
    append = results.append

    def call(obj):
        value = method(obj)
        append(value)
        return value

    return call


def _replaying(method, pending):
    def call(obj):
        value = next(pending, _UNSET)
        return method(obj) if value is _UNSET else value

    return call


def _prepared(plan, serializer, method_results):
    """The plan's columns for one call, with what DRF looks up per value looked up once.

    ``method_results`` (see ``represent``) wraps the method columns: empty, each result
    is appended to it; holding a stopped rendering's results, they are given back in
    call order (one iterator for every column) before any method is called again.
    """
    if not plan.per_call:
        return plan.columns
    pending = iter(method_results) if method_results else None
    columns = list(plan.columns)
    zone = _UNSET
    for index, what, detail in plan.per_call:
        name, attr, kind, argument, to_representation = columns[index]
        if what == _PER_CALL_TZ:
            if zone is _UNSET:
                zone = timezone.get_current_timezone() if settings.USE_TZ else None
            argument = zone
        elif what == _PER_CALL_DECIMAL:
            exponent, rounding, max_digits = detail
            context = decimal.getcontext().copy()
            if max_digits is not None:
                context.prec = max_digits
            argument = (exponent, rounding, context)
        else:
            argument = getattr(serializer, detail)
            if pending is not None:
                argument = _replaying(argument, pending)
            elif method_results is not None:
                argument = _recording(argument, method_results)
        columns[index] = (name, attr, kind, argument, to_representation)
    return columns


def _can_render(serializer):
    """DRF's ``data`` would call ``to_representation(instance)`` and nothing has been cached yet."""
    if "_data" in serializer.__dict__ or getattr(serializer, "_errors", None):
        return False
    if hasattr(serializer, "initial_data") and not hasattr(serializer, "_validated_data"):
        return False
    return serializer.instance is not None


def _untouched(serializer):
    """True unless the instance's fields exist and are not the untouched cached copy."""
    fields = serializer.__dict__.get("fields")
    if fields is None:
        return True
    primed = serializer.__dict__.get("_restflow_primed")
    if primed is None or len(primed) != len(fields):
        return False
    current = fields.fields if type(fields) is BindingDict else fields  # its own dict: no Python-level views
    return all(map(operator.is_, primed, current.values()))


def _row_renderer(serializer):
    """DRF's own rendering of one row (the instance's fields primed from the cache)."""

    def render(obj):
        prime_fields(serializer)
        return drf_serializers.Serializer.to_representation(serializer, obj)

    return render


def represent(serializer, method_results=None):
    """``serializer.data`` through the class's plan, or None when DRF must render it.

    ``method_results``: a list, when the rendering may stop (SynchronousOnlyOperation
    on the event loop) and be redone in a thread. An empty one gets the
    ``SerializerMethodField`` results in call order; the redo passes the same list and
    takes them back instead of calling those methods again, so each runs once per row,
    as in DRF. (A row the plan hands to DRF's own rendering calls its methods directly.)
    """
    if not _can_render(serializer):
        return None
    if isinstance(serializer, drf_serializers.ListSerializer):
        child = serializer.child
        cls = type(serializer)
        if not (
            cls.to_representation is drf_serializers.ListSerializer.to_representation
            and cls.data is drf_serializers.ListSerializer.data
            and isinstance(serializer.instance, (list, tuple))
            and isinstance(child, drf_serializers.Serializer)
            and _untouched(child)
        ):
            return None
        plan = _plan(child)
        if plan is None:
            return None
        _set_url_field_name(child)
        serializer._data = speedups.plan_rows(
            _prepared(plan, child, method_results), serializer.instance, plan.model, _row_renderer(child)
        )
        return serializer.data
    if not isinstance(serializer, drf_serializers.Serializer) or not _untouched(serializer):
        return None
    plan = _plan(serializer)
    if plan is None:
        return None
    _set_url_field_name(serializer)
    serializer._data = speedups.plan_row(
        _prepared(plan, serializer, method_results), serializer.instance, plan.model, _row_renderer(serializer)
    )
    return serializer.data

"""The representation plan: a serializer class's rows rendered without building fields.

For a serializer class whose readable fields are all plain (integers, strings,
booleans, floats, decimals, dates, datetimes, UUIDs, choices, primary keys,
read-only values, ``SerializerMethodField``), ``represent`` renders rows through a
per-class plan of columns. Hot value types are formatted inline (the executor lives in
``restflow._core``, compiled or its twin); any other value goes to the DRF field's
own ``to_representation`` on the class's cached field (``restflow._fields_cache``),
and a row the plan cannot render (a missing attribute, a callable source, an
unexpected object) is rendered by DRF's own code. Output is DRF's, byte for byte
(``tests/serializers/test_representation_plan.py``).

A class is left entirely to DRF when it customises anything the plan relies on:
``get_fields`` or the ModelSerializer hooks that build fields,
``to_representation``, ``data``, ``fields``; a field class that overrides the
methods its value goes through; nested serializers, ``source="*"``, dotted
sources, hyperlinked or other related fields. An instance whose ``fields``
were touched before rendering (built or changed in ``__init__``) is rendered
by DRF too, and so is every class under a DRF release the suite does not test
(``restflow._drf_own``).
"""

import decimal
from collections.abc import Mapping

from django.conf import settings
from django.utils import timezone
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework import serializers as drf_serializers
from rest_framework.settings import ISO_8601, api_settings

from restflow import _core as speedups
from restflow._fields_cache import prime_fields, set_url_field_name, template, untouched
from restflow._memo import MISSING, Memo

__all__ = ["represent"]

_UNSET = object()
_plans = Memo("restflow._plan.plans", settings_dependent=True)  # serializer class -> _Plan, or None


# Columns: (name, attribute, kind, template field); the kinds are the executor's, but
# _BIGINT, which becomes KIND_INT or KIND_GENERIC per call (COERCE_BIGINT_TO_STRING).
K = speedups
_BIGINT = -1


def _same(cls, base, names):
    return all(getattr(cls, name, None) is getattr(base, name) for name in names)


# (DRF class, methods a value goes through) -> kind. Checked in order; a field
# class qualifies when those methods are DRF's own (subclasses that keep them count).
_FIELD_KINDS: tuple = (
    (drf_fields.SerializerMethodField, ("to_representation", "get_attribute", "bind"), K.KIND_METHOD),
    (drf_fields.BooleanField, ("to_representation", "_lower_if_str"), K.KIND_BOOL),
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


if hasattr(drf_fields, "BigIntegerField"):  # DRF 3.17 and later
    _FIELD_KINDS = (*_FIELD_KINDS[:2], (drf_fields.BigIntegerField, ("to_representation",), _BIGINT), *_FIELD_KINDS[2:])


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
    fields = template(serializer)
    if fields is None:
        return None
    model = getattr(getattr(cls, "Meta", None), "model", None)
    if model is not None and (not isinstance(model, type) or issubclass(model, Mapping)):
        return None
    columns, per_call = [], []
    for name, field in fields.items():
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


def _plan(serializer):
    """The class's plan (None: DRF renders it), built on the class's first use."""
    cls = type(serializer)
    plan = _plans.find(cls)
    if plan is MISSING:
        plan = _plans.put(cls, _build_plan(serializer))
    return plan


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
            and untouched(child)
        ):
            return None
        plan = _plan(child)
        if plan is None:
            return None
        set_url_field_name(child)
        serializer._data = speedups.plan_rows(
            _prepared(plan, child, method_results), serializer.instance, plan.model, _row_renderer(child)
        )
        return serializer.data
    if not isinstance(serializer, drf_serializers.Serializer) or not untouched(serializer):
        return None
    plan = _plan(serializer)
    if plan is None:
        return None
    set_url_field_name(serializer)
    serializer._data = speedups.plan_row(
        _prepared(plan, serializer, method_results), serializer.instance, plan.model, _row_renderer(serializer)
    )
    return serializer.data

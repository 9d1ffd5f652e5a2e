"""Per-class validation work done once: the serializer's validators and a plan for plain fields.

DRF validates a serializer's data through several layers per field (``get_value``,
``run_validation``, ``validate_empty_values``, ``to_internal_value``, a SkipField
for each absent optional field) and rebuilds the serializer's own validators (a
ModelSerializer reads its model's constraints) on every ``is_valid()``. Here, per
serializer class:

- ``validate``: the serializer's validators from ``get_validators()`` are built
  once when that method is DRF's (each instance gets its own list of the same
  validators, which keep no state and receive the serializer as DRF's
  ``requires_context`` says).
- For a class whose validation is DRF's own (``is_valid``, ``run_validation``,
  ``to_internal_value``, ``set_value``), data that is a dict is validated in two
  passes. First, without running any user code, every plain field (DRF's
  CharField family, IntegerField, BooleanField, ChoiceField, keeping DRF's
  methods) turns its input into its internal value when that input is one whose
  outcome is certain: a string for a string field, an int for an integer, a
  bool for a boolean, a known choice, a missing optional field, an allowed None.
  Any other input (wrong type, blank, missing required, None refused, huge
  integer) makes the whole call DRF's ``is_valid()``, so every message and code
  comes from DRF. Then, in field order, what DRF's loop does: each plain
  field's validators (DRF's ``run_validators``), any other field's own
  ``run_validation``, ``validate_<name>`` hooks, errors collected as DRF
  collects them; then the serializer's validators and ``validate()``.

``tests/test_validation_plan.py`` compares validated data and errors with DRF's
on generated inputs.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import setting_changed
from rest_framework import fields as drf_fields
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty, get_error_detail

from restflow import _plan

__all__ = ["validate", "clear"]

_validators = {}  # serializer class -> its validators (a tuple), or None when they are its own business
_plans = {}  # serializer class -> _Plan, or None when DRF validates it

_DRF = "rest_framework.serializers"
_VALIDATOR_HOOKS = (
    "get_validators", "get_unique_together_validators", "get_unique_for_date_validators",
    "get_unique_together_constraints", "_get_constraint_violation_error_message",
)


def clear(**kwargs):
    """Forget every cached validator list and plan (settings changed, e.g. in tests)."""
    _validators.clear()
    _plans.clear()


setting_changed.connect(clear, dispatch_uid="restflow._validation.clear")


def _validators_are_drfs(cls):
    """True when the serializer's validators come from DRF's code and the class's cached fields alone."""
    if not _plan._fields_are_pure(cls) or cls.validators is not drf_fields.Field.validators:
        return False
    return all(_plan._owner_module(cls, name) in (_DRF, None) for name in _VALIDATOR_HOOKS)


def _give_validators(serializer):
    """Give a primed, untouched serializer its own list of the class's validators, built once."""
    if "_validators" in serializer.__dict__ or not _primed(serializer):
        return
    cls = type(serializer)
    try:
        cached = _validators[cls]
    except KeyError:
        if not _validators_are_drfs(cls):
            cached = _validators[cls] = None
        else:
            try:
                built = tuple(serializer.get_validators())
            except Exception:  # noqa: BLE001 - DRF raises it when validation gets there
                return
            cached = _validators[cls] = built
    if cached is not None:
        serializer._validators = list(cached)


def _primed(serializer):
    return "_restflow_primed" in serializer.__dict__ and _plan._untouched(serializer)


# Plain field kinds: (DRF class, kind). A field qualifies when these methods of its class are
# the base's own (subclasses that only add validators, as EmailField does, count).
_STR, _INT, _BOOL, _CHOICE = 1, 2, 3, 4
_KINDS = (
    (drf_fields.CharField, _STR),
    (drf_fields.IntegerField, _INT),
    (drf_fields.BooleanField, _BOOL),
    (drf_fields.ChoiceField, _CHOICE),
)
_FIELD_METHODS = (
    "run_validation", "validate_empty_values", "to_internal_value", "get_value", "get_default",
    "run_validators", "validators",
)
_LARGEST_PLAIN_INT = 10**18  # DRF's str() round trip gives such an int back unchanged
_MISS = object()  # an input DRF must judge
_SKIP = object()  # no value in validated_data (DRF's SkipField)


def _kind(field):
    cls = type(field)
    for base, kind in _KINDS:
        if isinstance(field, base):
            if not all(getattr(cls, name) is getattr(base, name) for name in _FIELD_METHODS):
                return None
            break
    else:
        return None
    default = field.default
    if default is not empty and (callable(default) or not _plan._shared(default)):
        return None  # DRF's get_default calls it (or hands out the field's own copy)
    if field.source == "*":
        return None
    return kind


class _Column:
    """One writable field: how its input is judged in the first pass."""

    __slots__ = ("name", "kind", "required", "allow_null", "default", "allow_blank", "trim", "choices", "hook")

    def __init__(self, name, field, kind, hook):
        self.name = name
        self.kind = kind
        self.required = field.required
        self.allow_null = field.allow_null
        self.default = field.default
        self.allow_blank = getattr(field, "allow_blank", False)
        self.trim = getattr(field, "trim_whitespace", False)
        self.choices = getattr(field, "choice_strings_to_values", None)
        self.hook = hook


class _Plan:
    """The writable fields' columns, with their positions among the instance's fields."""

    __slots__ = ("columns", "positions")

    def __init__(self, columns, positions):
        self.columns = columns
        self.positions = positions


def _runs_drfs_validation(cls):
    """True when ``is_valid`` reaches DRF's own field loop (restflow's serializers pass straight through)."""
    if not (
        cls.is_valid is drf_serializers.BaseSerializer.is_valid
        and cls.validate_empty_values is drf_fields.Field.validate_empty_values
        and cls.set_value is drf_serializers.Serializer.set_value
        and cls._writable_fields is drf_serializers.Serializer._writable_fields
    ):
        return False
    owners = {_plan._owner_module(cls, name) for name in ("run_validation", "to_internal_value")}
    if owners == {_DRF}:
        return True
    if not owners <= {_DRF, "restflow.serializers._classes"}:
        return False
    from restflow.serializers import _classes  # restflow's serializers import this module's users

    # Their overrides only refuse async hooks, then run DRF's.
    return not (_classes._async_hooks(cls) or _classes._validates_async(cls))


def _build_plan(serializer):
    cls = type(serializer)
    if not issubclass(cls, drf_serializers.Serializer) or not _runs_drfs_validation(cls):
        return None
    template = _plan._template(serializer)
    if template is None:
        return None
    columns, positions = [], []
    for position, (name, field) in enumerate(template.items()):
        if field.read_only:
            continue
        hook = "validate_" + name if getattr(cls, "validate_" + name, None) is not None else None
        columns.append(_Column(name, field, _kind(field), hook))
        positions.append(position)
    return _Plan(tuple(columns), tuple(positions))


def _plan_for(serializer):
    cls = type(serializer)
    try:
        return _plans[cls]
    except KeyError:
        plan = _plans[cls] = _build_plan(serializer)
        return plan


def _judge(column, data, partial):
    """The internal value of a plain field's input (with whether its validators run), _SKIP or _MISS."""
    raw = data.get(column.name, empty)
    if raw is empty:
        if partial:
            return _SKIP
        if column.required:
            return _MISS
        return _SKIP if column.default is empty else (column.default, False)
    if raw is None:
        return (None, False) if column.allow_null else _MISS
    kind, cls = column.kind, type(raw)
    if kind == _STR:
        if cls is not str:
            return _MISS
        stripped = raw.strip() if column.trim else raw
        if raw == "" or stripped == "":
            return ("", False) if column.allow_blank else _MISS
        return (stripped, True)
    if kind == _INT:
        return (raw, True) if cls is int and -_LARGEST_PLAIN_INT < raw < _LARGEST_PLAIN_INT else _MISS
    if kind == _BOOL:
        return (raw, True) if cls is bool else _MISS
    if cls is not str:
        return _MISS
    if raw == "" and column.allow_blank:
        return ("", True)
    value = column.choices.get(raw, _MISS)
    return _MISS if value is _MISS else (value, True)


def _first_pass(plan, data, partial):
    """Each plain column's outcome (None for the others), or None when DRF must judge the input."""
    outcomes = []
    for column in plan.columns:
        if column.kind is None:
            outcomes.append(None)
            continue
        outcome = _judge(column, data, partial)
        if outcome is _MISS:
            return None
        outcomes.append(outcome)
    return outcomes


def _internal_value(serializer, plan, outcomes, data):
    """DRF's ``to_internal_value`` loop, the plain fields' values taken from the first pass."""
    ret, errors = {}, {}
    fields = serializer._restflow_primed
    for column, position, outcome in zip(plan.columns, plan.positions, outcomes):
        field = fields[position]
        try:
            if outcome is None:
                value = field.run_validation(field.get_value(data))
            elif outcome is _SKIP:
                continue
            else:
                value, run_validators = outcome
                if run_validators:
                    field.run_validators(value)
            if column.hook is not None:
                value = getattr(serializer, column.hook)(value)
        except ValidationError as exc:
            errors[column.name] = exc.detail
        except DjangoValidationError as exc:
            errors[column.name] = get_error_detail(exc)
        except SkipField:
            pass
        else:
            serializer.set_value(ret, field.source_attrs, value)
    if errors:
        raise ValidationError(errors)
    return ret


def _run_validation(serializer, plan, outcomes, data):
    value = _internal_value(serializer, plan, outcomes, data)
    try:
        serializer.run_validators(value)
        value = serializer.validate(value)
        assert value is not None, ".validate() should return the validated data"
    except (ValidationError, DjangoValidationError) as exc:
        raise ValidationError(detail=drf_serializers.as_serializer_error(exc)) from exc
    return value


def _planned_outcomes(serializer):
    """The first pass's outcomes when the plan validates this call, else None."""
    data = getattr(serializer, "initial_data", None)
    if type(data) is not dict or hasattr(serializer, "_validated_data"):
        return None
    if serializer.read_only or serializer.parent is not None:
        return None
    if not _primed(serializer) or any(key.startswith("validate_") for key in serializer.__dict__):
        return None
    plan = _plan_for(serializer)
    if plan is None:
        return None
    outcomes = _first_pass(plan, data, getattr(serializer, "partial", False))
    return None if outcomes is None else (plan, outcomes, data)


def validate(serializer, raise_exception):
    """``serializer.is_valid(raise_exception=...)`` with the class's cached validators and plan."""
    _give_validators(serializer)
    planned = _planned_outcomes(serializer)
    if planned is None:
        return serializer.is_valid(raise_exception=raise_exception)
    try:
        serializer._validated_data = _run_validation(serializer, *planned)
    except ValidationError as exc:
        serializer._validated_data = {}
        serializer._errors = exc.detail
    else:
        serializer._errors = {}
    if serializer._errors and raise_exception:
        raise ValidationError(serializer.errors)
    return not serializer._errors

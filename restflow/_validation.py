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
  comes from DRF. Validators that are plain checks (lengths, bounds, NUL and
  surrogate characters) are checked there too, a failing one sending the call
  to DRF. Then, in field order, what DRF's loop does: each plain field's other
  validators (DRF's ``run_validators``; a UniqueValidator of a new row first
  asks the database with its query compiled once, and only a value found goes
  through DRF's validators, for DRF's error), any other field's own
  ``run_validation``, ``validate_<name>`` hooks, errors collected as DRF
  collects them; then the serializer's validators and ``validate()``.

``tests/serializers/test_validation_plan.py`` compares validated data and errors with DRF's
on generated inputs.
"""

from django.core import validators as django_validators
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework import serializers as drf_serializers
from rest_framework import validators as drf_validators
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty, get_error_detail

from restflow._drf_own import DRF_MODULES, is_drfs, owner_module
from restflow._fields_cache import fields_are_drfs, primed, shared, template
from restflow._memo import MISSING, Memo
from restflow._unique_probe import UniqueProbe

__all__ = ["validate"]

# serializer class -> its validators (a tuple), or None when they are its own business
_validators = Memo("restflow._validation.validators", settings_dependent=True)
_plans = Memo("restflow._validation.plans", settings_dependent=True)  # serializer class -> _Plan, or None
_VALIDATOR_HOOKS = (
    "get_validators",
    "get_unique_together_validators",
    "get_unique_for_date_validators",
    "get_unique_together_constraints",
    "_get_constraint_violation_error_message",
)


def _validators_are_drfs(cls):
    """True when the serializer's validators come from DRF's code and the class's cached fields alone."""
    if not fields_are_drfs(cls) or cls.validators is not drf_fields.Field.validators:
        return False
    return all(owner_module(cls, name) in (*DRF_MODULES, None) for name in _VALIDATOR_HOOKS)


def _give_validators(serializer):
    """Give a primed, untouched serializer its own list of the class's validators, built once."""
    if "_validators" in serializer.__dict__ or not primed(serializer):
        return
    cls = type(serializer)
    cached = _validators.find(cls)
    if cached is MISSING:
        if not _validators_are_drfs(cls):
            cached = _validators.put(cls, None)
        else:
            try:
                built = tuple(serializer.get_validators())
            except Exception:
                return
            cached = _validators.put(cls, built)
    if cached is not None:
        serializer._validators = list(cached)


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
    "run_validation",
    "validate_empty_values",
    "to_internal_value",
    "get_value",
    "get_default",
    "run_validators",
    "validators",
)
# What any field does with an absent input, when these are DRF's: skip it, give its default, or refuse.
_ABSENT_METHODS = ("validate_empty_values", "get_default", "get_value")
_ABSENT_RUN_VALIDATION = (drf_fields.Field.run_validation, relations.RelatedField.run_validation)
_LARGEST_PLAIN_INT = 10**18  # DRF's str() round trip gives such an int back unchanged
_MISS = object()  # an input DRF must judge
_SKIP = object()  # no value in validated_data (DRF's SkipField)

# Validators whose outcome is a plain check of the value: (class, check).
_LONGER, _SHORTER, _ABOVE, _BELOW, _NUL, _SURROGATE = range(6)
_KNOWN_VALIDATORS = {
    django_validators.MaxLengthValidator: _LONGER,
    django_validators.MinLengthValidator: _SHORTER,
    django_validators.MaxValueValidator: _ABOVE,
    django_validators.MinValueValidator: _BELOW,
    django_validators.ProhibitNullCharactersValidator: _NUL,
    drf_validators.ProhibitSurrogateCharactersValidator: _SURROGATE,
}


def _kind(field):
    cls = type(field)
    for base, kind in _KINDS:
        if isinstance(field, base):
            return kind if all(getattr(cls, name) is getattr(base, name) for name in _FIELD_METHODS) else None
    return None


def _judges_absence(field, kind):
    """True when an absent input for ``field`` goes through DRF's plain steps (no user code).

    A plain kind's ``run_validation`` meets an absent input as Field's does.
    """
    cls = type(field)
    if field.source == "*":
        return False
    if kind is None and (
        cls.run_validation not in _ABSENT_RUN_VALIDATION
        or not all(getattr(cls, name) is getattr(drf_fields.Field, name) for name in _ABSENT_METHODS)
    ):
        return False
    default = field.default
    # DRF's get_default calls a callable default (or hands out the field's own copy of a mutable one)
    return default is empty or not (callable(default) or not shared(default))


def _checks(field, name):
    """(the field's validators as plain checks, a UniqueProbe for its UniqueValidator or None),
    or (None, None) when one of them is neither."""
    checks, probe = [], None
    for validator in field.validators:
        if type(validator) is drf_validators.UniqueValidator and probe is None:
            probe = UniqueProbe.of(validator, field.source or name)
            if probe is None:
                return None, None
            continue
        check = _KNOWN_VALIDATORS.get(type(validator))
        if check is None:
            return None, None
        limit = getattr(validator, "limit_value", None)
        if callable(limit):
            return None, None
        checks.append((check, limit))
    return tuple(checks), probe


class _Column:
    """One writable field: how its input is judged in the first pass.

    ``kind``: a plain kind, or None (DRF's own ``run_validation`` judges a given input);
    ``absent``: an absent input is judged here; ``checks``: its validators as plain
    checks (None: DRF's ``run_validators`` runs them); ``probe``: its UniqueValidator's query.
    """

    __slots__ = (
        "name",
        "kind",
        "absent",
        "checks",
        "probe",
        "required",
        "allow_null",
        "default",
        "allow_blank",
        "trim",
        "choices",
        "hook",
    )

    def __init__(self, name, field, hook):
        self.name = name
        kind = _kind(field)
        self.absent = _judges_absence(field, kind)
        self.kind = kind if self.absent else None
        self.checks, self.probe = _checks(field, name) if self.kind is not None else (None, None)
        self.required = field.required
        self.allow_null = field.allow_null
        self.default = field.default
        self.allow_blank = getattr(field, "allow_blank", False)
        self.trim = getattr(field, "trim_whitespace", False)
        self.choices = getattr(field, "choice_strings_to_values", None)
        self.hook = hook


class _Plan:
    """The writable fields' columns, their positions among the instance's fields, and the names of
    the hooks DRF would look up for them (an instance attribute of that name leaves it to DRF)."""

    __slots__ = ("columns", "positions", "hook_names")

    def __init__(self, columns, positions):
        self.columns = columns
        self.positions = positions
        self.hook_names = frozenset("validate_" + column.name for column in columns)


def _runs_drfs_validation(cls):
    """True when ``is_valid`` reaches DRF's own field loop (restflow's serializers pass straight through)."""
    if not (
        cls.is_valid is drf_serializers.BaseSerializer.is_valid
        and cls.validate_empty_values is drf_fields.Field.validate_empty_values
        and cls.set_value is drf_serializers.Serializer.set_value
        and cls._writable_fields is drf_serializers.Serializer._writable_fields
    ):
        return False
    # restflow's serializers override these only to refuse async hooks, then run DRF's
    return is_drfs(cls, "run_validation") and is_drfs(cls, "to_internal_value")


def _build_plan(serializer):
    cls = type(serializer)
    if not issubclass(cls, drf_serializers.Serializer) or not _runs_drfs_validation(cls):
        return None
    fields = template(serializer)
    if fields is None:
        return None
    columns, positions = [], []
    for position, (name, field) in enumerate(fields.items()):
        if field.read_only:
            continue
        hook = "validate_" + name if getattr(cls, "validate_" + name, None) is not None else None
        columns.append(_Column(name, field, hook))
        positions.append(position)
    return _Plan(tuple(columns), tuple(positions))


def _plan_for(serializer):
    """The class's validation plan (None: DRF validates it), built on the class's first use."""
    cls = type(serializer)
    plan = _plans.find(cls)
    if plan is MISSING:
        plan = _plans.put(cls, _build_plan(serializer))
    return plan


def _passes(checks, value):
    """True when every plain check holds for ``value`` (its validators would all pass), False when
    one fails, None when a check cannot tell (it raised: DRF's validators then meet it themselves)."""
    try:
        for check, limit in checks:
            if check == _LONGER:
                failed = len(value) > limit
            elif check == _SHORTER:
                failed = len(value) < limit
            elif check == _ABOVE:
                failed = value > limit
            elif check == _BELOW:
                failed = value < limit
            elif check == _NUL:
                failed = "\x00" in str(value)
            else:
                failed = not _encodes(str(value))
            if failed:
                return False
    except Exception:
        return None
    return True


def _encodes(text):
    """True unless ``text`` holds a lone surrogate (the only text UTF-8 refuses)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _value(column, raw):
    """The internal value of a plain field's given input, or _MISS."""
    kind, cls = column.kind, type(raw)
    if kind == _STR:
        if cls is not str:
            return _MISS
        value = raw.strip() if column.trim else raw
        if raw == "" or value == "":
            return "" if column.allow_blank else _MISS
        return value
    if kind == _INT:
        return raw if cls is int and -_LARGEST_PLAIN_INT < raw < _LARGEST_PLAIN_INT else _MISS
    if kind == _BOOL:
        return raw if cls is bool else _MISS
    if cls is not str:
        return _MISS
    if raw == "" and column.allow_blank:
        return ""
    return column.choices.get(raw, _MISS)


def _judge(column, data, partial):
    """(internal value, whether DRF's run_validators still runs), _SKIP, _MISS, or None (DRF judges it)."""
    raw = data.get(column.name, empty)
    if raw is empty:
        if not column.absent:
            return None
        if partial:
            return _SKIP
        if column.required:
            return _MISS
        return _SKIP if column.default is empty else (column.default, False)
    if column.kind is None:
        return None
    if raw is None:
        return (None, False) if column.allow_null else _MISS
    value = _value(column, raw)
    if value is _MISS:
        return _MISS
    if column.kind == _STR and value == "":
        return ("", False)  # DRF returns a blank string before any validator
    passes = None if column.checks is None else _passes(column.checks, value)
    if passes is None:
        return (value, True)
    if not passes:
        return _MISS
    return (value, column.probe or False)


def _first_pass(plan, data, partial):
    """Each column's outcome (None: DRF's run_validation judges it), or None when DRF must judge the input."""
    outcomes = []
    for column in plan.columns:
        outcome = _judge(column, data, partial)
        if outcome is _MISS:
            return None
        outcomes.append(outcome)
    return outcomes


def _internal_value(serializer, plan, outcomes, data):
    """DRF's ``to_internal_value`` loop, the plain fields' values taken from the first pass."""
    ret, errors = {}, {}
    fields = serializer._restflow_primed
    for column, position, outcome in zip(plan.columns, plan.positions, outcomes, strict=True):
        field = fields[position]
        try:
            if outcome is None:
                value = field.run_validation(field.get_value(data))
            elif outcome is _SKIP:
                continue
            else:
                value, validators = outcome  # True: DRF's run_validators; a probe: it, when it finds the value
                if validators is True or (
                    validators is not False
                    and (serializer.instance is not None or validators.taken(value) is not False)
                ):
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
    if serializer.read_only or serializer.parent is not None or not primed(serializer):
        return None
    plan = _plan_for(serializer)
    if plan is None or not plan.hook_names.isdisjoint(serializer.__dict__):
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

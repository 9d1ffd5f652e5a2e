"""Pure-Python twin of restflow's compiled core (``restflow._speedups``).

The same functions with the same results, exceptions and messages: the view set-up of a dispatch
(``make_view``, ``bind_actions``, ``config_value``) and the representation plan's executor
(``plan_row``, ``plan_rows``, the ``KIND_*`` column kinds). The compiled module differs in how,
not what (typed fast paths, a C ISO-8601 writer); ``restflow._core`` picks one, and
tests/twins compares them on generated input.
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from restflow._sentinel import NOT_CONFIGURED

__all__ = [
    "NOT_CONFIGURED",
    "config_value",
    "bind_actions",
    "make_view",
    "plan_row",
    "plan_rows",
    "KIND_GENERIC",
    "KIND_INT",
    "KIND_STR",
    "KIND_BOOL",
    "KIND_FLOAT",
    "KIND_DECIMAL",
    "KIND_DATETIME",
    "KIND_DATE",
    "KIND_CHOICE",
    "KIND_PK",
    "KIND_READONLY",
    "KIND_METHOD",
]


def config_value(view, name):
    """Return field ``name`` of the view's ActionConfig for its current action.

    NOT_CONFIGURED when the view has no ``action_configs``, no ``action``, no
    entry for the action, or the entry's field is None.
    """
    configs = getattr(view, "action_configs", None)
    if not configs:
        return NOT_CONFIGURED
    config = configs.get(getattr(view, "action", None))
    if config is None:
        return NOT_CONFIGURED
    value = getattr(config, name)
    if value is None:
        return NOT_CONFIGURED
    return value


def bind_actions(view, actions):
    """Bind each HTTP method in ``actions`` to the view's handler for its action.

    Sets ``view.action_map``; an action the class does not define raises the
    AttributeError that ``getattr`` gives, as DRF does.
    """
    view.action_map = actions
    for method, action in actions.items():
        setattr(view, method, getattr(view, action))


def make_view(cls, initkwargs, actions, request, args, kwargs):
    """Instantiate ``cls`` for one request: bind actions, set request state and action."""
    view = cls(**initkwargs) if initkwargs else cls()
    bind_actions(view, actions)
    view.request = request
    view.args = args
    view.kwargs = kwargs
    method = request.method.lower()
    view.action = "metadata" if method == "options" else actions.get(method)
    return view


# Representation plans (restflow._plan): a column is (name, attribute, kind,
# argument, the DRF field's to_representation). A kind names the inline
# formatting of the value types DRF's field would produce the same way; any
# other value goes to the field's own to_representation.
KIND_GENERIC = 0
KIND_INT = 1
KIND_STR = 2
KIND_BOOL = 3
KIND_FLOAT = 4
KIND_DECIMAL = 5  # argument: (exponent, rounding, context)
KIND_DATETIME = 6  # argument: the time zone to convert to, or None for naive output
KIND_DATE = 7
KIND_CHOICE = 8  # argument: the field's choice_strings_to_values
KIND_PK = 9  # attribute: the foreign key's column
KIND_READONLY = 10
KIND_METHOD = 11  # argument: the serializer's bound method


class _Miss(Exception):
    """The plan cannot render this row: DRF's own code renders it."""


def _iso_datetime(value, tz):
    if value.utcoffset() is None:
        if tz is not None:
            raise _Miss
    elif tz is None:
        raise _Miss
    else:
        value = value.astimezone(tz)
    text = value.isoformat()
    if text.endswith("+00:00"):
        return text[:-6] + "Z"
    return text


def _value(obj, attr, kind, argument, to_representation):
    value = getattr(obj, attr)
    if value is None:
        return None
    if callable(value):
        raise _Miss
    cls = type(value)
    if kind == KIND_INT:
        return value if cls is int else to_representation(value)
    if kind == KIND_STR:
        return value if cls is str else to_representation(value)
    if kind == KIND_DATETIME:
        return _iso_datetime(value, argument) if cls is datetime else to_representation(value)
    if kind == KIND_DECIMAL:
        if cls is Decimal:
            exponent, rounding, context = argument
            return format(value.quantize(exponent, rounding=rounding, context=context), "f")
        return to_representation(value)
    if kind == KIND_BOOL:
        return value if cls is bool else to_representation(value)
    if kind == KIND_PK:
        if cls is not int and cls is not str:
            value = getattr(value, "pk", value)
        return value
    if kind == KIND_CHOICE:
        if cls is str:
            return value if value == "" else argument.get(value, value)
        return to_representation(value)
    if kind == KIND_DATE:
        return value.isoformat() if cls is date else to_representation(value)
    if kind == KIND_FLOAT:
        return value if cls is float else to_representation(value)
    if kind == KIND_READONLY:
        return value
    return to_representation(value)


def plan_row(columns, obj, model, fallback):
    """Render ``obj`` through plan ``columns``; ``fallback(obj)`` (DRF's rendering) when the plan cannot.

    ``model``: the class rows must be (None: any object that is not a mapping).
    Every value is read before any method column runs, so a row handed to DRF
    never calls a ``SerializerMethodField`` twice; a method's exceptions
    propagate, as DRF's would.
    """
    if model is not None:
        if type(obj) is not model:
            return fallback(obj)
    elif obj is None or isinstance(obj, Mapping):
        return fallback(obj)
    values = []
    for _name, attr, kind, argument, to_representation in columns:
        if kind != KIND_METHOD:
            try:
                values.append(_value(obj, attr, kind, argument, to_representation))
            except Exception:
                return fallback(obj)
    row = {}
    index = 0
    for name, _attr, kind, argument, _to_representation in columns:
        if kind == KIND_METHOD:
            row[name] = argument(obj)
        else:
            row[name] = values[index]
            index += 1
    return row


def plan_rows(columns, objects, model, fallback):
    """``plan_row`` for each of ``objects``: the list DRF's ListSerializer would give."""
    return [plan_row(columns, obj, model, fallback) for obj in objects]

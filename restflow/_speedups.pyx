# cython: language_level=3, binding=False
"""restflow's compiled core: the view set-up of a dispatch and the representation plan's executor.

Dispatch: ``make_view``, ``bind_actions`` and ``config_value`` (the current action's ActionConfig
field). Representation: ``plan_row``/``plan_rows`` render rows through a plan's columns, with a
C ISO-8601 writer for datetimes (the twin uses ``datetime.isoformat``, same text). Same names,
results and exceptions as the pure-Python twin ``restflow._speedups_py``; ``restflow._core``
picks one.
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from cpython.datetime cimport (
    datetime_day, datetime_hour, datetime_microsecond, datetime_minute, datetime_month, datetime_second,
    datetime_year, import_datetime, timedelta_days, timedelta_microseconds, timedelta_seconds,
)
from cpython.unicode cimport PyUnicode_DecodeASCII

from restflow._sentinel import NOT_CONFIGURED

__all__ = ["NOT_CONFIGURED", "config_value", "bind_actions", "make_view", "plan_row", "plan_rows",
           "KIND_GENERIC", "KIND_INT", "KIND_STR", "KIND_BOOL", "KIND_FLOAT", "KIND_DECIMAL", "KIND_DATETIME",
           "KIND_DATE", "KIND_CHOICE", "KIND_PK", "KIND_READONLY", "KIND_METHOD"]

import_datetime()

cdef object _NOT_CONFIGURED = NOT_CONFIGURED


def config_value(object view, name):
    """Return field ``name`` of the view's ActionConfig for its current action.

    NOT_CONFIGURED when the view has no ``action_configs``, no ``action``, no
    entry for the action, or the entry's field is None.
    """
    cdef object configs = getattr(view, "action_configs", None)
    if not configs:
        return _NOT_CONFIGURED
    cdef object action = getattr(view, "action", None)
    cdef object config
    if type(configs) is dict:
        config = (<dict>configs).get(action)
    else:
        config = configs.get(action)
    if config is None:
        return _NOT_CONFIGURED
    value = getattr(config, name)
    if value is None:
        return _NOT_CONFIGURED
    return value


cdef inline void _bind(object view, dict actions) except *:
    for method, action in actions.items():
        setattr(view, method, getattr(view, action))


def bind_actions(object view, actions):
    """Bind each HTTP method in ``actions`` to the view's handler for its action.

    Sets ``view.action_map``; an action the class does not define raises the
    AttributeError that ``getattr`` gives, as DRF does.
    """
    view.action_map = actions
    if type(actions) is dict:
        _bind(view, <dict>actions)
    else:
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


# Representation plans: the kinds of plan columns (see the twin for each one's meaning), one
# C enum, exported to Python under the twin's names.
cdef enum:
    C_GENERIC = 0
    C_INT = 1
    C_STR = 2
    C_BOOL = 3
    C_FLOAT = 4
    C_DECIMAL = 5
    C_DATETIME = 6
    C_DATE = 7
    C_CHOICE = 8
    C_PK = 9
    C_READONLY = 10
    C_METHOD = 11

KIND_GENERIC = C_GENERIC
KIND_INT = C_INT
KIND_STR = C_STR
KIND_BOOL = C_BOOL
KIND_FLOAT = C_FLOAT
KIND_DECIMAL = C_DECIMAL
KIND_DATETIME = C_DATETIME
KIND_DATE = C_DATE
KIND_CHOICE = C_CHOICE
KIND_PK = C_PK
KIND_READONLY = C_READONLY
KIND_METHOD = C_METHOD


class _Miss(Exception):
    """The plan cannot render this row: DRF's own code renders it."""


cdef inline void _digits(char *out, long value, int width):
    cdef int i
    for i in range(width - 1, -1, -1):
        out[i] = <char>(48 + value % 10)
        value //= 10


cdef str _iso(object value):
    """``value.isoformat()`` with DRF's "Z" for a zero offset, written in C."""
    cdef char buf[48]
    cdef int n = 19
    cdef object offset = value.utcoffset()
    cdef long seconds, micro
    _digits(buf, datetime_year(value), 4)
    buf[4] = b'-'
    _digits(buf + 5, datetime_month(value), 2)
    buf[7] = b'-'
    _digits(buf + 8, datetime_day(value), 2)
    buf[10] = b'T'
    _digits(buf + 11, datetime_hour(value), 2)
    buf[13] = b':'
    _digits(buf + 14, datetime_minute(value), 2)
    buf[16] = b':'
    _digits(buf + 17, datetime_second(value), 2)
    micro = datetime_microsecond(value)
    if micro:
        buf[19] = b'.'
        _digits(buf + 20, micro, 6)
        n = 26
    if offset is not None:
        seconds = timedelta_days(offset) * 86400 + timedelta_seconds(offset)
        micro = timedelta_microseconds(offset)
        if seconds == 0 and micro == 0:
            buf[n] = b'Z'
            n += 1
        else:
            if seconds < 0:
                buf[n] = b'-'
                # negate the whole offset, keeping microseconds non-negative
                seconds = -seconds
                if micro:
                    seconds -= 1
                    micro = 1000000 - micro
            else:
                buf[n] = b'+'
            _digits(buf + n + 1, seconds // 3600, 2)
            buf[n + 3] = b':'
            _digits(buf + n + 4, (seconds // 60) % 60, 2)
            n += 6
            if seconds % 60 or micro:
                buf[n] = b':'
                _digits(buf + n + 1, seconds % 60, 2)
                n += 3
                if micro:
                    buf[n] = b'.'
                    _digits(buf + n + 1, micro, 6)
                    n += 7
    return PyUnicode_DecodeASCII(buf, n, NULL)


cdef object _iso_datetime(object value, object tz):
    if value.utcoffset() is None:
        if tz is not None:
            raise _Miss
    elif tz is None:
        raise _Miss
    else:
        value = value.astimezone(tz)
    return _iso(value)


cdef object _value(object obj, object attr, int kind, object argument, object to_representation):
    cdef object value = getattr(obj, attr)
    if value is None:
        return None
    if callable(value):
        raise _Miss
    cdef type cls = type(value)
    if kind == C_INT:
        return value if cls is int else to_representation(value)
    if kind == C_STR:
        return value if cls is str else to_representation(value)
    if kind == C_DATETIME:
        return _iso_datetime(value, argument) if cls is datetime else to_representation(value)
    if kind == C_DECIMAL:
        if cls is Decimal:
            exponent, rounding, context = argument
            return format(value.quantize(exponent, rounding=rounding, context=context), "f")
        return to_representation(value)
    if kind == C_BOOL:
        return value if cls is bool else to_representation(value)
    if kind == C_PK:
        if cls is not int and cls is not str:
            value = getattr(value, "pk", value)
        return value
    if kind == C_CHOICE:
        if cls is str:
            return value if not value else (<dict?>argument).get(value, value)
        return to_representation(value)
    if kind == C_DATE:
        return value.isoformat() if cls is date else to_representation(value)
    if kind == C_FLOAT:
        return value if cls is float else to_representation(value)
    if kind == C_READONLY:
        return value
    return to_representation(value)


cdef object _row(tuple columns, object obj, object model, object fallback):
    if model is not None:
        if type(obj) is not model:
            return fallback(obj)
    elif obj is None or isinstance(obj, Mapping):
        return fallback(obj)
    cdef list values = []
    cdef tuple column
    cdef int kind
    for column in columns:
        kind = column[2]
        if kind != C_METHOD:
            try:
                values.append(_value(obj, column[1], kind, column[3], column[4]))
            except Exception:
                return fallback(obj)
    cdef dict row = {}
    cdef Py_ssize_t index = 0
    for column in columns:
        if <int>column[2] == C_METHOD:
            row[column[0]] = column[3](obj)
        else:
            row[column[0]] = values[index]
            index += 1
    return row


def plan_row(columns, obj, model, fallback):
    """Render ``obj`` through plan ``columns``; ``fallback(obj)`` (DRF's rendering) when the plan cannot.

    ``model``: the class rows must be (None: any object that is not a mapping).
    Every value is read before any method column runs, so a row handed to DRF
    never calls a ``SerializerMethodField`` twice; a method's exceptions
    propagate, as DRF's would.
    """
    return _row(tuple(columns), obj, model, fallback)


def plan_rows(columns, objects, model, fallback):
    """``plan_row`` for each of ``objects``: the list DRF's ListSerializer would give."""
    cdef tuple cols = tuple(columns)
    return [_row(cols, obj, model, fallback) for obj in objects]

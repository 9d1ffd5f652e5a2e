"""The dispatch core: which twin is loaded, and that both twins behave identically."""

import dataclasses
import datetime
import decimal
import importlib
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import restflow
from restflow import _core as speedups
from restflow import _speedups_py
from restflow._sentinel import NOT_CONFIGURED

try:
    from restflow import _speedups as compiled
except ImportError:  # the extension is not built: only the require-check below can fail
    compiled = None

TWINS = [_speedups_py] + ([compiled] if compiled is not None else [])
needs_both = pytest.mark.skipif(compiled is None, reason="compiled core not built")


def test_extension_loaded_when_required():
    """RESTFLOW_REQUIRE_EXTENSIONS=1 makes the suite fail unless the compiled core is active."""
    if os.environ.get("RESTFLOW_REQUIRE_EXTENSIONS", "") in ("", "0"):
        pytest.skip("RESTFLOW_REQUIRE_EXTENSIONS is not set")
    assert compiled is not None, "restflow._speedups is not built"
    assert restflow.speedups_enabled(), "the pure-Python twin is active"
    assert speedups.config_value is compiled.config_value


def test_twin_forced_when_asked():
    """RESTFLOW_NO_EXTENSIONS=1 selects the twin even where the extension is built."""
    if os.environ.get("RESTFLOW_NO_EXTENSIONS", "") in ("", "0"):
        pytest.skip("RESTFLOW_NO_EXTENSIONS is not set")
    assert not restflow.speedups_enabled()
    assert speedups.config_value is _speedups_py.config_value


@pytest.mark.parametrize("value, forced", [("1", True), ("yes", True), ("0", False), ("", False)])
def test_selector_reads_environment(value, forced):
    """The selector treats any non-empty value but "0" as "force the twin"."""
    env = dict(os.environ, RESTFLOW_NO_EXTENSIONS=value)
    out = subprocess.run(
        [sys.executable, "-c", "import restflow; print(restflow.speedups_enabled())"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    if forced:
        assert out == "False"
    else:
        assert out == str(compiled is not None)


@dataclasses.dataclass(frozen=True)
class Config:
    serializer_class: object = None
    queryset: object = None
    permission_classes: object = None


FIELDS = [f.name for f in dataclasses.fields(Config)]
ACTIONS = ["list", "retrieve", "create", "update", "destroy", "archive", "missing"]
values = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.just(0), st.just(""))
configs = st.builds(Config, values, values, values)
action_configs = st.one_of(
    st.none(), st.just({}), st.dictionaries(st.sampled_from(ACTIONS + [None]), st.one_of(st.none(), configs))
)


def make_view_object(configs_value, action, drop_action, drop_configs):
    attrs = {} if drop_configs else {"action_configs": configs_value}
    view = type("View", (), attrs)()
    if not drop_action:
        view.action = action
    return view


def outcome(func, *args):
    try:
        return ("ok", func(*args))
    except Exception as exc:  # compared between twins: type and message
        return ("error", type(exc), str(exc))


@needs_both
@settings(max_examples=300, deadline=None)
@given(action_configs, st.sampled_from(ACTIONS + [None]), st.booleans(), st.booleans(), st.sampled_from(FIELDS + ["nope"]))
def test_config_value_twins_agree(configs_value, action, drop_action, drop_configs, field):
    """Getter resolution: both twins return the same value or raise the same error."""
    view = make_view_object(configs_value, action, drop_action, drop_configs)
    results = [outcome(twin.config_value, view, field) for twin in TWINS]
    assert results[0] == results[1]


@settings(max_examples=200, deadline=None)
@given(action_configs, st.sampled_from(ACTIONS), st.sampled_from(FIELDS))
def test_config_value_semantics(configs_value, action, field):
    """None fields and missing entries read as NOT_CONFIGURED; set fields come back as they are."""
    view = make_view_object(configs_value, action, False, False)
    for twin in TWINS:
        result = twin.config_value(view, field)
        config = (configs_value or {}).get(action)
        expected = getattr(config, field) if config is not None else None
        if expected is None:
            assert result is NOT_CONFIGURED
        else:
            assert result == expected


handler_names = st.sampled_from(["list", "create", "retrieve", "custom", "undefined", "x_y"])
methods = st.sampled_from(["get", "post", "put", "patch", "delete", "head", "options"])
action_maps = st.dictionaries(methods, handler_names, max_size=5)
hierarchies = st.lists(st.sets(st.sampled_from(["list", "create", "retrieve", "custom"])), min_size=1, max_size=3)


def build_class(levels):
    """A class hierarchy where each level defines a set of handler methods."""
    cls = object
    for depth, names in enumerate(levels):
        body = {name: (lambda self, _n=name, _d=depth: (_n, _d)) for name in names}
        cls = type(f"Level{depth}", (cls,), body)
    return cls


def bind_outcome(twin, cls, actions):
    view = cls()
    result = outcome(twin.bind_actions, view, actions)
    bound = {m: getattr(view, m)() for m in actions if m in vars(view)}
    return result, getattr(view, "action_map", None), bound


@needs_both
@settings(max_examples=300, deadline=None)
@given(hierarchies, action_maps)
def test_bind_actions_twins_agree(levels, actions):
    """Action binding: same handlers bound, same action_map, same error for an undefined action."""
    cls = build_class(levels)
    assert bind_outcome(_speedups_py, cls, actions) == bind_outcome(compiled, cls, actions)


@settings(max_examples=100, deadline=None)
@given(hierarchies, action_maps)
def test_bind_actions_semantics(levels, actions):
    """Each method is bound to the most derived handler; an undefined one raises AttributeError as DRF's getattr."""
    cls = build_class(levels)
    for twin in TWINS:
        view = cls()
        missing = [a for a in actions.values() if not hasattr(cls, a)]
        if missing:
            with pytest.raises(AttributeError, match="object has no attribute"):
                twin.bind_actions(view, actions)
        else:
            twin.bind_actions(view, actions)
            assert view.action_map is actions
            for method, action in actions.items():
                assert getattr(view, method)() == getattr(view, action)()


class FakeRequest:
    def __init__(self, method):
        self.method = method


@needs_both
@settings(max_examples=200, deadline=None)
@given(hierarchies, action_maps, methods, st.dictionaries(st.sampled_from(["a", "b"]), st.integers(), max_size=2))
def test_make_view_twins_agree(levels, actions, method, initkwargs):
    """A per-request view instance: same attributes and action from both twins."""
    cls = build_class(levels)

    def run(twin):
        try:
            view = twin.make_view(cls, {}, actions, FakeRequest(method.upper()), (1,), initkwargs)
        except Exception as exc:
            return ("error", type(exc), str(exc))
        return ("ok", view.action, view.args, view.kwargs, view.action_map is actions)

    assert run(_speedups_py) == run(compiled)


def test_make_view_sets_metadata_action_for_options():
    for twin in TWINS:
        class View:
            def __init__(self, **kw):
                self.__dict__.update(kw)

            def list(self):
                return "l"

        view = twin.make_view(View, {"extra": 1}, {"get": "list"}, FakeRequest("OPTIONS"), (), {"pk": 1})
        assert view.action == "metadata"
        assert view.extra == 1
        assert view.kwargs == {"pk": 1}
        view = twin.make_view(View, {}, {"get": "list"}, FakeRequest("GET"), (), {})
        assert view.action == "list" and view.get() == "l"


def test_sentinel_is_falsy_singleton():
    import pickle

    assert not NOT_CONFIGURED
    assert repr(NOT_CONFIGURED) == "NOT_CONFIGURED"
    assert pickle.loads(pickle.dumps(NOT_CONFIGURED)) is NOT_CONFIGURED
    importlib.reload(speedups)
    assert speedups.NOT_CONFIGURED is NOT_CONFIGURED


# Representation plan executor (plan_row / plan_rows): both twins give the same rows.

KIND_NAMES = [name for name in _speedups_py.__all__ if name.startswith("KIND_")]


def test_plan_kinds_are_the_same_numbers_in_both_twins():
    for twin in TWINS:
        assert [getattr(twin, name) for name in KIND_NAMES] == list(range(len(KIND_NAMES)))
        assert [getattr(speedups, name) for name in KIND_NAMES] == list(range(len(KIND_NAMES)))


offsets = st.builds(
    lambda s, us: datetime.timezone(datetime.timedelta(seconds=s, microseconds=us)),
    st.integers(-86399, 86399), st.sampled_from([0, 0, 1, 999999]),
)
any_datetimes = st.datetimes(timezones=st.one_of(st.none(), st.just(datetime.timezone.utc), offsets))
plan_values = st.one_of(
    st.none(), st.integers(), st.text(max_size=5), st.booleans(), st.floats(), any_datetimes, st.dates(),
    st.decimals(places=3, allow_nan=False), st.just(lambda: 1), st.sampled_from(["", "a", "b"]),
)


class Row:
    """A plain object whose attributes are the generated values."""

    def __init__(self, values):
        self.__dict__.update(values)


def plan_columns(kinds):
    context = decimal.Context(prec=12)
    arguments = {
        _speedups_py.KIND_DECIMAL: (decimal.Decimal("0.01"), decimal.ROUND_HALF_UP, context),
        _speedups_py.KIND_CHOICE: {"a": "A", "": "empty"},
        _speedups_py.KIND_METHOD: lambda obj: ("method", sorted(vars(obj))),
    }
    columns = []
    for index, (kind, tz) in enumerate(kinds):
        argument = tz if kind == _speedups_py.KIND_DATETIME else arguments.get(kind)
        columns.append((f"c{index}", f"a{index}", kind, argument, lambda value: ("drf", repr(value))))
    return columns


@needs_both
@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(KIND_NAMES) - 1),
                       st.sampled_from([None, datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=-5))])),
             max_size=6),
    st.lists(st.lists(plan_values, min_size=6, max_size=6), max_size=4),
    st.booleans(),
)
def test_plan_rows_twins_agree(kinds, rows, as_model):
    """Same rows, same fallbacks, same exceptions from both twins (a Row model, or any object)."""
    columns = plan_columns(kinds)
    objects = [Row({f"a{i}": value for i, value in enumerate(values)}) for values in rows]
    model = Row if as_model else None

    def fallback(obj):
        return ("fallback", sorted(vars(obj)) if obj is not None else None)

    results = [outcome(twin.plan_rows, columns, objects, model, fallback) for twin in TWINS]
    assert results[0] == results[1]
    for obj in objects:
        assert outcome(_speedups_py.plan_row, columns, obj, model, fallback) == outcome(
            compiled.plan_row, columns, obj, model, fallback
        )


@needs_both
@settings(max_examples=500, deadline=None)
@given(any_datetimes)
def test_iso_datetime_twins_agree(value):
    """The compiled ISO formatter writes what ``isoformat()`` writes, with DRF's "Z" for UTC."""
    tz = None if value.tzinfo is None else value.tzinfo
    column = [("when", "when", _speedups_py.KIND_DATETIME, tz, repr)]
    rows = [twin.plan_row(column, Row({"when": value}), None, repr) for twin in TWINS]
    text = value.isoformat()
    assert rows[0] == rows[1] == {"when": text[:-6] + "Z" if text.endswith("+00:00") else text}


def test_plan_row_falls_back_for_mappings_and_other_models():
    for twin in TWINS:
        column = [("a", "a", _speedups_py.KIND_INT, None, repr)]
        assert twin.plan_row(column, {"a": 1}, None, lambda obj: "drf") == "drf"
        assert twin.plan_row(column, Row({"a": 1}), dict, lambda obj: "drf") == "drf"
        assert twin.plan_row(column, Row({"a": 1}), Row, lambda obj: "drf") == {"a": 1}
        assert twin.plan_row(column, Row({}), Row, lambda obj: "drf") == "drf"

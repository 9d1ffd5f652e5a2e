"""The compiled dispatch core against its pure-Python twin, call for call.

Each benchmark group holds one function and one case, run once per twin, so
pytest-benchmark prints the two side by side. Both modules are imported
directly, whatever the selector picked. ``twin_summary`` (called by
benchmarks/conftest.py after the run) times the same cases with ``timeit`` and
prints the compiled/twin ratio per call; nothing here asserts a time.

    make bench
    .venv/bin/python -m pytest benchmarks --benchmark-only
"""

import dataclasses
import time
import timeit

import pytest

from restflow import _speedups_py

try:
    from restflow import _speedups as _compiled
except ImportError:  # not built: only the twin's rows run
    _compiled = None

TWINS = [
    pytest.param(_compiled, id="compiled", marks=pytest.mark.skipif(_compiled is None, reason="compiled core not built")),
    pytest.param(_speedups_py, id="python"),
]


# --- getter resolution: config_value(view, name) ---------------------------------------


@dataclasses.dataclass(frozen=True)
class ActionConfig:
    serializer_class: object = None
    queryset: object = None
    permission_classes: object = None
    throttle_classes: object = None
    pagination_class: object = None
    filter_backends: object = None


class ItemSerializer:
    pass


class ConfiguredView:
    """A viewset-like object: per-action configs on the class, the action on the instance."""

    action_configs = {
        "list": ActionConfig(serializer_class=ItemSerializer, pagination_class=object),
        "retrieve": ActionConfig(serializer_class=ItemSerializer, permission_classes=(object,)),
        "create": ActionConfig(queryset=(), throttle_classes=()),
    }


def view_for(action):
    view = ConfiguredView()
    view.action = action
    return view


# case id -> (view, field name); the expected results are checked once, below
RESOLUTION_CASES = {
    "configured-field": (view_for("retrieve"), "serializer_class"),
    "none-field": (view_for("retrieve"), "queryset"),
    "missing-action": (view_for("destroy"), "serializer_class"),
}


def grouped(function, cases):
    """One benchmark group per case, so its two twins are printed side by side."""
    return [pytest.param(case, marks=pytest.mark.benchmark(group=f"{function}: {case}")) for case in cases]


@pytest.mark.parametrize("twin", TWINS)
@pytest.mark.parametrize("case", grouped("config_value", RESOLUTION_CASES))
def test_config_value(benchmark, twin, case):
    view, name = RESOLUTION_CASES[case]
    result = benchmark(twin.config_value, view, name)
    if case == "configured-field":
        assert result is ItemSerializer
    else:
        assert result is _speedups_py.NOT_CONFIGURED


# --- action binding: bind_actions(view, actions) ------------------------------------------


class ModelViewSetLike:
    """The six handlers of a model viewset; binding sets instance attributes."""

    def __init__(self, **initkwargs):
        for key, value in initkwargs.items():
            setattr(self, key, value)

    def list(self, request):
        return "list"

    def create(self, request):
        return "create"

    def retrieve(self, request, pk=None):
        return "retrieve"

    def update(self, request, pk=None):
        return "update"

    def partial_update(self, request, pk=None):
        return "partial_update"

    def destroy(self, request, pk=None):
        return "destroy"


# a detail route: five methods; a list route: two
DETAIL_ACTIONS = {
    "get": "retrieve",
    "put": "update",
    "patch": "partial_update",
    "delete": "destroy",
    "post": "create",
}
LIST_ACTIONS = {"get": "list", "post": "create"}


def fresh_view():
    return (ModelViewSetLike(), DETAIL_ACTIONS), {}


@pytest.mark.benchmark(group="bind_actions: 5 methods, fresh instance")
@pytest.mark.parametrize("twin", TWINS)
def test_bind_actions(benchmark, twin):
    """One call per round on a fresh instance, as each request gets a new view."""
    benchmark.pedantic(twin.bind_actions, setup=fresh_view, rounds=20000, warmup_rounds=200)
    view = ModelViewSetLike()
    twin.bind_actions(view, DETAIL_ACTIONS)
    assert view.patch(None) == "partial_update" and view.action_map is DETAIL_ACTIONS


# --- per-request instance: make_view(cls, initkwargs, actions, request, args, kwargs) -----


class Request:
    def __init__(self, method):
        self.method = method


INITKWARGS = {"basename": "item", "detail": True, "suffix": "Instance"}
MAKE_VIEW_CASES = {
    "detail-GET": (ModelViewSetLike, INITKWARGS, DETAIL_ACTIONS, Request("GET"), (), {"pk": "7"}),
    "list-POST-no-initkwargs": (ModelViewSetLike, {}, LIST_ACTIONS, Request("POST"), (), {}),
}


@pytest.mark.parametrize("twin", TWINS)
@pytest.mark.parametrize("case", grouped("make_view", MAKE_VIEW_CASES))
def test_make_view(benchmark, twin, case):
    view = benchmark(twin.make_view, *MAKE_VIEW_CASES[case])
    assert view.action == ("retrieve" if case == "detail-GET" else "create")


# --- summary: both twins timed in the same process, ratio per call ------------------------


def _number_for(timer, budget=0.005):
    """Loop count that makes one timing last about ``budget`` seconds."""
    number = 1
    while timer.timeit(number) < budget and number < 1 << 22:
        number *= 2
    return number


def _summary_rows():
    """(label, function name, statement, namespace, setup, calls per statement run)."""
    batch = 500
    rows = []
    for case, (view, name) in RESOLUTION_CASES.items():
        rows.append((f"config_value {case}", "config_value", "f(view, name)", {"view": view, "name": name}, "pass", 1))
    # fresh instances are made in setup, outside the timed loop; setup runs once per timing
    rows.append(
        (
            "bind_actions 5 methods, fresh instance",
            "bind_actions",
            "for view in views: f(view, actions)",
            {"actions": DETAIL_ACTIONS, "ModelViewSetLike": ModelViewSetLike},
            f"views = [ModelViewSetLike() for _ in range({batch})]",
            batch,
        )
    )
    for case, args in MAKE_VIEW_CASES.items():
        rows.append((f"make_view {case}", "make_view", "f(*args)", {"args": args}, "pass", 1))
    return rows


def twin_summary(write, rounds=31):
    """Time each function on both twins with timeit and write the per-call ratio compiled/twin.

    The twins are timed alternately, ``rounds`` times each, and the fastest timing
    of each is kept, so load from other processes hits both alike.
    """
    if _compiled is None:
        write("compiled core not built: no ratio to report")
        return
    write(f"timeit (process CPU time), twins alternated, best of {rounds}; ns per call; ratio = compiled / twin (lower is better)")
    write(f"{'case':<42}{'compiled':>10}{'python':>10}{'ratio':>8}{'speed-up':>10}")
    for label, func_name, stmt, namespace, setup, calls in _summary_rows():
        timers = [
            timeit.Timer(stmt, setup=setup, timer=time.process_time, globals=dict(namespace, f=getattr(twin, func_name)))
            for twin in (_compiled, _speedups_py)
        ]
        if calls > 1:  # one pass over a fresh batch per timing
            numbers = [1, 1]
        else:
            numbers = [_number_for(timer) for timer in timers]
        best = [float("inf"), float("inf")]
        for _ in range(rounds):
            for index, timer in enumerate(timers):
                elapsed = timer.timeit(numbers[index]) / numbers[index] / calls
                best[index] = min(best[index], elapsed)
        compiled_ns, python_ns = (t * 1e9 for t in best)
        write(
            f"{label:<42}{compiled_ns:>10.1f}{python_ns:>10.1f}"
            f"{compiled_ns / python_ns:>8.2f}{python_ns / compiled_ns:>9.2f}x"
        )

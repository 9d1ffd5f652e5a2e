"""Representation of a 100-row page: DRF against restflow's plan (its twin and compiled executor).

The rows are the benchmark project's ``ProductSerializer`` over in-memory
``Product`` instances holding what the database hands back (aware UTC
datetimes, decimals, a foreign key id). Contenders, one pytest-benchmark group:

- ``drf``: ``ProductSerializer(rows, many=True).data``, DRF's own path (fields built, then rendered);
- ``drf-cached-fields``: the same with the fields from restflow's per-class cache;
- ``plan-python`` / ``plan-compiled``: ``restflow._plan.represent`` with each executor twin.

``twin_summary`` (printed by benchmarks/conftest.py after the run) times the
four alternately, round after round, and reports microseconds per row as the
median of rounds, with each contender's ratio to DRF taken within each round.

    make bench
    .venv/bin/python -m pytest benchmarks/test_representation.py -p no:randomly --benchmark-only
"""

import datetime
import decimal
import statistics
import time
from contextlib import contextmanager

import pytest

ROWS = 100


def products(count=ROWS):
    from tests.support.testapp.models import Product

    start = datetime.datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=datetime.timezone.utc)
    return [
        Product(
            id=index + 1, name=f"Product {index} \u2028 caf\u00e9", sku=f"sku-{index}", price=index,
            rating=decimal.Decimal("4.50"), in_stock=index % 2 == 0, status="active",
            category_id=index % 7 or None, created=start + datetime.timedelta(seconds=index * 3601),
        )
        for index in range(count)
    ]


@contextmanager
def executor(twin):
    from restflow import _plan

    original = _plan.speedups
    _plan.speedups = twin
    try:
        yield
    finally:
        _plan.speedups = original


def contenders():
    """name -> a function rendering ``rows`` as the contender does."""
    from restflow import _plan, _speedups_py

    from benchmarks.bench_project.serializers import ProductSerializer

    def drf(rows):
        return ProductSerializer(rows, many=True).data

    def drf_cached_fields(rows):
        serializer = ProductSerializer(rows, many=True)
        _plan.prime_fields(serializer)
        return serializer.data

    def plan_with(twin):
        def render(rows):
            with executor(twin):
                return _plan.represent(ProductSerializer(rows, many=True))

        return render

    found = {"drf": drf, "drf-cached-fields": drf_cached_fields, "plan-python": plan_with(_speedups_py)}
    try:
        from restflow import _speedups
    except ImportError:
        return found
    found["plan-compiled"] = plan_with(_speedups)
    return found


@pytest.fixture(scope="module")
def rows():
    from django.db import connection  # noqa: F401  (settings are configured)

    made = products()
    renders = contenders()
    expected = renders["drf"](made)
    for name, render in renders.items():
        assert render(made) == expected, name  # every contender gives DRF's rows
    return made


@pytest.mark.parametrize("name", ["drf", "drf-cached-fields", "plan-python", "plan-compiled"])
def test_representation(benchmark, rows, name):
    render = contenders().get(name)
    if render is None:
        pytest.skip("compiled core not built")
    benchmark.group = f"representation: {ROWS} rows"
    benchmark.name = name
    benchmark.pedantic(render, args=(rows,), rounds=60, warmup_rounds=3, iterations=1)


def twin_summary(write, rounds=41):
    """Microseconds per row for each contender, alternated round by round; ratios to DRF per round."""
    import django
    from django.conf import settings

    if not settings.configured:
        return
    django.setup()
    made = products()
    renders = contenders()
    samples = {name: [] for name in renders}
    order = list(renders.items())
    for round_number in range(rounds):
        shift = round_number % len(order)
        for name, render in order[shift:] + order[:shift]:
            start = time.process_time()
            render(made)
            samples[name].append((time.process_time() - start) / ROWS)
    write(f"representation of {ROWS} rows (ProductSerializer, 9 fields), {rounds} rounds alternated, process CPU time")
    write(f"{'contender':<20}{'us/row min':>11}{'us/row med':>11}{'/ drf min':>11}{'/ drf med':>11}{'/ drf max':>11}")
    for name, values in samples.items():
        ratios = [value / base for value, base in zip(values, samples["drf"])]
        write(
            f"{name:<20}{min(values) * 1e6:>11.2f}{statistics.median(values) * 1e6:>11.2f}"
            f"{min(ratios):>11.3f}{statistics.median(ratios):>11.3f}{max(ratios):>11.3f}"
        )

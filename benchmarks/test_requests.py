"""Whole requests through Django's ASGI handler, in-process: restflow vs DRF, django-ninja, a plain view.

Four endpoints (list: page 2 of 200 rows, 20 per page; retrieve; create; a
custom action without database) served by restflow's AsyncModelViewSet, DRF's
sync ModelViewSet under ASGI, a django-ninja API of async operations (skipped
when django-ninja is not installed) and hand-written Django async views doing
the same work, grouped per endpoint; then list with page sizes 20, 100 and 500.
Each round sends a batch of requests; times are CPU time of the whole process (the
event loop and the sync threads). The run ends with a summary: per-request
times, ratios to the hand-written view, and the thread hops each request made.

    make bench                       # or:
    python -m pytest benchmarks/test_requests.py -p no:randomly --benchmark-only

``RESTFLOW_BENCH_ROUNDS`` (default 40) and ``RESTFLOW_BENCH_BATCH`` (default 10)
change the rounds and the requests per round; ``RESTFLOW_BENCH_TIMER=wall``
times wall-clock instead of CPU.
"""

import asyncio
import itertools
import os
import time

import pytest

from benchmarks.bench_project import NINJA_INSTALLED, NINJA_MISSING, report
from benchmarks.bench_project.asgi import bench_settings, make_application
from benchmarks.bench_project.client import HopCounter, request

ROWS = 200
SCALING_ROWS = 1000
ROUNDS = int(os.environ.get("RESTFLOW_BENCH_ROUNDS", "40"))
BATCH = int(os.environ.get("RESTFLOW_BENCH_BATCH", "10"))
TIMER = time.perf_counter if os.environ.get("RESTFLOW_BENCH_TIMER") == "wall" else time.process_time

CONTENDERS = ("plain", "restflow", "drf", "ninja")
# What this environment can serve: ninja's contender needs django-ninja (the ``bench`` extra).
AVAILABLE = CONTENDERS if NINJA_INSTALLED else tuple(c for c in CONTENDERS if c != "ninja")
ENDPOINTS = ("list", "retrieve", "create", "action")
PAGE_SIZES = (20, 100, 500)
NEW_SKU = "bench-new-"


class Bench:
    """The application, an event loop to drive it, and the rows it serves."""

    def __init__(self, app, loop, pk):
        self.app = app
        self.loop = loop
        self.pk = pk
        self.skus = itertools.count()

    def call(self, contender, endpoint, page_size=None):
        """A coroutine factory sending one ``endpoint`` request to ``contender``."""
        base = f"/{contender}/products/"
        if endpoint == "list":
            query = "page=2" if page_size is None else f"page=2&page_size={page_size}"
            return lambda: request(self.app, "GET", base, query)
        if endpoint == "retrieve":
            return lambda: request(self.app, "GET", f"{base}{self.pk}/")
        if endpoint == "action":
            return lambda: request(self.app, "GET", f"{base}ping/")
        assert endpoint == "create"
        return lambda: request(
            self.app, "POST", base, body={"name": "New product", "sku": f"{NEW_SKU}{next(self.skus)}", "price": 7}
        )

    def run(self, send, times=1):
        async def batch():
            for _ in range(times):
                reply = await send()
            return reply

        return self.loop.run_until_complete(batch())


def _seed(count, start=0):
    from tests.support.testapp.models import Product

    Product.objects.bulk_create(
        Product(name=f"Product {i}", sku=f"bench-{i}", price=i, rating="4.50", description="x" * 40)
        for i in range(start, count)
    )


# Transactional: the rows are committed, so the sync threads' connections see them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def application(pytestconfig):
    report.register(pytestconfig)
    loop = asyncio.new_event_loop()
    with bench_settings:
        yield make_application(), loop
    loop.close()


@pytest.fixture
def bench(application):
    from tests.support.testapp.models import Product

    _seed(ROWS)
    app, loop = application
    bench = Bench(app, loop, Product.objects.order_by("id")[ROWS // 2].pk)
    if not _checked:
        _check_same_answers(bench)
        _checked.append(True)
    return bench


_checked = []


def _check(reply, endpoint):
    expected = 201 if endpoint == "create" else 200
    assert reply.status == expected, reply


def _comparable(endpoint, data):
    if endpoint == "create":
        return {key: value for key, value in data.items() if key not in ("id", "sku", "created")}
    return data


def _check_same_answers(bench):
    """All contenders give the same status and the same JSON: the benchmark compares like with like.

    The JSON is compared decoded, not byte for byte: DRF renders it compact, Django's
    JsonResponse and ninja with a space after ``,`` and ``:``. Decoded, every value must
    match, formatted dates and decimals included.
    """
    for endpoint in ENDPOINTS:
        answers = {}
        for contender in AVAILABLE:
            reply = bench.run(bench.call(contender, endpoint))
            _check(reply, endpoint)
            data = reply.json()
            if endpoint == "list":
                for key in ("next", "previous"):
                    data[key] = data[key] and data[key].replace(f"/{contender}/", "/")
            answers[contender] = _comparable(endpoint, data)
        first = answers[AVAILABLE[0]]
        assert all(answer == first for answer in answers.values()), (endpoint, answers)


def _measure(benchmark, bench, group, contender, send, endpoint):
    _check(bench.run(send), endpoint)  # warm up, and fail loudly if the endpoint is broken
    with HopCounter() as hops:
        _check(bench.run(send), endpoint)
    if group.startswith("request"):
        report.record_hops(endpoint, contender, hops.names)
    benchmark.group = group
    benchmark.name = contender
    if hasattr(benchmark, "_timer"):
        benchmark._timer = TIMER
    reply = benchmark.pedantic(bench.run, args=(send, BATCH), rounds=ROUNDS, warmup_rounds=2, iterations=1)
    _check(reply, endpoint)
    report.record_time(group, contender, getattr(benchmark.stats, "stats", None), BATCH)


def _cases(values):
    """(value, contender) parameters, ninja's marked skipped when django-ninja is not installed."""
    skip = () if NINJA_INSTALLED else (pytest.mark.skip(reason=NINJA_MISSING),)
    return [
        pytest.param(value, contender, marks=skip if contender == "ninja" else ())
        for value in values
        for contender in CONTENDERS
    ]


@pytest.mark.parametrize("endpoint,contender", _cases(ENDPOINTS))
def test_request(benchmark, bench, endpoint, contender):
    _measure(benchmark, bench, f"request: {endpoint}", contender, bench.call(contender, endpoint), endpoint)


@pytest.fixture
def scaling_rows(bench):
    _seed(SCALING_ROWS, start=ROWS)


@pytest.mark.parametrize("page_size,contender", _cases(PAGE_SIZES))
def test_list_scaling(benchmark, bench, scaling_rows, page_size, contender):
    group = f"scaling: list page_size={page_size}"
    _measure(benchmark, bench, group, contender, bench.call(contender, "list", page_size), "list")

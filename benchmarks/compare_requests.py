"""Interleaved request comparison and profiles, outside pytest (same project as test_requests.py).

pytest-benchmark times one contender after another; on a busy machine the load
changes between them. This runner alternates the contenders round by round,
so each endpoint's ratios come from the same minutes, and it can profile one
contender's requests with cProfile.

    python -m benchmarks.compare_requests                    # ratios, interleaved
    (ratios are per round, contender / hand-written view: min, median, max over rounds;
    then DRF / restflow and ninja / restflow per round: above 1x, restflow was faster)
    python -m benchmarks.compare_requests --rounds 200 --batch 10
    python -m benchmarks.compare_requests --profile restflow list   # cProfile, top functions
    python -m benchmarks.compare_requests --endpoints create --in-flight 16 --batch 32   # wall time, concurrent
    python -m benchmarks.compare_requests --gc               # the garbage collector's share per request
"""

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def setup(database_file=None):
    """Django on SQLite, tables made: an in-memory database shared by every thread, or a file.

    Concurrent writes need the file: a shared in-memory database answers a second
    writer with "table is locked" at once, where a file's writer waits its turn.
    """
    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = database_file or "file:restflow_bench?mode=memory&cache=shared"
    if database_file:  # the disk's flushes would dwarf what is measured: locking and CPU
        settings.DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA synchronous=OFF"
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    connection.ensure_connection()  # this connection keeps the shared database alive
    call_command("migrate", run_syncdb=True, verbosity=0)


def _variant(name):
    """A context manager for restflow run another way: ``restflow-twin`` (the plan's executor from
    the pure-Python twin), ``restflow-noplan`` (no cached fields or validators, no plans, no direct
    create: DRF's serializer path),
    ``restflow-atomic`` (every write in a transaction of ours, as before restflow._writes)."""
    from contextlib import contextmanager

    from restflow import _plan, _serializing, _speedups_py, _writes

    @contextmanager
    def twin():
        original = _plan.speedups
        _plan.speedups = _speedups_py
        try:
            yield
        finally:
            _plan.speedups = original

    @contextmanager
    def noplan():
        saved = _serializing.represent, _serializing.prime_fields, _serializing.validate, _writes._creates_directly
        _serializing.represent = _serializing.prime_fields = lambda serializer: None
        _serializing.validate = lambda serializer, raise_exception: serializer.is_valid(raise_exception=raise_exception)
        _writes._creates_directly = lambda serializer: False
        try:
            yield
        finally:
            (_serializing.represent, _serializing.prime_fields, _serializing.validate,
             _writes._creates_directly) = saved

    @contextmanager
    def atomic():
        saved = _writes._needs_transaction
        _writes._needs_transaction = lambda write, target: True
        try:
            yield
        finally:
            _writes._needs_transaction = saved

    return {"restflow-twin": twin, "restflow-noplan": noplan, "restflow-atomic": atomic}[name]


def variant_call(bench, contender, endpoint, size=None):
    """``bench.call``, and for restflow's variants the same requests under their context manager."""
    if not contender.startswith("restflow-"):
        return bench.call(contender, endpoint, size)
    send, variant = bench.call("restflow", endpoint, size), _variant(contender)

    async def call():
        with variant():
            return await send()

    return call


def run_concurrently(bench, send, count, in_flight):
    """Send ``count`` requests, ``in_flight`` of them at a time (asyncio.gather)."""

    async def waves():
        for start in range(0, count, in_flight):
            replies = await asyncio.gather(*(send() for _ in range(min(in_flight, count - start))))
            failed = [reply for reply in replies if reply.status >= 300]
            assert not failed, failed[0]

    bench.loop.run_until_complete(waves())


def garbage_report(bench, cases, contenders, variant_call, requests):
    """Per contender and endpoint: objects left in reference cycles per request (only the
    collector frees them), collections per 1,000 requests by generation, and the collector's
    time per request (perf_counter between its start and stop callbacks)."""
    spent = {"start": 0.0, "total": 0.0, "runs": [0, 0, 0]}

    def timing(phase, info):
        if phase == "start":
            spent["start"] = time.perf_counter()
        else:
            spent["total"] += time.perf_counter() - spent["start"]
            spent["runs"][info["generation"]] += 1

    print(f"{'case':<22}{'contender':<10}{'cyclic objects':>15}{'gen0/1k':>9}{'gen1/1k':>9}{'gen2/1k':>9}{'gc us':>8}")
    gc.callbacks.append(timing)
    try:
        for endpoint, size in cases:
            for contender in contenders:
                send = variant_call(bench, contender, endpoint, size)
                bench.run(send, 20)
                gc.collect()
                gc.disable()
                bench.run(send, 100)
                cyclic = gc.collect() / 100
                gc.enable()
                spent.update(total=0.0, runs=[0, 0, 0])
                bench.run(send, requests)
                runs = "".join(f"{count * 1000 / requests:>9.1f}" for count in spent["runs"])
                print(f"{endpoint:<22}{contender:<10}{cyclic:>15.1f}{runs}{spent['total'] / requests * 1e6:>8.1f}")
    finally:
        gc.callbacks.remove(timing)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--endpoints", default="list,retrieve,create,action")
    parser.add_argument(
        "--contenders", default="plain,restflow,drf,ninja",
        help="ninja needs django-ninja (left out, with a message, without it); also restflow-twin "
        "(plan executor from the twin), restflow-noplan (DRF's serializer path), "
        "restflow-atomic (every write in a transaction)",
    )
    parser.add_argument(
        "--in-flight", type=int, default=0,
        help="send each round's requests this many at a time, concurrently, and time wall-clock instead of CPU",
    )
    parser.add_argument("--page-sizes", default="", help="e.g. 20,100,500: the list scaling case instead")
    parser.add_argument("--profile", nargs=2, metavar=("CONTENDER", "ENDPOINT"))
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--gc", action="store_true", help="the garbage collector's share instead of timings")
    args = parser.parse_args(argv)
    if args.in_flight:
        import tempfile

        scratch = tempfile.mkdtemp(prefix="restflow-bench-")
        setup(os.path.join(scratch, "bench.sqlite3"))
    else:
        setup()

    from benchmarks.bench_project import NINJA_INSTALLED, NINJA_MISSING
    from benchmarks.bench_project.asgi import bench_settings, make_application
    from benchmarks.bench_project.client import HopCounter
    from benchmarks import test_requests as t
    from tests.support.testapp.models import Product

    rows = t.SCALING_ROWS if args.page_sizes else t.ROWS
    t._seed(rows)
    loop = asyncio.new_event_loop()
    with bench_settings:
        bench = t.Bench(make_application(), loop, Product.objects.order_by("id")[t.ROWS // 2].pk)
        t._check_same_answers(bench)
        contenders = args.contenders.split(",")
        if "ninja" in contenders and not NINJA_INSTALLED:
            print(NINJA_MISSING, file=sys.stderr)
            contenders.remove("ninja")
        if args.page_sizes:
            cases = [("list", int(size)) for size in args.page_sizes.split(",")]
        else:
            cases = [(endpoint, None) for endpoint in args.endpoints.split(",")]

        if args.gc:
            garbage_report(bench, cases, contenders, variant_call, args.rounds * args.batch)
            return

        if args.profile:
            contender, endpoint = args.profile
            send = variant_call(bench, contender, endpoint)
            bench.run(send, 20)
            # Wall clock: on Python 3.12 the profiler sees every thread, and per-thread CPU clocks
            # read from different threads would not subtract (negative times).
            profile = cProfile.Profile(time.perf_counter)
            profile.enable()
            bench.run(send, args.rounds * args.batch)
            profile.disable()
            stats = pstats.Stats(profile).strip_dirs().sort_stats("cumulative")
            stats.print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
            return

        print(
            f"{'case':<22}{'contender':<10}{'min us':>8}{'median us':>10}"
            f"{'ratio min':>10}{'ratio med':>10}{'ratio max':>10}{'hops':>6}"
        )
        for endpoint, size in cases:
            sends = {c: variant_call(bench, c, endpoint, size) for c in contenders}
            hops = {}
            for contender, send in sends.items():
                bench.run(send, 3)
                with HopCounter() as counter:
                    bench.run(send)
                hops[contender] = counter.count
            samples = {c: [] for c in contenders}
            timer = time.perf_counter if args.in_flight else time.process_time
            order = list(sends.items())
            for round_number in range(args.rounds):
                shift = round_number % len(order)  # each contender takes each place in turn
                for contender, send in order[shift:] + order[:shift]:
                    start = timer()
                    if args.in_flight:
                        run_concurrently(bench, send, args.batch, args.in_flight)
                    else:
                        bench.run(send, args.batch)
                    samples[contender].append((timer() - start) / args.batch)
            base = samples.get("plain")
            case = endpoint if size is None else f"list page_size={size}"
            for contender in contenders:
                low, mid = min(samples[contender]), statistics.median(samples[contender])
                ratios = ""
                if base:  # per-round ratios: both sides of each come from the same seconds
                    per_round = [ours / theirs for ours, theirs in zip(samples[contender], base)]
                    ratios = f"{min(per_round):>9.2f}x{statistics.median(per_round):>9.2f}x{max(per_round):>9.2f}x"
                print(f"{case:<22}{contender:<10}{low * 1e6:>8.0f}{mid * 1e6:>10.0f}{ratios:<30}{hops[contender]:>6}")
            for other, label in (("drf", "DRF"), ("ninja", "ninja")):
                if other in samples and "restflow" in samples:
                    per_round = [them / us for them, us in zip(samples[other], samples["restflow"])]
                    print(f"{'':<22}{label} / restflow per round: min {min(per_round):.2f}x, "
                          f"median {statistics.median(per_round):.2f}x, max {max(per_round):.2f}x")
            Product.objects.filter(sku__startswith=t.NEW_SKU).delete()
    loop.close()


if __name__ == "__main__":
    main()

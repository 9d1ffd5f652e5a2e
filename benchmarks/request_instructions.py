"""Instructions per whole request under callgrind, for each contender under both ASGI handlers.

One process runs under ``valgrind --tool=callgrind`` and sends, for every handler (Django's
``ASGIHandler``, restflow's ``restflow.asgi.ASGIHandler``), contender (the hand-written async
view, restflow's viewset, DRF's viewset, django-ninja) and endpoint (the four of
``benchmarks/test_requests.py``), a warm-up, then two batches of requests (``--calls`` and
twice as many). Each batch runs inside ``operator.call``, and callgrind dumps its counters
when that C function is entered and left, so every batch gets its own count, every thread
included (the sync threads of hops too). The instructions per request are the difference of
the two batches over ``--calls``; the ratio is the contender's over the hand-written view's
under the same handler. Unlike CPU time, the counts do not move with the load of other
processes: they are valid on a busy machine.

    PYTHONHASHSEED=0 python -m benchmarks.request_instructions
    PYTHONHASHSEED=0 python -m benchmarks.request_instructions --handlers restflow --contenders plain,restflow
    RESTFLOW_NO_EXTENSIONS=1 python -m benchmarks.request_instructions   # the pure-Python twin

Needs valgrind; takes a few minutes (Django starts once, under valgrind).
"""

import argparse
import gc
import operator
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"^summary:\s*(\d+)", re.MULTILINE)
ENDPOINTS = ("action", "retrieve", "create", "list")


def _child(handlers, contenders, endpoints, calls):
    """Send the batches (run inside valgrind); print one line per batch, in dump order."""
    import asyncio

    from benchmarks.compare_requests import setup

    setup()
    from django.core.handlers.asgi import ASGIHandler

    from benchmarks import test_requests as t
    from benchmarks.bench_project import NINJA_INSTALLED
    from benchmarks.bench_project.asgi import bench_settings
    from restflow.asgi import ASGIHandler as RestflowASGIHandler
    from tests.support.testapp.models import Product

    t._seed(t.ROWS)
    loop = asyncio.new_event_loop()
    factories = {"django": ASGIHandler, "restflow": RestflowASGIHandler}
    with bench_settings:
        bench = t.Bench(None, loop, Product.objects.order_by("id")[t.ROWS // 2].pk)
        for handler in handlers:
            bench.app = factories[handler]()  # one Bench: new skus for every create
            for contender in contenders:
                if contender == "ninja" and not NINJA_INSTALLED:
                    continue
                for endpoint in endpoints:
                    send = bench.call(contender, endpoint)
                    reply = bench.run(send, 10)
                    assert reply.status in (200, 201), (handler, contender, endpoint, reply)
                    for count in (calls, 2 * calls):
                        gc.collect()
                        print(f"{handler} {contender} {endpoint} {count}", flush=True)
                        operator.call(bench.run, send, count)
    loop.close()


def measure(handlers, contenders, endpoints, calls):
    """``{(handler, contender, endpoint): instructions per request}`` from one valgrind run."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out",
            "--dump-before=_operator_call", "--dump-after=_operator_call",
            sys.executable, "-m", "benchmarks.request_instructions", "--child",
            ",".join(handlers), ",".join(contenders), ",".join(endpoints), str(calls),
        ]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if result.returncode:
            sys.exit(result.stderr[-3000:])
        batches = [line.split() for line in result.stdout.splitlines() if line.count(" ") == 3]
        dumps = []
        for path in Path(scratch).glob("out.*"):
            text = path.read_text()
            if "desc: Trigger: --dump-after=_operator_call" in text:
                number = int(path.name.split(".")[1].split("-")[0])
                dumps.append((number, int(SUMMARY.search(text).group(1))))
    dumps.sort()
    if len(dumps) != len(batches):
        sys.exit(f"expected {len(batches)} batch dumps, found {len(dumps)}")
    counts = {}
    for (handler, contender, endpoint, count), (_, instructions) in zip(batches, dumps, strict=True):
        counts[handler, contender, endpoint, int(count)] = instructions
    return {
        (h, c, e): (counts[h, c, e, 2 * calls] - counts[h, c, e, calls]) / calls
        for (h, c, e, n) in counts
        if n == calls
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handlers", default="restflow,django")
    parser.add_argument("--contenders", default="plain,restflow,drf,ninja")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        handlers, contenders, endpoints, calls = args.child
        _child(handlers.split(","), contenders.split(","), endpoints.split(","), int(calls))
        return
    handlers, contenders = args.handlers.split(","), args.contenders.split(",")
    endpoints = args.endpoints.split(",")
    per_request = measure(handlers, contenders, endpoints, args.calls)
    core = "pure-Python twin" if os.environ.get("RESTFLOW_NO_EXTENSIONS", "") not in ("", "0") else "compiled core"
    print(f"callgrind instructions per request ({core}); in brackets: over the hand-written view, same handler")
    for handler in handlers:
        print(f"\n{handler}'s handler")
        print(f"{'endpoint':<10}" + "".join(f"{c:>22}" for c in contenders))
        for endpoint in endpoints:
            base = per_request.get((handler, "plain", endpoint))
            cells = []
            for contender in contenders:
                value = per_request.get((handler, contender, endpoint))
                if value is None:
                    cells.append(f"{'-':>22}")
                    continue
                ratio = f" ({value / base:.2f})" if base else ""
                cells.append(f"{value:>15,.0f}{ratio:>7}")
            print(f"{endpoint:<10}" + "".join(cells), flush=True)


if __name__ == "__main__":
    main()

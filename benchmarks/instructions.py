"""Instruction counts under callgrind: per-call costs that other processes' load cannot disturb.

Each case runs in two processes under ``valgrind --tool=callgrind``, one making
``--calls`` calls more than the other after the same warm-up; the difference of
their instruction totals divided by ``--calls`` is the instructions per call.

    python -m benchmarks.instructions                      # representation, 100 rows, each contender
    python -m benchmarks.instructions --calls 20 --cases drf,plan-compiled
    python -m benchmarks.instructions --requests           # whole requests, each contender and endpoint
    python -m benchmarks.instructions --requests --cases restflow:create,plain:create

A request case is ``contender:endpoint`` (the contenders and endpoints of
benchmarks/test_requests.py), sent in-process through Django's ASGI handler on
SQLite. Its count covers the event loop and the sync threads in user space;
the kernel's share (a thread's start, its join) is not counted, so Django's
per-request threads weigh less here than in CPU time.

Needs valgrind. Slow (each process starts Django under valgrind): about a
minute per case.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def _child(case, calls):
    """Warm up, then make ``calls`` calls of ``case`` (run inside valgrind)."""
    if ":" in case:
        return _child_requests(*case.split(":"), calls)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from benchmarks import test_representation as r

    render = r.contenders()[case]
    rows = r.products()
    for _ in range(3):
        render(rows)
    for _ in range(calls):
        render(rows)


def _child_requests(contender, endpoint, calls):
    """Seed the benchmark project, warm up, then send ``calls`` requests of ``contender``'s ``endpoint``."""
    import asyncio

    from benchmarks import compare_requests

    compare_requests.setup()
    from benchmarks import test_requests as t
    from benchmarks.bench_project.asgi import bench_settings, make_application
    from tests.testapp.models import Product

    t._seed(t.ROWS)
    loop = asyncio.new_event_loop()
    with bench_settings:
        bench = t.Bench(make_application(), loop, Product.objects.order_by("id")[t.ROWS // 2].pk)
        send = compare_requests.variant_call(bench, contender, endpoint)
        bench.run(send, 20)
        reply = bench.run(send, calls) if calls else None
        assert reply is None or reply.status < 300, reply


def _instructions(case, calls):
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out",
            sys.executable, "-m", "benchmarks.instructions", "--child", case, str(calls),
        ]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(COLLECTED.search(result.stderr).group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="")
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--requests", action="store_true", help="whole requests instead of representation")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    if args.requests:
        return _report_requests(args)
    from benchmarks.test_representation import ROWS

    cases = args.cases or "drf,drf-cached-fields,plan-python,plan-compiled"
    print(f"callgrind instructions per call, representation of {ROWS} rows (difference of two runs)")
    print(f"{'case':<20}{'instructions/call':>18}{'per row':>10}")
    for case in cases.split(","):
        per_call = (_instructions(case, args.calls) - _instructions(case, 0)) / args.calls
        print(f"{case:<20}{per_call:>18.0f}{per_call / ROWS:>10.0f}", flush=True)


def _report_requests(args):
    """Instructions per request for each ``contender:endpoint`` case, and the ratio to ``plain``'s."""
    from benchmarks.test_requests import AVAILABLE, ENDPOINTS

    cases = args.cases.split(",") if args.cases else [f"{c}:{e}" for e in ENDPOINTS for c in AVAILABLE]
    print("callgrind instructions per request, in-process through Django's ASGI handler (difference of two runs)")
    print(f"{'case':<22}{'instructions/request':>21}{'/ plain':>9}")
    plain = {}
    for case in cases:
        contender, endpoint = case.split(":")
        per_call = (_instructions(case, args.calls) - _instructions(case, 0)) / args.calls
        if contender == "plain":
            plain[endpoint] = per_call
        ratio = f"{per_call / plain[endpoint]:.2f}x" if endpoint in plain else ""
        print(f"{case:<22}{per_call:>21.0f}{ratio:>9}", flush=True)


if __name__ == "__main__":
    main()

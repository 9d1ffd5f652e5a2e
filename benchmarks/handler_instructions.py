"""Instructions per request through an ASGI handler, under callgrind (steady on a loaded machine).

Each handler serves one endpoint of the benchmark project in-process (no server), one request
at a time; two processes under ``valgrind --tool=callgrind`` make ``--calls`` requests apart
after the same warm-up, and the difference of their totals over ``--calls`` is the count per
request. Compare two checkouts by running it in each.

    PYTHONHASHSEED=0 python -m benchmarks.handler_instructions                 # both handlers, ping
    PYTHONHASHSEED=0 python -m benchmarks.handler_instructions --handlers restflow --endpoint /plain/products/ping/

Needs valgrind.
"""

import argparse
import asyncio
import gc
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
WARM_UP = 50


def _scope(target):
    path, _, query = target.partition("?")
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
            "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}


async def _request(handler, target):
    incoming = [{"type": "http.request", "body": b"", "more_body": False}]
    done, statuses = asyncio.Event(), []

    async def receive():
        if incoming:
            return incoming.pop()
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await handler(_scope(target), receive, send)
    done.set()
    assert statuses == [200], (target, statuses)


def _child(handler_name, target, calls):
    """Warm up, then serve ``calls`` requests (run inside valgrind)."""
    scratch = tempfile.mkdtemp(prefix="restflow-bench-handler-")
    os.environ.update(DJANGO_SETTINGS_MODULE="benchmarks.bench_project.server_settings",
                      BENCH_CONN_MAX_AGE="none", BENCH_SQLITE=str(Path(scratch) / "bench.sqlite3"))
    import django

    django.setup()
    from django.core.handlers.asgi import ASGIHandler
    from django.core.management import call_command

    from restflow.asgi import ASGIHandler as RestflowASGIHandler

    call_command("migrate", run_syncdb=True, verbosity=0)
    handler = RestflowASGIHandler() if handler_name == "restflow" else ASGIHandler()

    async def run():
        for _ in range(WARM_UP):
            await _request(handler, target)
        gc.collect()
        gc.freeze()
        for _ in range(calls):
            await _request(handler, target)

    asyncio.run(run())


def _instructions(handler, target, calls):
    with tempfile.TemporaryDirectory() as scratch:
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out", sys.executable, "-m",
                   "benchmarks.handler_instructions", "--child", handler, target, str(calls)]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(COLLECTED.search(result.stderr).group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handlers", default="django,restflow")
    parser.add_argument("--endpoint", default="/restflow/products/ping/")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--child", nargs=3, metavar=("HANDLER", "TARGET", "CALLS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        handler, target, calls = args.child
        return _child(handler, target, int(calls))
    for handler in args.handlers.split(","):
        base = _instructions(handler, args.endpoint, 10)
        more = _instructions(handler, args.endpoint, 10 + args.calls)
        print(f"{handler:<10}{args.endpoint:<28}{(more - base) / args.calls:>12,.0f} instructions per request")


if __name__ == "__main__":
    main()

"""Threads a server holds for clients that trickle their request bodies, under both handlers.

Starts the fault suite's site (tests/faults/site) under uvicorn with each handler, opens
``--clients`` connections that send headers and 10 bytes of a 1,000-byte body, then reports the
server's OS threads before and while they wait, and whether a health check still answers.

    python -m benchmarks.slow_clients --clients 150
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from tests.faults.servers import Site
from tests.faults.test_slow_clients import _finish, _open_slow_uploads


def measure(handler, clients, tmp):
    site = Site(handler, tmp, FAULT_DB=str(tmp / f"{handler}.sqlite3"))
    try:
        site.client.get("/health/")
        before = site.threads()

        async def run():
            streams = await _open_slow_uploads(site.port, clients)
            await asyncio.sleep(1.0)
            during = site.threads()
            started = time.monotonic()
            health = await asyncio.to_thread(site.client.get, "/health/")
            took = time.monotonic() - started
            answers = await _finish(streams)
            return during, health.status_code, took, sum(a.startswith(b"HTTP/1.1 200") for a in answers)

        during, health, took, completed = asyncio.run(run())
        print(f"{handler:<10}threads before {before:>4}, with {clients} slow clients {during:>4}; "
              f"health check {health} in {took * 1000:.0f} ms; uploads completed {completed}/{clients}")
    finally:
        site.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=150)
    parser.add_argument("--handlers", default="django,restflow")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for handler in args.handlers.split(","):
            measure(handler, args.clients, Path(tmp))


if __name__ == "__main__":
    main()

"""Requests/s of a cached list against the uncached one and a hand-written view on Django's cache.

In-process through Django's ASGI handler (no server), sequential, contenders alternated round by
round so each ratio comes from the same minutes. Run once with the local-memory cache and, when
Redis answers on 127.0.0.1:6379, once with Redis (database 9).

    python -m benchmarks.compare_caching --rounds 50 --batch 20
"""

import argparse
import asyncio
import os
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

CONTENDERS = ("uncached", "cached", "handwritten")
CACHES = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/9",
        "KEY_PREFIX": f"bench-{os.getpid()}",
    },
}


def _redis_answers():
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
    except OSError:
        return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args(argv)

    from benchmarks.compare_requests import setup

    setup()
    from django.core.handlers.asgi import ASGIHandler
    from django.test.utils import override_settings

    from benchmarks import test_requests
    from benchmarks.bench_project.client import HopCounter, request
    from restflow.caching.store import CacheStore

    test_requests._seed(test_requests.ROWS)
    loop = asyncio.new_event_loop()
    backends = ["locmem"] + (["redis"] if _redis_answers() else [])
    print(f"{'cache':<8}{'contender':<13}{'req/s med':>10}{'req/s max':>10}{'vs uncached':>12}{'hops':>6}")
    for backend in backends:
        with override_settings(MIDDLEWARE=[], ROOT_URLCONF="benchmarks.caching_urls", DEBUG=False,
                               CACHES={"default": CACHES[backend]}):
            CacheStore("default").delete_pattern("*")
            app = ASGIHandler()

            def send(contender):
                return request(app, "GET", f"/{contender}/products/", "page=2")

            async def batch(contender, times):
                for _ in range(times):
                    reply = await send(contender)
                assert reply.status == 200, reply
                return reply

            bodies = {c: loop.run_until_complete(batch(c, 2)).json() for c in CONTENDERS}
            assert bodies["cached"]["results"] == bodies["uncached"]["results"], "the cached answer differs"
            hops = {}
            for contender in CONTENDERS:
                with HopCounter() as counter:
                    loop.run_until_complete(batch(contender, 1))
                hops[contender] = counter.count
            seconds = {c: [] for c in CONTENDERS}
            for _ in range(args.rounds):
                for contender in CONTENDERS:
                    start = time.perf_counter()
                    loop.run_until_complete(batch(contender, args.batch))
                    seconds[contender].append((time.perf_counter() - start) / args.batch)
            base = statistics.median(seconds["uncached"])
            for contender in CONTENDERS:
                median, best = statistics.median(seconds[contender]), min(seconds[contender])
                print(f"{backend:<8}{contender:<13}{1 / median:>10.0f}{1 / best:>10.0f}"
                      f"{base / median:>11.2f}x{hops[contender]:>6}")
            CacheStore("default").delete_pattern("*")
    loop.close()


if __name__ == "__main__":
    main()

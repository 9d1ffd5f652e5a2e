"""A sustained mixed load on the example shop under several worker processes, over real HTTP.

uvicorn serves examples/shop with N workers on PostgreSQL (a database of its own, Django's psycopg
pool per worker) and Redis (cached categories, exact write throttles shared by the workers).
Virtual clients loop over a mix of reads, cached reads, creates and updates; then the database is
checked against what the API answered: every 201 is one row, nothing lost, nothing duplicated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python -m benchmarks.load_shop --seconds 60

tests/end_to_end/test_shop_under_load.py runs a short variant.
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIX = [("list", 40), ("categories", 20), ("retrieve", 15), ("create", 15), ("update", 10)]


class Shop:
    """The example shop on its own PostgreSQL database, served by ``workers`` uvicorn processes."""

    def __init__(self, tmp_path, workers=4, pool=8, write_rate="300/min", redis_db=10):
        from tests.support.services import free_port
        from tests.support.shop import ShopServer

        self.server = ShopServer(tmp_path, "load")
        assert self.server.db.url, "the load test needs PostgreSQL (DATABASE_URL)"
        self.server.env.update(
            SHOP_REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
            SHOP_CACHE_PREFIX=f"load-{os.getpid()}-{time.monotonic_ns()}",
            SHOP_DB_POOL=str(pool),
            SHOP_WRITE_RATE=write_rate,
        )
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"

    def start(self):
        import subprocess

        server = self.server
        server.manage("migrate", "--noinput", "-v", "0")
        self.token = server.manage("seed_demo", "--quiet").strip()
        log = open(server.log_path, "ab")
        server.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "shop.asgi:application", "--host", "127.0.0.1", "--port",
             str(self.port), "--workers", str(self.workers), "--no-access-log"],
            cwd=server.env.get("SHOP_DIR", str(ROOT / "examples" / "shop")), env=server.env,
            stdout=log, stderr=subprocess.STDOUT,
        )
        server.base_url = self.base_url
        if not server._wait_until_up():
            raise AssertionError(f"the shop did not start:\n{server.log()}")
        return self

    def stop(self):
        self.server.stop()
        self.server.db.drop()


class ConnectionWatch(threading.Thread):
    """Polls pg_stat_activity for the shop's database; ``peak`` is the most connections seen."""

    def __init__(self, db):
        super().__init__(daemon=True)
        self.db = db
        self.peak = 0
        self.stopped = threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(self.db.url, autocommit=True) as connection:
            while not self.stopped.wait(0.1):
                (count,) = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (self.db.name,)
                ).fetchone()
                self.peak = max(self.peak, count)

    def stop(self):
        self.stopped.set()
        self.join(5)


async def _client(base_url, token, deadline, rng, results, created, product_ids):
    auth = {"Authorization": f"Token {token}"}
    operations = [name for name, weight in MIX for _ in range(weight)]
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        while time.monotonic() < deadline:
            operation = rng.choice(operations)
            started = time.perf_counter()
            if operation == "list":
                query = rng.choice(["page=1", "page=2&page_size=5", "ordering=-price", "status=active", "price__gte=10"])
                response = await http.get(f"/api/products/?{query}")
            elif operation == "categories":
                response = await http.get("/api/categories/")
            elif operation == "retrieve":
                response = await http.get(f"/api/products/{rng.choice(product_ids)}/")
            elif operation == "create":
                sku = f"LOAD-{rng.getrandbits(48):012x}"
                body = {"name": f"Load {sku}", "sku": sku, "price": rng.randint(1, 500), "stock": 3}
                response = await http.post("/api/products/", json=body, headers=auth)
                if response.status_code == 201:
                    created.append(sku)
            else:
                pk = rng.choice(product_ids)
                response = await http.patch(f"/api/products/{pk}/", json={"stock": rng.randint(0, 50)}, headers=auth)
            results.append((operation, response.status_code, time.perf_counter() - started))


async def drive(base_url, token, seconds, concurrency, seed=7):
    """Run ``concurrency`` clients for ``seconds``; return (results, created skus)."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        product_ids = [row["id"] for row in (await http.get("/api/products/?page_size=100")).json()["results"]]
    results, created = [], []
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(
        _client(base_url, token, deadline, random.Random(seed * 1000 + n), results, created, product_ids)
        for n in range(concurrency)
    ))
    return results, created


def summary(results, elapsed):
    """Requests/s, p50/p99 latency (ms), and status counts per operation."""
    latencies = sorted(latency for _, _, latency in results)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else latencies * 99
    return {
        "requests": len(results),
        "requests_per_second": len(results) / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "statuses": dict(Counter(status for _, status, _ in results)),
        "by_operation": {op: dict(Counter(s for o, s, _ in results if o == op)) for op, _ in MIX},
    }


def run(tmp_path, seconds, concurrency, workers=4, pool=8, write_rate="300/min"):
    """Start the shop, load it, check the rows; return the report."""
    shop = Shop(tmp_path, workers=workers, pool=pool, write_rate=write_rate).start()
    watch = ConnectionWatch(shop.server.db)
    watch.start()
    try:
        started = time.monotonic()
        results, created = asyncio.run(drive(shop.base_url, shop.token, seconds, concurrency))
        elapsed = time.monotonic() - started
        rows = [sku for (sku,) in shop.server.db.rows("SELECT sku FROM catalog_product WHERE sku LIKE 'LOAD-%%'")]
        report = summary(results, elapsed)
        report.update(
            workers=workers, pool_per_worker=pool, concurrency=concurrency, seconds=round(elapsed, 1),
            creates_answered_201=len(created), rows_written=len(rows),
            rows_lost=len(set(created) - set(rows)), rows_unexpected=len(set(rows) - set(created)),
            rows_duplicated=len(rows) - len(set(rows)), peak_connections=watch.peak,
        )
        return report
    finally:
        watch.stop()
        shop.stop()


def main(argv=None):
    import json
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pool", type=int, default=8)
    parser.add_argument("--write-rate", default="300/min")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        report = run(Path(tmp), args.seconds, args.concurrency, args.workers, args.pool, args.write_rate)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Many workers, one truth: cached answers and throttles shared by real server processes through Redis.

The project in tests/support/workers_project is served by uvicorn: two single-process servers for
cross-process invalidation, one server with four worker processes for the throttles. They share
one database (a SQLite file, or a PostgreSQL database of their own when DATABASE_URL is set) and
Redis database 9 under a key prefix of this run's own.
"""

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.support.services import Database, free_port, redis_answers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.server, pytest.mark.redis]


class Servers:
    """migrate once, then uvicorn processes on free loopback ports, all on one database and Redis prefix."""

    def __init__(self, tmp_path):
        self.db = Database(tmp_path, "workers")
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            **self.db.env(),
            "DJANGO_SETTINGS_MODULE": "tests.support.workers_project.settings",
            "WORKERS_KEY_PREFIX": f"workers-{os.getpid()}-{time.monotonic_ns()}",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes = []
        result = subprocess.run([sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"],
                                cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr

    def start(self, workers=1):
        port = free_port()
        log = open(self.tmp_path / f"server-{port}.log", "wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.support.workers_project.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers), "--no-access-log"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            assert process.poll() is None, (self.tmp_path / f"server-{port}.log").read_text()
            try:
                if httpx.get(f"{url}/pid/", timeout=2).status_code == 200:
                    return url
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("the workers project did not start")

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.db.drop()


@pytest.fixture
def servers(tmp_path):
    servers = Servers(tmp_path)
    try:
        yield servers
    finally:
        servers.stop()


def test_a_write_in_one_worker_invalidates_what_another_serves(servers):
    """A cached list in worker B is dropped by a create in worker A (invalidation through shared Redis)."""
    a, b = servers.start(), servers.start()
    assert httpx.get(f"{a}/pid/").json() != httpx.get(f"{b}/pid/").json()
    first = httpx.get(f"{b}/products/")
    assert first.headers["X-Cache-status"] == "MISS" and first.json() == []
    assert httpx.get(f"{b}/products/").headers["X-Cache-status"] == "HIT"
    assert httpx.post(f"{a}/products/", json={"name": "made in A", "sku": "a-1"}).status_code == 201
    after = httpx.get(f"{b}/products/")
    assert after.headers["X-Cache-status"] == "MISS"
    assert [row["sku"] for row in after.json()] == ["a-1"]
    product_id = after.json()[0]["id"]
    assert httpx.patch(f"{b}/products/{product_id}/", json={"name": "renamed in B"}).status_code == 200
    assert httpx.get(f"{a}/products/").json()[0]["name"] == "renamed in B"


async def _burst(url, total):
    limits = httpx.Limits(max_connections=total, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        responses = await asyncio.gather(*(client.get(url) for _ in range(total)))
    return Counter(response.status_code for response in responses), {r.headers["X-Worker"] for r in responses}


def test_exact_throttle_holds_across_four_workers(servers):
    """Concurrent requests to 4 workers under a limit of 100: exactly 100 pass with the exact throttle.

    CI sends 400 requests within a 100/hour limit; the docs' figure is
    RESTFLOW_THROTTLE_BURST=1000 WORKERS_RATE=100/min.
    """
    url = servers.start(workers=4)
    total = int(os.environ.get("RESTFLOW_THROTTLE_BURST", "400"))
    exact, exact_pids = asyncio.run(_burst(f"{url}/exact/", total))
    compatible, compatible_pids = asyncio.run(_burst(f"{url}/compatible/", total))
    print(f"\nexact: {dict(exact)} from {len(exact_pids)} workers; DRF-compatible: {dict(compatible)} "
          f"from {len(compatible_pids)} workers")
    assert exact == Counter({200: 100, 429: total - 100})
    assert len(exact_pids) > 1, "the burst reached a single worker: it would not show cross-process exactness"
    assert compatible[200] >= 100 and compatible[200] + compatible[429] == total

"""Redis stopped, frozen and restarted under a real server (fault 6), racing readers and writers
on the Redis cache (fault 8), and throttle identity against spoofed X-Forwarded-For (fault 7).

The Redis is the suite's own (``redis_server``), on its own port. Each site uses it as its
default cache (the cached note list, the exact throttle on note creation) with a one second
circuit reset, so recovery is quick to observe.
"""

import asyncio
import json
import time

import httpx
import pytest
import redis

from tests.faults.conftest import HANDLERS

pytestmark = [pytest.mark.server, pytest.mark.redis]

POLICY = json.dumps({"REDIS": {"BREAKER_RESET": 1.0}})


def _site(sites, handler, redis_server, **env):
    return sites(handler, FAULT_REDIS=redis_server.url, FAULT_POLICY=POLICY, **env)


def _traffic(site, rounds, tag):
    """Reads of the cached list, throttled writes and health checks: (failed requests, slowest seconds, ids written)."""
    failed, slowest, written = 0, 0.0, []
    for n in range(rounds):
        for method, path, body in (("GET", "/notes/", None), ("POST", "/notes/", {"title": f"{tag}-{n}"}),
                                   ("GET", "/health/", None)):
            started = time.monotonic()
            try:
                answer = site.client.request(method, path, json=body)
            except httpx.TransportError:
                failed += 1
                continue
            finally:
                slowest = max(slowest, time.monotonic() - started)
            if answer.status_code >= 400:
                failed += 1
            elif method == "POST":
                written.append(answer.json()["id"])
    return failed, slowest, written


def _recovered(site, timeout=20):
    """Seconds until the cached list is answered from the cache again."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if site.client.get("/notes/").headers.get("X-Cache-status") == "HIT":
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def _stored_ids(site):
    return {note["id"] for note in site.client.get("/notes/", params={"all": "1"}).json()}


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
@pytest.mark.parametrize("handler", HANDLERS)
def test_fault_6_redis_stopped_or_frozen_costs_no_error_and_recovers(sites, redis_server, handler, fault, figures):
    site = _site(sites, handler, redis_server)
    _traffic(site, 3, "before")
    (redis_server.stop if fault == "stopped" else redis_server.freeze)()
    try:
        during_failed, during_slowest, during_written = _traffic(site, 10, f"{fault}-during")
    finally:
        (redis_server.start if fault == "stopped" else redis_server.thaw)()
    recovery = _recovered(site)
    after_failed, _, after_written = _traffic(site, 5, f"{fault}-after")
    lost = set(during_written + after_written) - _stored_ids(site)
    figures(handler=handler, fault=f"redis {fault}", errors_during=during_failed, errors_after=after_failed,
            slowest_during_s=round(during_slowest, 3), recovery_s=recovery and round(recovery, 3), rows_lost=len(lost))
    assert during_failed == 0 and after_failed == 0, site.output()
    assert recovery is not None and not lost


@pytest.mark.parametrize("handler", HANDLERS)
def test_fault_8_racing_readers_and_writers_never_read_stale_after_a_write(sites, redis_server, handler, figures):
    site = _site(sites, handler, redis_server)
    writes, stale = 30, []

    async def run():
        async with httpx.AsyncClient(base_url=site.url, timeout=20) as client:
            done = asyncio.Event()

            async def reader():
                while not done.is_set():
                    await client.get("/notes/")

            async def writer():
                for n in range(writes):
                    created = (await client.post("/notes/", json={"title": f"race-{n}"})).json()
                    listed = (await client.get("/notes/")).json()
                    if created["id"] not in {note["id"] for note in listed}:
                        stale.append(created["id"])
                done.set()

            await asyncio.gather(writer(), *(reader() for _ in range(4)))

    asyncio.run(run())
    figures(handler=handler, fault="racing readers and writers", writes=writes, stale_reads=len(stale))
    assert stale == []


@pytest.mark.parametrize("handler", HANDLERS)
def test_fault_7_spoofed_forwarded_for_does_not_escape_the_exact_throttle(sites, redis_server, handler):
    # The server does not rewrite the client address from proxy headers: no proxy is trusted.
    site = _site(sites, handler, redis_server, FAULT_WRITE_RATE="3/min", server_args=["--no-proxy-headers"])
    client = redis.Redis.from_url(redis_server.url)
    client.delete(*client.keys("*throttle_exact_*") or ["none"])
    statuses = [
        site.client.post("/notes/", json={"title": "t"}, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(8)
    ]
    assert statuses == [201] * 3 + [429] * 5
    assert len(client.keys("*throttle_exact_*")) == 1  # one client, one key

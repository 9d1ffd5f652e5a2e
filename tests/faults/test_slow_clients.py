"""Slow uploads hold no worker thread and do not block other requests (issue: fault 1).

Clients send their headers, then trickle the body. Under either handler the body is read
on the event loop before any thread is used, so the process's thread count does not grow
with them, and a health check answers while they are all still sending.
"""

import asyncio

import pytest

from tests.faults.conftest import HANDLERS

pytestmark = pytest.mark.server

SLOW_CLIENTS = 30
BODY = 1000


async def _open_slow_uploads(port, count):
    streams = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"POST /upload/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {BODY}\r\n\r\n".encode() + b"x" * 10
        )
        await writer.drain()
        streams.append((reader, writer))
    return streams


async def _finish(streams):
    answers = []
    for reader, writer in streams:
        writer.write(b"x" * (BODY - 10))
        await writer.drain()
    for reader, writer in streams:
        answers.append(await reader.readuntil(b"\r\n\r\n"))
        writer.close()
    return answers


@pytest.mark.parametrize("max_workers", ["", "8"])
@pytest.mark.parametrize("handler", HANDLERS)
def test_fault_1_slow_uploads_hold_no_thread_and_do_not_block_a_health_check(sites, handler, max_workers):
    site = sites(handler, FAULT_MAX_WORKERS=max_workers)
    assert site.client.get("/health/").status_code == 200
    before = site.threads()

    async def run():
        streams = await _open_slow_uploads(site.port, SLOW_CLIENTS)
        await asyncio.sleep(0.3)  # the server has every request's headers
        during = site.threads()
        health = await asyncio.to_thread(site.client.get, "/health/")
        return during, health, await _finish(streams)

    during, health, answers = asyncio.run(run())
    assert health.status_code == 200, site.output()
    assert during - before < SLOW_CLIENTS // 3, (before, during)
    assert all(answer.startswith(b"HTTP/1.1 200") for answer in answers)

"""A worker thread is lent again only in a clean state (issue: faults 4 and 5).

Under restflow's handler a thread serves request after request, so what one request leaves on
it (an open transaction) or still runs on it (a request its client abandoned) must not reach
the next. Django's handler, a thread per request, is the oracle: the same assertions hold.
"""

import asyncio
import sqlite3
import time

import pytest

from tests.faults.conftest import HANDLERS

pytestmark = pytest.mark.server


def _titles(site):
    with sqlite3.connect(site.env["FAULT_DB"]) as conn:
        return [title for (title,) in conn.execute("SELECT title FROM faultsite_note ORDER BY id")]


@pytest.mark.parametrize("handler", HANDLERS)
def test_fault_4_a_transaction_left_open_does_not_poison_the_thread(sites, handler):
    # One worker: under restflow's handler every request is lent the buggy request's thread.
    site = sites(handler, FAULT_MAX_WORKERS="1")
    before = _titles(site)
    assert site.client.get("/leave-atomic/").json() == {"left_open": True}
    answers = [site.client.post("/notes/", json={"title": f"kept {n}"}) for n in range(5)]
    assert [answer.status_code for answer in answers] == [201] * 5, site.output()
    assert site.client.get("/db/").status_code == 200
    assert _titles(site) == before + [f"kept {n}" for n in range(5)]  # committed; the buggy write rolled back
    if handler == "restflow":
        assert "left a transaction open on database 'default'" in site.output()


def _abandon(port, path):
    async def run():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        await writer.drain()
        await asyncio.sleep(0.5)  # the view is running
        writer.close()
        await writer.wait_closed()

    asyncio.run(run())


@pytest.mark.parametrize("handler", HANDLERS)
def test_fault_5_an_abandoned_requests_thread_is_not_lent_until_it_finishes(sites, handler):
    site = sites(handler)
    site.client.get("/db/")  # a worker exists and is idle
    _abandon(site.port, "/slow/?ms=3000")
    time.sleep(0.3)  # the server sees the disconnect
    answer = site.client.get("/db/").json()
    # The next request ran on another thread, not queued behind the abandoned one.
    assert answer["slow_thread"] is not None and answer["thread"] != answer["slow_thread"], answer

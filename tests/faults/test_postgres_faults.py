"""PostgreSQL stopped, frozen and restarted under a real server, under both handlers.

The PostgreSQL is the suite's own cluster (``postgres_server``: initdb in a temp dir, its own
port). While it is down, database endpoints fail and the rest keeps answering; once it is back,
no request fails and every write that was acknowledged is in the database. Connections are
closed after each request, or kept (``CONN_MAX_AGE=60``: restflow's worker threads hold them
across requests, so a restart leaves each thread a dead connection to replace).
"""

import threading
import time

import httpx
import psycopg
import pytest

from tests.faults.conftest import HANDLERS

pytestmark = [pytest.mark.server, pytest.mark.postgres]


def _write_and_check(site, rounds, tag):
    """(failed writes, failed health checks, ids acknowledged)."""
    failed, unhealthy, acknowledged = 0, 0, []
    for n in range(rounds):
        try:
            answer = site.client.post("/notes/", json={"title": f"{tag}-{n}"}, timeout=15)
            if answer.status_code == 201:
                acknowledged.append(answer.json()["id"])
            else:
                failed += 1
        except httpx.TransportError:
            failed += 1
        unhealthy += site.client.get("/health/").status_code != 200
    return failed, unhealthy, acknowledged


def _recovered(site, timeout=30):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if site.client.get("/db/").status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    return None


def _stored(postgres_server, ids):
    with psycopg.connect(postgres_server.dsn()) as conn:
        rows = conn.execute("SELECT id FROM faultsite_note WHERE id = ANY(%s)", (ids,)).fetchall()
    return {row[0] for row in rows}


# Persistent connections matter under restflow's handler only: Django's closes each request's thread.
SETUPS = [("django", "0"), ("restflow", "0"), ("restflow", "60")]


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
@pytest.mark.parametrize(("handler", "conn_max_age"), SETUPS)
def test_postgres_stopped_or_frozen_loses_no_acknowledged_write_and_recovers(
    sites, postgres_server, handler, fault, conn_max_age, figures
):
    site = sites(handler, FAULT_PG=f"127.0.0.1:{postgres_server.port}", FAULT_CONN_MAX_AGE=conn_max_age)
    _, _, acknowledged = _write_and_check(site, 3, "before")
    if fault == "stopped":
        postgres_server.stop()
        during = _write_and_check(site, 5, "during")
        postgres_server.start()
    else:
        postgres_server.freeze()
        thaw = threading.Timer(2.0, postgres_server.thaw)  # writes in flight wait for it
        thaw.start()
        during = _write_and_check(site, 5, "during")
        thaw.join()
    recovery = _recovered(site)
    after = _write_and_check(site, 10, "after")
    acknowledged += during[2] + after[2]
    lost = set(acknowledged) - _stored(postgres_server, acknowledged)
    figures(handler=handler, fault=f"postgres {fault}", conn_max_age=conn_max_age, errors_during=during[0],
            health_errors_during=during[1], errors_after=after[0], recovery_s=recovery and round(recovery, 3),
            rows_lost=len(lost))
    assert during[1] == 0  # a no-database endpoint keeps answering
    assert recovery is not None and after[0] == 0, site.output()
    assert not lost

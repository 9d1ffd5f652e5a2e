"""Streaming over real servers: tests/support/streaming_site.py served by uvicorn (ASGI) and by Django's
threaded WSGI server, read incrementally with httpx.

Checked: rows reach the client before the server has fetched the last one (the client pauses and
the server, held back by the socket, stops fetching); the server's resident memory stays flat
while it streams (and grows when a view buffers, so the measure can fail); a client that leaves
mid-stream stops the query, closes the stream and, on PostgreSQL, leaves no connection in
``pg_stat_activity``; an endless SSE feed parses as the WHATWG spec's EventSource parses it,
resumes from ``Last-Event-ID``, and carries keep-alive comments.

``RESTFLOW_STREAM_ROWS`` (default 20,000) and ``RESTFLOW_STREAM_ROW_BYTES`` (default 1,000) size
the data; the figures for 200,000 rows are in the project notes. No browser is driven: the SSE
stream is parsed per the spec by ``parse_sse`` (tests/responses/test_streaming_responses.py).
"""

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.responses.test_streaming_responses import parse_sse
from tests.support.services import Database

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]
ROWS = int(os.environ.get("RESTFLOW_STREAM_ROWS", "20000"))
ROW_BYTES = int(os.environ.get("RESTFLOW_STREAM_ROW_BYTES", "1000"))
START_TIMEOUT = 40


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed(db, count, row_bytes):
    """``count`` products with a ``row_bytes`` description each, inserted by the database itself."""
    columns = "name, sku, description, price, weight, rating, in_stock, is_archived, status, created, updated"
    if db.url:
        with db.psycopg.connect(db.server_url, autocommit=True) as connection:
            connection.execute(
                f"INSERT INTO testapp_product ({columns}) SELECT 'p' || i, 'sku-' || i, repeat('x', %s), i, 0, 0, "
                "true, false, 'active', now(), now() FROM generate_series(1, %s) AS i",
                (row_bytes, count),
            )
        return
    with contextlib.closing(sqlite3.connect(db.sqlite_path)) as connection:
        connection.execute(
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            f"INSERT INTO testapp_product ({columns}) SELECT 'p' || i, 'sku-' || i, "
            "substr(replace(hex(zeroblob(?)), '00', 'x'), 1, ?), i, 0, 0, 1, 0, 'active', "
            "datetime('now'), datetime('now') FROM n",
            (count, row_bytes, row_bytes),
        )
        connection.commit()


class StreamServer:
    """tests.support.streaming_site under ``kind`` ("asgi": uvicorn, "wsgi": Django's threaded server)."""

    def __init__(self, db, kind, log_path):
        self.db, self.kind, self.log_path = db, kind, log_path
        self.env = {
            **os.environ,
            **({"DATABASE_URL": db.server_url} if db.url else {"STREAM_SQLITE_PATH": str(db.sqlite_path)}),
            "DJANGO_SETTINGS_MODULE": "tests.support.streaming_site",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
        self.process = None

    def command(self, port):
        if self.kind == "asgi":
            return [sys.executable, "-m", "uvicorn", "--factory", "django.core.asgi:get_asgi_application",
                    "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        return [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"]

    def start(self):
        for _ in range(3):
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(self.command(self.port), cwd=ROOT, env=self.env,
                                                stdout=log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    httpx.get(f"{self.url}/progress/", timeout=2)
                    return self
                except httpx.TransportError:
                    time.sleep(0.1)
            self.stop()
        raise AssertionError(f"the {self.kind} server did not start:\n{self.log()}")

    def progress(self):
        return httpx.get(f"{self.url}/progress/", timeout=20).json()

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.process = None


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("streaming")
    db = Database(tmp_path, "stream")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.support.streaming_site", "PYTHONPATH": str(ROOT),
           **({"DATABASE_URL": db.server_url} if db.url else {"STREAM_SQLITE_PATH": str(db.sqlite_path)})}
    result = subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    _seed(db, ROWS, ROW_BYTES)
    db.log_dir = tmp_path
    yield db
    db.drop()


@pytest.fixture(scope="module", params=["asgi", "wsgi"])
def server(request, database):
    running = StreamServer(database, request.param, database.log_dir / f"{request.param}.log").start()
    yield running
    running.stop()
    assert "Traceback" not in running.log(), running.log()[-4000:]


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def _settled(read, quiet=0.4, timeout=30.0):
    """``read()`` once it has stopped changing for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    value = read()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        latest = read()
        if latest == value:
            return value
        value = latest
    raise AssertionError(f"still changing after {timeout} s: {value}")


def _server_connections(db):
    """The streaming server's sessions on its PostgreSQL database (our own excluded)."""
    return db.rows(
        "SELECT state, query FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", db.name
    )


def test_rows_reach_the_client_before_the_last_is_fetched(server):
    fetched_before = server.progress()["fetched"]
    with httpx.Client(timeout=60) as client, client.stream("GET", f"{server.url}/rows/") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        lines = response.iter_lines()
        first = next(lines)
        assert first.startswith('{"id":')
        # The client stops reading: the server fills the socket's buffers, then waits.
        fetched = _settled(lambda: server.progress()["fetched"] - fetched_before)
        assert fetched < ROWS, f"all {ROWS} rows were fetched while the client read one"
        count, previous = 1, int(first[6:first.index(",")])
        for line in lines:
            if line:
                row_id = int(line[6:line.index(",")])
                assert row_id > previous
                previous, count = row_id, count + 1
    assert count == ROWS
    assert server.progress()["fetched"] - fetched_before == ROWS


def _stream_and_sample(server, query):
    """Read ``/rows/?query`` to the end, sampling the server's RSS; (rows, rss before, peak rss) in KiB."""
    before = server.progress()["rss_kib"]
    peak, count = before, 0
    with httpx.Client(timeout=120) as client, client.stream("GET", f"{server.url}/rows/?{query}") as response:
        for line in response.iter_lines():
            if line:
                count += 1
                if count % max(1, ROWS // 20) == 0:
                    peak = max(peak, server.progress()["rss_kib"])
    return count, before, max(peak, server.progress()["rss_kib"])


def test_server_memory_stays_flat(server):
    with httpx.Client(timeout=60) as client, client.stream("GET", f"{server.url}/rows/") as response:
        for _, _line in zip(range(ROWS // 5), response.iter_lines()):
            pass  # a first, partial read warms the process up (imports, caches)
    count, before, peak = _stream_and_sample(server, "chunk=500")
    streamed_growth = peak - before
    payload_kib = ROWS * ROW_BYTES // 1024
    print(f"\n{server.kind}: {count} rows (~{payload_kib} KiB of descriptions), RSS {before} KiB before, "
          f"peak {peak} KiB (+{streamed_growth} KiB) while streaming")
    assert count == ROWS
    assert streamed_growth < max(8 * 1024, payload_kib // 4), (before, peak)
    if server.kind == "asgi":
        count, before, peak = _stream_and_sample(server, "buffered")
        print(f"{server.kind} buffering view: RSS {before} KiB before, peak {peak} KiB (+{peak - before} KiB)")
        assert count == ROWS
        assert peak - before > 2 * streamed_growth and peak - before > payload_kib // 2, (before, peak)


def test_a_client_leaving_mid_stream_stops_the_query(server, database):
    start = server.progress()
    with httpx.Client(timeout=60) as client, client.stream("GET", f"{server.url}/rows/?chunk=100") as response:
        lines = response.iter_lines()
        for _ in range(50):
            next(lines)
        if database.url:
            assert _wait_for(lambda: _server_connections(database)), "the stream holds a connection while it runs"
    # The client has closed its connection: the server notices, closes the stream and its cursor.
    assert _wait_for(lambda: server.progress()["closed"] == start["closed"] + 1), server.progress()
    settled = server.progress()["fetched"]
    time.sleep(0.5)
    assert server.progress()["fetched"] == settled < start["fetched"] + ROWS  # the query stopped
    if database.url:
        assert _wait_for(lambda: _server_connections(database) == []), _server_connections(database)


def test_an_endless_event_stream_parses_resumes_and_stops(server):
    start = server.progress()
    with httpx.Client(timeout=30) as client:
        with client.stream("GET", f"{server.url}/events/", headers={"Accept": "text/event-stream"}) as response:
            assert response.headers["content-type"] == "text/event-stream"
            assert response.headers["cache-control"] == "no-cache"
            assert response.headers["x-accel-buffering"] == "no"
            data = b""
            for chunk in response.iter_raw():
                data += chunk
                if data.count(b"event: tick") >= 3 and data.endswith(b"\n\n"):
                    break
        events, last_id, retry, _ = parse_sse(data)
        assert events[0] == {"type": "message", "data": "connected", "id": ""}
        assert [event["data"] for event in events[1:4]] == ['{"n": 1}', '{"n": 2}', '{"n": 3}']
        assert retry == 2500 and int(last_id) >= 3
        assert _wait_for(lambda: server.progress()["closed"] == start["closed"] + 1), server.progress()

        # A reconnecting EventSource sends the last id it saw; quiet periods carry comments.
        headers = {"Last-Event-ID": last_id}
        with client.stream("GET", f"{server.url}/events/?every=0.4&keep_alive=0.1", headers=headers) as response:
            data = b""
            for chunk in response.iter_raw():
                data += chunk
                if b"event: tick" in data and data.endswith(b"\n\n") and b": keep-alive" in data:
                    break
        events, _, _, comments = parse_sse(data)
        assert events[1]["id"] == str(int(last_id) + 1)
        assert "keep-alive" in comments
    assert _wait_for(lambda: server.progress()["closed"] == start["closed"] + 2), server.progress()

"""restflow's ASGI handler against Django's, through a real server.

Each test runs twice: once with ``django.core.asgi.get_asgi_application()``
(the oracle) and once with ``restflow.asgi.get_asgi_application()``, serving
tests/support/asgiproject with uvicorn in a subprocess (gunicorn for the fork test).
The same assertions hold for both, except where restflow's handler differs on
purpose (a worker's connection outlives its request), which the tests say.
The database is a SQLite file, or a PostgreSQL database of this suite's own
when DATABASE_URL names a server; connections are counted from outside the
server (pg_stat_activity, or the server's open files on SQLite).
"""

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx
import pytest

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]
HANDLERS = ["django", "restflow"]
START_TIMEOUT = 30


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Database:
    """The server's database: a SQLite file, or a PostgreSQL database made for this suite."""

    def __init__(self, tmp_path):
        self.url = os.environ.get("DATABASE_URL")
        if self.url:
            import psycopg

            self.psycopg = psycopg
            suffix = re.sub(r"\W", "_", os.environ.get("RESTFLOW_TEST_DB_SUFFIX", "main"))
            self.name = f"restflow_asgi_{suffix}_{os.getpid()}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.env = {"ASGI_DATABASE_URL": urlunparse(urlparse(self.url)._replace(path=f"/{self.name}"))}
        else:
            self.path = tmp_path / "asgi.sqlite3"
            self.path.touch()
            self.env = {"ASGI_DB": str(self.path)}

    def _admin(self, statement, *params):
        with self.psycopg.connect(self.url, autocommit=True) as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def backends(self, server_name):
        """PostgreSQL's process ids serving one server's connections."""
        rows = self._admin(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            self.name,
            server_name,
        )
        return [pid for (pid,) in rows]

    def connections(self, server_name, pids):
        """One server's open connections: from pg_stat_activity, or its processes' open files."""
        if self.url:
            return len(self.backends(server_name))
        target = str(self.path.resolve())
        count = 0
        for pid in pids:
            fd_dir = Path(f"/proc/{pid}/fd")
            for fd in fd_dir.iterdir() if fd_dir.exists() else ():
                try:
                    count += os.readlink(fd) == target
                except OSError:
                    pass
        return count

    def terminate(self, backend_pid):
        self._admin("SELECT pg_terminate_backend(%s)", backend_pid)

    def drop(self):
        if self.url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Server:
    """The test project served on a free port by uvicorn (or gunicorn with uvicorn workers)."""

    def __init__(self, handler, database, tmp_path, *, gunicorn=False, **env):
        self.handler = handler
        self.database = database
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = f"asgi-{handler}-{self.port}"
        self.log_path = tmp_path / f"{self.name}.log"
        environ = {
            **os.environ,
            **database.env,
            "ASGI_HANDLER": handler,
            "ASGI_APPLICATION_NAME": self.name,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.support.asgiproject.settings",
            **env,
        }
        environ.pop("DATABASE_URL", None)
        app = "tests.support.asgiproject.asgi:application"
        bind = ["--bind", f"127.0.0.1:{self.port}"]
        if gunicorn:
            command = [sys.executable, "-m", "gunicorn", app, "--worker-class",
                       "uvicorn_worker.UvicornWorker", "--workers", "2", "--preload", *bind]
        else:
            command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
                       "--port", str(self.port), "--log-level", "info"]
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=self.log, stderr=subprocess.STDOUT)
        self.client = httpx.Client(base_url=self.url, timeout=10)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                self.client.get("/log/clear/")
                break
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"server did not start:\n{self.output()}")
                time.sleep(0.1)
        self.client.get("/sync/")  # import the URLconf and views before any test times a request
        self.clear()

    def clear(self):
        """Empty the log once every request so far has had its request_finished receivers.

        They run after the response is sent, so without the wait one could land in the next test's log.
        """
        def finished(events):
            started = sum(e["kind"] == "started-sync" for e in events)
            return all(sum(e["kind"] == kind for e in events) >= started for kind in ("finished-sync", "finished-async"))

        self.wait_for(finished)
        self.client.get("/log/clear/")

    def output(self):
        return self.log_path.read_text(errors="replace")

    def pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [self.process.pid, *map(int, children.read_text().split())] if children.exists() else []

    def get(self, path, **params):
        return self.client.get(path, params=params)

    def events(self, kind=None):
        events = self.client.get("/log/").json()["events"]
        return [e for e in events if kind is None or e["kind"] == kind]

    def wait_for(self, condition, timeout=15):
        """Poll the server's log until ``condition(events)`` holds; return the events."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.events()
            if condition(events) or time.monotonic() > deadline:
                return events
            time.sleep(0.05)

    def connections(self):
        return self.database.connections(self.name, self.pids())

    def stop(self):
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    db = Database(tmp_path_factory.mktemp("asgi-db"))
    yield db
    db.drop()


@pytest.fixture(scope="module")
def servers(database, tmp_path_factory):
    """Servers started on first use and shared by the module's tests, one per (handler, config)."""
    started = {}
    tmp_path = tmp_path_factory.mktemp("asgi-servers")

    def get(handler, **env):
        key = (handler, tuple(sorted(env.items())))
        if key not in started:
            started[key] = Server(handler, database, tmp_path, **env)
        server = started[key]
        server.clear()
        return server

    yield get
    for server in started.values():
        server.stop()


# Configurations: by default, sync and async middleware, Django's own signal receivers
# only, connections closed after each request; with the user's receivers connected;
# with connections kept (a one second CONN_MAX_AGE) and async middleware only.
RECEIVERS = {"ASGI_RECEIVERS": "1"}
PERSISTENT = {
    "ASGI_CONN_MAX_AGE": "1",
    "ASGI_HEALTH_CHECKS": "1",
    "ASGI_MAX_IDLE": "2",
    "ASGI_ASYNC_MIDDLEWARE_ONLY": "1",
}


def _many(server, path, rids, **params):
    """GET ``path`` once per rid, all at once; the responses in rid order."""

    async def one(client, rid):
        return await client.get(path, params={"rid": rid, **params})

    async def run():
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            return await asyncio.gather(*(one(client, rid) for rid in rids))

    return asyncio.run(run())


def _raw_request(port, path, *, close_after):
    """Send a GET over a raw socket, read ``close_after`` bytes (0: none), then hang up."""

    async def run():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        await writer.drain()
        if close_after:
            await reader.read(close_after)
        else:
            await asyncio.sleep(0.1)
        writer.close()

    asyncio.run(run())


# --- threads -------------------------------------------------------------------------


@pytest.mark.parametrize("handler", HANDLERS)
@pytest.mark.parametrize("path", ["/sync/", "/async/"])
def test_a_requests_sync_code_runs_in_one_thread_never_interleaved(servers, handler, path):
    server = servers(handler, **RECEIVERS)
    rids = [f"r{n}" for n in range(12)]
    for responses in (_many(server, path, rids[:6], ms=20), _many(server, path, rids[6:], ms=20)):
        assert [r.status_code for r in responses] == [200] * 6
    _assert_one_thread_per_request_never_interleaved(server.events(), rids)


SYNC_KINDS = {"mw-sync-in", "mw-sync-out", "step-in", "step-out", "started-sync", "view"}


def _assert_one_thread_per_request_never_interleaved(events, rids):
    threads = {}
    for event in events:
        if event["kind"] in SYNC_KINDS and event["rid"]:
            threads.setdefault(event["rid"], set()).add(event["thread"])
    assert set(threads) == set(rids)
    assert all(len(t) == 1 for t in threads.values()), threads
    # On each thread, one request's events form one block: no other request's in between.
    by_thread = {}
    for event in sorted(events, key=lambda e: e["t"]):
        if event["kind"] in SYNC_KINDS and event["rid"]:
            by_thread.setdefault(event["thread"], []).append(event["rid"])
    for sequence in by_thread.values():
        blocks = [rid for n, rid in enumerate(sequence) if n == 0 or sequence[n - 1] != rid]
        assert len(blocks) == len(set(blocks)), sequence


@pytest.mark.parametrize("handler", HANDLERS)
def test_long_blocking_requests_do_not_starve_others(servers, handler):
    server = servers(handler)
    started = time.monotonic()

    async def run():
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            slow = [asyncio.create_task(client.get("/sync/", params={"rid": f"s{n}", "ms": 400})) for n in range(8)]
            await asyncio.sleep(0.15)
            quick_started = time.monotonic()
            quick = await client.get("/sync/", params={"rid": "quick"})
            quick_took = time.monotonic() - quick_started
            return await asyncio.gather(*slow), quick, quick_took

    slow, quick, quick_took = asyncio.run(run())
    assert [r.status_code for r in slow] == [200] * 8 and quick.status_code == 200
    assert quick_took < 0.4, quick_took  # not queued behind the blocked threads
    assert time.monotonic() - started < 8 * 0.4 / 2  # the eight ran side by side
    assert len({r.json()["thread"] for r in slow}) == 8


@pytest.mark.parametrize("handler", HANDLERS)
def test_with_max_workers_requests_beyond_it_wait_for_a_worker(servers, handler):
    # Django's handler has no such cap (a thread per request): the same requests all succeed there too.
    server = servers(handler, ASGI_MAX_WORKERS="4")
    rids = [f"c{n}" for n in range(64)]
    responses = _many(server, "/sync/", rids, ms=30)
    assert [r.status_code for r in responses] == [200] * 64
    _assert_one_thread_per_request_never_interleaved(server.events(), rids)
    if handler == "restflow":
        assert max(r.json()["workers"] for r in responses) <= 4
        assert len({r.json()["thread"] for r in responses}) == 4  # all four lent, each many times


# --- signals -------------------------------------------------------------------------


@pytest.mark.parametrize("handler", HANDLERS)
def test_request_signals_reach_every_receiver_once_per_request_in_order(servers, handler):
    server = servers(handler, **RECEIVERS)
    rids = [f"r{n}" for n in range(8)]
    responses = _many(server, "/sync/", rids[:4]) + _many(server, "/async/", rids[4:])
    assert [r.status_code for r in responses] == [200] * 8
    events = server.wait_for(lambda ev: sum(e["kind"] == "finished-async" for e in ev) >= 8)
    counts = {}
    for event in events:
        counts[event["kind"]] = counts.get(event["kind"], 0) + 1
    for kind in ["started-sync", "started-async", "started-asgi-only", "finished-sync",
                 "finished-async", "finished-asgi-only"]:
        assert counts.get(kind) == 8, (kind, counts)
    assert "started-wsgi-only" not in counts and "finished-wsgi-only" not in counts
    for rid in rids:
        mine = [e for e in events if e["rid"] == rid]
        kinds = [e["kind"] for e in mine]
        # Sync receivers in the order they were connected, before the request's code.
        assert kinds.index("started-sync") < kinds.index("started-asgi-only") < kinds.index("mw-sync-in")
        assert kinds.count("started-async") == 1
        (thread,) = {e["thread"] for e in mine if e["kind"] in ("started-sync", "mw-sync-in")}
        # request_finished's sync receivers run on the request's thread, after its code,
        # before another request's code there.
        on_thread = [e for e in sorted(events, key=lambda e: e["t"]) if e["thread"] == thread]
        last = max(n for n, e in enumerate(on_thread) if e["rid"] == rid)
        following = [e["kind"] for e in on_thread[last + 1 :]]
        assert following[:2] == ["finished-sync", "finished-asgi-only"], following


# --- database connections ------------------------------------------------------------


def _sequential(server, path, count, gap=0.05, **params):
    bodies = []
    for n in range(count):
        response = server.get(path, rid=f"q{n}", **params)
        assert response.status_code == 200, response.text
        bodies.append(response.json())
        time.sleep(gap)
    return bodies


@pytest.mark.parametrize("handler", HANDLERS)
@pytest.mark.parametrize("path", ["/db/", "/db-async/"])
def test_conn_max_age_0_each_request_starts_without_a_connection_and_closes_it(servers, handler, path):
    server = servers(handler)
    bodies = _sequential(server, path, 4)
    assert [b["connected_at_start"] for b in bodies] == [False] * 4
    assert len({b["connection"] for b in bodies}) == 4
    deadline = time.monotonic() + 3
    while server.connections() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.connections() == 0


@pytest.mark.parametrize("handler", HANDLERS)
def test_an_upload_is_served_and_its_request_finished(servers, handler):
    server = servers(handler)  # CONN_MAX_AGE = 0: request_finished closes the connection
    for size in (10, 3_000_000):  # in memory, and spooled to a temporary file on disk
        response = server.client.post("/upload/", files={"file": ("f.bin", b"x" * size)})
        assert response.status_code == 200 and response.json()["size"] == size
    assert _settled(server, 0) == 0


@pytest.mark.parametrize("handler", HANDLERS)
def test_persistent_connections_are_reused_per_thread_and_expire(servers, handler):
    server = servers(handler, **PERSISTENT)
    first, second, third = _sequential(server, "/db/", 3)
    # request_started cleared the queries logged by the previous request on the connection.
    assert [b["queries_at_start"] for b in (first, second, third)] == [0, 0, 0]
    reused = [b["connection"] == first["connection"] for b in (second, third)]
    if handler == "restflow":
        # The difference on purpose: the worker thread, and its connection, serve the next request.
        assert reused == [True, True] and second["thread"] == first["thread"]
        assert second["connected_at_start"] and third["connected_at_start"]
    else:
        # Django's handler starts a thread per request: CONN_MAX_AGE buys nothing.
        assert reused == [False, False]
    time.sleep(1.2)  # past CONN_MAX_AGE: the next request starts on a new connection
    (later,) = _sequential(server, "/db/", 1)
    assert later["connection"] not in {first["connection"], second["connection"], third["connection"]}
    assert not later["connected_at_start"]


@pytest.mark.parametrize("handler", HANDLERS)
@pytest.mark.postgres  # a SQLite connection cannot be killed from outside
def test_health_checks_replace_a_dead_persistent_connection(servers, handler, database):
    server = servers(handler, **PERSISTENT)
    (first,) = _sequential(server, "/db/", 1)
    for pid in database.backends(server.name):
        database.terminate(pid)
    (second,) = _sequential(server, "/db/", 1)  # would be a 500 without the health check
    assert second["connection"] != first["connection"]


def _load(server, path, requests=60, in_flight=20, **params):
    """``requests`` requests, ``in_flight`` at a time; the most connections seen between rounds."""
    most = 0
    for start in range(0, requests, in_flight):
        rids = [f"l{n}" for n in range(start, start + in_flight)]
        responses = _many(server, path, rids, **params)
        assert [r.status_code for r in responses] == [200] * in_flight
        most = max(most, server.connections())
    return most


def _settled(server, at_most, timeout=3):
    deadline = time.monotonic() + timeout
    while server.connections() > at_most and time.monotonic() < deadline:
        time.sleep(0.05)
    return server.connections()


@pytest.mark.parametrize("handler", HANDLERS)
def test_nothing_leaks_under_load(servers, handler):
    server = servers(handler)  # CONN_MAX_AGE = 0
    assert _load(server, "/db/", ms=30) <= 20
    assert _settled(server, 0) == 0


@pytest.mark.parametrize("handler", HANDLERS)
def test_idle_workers_beyond_the_cap_retire_and_close_their_connections(servers, handler):
    server = servers(handler, **PERSISTENT)  # at most 2 idle workers under restflow's handler
    # In flight, plus (under Django's handler) connections of finished threads not yet let go.
    assert _load(server, "/db/", ms=30) <= 40
    if handler == "restflow":
        assert _settled(server, 2) <= 2
    # Django's handler leaves a finished thread's persistent connection to the garbage
    # collector (nothing closes it), which is why its docs advise CONN_MAX_AGE = 0 under ASGI.


def test_idle_workers_retire_after_the_idle_timeout_and_close_their_connections(servers):
    # restflow's handler only: Django's has no idle workers (nor does it close a finished
    # thread's persistent connection, see above).
    server = servers("restflow", **{**PERSISTENT, "ASGI_MAX_IDLE": "20", "ASGI_IDLE_TIMEOUT": "0.3"})
    assert _load(server, "/db/", requests=20, ms=30) > 2  # a burst: more workers than before
    assert _settled(server, 0, timeout=10) == 0
    assert server.get("/sync/", rid="after").json()["workers"] == 1  # the others have stopped


# --- the request cycle -----------------------------------------------------------------


@pytest.mark.parametrize("handler", HANDLERS)
def test_middleware_views_of_every_kind_and_error_pages(servers, handler):
    server = servers(handler)
    ok = server.get("/sync/", rid="m")
    assert ok.status_code == 200
    assert ok.headers["X-Sync-Middleware"] == "1" and ok.headers["X-Async-Middleware"] == "1"
    assert server.get("/drf/").json()["drf"] is True
    invalid = server.get("/drf/", invalid="1")
    assert invalid.status_code == 400 and invalid.json() == {"field": ["bad"]}
    assert server.get("/api/things/ping/").json() == {"restflow": True}
    missing = server.get("/nowhere/")
    assert (missing.status_code, missing.json()) == (404, {"error": "custom 404"})
    for path in ("/boom/", "/boom-async/"):
        failed = server.get(path)
        assert (failed.status_code, failed.json()) == (500, {"error": "custom 500"})
    teapot = server.get("/teapot/")
    assert (teapot.status_code, teapot.json()) == (418, {"handled": "by middleware"})
    assert "ValueError: boom" in server.output()


@pytest.mark.parametrize("handler", HANDLERS)
def test_streaming_responses_and_files(servers, handler):
    server = servers(handler, **RECEIVERS)
    for kind in ("sync", "async"):
        response = server.get(f"/stream/{kind}/", rid=kind, count=3)
        assert response.text == "chunk 0\nchunk 1\nchunk 2\n"
    response = server.get("/file/", rid="file")
    assert response.content == (ROOT / "tests" / "support" / "asgiproject" / "views.py").read_bytes()
    events = server.wait_for(lambda ev: sum(e["kind"] == "finished-sync" for e in ev) >= 3)
    closed = {(e["kind"], e["rid"]) for e in events}
    assert {("sync-stream-closed", "sync"), ("async-stream-closed", "async"), ("file-closed", "file")} <= closed
    assert sum(e["kind"] == "finished-sync" for e in events) == 3


@pytest.mark.parametrize("handler", HANDLERS)
def test_client_disconnects_before_and_during_the_response(servers, handler):
    server = servers(handler, **RECEIVERS)
    _raw_request(server.port, "/sleep/?rid=before&ms=2000", close_after=0)
    _raw_request(server.port, "/stream/async/?rid=during&count=50&ms=50", close_after=10)
    events = server.wait_for(
        lambda ev: {("cancelled", "before"), ("async-stream-closed", "during")} <= {(e["kind"], e["rid"]) for e in ev}
        and sum(e["kind"] == "finished-sync" for e in ev) >= 2
    )
    seen = {(e["kind"], e["rid"]) for e in events}
    assert ("cancelled", "before") in seen and ("slept", "before") not in seen
    assert ("async-stream-closed", "during") in seen
    assert sum(e["kind"] == "finished-sync" for e in events) == 2
    assert sum(e["kind"] == "started-sync" for e in events) == 2
    assert server.get("/sync/", rid="after").status_code == 200  # the server is fine


@pytest.mark.parametrize("handler", HANDLERS)
def test_tasks_that_outlive_their_request_still_reach_the_database_thread(servers, handler):
    # With a sync middleware in the stack the view runs under async_to_sync, and
    # under either handler such a task's later hop fails: asgiref's thread is gone.
    server = servers(handler, **PERSISTENT)
    assert server.get("/background/", rid="bg").json() == {"started": True}
    events = server.wait_for(lambda ev: any(e["kind"] == "background" for e in ev))
    assert [e["rid"] for e in events if e["kind"] == "background"] == ["bg"]


@pytest.mark.parametrize("handler", HANDLERS)
def test_lifespan_is_declined_as_django_declines_it(servers, handler):
    server = servers(handler)
    assert "ASGI 'lifespan' protocol appears unsupported." in server.output()


@pytest.mark.parametrize("handler", HANDLERS)
def test_gunicorn_preloaded_forking_workers(database, tmp_path, handler):
    server = Server(handler, database, tmp_path, gunicorn=True, ASGI_WARM_BEFORE_FORK="1", **PERSISTENT)
    try:
        bodies = [b for b in _many(server, "/db/", [f"g{n}" for n in range(16)], ms=20)]
        assert [b.status_code for b in bodies] == [200] * 16
        assert len(server.pids()) == 3  # the arbiter and two workers
    finally:
        server.stop()

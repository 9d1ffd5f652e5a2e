"""restflow's ASGI handler against Django's, under uvicorn, measured with wrk.

Both servers run side by side; the rounds alternate between them (and which
goes first), so each ratio comes from the same minutes of a shared machine.
Medians over the rounds are reported: requests per second, p99 latency and
errors as wrk saw them, and the server's CPU time per request (its processes'
user + system time over the requests served), which the rest of a busy
machine disturbs far less than requests per second; its ratio is the
throughput ratio of a server with a core of its own. Needs wrk on the PATH (Debian:
``apt-get install wrk``); without it the runner says so and exits.

    python -m benchmarks.asgi_handlers endpoints               # SQLite, CONN_MAX_AGE=None
    python -m benchmarks.asgi_handlers endpoints --database postgres --django-conn-max-age 0
    python -m benchmarks.asgi_handlers shop --workers 4        # the example shop on PostgreSQL
    python -m benchmarks.asgi_handlers inprocess               # CPU per request, no server, no wrk

``endpoints`` serves the benchmark project (benchmarks/bench_project, no
middleware) with one uvicorn process per handler; ``shop`` serves the example
shop (examples/shop) with ``--workers`` processes per handler; ``inprocess``
calls both handlers directly, one request at a time, and reports the CPU time
of the process per request (no server, no wrk: the steadiest figure on a busy
machine, and the handler's own cost without the HTTP server's).
PostgreSQL comes from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
the runner creates and drops a database of its own there.
"""

import argparse
import importlib.util
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "examples" / "shop"
HANDLERS = ("django", "restflow")
ENDPOINTS = {
    "restflow-ping": "/restflow/products/ping/",
    "plain-ping": "/plain/products/ping/",
    "restflow-list": "/restflow/products/?page_size=20",
    "plain-list": "/plain/products/?page_size=20",
}
SHOP_ENDPOINTS = {"shop-products": "/api/products/?page=1", "shop-ping": "/api/health/ping/"}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresDatabase:
    """A database of the runner's own on the PostgreSQL server DATABASE_URL names."""

    def __init__(self, name):
        import psycopg

        self.psycopg = psycopg
        self.admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
        suffix = re.sub(r"\W", "_", os.environ.get("RESTFLOW_TEST_DB_SUFFIX", "main"))
        self.name = f"{name}_{suffix}"
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}"')
        self.url = urlunparse(urlparse(self.admin_url)._replace(path=f"/{self.name}"))

    def _admin(self, statement):
        with self.psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(statement)

    def drop(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Server:
    def __init__(self, command, env, cwd, ready_path, http):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [*command, "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log",
                   "--log-level", "warning", "--lifespan", "off", "--http", http]
        self.process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env})
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + ready_path, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not start: {command}")
            time.sleep(0.2)

    def cpu_seconds(self):
        """CPU time (user + system) used so far by the server and its worker processes."""
        total, pending = 0, [self.process.pid]
        while pending:
            pid = pending.pop()
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
                pending += map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
            except (OSError, IndexError):
                pass
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wrk(server, path, seconds, connections, threads):
    """One wrk run: requests/s, p99 latency (ms), errors (socket errors and non-2xx/3xx),
    and the server's CPU time per request (µs), which the machine's other load barely moves."""
    cpu_before = server.cpu_seconds()
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
         server.url + path],
        capture_output=True, text=True, check=True,
    ).stdout
    cpu = server.cpu_seconds() - cpu_before
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return rate, p99_ms, errors, cpu / max(requests, 1) * 1e6


def compare(servers, endpoints, args):
    """Interleaved rounds over (endpoint, handler); the medians per pair."""
    results = {(e, h): [] for e in endpoints for h in servers}
    for number in range(args.rounds):
        order = HANDLERS if number % 2 == 0 else HANDLERS[::-1]
        for endpoint, path in endpoints.items():
            for handler in order:
                results[endpoint, handler].append(
                    wrk(servers[handler], path, args.duration, args.connections, args.threads)
                )
        print(f"round {number + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    print(f"\n{'endpoint':<16}{'handler':<10}{'req/s':>9}{'ratio':>8}{'p99 ms':>9}{'errors':>8}"
          f"{'CPU µs/req':>12}{'ratio':>8}")
    for endpoint in endpoints:
        base = statistics.median(r[0] for r in results[endpoint, "django"])
        base_cpu = statistics.median(r[3] for r in results[endpoint, "django"])
        for handler in HANDLERS:
            runs = results[endpoint, handler]
            rate = statistics.median(r[0] for r in runs)
            p99 = statistics.median(r[1] for r in runs)
            errors = sum(r[2] for r in runs)
            cpu = statistics.median(r[3] for r in runs)
            print(f"{endpoint:<16}{handler:<10}{rate:>9.0f}{rate / base:>7.2f}x{p99:>9.1f}{errors:>8}"
                  f"{cpu:>12.0f}{base_cpu / cpu:>7.2f}x")


def _run(command, env, cwd=ROOT):
    subprocess.run(command, cwd=cwd, env={**os.environ, **env}, check=True)


def endpoints_mode(args):
    endpoints = {name: ENDPOINTS[name] for name in args.endpoints.split(",")}
    env = {"DJANGO_SETTINGS_MODULE": "benchmarks.bench_project.server_settings",
           "BENCH_CONN_MAX_AGE": args.conn_max_age, "PYTHONPATH": str(ROOT)}
    database = tmp = None
    if args.database == "postgres":
        database = PostgresDatabase("restflow_bench_asgi")
        env["BENCH_DATABASE_URL"] = database.url
    else:
        tmp = tempfile.mkdtemp(prefix="restflow-bench-asgi-")
        env["BENCH_SQLITE"] = str(Path(tmp) / "bench.sqlite3")
    servers = {}
    try:
        _run([sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v", "0"], env)
        _run([sys.executable, "-c", "import django; django.setup(); "
              "from benchmarks.test_requests import ROWS, _seed; _seed(ROWS)"], env)
        max_age = {"django": args.django_conn_max_age or args.conn_max_age, "restflow": args.conn_max_age}
        for handler in HANDLERS:
            servers[handler] = Server(
                [sys.executable, "-m", "uvicorn", "benchmarks.bench_project.server_asgi:application"],
                {**env, "BENCH_HANDLER": handler, "BENCH_CONN_MAX_AGE": max_age[handler]}, ROOT,
                "/plain/products/ping/", args.http,
            )
        ages = ", ".join(f"{handler} {age}" for handler, age in max_age.items())
        print(f"benchmark project, {args.database}, CONN_MAX_AGE: {ages}, uvicorn 1 process (--http {args.http}), "
              f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {args.rounds} interleaved rounds")
        compare(servers, endpoints, args)
    finally:
        for server in servers.values():
            server.stop()
        if database:
            database.drop()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def shop_mode(args):
    database = PostgresDatabase("restflow_bench_shop")
    env = {"DATABASE_URL": database.url, "PYTHONPATH": str(ROOT)}
    servers = {}
    try:
        _run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env, SHOP)
        _run([sys.executable, "manage.py", "seed_demo"], env, SHOP)
        for handler in HANDLERS:
            servers[handler] = Server(
                [sys.executable, "-m", "uvicorn", "shop.asgi:application", "--workers", str(args.workers)],
                {**env, "SHOP_ASGI_HANDLER": handler}, SHOP, "/api/health/ping/", args.http,
            )
        print(f"example shop, PostgreSQL (shop settings: CONN_MAX_AGE=0), uvicorn --workers {args.workers} (--http {args.http}), "
              f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {args.rounds} interleaved rounds")
        compare(servers, SHOP_ENDPOINTS, args)
    finally:
        for server in servers.values():
            server.stop()
        database.drop()


def inprocess_mode(args):
    """CPU time per request with no server: each handler called directly, one request at a time."""
    import asyncio

    env = {"DJANGO_SETTINGS_MODULE": "benchmarks.bench_project.server_settings",
           "BENCH_CONN_MAX_AGE": args.conn_max_age}
    tmp = tempfile.mkdtemp(prefix="restflow-bench-asgi-")
    os.environ.update(env, BENCH_SQLITE=str(Path(tmp) / "bench.sqlite3"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.handlers.asgi import ASGIHandler
    from django.core.management import call_command

    from benchmarks.test_requests import ROWS, _seed
    from restflow.asgi import ASGIHandler as RestflowASGIHandler

    call_command("migrate", run_syncdb=True, verbosity=0)
    _seed(ROWS)
    endpoints = {name: ENDPOINTS[name] for name in args.endpoints.split(",")}
    handlers = {"django": ASGIHandler(), "restflow": RestflowASGIHandler()}

    async def request(handler, target):
        path, _, query = target.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
                 "root_path": "", "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1),
                 "server": ("127.0.0.1", 80)}
        incoming = [{"type": "http.request", "body": b"", "more_body": False}]
        done, statuses = asyncio.Event(), []

        async def receive():
            if incoming:
                return incoming.pop()
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await handler(scope, receive, send)
        done.set()
        assert statuses == [200], (target, statuses)

    async def cpu_per_request(handler, target, count=300):
        started = time.process_time()  # every thread of this process: Django's per-request ones too
        for _ in range(count):
            await request(handler, target)
        return (time.process_time() - started) / count * 1e6

    async def run():
        results = {(e, h): [] for e in endpoints for h in handlers}
        for target in endpoints.values():
            for handler in handlers.values():
                await cpu_per_request(handler, target, 30)  # warm up
        for number in range(args.rounds):
            order = HANDLERS if number % 2 == 0 else HANDLERS[::-1]
            for endpoint, target in endpoints.items():
                for name in order:
                    results[endpoint, name].append(await cpu_per_request(handlers[name], target))
        print(f"in-process, SQLite, CONN_MAX_AGE={args.conn_max_age}, 300 requests one at a time, "
              f"{args.rounds} interleaved rounds: CPU µs per request (median)")
        for endpoint in endpoints:
            base = statistics.median(results[endpoint, "django"])
            for name in HANDLERS:
                cpu = statistics.median(results[endpoint, name])
                print(f"{endpoint:<16}{name:<10}{cpu:>10.0f}{base / cpu:>7.2f}x")

    try:
        asyncio.run(run())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["endpoints", "shop", "inprocess"])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--conn-max-age", default="none", help='seconds, or "none" (no limit)')
    parser.add_argument(
        "--django-conn-max-age", default=None,
        help="CONN_MAX_AGE for Django's handler alone (default: --conn-max-age); 0 is what Django advises "
        "under ASGI, where each request's new thread would otherwise leave its connection open",
    )
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--workers", type=int, default=4, help="server processes (shop)")
    parser.add_argument("--http", default="auto", help="uvicorn's HTTP parser: auto, h11 or httptools")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    args = parser.parse_args(argv)
    if args.mode == "inprocess":
        return inprocess_mode(args)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk): nothing measured")
    if args.http == "httptools" and importlib.util.find_spec("httptools") is None:
        sys.exit("--http httptools needs httptools (pip install httptools): nothing measured")
    (shop_mode if args.mode == "shop" else endpoints_mode)(args)


if __name__ == "__main__":
    main()

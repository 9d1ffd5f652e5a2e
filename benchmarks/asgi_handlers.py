"""restflow's ASGI handler against Django's, under uvicorn, measured with wrk.

Both servers run side by side; the rounds alternate between them (and which
goes first), so each ratio comes from the same minutes of a shared machine.
Medians over the rounds are reported. Needs wrk on the PATH (Debian:
``apt-get install wrk``); without it the runner says so and exits.

    python -m benchmarks.asgi_handlers endpoints               # SQLite, CONN_MAX_AGE=None
    python -m benchmarks.asgi_handlers endpoints --database postgres --endpoints restflow-list,plain-list
    python -m benchmarks.asgi_handlers shop --workers 4        # the example shop on PostgreSQL

``endpoints`` serves the benchmark project (benchmarks/bench_project, no
middleware) with one uvicorn process per handler; ``shop`` serves the example
shop (examples/shop) with ``--workers`` processes per handler.
PostgreSQL comes from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
the runner creates and drops a database of its own there.
"""

import argparse
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
    def __init__(self, command, env, cwd, ready_path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [*command, "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log",
                   "--log-level", "warning", "--lifespan", "off"]
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

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wrk(url, seconds, connections, threads):
    """One wrk run: requests/s, p99 latency (ms), errors (socket errors and non-2xx/3xx)."""
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return rate, p99_ms, errors


def compare(servers, endpoints, args):
    """Interleaved rounds over (endpoint, handler); the medians per pair."""
    results = {(e, h): [] for e in endpoints for h in servers}
    for number in range(args.rounds):
        order = HANDLERS if number % 2 == 0 else HANDLERS[::-1]
        for endpoint, path in endpoints.items():
            for handler in order:
                results[endpoint, handler].append(
                    wrk(servers[handler].url + path, args.duration, args.connections, args.threads)
                )
        print(f"round {number + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    print(f"\n{'endpoint':<16}{'handler':<10}{'req/s':>10}{'p99 ms':>10}{'errors':>8}{'ratio':>8}")
    for endpoint in endpoints:
        base = statistics.median(r[0] for r in results[endpoint, "django"])
        for handler in HANDLERS:
            runs = results[endpoint, handler]
            rate = statistics.median(r[0] for r in runs)
            p99 = statistics.median(r[1] for r in runs)
            errors = sum(r[2] for r in runs)
            print(f"{endpoint:<16}{handler:<10}{rate:>10.0f}{p99:>10.2f}{errors:>8}{rate / base:>7.2f}x")


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
        for handler in HANDLERS:
            servers[handler] = Server(
                [sys.executable, "-m", "uvicorn", "benchmarks.bench_project.server_asgi:application"],
                {**env, "BENCH_HANDLER": handler}, ROOT, "/plain/products/ping/",
            )
        print(f"benchmark project, {args.database}, CONN_MAX_AGE={args.conn_max_age}, uvicorn 1 process, "
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
                {**env, "SHOP_ASGI_HANDLER": handler}, SHOP, "/api/health/ping/",
            )
        print(f"example shop, PostgreSQL (shop settings: CONN_MAX_AGE=0), uvicorn --workers {args.workers}, "
              f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {args.rounds} interleaved rounds")
        compare(servers, SHOP_ENDPOINTS, args)
    finally:
        for server in servers.values():
            server.stop()
        database.drop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["endpoints", "shop"])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--conn-max-age", default="none", help='seconds, or "none" (no limit)')
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--workers", type=int, default=4, help="server processes (shop)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk): nothing measured")
    (shop_mode if args.mode == "shop" else endpoints_mode)(args)


if __name__ == "__main__":
    main()

"""Processes the fault suite starts on its own ports in a temporary directory.

``Site`` serves tests/faults/site with uvicorn under Django's or restflow's handler; ``RedisServer``
and ``PostgresServer`` are a Redis and a PostgreSQL of the suite's own (never the machine's
services), which a test may stop, freeze (SIGSTOP), thaw and restart.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30
PG_BIN = Path("/usr/local/bin")


def _wait(ready, process, what, log):
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start:\n{Path(log).read_text(errors='replace')}")
        time.sleep(0.05)


def _answers(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
    except OSError:
        return False
    return True


class Site:
    """The fault site under one handler (``django`` or ``restflow``), on a free port."""

    def __init__(self, handler, tmp_path, *, server_args=(), **env):
        self.handler = handler
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"site-{handler}-{self.port}.log"
        self.env = {
            **os.environ,
            "FAULT_HANDLER": handler,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.faults.site.settings",
            **env,
        }
        self.env.pop("DATABASE_URL", None)
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v", "0"],
            cwd=ROOT, env=self.env, check=True, capture_output=True,
        )
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.faults.site.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", *server_args],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.client = httpx.Client(base_url=self.url, timeout=10)
        _wait(lambda: _answers(self.port), self.process, "the site", self.log_path)

    def output(self):
        return self.log_path.read_text(errors="replace")

    def threads(self):
        """The server process's OS threads now."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
        raise RuntimeError("no thread count")

    def stop(self):
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class _Service:
    """A server process the suite owns: stop, freeze, thaw and start again."""

    process = None
    _log = None

    def _open_log(self, path):
        if self._log is not None:
            self._log.close()
        self._log = open(path, "ab")
        return self._log

    def start(self):
        raise NotImplementedError

    def pids(self):
        """The server's process and its children (PostgreSQL's backends)."""
        pids = [self.process.pid]
        for pid in pids:
            children = Path(f"/proc/{pid}/task/{pid}/children")
            if children.exists():
                pids += [int(child) for child in children.read_text().split()]
        return pids

    def freeze(self):
        for pid in self.pids():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self):
        for pid in self.pids():
            os.kill(pid, signal.SIGCONT)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.thaw()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self):
        self.stop()
        self.start()


class RedisServer(_Service):
    """A redis-server of the suite's own (no persistence), on a free port."""

    available = shutil.which("redis-server") is not None

    def __init__(self, tmp_path):
        self.dir = tmp_path
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self):
        log = self.dir / "redis.log"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=self._open_log(log), stderr=subprocess.STDOUT,
        )
        _wait(lambda: _answers(self.port), self.process, "redis-server", log)


class PostgresServer(_Service):
    """A PostgreSQL cluster of the suite's own (initdb in the temp dir), on a free port.

    PostgreSQL refuses to run as root: as root, the cluster runs as the ``postgres`` user.
    """

    available = (PG_BIN / "initdb").exists() and (PG_BIN / "postgres").exists()

    def __init__(self, tmp_path):
        # Its own directory under the system's temp dir: pytest's are private to the user running it.
        self.root = Path(tempfile.mkdtemp(prefix="restflow-faults-pg-"))
        self.dir = self.root / "pgdata"
        self.log_path = tmp_path / "postgres.log"
        self.port = free_port()
        self._as = {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}
        if self._as:
            shutil.chown(self.root, "postgres")
        try:
            self._create()
        except BaseException:
            self.remove()
            raise

    def _create(self):
        subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True, capture_output=True, **self._as,
        )
        self.start()
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE faults")

    def start(self):
        log = self.log_path
        self.process = subprocess.Popen(
            [str(PG_BIN / "postgres"), "-D", str(self.dir), "-p", str(self.port), "-h", "127.0.0.1",
             "-k", str(self.dir), "-c", "fsync=off", "-c", "max_connections=60"],
            stdout=self._open_log(log), stderr=subprocess.STDOUT, **self._as,
        )
        _wait(self._accepts, self.process, "postgres", log)

    def _accepts(self):
        try:
            psycopg.connect(self.dsn("postgres"), connect_timeout=1).close()
        except psycopg.OperationalError:
            return False
        return True

    def dsn(self, database="faults"):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def remove(self):
        """Stop the cluster and delete its files."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

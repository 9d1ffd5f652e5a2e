"""Services the tests start or reach: free ports, the machine's Redis, a server's own database."""

import atexit
import contextlib
import os
import re
import socket
import sqlite3
from urllib.parse import urlparse, urlunparse


def redis_answers(host="127.0.0.1", port=6379):
    """Whether a Redis answers there (tests that need one skip when it does not)."""
    try:
        socket.create_connection((host, port), 1).close()
    except OSError:
        return False
    return True


_DB_LOCK = "restflow-tests:redis-db:{}"


def redis_db():
    """This test run's own Redis database (1-15), so runs side by side never see or flush each other's keys.

    The first run to claim a database holds a lock key for it in database 0 until it exits; child
    processes (servers, workers) inherit the choice through RESTFLOW_TEST_REDIS_DB.
    """
    if os.environ.get("RESTFLOW_TEST_REDIS_DB"):
        return int(os.environ["RESTFLOW_TEST_REDIS_DB"])
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=0, socket_connect_timeout=1)
    try:
        db = next((db for db in range(1, 16) if client.set(_DB_LOCK.format(db), os.getpid(), nx=True, ex=6 * 3600)), None)
    except redis.ConnectionError:
        return 15  # no Redis here: the tests that need one skip
    if db is None:
        raise RuntimeError(
            "Every Redis database 1-15 is claimed by another test run (keys restflow-tests:redis-db:* in "
            "database 0); wait for those runs to end or delete their keys."
        )
    atexit.register(client.delete, _DB_LOCK.format(db))
    os.environ["RESTFLOW_TEST_REDIS_DB"] = str(db)
    return db


def redis_url():
    """The URL of this run's own Redis database (see ``redis_db``)."""
    return f"redis://127.0.0.1:6379/{redis_db()}"


def free_port():
    """A TCP port on the loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Database:
    """The server's database, reached directly (not through the API) to check what was stored."""

    def __init__(self, tmp_path, name):
        self.url = os.environ.get("DATABASE_URL")
        self.sqlite_path = None if self.url else tmp_path / f"{name}.sqlite3"
        if self.url:
            import psycopg

            self.psycopg = psycopg
            suffix = re.sub(r"\W", "_", os.environ.get("RESTFLOW_TEST_DB_SUFFIX", "main"))
            self.name = f"restflow_e2e_{name}_{suffix}_{os.getpid()}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.server_url = urlunparse(urlparse(self.url)._replace(path=f"/{self.name}"))

    def _admin(self, statement):
        with self.psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(statement)

    def env(self):
        if self.url:
            return {"DATABASE_URL": self.server_url}
        return {"SHOP_SQLITE_PATH": str(self.sqlite_path)}

    def rows(self, sql, *params):
        """Rows of a query written with %s placeholders."""
        if self.url:
            with self.psycopg.connect(self.server_url) as connection:
                return connection.execute(sql, params).fetchall()
        with contextlib.closing(sqlite3.connect(self.sqlite_path, timeout=20)) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()

    def value(self, sql, *params):
        (row,) = self.rows(sql, *params)
        return row[0]

    def drop(self):
        if self.url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

"""Services the tests start or reach: free ports, the machine's Redis, a server's own database."""

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

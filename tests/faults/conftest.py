"""Fixtures of the fault suite: sites under both handlers, and a Redis and a PostgreSQL of its own."""

import json
import os

import pytest

from tests.faults.servers import PostgresServer, RedisServer, Site

HANDLERS = ["django", "restflow"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """``sites(handler, server_args=(), **env)``: a site started on first use, shared by the module's tests."""
    started = {}
    tmp_path = tmp_path_factory.mktemp("sites")

    def get(handler, *, server_args=(), **env):
        key = (handler, tuple(server_args), tuple(sorted(env.items())))
        if key not in started:
            if "FAULT_PG" not in env:
                env.setdefault("FAULT_DB", str(tmp_path / f"db-{len(started)}.sqlite3"))
            started[key] = Site(handler, tmp_path, server_args=server_args, **env)
        return started[key]

    yield get
    for site in started.values():
        site.stop()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    if not RedisServer.available:
        pytest.skip("redis-server is not installed: the Redis fault tests need it on PATH")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def postgres_server(tmp_path_factory):
    if not PostgresServer.available:
        pytest.skip("PostgreSQL's initdb/postgres are not in /usr/local/bin: the PostgreSQL fault tests need them")
    server = PostgresServer(tmp_path_factory.mktemp("postgres"))
    yield server
    server.remove()


@pytest.fixture
def figures(request):
    """``figures(**numbers)``: what a fault test measured, appended as a JSON line to ``$FAULT_FIGURES``
    when set (docs/deploying.md's figures come from there); nothing is asserted on them."""

    def record(**numbers):
        path = os.environ.get("FAULT_FIGURES")
        if path:
            with open(path, "a") as out:
                out.write(json.dumps({"test": request.node.name, **numbers}) + "\n")

    return record

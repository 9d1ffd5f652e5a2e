"""Shared fixtures (the async client, a clean cache per test, sync-thread connections closed at the end)
and the markers' skip rules: ``server``, ``redis``, ``postgres`` (see pyproject.toml)."""

import os

import pytest

from tests.support.services import redis_answers, redis_db


def pytest_configure(config):
    """Claim this run's own Redis database before any server or worker process starts (they inherit it)."""
    redis_db()


def pytest_collection_modifyitems(config, items):
    """Skip ``redis`` tests when no Redis answers and ``postgres`` tests unless DATABASE_URL names one.

    Tests that start their own server (the fault suite's ``redis_server``/``postgres_server``
    fixtures) need none of the machine's: those fixtures skip only when the binary is missing.
    """
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    no_redis = None
    for item in items:
        own = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("postgres") and not on_postgres and "postgres_server" not in own:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (make test-postgres does)"))
        if item.get_closest_marker("redis") and "redis_server" not in own:
            if no_redis is None:
                no_redis = not redis_answers()
            if no_redis:
                item.add_marker(pytest.mark.skip(reason="no Redis answers on 127.0.0.1:6379"))


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def client():
    """restflow's async API client."""
    from restflow.test import AsyncAPIClient

    return AsyncAPIClient()


@pytest.fixture(scope="session", autouse=True)
def _close_sync_thread_connections(django_db_setup):
    """Close the connection asgiref's shared sync thread opened, before the test database is dropped."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture
def fresh_memos():
    """Every per-class memo (``restflow._memo``) empty before and after the test."""
    from restflow._memo import clear_all

    clear_all()
    yield
    clear_all()

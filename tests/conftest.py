"""Shared fixtures: the async client, a clean cache per test, sync-thread connections closed at the end."""

import pytest


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

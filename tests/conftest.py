"""Shared fixtures: async API client, users, and rows."""

import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()

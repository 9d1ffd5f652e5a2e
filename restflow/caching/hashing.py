"""Digests for cache keys (``RESTFLOW_SETTINGS["CACHE_SETTINGS"]["KEY_HASH_ALGORITHM"]``)."""

import hashlib

from restflow.settings import RestflowSettings, restflow_settings


def cache_setting(name):
    """One key of ``RESTFLOW_SETTINGS["CACHE_SETTINGS"]`` (a nested section as a plain dict)."""
    value = getattr(restflow_settings.CACHE_SETTINGS, name)
    return value.to_dict() if isinstance(value, RestflowSettings) else value


def hash_string(value):
    """The hex digest of ``value`` with the configured algorithm (a hashlib name or a callable)."""
    algorithm = cache_setting("KEY_HASH_ALGORITHM")
    if callable(algorithm):
        return algorithm(value)
    return hashlib.new(algorithm, value.encode()).hexdigest()

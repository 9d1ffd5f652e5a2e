"""Digests for cache keys (``RESTFLOW_SETTINGS["CACHE_SETTINGS"]["KEY_HASH_ALGORITHM"]``)."""

import hashlib

from django.conf import settings

DEFAULTS = {
    "MAX_KEY_SUFFIX_LENGTH": 250,
    "HASH_SUFFIX_ON_OVERFLOW": False,
    "KEY_HASH_ALGORITHM": "sha256",
    "DEFAULT_DISPATCHER": "inline",
    "DISPATCHER_RAISE_EXCEPTION": False,
    "DISPATCHER_SETTINGS": {},
}


def cache_setting(name):
    """One key of ``RESTFLOW_SETTINGS["CACHE_SETTINGS"]``, or its documented default."""
    section = getattr(settings, "RESTFLOW_SETTINGS", {}).get("CACHE_SETTINGS", {})
    return section.get(name, DEFAULTS[name])


def hash_string(value):
    """The hex digest of ``value`` with the configured algorithm (a hashlib name or a callable)."""
    algorithm = cache_setting("KEY_HASH_ALGORITHM")
    if callable(algorithm):
        return algorithm(value)
    return hashlib.new(algorithm, value.encode()).hexdigest()

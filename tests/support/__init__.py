"""Shared apps, URLconfs, servers and harnesses of the test suite."""

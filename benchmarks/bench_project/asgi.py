"""The ASGI application for the benchmarks: the test settings without middleware, this URLconf."""

from django.core.handlers.asgi import ASGIHandler
from django.test.utils import override_settings

URLCONF = "benchmarks.bench_project.urls"

# No middleware: each contender pays Django's own ASGI handling and nothing else
# (MiddlewareMixin would add two thread hops per middleware to every request).
bench_settings = override_settings(MIDDLEWARE=[], ROOT_URLCONF=URLCONF, DEBUG=False)


def make_application():
    """Build the handler; call inside ``bench_settings`` (the middleware list is read here)."""
    return ASGIHandler()

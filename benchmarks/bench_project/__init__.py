"""A tiny project for restflow's request benchmarks.

Four contenders serve the same four endpoints over the test suite's Product
model, under one URLconf:

- ``/restflow/products/``: restflow's ``AsyncModelViewSet``;
- ``/drf/products/``: DRF's sync ``ModelViewSet`` (Django runs it in a thread hop);
- ``/plain/products/``: hand-written Django async views (async ORM + JsonResponse);
- ``/ninja/products/``: a django-ninja API of async operations, when django-ninja
  is installed (the ``bench`` extra); without it that contender is left out.

The settings are the test suite's (``tests.settings``) with no middleware and
this URLconf; ``asgi.application`` builds the ASGI handler under them.
"""

from importlib.metadata import PackageNotFoundError, distribution


def _installed(name):
    # By distribution, not by module: the ninja build tool's package is also imported as ``ninja``.
    try:
        distribution(name)
    except PackageNotFoundError:
        return False
    return True


NINJA_INSTALLED = _installed("django-ninja")
NINJA_MISSING = "django-ninja is not installed (pip install -e '.[bench]'): the ninja contender is skipped"

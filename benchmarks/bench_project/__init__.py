"""A tiny project for restflow's request benchmarks.

Three contenders serve the same four endpoints over the test suite's Product
model, under one URLconf:

- ``/restflow/products/``: restflow's ``AsyncModelViewSet``;
- ``/drf/products/``: DRF's sync ``ModelViewSet`` (Django runs it in a thread hop);
- ``/plain/products/``: hand-written Django async views (async ORM + JsonResponse).

The settings are the test suite's (``tests.settings``) with no middleware and
this URLconf; ``asgi.application`` builds the ASGI handler under them.
"""

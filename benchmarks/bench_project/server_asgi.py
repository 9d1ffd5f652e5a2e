"""The benchmark project's application under ``BENCH_HANDLER``: "django" or "restflow"."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.bench_project.server_settings")

_handler = os.environ.get("BENCH_HANDLER", "django")
if _handler == "restflow":
    from restflow.asgi import get_asgi_application
elif _handler == "django":
    from django.core.asgi import get_asgi_application
else:
    raise ValueError(f"BENCH_HANDLER must be 'django' or 'restflow', not {_handler!r}")

application = get_asgi_application()

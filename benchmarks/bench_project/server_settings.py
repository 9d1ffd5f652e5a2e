"""Settings for serving the benchmark project with a real server (benchmarks/asgi_handlers.py).

The test settings without middleware, on the database ``BENCH_DATABASE_URL``
(postgres://...) or the SQLite file ``BENCH_SQLITE``, with ``BENCH_CONN_MAX_AGE``
("none" keeps connections without a limit).
"""

import os
from urllib.parse import urlparse

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_project.urls"
MIDDLEWARE = []
DEBUG = False

_max_age = os.environ.get("BENCH_CONN_MAX_AGE", "0")
_max_age = None if _max_age == "none" else int(_max_age)
if url := os.environ.get("BENCH_DATABASE_URL"):
    _parts = urlparse(url)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _parts.path.lstrip("/"),
            "USER": _parts.username or "postgres",
            "PASSWORD": _parts.password or "",
            "HOST": _parts.hostname or "127.0.0.1",
            "PORT": _parts.port or 5432,
            "CONN_MAX_AGE": _max_age,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["BENCH_SQLITE"],
            "CONN_MAX_AGE": _max_age,
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
        }
    }

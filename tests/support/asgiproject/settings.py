"""Settings of the project the ASGI semantics suite serves with uvicorn (tests/asgi/test_handler_semantics.py).

Configured by the environment the test gives the server: ``ASGI_DB`` (a SQLite
file) or ``ASGI_DATABASE_URL`` (PostgreSQL), ``ASGI_CONN_MAX_AGE`` ("none" for
unlimited), ``ASGI_HEALTH_CHECKS``, ``ASGI_RECEIVERS`` (connect the user signal
receivers of ``apps.py``) and ``ASGI_ASYNC_MIDDLEWARE_ONLY``.
"""

import os
from urllib.parse import urlparse

SECRET_KEY = "restflow-asgi-tests"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "tests.support.asgiproject.urls"
USE_TZ = True
INSTALLED_APPS = ["rest_framework", "tests.support.asgiproject"]
MIDDLEWARE = [
    "tests.support.asgiproject.middleware.SyncMiddleware",
    "tests.support.asgiproject.middleware.AsyncMiddleware",
    "tests.support.asgiproject.middleware.ExceptionMiddleware",
]
if os.environ.get("ASGI_ASYNC_MIDDLEWARE_ONLY") == "1":
    MIDDLEWARE = ["tests.support.asgiproject.middleware.AsyncMiddleware"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}

_max_age = os.environ.get("ASGI_CONN_MAX_AGE", "0")
_common = {
    "CONN_MAX_AGE": None if _max_age == "none" else int(_max_age),
    "CONN_HEALTH_CHECKS": os.environ.get("ASGI_HEALTH_CHECKS") == "1",
}
if url := os.environ.get("ASGI_DATABASE_URL"):
    parts = urlparse(url)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parts.path.lstrip("/"),
            "USER": parts.username or "postgres",
            "PASSWORD": parts.password or "",
            "HOST": parts.hostname or "127.0.0.1",
            "PORT": parts.port or 5432,
            "OPTIONS": {"application_name": os.environ.get("ASGI_APPLICATION_NAME", "asgi-tests")},
            **_common,
        }
    }
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["ASGI_DB"], **_common}
    }

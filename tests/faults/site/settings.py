"""Settings of the site the fault suite serves (tests/faults/).

The environment the suite gives the server picks the database (``FAULT_DB``: a SQLite file,
or ``FAULT_PG``: host:port of the suite's own PostgreSQL), the cache (``FAULT_REDIS``: the
suite's own Redis URL, else local memory) and restflow's Redis policy (``FAULT_POLICY``, JSON).
"""

import json
import os

SECRET_KEY = "restflow-fault-tests"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "tests.faults.site.urls"
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "French"), ("de", "German")]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "tests.faults.site"]
MIDDLEWARE = ["django.middleware.locale.LocaleMiddleware"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "restflow": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_RATES": {"writes": os.environ.get("FAULT_WRITE_RATE", "100000/min")},
}
if "FAULT_NUM_PROXIES" in os.environ:
    REST_FRAMEWORK["NUM_PROXIES"] = int(os.environ["FAULT_NUM_PROXIES"])
RESTFLOW_SETTINGS = json.loads(os.environ.get("FAULT_POLICY", "{}"))

if redis_url := os.environ.get("FAULT_REDIS"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if pg := os.environ.get("FAULT_PG"):
    host, port = pg.split(":")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "faults",
            "USER": "postgres",
            "HOST": host,
            "PORT": int(port),
            "CONN_MAX_AGE": int(os.environ.get("FAULT_CONN_MAX_AGE", "0")),
            # With kept connections, as docs/deploying.md recommends: a connection a database
            # restart killed is replaced before use, instead of failing its thread's next request.
            "CONN_HEALTH_CHECKS": os.environ.get("FAULT_CONN_MAX_AGE", "0") != "0",
            "OPTIONS": {"connect_timeout": 2},
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("FAULT_DB", ":memory:")}}

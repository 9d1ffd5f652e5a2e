"""Django settings for restflow's test project: SQLite by default, DATABASE_URL for PostgreSQL."""

import os
from urllib.parse import urlparse

from tests.support.services import redis_url

SECRET_KEY = "restflow-tests"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "tests.support.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "restflow",
    "tests.support.testapp",
    "tests.support.compatapp",
    "django.contrib.postgres",
    "tests.support.docfilters",
    "tests.support.serializersapp",
    "tests.support.oracleapp",
    "restflow.authentication",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]


def _database():
    url = os.environ.get("DATABASE_URL")
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    parts = urlparse(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/") or "test",
        "USER": parts.username or "postgres",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": parts.port or 5432,
        "TEST": {"NAME": "restflow_test_" + os.environ.get("RESTFLOW_TEST_DB_SUFFIX", "main")},
    }


DATABASES = {"default": _database()}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-rq reads its queues once, at import: this run's own Redis database (tests/support/services.py).
RQ_QUEUES = {"default": {"URL": redis_url()}}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {"TITLE": "restflow tests", "VERSION": "1"}

# djangorestframework-simplejwt reads SIMPLE_JWT once (its modules keep the first settings object),
# so the adapter's tests configure it here: simplejwt's access and sliding tokens are both accepted.
SIMPLE_JWT = {
    "SIGNING_KEY": "restflow-tests-simplejwt-signing-key-0123456789abcdefghijklmnop",
    "AUTH_TOKEN_CLASSES": (
        "rest_framework_simplejwt.tokens.AccessToken",
        "rest_framework_simplejwt.tokens.SlidingToken",
    ),
}

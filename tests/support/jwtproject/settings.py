"""A project serving restflow's JWT views with uvicorn (tests/authentication/test_server_flow.py).

``DATABASE_URL`` (PostgreSQL) or ``SHOP_SQLITE_PATH`` (a SQLite file) names the database, as
tests.support.services.Database sets them; the blacklist is a Redis cache shared by every server
started with the same ``JWT_REDIS_PREFIX`` (Redis database 11, kept apart from other suites').
"""

import os
from urllib.parse import urlparse

from tests.support.services import redis_url

SECRET_KEY = "restflow-jwt-server-tests"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "tests.support.jwtproject.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "restflow.authentication",
]
MIDDLEWARE = []
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url(),
        "KEY_PREFIX": os.environ.get("JWT_REDIS_PREFIX", "restflow-jwt-tests"),
    }
}
RESTFLOW_SETTINGS = {"JWT": {"SIGNING_KEY": "restflow-jwt-server-tests-" + "k" * 64}}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["restflow.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

if url := os.environ.get("DATABASE_URL"):
    parts = urlparse(url)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parts.path.lstrip("/"),
            "USER": parts.username or "postgres",
            "PASSWORD": parts.password or "",
            "HOST": parts.hostname or "127.0.0.1",
            "PORT": parts.port or 5432,
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["SHOP_SQLITE_PATH"]}}

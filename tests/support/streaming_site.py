"""A small Django project (settings, views and URLs in one module) that tests/responses/test_streaming_over_servers.py
serves with uvicorn (ASGI) and with Django's threaded WSGI server.

Its stream counts, in this process, the rows fetched from the database (in the hop that fetched
them) and the streams opened and closed; ``/progress/`` answers those counts and the process's
resident memory, so the test can see how far the server got while the client reads.
"""

import asyncio
import os
from urllib.parse import urlparse

from django.http import JsonResponse
from django.urls import path

from restflow.responses import NDJSONResponse, SSEResponse, StreamingJSONListResponse, stream_queryset

SECRET_KEY = "restflow-streaming-tests"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = __name__
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "tests.support.testapp"]
MIDDLEWARE = []
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}


def _database():
    url = os.environ.get("DATABASE_URL")
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["STREAM_SQLITE_PATH"]}
    parts = urlparse(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "postgres",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": parts.port or 5432,
        "CONN_MAX_AGE": 0,
    }


DATABASES = {"default": _database()}

PROGRESS = {"fetched": 0, "opened": 0, "closed": 0}


def _rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class CountingSerializer:
    """A serializer for stream_queryset: counts the rows of each chunk as it is fetched."""

    def __init__(self, rows, many, context):
        PROGRESS["fetched"] += len(rows)
        self.data = [{"id": row.id, "name": row.name, "description": row.description} for row in rows]


def _products():
    from tests.support.testapp.models import Product

    return Product.objects.order_by("id").only("id", "name", "description")


async def _counted(rows):
    PROGRESS["opened"] += 1
    try:
        async for row in rows:
            yield row
    finally:
        await rows.aclose()
        PROGRESS["closed"] += 1


async def _buffered():
    """The anti-pattern, for comparison: every row fetched into a list before the first is sent."""
    rows = [row async for row in _products()]
    PROGRESS["fetched"] += len(rows)
    for row in rows:
        yield {"id": row.id, "name": row.name, "description": row.description}


def rows(request):
    chunk_size = int(request.GET.get("chunk", 500))
    if "buffered" in request.GET:
        source = _counted(_buffered())
    else:
        source = _counted(stream_queryset(_products(), CountingSerializer, chunk_size=chunk_size))
    if request.GET.get("as") == "json":
        return StreamingJSONListResponse(source)
    return NDJSONResponse(source)


async def events(request):
    """An endless feed: an event every ``every`` seconds, ids counting on from ``Last-Event-ID``."""
    every = float(request.GET.get("every", "0.05"))
    start = int(request.headers.get("Last-Event-ID", "0"))

    async def feed():
        yield {"retry": 2500, "data": "connected"}
        number = start
        while True:
            number += 1
            yield {"id": str(number), "event": "tick", "data": {"n": number}}
            await asyncio.sleep(every)

    keep_alive = float(request.GET["keep_alive"]) if "keep_alive" in request.GET else 15
    return SSEResponse(_counted(feed()), keep_alive=keep_alive)


def progress(request):
    return JsonResponse({**PROGRESS, "rss_kib": _rss_kib()})


urlpatterns = [
    path("rows/", rows),
    path("events/", events),
    path("progress/", progress),
]

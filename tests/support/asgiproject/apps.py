"""User signal receivers (sync, async, with sender filters), connected when ASGI_RECEIVERS=1."""

import os

from django.apps import AppConfig
from django.core import signals
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler

from .log import record, rid_of_scope


def started_sync(sender, scope, **kwargs):
    record("started-sync", rid_of_scope(scope))


async def started_async(sender, scope, **kwargs):
    record("started-async", rid_of_scope(scope))


def started_asgi_only(sender, scope, **kwargs):
    record("started-asgi-only", rid_of_scope(scope))


def started_wsgi_only(sender, **kwargs):
    record("started-wsgi-only")


def finished_sync(sender, **kwargs):
    record("finished-sync")


async def finished_async(sender, **kwargs):
    record("finished-async")


def finished_asgi_only(sender, **kwargs):
    record("finished-asgi-only")


def finished_wsgi_only(sender, **kwargs):
    record("finished-wsgi-only")


class AsgiProjectConfig(AppConfig):
    name = "tests.support.asgiproject"
    label = "asgiproject"

    def ready(self):
        if os.environ.get("ASGI_RECEIVERS") != "1":
            return
        signals.request_started.connect(started_sync)
        signals.request_started.connect(started_async)
        signals.request_started.connect(started_asgi_only, sender=ASGIHandler)
        signals.request_started.connect(started_wsgi_only, sender=WSGIHandler)
        signals.request_finished.connect(finished_sync)
        signals.request_finished.connect(finished_async)
        signals.request_finished.connect(finished_asgi_only, sender=ASGIHandler)
        signals.request_finished.connect(finished_wsgi_only, sender=WSGIHandler)

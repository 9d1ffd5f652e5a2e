"""Views of every kind the handler must serve: plain Django (sync and async), DRF, restflow."""

import asyncio
import itertools
import threading
import time
from pathlib import Path

from asgiref.sync import sync_to_async
from django.db import connection
from django.db.backends.signals import connection_created
from django.views.decorators.csrf import csrf_exempt
from django.http import FileResponse, JsonResponse, StreamingHttpResponse
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from restflow.views import AsyncViewSet

from .log import record, rid_of
from .middleware import Teapot

_serials = itertools.count(1)


def _number_connection(sender, connection, **kwargs):
    """Each new database connection gets a serial number, to tell connections apart."""
    connection.restflow_serial = next(_serials)


connection_created.connect(_number_connection)


def _step(rid, ms):
    record("step-in", rid)
    time.sleep(ms / 1000)
    record("step-out", rid)


def _live_workers():
    """How many of restflow's worker threads the process has now (0 under Django's handler)."""
    return sum(thread.name.startswith("restflow-asgi-worker-") for thread in threading.enumerate())


def sync_view(request):
    rid = rid_of(request)
    record("view", rid)
    _step(rid, int(request.GET.get("ms", "0")))
    return JsonResponse({"thread": threading.get_ident(), "workers": _live_workers()})


async def async_view(request):
    rid, ms = rid_of(request), int(request.GET.get("ms", "0"))
    record("view-async", rid)
    for _ in range(3):
        await sync_to_async(_step)(rid, ms)
    return JsonResponse({"ok": True})


def _database_work(ms):
    at_start = connection.connection is not None
    queries_at_start = len(connection.queries_log)
    connection.force_debug_cursor = True  # log queries, to see request_started clear them
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.execute("SELECT 2")
    time.sleep(ms / 1000)
    return {
        "thread": threading.get_ident(),
        "connected_at_start": at_start,
        "queries_at_start": queries_at_start,
        "connection": connection.restflow_serial,
    }


def db_view(request):
    record("view", rid_of(request))
    return JsonResponse(_database_work(int(request.GET.get("ms", "0"))))


@csrf_exempt
def upload_view(request):
    """An uploaded file (the request then has files to close) and some database work."""
    return JsonResponse({"size": len(request.FILES["file"].read()), **_database_work(0)})


async def db_async_view(request):
    return JsonResponse(await sync_to_async(_database_work)(int(request.GET.get("ms", "0"))))


async def sleep_view(request):
    rid = rid_of(request)
    try:
        await asyncio.sleep(int(request.GET.get("ms", "0")) / 1000)
    except asyncio.CancelledError:
        record("cancelled", rid)
        raise
    record("slept", rid)
    return JsonResponse({"slept": True})


def _chunks(rid, count, delay):
    try:
        for number in range(count):
            time.sleep(delay)
            yield f"chunk {number}\n".encode()
    finally:
        record("sync-stream-closed", rid)


async def _achunks(rid, count, delay):
    try:
        for number in range(count):
            await asyncio.sleep(delay)
            yield f"chunk {number}\n".encode()
    finally:
        record("async-stream-closed", rid)


def stream_sync(request):
    count, delay = int(request.GET.get("count", "3")), int(request.GET.get("ms", "0")) / 1000
    return StreamingHttpResponse(_chunks(rid_of(request), count, delay))


def stream_async(request):
    count, delay = int(request.GET.get("count", "3")), int(request.GET.get("ms", "0")) / 1000
    return StreamingHttpResponse(_achunks(rid_of(request), count, delay))


class _RecordedFile:
    """A file whose closing is recorded (FileResponse closes it when the request ends)."""

    def __init__(self, rid):
        self.rid = rid
        self.file = open(Path(__file__), "rb")
        self.name = self.file.name

    def read(self, *args):
        return self.file.read(*args)

    def close(self):
        record("file-closed", self.rid)
        self.file.close()


def file_view(request):
    return FileResponse(_RecordedFile(rid_of(request)), content_type="text/x-python")


def boom(request):
    raise ValueError("boom")


async def boom_async(request):
    raise ValueError("boom")


def teapot(request):
    raise Teapot()


_tasks = set()  # background tasks, referenced until they finish


async def background_view(request):
    rid = rid_of(request)

    async def later():
        await asyncio.sleep(0.2)
        await sync_to_async(record)("background", rid)

    _tasks.add(task := asyncio.create_task(later()))
    task.add_done_callback(_tasks.discard)
    return JsonResponse({"started": True})



class DRFView(APIView):
    def get(self, request):
        if "invalid" in request.query_params:
            raise ValidationError({"field": ["bad"]})
        return Response({"drf": True, "thread": threading.get_ident()})


class ThingViewSet(AsyncViewSet):
    @action(detail=False)
    async def ping(self, request):
        return Response({"restflow": True})


def handler404(request, exception):
    return JsonResponse({"error": "custom 404"}, status=404)


def handler500(request):
    return JsonResponse({"error": "custom 500"}, status=500)

"""Views the fault suite drives: no-database, database, cached, throttled, and deliberately faulty ones."""

import os
import threading
import time

from django.db import connection, transaction
from django.http import JsonResponse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from rest_framework.decorators import api_view
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.serializers import ModelSerializer

from restflow.caching import InvalidationRule, cache_response
from restflow.throttling import ExactScopedRateThrottle
from restflow.views import ActionConfig, AsyncAPIView, AsyncModelViewSet

from .models import Note

_slow = {"thread": None, "running": False}


def _threads():
    return threading.active_count()


async def health(request):
    """Touches neither the database nor a worker thread's code."""
    return JsonResponse({"ok": True, "threads": _threads()})


@csrf_exempt
def upload(request):
    """A sync view reading the whole body."""
    return JsonResponse({"size": len(request.body), "threads": _threads()})


def db(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"thread": threading.get_ident(), "slow_running": _slow["running"], "slow_thread": _slow["thread"]})


def leave_atomic(request):
    """A buggy view: enters a transaction, writes, and never leaves it."""
    transaction.atomic().__enter__()
    Note.objects.create(title="never committed")
    return JsonResponse({"left_open": connection.in_atomic_block})


def slow(request):
    """A sync view that outlives its client (abandoned requests)."""
    _slow.update(thread=threading.get_ident(), running=True)
    try:
        time.sleep(int(request.GET.get("ms", "1500")) / 1000)
    finally:
        _slow["running"] = False
    return JsonResponse({"slept": True})


class NoteSerializer(ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "title"]


class NoteViewSet(AsyncModelViewSet):
    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    permission_classes = [AllowAny]
    throttle_scope = "writes"
    action_configs = {
        "list": ActionConfig(cache=cache_response(ttl=600, set_cache_headers=True, invalidates_on=[
            InvalidationRule(model=Note, trigger_on_create=True)
        ])),
        "create": ActionConfig(
            throttle_classes=[ExactScopedRateThrottle] if os.environ.get("FAULT_REDIS") else []
        ),
    }
    pagination_class = None


class Echo(AsyncAPIView):
    """A restflow view reading the parsed body (oversized and many-field bodies)."""

    permission_classes = [AllowAny]

    async def post(self, request):
        return Response({"fields": len(request.data)})


class Greeting(AsyncAPIView):
    """A cached answer that depends on the active language and the host."""

    permission_classes = [AllowAny]

    @cache_response(ttl=600)
    async def get(self, request):
        words = {"en": "hello", "fr": "bonjour", "de": "hallo"}
        return Response({"greeting": words[get_language()[:2]], "self": request.build_absolute_uri()})


_board = []


@api_view(["GET", "POST"])
@cache_response(ttl=600, set_cache_headers=True)
def board(request):
    """A cached function view that also takes writes."""
    if request.method == "POST":
        _board.append(request.data.get("text"))
    return Response({"method": request.method, "posts": len(_board)})

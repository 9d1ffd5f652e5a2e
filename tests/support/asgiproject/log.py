"""What the server saw, kept in memory and read back over HTTP (``/log/``)."""

import threading
import time
from urllib.parse import parse_qs

_events = []
_lock = threading.Lock()


def record(kind, rid=None, **data):
    with _lock:
        _events.append(
            {"kind": kind, "rid": rid, "thread": threading.get_ident(), "t": time.monotonic(), **data}
        )


def events():
    with _lock:
        return list(_events)


def clear():
    with _lock:
        _events.clear()


def rid_of(request):
    return request.GET.get("rid")


def rid_of_scope(scope):
    values = parse_qs(scope.get("query_string", b"").decode()).get("rid")
    return values[0] if values else None

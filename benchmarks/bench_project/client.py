"""Calling an ASGI application in-process, and counting thread hops.

``request`` drives the application coroutine with a scope, ``receive`` and
``send`` written here: no server, no sockets, no client library, the same for
every contender. ``HopCounter`` counts ``asgiref.sync.SyncToAsync.__call__``,
through which every hop to the sync thread passes (Django's own signal and
close hops, the async ORM's queries, DRF's render).
"""

import asyncio
import contextlib
import json

from asgiref.sync import SyncToAsync

JSON = b"application/json"


class Reply:
    """What the application sent back."""

    __slots__ = ("status", "headers", "body")

    def __init__(self):
        self.status = None
        self.headers = []
        self.body = b""

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Reply {self.status} {self.body[:80]!r}>"


async def request(app, method, path, query="", body=None):
    """Send one HTTP request through ``app``; return its Reply."""
    content = b"" if body is None else json.dumps(body).encode()
    headers = [(b"host", b"testserver"), (b"accept", JSON)]
    if body is not None:
        headers += [(b"content-type", JSON), (b"content-length", str(len(content)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    delivered = False

    async def receive():
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": content, "more_body": False}
        await asyncio.get_running_loop().create_future()  # no disconnect: wait until cancelled

    reply = Reply()

    async def send(message):
        if message["type"] == "http.response.start":
            reply.status = message["status"]
            reply.headers = message.get("headers", [])
        elif message["type"] == "http.response.body":
            reply.body += message.get("body", b"")

    await app(scope, receive, send)
    return reply


class HopCounter(contextlib.AbstractContextManager):
    """Counts sync_to_async calls while active; ``names`` lists what each hop ran."""

    def __init__(self):
        self.names = []
        self._original = None

    @property
    def count(self):
        return len(self.names)

    def __enter__(self):
        original = self._original = SyncToAsync.__call__
        names = self.names

        async def counting_call(hop, *args, **kwargs):
            func = hop.func
            names.append(getattr(func, "__qualname__", None) or type(func).__name__)
            return await original(hop, *args, **kwargs)

        SyncToAsync.__call__ = counting_call
        return self

    def __exit__(self, *exc_info):
        SyncToAsync.__call__ = self._original
        return None

"""Streaming responses over async iterables: a JSON array, NDJSON lines, Server-Sent Events.

Each is a ``StreamingHttpResponse`` that writes an item as soon as the iterable yields it. Under
ASGI Django drives the stream on the event loop; when a client disconnects, Django cancels the
request and the iterable is closed at once (``aclose``), so a queryset being fetched stops and
releases its cursor. Under WSGI the response still streams, item by item, through one event loop
in a helper thread (see ``_SyncStream``).

``stream_queryset`` iterates a queryset in chunks (one thread hop per chunk, optionally
serializing the rows in that same hop) and closes its cursor when the stream ends early.
``NDJSONRenderer`` and ``EventStreamRenderer`` let a DRF view accept ``Accept:
application/x-ndjson`` and ``Accept: text/event-stream`` (content negotiation happens before the
view runs); an error answered to such a client comes as one NDJSON line or one ``error`` event.
"""

import asyncio
import contextlib
import json
import queue
import threading
from itertools import islice

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from rest_framework import response as drf_response
from rest_framework.renderers import BaseRenderer
from rest_framework.settings import api_settings

from restflow._compat import register_compat_paths
from restflow._sync import in_thread
from restflow.renderers import arender

__all__ = [
    "EventStreamRenderer",
    "Response",
    "NDJSONRenderer",
    "NDJSONResponse",
    "SSEResponse",
    "StreamingJSONListResponse",
    "stream_queryset",
]


async def stream_queryset(queryset, serializer_class=None, *, context=None, chunk_size=500):
    """Yield the rows of ``queryset``, fetched ``chunk_size`` at a time (one thread hop per chunk).

    With ``serializer_class``, each row's ``serializer_class(row, context=context).data`` is yielded
    instead, computed in the chunk's hop, so serializer fields that query the database work.
    On PostgreSQL the rows come from a server-side cursor; closing the stream early (a client
    that went away) closes the cursor in the same thread that opened it.
    """
    rows = None
    finished = False

    def next_chunk():
        nonlocal rows
        if rows is None:
            rows = queryset.iterator(chunk_size=chunk_size)
        chunk = list(islice(rows, chunk_size))
        if serializer_class is not None and chunk:
            chunk = serializer_class(chunk, many=True, context=context or {}).data
        return chunk

    try:
        while not finished:
            chunk = await in_thread(next_chunk)
            finished = len(chunk) < chunk_size
            for item in chunk:
                yield item
    finally:
        if rows is not None and not finished:
            await in_thread(rows.close)


def _async_source(iterable):
    """The async iterator a response reads: a queryset is fetched in chunks, not all at once."""
    if isinstance(iterable, QuerySet):
        return aiter(stream_queryset(iterable))
    if hasattr(iterable, "__aiter__"):
        return aiter(iterable)
    raise TypeError(
        f"a streaming response needs an async iterable (an async generator, or a QuerySet), "
        f"not {type(iterable).__name__}. QuerySet.iterator() is synchronous: pass the queryset, "
        "stream_queryset(queryset), or iterate queryset.aiterator(chunk_size=...) in an async generator."
    )


async def _aclose(iterator):
    aclose = getattr(iterator, "aclose", None)
    if aclose is not None:
        await aclose()


async def _aclose_all(*iterators):
    """Close each iterator in turn (the outer first), even when closing one fails."""
    if iterators:
        try:
            await _aclose(iterators[0])
        finally:
            await _aclose_all(*iterators[1:])


async def _closing(iterators, make_bytes):
    """Iterate ``iterators[0]`` as bytes; close all of them however the iteration ends."""
    try:
        async for part in iterators[0]:
            yield make_bytes(part)
    finally:
        await _aclose_all(*iterators)


class _SyncStream:
    """An async iterator consumed from sync code (a WSGI server), one item at a time.

    The iteration runs on an event loop in a helper thread, inside its own thread-sensitive
    context: database work in the stream happens on one thread of its own, whose connections
    are closed when the stream ends. The sync side asks for each item in turn, so a slow client
    holds the stream back and an endless stream (SSE) works.
    """

    _DONE = object()

    def __init__(self, iterators, make_bytes):
        self._iterator, self._closed_after = iterators[0], iterators
        self._make_bytes = make_bytes
        self._wanted = asyncio.Queue()
        self._results = queue.SimpleQueue()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="restflow-stream", daemon=True)

    async def _pump(self):
        async with ThreadSensitiveContext():
            try:
                while await self._wanted.get():
                    try:
                        item = await anext(self._iterator)
                    except StopAsyncIteration:
                        self._results.put((self._DONE, None))
                        return
                    except BaseException as exc:
                        self._results.put((self._DONE, exc))
                        return
                    self._results.put((item, None))
            finally:
                try:
                    await _aclose_all(*self._closed_after)
                finally:
                    await sync_to_async(connections.close_all)()

    def __iter__(self):
        self._thread.start()
        pump = asyncio.run_coroutine_threadsafe(self._pump(), self._loop)
        pump.add_done_callback(lambda done: done.exception() and self._results.put((self._DONE, done.exception())))
        try:
            while True:
                self._loop.call_soon_threadsafe(self._wanted.put_nowait, True)
                item, error = self._results.get()
                if error is not None:
                    raise error
                if item is self._DONE:
                    return
                yield self._make_bytes(item)
        finally:
            self._loop.call_soon_threadsafe(self._wanted.put_nowait, False)
            try:
                pump.result()
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join()
                self._loop.close()


class _AsyncStreamingResponse(StreamingHttpResponse):
    """A StreamingHttpResponse over an async iterable that closes the iterable however it ends."""

    default_content_type: str | None = None

    def __init__(self, async_iterable, **kwargs):
        kwargs.setdefault("content_type", self.default_content_type)
        self._source = _async_source(async_iterable)
        self._own_stream = self._chunks()
        super().__init__(self._own_stream, **kwargs)

    async def _chunks(self):
        """The response's ``_stream()`` as UTF-8 bytes; it and the source are closed however it ends."""
        stream = self._stream()
        try:
            async for chunk in stream:
                yield chunk.encode()
        finally:
            try:
                await stream.aclose()
            finally:
                await _aclose(self._source)

    def _iterators(self):
        """What the server iterates, then the response's own stream when a middleware wrapped it."""
        if self._iterator is self._own_stream:
            return (self._own_stream,)
        return (self._iterator, self._own_stream)

    def __aiter__(self):
        if self._iterator is self._own_stream:
            return self._own_stream
        return _closing(self._iterators(), self.make_bytes)

    def __iter__(self):
        if not self.is_async:
            return super().__iter__()
        chunks = iter(_SyncStream(self._iterators(), self.make_bytes))
        self._resource_closers.append(chunks.close)
        return chunks


class _JSONStreamingResponse(_AsyncStreamingResponse):
    def __init__(self, async_iterable, *, encoder=None, **kwargs):
        self.encoder_class = encoder or DjangoJSONEncoder
        super().__init__(async_iterable, **kwargs)

    def get_encoder(self):
        """One encoder for the whole response: compact, and DRF's UNICODE_JSON/STRICT_JSON choices."""
        return self.encoder_class(
            separators=(",", ":"),
            ensure_ascii=not api_settings.UNICODE_JSON,
            allow_nan=not api_settings.STRICT_JSON,
        )


class StreamingJSONListResponse(_JSONStreamingResponse):
    """A JSON array written one element at a time: ``[`` at once, each item as it comes, then ``]``.

    Should the iterable (or encoding an item) fail, the array is still closed and the error is
    raised after it, so the server logs it and the transfer ends without its final chunk.
    """

    default_content_type = "application/json"

    async def _stream(self):
        encode = self.get_encoder().encode
        yield "["
        separator = ""
        try:
            async for item in self._source:
                yield separator + encode(item)
                separator = ","
        except Exception:
            yield "]"
            raise
        yield "]"


class NDJSONResponse(_JSONStreamingResponse):
    """Newline-delimited JSON: one compact JSON value per line, each line ended by ``\\n``."""

    default_content_type = "application/x-ndjson"

    async def _stream(self):
        encode = self.get_encoder().encode
        async for item in self._source:
            yield encode(item) + "\n"


_SSE_FIELDS = ("id", "event", "retry", "data")
_END = object()


async def _next(iterator):
    return await anext(iterator, _END)


def _sse_field(name, value):
    text = str(value)
    if "\r" in text or "\n" in text or (name == "id" and "\0" in text):
        raise ValueError(f"SSE field {name!r} must not contain CR or LF{' or NUL' if name == 'id' else ''}: {text!r}")
    if name == "retry" and (isinstance(value, bool) or not text.isdecimal() or not text.isascii()):
        raise ValueError(f"SSE field 'retry' must be a whole number of milliseconds, not {value!r}")
    return f"{name}: {text}\n"


def format_sse(event):
    """One SSE frame (ending in a blank line) for a string or a dict of id/event/retry/data."""
    if isinstance(event, str):
        event = {"data": event}
    elif not isinstance(event, dict):
        raise TypeError(f"an SSE event is a str or a dict, not {type(event).__name__}")
    unknown = set(event) - set(_SSE_FIELDS)
    if unknown:
        raise ValueError(f"unknown SSE field(s) {sorted(unknown)}; an event may have {', '.join(_SSE_FIELDS)}")
    frame = [_sse_field(name, event[name]) for name in _SSE_FIELDS[:3] if name in event]
    if "data" in event:
        data = event["data"]
        if not isinstance(data, str):
            data = json.dumps(data, cls=DjangoJSONEncoder)
        frame += [f"data: {line}\n" for line in data.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "".join(frame) + "\n"


class SSEResponse(_AsyncStreamingResponse):
    """Server-Sent Events: each item (a string, or a dict of id/event/retry/data) becomes one frame.

    While the iterable has nothing to send for ``keep_alive`` seconds (default 15), a comment
    line (``: keep-alive``) is written so that proxies and load balancers keep the connection
    open; ``keep_alive=None`` turns that off. ``Cache-Control: no-cache`` and
    ``X-Accel-Buffering: no`` are set unless given.
    """

    default_content_type = "text/event-stream"
    keep_alive_comment = ": keep-alive\n\n"

    def __init__(self, async_iterable, *, keep_alive=15, **kwargs):
        if keep_alive is not None and not keep_alive > 0:
            raise ValueError(f"keep_alive must be a positive number of seconds or None, not {keep_alive!r}")
        self.keep_alive = keep_alive
        super().__init__(async_iterable, **kwargs)
        self.headers.setdefault("Cache-Control", "no-cache")
        self.headers.setdefault("X-Accel-Buffering", "no")

    async def _stream(self):
        if self.keep_alive is None:
            async for event in self._source:
                yield format_sse(event)
            return
        pending = None
        try:
            while True:
                if pending is None:
                    pending = asyncio.ensure_future(_next(self._source))
                done, _ = await asyncio.wait({pending}, timeout=self.keep_alive)
                if not done:
                    yield self.keep_alive_comment
                    continue
                event, pending = pending.result(), None
                if event is _END:
                    return
                yield format_sse(event)
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await pending


class NDJSONRenderer(BaseRenderer):
    """Negotiates ``application/x-ndjson`` for a view that streams NDJSONResponse.

    Data DRF renders itself (an error, say) becomes one NDJSON line.
    """

    media_type = "application/x-ndjson"
    format = "ndjson"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


class EventStreamRenderer(BaseRenderer):
    """Negotiates ``text/event-stream`` for a view that streams SSEResponse.

    Data DRF renders itself (an error, say) becomes one event of type ``error``.
    """

    media_type = "text/event-stream"
    format = "sse"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return format_sse({"event": "error", "data": data}).encode()


class Response(drf_response.Response):
    """DRF's Response with ``await response.arender()``: JSON renders on the loop, other renderers in one hop.

    Everything else is DRF's: views return it as they return ``rest_framework.response.Response``.
    """

    async def arender(self):
        return await arender(self)


register_compat_paths(__name__)

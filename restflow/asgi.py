"""restflow's ASGI application: Django's ASGI handler without the per-request thread.

``get_asgi_application()`` is a drop-in for ``django.core.asgi.get_asgi_application()``
that serves every view of the project (restflow's, DRF's, plain Django's). It
differs in one place: where Django's handler starts a new thread for each
request's thread-sensitive work (sync middleware and views, the ORM behind the
async ORM calls, sync signal receivers) and stops it afterwards, this handler
lends the request a long-lived worker thread from a pool. A request's
thread-sensitive code still runs in one thread, and never concurrently with
another request's. Django's own ``request_started``/``request_finished``
receivers, which only act on the thread's database connections or on the
request's context, run on the worker ahead of the request's first call there,
or on the event loop, instead of in separate hops.

Opt in from your project's ``asgi.py``; docs/deploying.md says when to (and
who should not: per-thread state now lives on from one request to the next).
"""

import asyncio
import logging
import math
import numbers
import os

import django
from asgiref.sync import AsyncToSync, SyncToAsync, ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.cache import caches, close_caches
from django.core.cache.backends.base import BaseCache
from django.core.exceptions import ImproperlyConfigured, RequestAborted
from django.core.handlers import asgi as django_asgi
from django.core.handlers.base import reset_urlconf
from django.db import close_old_connections, reset_queries
from django.http import HttpRequest, HttpResponseBase
from django.urls import set_script_prefix

from restflow._workers import WorkerPool

__all__ = ["ASGIHandler", "get_asgi_application"]

logger = logging.getLogger("restflow.asgi")

# Signals go out with Django's handler class as their sender, so receivers
# connected with ``sender=django.core.handlers.asgi.ASGIHandler`` keep firing.
SENDER = django_asgi.ASGIHandler

# Seconds an idle worker is kept before it retires, closing its database connections.
DEFAULT_IDLE_TIMEOUT = 60.0

# Django's own receivers that act only on the current thread's database connections.
_THREAD_CONFINED = (reset_queries, close_old_connections)
# Django's own receivers that act only on the request's context (its URLconf, its caches).
_CONTEXT_CONFINED = (reset_urlconf, close_caches)


class ASGIHandler(django_asgi.ASGIHandler):
    """Django's ASGI handler, lending each request a pooled worker thread.

    The options size the pool; ``get_asgi_application()`` says what each means.
    """

    def __init__(self, *, max_idle_workers=None, max_workers=None, idle_timeout=DEFAULT_IDLE_TIMEOUT):
        super().__init__()
        self.workers = WorkerPool(**_pool_options(max_idle_workers, max_workers, idle_timeout))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)  # refused as Django refuses it
        # The whole body arrives (spooled to disk past FILE_UPLOAD_MAX_MEMORY_SIZE, as
        # Django's handler does) before a worker is lent: a slow upload holds no thread.
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            if _inside_thread_sensitive_code():
                # Under an enclosing thread-sensitive context its thread is the request's.
                await self._handle(scope, body_file, receive, send, None)
            else:
                await self._handle_on_worker(scope, body_file, receive, send)
        finally:
            body_file.close()

    async def _handle_on_worker(self, scope, body_file, receive, send):
        worker = await self.workers.lend()
        try:
            context = ThreadSensitiveContext()
            async with context:
                SyncToAsync.context_to_thread_executor[context] = worker
                try:
                    await self._handle(scope, body_file, receive, send, worker)
                finally:
                    # Taken out before the context exits, so asgiref does not shut it down.
                    del SyncToAsync.context_to_thread_executor[context]
        finally:
            worker.prologue = None
            if worker.submitted:
                worker.end_request()  # the epilogue, then a transaction left open is rolled back
            # A request abandoned by its client may still run on the thread: the
            # worker is lent again only once that call has finished.
            loop = asyncio.get_running_loop()
            worker.when_done(lambda: _call_soon(loop, self.workers.give_back, worker))

    async def _handle(self, scope, body_file, receive, send, worker):
        """Serve one HTTP request whose body has arrived, as Django's handler does, with cheaper signals."""
        set_script_prefix(django_asgi.get_script_prefix(scope))
        await self._request_started(scope, worker)
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            await self.send_response(error_response, send)
            await self._request_finished(error_response, worker)
            return
        response = await self._respond_unless_disconnected(request, receive, send)
        await self._request_finished(response, worker)

    async def _respond_unless_disconnected(self, request, receive, send):
        """The response, or None when the client left before the view returned one.

        The view runs while the client's disconnect is listened for; a
        disconnect cancels it (views may handle the cancellation).
        """
        response = None
        try:
            try:
                async with asyncio.TaskGroup() as tasks:
                    listener = tasks.create_task(self.listen_for_disconnect(receive))
                    response = await self.run_get_response(request)
                    await self.send_response(response, send)
                    listener.cancel()
            except* RequestAborted:
                pass
        except BaseExceptionGroup as group:
            raise group.exceptions[0] if len(group.exceptions) == 1 else group
        return response

    async def run_get_response(self, request):
        response = await super().run_get_response(request)
        response._handler_class = SENDER
        return response

    async def _request_started(self, scope, worker):
        sync_receivers, async_receivers = signals.request_started._live_receivers(SENDER)
        if worker is not None and not async_receivers and _only(sync_receivers, _THREAD_CONFINED):
            # They touch only the worker's connections: run them there,
            # before the request's first call, if it makes one.
            worker.prologue = _Send(signals.request_started, SENDER, sync_receivers, scope=scope)
            return
        await signals.request_started.asend(sender=SENDER, scope=scope)

    async def _request_finished(self, response, worker):
        sender = SENDER if response is None else response._handler_class
        sync_receivers, async_receivers = signals.request_finished._live_receivers(sender)
        if worker is None or async_receivers or not _closes_inline(response, sync_receivers):
            if response is None:
                await signals.request_finished.asend(sender=sender)
            else:
                await sync_to_async(response.close)()
            return
        # What HttpResponseBase.close() does, with each of Django's receivers
        # where its state lives.
        if response is not None:
            for closer in response._resource_closers:
                try:
                    closer()
                except Exception:  # as close() does: a closer's failure stops nothing
                    pass
            response._resource_closers.clear()
            response.closed = True
        on_worker = [r for r in sync_receivers if r in _THREAD_CONFINED]
        if on_worker and worker.submitted:
            # Fire and forget, at the request's end on the worker: it runs calls
            # in order, so the next request it serves starts after these are done.
            worker.epilogue = _Send(signals.request_finished, sender, on_worker)
        _Send(signals.request_finished, sender, [r for r in sync_receivers if r not in on_worker])()


def _closes_inline(response, sync_receivers):
    """True when finishing needs no thread: nothing to free but the request, only Django's receivers."""
    if response is not None and (
        type(response).close is not HttpResponseBase.close
        or not all(_frees_memory_only(closer) for closer in response._resource_closers)
    ):
        return False
    if not _only(sync_receivers, _THREAD_CONFINED + _CONTEXT_CONFINED):
        return False
    # close_caches runs on the loop only while it has nothing to close.
    return all(type(cache).close is BaseCache.close for cache in caches.all(initialized_only=True))


def _frees_memory_only(closer):
    """True for Django's close() of a request without uploaded files.

    Django adds it to every response; it closes the request body's file,
    which Django's handler closes on the event loop too.
    """
    request = getattr(closer, "__self__", None)
    return getattr(closer, "__func__", None) in (HttpRequest.close, django_asgi.ASGIRequest.close) and not getattr(
        request, "_files", None
    )


class _Send:
    """Call some of a signal's receivers, in order, as ``Signal.send`` would."""

    __slots__ = ("signal", "sender", "receivers", "named")

    def __init__(self, signal, sender, receivers, **named):
        self.signal, self.sender, self.receivers, self.named = signal, sender, receivers, named

    def __call__(self):
        for receiver in self.receivers:
            receiver(signal=self.signal, sender=self.sender, **self.named)


def _call_soon(loop, callback, *args):
    """Run ``callback`` on ``loop``: now when called there, else from its next iteration."""
    if _on(loop):
        callback(*args)
    elif not loop.is_closed():
        loop.call_soon_threadsafe(callback, *args)


def _on(loop):
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _only(receivers, allowed):
    return all(receiver in allowed for receiver in receivers)


def _inside_thread_sensitive_code():
    """True under an enclosing ThreadSensitiveContext or a sync caller (async_to_sync)."""
    return (
        SyncToAsync.thread_sensitive_context.get(None) is not None
        or getattr(AsyncToSync.executors, "current", None) is not None
    )


def _pool_options(max_idle_workers, max_workers, idle_timeout):
    """The worker pool's settings from the handler's options; ImproperlyConfigured says how to fix a bad one."""
    if max_workers is not None and not _whole(max_workers, 1):
        raise _invalid(
            "max_workers",
            max_workers,
            "None (no limit: a worker per request in flight, as Django's handler has a thread per request) "
            "or a whole number of 1 or more",
            "e.g. max_workers=16 (requests beyond it wait for a worker)",
        )
    if max_idle_workers is None:
        max_idle_workers = min(32, (os.cpu_count() or 1) + 4, max_workers or 32)
    elif not _whole(max_idle_workers, 0):
        raise _invalid(
            "max_idle_workers",
            max_idle_workers,
            "a whole number of 0 or more",
            "e.g. max_idle_workers=8, or 0 to keep none past a second idle (the default is min(32, cpus + 4))",
        )
    elif max_workers is not None and max_idle_workers > max_workers:
        raise ImproperlyConfigured(
            f"restflow.asgi: max_idle_workers ({max_idle_workers}) cannot exceed max_workers ({max_workers}): "
            "no more than max_workers workers ever exist. Lower max_idle_workers, or leave it out "
            "(its default is then at most max_workers)."
        )
    if idle_timeout is not None and not (
        isinstance(idle_timeout, numbers.Real) and not isinstance(idle_timeout, bool) and 0 < idle_timeout < math.inf
    ):
        raise _invalid(
            "idle_timeout",
            idle_timeout,
            "None (idle workers never retire for being idle) or a finite number of seconds above 0",
            f"e.g. idle_timeout={DEFAULT_IDLE_TIMEOUT:g} (the default); to keep no idle worker past a second, "
            "pass max_idle_workers=0",
        )
    return {"max_idle": max_idle_workers, "max_workers": max_workers, "idle_timeout": idle_timeout}


def _whole(value, least):
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _invalid(option, value, expected, example):
    if isinstance(value, str):
        given = f"{value!r} (a str: convert it first, e.g. with int() or float())"
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        given = repr(value)
    else:
        given = f"{value!r} (a {type(value).__name__})"
    return ImproperlyConfigured(f"restflow.asgi: {option} must be {expected}, not {given}. Pass {example}.")


def get_asgi_application(*, max_idle_workers=None, max_workers=None, idle_timeout=DEFAULT_IDLE_TIMEOUT):
    """Set Django up and return restflow's ASGI handler (the drop-in for Django's).

    Each process's pool of worker threads (docs/deploying.md has the details):

    - ``max_workers``: how many workers may exist at once; requests beyond it
      wait for one. Default ``None``: no limit, a worker per request in flight,
      as Django's handler starts a thread per request.
    - ``max_idle_workers``: how many idle workers are kept (default
      ``min(32, cpus + 4)``, like Python's thread pools, and at most
      ``max_workers``); workers idle beyond it retire after a second idle.
    - ``idle_timeout``: seconds an idle worker is kept before it retires
      (default 60; ``None``: kept, within ``max_idle_workers``).

    A retiring worker closes its database connections on its own thread.
    Invalid values raise ImproperlyConfigured.
    """
    django.setup(set_prefix=False)
    return ASGIHandler(max_idle_workers=max_idle_workers, max_workers=max_workers, idle_timeout=idle_timeout)

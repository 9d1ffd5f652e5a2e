"""What restflow's ASGI handler relies on in Django and asgiref, pinned; and its worker pool.

An upgrade of Django or asgiref that changes one of these fails here, by name,
before it can change what tests/test_asgi.py sees through a server.
"""

import asyncio
import os
import threading

import pytest
from asgiref.sync import SyncToAsync, ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.cache import close_caches
from django.core.handlers import asgi as django_asgi
from django.core.handlers.base import reset_urlconf
from django.db import close_old_connections, reset_queries
from django.http import HttpResponse, HttpResponseBase

from restflow import asgi
from restflow._workers import Worker, WorkerPool


# --- asgiref ---------------------------------------------------------------------------


async def test_a_thread_sensitive_context_sends_its_calls_to_the_executor_registered_for_it():
    worker = Worker("pin")
    try:
        context = ThreadSensitiveContext()
        async with context:
            SyncToAsync.context_to_thread_executor[context] = worker
            inside = await sync_to_async(threading.get_ident)()
            del SyncToAsync.context_to_thread_executor[context]
        # asgiref shuts down only what is registered when the context exits: ours still runs.
        assert worker.submit(threading.get_ident).result(timeout=5) == inside == worker._thread.ident
    finally:
        worker.shutdown()


async def test_after_the_context_a_leftover_call_gets_a_thread_of_its_own():
    worker = Worker("pin")
    leftover = []
    try:
        context = ThreadSensitiveContext()
        async with context:
            SyncToAsync.context_to_thread_executor[context] = worker
            task = asyncio.create_task(asyncio.sleep(0.05))
            task.add_done_callback(lambda _: leftover.append(asyncio.ensure_future(sync_to_async(threading.get_ident)())))
            del SyncToAsync.context_to_thread_executor[context]
        await task
        await asyncio.sleep(0)
        ident = await leftover[0]
        assert ident not in (worker._thread.ident, threading.get_ident())
    finally:
        worker.shutdown()


# --- Django ----------------------------------------------------------------------------


def test_djangos_own_request_receivers_are_the_ones_the_handler_knows():
    """Anything else connected makes the handler send the signal as Django does (one hop)."""
    started, started_async = signals.request_started._live_receivers(asgi.SENDER)
    finished, finished_async = signals.request_finished._live_receivers(asgi.SENDER)
    assert set(started) <= {reset_queries, close_old_connections} and not started_async
    assert set(finished) <= {close_old_connections, close_caches, reset_urlconf} and not finished_async
    assert close_old_connections in started and close_old_connections in finished


def test_live_receivers_honour_sender_filters_and_split_sync_from_async():
    def sync_receiver(**kwargs):
        pass

    async def async_receiver(**kwargs):
        pass

    signals.request_started.connect(sync_receiver, sender=django_asgi.ASGIHandler)
    signals.request_started.connect(async_receiver)
    try:
        sync, async_ = signals.request_started._live_receivers(django_asgi.ASGIHandler)
        assert sync_receiver in sync and async_ == [async_receiver]
        sync, _ = signals.request_started._live_receivers(asgi.ASGIHandler)
        assert sync_receiver not in sync
    finally:
        signals.request_started.disconnect(sync_receiver, sender=django_asgi.ASGIHandler)
        signals.request_started.disconnect(async_receiver)


@pytest.mark.django_db
def test_closing_a_response_with_nothing_to_free_only_marks_it_and_sends_request_finished():
    """What the handler does itself, without a hop, for such a response."""
    sent = []

    def receiver(sender, **kwargs):
        sent.append(sender)

    response = HttpResponse(b"x")
    response._handler_class = django_asgi.ASGIHandler
    before = dict(vars(response))
    signals.request_finished.connect(receiver)
    try:
        response.close()
    finally:
        signals.request_finished.disconnect(receiver)
    after = dict(vars(response))
    assert after.pop("closed") is True and before.pop("closed", False) is False
    assert after == before and sent == [django_asgi.ASGIHandler]
    assert type(response).close is HttpResponseBase.close and response._resource_closers == []


def _scope(method, path, headers=()):
    return {
        "type": "http", "method": method, "path": path, "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), *headers], "client": ("127.0.0.1", 1), "server": ("testserver", 80),
    }


@pytest.mark.django_db
async def test_django_gives_every_response_the_requests_close_which_frees_memory_only():
    """The one closer the handler runs on the loop; with uploaded files it is left to a thread."""
    import io

    handler = django_asgi.ASGIHandler()
    request = django_asgi.ASGIRequest(_scope("GET", "/nowhere/"), io.BytesIO())
    response = await handler.get_response_async(request)
    assert response._resource_closers == [request.close]
    assert asgi._frees_memory_only(request.close)
    boundary = "b0undary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
        f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
    ).encode()
    headers = [(b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
               (b"content-length", str(len(body)).encode())]
    upload = django_asgi.ASGIRequest(_scope("POST", "/nowhere/", headers), io.BytesIO(body))
    assert upload.FILES["f"].read() == b"hello"
    assert not asgi._frees_memory_only(upload.close)
    assert not asgi._frees_memory_only(HttpResponse().close)


def test_djangos_handler_has_the_steps_the_handler_composes():
    for name in ("read_body", "create_request", "run_get_response", "send_response", "listen_for_disconnect"):
        assert asyncio.iscoroutinefunction(getattr(django_asgi.ASGIHandler, name)) or name == "create_request"
    assert callable(django_asgi.get_script_prefix)


async def test_other_protocols_are_refused_as_django_refuses_them():
    for handler in (django_asgi.ASGIHandler(), asgi.ASGIHandler()):
        with pytest.raises(ValueError, match="Django can only handle ASGI/HTTP connections, not lifespan."):
            await handler({"type": "lifespan"}, None, None)


# --- the worker pool --------------------------------------------------------------------


def test_a_worker_runs_calls_in_order_on_one_thread_after_its_prologue():
    worker = Worker("pin")
    seen = []
    worker.prologue = lambda: seen.append(("prologue", threading.get_ident()))
    futures = [worker.submit(lambda n=n: seen.append((n, threading.get_ident()))) for n in range(3)]
    for future in futures:
        future.result(timeout=5)
    worker.shutdown()
    assert [what for what, _ in seen] == ["prologue", 0, 1, 2]
    assert {thread for _, thread in seen} == {worker._thread.ident}
    assert worker.submitted == 3 and worker.prologue is None


def test_a_failing_prologue_fails_the_call_it_came_with():
    worker = Worker("pin")
    worker.prologue = lambda: 1 / 0
    with pytest.raises(ZeroDivisionError):
        worker.submit(lambda: "ran").result(timeout=5)
    assert worker.submit(lambda: "ran").result(timeout=5) == "ran"
    worker.shutdown()


def test_the_pool_keeps_max_idle_workers_and_retired_ones_close_their_connections(monkeypatch):
    closed_on = []

    class Connections:
        def close_all(self):
            closed_on.append(threading.get_ident())

    monkeypatch.setattr("restflow._workers.connections", Connections())
    pool = WorkerPool(max_idle=1)
    first, second = pool.lend(), pool.lend()
    assert first is not second
    pool.give_back(first)
    pool.give_back(second)  # beyond max_idle: retires
    second._thread.join(5)
    assert not second._thread.is_alive() and pool.idle == 1
    assert closed_on == [second._thread.ident]  # on its own thread, where its connections live
    first.submit(int).result(timeout=5)
    assert pool.lend() is first and first.submitted == 0  # counts the calls of each loan
    pool.give_back(first)
    pool.close()
    first._thread.join(5)
    assert pool.idle == 0 and not first._thread.is_alive()
    assert closed_on == [second._thread.ident, first._thread.ident]


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_a_forked_child_drops_the_parents_idle_workers():
    pool = WorkerPool(max_idle=2)
    worker = pool.lend()
    pool.give_back(worker)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's thread is not here
        try:
            fresh = pool.lend()
            os.write(write, b"1" if fresh is not worker and pool.idle == 0 else b"0")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert pool.idle == 1
    pool.close()


def test_a_failure_nobody_awaits_is_logged(caplog):
    worker = Worker("pin")
    future = worker.submit(lambda: 1 / 0)
    with caplog.at_level("ERROR", logger="restflow.asgi"):
        future.add_done_callback(asgi._log_failure)
        worker.shutdown()
    assert "request_finished receiver failed" in caplog.text and "ZeroDivisionError" in caplog.text


def test_max_idle_workers_must_not_be_negative():
    with pytest.raises(ValueError, match="max_idle_workers must be 0 or more"):
        asgi.ASGIHandler(max_idle_workers=-1)

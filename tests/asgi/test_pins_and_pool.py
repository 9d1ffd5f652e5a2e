"""What restflow's ASGI handler relies on in Django and asgiref, pinned; and its worker pool.

An upgrade of Django or asgiref that changes one of these fails here, by name,
before it can change what tests/asgi/test_handler_semantics.py sees through a server.
"""

import asyncio
import os
import threading

import pytest
from asgiref.sync import SyncToAsync, ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.cache import close_caches
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers import asgi as django_asgi
from django.core.handlers.base import reset_urlconf
from django.db import close_old_connections, reset_queries
from django.http import HttpResponse, HttpResponseBase

from restflow import _workers, asgi
from restflow._workers import EXCESS_GRACE, Worker, WorkerPool


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


@pytest.fixture
def closed_on(monkeypatch):
    """The threads on which the pool's workers closed their database connections, in order."""
    closed_on = []

    class Connections:
        def close_all(self):
            closed_on.append(threading.get_ident())

    monkeypatch.setattr("restflow._workers.connections", Connections())
    return closed_on


def _stopped(*workers):
    for worker in workers:
        worker._thread.join(5)
    return not any(worker._thread.is_alive() for worker in workers)


async def test_the_pool_keeps_max_idle_workers_and_retired_ones_close_their_connections(closed_on):
    clock = Clock()
    pool = WorkerPool(max_idle=1, clock=clock)
    first, second = await pool.lend(), await pool.lend()
    assert first is not second and pool.live == 2
    pool.give_back(second)
    clock.now += 0.5
    pool.give_back(first)  # two idle, one beyond max_idle: the oldest retires after EXCESS_GRACE
    pool.retire_idle()
    assert pool.idle == 2 and closed_on == []
    clock.now += EXCESS_GRACE - 0.5
    pool.retire_idle()
    assert _stopped(second) and pool.idle == 1 and pool.live == 1
    assert closed_on == [second._thread.ident]  # on its own thread, where its connections live
    first.submit(int).result(timeout=5)
    assert await pool.lend() is first and first.submitted == 0  # counts the calls of each loan
    pool.give_back(first)
    pool.close()
    assert _stopped(first) and pool.idle == 0 and pool.live == 0
    assert closed_on == [second._thread.ident, first._thread.ident]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


async def test_workers_idle_for_idle_timeout_retire_oldest_first_never_a_lent_one(closed_on):
    clock = Clock()
    pool = WorkerPool(max_idle=8, idle_timeout=10, clock=clock)
    old, newer, lent = [await pool.lend() for _ in range(3)]
    pool.give_back(old)
    clock.now += 4
    pool.give_back(newer)
    clock.now += 5.9  # old: idle 9.9 s
    pool.retire_idle()
    assert pool.idle == 2 and closed_on == []
    clock.now += 0.1  # old: 10 s
    pool.retire_idle()
    assert _stopped(old) and closed_on == [old._thread.ident]
    assert pool.idle == 1 and pool.live == 2
    clock.now += 100  # ``lent`` has been out all along: still lent, still alive
    pool.retire_idle()
    assert _stopped(newer) and closed_on == [old._thread.ident, newer._thread.ident]
    assert lent._thread.is_alive() and lent.submit(threading.get_ident).result(timeout=5) == lent._thread.ident
    assert pool.idle == 0 and pool.live == 1
    pool.give_back(lent)
    assert await pool.lend() is lent  # given back: idle from now, not since it was lent
    pool.give_back(lent)
    pool.close()


async def test_a_burst_beyond_max_idle_reuses_its_workers_then_the_timer_retires_the_excess(closed_on, monkeypatch):
    monkeypatch.setattr(_workers, "EXCESS_GRACE", 0.05)
    pool = WorkerPool(max_idle=1, idle_timeout=None)
    workers = [await pool.lend() for _ in range(3)]
    for worker in workers:
        pool.give_back(worker)
    again = [await pool.lend() for _ in range(3)]  # within the grace: the same threads, none started
    assert sorted(map(id, again)) == sorted(map(id, workers)) and pool.live == 3
    for worker in again:
        pool.give_back(worker)
    for _ in range(500):  # no request comes: only the timer can retire the two beyond max_idle
        if pool.idle == 1:
            break
        await asyncio.sleep(0.01)
    assert pool._idle == [again[-1]] and pool.live == 1  # the most recently used one stays
    assert _stopped(*again[:-1]) and sorted(closed_on) == sorted(w._thread.ident for w in again[:-1])
    pool.close()


async def test_a_timer_on_the_loop_retires_idle_workers_without_further_requests(closed_on):
    pool = WorkerPool(max_idle=4, idle_timeout=0.01)
    workers = [await pool.lend() for _ in range(3)]
    for worker in workers:
        pool.give_back(worker)
    for _ in range(500):  # no request comes: only the timer can retire them
        if pool.idle == 0:
            break
        await asyncio.sleep(0.01)
    assert pool.idle == 0 and pool.live == 0 and _stopped(*workers)
    assert sorted(closed_on) == sorted(w._thread.ident for w in workers)


async def test_without_idle_timeout_idle_workers_stay(closed_on):
    clock = Clock()
    pool = WorkerPool(max_idle=2, idle_timeout=None, clock=clock)
    worker = await pool.lend()
    pool.give_back(worker)
    clock.now += 10**6
    pool.retire_idle()
    assert pool.idle == 1 and pool._sweep is None and closed_on == []
    pool.close()


async def test_with_max_workers_a_request_beyond_it_waits_its_turn_for_a_worker(closed_on):
    clock = Clock()
    pool = WorkerPool(max_idle=0, max_workers=2, clock=clock)
    first, second = await pool.lend(), await pool.lend()
    waiting = [asyncio.ensure_future(pool.lend()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiting) and pool.live == 2
    waiting[0].cancel()  # its client left while it waited
    await asyncio.sleep(0)
    pool.give_back(first)  # to the first still waiting, not retired despite max_idle=0
    assert await waiting[1] is first and not waiting[2].done()
    pool.give_back(second)
    assert await waiting[2] is second and pool.live == 2 and closed_on == []
    pool.give_back(first)
    pool.give_back(second)
    clock.now += EXCESS_GRACE
    pool.retire_idle()
    assert pool.live == 0 and _stopped(first, second)


async def test_a_worker_handed_to_a_request_cancelled_before_it_resumed_goes_back():
    pool = WorkerPool(max_idle=1, max_workers=1)
    worker = await pool.lend()
    waiting = asyncio.ensure_future(pool.lend())
    await asyncio.sleep(0)
    pool.give_back(worker)  # handed over ...
    waiting.cancel()  # ... and cancelled before it could take it
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert pool.idle == 1 and pool.live == 1
    assert await asyncio.wait_for(pool.lend(), 5) is worker
    pool.give_back(worker)
    pool.close()


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_a_forked_child_drops_the_parents_workers():
    pool = WorkerPool(max_idle=2, max_workers=2)
    idle, lent = asyncio.run(pool.lend()), asyncio.run(pool.lend())
    pool.give_back(idle)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's threads are not here, nor count against max_workers
        try:
            async def lend_two():
                return await asyncio.wait_for(asyncio.gather(pool.lend(), pool.lend()), 5)

            fresh = asyncio.run(lend_two())
            ok = not {idle, lent} & set(fresh) and pool.idle == 0 and pool.live == 2
            os.write(write, b"ok" if ok else b"wrong")
        except BaseException as exc:
            os.write(write, repr(exc).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 1000) == b"ok"
    assert pool.idle == 1 and pool.live == 2
    pool.give_back(lent)
    pool.close()
    assert _stopped(idle, lent)


def test_a_failure_nobody_awaits_is_logged(caplog):
    worker = Worker("pin")
    with caplog.at_level("ERROR", logger="restflow.asgi"):
        worker.after(lambda: 1 / 0)
        worker.shutdown()
    assert "Error on a restflow ASGI worker thread" in caplog.text and "ZeroDivisionError" in caplog.text


# --- options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_idle_workers": -1}, "max_idle_workers must be a whole number of 0 or more, not -1. Pass e.g."),
        ({"max_idle_workers": 2.5}, "max_idle_workers must be a whole number of 0 or more, not 2.5."),
        ({"max_idle_workers": "4"}, "not '4' (a str: convert it first, e.g. with int() or float())."),
        ({"max_workers": 0}, "max_workers must be None (no limit: a worker per request in flight"),
        ({"max_workers": True}, "or a whole number of 1 or more, not True (a bool). Pass e.g. max_workers=16"),
        ({"max_workers": 4, "max_idle_workers": 8}, "max_idle_workers (8) cannot exceed max_workers (4)"),
        ({"idle_timeout": 0}, "idle_timeout must be None (idle workers never retire for being idle) or a finite"),
        ({"idle_timeout": -5}, "number of seconds above 0, not -5. Pass e.g. idle_timeout=60 (the default)"),
        ({"idle_timeout": float("nan")}, "not nan."),
        ({"idle_timeout": float("inf")}, "not inf."),
        ({"idle_timeout": "60"}, "not '60' (a str"),
    ],
)
def test_invalid_options_fail_loudly_saying_how_to_fix_them(options, message):
    for make in (asgi.ASGIHandler, asgi.get_asgi_application):
        with pytest.raises(ImproperlyConfigured) as raised:
            make(**options)
        assert str(raised.value).startswith("restflow.asgi: ") and message in str(raised.value)


def test_the_options_size_the_pool():
    pool = asgi.ASGIHandler().workers
    assert (pool.max_workers, pool.idle_timeout) == (None, 60)
    assert pool.max_idle == min(32, (os.cpu_count() or 1) + 4)
    pool = asgi.ASGIHandler(max_workers=1, idle_timeout=0.5).workers
    assert (pool.max_workers, pool.max_idle, pool.idle_timeout) == (1, 1, 0.5)  # idle default capped by max_workers
    pool = asgi.get_asgi_application(max_idle_workers=0, max_workers=3, idle_timeout=None).workers
    assert (pool.max_workers, pool.max_idle, pool.idle_timeout) == (3, 0, None)

"""Long-lived worker threads that restflow's ASGI handler lends to requests.

Django's handler gives every request a new single-thread executor for its
thread-sensitive work and shuts it down afterwards. A ``Worker`` is the same
kind of executor (one thread, calls run one at a time, in order) that outlives
the request: the ``WorkerPool`` lends it to one request at a time and takes it
back, so the thread, and the database connections Django keeps per thread,
serve request after request.
"""

import asyncio
import logging
import math
import os
import queue
import threading
import time
import weakref
from collections import deque
from concurrent.futures import Executor, Future, InvalidStateError
from itertools import count

from django.db import connections

logger = logging.getLogger("restflow.asgi")

# Seconds a worker beyond the pool's ``max_idle`` stays idle before it retires.
EXCESS_GRACE = 1.0


class Worker(Executor):
    """One thread running submitted calls in order.

    ``prologue``, when set, runs on the thread just before the next call
    submitted, then is cleared: the handler puts Django's own
    ``request_started`` receivers there, so a request pays for them only if it
    sends work to its thread, and with no extra hop when it does. ``epilogue``
    (Django's ``request_finished`` receivers) runs in ``end_request``'s call.

    ``busy`` is True while the request's last call (not counting ``after``
    calls, which nobody awaits) has not finished: a request abandoned by its
    client may still be running on the thread after the handler is done with it.
    """

    def __init__(self, name):
        self.name = name
        self.prologue = None
        self.epilogue = None
        self.submitted = 0
        self.idle_since = None  # when it was last given back to the pool
        self._last = None  # the future of the last call submitted
        self._renew = False  # set on the thread: start a fresh thread after this call
        self._calls = queue.SimpleQueue()
        self._thread = self._start()

    def _start(self):
        thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
        thread.start()
        return thread

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        prologue, self.prologue = self.prologue, None
        self.submitted += 1
        self._last = future
        self._calls.put((future, prologue, fn, args, kwargs))
        return future

    def after(self, fn, /, *args):
        """Queue ``fn`` behind the calls submitted so far, for nobody to await; its failure is logged."""
        future = Future()
        self._calls.put((future, None, fn, args, {}))
        future.add_done_callback(_log_failure)
        return future

    @property
    def busy(self):
        return self._last is not None and not self._last.done()

    def when_done(self, callback):
        """Call ``callback()`` (on the worker's thread, or now) once the last call submitted has finished."""
        if self.busy:
            self._last.add_done_callback(lambda _: callback())
        else:
            callback()

    def end_request(self):
        """Queue, as one call, the request's ``epilogue`` (if set) and the check that it left no transaction open."""
        epilogue, self.epilogue = self.epilogue, None
        self.after(self._finish, epilogue)

    def _finish(self, epilogue):
        try:
            if epilogue is not None:
                epilogue()
        finally:
            self._check_transactions()

    def _check_transactions(self):
        """Roll back a transaction a request left open (``atomic()`` never exited), and renew the thread.

        Django keeps a connection's transaction state per thread: left as it is, every later
        request lent this thread would run inside the dead request's transaction. Closing the
        connections makes the database roll it back; the thread then hands its queue to a
        fresh thread, so no state of the old one survives.
        """
        open_in = [conn.alias for conn in connections.all(initialized_only=True) if conn.in_atomic_block]
        if not open_in:
            return
        logger.warning(
            "A request left a transaction open on database %s (an atomic() block entered and never exited): "
            "it was rolled back, and the worker thread's connections closed and its thread replaced.",
            ", ".join(repr(alias) for alias in open_in),
        )
        self._renew = True
        connections.close_all()

    def shutdown(self, wait=True, *, cancel_futures=False):
        """Stop after the calls already submitted (``cancel_futures`` is not supported)."""
        if cancel_futures:
            raise NotImplementedError("a Worker finishes the calls it was given")
        self._calls.put(None)
        if wait:
            self._thread.join()

    def retire(self):
        """Close this thread's database connections, then stop the thread."""
        self.submit(connections.close_all)
        self.shutdown(wait=False)

    def _serve(self):
        while (call := self._calls.get()) is not None:
            _run(*call)
            del call  # hold nothing of a finished request while idle
            if self._renew:
                self._renew = False
                self._thread = self._start()  # this thread, and its thread-local state, end here
                return


def _log_failure(future):
    """Log what a call nobody awaits raised."""
    if not future.cancelled() and future.exception() is not None:
        logger.error("Error on a restflow ASGI worker thread", exc_info=future.exception())


def _run(future, prologue, fn, args, kwargs):
    try:
        if prologue is not None:
            prologue()
        if not future.set_running_or_notify_cancel():
            return
        result = fn(*args, **kwargs)
    except BaseException as exc:
        try:
            future.set_exception(exc)
        except InvalidStateError:  # cancelled before it ran: nobody awaits it
            logger.error("Error on a restflow ASGI worker thread", exc_info=exc)
    else:
        future.set_result(result)


class WorkerPool:
    """Workers lent one per request, with idle ones kept up to a count and a time.

    By default the pool grows with the number of requests in flight, as
    Django's thread per request does; with ``max_workers`` set, at most that
    many workers exist and a request beyond them waits for one to be given
    back (first come, first served). Idle workers are reused most recent
    first, so the least used ones sit idle longest; a worker retires, closing
    its database connections on its own thread, when it has been idle
    ``idle_timeout`` seconds (``None``: never for idleness), or ``EXCESS_GRACE``
    seconds while more than ``max_idle`` are idle. The grace keeps a busy
    server from stopping a thread as one request ends and starting another as
    the next begins (Django's per-request cost again); a burst's extra workers
    are gone a second after it. Idle ones are retired by a timer on the event
    loop, so a quiet process needs no request to shrink; a worker lent to a
    request is never retired.
    """

    def __init__(self, *, max_idle, idle_timeout=None, max_workers=None, clock=time.monotonic):
        self.max_idle = max_idle
        self.idle_timeout = idle_timeout
        self.max_workers = max_workers
        self._clock = clock
        self._idle = []  # oldest given back first; each has ``idle_since``
        self._waiters = deque()  # futures of requests waiting for a worker
        self._live = 0
        self._sweep = None  # (loop, timer handle) of the pending idle sweep
        self._names = count(1)
        _pools.add(self)

    async def lend(self):
        """A worker for one request; its ``submitted`` counts that request's calls."""
        if self._idle:
            worker = self._idle.pop()
        elif self.max_workers is None or self._live < self.max_workers:
            self._live += 1
            worker = Worker(f"restflow-asgi-worker-{next(self._names)}")
        else:
            worker = await self._wait()
        worker.submitted = 0
        return worker

    async def _wait(self):
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed a worker, then cancelled
                self.give_back(waiter.result())
            raise

    def give_back(self, worker):
        """Take back a worker whose request is over: for the next waiting request, to keep, or to retire."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        worker.idle_since = self._clock()
        self._idle.append(worker)
        self._schedule_sweep()

    def retire_idle(self):
        """Retire the workers idle for ``idle_timeout`` seconds, and those beyond ``max_idle``
        idle for ``EXCESS_GRACE`` seconds (oldest first in both cases)."""
        now = self._clock()
        expired = 0
        while expired < len(self._idle) and self._due(self._idle[expired], len(self._idle) - expired) <= now:
            expired += 1
        for worker in self._idle[:expired]:
            self._retire(worker)
        del self._idle[:expired]

    def _due(self, worker, idle):
        """When ``worker``, the oldest of ``idle`` idle workers, is to retire (inf: never)."""
        due = math.inf if self.idle_timeout is None else worker.idle_since + self.idle_timeout
        if idle > self.max_idle:
            due = min(due, worker.idle_since + EXCESS_GRACE)
        return due

    def _schedule_sweep(self):
        """Have the running loop retire the oldest idle worker when its time is up."""
        if not self._idle:
            return
        due = self._due(self._idle[0], len(self._idle))
        if due == math.inf:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # given back outside a loop: swept from the next one
            return
        if self._sweep is not None and self._sweep[0] is loop:
            if self._sweep[2] <= due:
                return
            self._sweep[1].cancel()  # an earlier retirement is now due (more idle than max_idle)
        handle = loop.call_later(max(0.0, due - self._clock()), self._on_sweep)
        self._sweep = (loop, handle, due)

    def _on_sweep(self):
        self._sweep = None
        self.retire_idle()
        self._schedule_sweep()

    def _retire(self, worker):
        self._live -= 1
        worker.retire()

    @property
    def idle(self):
        """How many workers wait to be lent."""
        return len(self._idle)

    @property
    def live(self):
        """How many workers exist (lent or idle), not counting retired ones still closing."""
        return self._live

    def close(self):
        """Retire every idle worker (their connections are closed on their threads)."""
        if self._sweep is not None:
            self._sweep[1].cancel()
            self._sweep = None
        while self._idle:
            self._retire(self._idle.pop())

    def _forget_after_fork(self):
        # A forked child has none of the parent's threads: drop their workers
        # without touching the connections they held (the parent owns those),
        # and the parent's timer and waiting requests with them.
        self._idle = []
        self._waiters = deque()
        self._live = 0
        self._sweep = None


_pools: weakref.WeakSet = weakref.WeakSet()


def _after_fork_in_child():
    for pool in list(_pools):
        pool._forget_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)

"""Long-lived worker threads that restflow's ASGI handler lends to requests.

Django's handler gives every request a new single-thread executor for its
thread-sensitive work and shuts it down afterwards. A ``Worker`` is the same
kind of executor (one thread, calls run one at a time, in order) that outlives
the request: the ``WorkerPool`` lends it to one request at a time and takes it
back, so the thread, and the database connections Django keeps per thread,
serve request after request.
"""

import logging
import os
import queue
import threading
import weakref
from concurrent.futures import Executor, Future, InvalidStateError
from itertools import count

from django.db import connections

logger = logging.getLogger("restflow.asgi")


class Worker(Executor):
    """One thread running submitted calls in order.

    ``prologue``, when set, runs on the thread just before the next call
    submitted, then is cleared: the handler puts Django's own
    ``request_started`` receivers there, so a request pays for them only if it
    sends work to its thread, and with no extra hop when it does.
    """

    def __init__(self, name):
        self.prologue = None
        self.submitted = 0
        self._calls = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        prologue, self.prologue = self.prologue, None
        self.submitted += 1
        self._calls.put((future, prologue, fn, args, kwargs))
        return future

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
    """Workers lent one per request; at most ``max_idle`` are kept when idle.

    The pool grows with the number of requests in flight, as Django's thread
    per request does; a worker given back beyond ``max_idle`` retires, closing
    its database connections. Idle workers are reused most recent first, so a
    quiet period leaves the least used ones to be retired when traffic shrinks.
    """

    def __init__(self, max_idle):
        if max_idle < 0:
            raise ValueError(f"max_idle_workers must be 0 or more, not {max_idle!r}")
        self.max_idle = max_idle
        self._idle = []
        self._names = count(1)
        _pools.add(self)

    def lend(self):
        """A worker for one request; its ``submitted`` counts that request's calls."""
        if not self._idle:
            return Worker(f"restflow-asgi-worker-{next(self._names)}")
        worker = self._idle.pop()
        worker.submitted = 0
        return worker

    def give_back(self, worker):
        if len(self._idle) < self.max_idle:
            self._idle.append(worker)
        else:
            worker.retire()

    @property
    def idle(self):
        """How many workers wait to be lent."""
        return len(self._idle)

    def close(self):
        """Retire every idle worker (their connections are closed on their threads)."""
        while self._idle:
            self._idle.pop().retire()

    def _forget_after_fork(self):
        # A forked child has none of the parent's threads: drop their workers
        # without touching the connections they held (the parent owns those).
        self._idle = []


_pools = weakref.WeakSet()


def _after_fork_in_child():
    for pool in list(_pools):
        pool._forget_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)

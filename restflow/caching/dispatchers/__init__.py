"""Dispatchers: where an invalidation rule's work runs once the saving transaction commits.

Built in: ``inline`` (the saving thread), ``threadpool`` (a process-wide pool), ``asyncio`` (a task
on the running loop, inline when there is none) and ``celery``. Register your own with
``register_dispatcher``.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections

from restflow.caching.hashing import cache_setting

logger = logging.getLogger("restflow.caching")

_registry = {}
UNAVAILABLE = {
    "django_rq": "django-rq",
    "django_q": "django-q",
    "dramatiq": "dramatiq",
}


class Dispatcher:
    """Base class: ``dispatch(rule_ids=..., rule_kwargs=..., **context)`` hands rules to a runtime.

    ``config`` is the dispatcher's ``DISPATCHER_SETTINGS`` block under the rule's
    ``dispatcher_config`` (keys compared case-insensitively).
    """

    name = None
    supports_batching = False

    def __init__(self, config=None):
        block = cache_setting("DISPATCHER_SETTINGS").get(self.name, {})
        self.config = {key.lower(): value for key, value in {**block, **(config or {})}.items()}

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        raise NotImplementedError(f"{type(self).__name__} must define dispatch().")


def register_dispatcher(cls):
    """Class decorator: make a Dispatcher subclass available by its ``name``."""
    if not (isinstance(cls, type) and issubclass(cls, Dispatcher)) or not cls.name:
        raise TypeError("register_dispatcher takes a Dispatcher subclass with a non-empty `name`.")
    _registry[cls.name] = cls
    return cls


def registered_dispatcher_names():
    """The sorted names rules may pass as ``dispatcher=``."""
    return sorted(_registry)


def check_dispatcher(dispatcher):
    """Fail at rule construction for a dispatcher name that cannot work."""
    if dispatcher is None or isinstance(dispatcher, type) and issubclass(dispatcher, Dispatcher):
        return
    if dispatcher in UNAVAILABLE:
        raise ValueError(
            f"The {dispatcher!r} dispatcher is not available in restflow yet. Use one of "
            f"{registered_dispatcher_names()}, or register a Dispatcher subclass that hands the rules to "
            f"{UNAVAILABLE[dispatcher]} (see register_dispatcher)."
        )
    if dispatcher not in _registry:
        raise ValueError(f"Unknown cache dispatcher {dispatcher!r}; registered: {registered_dispatcher_names()}.")


def get_dispatcher(dispatcher, config=None):
    """A dispatcher instance from a name, a class, or None (``DEFAULT_DISPATCHER``)."""
    if dispatcher is None:
        dispatcher = cache_setting("DEFAULT_DISPATCHER")
        check_dispatcher(dispatcher)
    cls = dispatcher if isinstance(dispatcher, type) else _registry[dispatcher]
    return cls(config)


def raise_setting(name):
    """Whether a dispatcher's worker re-raises: its ``RAISE_EXCEPTION`` setting, else the global one."""
    value = cache_setting("DISPATCHER_SETTINGS").get(name or "", {}).get("RAISE_EXCEPTION")
    return cache_setting("DISPATCHER_RAISE_EXCEPTION") if value is None else value


def _run(rule_ids, rule_kwargs, **context):
    from restflow.caching.rules import run_cache_rules

    run_cache_rules(rule_ids, rule_kwargs, **context)


@register_dispatcher
class InlineDispatcher(Dispatcher):
    """Runs the rules on the saving thread, inside its ``on_commit`` callback."""

    name = "inline"

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        _run(rule_ids, rule_kwargs, dispatcher=self.name, **context)


def _in_pool(rule_ids, rule_kwargs, context):
    try:
        _run(rule_ids, rule_kwargs, **context)
    except Exception:
        logger.exception("Cache invalidation on the thread pool failed.")
    finally:
        close_old_connections()


@register_dispatcher
class ThreadPoolDispatcher(Dispatcher):
    """Runs the rules on a process-wide pool (``MAX_WORKERS``, default 4, fixed once built)."""

    name = "threadpool"
    _executor = None

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        if ThreadPoolDispatcher._executor is None:
            workers = self.config.get("max_workers", 4)
            ThreadPoolDispatcher._executor = ThreadPoolExecutor(workers, thread_name_prefix="restflow-cache")
        ThreadPoolDispatcher._executor.submit(_in_pool, rule_ids, rule_kwargs, {"dispatcher": self.name, **context})


@register_dispatcher
class AsyncIODispatcher(Dispatcher):
    """Runs the rules as a task on the running loop; inline when the thread has no loop."""

    name = "asyncio"
    _pending_tasks = set()

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        from restflow.caching.rules import arun_cache_rules

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            logger.debug("No running event loop: asyncio dispatcher runs cache rules inline.")
            return _run(rule_ids, rule_kwargs, dispatcher=self.name, **context)
        task = loop.create_task(arun_cache_rules(rule_ids, rule_kwargs, dispatcher=self.name, **context))
        self._pending_tasks.add(task)
        task.add_done_callback(self._pending_tasks.discard)
        return None


@register_dispatcher
class CeleryDispatcher(Dispatcher):
    """Sends the rules to a celery task (``restflow.caching.tasks.task_run_cache_rules`` by default).

    The task receives the rules' kwargs, not the instance: a custom invalidator runs with the
    instance fetched again by pk (None once deleted).
    """

    name = "celery"
    supports_batching = True

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        from celery import current_app

        context.pop("instance", None)
        task_name = self.config.get("task_name", "restflow.caching.tasks.task_run_cache_rules")
        kwargs = {"rule_ids": rule_ids, "rule_kwargs": rule_kwargs, "dispatcher": self.name, **context}
        options = {"queue": self.config["queue"]} if self.config.get("queue") else {}
        if task_name in current_app.tasks:
            current_app.tasks[task_name].apply_async(kwargs=kwargs, **options)
        else:
            current_app.send_task(task_name, kwargs=kwargs, **options)

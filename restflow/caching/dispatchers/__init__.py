"""Dispatchers: where an invalidation rule's work runs once the saving transaction commits.

Built in, one module each: ``inline`` (the saving thread), ``threadpool`` (a process-wide pool),
``asyncio`` (a task on the running loop, inline when there is none), and the task queues
``celery``, ``django_rq``, ``dramatiq`` and ``django_q`` (each an optional extra). Register your
own with ``register_dispatcher``.
"""

from restflow.caching.dispatchers.asyncio import AsyncIODispatcher
from restflow.caching.dispatchers.base import (
    Dispatcher,
    check_dispatcher,
    get_dispatcher,
    raise_setting,
    register_dispatcher,
    registered_dispatcher_names,
)
from restflow.caching.dispatchers.celery import CeleryDispatcher
from restflow.caching.dispatchers.django_q import DjangoQDispatcher
from restflow.caching.dispatchers.django_rq import DjangoRqDispatcher
from restflow.caching.dispatchers.dramatiq import DramatiqDispatcher
from restflow.caching.dispatchers.inline import InlineDispatcher
from restflow.caching.dispatchers.threadpool import ThreadPoolDispatcher

__all__ = [
    "AsyncIODispatcher",
    "CeleryDispatcher",
    "Dispatcher",
    "DjangoQDispatcher",
    "DjangoRqDispatcher",
    "DramatiqDispatcher",
    "InlineDispatcher",
    "ThreadPoolDispatcher",
    "check_dispatcher",
    "get_dispatcher",
    "raise_setting",
    "register_dispatcher",
    "registered_dispatcher_names",
]

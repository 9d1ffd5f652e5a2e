"""``threadpool``: the rules run on a process-wide pool of threads."""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections

from restflow.caching.dispatchers.base import Dispatcher, register_dispatcher, run_rules

logger = logging.getLogger("restflow.caching")


def _in_pool(rule_ids, rule_kwargs, context):
    try:
        run_rules(rule_ids, rule_kwargs, **context)
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

"""``asyncio``: the rules run as a task on the running event loop (inline when there is none)."""

import asyncio
import logging

from restflow.caching.applying import arun_cache_rules
from restflow.caching.dispatchers.base import Dispatcher, register_dispatcher, run_rules

logger = logging.getLogger("restflow.caching")


@register_dispatcher
class AsyncIODispatcher(Dispatcher):
    """Runs the rules as a task on the running loop; inline when the thread has no loop."""

    name = "asyncio"
    _pending_tasks: set = set()

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            logger.debug("No running event loop: asyncio dispatcher runs cache rules inline.")
            return run_rules(rule_ids, rule_kwargs, dispatcher=self.name, **context)
        task = loop.create_task(arun_cache_rules(rule_ids, rule_kwargs, dispatcher=self.name, **context))
        self._pending_tasks.add(task)
        task.add_done_callback(self._pending_tasks.discard)
        return None

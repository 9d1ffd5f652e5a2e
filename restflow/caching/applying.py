"""The invalidation rules registered in this process, and applying them by id.

``run_cache_rules`` / ``arun_cache_rules`` are the worker entries every dispatcher ends in
(inline, in a thread pool, in a celery task, as an asyncio task); ``restflow.caching.rules``
registers the rules here and hands them to the dispatchers.
"""

import logging

from restflow.caching.hashing import cache_setting

logger = logging.getLogger("restflow.caching")

_targets: dict = {}  # rule id -> (rule, wrapper)
_by_model: dict = {}  # model label -> [rule id]


def rule_and_wrapper(rule_id):
    """The (rule, cached function) registered under ``rule_id``; (None, None) when there is none."""
    return _targets.get(rule_id, (None, None))


def watched_model_count():
    return len(_by_model)


def summary():
    return {"rules": len(_targets), "models": sorted(_by_model)}


def forget_all():
    """Drop every rule of the process."""
    _targets.clear()
    _by_model.clear()


def raise_setting(name):
    """Whether a dispatcher's worker re-raises: its ``RAISE_EXCEPTION`` setting, else the global one."""
    value = cache_setting("DISPATCHER_SETTINGS").get(name or "", {}).get("RAISE_EXCEPTION")
    return cache_setting("DISPATCHER_RAISE_EXCEPTION") if value is None else value


def _raise(rule, dispatcher_name):
    return rule.raise_exception if rule.raise_exception is not None else raise_setting(dispatcher_name)


def run_cache_rules(rule_ids, rule_kwargs, instance=None, raise_exception=None, **context):
    """Apply rules by id (the worker entry of every sync dispatcher)."""
    for rule_id in rule_ids:
        rule, wrapper = _targets.get(rule_id, (None, None))
        try:
            if rule is None:
                raise LookupError(f"No cache invalidation rule {rule_id!r} is registered in this process.")
            rule.apply(wrapper, rule_kwargs.get(rule_id) or {}, instance, context)
        except Exception:
            if raise_exception or (rule is not None and _raise(rule, context.get("dispatcher"))):
                raise
            logger.exception("Cache invalidation rule %s failed.", rule_id)


async def arun_cache_rules(rule_ids, rule_kwargs, instance=None, raise_exception=None, **context):
    """Apply rules by id from async code (the asyncio dispatcher's worker entry)."""
    for rule_id in rule_ids:
        rule, wrapper = _targets.get(rule_id, (None, None))
        try:
            if rule is None:
                raise LookupError(f"No cache invalidation rule {rule_id!r} is registered in this process.")
            await rule.aapply(wrapper, rule_kwargs.get(rule_id) or {}, instance, context)
        except Exception:
            if raise_exception or (rule is not None and _raise(rule, context.get("dispatcher"))):
                raise
            logger.exception("Cache invalidation rule %s failed.", rule_id)

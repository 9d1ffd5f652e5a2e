"""The dispatcher base class, the registry of dispatchers by name, and the run every one ends in."""

import importlib.util
import logging

from django.core.exceptions import ImproperlyConfigured

from restflow.caching.applying import raise_setting, run_cache_rules  # noqa: F401 - raise_setting: re-exported
from restflow.caching.hashing import cache_setting

logger = logging.getLogger("restflow.caching")

_registry: dict = {}
# The dotted path of the worker entry broker-backed dispatchers enqueue (``FUNCTION_PATH`` changes it).
WORKER_ENTRY = "restflow.caching.tasks.run_cache_rules"


class Dispatcher:
    """Base class: ``dispatch(rule_ids=..., rule_kwargs=..., **context)`` hands rules to a runtime.

    ``config`` is the dispatcher's ``DISPATCHER_SETTINGS`` block under the rule's
    ``dispatcher_config`` (keys compared case-insensitively).
    """

    name: str | None = None
    supports_batching = False
    requirement: tuple[str, str] | None = None  # (module, package) of the engine this dispatcher needs, if any

    def __init__(self, config=None):
        block = cache_setting("DISPATCHER_SETTINGS").get(self.name, {})
        self.config = {key.lower(): value for key, value in {**block, **(config or {})}.items()}

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        raise NotImplementedError(f"{type(self).__name__} must define dispatch().")

    def task_kwargs(self, rule_ids, rule_kwargs, context):
        """What a worker in another process receives: the rules and the context, but not the saved
        instance (the worker fetches it again by ``model`` and ``pk``); plain values only."""
        context = {key: value for key, value in context.items() if key != "instance"}
        if context.get("signal_type") is not None:
            context["signal_type"] = str(context["signal_type"])
        return {"rule_ids": list(rule_ids), "rule_kwargs": dict(rule_kwargs), "dispatcher": self.name, **context}


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
    if dispatcher not in _registry:
        raise ValueError(f"Unknown cache dispatcher {dispatcher!r}; registered: {registered_dispatcher_names()}.")
    requirement = _registry[dispatcher].requirement
    if requirement is not None and importlib.util.find_spec(requirement[0]) is None:
        raise ImproperlyConfigured(
            f"The {dispatcher!r} cache dispatcher needs {requirement[1]}: pip install {requirement[1]} "
            f"(or restflow[{requirement[1]}])."
        )


def get_dispatcher(dispatcher, config=None):
    """A dispatcher instance from a name, a class, or None (``DEFAULT_DISPATCHER``)."""
    if dispatcher is None:
        dispatcher = cache_setting("DEFAULT_DISPATCHER")
        check_dispatcher(dispatcher)
    cls = dispatcher if isinstance(dispatcher, type) else _registry[dispatcher]
    return cls(config)


def run_rules(rule_ids, rule_kwargs, **context):
    """Apply the rules in this process (where every sync dispatcher's work ends)."""
    run_cache_rules(rule_ids, rule_kwargs, **context)

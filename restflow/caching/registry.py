"""``CacheRegister``: the process's invalidation rules, seen and managed as one object.

A rule starts serving as soon as its ``@cache_result(invalidates_on=[...])`` decorator runs. What
this object adds: ``auto_discover()`` imports the modules of the project's apps, so a worker process
(celery, django-rq, dramatiq, django-q) knows every rule a web process may send it even when no
view imports the module that declares it; ``add()`` attaches a rule to an existing cached function;
``clear()`` forgets every rule (tests); ``get_rule``/``get_status`` for inspection.
"""

import importlib
import logging
import pkgutil
import sysconfig

from django.apps import apps

from restflow.caching import rules
from restflow.caching.wrappers import CachedWrapper

logger = logging.getLogger("restflow.caching")

# Installed third-party packages are not walked: only the project's own apps declare its rules.
_INSTALLED = tuple({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
_SKIPPED = {"migrations", "tests", "management", "__main__"}  # __main__ would run a command line


class CacheRegistry:
    """The one registry of the process (``CacheRegister``)."""

    SignalTypes = rules.SignalTypes
    run_cache_rules = staticmethod(rules.run_cache_rules)
    arun_cache_rules = staticmethod(rules.arun_cache_rules)

    def __init__(self):
        self.is_discovered = False
        self._added = 0

    def add(self, model, func, invalidation_rule):
        """Attach ``invalidation_rule`` (for ``model``) to ``func``, a ``@cache_result`` function."""
        if not isinstance(func, CachedWrapper):
            raise TypeError(f"CacheRegister.add takes a @cache_result function; got {func!r}.")
        if not isinstance(invalidation_rule, rules.InvalidationRule):
            raise TypeError(f"CacheRegister.add takes an InvalidationRule; got {invalidation_rule!r}.")
        invalidation_rule.model = model
        self._added += 1
        invalidation_rule.attach(func, f"added{self._added}")

    register = add

    def auto_discover(self):
        """Import every module of the project's apps (not migrations, tests or installed packages), once."""
        if self.is_discovered:
            return self
        self.is_discovered = True
        for app_config in apps.get_app_configs():
            module = app_config.module
            if not hasattr(module, "__path__") or str(module.__file__).startswith(_INSTALLED):
                continue
            if app_config.name.split(".")[0] == "restflow":  # declares no rules, even when not installed
                continue
            for info in pkgutil.walk_packages(module.__path__, prefix=f"{app_config.name}."):
                if _SKIPPED & set(info.name.split(".")):
                    continue
                try:
                    importlib.import_module(info.name)
                except Exception:
                    logger.warning("Cache rule discovery could not import %s.", info.name, exc_info=True)
        return self

    def clear(self):
        """Forget every rule of the process (signals then have nothing to do)."""
        rules.forget_all()
        self.is_discovered = False

    def get_rule(self, rule_id):
        """The InvalidationRule registered under ``rule_id``, or None."""
        return rules.rule_and_wrapper(rule_id)[0]

    @property
    def model_count(self):
        return rules.watched_model_count()

    def get_status(self):
        """A summary: whether discovery ran, how many rules, and the labels of the watched models."""
        return {"discovered": self.is_discovered, **rules.summary()}


CacheRegister = CacheRegistry()

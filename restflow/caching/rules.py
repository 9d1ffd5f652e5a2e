"""Invalidation rules: a model's ``post_save``/``post_delete`` drops (or recomputes) a cached function's entries.

One receiver per signal serves every rule. It decides, on the thread that saved, which rules apply
and with which arguments, then hands them to each rule's dispatcher once the transaction commits.
``run_cache_rules`` / ``arun_cache_rules`` (``restflow.caching.applying``) are the worker entries every
dispatcher ends in.
"""

import copy
import enum
import inspect
import logging
from functools import partial

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.module_loading import import_string

from restflow._sync import in_thread
from restflow.caching.applying import (  # noqa: F401 - the worker entries, importable from here too
    _by_model,
    _targets,
    arun_cache_rules,
    forget_all,
    rule_and_wrapper,
    run_cache_rules,
    summary,
    watched_model_count,
)
from restflow.caching.dispatchers import check_dispatcher, get_dispatcher
from restflow.caching.fields import ArgsKeyField, ViewKwargsKeyField

logger = logging.getLogger("restflow.caching")


class SignalTypes(enum.StrEnum):
    """Which model signal started an invalidation (the ``signal_type`` invalidators receive)."""

    POST_SAVE = "post_save"
    POST_DELETE = "post_delete"


class InvalidationRule:
    """When ``model`` changes, drop the entries of the cached function this rule is attached to.

    ``field_mapping`` maps the function's argument names to attributes of the saved instance;
    ``invalidator`` is a callable (or dotted path) taking ``(wrapper, instance, **extras)``; with
    neither, the whole function is invalidated (restflow's).
    """

    def __init__(
        self,
        model,
        field_mapping=None,
        invalidator=None,
        require_args=True,
        trigger_on_create=False,
        watch_fields=None,
        invalidate_when=None,
        rewarm=False,
        dispatcher=None,
        dispatcher_config=None,
        batch=False,
        raise_exception=None,
    ):
        if field_mapping and invalidator is not None:
            raise ValueError("InvalidationRule takes field_mapping or invalidator, not both.")
        self.model = model
        self.field_mapping = dict(field_mapping or {})
        self.invalidator = invalidator
        self.require_args = require_args
        self.trigger_on_create = trigger_on_create
        self.watch_fields = None if watch_fields is None else set(watch_fields)
        self.invalidate_when = dict(invalidate_when or {})
        self.rewarm = rewarm
        self.dispatcher = dispatcher
        self.dispatcher_config = dict(dispatcher_config or {})
        self.batch = batch
        self.raise_exception = raise_exception
        check_dispatcher(dispatcher)

    @property
    def model_label(self):
        return self.model if isinstance(self.model, str) else self.model._meta.label

    def attach(self, wrapper, index):
        """Serve ``wrapper`` (called by the decorator); the rule id is stable across processes."""
        rule_id = f"{wrapper.function_id}#{index}"
        while rule_id in _targets and _targets[rule_id][1] is not wrapper:  # a factory's wrappers share a name
            rule_id += "+"
        _targets[rule_id] = (self, wrapper)
        ids = _by_model.setdefault(self.model_label, [])
        if rule_id not in ids:
            ids.append(rule_id)
        _connect()

    # Deciding, on the saving thread

    def applies(self, instance, created, update_fields):
        if created and not self.trigger_on_create:
            return False
        if self.watch_fields is not None and update_fields is not None and not self.watch_fields & set(update_fields):
            return False
        for name, expected in self.invalidate_when.items():
            negate = name.startswith("!")
            if (getattr(instance, name.lstrip("!"), None) == expected) is negate:
                return False
        return True

    def arguments_for(self, instance):
        """The wrapper's kwargs from the instance, or None when a required one is None."""
        kwargs = {argument: getattr(instance, attribute, None) for argument, attribute in self.field_mapping.items()}
        required = self.field_mapping if self.require_args is True else self.require_args or ()
        if any(kwargs.get(name) is None for name in required):
            return None
        return kwargs

    # Applying, in the worker

    def _by_prefix(self, wrapper, kwargs):
        """True when every mapped argument is read by a partition field (a prefix delete covers it)."""
        partition_names = set()
        for field in wrapper.key_constructor._fields.values():
            if field.partition and isinstance(field, (ArgsKeyField, ViewKwargsKeyField)):
                if field.names is None:
                    return True
                partition_names.update(field.names)
        return set(kwargs) <= partition_names

    def _invalidator(self):
        if isinstance(self.invalidator, str):
            self.invalidator = import_string(self.invalidator)
        return self.invalidator

    def _extras(self, function, context):
        parameters = inspect.signature(function).parameters
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
            return context
        return {name: value for name, value in context.items() if name in parameters}

    def apply(self, wrapper, kwargs, instance, context):
        invalidator = self._invalidator()
        if invalidator is not None:
            extras = self._extras(invalidator, context)
            if iscoroutinefunction(invalidator):
                return async_to_sync(invalidator)(wrapper, instance, **extras)
            return invalidator(wrapper, instance, **extras)
        if not kwargs:
            return wrapper.sync_invalidate_all()
        if self.rewarm:
            try:
                return wrapper.sync_refresh(**kwargs)
            except TypeError:
                logger.info("Cannot rewarm %s from %s: deleting instead.", wrapper.function_id, sorted(kwargs))
        if self._by_prefix(wrapper, kwargs):
            return wrapper.sync_delete_by_prefix(**kwargs)
        return wrapper.sync_delete_cache(**kwargs)

    async def aapply(self, wrapper, kwargs, instance, context):
        invalidator = self._invalidator()
        if invalidator is not None:
            extras = self._extras(invalidator, context)
            if iscoroutinefunction(invalidator):
                return await invalidator(wrapper, instance, **extras)
            return await in_thread(invalidator, wrapper, instance, **extras)
        if not kwargs:
            return await wrapper.ainvalidate_all()
        if self.rewarm and wrapper.is_async:
            try:
                return await wrapper.arefresh(**kwargs)
            except TypeError:
                logger.info("Cannot rewarm %s from %s: deleting instead.", wrapper.function_id, sorted(kwargs))
        elif self.rewarm:
            return await in_thread(self.apply, wrapper, kwargs, instance, context)
        if self._by_prefix(wrapper, kwargs):
            return await wrapper.adelete_by_prefix(**kwargs)
        return await wrapper.adelete_cache(**kwargs)


def _changed(sender, instance, signal_type, created, update_fields, using):
    labels = {sender._meta.label, sender._meta.concrete_model._meta.label} & _by_model.keys()
    groups = {}
    for label in labels:
        for rule_id in _by_model.get(label, ()):
            rule, _wrapper = _targets[rule_id]
            if not rule.applies(instance, created, update_fields):
                continue
            kwargs = rule.arguments_for(instance)
            if kwargs is None:
                continue
            dispatcher = get_dispatcher(rule.dispatcher, rule.dispatcher_config)
            key = (
                dispatcher.name,
                tuple(sorted(rule.dispatcher_config.items(), key=repr)),
                rule.batch and dispatcher.supports_batching,
            )
            group = groups.setdefault(key if key[2] else (rule_id,), (dispatcher, [], {}))
            group[1].append(rule_id)
            group[2][rule_id] = kwargs
    if not groups:
        return
    context = {
        "signal_type": signal_type,
        "instance_created": created,
        "update_fields": None if update_fields is None else sorted(update_fields),
        "model": sender._meta.label,
        "pk": instance.pk,
    }
    # A copy: a deleted instance loses its pk before a deferred on_commit job would read it.
    snapshot = copy.copy(instance)
    for dispatcher, rule_ids, rule_kwargs in groups.values():
        job = partial(dispatcher.dispatch, rule_ids=rule_ids, rule_kwargs=rule_kwargs, instance=snapshot, **context)
        transaction.on_commit(job, using=using)


def _on_save(sender, instance, created=False, update_fields=None, raw=False, using=None, **kwargs):
    if not raw:
        _changed(sender, instance, SignalTypes.POST_SAVE, created, update_fields, using)


def _on_delete(sender, instance, using=None, **kwargs):
    _changed(sender, instance, SignalTypes.POST_DELETE, False, None, using)


def _connect():
    post_save.connect(_on_save, dispatch_uid="restflow.caching.post_save")
    post_delete.connect(_on_delete, dispatch_uid="restflow.caching.post_delete")

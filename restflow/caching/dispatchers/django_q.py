"""``django_q``: the rules are queued as a django-q2 task and run by ``manage.py qcluster``."""

from restflow.caching.dispatchers.base import WORKER_ENTRY, Dispatcher, register_dispatcher


@register_dispatcher
class DjangoQDispatcher(Dispatcher):
    """Queues ``restflow.caching.tasks.run_cache_rules`` with django-q2's ``async_task`` (``CLUSTER``
    picks a cluster, ``GROUP`` a task group); ``FUNCTION_PATH`` names another worker entry."""

    name = "django_q"
    supports_batching = True
    requirement = ("django_q", "django-q2")

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        from django_q.tasks import async_task  # optional engine (checked when the rule is declared)

        options = {key: self.config[key] for key in ("cluster", "group") if self.config.get(key)}
        async_task(
            self.config.get("function_path", WORKER_ENTRY),
            q_options=options,
            **self.task_kwargs(rule_ids, rule_kwargs, context),
        )

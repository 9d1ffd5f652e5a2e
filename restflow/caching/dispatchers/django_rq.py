"""``django_rq``: the rules are enqueued on an RQ queue through django-rq and run by ``manage.py rqworker``."""

from restflow.caching.dispatchers.base import WORKER_ENTRY, Dispatcher, register_dispatcher


@register_dispatcher
class DjangoRqDispatcher(Dispatcher):
    """Enqueues ``restflow.caching.tasks.run_cache_rules`` on django-rq's queue ``QUEUE`` (default
    "default", one of ``RQ_QUEUES``); ``FUNCTION_PATH`` names another worker entry."""

    name = "django_rq"
    supports_batching = True
    requirement = ("django_rq", "django-rq")

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        import django_rq  # optional engine (checked when the rule is declared)

        queue = django_rq.get_queue(self.config.get("queue", "default"))
        queue.enqueue(
            self.config.get("function_path", WORKER_ENTRY), kwargs=self.task_kwargs(rule_ids, rule_kwargs, context)
        )

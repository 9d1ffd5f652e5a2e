"""``celery``: the rules are sent to a celery task, run by a celery worker."""

from restflow.caching.dispatchers.base import Dispatcher, register_dispatcher


@register_dispatcher
class CeleryDispatcher(Dispatcher):
    """Sends the rules to a celery task (``restflow.caching.tasks.task_run_cache_rules`` by default).

    The task receives the rules' kwargs, not the instance: a custom invalidator runs with the
    instance fetched again by pk (None once deleted).
    """

    name = "celery"
    supports_batching = True
    requirement = ("celery", "celery")

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        from celery import current_app

        task_name = self.config.get("task_name", "restflow.caching.tasks.task_run_cache_rules")
        kwargs = self.task_kwargs(rule_ids, rule_kwargs, context)
        options = {"queue": self.config["queue"]} if self.config.get("queue") else {}
        if task_name in current_app.tasks:
            current_app.tasks[task_name].apply_async(kwargs=kwargs, **options)
        else:
            current_app.send_task(task_name, kwargs=kwargs, **options)

"""Worker entries for task brokers: ``run_cache_rules`` (any queue) and the celery task wrapping it."""

from django.apps import apps

from restflow.caching.applying import run_cache_rules as _run_rules


def run_cache_rules(rule_ids, rule_kwargs, model=None, pk=None, **context):
    """Apply rules sent from another process; the instance is fetched again by pk when rules need it."""
    instance = None
    if model is not None and pk is not None:
        instance = apps.get_model(model)._default_manager.filter(pk=pk).first()
    _run_rules(rule_ids, rule_kwargs, instance=instance, model=model, pk=pk, **context)


try:
    from celery import shared_task
except ImportError:  # celery is optional
    task_run_cache_rules = None
else:
    task_run_cache_rules = shared_task(name="restflow.caching.tasks.task_run_cache_rules")(run_cache_rules)

"""Invalidation rules run by real task engines: a save enqueues the rules, an engine worker applies them.

Each engine's broker is this run's own Redis database. A test skips, saying which package to
install, when its engine is not installed, and when no Redis answers.
"""

import time

import pytest
from django.contrib.auth.models import User
from django.db import connections

from restflow.caching import (
    CACHE_MISSING,
    ArgsKeyField,
    DjangoRqDispatcher,
    InvalidationRule,
    KeyConstructor,
    cache_result,
)
from tests.support.services import redis_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]


class ByUser(KeyConstructor):
    user = ArgsKeyField("user_id", partition=True)

    class Meta:
        namespace = "engines"


def cached_name(dispatcher, **config):
    calls = []

    @cache_result(
        key_constructor=ByUser,
        invalidates_on=[
            InvalidationRule(model=User, field_mapping={"user_id": "id"}, dispatcher=dispatcher, dispatcher_config=config)
        ],
    )
    def name_of(user_id):
        calls.append(user_id)
        return User.objects.get(pk=user_id).username

    return name_of, calls


def engine(module, package):
    return pytest.importorskip(module, reason=f"{package} is not installed (pip install restflow[{package}])")


def eventually(condition, seconds=30):
    """Wait for another thread's work to show; the deadline only bounds a broken run."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_django_rq_worker_applies_the_rules():
    django_rq = engine("django_rq", "django-rq")
    from rq import SimpleWorker

    queue = django_rq.get_queue("default")
    queue.empty()
    name_of, calls = cached_name("django_rq")
    user = User.objects.create(username="ada")
    assert name_of(user.pk) == "ada"
    user.username = "grace"
    user.save()
    assert queue.count == 1 and name_of(user.pk) == "ada"  # queued, not yet run
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert name_of(user.pk) == "grace"
    assert calls == [user.pk, user.pk]


def test_dramatiq_worker_applies_the_rules():
    dramatiq = engine("dramatiq", "dramatiq")
    from dramatiq.brokers.redis import RedisBroker

    from restflow.caching.dispatchers.dramatiq import register_actor

    broker = RedisBroker(url=redis_url(), namespace=f"restflow-tests-{time.monotonic_ns()}")
    dramatiq.set_broker(broker)
    register_actor(broker)
    name_of, calls = cached_name("dramatiq")
    user = User.objects.create(username="ada")
    assert name_of(user.pk) == "ada"
    worker = dramatiq.Worker(broker, worker_threads=1)
    worker.start()
    try:
        user.username = "grace"
        user.save()
        broker.join("default")
        worker.join()
    finally:
        worker.stop()
        broker.flush_all()
        connections.close_all()
    assert name_of(user.pk) == "grace"
    assert calls == [user.pk, user.pk]


def test_celery_worker_on_a_real_broker_applies_the_rules():
    celery = engine("celery", "celery")
    from celery.contrib.testing.worker import start_worker

    app = celery.Celery("restflow-engine-tests", broker=redis_url(), set_as_current=True)
    app.conf.update(task_always_eager=False, broker_connection_retry_on_startup=True)
    import restflow.caching.tasks  # noqa: F401 - declares the shared task on this app

    name_of, calls = cached_name("celery")
    user = User.objects.create(username="ada")
    assert name_of(user.pk) == "ada"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        user.username = "grace"
        user.save()
        assert eventually(lambda: name_of.get_cache_only(user.pk) is CACHE_MISSING)
    assert name_of(user.pk) == "grace"
    assert calls == [user.pk, user.pk]


def test_a_rule_naming_an_engine_that_is_not_installed_says_what_to_install(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(DjangoRqDispatcher, "requirement", ("restflow_no_such_engine", "django-rq"))
    with pytest.raises(ImproperlyConfigured, match="needs django-rq: pip install django-rq"):
        InvalidationRule(model=User, dispatcher="django_rq")

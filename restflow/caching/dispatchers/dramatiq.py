"""``dramatiq``: the rules are sent to a dramatiq actor and run by a dramatiq worker.

The worker process declares the actor too: call ``register_actor()`` in the module that sets up
the broker (the first module given to the ``dramatiq`` command), after ``dramatiq.set_broker``.
"""

from restflow.caching.dispatchers.base import Dispatcher, register_dispatcher
from restflow.caching.tasks import run_cache_rules

ACTOR_NAME = "restflow_run_cache_rules"


def register_actor(broker=None, queue_name="default"):
    """The actor running ``run_cache_rules`` on ``broker`` (default: dramatiq's), declared once."""
    import dramatiq  # optional engine (checked when the rule is declared)

    broker = broker or dramatiq.get_broker()
    if ACTOR_NAME in broker.get_declared_actors():
        return broker.get_actor(ACTOR_NAME)
    return dramatiq.actor(run_cache_rules, actor_name=ACTOR_NAME, queue_name=queue_name, broker=broker)


@register_dispatcher
class DramatiqDispatcher(Dispatcher):
    """Sends the rules to the ``restflow_run_cache_rules`` actor (``QUEUE`` picks its queue)."""

    name = "dramatiq"
    supports_batching = True
    requirement = ("dramatiq", "dramatiq")

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        actor = register_actor()
        actor.send_with_options(
            kwargs=self.task_kwargs(rule_ids, rule_kwargs, context),
            queue_name=self.config.get("queue", actor.queue_name),
        )

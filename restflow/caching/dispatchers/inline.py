"""``inline``: the rules run on the saving thread, inside its ``on_commit`` callback."""

from restflow.caching.dispatchers.base import Dispatcher, register_dispatcher, run_rules


@register_dispatcher
class InlineDispatcher(Dispatcher):
    """Runs the rules on the saving thread, inside its ``on_commit`` callback."""

    name = "inline"

    def dispatch(self, *, rule_ids, rule_kwargs, **context):
        run_rules(rule_ids, rule_kwargs, dispatcher=self.name, **context)

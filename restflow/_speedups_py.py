"""Pure-Python twin of ``restflow._speedups``: the hot dispatch functions.

Kept line for line in step with ``_speedups.pyx``; ``restflow.speedups`` picks one.
"""

from restflow._sentinel import NOT_CONFIGURED

__all__ = ["NOT_CONFIGURED", "config_value", "bind_actions", "make_view"]


def config_value(view, name):
    """Return field ``name`` of the view's ActionConfig for its current action.

    NOT_CONFIGURED when the view has no ``action_configs``, no ``action``, no
    entry for the action, or the entry's field is None.
    """
    configs = getattr(view, "action_configs", None)
    if not configs:
        return NOT_CONFIGURED
    config = configs.get(getattr(view, "action", None))
    if config is None:
        return NOT_CONFIGURED
    value = getattr(config, name)
    if value is None:
        return NOT_CONFIGURED
    return value


def bind_actions(view, actions):
    """Bind each HTTP method in ``actions`` to the view's handler for its action.

    Sets ``view.action_map``; an action the class does not define raises the
    AttributeError that ``getattr`` gives, as DRF does.
    """
    view.action_map = actions
    for method, action in actions.items():
        setattr(view, method, getattr(view, action))


def make_view(cls, initkwargs, actions, request, args, kwargs):
    """Instantiate ``cls`` for one request: bind actions, set request state and action."""
    view = cls(**initkwargs) if initkwargs else cls()
    bind_actions(view, actions)
    view.request = request
    view.args = args
    view.kwargs = kwargs
    method = request.method.lower()
    view.action = "metadata" if method == "options" else actions.get(method)
    return view

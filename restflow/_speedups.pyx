# cython: language_level=3, binding=False
"""Compiled twin of ``restflow._speedups_py``: the hot dispatch functions.

Same names, results and exceptions as the pure-Python twin; ``restflow.speedups``
picks one. Dict-typed fast paths are the only difference in shape.
"""

from restflow._sentinel import NOT_CONFIGURED

__all__ = ["NOT_CONFIGURED", "config_value", "bind_actions", "make_view"]

cdef object _NOT_CONFIGURED = NOT_CONFIGURED


def config_value(object view, name):
    """Return field ``name`` of the view's ActionConfig for its current action.

    NOT_CONFIGURED when the view has no ``action_configs``, no ``action``, no
    entry for the action, or the entry's field is None.
    """
    cdef object configs = getattr(view, "action_configs", None)
    if not configs:
        return _NOT_CONFIGURED
    cdef object action = getattr(view, "action", None)
    cdef object config
    if type(configs) is dict:
        config = (<dict>configs).get(action)
    else:
        config = configs.get(action)
    if config is None:
        return _NOT_CONFIGURED
    value = getattr(config, name)
    if value is None:
        return _NOT_CONFIGURED
    return value


cdef inline void _bind(object view, dict actions) except *:
    for method, action in actions.items():
        setattr(view, method, getattr(view, action))


def bind_actions(object view, actions):
    """Bind each HTTP method in ``actions`` to the view's handler for its action.

    Sets ``view.action_map``; an action the class does not define raises the
    AttributeError that ``getattr`` gives, as DRF does.
    """
    view.action_map = actions
    if type(actions) is dict:
        _bind(view, <dict>actions)
    else:
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

"""The dispatch plan: how each step of a request runs for one view class, decided once.

For every step of restflow's async request pipeline (building the request, negotiation,
versioning, authentication, permissions, throttles, ``initial``, the handler, exception
handling, finalizing) the plan records whether the class uses restflow's stock code for DRF's
step, an ``async def`` override (awaited on the loop), or a sync override, and how that runs:
in one hop to the sync thread when it may block (it may query), or on the loop when DRF's
contract for the step does no I/O (building the request, negotiation, versioning,
finalizing). The choice comes from what the code is, never from trying it on the loop.

The plan is built on a class's first request (or ``explain``), once; nothing changes it at run
time. ``explain(cls)`` (and ``python -m restflow explain dotted.path.View``) prints it with the
reason for every step.
"""

import dataclasses
import inspect

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Manager, QuerySet

from restflow._memo import Memo
from restflow._sync import ASYNC, HOP, LOOP, STOCK

# (step, DRF's sync method, restflow's async method or None, whether a sync override may block)
_STEPS = (
    ("request", "initialize_request", None, False),
    ("negotiation", "perform_content_negotiation", None, False),
    ("versioning", "determine_version", None, False),
    ("authentication", "perform_authentication", "aperform_authentication", True),
    ("permissions", "check_permissions", "acheck_permissions", True),
    ("object permissions", "check_object_permissions", "acheck_object_permissions", True),
    ("throttles", "check_throttles", "acheck_throttles", True),
    ("initial", "initial", None, True),
    ("queryset", "get_queryset", "aget_queryset", True),
    ("object lookup", "get_object", "aget_object", True),
    ("filtering", "filter_queryset", "afilter_queryset", True),
    ("pagination", "paginate_queryset", "apaginate_queryset", True),
    ("exception handling", "handle_exception", "ahandle_exception", True),
    ("finalize", "finalize_response", "afinalize_response", False),
)
_OURS = ("restflow", "rest_framework")


@dataclasses.dataclass(frozen=True, slots=True)
class Step:
    """How one step runs: ``how`` is STOCK, ASYNC, HOP or LOOP; ``reason`` says why.

    ``method`` is the method the class defines for the step most specifically: DRF's sync name
    or restflow's async one (None when neither is defined).
    """

    name: str
    how: str
    reason: str
    method: str | None = None


def is_async(func):
    """True for ``async def`` code, also behind a sync wrapper made with ``functools.wraps``.

    drf-spectacular's ``extend_schema_view`` replaces an inherited action with such a wrapper;
    calling it returns the action's coroutine.
    """
    if iscoroutinefunction(func):
        return True
    function = getattr(func, "__func__", func)
    return hasattr(function, "__wrapped__") and iscoroutinefunction(inspect.unwrap(function))


def _ours(klass):
    return klass.__module__.split(".", 1)[0] in _OURS


def _user_function(func):
    """The user's function behind restflow's wrappers (ActionConfig-first ``get_queryset``)."""
    while getattr(func, "_restflow_config_first", False) or getattr(func, "callable_from_sync", False):
        func = func.__wrapped__
    return func


def _is_stock(cls, *names):
    """True when each of ``names`` is still what restflow, DRF or Django defines (no override)."""
    for name in names:
        for klass in cls.__mro__:
            if name in vars(klass):
                if klass.__module__.split(".", 1)[0] not in (*_OURS, "django"):
                    return False
                break
    return True


def _decide(cls, name, sync_name, async_name, may_block):
    for klass in cls.__mro__:
        found = async_name if async_name is not None and async_name in vars(klass) else None
        if found is None and sync_name in vars(klass):
            found = sync_name
        if found is None:
            continue
        func = _user_function(vars(klass)[found])
        if _ours(klass) and func.__module__.split(".", 1)[0] in _OURS:
            return Step(name, STOCK, f"{klass.__name__}.{found} (stock)", found)
        where = f"{klass.__qualname__}.{found}"
        if is_async(func):
            return Step(name, ASYNC, f"{where} is async: awaited on the loop", found)
        if may_block:
            return Step(name, HOP, f"{where} is sync and overridden: runs in a hop (it may query)", found)
        return Step(name, LOOP, f"{where} is sync and overridden: called on the loop (this step does no I/O)", found)
    return Step(name, STOCK, "not defined: skipped")


class Plan:
    """One view class's plan: a ``Step`` per step, and per handler name (found on first use)."""

    def __init__(self, cls):
        self.cls = cls
        self.steps = {name: _decide(cls, name, *rest) for name, *rest in _STEPS}
        # Per step, as an attribute: how to call the class's override of DRF's sync method,
        # STOCK when there is none (restflow's code, or an override of restflow's async one).
        for (name, sync_name, _, _), step in zip(_STEPS, self.steps.values(), strict=True):
            how = step.how if step.method == sync_name else STOCK
            setattr(self, name.replace(" ", "_"), how)
        self._handlers = {}
        self._querysets = {}
        self._headers = {}
        # The light path, where the class keeps DRF's code for the step.
        self.light_request = self.steps["request"].how is STOCK and _is_stock(
            cls, "get_parsers", "get_authenticators", "get_content_negotiator", "get_parser_context"
        )
        self.light_negotiation = self.steps["negotiation"].how is STOCK and _is_stock(
            cls, "get_renderers", "get_content_negotiator"
        )
        self.light_headers = _is_stock(cls, "default_response_headers", "allowed_methods", "_allowed_methods")
        self.light_finalize = (
            self.steps["finalize"].how is STOCK and self.light_headers and _is_stock(cls, "get_renderer_context")
        )

    def headers(self, view):
        """A copy of ``view.default_response_headers`` (``Allow``, ``Vary``), computed once per route.

        A route is one ``as_view()``: its action map, renderer classes and method names.
        """
        actions, renderers, methods = getattr(view, "action_map", None), view.renderer_classes, view.http_method_names
        key = (id(actions), id(renderers), id(methods))
        entry = self._headers.get(key)
        if entry is None or entry[0] is not actions or entry[1] is not renderers or entry[2] is not methods:
            # The entry keeps the three alive, so their ids stay theirs.
            entry = self._headers[key] = (actions, renderers, methods, view.default_response_headers)
        return dict(entry[3])

    def handler(self, name):
        """The Step of the handler ``name`` (an action or an HTTP method's method)."""
        try:
            return self._handlers[name]
        except KeyError:
            pass
        func = getattr(self.cls, name, None)
        where = f"{self.cls.__qualname__}.{name}"
        if func is None:
            step = Step(name, STOCK, "not defined: 405")
        elif is_async(func):
            step = Step(name, ASYNC, f"{where} is async: awaited on the loop")
        else:
            step = Step(name, HOP, f"{where} is sync: runs in one hop (it may use the sync ORM)")
        return self._handlers.setdefault(name, step)

    def queryset_for(self, action):
        """How ``get_queryset`` runs for ``action``: an ActionConfig ``queryset`` wins over the class's."""
        try:
            return self._querysets[action]
        except KeyError:
            pass
        config = with_url_names(self.cls, getattr(self.cls, "action_configs", None)).get(action)
        value = getattr(config, "queryset", None)
        if value is None or isinstance(value, (QuerySet, Manager)):
            how = self.queryset  # none, or a QuerySet/Manager: the class's step decides
        else:
            how = ASYNC if is_async(value) else HOP
        return self._querysets.setdefault(action, how)

    def lines(self, handlers=()):
        """The plan as text: one line per step, then one per handler in ``handlers``."""
        out = [f"{self.cls.__module__}.{self.cls.__qualname__}"]
        out += [f"  {step.name:<24}{step.how:<7}{step.reason}" for step in self.steps.values()]
        for name in handlers:
            step = self.handler(name)
            out.append(f"  {'handler ' + name:<24}{step.how:<7}{step.reason}")
        out.append("  light path")
        out.append(
            f"    {'lazy Request':<24}{_yes(self.light_request, 'initialize_request or a getter it calls overridden')}"
        )
        out.append(
            f"    {'negotiation remembered':<24}"
            f"{_yes(self.light_negotiation, 'the negotiation, get_renderers or get_content_negotiator overridden')}"
        )
        out.append(f"    {'Allow/Vary per route':<24}{_yes(self.light_headers, 'default_response_headers overridden')}")
        out.append(
            f"    {'finalize + JSON bytes':<24}"
            f"{_yes(self.light_finalize, 'the finalize step, get_renderer_context or the headers overridden')}"
        )
        return out


def _yes(light, why_not):
    return "yes" if light else f"no: {why_not}"


_plans = Memo("dispatch plans")


def plan_for(cls):
    """``cls``'s plan, built on first use; threads asking at once all get the same one."""
    return _plans.get(cls, Plan)


def with_url_names(cls, configs):
    """``configs`` (an ``action_configs``) where a key that is an ``@action``'s ``url_name`` also
    configures that action under its method name, as restflow's docs allow.

    The view's ``action`` is always the method name. Both spellings for one action is a
    mistake, raised. Returns ``configs`` itself when no key needs it (the class is never changed).
    """
    configs = configs or {}
    aliases = {}
    for extra in cls.get_extra_actions() if hasattr(cls, "get_extra_actions") else ():
        name, url_name = extra.__name__, getattr(extra, "url_name", None)
        if url_name in (None, name) or url_name not in configs or callable(getattr(cls, url_name, None)):
            continue
        if name in configs and configs[name] is not configs[url_name]:
            raise ImproperlyConfigured(
                f"{cls.__name__}.action_configs configures the action '{name}' twice: as '{name}' and "
                f"by its url_name '{url_name}'. Keep one entry."
            )
        aliases[name] = configs[url_name]
    return {**configs, **aliases} if aliases else configs


def _handler_names(cls):
    """The handlers ``cls`` routes: its actions (viewsets) or its HTTP method handlers."""
    if hasattr(cls, "get_extra_actions"):
        standard = ("list", "create", "retrieve", "update", "partial_update", "destroy")
        names = [name for name in standard if callable(getattr(cls, name, None))]
        return names + [extra.__name__ for extra in cls.get_extra_actions()]
    return [method for method in cls.http_method_names if method != "options" and hasattr(cls, method)]


def explain(cls):
    """``cls``'s plan as text: how each step runs and why, then each handler."""
    return "\n".join(plan_for(cls).lines(_handler_names(cls)))

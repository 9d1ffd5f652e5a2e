"""ActionConfig and the viewsets: async ones, and sync twins for mixed codebases.

Every getter that drives dispatch reads the current action's ActionConfig
first (through the compiled core), then the parent getter, then the class
attribute.
"""

import dataclasses
import functools

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from rest_framework import viewsets as drf_viewsets
from rest_framework.generics import GenericAPIView

from restflow import _checks, mixins  # noqa: F401 (_checks registers restflow's system checks)
from restflow._atomic import atomic_by_dispatch
from restflow._core import NOT_CONFIGURED, config_value, make_view
from restflow._dispatch import with_url_names
from restflow._request import build_request
from restflow._sync import callable_from_sync, resolve
from restflow._view_helpers import APIViewHelpersMixin
from restflow.apiview import AsyncAPIView
from restflow.generics import AsyncGenericAPIView
from restflow.schema import ViewSchema

QUERYSET_GUIDANCE = (
    "'{cls}' has no queryset for action '{action}'. Set `queryset` on the class, "
    "set `queryset` on the action's ActionConfig in `action_configs`, or override "
    "`get_queryset()`."
)


@dataclasses.dataclass(frozen=True, slots=True)
class ActionConfig:
    """Per-action overrides for a viewset; a field left None is not configured."""

    serializer_class: type | None = None
    request_serializer_class: type | None = None
    response_serializer_class: type | None = None
    permission_classes: list | tuple | None = None
    throttle_classes: list | tuple | None = None
    parser_classes: list | tuple | None = None
    renderer_classes: list | tuple | None = None
    pagination_class: type | None = None
    queryset: object = None
    cache: object = None

    def __post_init__(self):
        """Refuse a value of the wrong shape now: it would fail every request of its action."""
        for name, (is_valid, expected) in _FIELD_SHAPES.items():
            value = getattr(self, name)
            if value is not None and not is_valid(value):
                raise TypeError(f"ActionConfig.{name} must be {expected}, not {value!r}.")


def _is_class_list(value):
    return isinstance(value, (list, tuple)) and all(callable(item) for item in value)


_CLASS = (lambda value: isinstance(value, type), "a class")
_CLASSES = (_is_class_list, "a list or tuple of classes")
_FIELD_SHAPES = {
    "serializer_class": _CLASS,
    "request_serializer_class": _CLASS,
    "response_serializer_class": _CLASS,
    "permission_classes": _CLASSES,
    "throttle_classes": _CLASSES,
    "parser_classes": _CLASSES,
    "renderer_classes": _CLASSES,
    "pagination_class": _CLASS,
    "queryset": (
        lambda value: _has_all(value) or isinstance(value, (list, tuple)) or callable(value),
        "a QuerySet, a Manager (or any object with all()), a list or a callable taking the view",
    ),
    "cache": (lambda value: callable(getattr(value, "wrap", None)), "a cache_response(...) policy"),
}


def _has_all(value):
    return callable(getattr(value, "all", None))


def _queryset_from(value, view):
    """A fresh queryset from ActionConfig.queryset: ``all()`` of a queryset, manager or object like
    them (as DRF re-evaluates its queryset), a list as it is, a callable's result (maybe a coroutine)."""
    if _has_all(value):
        return value.all()
    if isinstance(value, (list, tuple)):
        return value
    return value(view)


def _config_first(get_queryset):
    """Wrap a subclass's own get_queryset so an ActionConfig queryset still wins for its action."""
    if iscoroutinefunction(get_queryset):

        @callable_from_sync  # DRF's sync code (model permissions, get_object) calls get_queryset()
        @functools.wraps(get_queryset)
        async def wrapper(self):
            value = config_value(self, "queryset")
            if value is NOT_CONFIGURED:
                return await get_queryset(self)
            return await resolve(_queryset_from(value, self))

    else:

        @functools.wraps(get_queryset)
        def wrapper(self):
            value = config_value(self, "queryset")
            if value is NOT_CONFIGURED:
                return get_queryset(self)
            return _queryset_from(value, self)

    wrapper._restflow_config_first = True
    return wrapper


def _serializer_class_attribute(view):
    return getattr(view, "serializer_class", None)


def _serializer_class(view):
    return view.get_serializer_class()


def _instances(classes):
    return [cls() for cls in classes]


def _check_action_configs(cls):
    """Fail at routing time on an action_configs entry that is not an ActionConfig.

    An entry naming an action the class does not define is harmless (a mapping shared with a
    read-only viewset, an action a subclass adds): ``manage.py check`` warns (restflow.W001).
    """
    for action, config in (cls.action_configs or {}).items():
        if not isinstance(config, ActionConfig):
            raise ImproperlyConfigured(
                f"{cls.__name__}.action_configs['{action}'] must be an ActionConfig, not {type(config).__name__}."
            )


def _with_configs(cls, initkwargs):
    """``initkwargs`` for one route's views, with ``action_configs`` keyed by method name too.

    restflow's docs let an ``@action``'s ``url_name`` key its entry; each view instance gets the
    mapping with that key copied to the action's name (``with_url_names``): the class is not changed.
    """
    configs = initkwargs.get("action_configs", cls.action_configs)
    resolved = with_url_names(cls, configs)
    return initkwargs if resolved is configs else {**initkwargs, "action_configs": resolved}


def _cache_actions(cls):
    """Wrap each action whose ActionConfig has ``cache=cache_response(...)``, once per class.

    Each class gets its own wrapper (and so its own keys), also for an action it inherits cached.
    """
    for action, config in (cls.action_configs or {}).items():
        policy = getattr(config, "cache", None)
        handler = getattr(cls, action, None)
        if policy is None or handler is None:
            continue
        function_id = f"{cls.__module__}.{cls.__qualname__}.{action}"
        if getattr(handler, "function_id", None) == function_id:
            continue
        setattr(cls, action, policy.wrap(getattr(handler, "handler", handler), function_id))


class ActionConfigMixin:
    """The action-config-aware getters shared by the async viewsets and their sync twins.

    The paginator (PaginatorMixin, through the view classes) comes from the action's pagination class.
    """

    action_configs: dict = {}

    def __init_subclass__(cls, **kwargs):
        own = cls.__dict__.get("get_queryset")
        if own is not None and not getattr(own, "_restflow_config_first", False):
            cls.get_queryset = _config_first(own)
        super().__init_subclass__(**kwargs)  # after: AsyncGenericAPIView's sees the wrapper

    def _parent(self, name):
        return getattr(super(), name, None)

    def _configured(self, field, getter, fallback=None, build=None):
        """ActionConfig ``field`` for the current action, else the parent's ``getter()``, else ``fallback(self)``."""
        value = config_value(self, field)
        if value is not NOT_CONFIGURED:
            return value if build is None else build(value)
        parent = self._parent(getter)
        return parent() if parent is not None else fallback(self)

    def get_serializer_class(self):
        return self._configured("serializer_class", "get_serializer_class", _serializer_class_attribute)

    def get_request_serializer_class(self):
        return self._configured("request_serializer_class", "get_request_serializer_class", _serializer_class)

    def get_response_serializer_class(self):
        return self._configured("response_serializer_class", "get_response_serializer_class", _serializer_class)

    def get_pagination_class(self):
        return self._configured("pagination_class", "get_pagination_class")

    def get_permissions(self):
        return self._configured("permission_classes", "get_permissions", build=_instances)

    def get_throttles(self):
        return self._configured("throttle_classes", "get_throttles", build=_instances)

    def get_parsers(self):
        return self._configured("parser_classes", "get_parsers", build=_instances)

    def get_renderers(self):
        return self._configured("renderer_classes", "get_renderers", build=_instances)

    def get_queryset(self):
        value = config_value(self, "queryset")
        if value is not NOT_CONFIGURED:
            return _queryset_from(value, self)
        parent = self._parent("get_queryset")
        if getattr(self, "queryset", None) is None and (
            parent is None or parent.__func__ is GenericAPIView.get_queryset
        ):
            raise AssertionError(
                QUERYSET_GUIDANCE.format(cls=type(self).__name__, action=getattr(self, "action", None))
            )
        return parent() if parent is not None else _queryset_from(self.queryset, self)


class AsyncViewSetMixin(ActionConfigMixin, drf_viewsets.ViewSetMixin):
    """The base of every async viewset: an async ``as_view`` plus action-config-aware getters."""

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        """An async, csrf-exempt view callable for ``actions``, e.g. ``{"get": "list"}``.

        DRF's checks on ``actions`` and ``initkwargs`` apply; HEAD follows GET.
        """
        checked = super().as_view(actions, **initkwargs)
        _check_action_configs(cls)
        initkwargs = _with_configs(cls, initkwargs)
        _cache_actions(cls)
        bound = dict(actions)
        if "get" in bound and "head" not in bound:
            bound["head"] = bound["get"]

        async def view(request, *args, **kwargs):
            self = make_view(cls, initkwargs, bound, request, args, kwargs)
            return await self.dispatch(request, *args, **kwargs)

        view.__name__ = checked.__name__
        view.__qualname__ = checked.__qualname__
        view.__doc__ = checked.__doc__
        view.__module__ = checked.__module__
        view.__dict__.update(checked.__dict__)
        view.__dict__.pop("__wrapped__", None)
        view.csrf_exempt = True
        return atomic_by_dispatch(view)


class AsyncViewSet(AsyncViewSetMixin, AsyncAPIView):
    """No actions by default: write your own, e.g. with ``@action``."""


class AsyncGenericViewSet(AsyncViewSetMixin, AsyncGenericAPIView):
    """The generic surface with no actions: compose it with the async mixins."""


class AsyncReadOnlyModelViewSet(mixins.AsyncRetrieveModelMixin, mixins.AsyncListModelMixin, AsyncGenericViewSet):
    """list and retrieve."""


class AsyncModelViewSet(
    mixins.AsyncCreateModelMixin,
    mixins.AsyncRetrieveModelMixin,
    mixins.AsyncUpdateModelMixin,
    mixins.AsyncDestroyModelMixin,
    mixins.AsyncListModelMixin,
    AsyncGenericViewSet,
):
    """list, retrieve, create, update, partial_update and destroy."""


class _SyncActionConfigMixin(ActionConfigMixin, APIViewHelpersMixin):
    """Sets the action before DRF builds the Request, so per-action parsers apply; restflow's
    sync helpers (``serialized_response``, ``paginated_response``, request/response serializers)."""

    schema = ViewSchema()

    def initialize_request(self, request, *args, **kwargs):
        method = request.method.lower()
        self.action = "metadata" if method == "options" else self.action_map.get(method)
        return build_request(self, request)

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        _check_action_configs(cls)
        view = super().as_view(actions, **_with_configs(cls, initkwargs))
        _cache_actions(cls)
        return view


class ViewSet(_SyncActionConfigMixin, drf_viewsets.ViewSet):
    """DRF's ViewSet honouring ``action_configs``."""


class GenericViewSet(_SyncActionConfigMixin, drf_viewsets.GenericViewSet):
    """DRF's GenericViewSet honouring ``action_configs``."""


class ReadOnlyModelViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, GenericViewSet):
    """DRF's ReadOnlyModelViewSet honouring ``action_configs`` (response serializer included)."""


class ModelViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    GenericViewSet,
):
    """DRF's ModelViewSet honouring ``action_configs`` (request and response serializers included)."""

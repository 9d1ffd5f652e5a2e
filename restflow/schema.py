"""OpenAPI schemas that show each action's own request serializer, response serializer and paginator.

drf-spectacular asks a view for one serializer and reads its ``pagination_class`` attribute, so an
ActionConfig's per-action choices would not reach the schema. ``ViewSchema``, the ``schema`` of
restflow's views, builds DRF's ``DEFAULT_SCHEMA_CLASS`` as DRF does; when that class is
drf-spectacular's AutoSchema or a subclass of it, ``RestflowSchemaMixin`` is slotted in directly
above drf-spectacular's AutoSchema, so the project's own schema subclass and ``@extend_schema``
still take precedence. drf-spectacular is optional: nothing here imports it unless it is configured.
"""

import asyncio

from asgiref.sync import async_to_sync, iscoroutinefunction
from rest_framework.schemas.inspectors import ViewInspector
from rest_framework.settings import api_settings

from restflow._memo import per_class
from restflow.filters.backend import RestflowFilterBackend
from restflow.filters.filterset import FilterSet


def _has_mixin(view, name):
    """True when the view's class has restflow's model mixin ``name``. Found by name: the mixins sit
    above the serializer engine, and every view's schema (this module) sits below them."""
    return any(klass.__name__ == name and klass.__module__ == "restflow.mixins" for klass in type(view).__mro__)


class RestflowSchemaMixin:
    """Serializers and paginator from the view's per-action getters, for drf-spectacular's AutoSchema.

    Views without restflow's getters get drf-spectacular's defaults. To use it with a schema set on
    one view, mix it in first: ``class MySchema(RestflowSchemaMixin, AutoSchema)``.
    """

    def get_operation(self, *args, **kwargs):
        _settle_async_queryset(self.view)
        return super().get_operation(*args, **kwargs)

    def get_request_serializer(self):
        """The view's request serializer; drf-spectacular's choice when the view's getter gives none."""
        serializer = self._serializer_from("request") if hasattr(self.view, "get_request_serializer_class") else None
        return super().get_request_serializer() if serializer is None else serializer

    def get_response_serializers(self):
        """The view's response serializer; drf-spectacular's choice when the view's getter gives none."""
        serializer = self._serializer_from("response") if hasattr(self.view, "get_response_serializer_class") else None
        return super().get_response_serializers() if serializer is None else serializer

    def restflow_action_config(self):
        """The ActionConfig of the view's current action, or None."""
        return (getattr(self.view, "action_configs", None) or {}).get(getattr(self.view, "action", None))

    def restflow_serializer_class(self, direction):
        """The serializer class the view uses for ``direction`` ("request" or "response")."""
        return getattr(self.view, f"get_{direction}_serializer_class")()

    def resolved_pagination_class(self):
        """The view's pagination class, as ``get_pagination_class()`` resolves it for the action
        (a getter that fails is reported, as drf-spectacular does, and ``pagination_class`` read)."""
        from drf_spectacular.drainage import error

        try:
            return self.view.get_pagination_class()
        except Exception as exc:
            error(f"exception raised by get_pagination_class(); using pagination_class. (Exception: {exc})")
            return getattr(self.view, "pagination_class", None)

    def should_paginate(self):
        """Whether this operation answers pages: a GET that lists, on a view with a paginator."""
        if self.method != "GET" or not self._is_list_view():
            return False
        if not hasattr(self.view, "get_pagination_class"):
            return super()._get_paginator() is not None
        return self.resolved_pagination_class() is not None

    def get_filter_backends(self):
        """On a plain view (no ``filter_backends``), a restflow ``filterset_class`` documents its
        query parameters on GET, as restflow's filtering guide says."""
        backends = super().get_filter_backends()
        if backends or self.method != "GET" or hasattr(self.view, "filter_backends"):
            return backends
        filterset_class = getattr(self.view, "filterset_class", None)
        if isinstance(filterset_class, type) and issubclass(filterset_class, FilterSet):
            return [RestflowFilterBackend]
        return backends

    def _get_paginator(self):
        """The paginator of the view's action, as ``get_pagination_class()`` resolves it."""
        if not hasattr(self.view, "get_pagination_class"):
            return super()._get_paginator()
        if not self.should_paginate():
            return None
        pagination_class = self.resolved_pagination_class()
        return None if pagination_class is None else pagination_class()

    def _is_list_view(self, serializer=None):
        """A GET on a restflow non-viewset view lists when it is a list view, or is paginated and not a detail path."""
        if super()._is_list_view(serializer):
            return True
        view = self.view
        if self.method != "GET" or hasattr(view, "action") or not hasattr(view, "get_pagination_class"):
            return False
        if _has_mixin(view, "AsyncListModelMixin"):
            return True
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
        if lookup and "{" + lookup + "}" in self.path:
            return False
        return self.resolved_pagination_class() is not None

    def _is_create_operation(self):
        if (
            self.method == "POST"
            and not hasattr(self.view, "action")
            and _has_mixin(self.view, "AsyncCreateModelMixin")
        ):
            return True
        return super()._is_create_operation()

    def _serializer_from(self, direction):
        """An instance of the ``direction``'s serializer class; a getter that fails is reported (as
        drf-spectacular does)."""
        from drf_spectacular.drainage import error

        try:
            serializer_class = self.restflow_serializer_class(direction)
        except Exception as exc:
            error(
                f"exception raised by get_{direction}_serializer_class(); using the view's default serializer. "
                f"(Exception: {exc})"
            )
            return None
        if serializer_class is None:
            return None
        # drf-spectacular's context, built for views inspected without a request too.
        return serializer_class(
            context={"request": getattr(self.view, "request", None), "format": None, "view": self.view}
        )


def _settle_async_queryset(view):
    """Give the view the queryset its ``async def get_queryset`` returns, so drf-spectacular finds the model.

    drf-spectacular calls ``get_queryset()`` synchronously; schemas are generated
    outside the event loop (a sync view or a management command), where the
    coroutine can be run to completion.
    """
    if getattr(view, "queryset", None) is not None or not iscoroutinefunction(getattr(view, "get_queryset", None)):
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop in this thread: the coroutine can run here
        view.queryset = async_to_sync(view.get_queryset)()


@per_class
def with_restflow(schema_class):
    """``schema_class`` with ``RestflowSchemaMixin`` right above drf-spectacular's AutoSchema in its MRO.

    Other schema classes (DRF's own, or one already including the mixin) are returned unchanged.
    """
    try:
        from drf_spectacular.openapi import AutoSchema
    except ImportError:
        return schema_class
    if not issubclass(schema_class, AutoSchema) or issubclass(schema_class, RestflowSchemaMixin):
        return schema_class
    bases = (
        (RestflowSchemaMixin, AutoSchema)
        if schema_class is AutoSchema
        else (schema_class, RestflowSchemaMixin, AutoSchema)
    )
    return type(schema_class.__name__, bases, {"__module__": __name__})


class ViewSchema(ViewInspector):
    """The ``schema`` descriptor of restflow's views: ``DEFAULT_SCHEMA_CLASS``, via ``with_restflow``.

    A schema assigned to one view instance (drf-spectacular does so for ``@extend_schema`` on an
    action) wins, as with DRF's own descriptor.
    """

    def __get__(self, instance, owner):
        if instance in self.instance_schemas:
            return self.instance_schemas[instance]
        inspector = with_restflow(api_settings.DEFAULT_SCHEMA_CLASS)()
        inspector.view = instance
        return inspector

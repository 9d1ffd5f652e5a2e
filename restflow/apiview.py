"""AsyncAPIView: DRF's APIView with an async request pipeline."""

import inspect
from collections.abc import Mapping

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions, status
from rest_framework.metadata import SimpleMetadata
from rest_framework.response import Response
from rest_framework.views import APIView

from restflow._atomic import atomic_by_dispatch, atomic_databases, run_atomic
from restflow._request import build_request
from restflow._sync import in_thread, resolve
from restflow.authentication import aperform_authentication
from restflow.metadata import AsyncMetadata
from restflow.negotiation import negotiate
from restflow.permissions import afirst_denied, afirst_denied_object
from restflow.renderers import for_async_view, render_on_loop
from restflow.schema import ViewSchema
from restflow.settings import check_project_settings
from restflow._serializing import adata, ais_valid
from restflow.throttling import aallow_request

_PLAIN_ITEMS = (Mapping, str, int, float, bool, type(None))

# A misspelt RESTFLOW_SETTINGS key stops the project when its views load, not silently later.
check_project_settings()


def _is_async_handler(handler):
    """True for an ``async def`` handler, also behind a sync wrapper made with ``functools.wraps``.

    drf-spectacular's ``extend_schema_view`` replaces an inherited action with such a
    wrapper; calling it returns the action's coroutine, which must be awaited on the loop.
    """
    if iscoroutinefunction(handler):
        return True
    function = getattr(handler, "__func__", handler)
    return hasattr(function, "__wrapped__") and iscoroutinefunction(inspect.unwrap(function))


def _is_plain_data(value):
    """Already-serialized data: a mapping, or a list/tuple of mappings and primitives."""
    if isinstance(value, Mapping):
        return True
    return isinstance(value, (list, tuple)) and all(isinstance(item, _PLAIN_ITEMS) for item in value)


class AsyncAPIView(APIView):
    """An APIView whose dispatch is a coroutine: Django serves it without a thread hop.

    Authentication, permissions and throttles run through ``ainitial``; each may
    be sync or async. Handlers may be ``async def`` (awaited on the loop) or
    plain functions (run in one hop, so they may use the sync ORM).
    """

    view_is_async = True
    schema = ViewSchema()

    @classmethod
    def as_view(cls, **initkwargs):
        """DRF's view callable; Django leaves ATOMIC_REQUESTS to ``dispatch``, which honours it."""
        return atomic_by_dispatch(super().as_view(**initkwargs))

    async def dispatch(self, request, *args, **kwargs):
        """The request pipeline, inside the request's transaction when ATOMIC_REQUESTS asks for one."""
        databases = atomic_databases(self, request)
        if databases:
            return await in_thread(run_atomic, databases, self._dispatch, request, *args, **kwargs)
        return await self._dispatch(request, *args, **kwargs)

    async def _dispatch(self, request, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            await self.ainitial(request, *args, **kwargs)
            method = request.method.lower()
            handler = getattr(self, method, None) if method in self.http_method_names else None
            if handler is None:
                response = self.http_method_not_allowed(request, *args, **kwargs)
            elif _is_async_handler(handler):
                response = await handler(request, *args, **kwargs)
            else:
                response = await in_thread(handler, request, *args, **kwargs)
        except Exception as exc:
            response = await self.ahandle_exception(exc)
        self.response = await self.afinalize_response(request, response, *args, **kwargs)
        return self.response

    def initialize_request(self, request, *args, **kwargs):
        """DRF's Request, whose parsing answers 400 to a body nested too deeply."""
        return build_request(self, request)

    def perform_content_negotiation(self, request, force=False):
        """DRF's negotiation, its answer remembered per Accept header, format and renderers."""
        return negotiate(self, request, force)

    async def ainitial(self, request, *args, **kwargs):
        """Format suffix, negotiation and versioning, then the awaited policies, then ``initial``."""
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        await self.aperform_authentication(request)
        await self.acheck_permissions(request)
        await self.acheck_throttles(request)
        self.initial(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        """Sync hook run after the async policies; mixins extend it (drf-nested-routers does)."""

    async def aperform_authentication(self, request):
        await aperform_authentication(request)

    async def acheck_permissions(self, request):
        denied = await afirst_denied(self.get_permissions(), request, self)
        if denied is not None:
            self.permission_denied(
                request, message=getattr(denied, "message", None), code=getattr(denied, "code", None)
            )

    async def acheck_object_permissions(self, request, obj):
        denied = await afirst_denied_object(self.get_permissions(), request, self, obj)
        if denied is not None:
            self.permission_denied(
                request, message=getattr(denied, "message", None), code=getattr(denied, "code", None)
            )

    async def acheck_throttles(self, request):
        waits = [
            throttle.wait()
            for throttle in self.get_throttles()
            if not await aallow_request(throttle, request, self)
        ]
        if waits:
            self.throttled(request, max((wait for wait in waits if wait is not None), default=None))

    async def ahandle_exception(self, exc):
        """DRF's exception handling, awaiting an async exception handler."""
        if type(self).handle_exception is not APIView.handle_exception:
            return self.handle_exception(exc)
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            auth_header = self.get_authenticate_header(self.request)
            if auth_header:
                exc.auth_header = auth_header
            else:
                exc.status_code = status.HTTP_403_FORBIDDEN
        handler = self.get_exception_handler()
        response = await resolve(handler(exc, self.get_exception_handler_context()))
        if response is None:
            self.raise_uncaught_exception(exc)
        response.exception = True
        return response

    async def afinalize_response(self, request, response, *args, **kwargs):
        """DRF's ``finalize_response``; a JSON response is then rendered here, sparing Django a hop.

        DRF's browsable API, when negotiated, renders through restflow's subclass (it awaits an
        async ``get_queryset``); ``get_renderers()`` still gives the configured classes.
        """
        if hasattr(request, "accepted_renderer"):
            request.accepted_renderer = for_async_view(request.accepted_renderer)
        return render_on_loop(request, self.finalize_response(request, response, *args, **kwargs))

    async def options(self, request, *args, **kwargs):
        if self.metadata_class is None:
            return self.http_method_not_allowed(request, *args, **kwargs)
        metadata_class = AsyncMetadata if self.metadata_class is SimpleMetadata else self.metadata_class
        metadata = metadata_class()
        if hasattr(metadata, "adetermine_metadata"):
            data = await metadata.adetermine_metadata(request, self)
        else:
            data = await in_thread(metadata.determine_metadata, request, self)
        return Response(data, status=status.HTTP_200_OK)

    # Serializers

    def get_serializer_class(self):
        """The view's ``serializer_class``, or None: plain views may have none."""
        return getattr(self, "serializer_class", None)

    def get_request_serializer_class(self):
        """The serializer that validates request data; defaults to ``get_serializer_class()``."""
        return self.get_serializer_class()

    def get_response_serializer_class(self):
        """The serializer that renders responses; defaults to ``get_serializer_class()``."""
        return self.get_serializer_class()

    def get_serializer_context(self):
        return {"request": self.request, "format": self.format_kwarg, "view": self}

    def _build_serializer(self, serializer_class, args, kwargs):
        if serializer_class is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} has no serializer: set `serializer_class`, an "
                "ActionConfig serializer, or pass `serializer_class=`."
            )
        kwargs.setdefault("context", self.get_serializer_context())
        return serializer_class(*args, **kwargs)

    def get_request_serializer(self, *args, **kwargs):
        return self._build_serializer(self.get_request_serializer_class(), args, kwargs)

    def get_response_serializer(self, *args, **kwargs):
        return self._build_serializer(self.get_response_serializer_class(), args, kwargs)

    async def avalidated_serializer(self, data=None, serializer_class=None, **kwargs):
        """A request serializer bound to ``data`` (default: request data), validated; 400 when invalid."""
        if data is None:
            data = self.request.data
        serializer_class = serializer_class or self.get_request_serializer_class()
        serializer = self._build_serializer(serializer_class, (), dict(kwargs, data=data))
        await ais_valid(serializer, raise_exception=True)
        return serializer

    async def aserialized_response(
        self, instance_or_data, many=False, status=status.HTTP_200_OK, serializer_class=None, headers=None
    ):
        """A Response of ``instance_or_data`` through the response serializer.

        Plain data (a dict, or a list of dicts and primitives) is sent as it is
        unless ``serializer_class`` is given.
        """
        if serializer_class is None and _is_plain_data(instance_or_data):
            return Response(instance_or_data, status=status, headers=headers)
        serializer_class = serializer_class or self.get_response_serializer_class()
        serializer = self._build_serializer(serializer_class, (instance_or_data,), {"many": many})
        return Response(await adata(serializer), status=status, headers=headers)

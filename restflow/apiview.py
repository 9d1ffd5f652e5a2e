"""AsyncAPIView: DRF's APIView with an async request pipeline."""

from functools import cached_property

from asgiref.sync import iscoroutinefunction
from rest_framework import exceptions, status, views
from rest_framework.exceptions import NotFound
from rest_framework.metadata import SimpleMetadata
from rest_framework.response import Response
from rest_framework.views import APIView as DRFAPIView

from restflow._atomic import atomic_by_dispatch, atomic_databases, run_atomic
from restflow._core import NOT_CONFIGURED, config_value
from restflow._dispatch import is_async, plan_for
from restflow._postfetch import aperform_post_fetches
from restflow._request import build_request, light_request
from restflow._serializing import adata, ais_valid
from restflow._sync import ASYNC, HOP, STOCK, callable_from_sync, in_hop, in_thread, resolve, run_step
from restflow._view_helpers import APIViewHelpersMixin, alist, with_headers
from restflow.authentication import aauthenticate_when_read, aperform_authentication
from restflow.exceptions import exception_handler as restflow_exception_handler
from restflow.metadata import AsyncMetadata
from restflow.negotiation import negotiate
from restflow.pagination import apaginate
from restflow.permissions import afirst_denied, afirst_denied_object
from restflow.renderers import finish_light, for_async_view, render_on_loop
from restflow.schema import ViewSchema
from restflow.settings import check_project_settings
from restflow.throttling import aallow_request

# Exception handlers known to do no I/O: called on the loop.
_STOCK_EXCEPTION_HANDLERS = frozenset({views.exception_handler, restflow_exception_handler})

# A misspelt RESTFLOW_SETTINGS key stops the project when its views load, not silently later.
check_project_settings()


class AsyncAPIView(APIViewHelpersMixin, DRFAPIView):
    """An APIView whose dispatch is a coroutine: Django serves it without a thread hop.

    Authentication, permissions and throttles run through ``ainitial``; each may
    be sync or async. Handlers may be ``async def`` (awaited on the loop) or
    plain functions (run in one hop, so they may use the sync ORM).
    """

    view_is_async = True
    schema = ViewSchema()

    def __init_subclass__(cls, **kwargs):
        """A sync ``dispatch`` override (code written for DRF) runs in a hop, where its
        ``super().dispatch()`` answers as DRF's does (see ``callable_from_sync``)."""
        super().__init_subclass__(**kwargs)
        dispatch = cls.dispatch
        if not iscoroutinefunction(dispatch):
            cls.dispatch = in_hop(dispatch)

    @cached_property
    def _plan(self):
        """The class's dispatch plan (``restflow._dispatch``), looked up once per view instance."""
        return plan_for(type(self))

    @classmethod
    def as_view(cls, **initkwargs):
        """DRF's view callable; Django leaves ATOMIC_REQUESTS to ``dispatch``, which honours it."""
        return atomic_by_dispatch(super().as_view(**initkwargs))

    @callable_from_sync
    async def dispatch(self, request, *args, **kwargs):
        """The request pipeline, inside the request's transaction when ATOMIC_REQUESTS asks for one."""
        databases = atomic_databases(self, request)
        if databases:
            return await in_thread(run_atomic, databases, self._dispatch, request, *args, **kwargs)
        return await self._dispatch(request, *args, **kwargs)

    async def _dispatch(self, request, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs
        plan = self._plan
        if plan.light_request:  # the view's action is already set (make_view)
            request = light_request(self, request)
        else:
            request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = plan.headers(self) if plan.light_headers else self.default_response_headers
        try:
            await self.ainitial(request, *args, **kwargs)
            method = request.method.lower()
            handler = getattr(self, method, None) if method in self.http_method_names else None
            if handler is None:
                response = self.http_method_not_allowed(request, *args, **kwargs)
            else:
                # Plans name handlers by action on viewsets, by method elsewhere.
                how = plan.handler(getattr(self, "action_map", {}).get(method, method)).how
                if how is ASYNC:
                    response = await handler(request, *args, **kwargs)
                else:
                    response = await run_step(how, handler, request, *args, **kwargs)
        except Exception as exc:
            response = await self.ahandle_exception(exc)
        self.response = await self.afinalize_response(request, response, *args, **kwargs)
        return self.response

    def initialize_request(self, request, *args, **kwargs):
        """DRF's Request, whose parsing answers 400 to a body nested too deeply."""
        return build_request(self, request)

    def perform_content_negotiation(self, request, force=False):
        """DRF's negotiation, its answer remembered per Accept header, format and renderers."""
        if self._plan.light_negotiation:  # the classes get_renderers() would instantiate
            classes = config_value(self, "renderer_classes")
            return negotiate(self, request, force, self.renderer_classes if classes is NOT_CONFIGURED else classes)
        return negotiate(self, request, force)

    async def ainitial(self, request, *args, **kwargs):
        """Format suffix, negotiation and versioning, then the awaited policies, then ``initial``.

        An ``initial`` override runs as the class's plan says: awaited when async, in a hop when
        sync (written for DRF, it may query); restflow's own does nothing and is skipped.
        """
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        await self.aperform_authentication(request)
        await self.acheck_permissions(request)
        await self.acheck_throttles(request)
        how = self._plan.initial
        if how is not STOCK:
            await run_step(how, self.initial, request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        """Sync hook run after the async policies; mixins extend it (drf-nested-routers does)."""

    # Each async policy step calls the view's own override of DRF's sync step when the class has
    # one (code written for DRF): the plan says how (a sync one in a hop: it may query, and
    # skipping it would drop a check).

    async def aperform_authentication(self, request):
        how = self._plan.authentication
        if how is STOCK:
            return await aperform_authentication(request)
        await run_step(how, self.perform_authentication, request)
        if not hasattr(request, "_user"):  # left lazy: see aauthenticate_when_read
            await aauthenticate_when_read(request)

    async def acheck_permissions(self, request):
        how = self._plan.permissions
        if how is not STOCK:
            return await run_step(how, self.check_permissions, request)
        denied = await afirst_denied(self.get_permissions(), request, self)
        if denied is not None:
            self.permission_denied(
                request, message=getattr(denied, "message", None), code=getattr(denied, "code", None)
            )

    async def acheck_object_permissions(self, request, obj):
        how = self._plan.object_permissions
        if how is not STOCK:
            return await run_step(how, self.check_object_permissions, request, obj)
        denied = await afirst_denied_object(self.get_permissions(), request, self, obj)
        if denied is not None:
            self.permission_denied(
                request, message=getattr(denied, "message", None), code=getattr(denied, "code", None)
            )

    async def acheck_throttles(self, request):
        how = self._plan.throttles
        if how is not STOCK:
            return await run_step(how, self.check_throttles, request)
        waits = [
            throttle.wait() for throttle in self.get_throttles() if not await aallow_request(throttle, request, self)
        ]
        if waits:
            self.throttled(request, max((wait for wait in waits if wait is not None), default=None))

    async def ahandle_exception(self, exc):
        """DRF's exception handling, awaiting an async exception handler.

        A ``handle_exception`` override runs as the plan says (a sync one in a hop: it may query).
        """
        how = self._plan.exception_handling
        if how is not STOCK:
            return await run_step(how, self.handle_exception, exc)
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            auth_header = self.get_authenticate_header(self.request)
            if auth_header:
                exc.auth_header = auth_header
            else:
                exc.status_code = status.HTTP_403_FORBIDDEN
        handler = self.get_exception_handler()
        context = self.get_exception_handler_context()
        if handler in _STOCK_EXCEPTION_HANDLERS:
            response = handler(exc, context)
        else:  # a project's own handler: awaited when async, in a hop when sync (it may query)
            response = await run_step(ASYNC if is_async(handler) else HOP, handler, exc, context)
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
            if type(response) is Response and self._plan.light_finalize:
                return finish_light(self, request, response)
        return render_on_loop(request, self.finalize_response(request, response, *args, **kwargs))

    @callable_from_sync
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

    # Async helpers

    async def apaginate_queryset(self, queryset):
        """A page of objects, or None when pagination is off (a ``paginate_queryset`` override decides
        when the view has one)."""
        how = self._plan.pagination
        if how is not STOCK:
            return await run_step(how, self.paginate_queryset, queryset)
        if self.paginator is None:
            return None
        return await apaginate(self.paginator, queryset, self.request, self)

    async def avalidated_serializer(self, data=None, serializer_class=None, **kwargs):
        """A request serializer bound to ``data`` (default: request data), validated; 400 when invalid.

        A serializer with its own ``ais_valid`` is awaited through it.
        """
        if data is None:
            data = self.request.data
        serializer = self._serializer(data=data, serializer_class=serializer_class, direction="request", **kwargs)
        await ais_valid(serializer, raise_exception=True)
        return serializer

    async def aserialized_response(
        self,
        instance_or_data,
        many=False,
        status=status.HTTP_200_OK,
        serializer_class=None,
        headers=None,
        post_fetches=None,
    ):
        """A Response of ``instance_or_data`` through the response serializer, after the ``post_fetches``.

        Plain data (a dict, or a list of dicts and primitives) is sent as it is
        unless ``serializer_class`` is given.
        """
        instance_or_data = await aperform_post_fetches(instance_or_data, post_fetches, many=many)
        if self._plain(instance_or_data, serializer_class):
            return Response(instance_or_data, status=status, headers=headers)
        serializer = self._serializer(
            instance_or_data, many=many, serializer_class=serializer_class, direction="response"
        )
        return Response(await adata(serializer), status=status, headers=headers)

    async def apaginated_response(
        self, queryset, serializer_class=None, pagination_class=None, post_fetches=None, headers=None, **kwargs
    ):
        """Paginate, run the ``post_fetches`` on the page, serialize and answer.

        ``queryset`` may be the coroutine of an ``async def get_queryset()``. Without a
        pagination class (or when the paginator declines) the whole queryset is answered
        as a plain list. Other keyword arguments go to the serializer.
        """
        queryset = await resolve(queryset)
        self._use_pagination_class(pagination_class)
        try:
            page = await self.apaginate_queryset(queryset)
            objects = page if page is not None else await alist(queryset)
        except OverflowError:  # SQLite refuses an integer from the URL that is out of its range
            raise NotFound()
        objects = await aperform_post_fetches(objects, post_fetches)
        serializer = self._serializer(
            objects, many=True, serializer_class=serializer_class, direction="response", **kwargs
        )
        data = await adata(serializer)
        if page is None:
            return Response(data, headers=headers)
        return with_headers(self.get_paginated_response(data), headers)

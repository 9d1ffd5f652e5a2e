"""AsyncGenericAPIView and the concrete generic views, handlers named for HTTP methods."""

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS

from restflow import mixins
from restflow._changed_fields import remember_loaded
from restflow._sync import STOCK, callable_from_sync, in_thread, run_step
from restflow.apiview import AsyncAPIView

# DRF's filters that build a queryset without touching the database.
_QUERY_ONLY_BACKENDS = (SearchFilter.filter_queryset, OrderingFilter.filter_queryset)


class AsyncGenericAPIView(AsyncAPIView, GenericAPIView):
    """GenericAPIView on the async pipeline: aget_object, afilter_queryset, apaginate_queryset.

    The helpers (``apaginated_response`` and the rest) come from AsyncAPIView.
    """

    get_serializer_class = GenericAPIView.get_serializer_class
    get_serializer_context = GenericAPIView.get_serializer_context

    def __init_subclass__(cls, **kwargs):
        """An ``async def get_queryset`` also answers DRF's sync callers (model permissions, a
        ``get_object`` written for DRF) from their hop: see ``callable_from_sync``."""
        super().__init_subclass__(**kwargs)
        get_queryset = cls.get_queryset  # the class's own or a mixin's
        if iscoroutinefunction(get_queryset) and not getattr(get_queryset, "callable_from_sync", False):
            cls.get_queryset = callable_from_sync(get_queryset)

    async def aget_queryset(self):
        """``get_queryset()`` as the class's plan says, from what the code is.

        restflow's own (the class's ``queryset``, or the action's ActionConfig queryset) only
        builds a query and runs on the loop; an ``async def`` override is awaited; a sync
        override, or a sync ActionConfig callable, runs in one hop: DRF lets it query (code
        written for DRF often looks up the user's profile there). Write it ``async def`` to
        keep it on the loop.
        """
        how = self._plan.queryset_for(getattr(self, "action", None))
        if how is STOCK:
            return self.get_queryset()
        return await run_step(how, self.get_queryset)

    async def aget_object(self):
        """The object named by the URL: 404 when missing or malformed; object permissions checked.

        A view that overrides DRF's ``get_object`` gets it called (in a hop when sync).
        For a write, the loaded values are recorded before any user code sees the object: an
        update then writes what changed since (see ``restflow._changed_fields``).
        """
        how = self._plan.object_lookup
        if how is not STOCK:
            return await run_step(how, self.get_object)
        queryset = await self.afilter_queryset(await self.aget_queryset())
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        assert lookup_url_kwarg in self.kwargs, (
            f"Expected view {type(self).__name__} to be called with a URL keyword argument "
            f'named "{lookup_url_kwarg}". Fix your URL conf, or set the `.lookup_field` '
            "attribute on the view correctly."
        )
        lookup = {self.lookup_field: self.kwargs[lookup_url_kwarg]}
        try:
            obj = await queryset.aget(**lookup)
        except queryset.model.DoesNotExist:
            raise Http404(f"No {queryset.model._meta.object_name} matches the given query.")
        except (TypeError, ValueError, OverflowError, DjangoValidationError):
            raise Http404  # a malformed value: DRF's plain "Not found."
        if self.request.method not in SAFE_METHODS:
            remember_loaded(obj)  # only a write reads it
        await self.acheck_object_permissions(self.request, obj)
        return obj

    async def afilter_queryset(self, queryset):
        """Each filter backend in turn: ``afilter_queryset`` when it has one, else ``filter_queryset``.

        DRF's SearchFilter and OrderingFilter only build the query and run on the
        loop; any other sync backend (django-filter validates against the
        database) runs in a hop. A view that overrides DRF's ``filter_queryset`` gets it
        called instead (in a hop when sync).
        """
        how = self._plan.filtering
        if how is not STOCK:
            return await run_step(how, self.filter_queryset, queryset)
        for backend_class in self.filter_backends:
            backend = backend_class()
            if hasattr(backend, "afilter_queryset"):
                queryset = await backend.afilter_queryset(self.request, queryset, self)
            elif type(backend).filter_queryset in _QUERY_ONLY_BACKENDS:
                queryset = backend.filter_queryset(self.request, queryset, self)
            else:
                queryset = await in_thread(backend.filter_queryset, self.request, queryset, self)
        return queryset


# The handlers below are callable_from_sync: a sync override written for DRF (``def get(self,
# request): response = super().get(request); ...``) runs in a hop and gets the Response.


class AsyncCreateAPIView(mixins.AsyncCreateModelMixin, AsyncGenericAPIView):
    """POST creates."""

    @callable_from_sync
    async def post(self, request, *args, **kwargs):
        return await self.create(request, *args, **kwargs)


class AsyncListAPIView(mixins.AsyncListModelMixin, AsyncGenericAPIView):
    """GET lists."""

    @callable_from_sync
    async def get(self, request, *args, **kwargs):
        return await self.list(request, *args, **kwargs)


class AsyncRetrieveAPIView(mixins.AsyncRetrieveModelMixin, AsyncGenericAPIView):
    """GET retrieves one object."""

    @callable_from_sync
    async def get(self, request, *args, **kwargs):
        return await self.retrieve(request, *args, **kwargs)


class AsyncDestroyAPIView(mixins.AsyncDestroyModelMixin, AsyncGenericAPIView):
    """DELETE destroys one object."""

    @callable_from_sync
    async def delete(self, request, *args, **kwargs):
        return await self.destroy(request, *args, **kwargs)


class AsyncUpdateAPIView(mixins.AsyncUpdateModelMixin, AsyncGenericAPIView):
    """PUT updates, PATCH partially updates one object."""

    @callable_from_sync
    async def put(self, request, *args, **kwargs):
        return await self.update(request, *args, **kwargs)

    @callable_from_sync
    async def patch(self, request, *args, **kwargs):
        return await self.partial_update(request, *args, **kwargs)


class AsyncListCreateAPIView(AsyncListAPIView, AsyncCreateAPIView):
    """GET lists, POST creates."""


class AsyncRetrieveUpdateAPIView(AsyncRetrieveAPIView, AsyncUpdateAPIView):
    """GET, PUT and PATCH on one object."""


class AsyncRetrieveDestroyAPIView(AsyncRetrieveAPIView, AsyncDestroyAPIView):
    """GET and DELETE on one object."""


class AsyncRetrieveUpdateDestroyAPIView(AsyncRetrieveAPIView, AsyncUpdateAPIView, AsyncDestroyAPIView):
    """GET, PUT, PATCH and DELETE on one object."""

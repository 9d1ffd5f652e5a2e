"""Async model mixins: list, retrieve, create, update, destroy.

A write runs with its hook inside one transaction, in one hop: a hook that fails
after the save leaves nothing behind (a default save of one row, or Django's own
delete, needs none of ours: ``restflow._writes``). The hook is DRF's sync
``perform_*`` or restflow's async ``aperform_*``, whichever the class overrides
most specifically.
A unique-constraint race that slips past validation answers 400 in DRF's error
shape, not 500.

The actions are ``callable_from_sync``: a sync override written for DRF that
post-processes ``super().list(...)`` (it runs in a hop) gets the Response.
"""

from functools import partial

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.db import IntegrityError, router
from rest_framework import mixins as drf_mixins
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.serializers import ListSerializer
from rest_framework.settings import api_settings

from restflow._changed_fields import save_changed_fields
from restflow._serializing import adata, ais_valid, ais_valid_then, own_async
from restflow._sync import callable_from_sync, in_thread, prefers_async, run_step
from restflow._writes import run_write

CONFLICT_MESSAGE = "The data conflicts with data already stored; it was not saved."


def _write_database(view, serializer=None, instance=None):
    """The database a write goes to: the router's choice for the instance's, serializer's or view's model."""
    model = (
        (type(instance) if hasattr(instance, "_meta") else None)
        or getattr(getattr(serializer, "Meta", None), "model", None)
        or getattr(getattr(view, "queryset", None), "model", None)
    )
    return router.db_for_write(model) if model is not None else "default"


def _write_hook(view, name, default):
    """The view's write hook ``name`` (e.g. "perform_create") as a sync callable, or None for the default.

    The most specific override wins: whichever of DRF's sync ``perform_x`` and the async
    ``aperform_x`` the class's MRO reaches first (on one class, the async one). The
    hook is called in the write's hop; an async one runs back on the loop through
    ``async_to_sync``, and the queries it makes return to that hop's thread and
    transaction.
    """
    if not prefers_async(type(view), "a" + name, name):
        return getattr(view, name)
    hook = getattr(view, "a" + name)
    if getattr(hook, "__func__", None) is default:
        return None
    return async_to_sync(hook) if iscoroutinefunction(hook) else hook


async def _validate_and_write(serializer, write, using):
    """Validate, then ``write(serializer)`` in one transaction; validation shares the hop when it needs one."""
    try:
        await ais_valid_then(serializer, run_write, using, write, serializer)
    except IntegrityError:
        raise await _conflict(serializer)


def _default_write(serializer, plain):
    """The write when no hook is overridden (and what the default hooks do): the serializer's own
    ``asave`` when it has one (run back on the loop from the write's hop, inside its
    transaction), else ``plain``."""
    if own_async(serializer, "asave") is not None:
        return lambda serializer: async_to_sync(serializer.asave)()
    return plain


def _create(serializer):
    """The default create: ``save()``."""
    return _default_write(serializer, type(serializer).save)


def _update(serializer):
    """The default update: only the changed columns written (``restflow._changed_fields``)."""
    return _default_write(serializer, save_changed_fields)


async def _conflict(serializer):
    """The 400 for an IntegrityError: the serializer's own errors when revalidation finds them."""
    fresh = type(serializer)(
        instance=serializer.instance,
        data=serializer.initial_data,
        partial=serializer.partial,
        context=serializer.context,
    )
    if not await ais_valid(fresh, raise_exception=False):
        return ValidationError(fresh.errors)
    return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [CONFLICT_MESSAGE]}, code="conflict")


def _renders_as(serializer, response_class):
    """True when ``serializer`` renders as ``response_class``: one of it, or a list of it
    (``many=True``, as DRF's bulk-create recipe makes in ``get_serializer``)."""
    if isinstance(serializer, ListSerializer):
        return type(serializer.child) is response_class
    return type(serializer) is response_class


def _response_serializer(serializer, build):
    """``build(...)``: the response serializer for what ``serializer`` saved (a list of objects too)."""
    if isinstance(serializer, ListSerializer):
        return build(serializer.instance, many=True)
    return build(serializer.instance)


async def _response_data(view, serializer):
    """Representation of the saved object through the response serializer."""
    if _renders_as(serializer, view.get_response_serializer_class()):
        return await adata(serializer)
    return await adata(_response_serializer(serializer, view.get_response_serializer))


class AsyncListModelMixin:
    """List a queryset, paginated when the view has a paginator."""

    @callable_from_sync
    async def list(self, request, *args, **kwargs):
        queryset = await self.afilter_queryset(await self.aget_queryset())
        return await self.apaginated_response(queryset)


class AsyncRetrieveModelMixin:
    """Retrieve one object."""

    @callable_from_sync
    async def retrieve(self, request, *args, **kwargs):
        instance = await self.aget_object()
        return Response(await adata(self.get_response_serializer(instance)))


class AsyncCreateModelMixin:
    """Create an object: 201 with DRF's Location header when the data has a URL field."""

    @callable_from_sync
    async def create(self, request, *args, **kwargs):
        serializer = self.get_request_serializer(data=request.data)
        hook = _write_hook(self, "perform_create", AsyncCreateModelMixin.aperform_create)
        await _validate_and_write(serializer, hook or _create(serializer), _write_database(self, serializer))
        data = await _response_data(self, serializer)
        return Response(data, status=status.HTTP_201_CREATED, headers=self.get_success_headers(data))

    async def aperform_create(self, serializer):
        """Save the new object; override for side effects (they share its transaction).

        Not called unless an override calls it: the view runs the same write itself.
        """
        await in_thread(_create(serializer), serializer)

    def perform_create(self, serializer):
        """DRF's sync hook, for code written for DRF; an override runs in the write's hop."""
        _create(serializer)(serializer)

    def get_success_headers(self, data):
        try:
            return {"Location": str(data[api_settings.URL_FIELD_NAME])}
        except (TypeError, KeyError):
            return {}


class AsyncUpdateModelMixin:
    """Update an object (PUT) or some of its fields (PATCH), writing only changed fields."""

    @callable_from_sync
    async def update(self, request, *args, **kwargs):
        partial_update = kwargs.pop("partial", False)
        instance = await self.aget_object()
        serializer = self.get_request_serializer(instance, data=request.data, partial=partial_update)
        hook = _write_hook(self, "perform_update", AsyncUpdateModelMixin.aperform_update)
        await _validate_and_write(serializer, hook or _update(serializer), _write_database(self, serializer, instance))
        if getattr(instance, "_prefetched_objects_cache", None):
            instance._prefetched_objects_cache = {}
        return Response(await _response_data(self, serializer))

    @callable_from_sync
    async def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        how = self._plan.handler("update").how  # a sync override (DRF's) in a hop
        return await run_step(how, self.update, request, *args, **kwargs)

    async def aperform_update(self, serializer):
        """Save the changes; override for side effects (they share its transaction).

        Not called unless an override calls it: the view runs the same write itself.
        """
        await in_thread(_update(serializer), serializer)

    def perform_update(self, serializer):
        """DRF's sync hook, for code written for DRF; an override runs in the write's hop."""
        _update(serializer)(serializer)


class AsyncDestroyModelMixin:
    """Destroy an object: 204."""

    @callable_from_sync
    async def destroy(self, request, *args, **kwargs):
        instance = await self.aget_object()
        hook = _write_hook(self, "perform_destroy", AsyncDestroyModelMixin.aperform_destroy)
        await in_thread(run_write, _write_database(self, instance=instance), hook or type(instance).delete, instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

    async def aperform_destroy(self, instance):
        """Delete the object; override to archive instead (it runs in a transaction).

        Not called unless an override calls it: the view runs the same delete itself.
        """
        await in_thread(type(instance).delete, instance)

    def perform_destroy(self, instance):
        """DRF's sync hook, for code written for DRF; an override runs in the write's hop."""
        instance.delete()


# Sync mixins: DRF's, reading the request and response serializers apart when the view has
# restflow's helpers (``get_request_serializer_class`` / ``get_response_serializer_class``).


def _serializer(view, direction, *args, **kwargs):
    """A serializer of the view's ``direction`` ("request"/"response") class.

    restflow's helpers build it when the view has them; DRF's ``get_serializer`` does
    when the view has no directed classes or overrides ``get_serializer`` (code written
    for DRF, whose choice then holds).
    """
    helper = getattr(view, f"get_{direction}_serializer", None)
    if helper is not None:
        return helper(*args, **kwargs)  # they call a get_serializer override themselves
    getter = getattr(view, f"get_{direction}_serializer_class", None)
    if getter is None or type(view).get_serializer is not GenericAPIView.get_serializer:
        return view.get_serializer(*args, **kwargs)
    kwargs.setdefault("context", view.get_serializer_context())
    return getter()(*args, **kwargs)


def _response(view, serializer, status=status.HTTP_200_OK, success_headers=None):
    """The saved object through the response serializer (the request one's data when they are the same)."""
    response_class = getattr(view, "get_response_serializer_class", None)
    if response_class is not None and not _renders_as(serializer, response_class()):
        data = _response_serializer(serializer, partial(_serializer, view, "response")).data
    else:
        data = serializer.data
    return Response(data, status=status, headers=success_headers(data) if success_headers else None)


class CreateModelMixin(drf_mixins.CreateModelMixin):
    """DRF's create: validate with the request serializer, answer 201 with the response serializer."""

    def create(self, request, *args, **kwargs):
        serializer = _serializer(self, "request", data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return _response(self, serializer, status.HTTP_201_CREATED, self.get_success_headers)


class ListModelMixin(drf_mixins.ListModelMixin):
    """DRF's list, rendered with the response serializer."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = _serializer(self, "response", page if page is not None else queryset, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)


class RetrieveModelMixin(drf_mixins.RetrieveModelMixin):
    """DRF's retrieve, rendered with the response serializer."""

    def retrieve(self, request, *args, **kwargs):
        return Response(_serializer(self, "response", self.get_object()).data)


class UpdateModelMixin(drf_mixins.UpdateModelMixin):
    """DRF's update and partial_update: the request serializer validates, the response one renders."""

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = _serializer(self, "request", instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        if getattr(instance, "_prefetched_objects_cache", None):
            instance._prefetched_objects_cache = {}
        return _response(self, serializer)


class DestroyModelMixin(drf_mixins.DestroyModelMixin):
    """DRF's destroy."""

"""Async model mixins: list, retrieve, create, update, destroy.

Writes run with their ``aperform_*`` hook inside one transaction, since Django
does not apply ATOMIC_REQUESTS to async views: a hook that fails after the save
leaves nothing behind. A unique-constraint race that slips past validation
answers 400 in DRF's error shape, not 500.
"""

from asgiref.sync import iscoroutinefunction
from django.db import IntegrityError, router
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from restflow._sync import atomic_await, atomic_run, in_thread
from restflow._serializing import adata, ais_valid, ais_valid_then, asave, save_changed_fields

CONFLICT_MESSAGE = "The data conflicts with data already stored; it was not saved."


def _write_database(view, serializer=None, instance=None):
    """The database a write goes to: the router's choice for the instance's, serializer's or view's model."""
    model = (
        (type(instance) if hasattr(instance, "_meta") else None)
        or getattr(getattr(serializer, "Meta", None), "model", None)
        or getattr(getattr(view, "queryset", None), "model", None)
    )
    return router.db_for_write(model) if model is not None else "default"


async def _run_hook(hook, argument, using):
    """Run an overridden write hook in one transaction (an async one through the bridge)."""
    if iscoroutinefunction(hook):
        return await in_thread(atomic_await, using, hook, argument)
    return await in_thread(atomic_run, using, hook, argument)


def _is_default(hook, default):
    return getattr(hook, "__func__", None) is default


async def _validate_and_write(serializer, hook, default_hook, sync_default, using):
    """Validate, then write through the hook; the default hook shares validation's hop."""
    try:
        if _is_default(hook, default_hook):
            await ais_valid_then(serializer, atomic_run, using, sync_default, serializer)
        else:
            await ais_valid(serializer, raise_exception=True)
            await _run_hook(hook, serializer, using)
    except IntegrityError:
        raise await _conflict(serializer)


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


async def _response_data(view, serializer):
    """Representation of the saved object through the response serializer."""
    response_class = view.get_response_serializer_class()
    if response_class is type(serializer):
        return await adata(serializer)
    return await adata(view.get_response_serializer(serializer.instance))


class AsyncListModelMixin:
    """List a queryset, paginated when the view has a paginator."""

    async def list(self, request, *args, **kwargs):
        queryset = await self.afilter_queryset(await self.aget_queryset())
        return await self.apaginated_response(queryset)


class AsyncRetrieveModelMixin:
    """Retrieve one object."""

    async def retrieve(self, request, *args, **kwargs):
        instance = await self.aget_object()
        return Response(await adata(self.get_response_serializer(instance)))


class AsyncCreateModelMixin:
    """Create an object: 201 with DRF's Location header when the data has a URL field."""

    async def create(self, request, *args, **kwargs):
        serializer = self.get_request_serializer(data=request.data)
        await _validate_and_write(
            serializer, self.aperform_create, AsyncCreateModelMixin.aperform_create,
            type(serializer).save, _write_database(self, serializer),
        )
        data = await _response_data(self, serializer)
        return Response(data, status=status.HTTP_201_CREATED, headers=self.get_success_headers(data))

    async def aperform_create(self, serializer):
        """Save the new object; override for side effects (they share its transaction)."""
        await asave(serializer)

    def get_success_headers(self, data):
        try:
            return {"Location": str(data[api_settings.URL_FIELD_NAME])}
        except (TypeError, KeyError):
            return {}


class AsyncUpdateModelMixin:
    """Update an object (PUT) or some of its fields (PATCH), writing only changed fields."""

    async def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = await self.aget_object()
        serializer = self.get_request_serializer(instance, data=request.data, partial=partial)
        await _validate_and_write(
            serializer, self.aperform_update, AsyncUpdateModelMixin.aperform_update,
            save_changed_fields, _write_database(self, serializer, instance),
        )
        if getattr(instance, "_prefetched_objects_cache", None):
            instance._prefetched_objects_cache = {}
        return Response(await _response_data(self, serializer))

    async def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return await self.update(request, *args, **kwargs)

    async def aperform_update(self, serializer):
        """Save the changes; override for side effects (they share its transaction)."""
        await in_thread(save_changed_fields, serializer)


class AsyncDestroyModelMixin:
    """Destroy an object: 204."""

    async def destroy(self, request, *args, **kwargs):
        instance = await self.aget_object()
        using = _write_database(self, instance=instance)
        if _is_default(self.aperform_destroy, AsyncDestroyModelMixin.aperform_destroy):
            await in_thread(atomic_run, using, type(instance).delete, instance)
        else:
            await _run_hook(self.aperform_destroy, instance, using)
        return Response(status=status.HTTP_204_NO_CONTENT)

    async def aperform_destroy(self, instance):
        """Delete the object; override to archive instead (it runs in a transaction)."""
        await instance.adelete()

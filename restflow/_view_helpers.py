"""The serializer, pagination and response helpers every restflow view has, and the sync ``APIView``.

``AsyncAPIView`` (``restflow.apiview``) adds the async spellings (``aserialized_response``...)
on top of these.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Manager, QuerySet
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView as DRFAPIView

from restflow._postfetch import perform_post_fetches

_PLAIN_ITEMS = (Mapping, str, int, float, bool, type(None))


def _is_plain_data(value):
    """Already-serialized data: a mapping, or a list/tuple of mappings and primitives."""
    if isinstance(value, Mapping):
        return True
    return isinstance(value, (list, tuple)) and all(isinstance(item, _PLAIN_ITEMS) for item in value)


async def alist(objects):
    """Evaluate a queryset or manager with the async ORM, or any other iterable, into a list."""
    if isinstance(objects, Manager):
        objects = objects.all()
    if isinstance(objects, QuerySet):
        return [obj async for obj in objects]
    return list(objects)


def with_headers(response, headers):
    for name, value in (headers or {}).items():
        response[name] = value
    return response


_DIRECTIONS = {
    None: "get_serializer_class",
    "request": "get_request_serializer_class",
    "response": "get_response_serializer_class",
}


class PaginatorMixin:
    """``get_pagination_class()`` and the paginator built from it once per view."""

    def get_pagination_class(self):
        """The view's ``pagination_class`` (None: no pagination); override to choose per request."""
        return getattr(self, "pagination_class", None)

    @property
    def paginator(self):
        """The pagination class's instance, built once per view and kept on ``self._paginator``."""
        if not hasattr(self, "_paginator"):
            pagination_class = self.get_pagination_class()
            self._paginator = None if pagination_class is None else pagination_class()
        return self._paginator


class APIViewHelpersMixin(PaginatorMixin):
    """The serializer and response helpers of restflow's views, sync ones here, async ones on AsyncAPIView.

    ``request_serializer_class`` validates input and ``response_serializer_class`` renders
    output; each falls back to ``get_serializer_class()``.
    """

    request_serializer_class = None
    response_serializer_class = None
    # Declared so ``@action(throttle_scope=...)`` is accepted for ScopedRateThrottle (DRF
    # refuses initkwargs the class does not have); None means "no scope", as when absent.
    throttle_scope = None

    def get_serializer_class(self):
        """The view's ``serializer_class``, or None: plain views may have none."""
        return getattr(self, "serializer_class", None)

    def get_request_serializer_class(self):
        """The serializer that validates request data: ``request_serializer_class``, else ``get_serializer_class()``."""
        return self._directed_serializer_class("request_serializer_class")

    def get_response_serializer_class(self):
        """The serializer that renders responses: ``response_serializer_class``, else ``get_serializer_class()``."""
        return self._directed_serializer_class("response_serializer_class")

    def _directed_serializer_class(self, name):
        """``name`` unless this instance was given its own ``serializer_class`` (``@action(serializer_class=...)``):
        the action's serializer is more specific than a class-wide request/response class."""
        if name not in vars(self) and "serializer_class" in vars(self):
            return self.get_serializer_class()
        return getattr(self, name) or self.get_serializer_class()

    def get_serializer_context(self):
        return {"request": self.request, "format": self.format_kwarg, "view": self}

    def get_context(self):
        """The ``context`` of every serializer the helpers build (request, format, view)."""
        return self.get_serializer_context()

    def get_serializer(self, *args, serializer_class=None, direction=None, **kwargs):
        """A serializer with the view's context: ``serializer_class``, else the class for ``direction``.

        ``direction`` is None (``get_serializer_class()``), "request" or "response".
        """
        if serializer_class is None and direction is None:
            serializer_class, direction = getattr(self, "_serializer_choice", (None, None))
        if serializer_class is None:
            try:
                getter = _DIRECTIONS[direction]
            except KeyError:
                raise ValueError(f'direction must be None, "request" or "response", not {direction!r}.') from None
            serializer_class = getattr(self, getter)()
        if serializer_class is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} has no serializer: set `serializer_class` (or "
                "`request_serializer_class` / `response_serializer_class`), an ActionConfig "
                "serializer, or pass `serializer_class=`."
            )
        kwargs.setdefault("context", self.get_context())
        return serializer_class(*args, **kwargs)

    def get_request_serializer(self, *args, **kwargs):
        return self._serializer(*args, direction="request", **kwargs)

    def get_response_serializer(self, *args, **kwargs):
        return self._serializer(*args, direction="response", **kwargs)

    def _serializer(self, *args, serializer_class=None, direction=None, **kwargs):
        """``get_serializer()`` as the helpers call it, also when the view overrides it with DRF's signature.

        Such an override (code written for DRF) is called without restflow's two keywords; when it
        reaches restflow's ``get_serializer`` through ``super()``, that one still builds the class
        they name.
        """
        if type(self).get_serializer is APIViewHelpersMixin.get_serializer:
            return self.get_serializer(*args, serializer_class=serializer_class, direction=direction, **kwargs)
        self._serializer_choice = (serializer_class, direction)
        try:
            return self.get_serializer(*args, **kwargs)
        finally:
            del self._serializer_choice

    def get_paginated_response(self, data):
        """The paginator's response for a page of serialized ``data``."""
        assert self.paginator is not None, "get_paginated_response() needs a pagination class."
        return self.paginator.get_paginated_response(data)

    def _use_pagination_class(self, pagination_class):
        """Make an explicit ``pagination_class=`` the view's paginator (its links and page controls)."""
        if pagination_class is not None:
            self._paginator = pagination_class()

    def _plain(self, instance, serializer_class):
        """True when ``instance`` is already-serialized data to send as it is (no serializer asked for)."""
        return serializer_class is None and _is_plain_data(instance)

    def respond(self, data=None, status=status.HTTP_200_OK, headers=None):
        """``Response(data, status=status, headers=headers)``: the spelling restflow's throttling guide uses."""
        return Response(data, status=status, headers=headers)

    def validated_serializer(self, data=None, serializer_class=None, **kwargs):
        """A request serializer bound to ``data`` (default: request data), validated; 400 when invalid."""
        if data is None:
            data = self.request.data
        serializer = self._serializer(data=data, serializer_class=serializer_class, direction="request", **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer

    def serialized_response(
        self, instance, many=False, status=status.HTTP_200_OK, serializer_class=None, headers=None, post_fetches=None
    ):
        """A Response of ``instance`` through the response serializer, after the ``post_fetches``.

        Plain data (a dict, or a list of dicts and primitives) is sent as it is
        unless ``serializer_class`` is given.
        """
        instance = perform_post_fetches(instance, post_fetches, many=many)
        if self._plain(instance, serializer_class):
            return Response(instance, status=status, headers=headers)
        serializer = self._serializer(instance, many=many, serializer_class=serializer_class, direction="response")
        return Response(serializer.data, status=status, headers=headers)

    def paginated_response(
        self, queryset, serializer_class=None, pagination_class=None, post_fetches=None, headers=None, **kwargs
    ):
        """Paginate, run the ``post_fetches`` on the page, serialize and answer (sync code).

        Without a pagination class (or when the paginator declines) the whole queryset is
        answered as a plain list.
        """
        self._use_pagination_class(pagination_class)
        page = None if self.paginator is None else self.paginator.paginate_queryset(queryset, self.request, view=self)
        objects = perform_post_fetches(page if page is not None else queryset, post_fetches)
        serializer = self._serializer(
            objects, many=True, serializer_class=serializer_class, direction="response", **kwargs
        )
        if page is None:
            return Response(serializer.data, headers=headers)
        return with_headers(self.get_paginated_response(serializer.data), headers)


class APIView(APIViewHelpersMixin, DRFAPIView):
    """DRF's APIView (sync dispatch) with restflow's helpers: ``validated_serializer``,
    ``serialized_response``, ``paginated_response`` and the serializer getters."""

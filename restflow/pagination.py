"""DRF's paginators with an ``apaginate_queryset`` for async views, never blocking the loop.

``BasePagination`` is the base for custom paginators (its ``apaginate_queryset`` runs the sync
``paginate_queryset`` in one hop); ``FastPageNumberPagination`` pages without a COUNT query.

Each class keeps its DRF parent's settings, links and response shape; ``apaginate_queryset``
leaves the instance in the state the sync ``paginate_queryset`` would, so
``get_paginated_response``, the link getters and the browsable-API controls work unchanged.
Page-number and limit/offset pagination run their count and page query together in one hop
to the sync thread (Django's async ORM would take a hop for each); cursor pagination makes
its single query through the async ORM.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DataError, connections
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from restflow._compat import register_compat_paths
from restflow._sync import in_thread, prefers_async

__all__ = [
    "BasePagination",
    "CursorPagination",
    "FastPageNumberPagination",
    "LimitOffsetPagination",
    "PageNumberPagination",
    "apaginate",
]

# Largest row count a LIMIT may carry on SQLite and PostgreSQL (a signed 64-bit integer).
_SQL_INT_MAX = 2**63 - 1

# What a tampered cursor position can raise while it is converted, filtered on or sent to the DB.
_BAD_POSITION = (ValueError, TypeError, ArithmeticError, ValidationError, DataError)


async def _alist(objects):
    """Evaluate a queryset (slice) with one async query; lists pass through."""
    if hasattr(objects, "__aiter__"):
        return [obj async for obj in objects]
    return list(objects)


async def apaginate(paginator, queryset, request, view):
    """Paginate with any paginator: awaited when it is async-aware, one thread hop when not."""
    if prefers_async(type(paginator), "apaginate_queryset", "paginate_queryset"):
        return await paginator.apaginate_queryset(queryset, request, view=view)
    return await in_thread(paginator.paginate_queryset, queryset, request, view=view)


async def _in_one_hop(paginate, queryset, request, view):
    """Run a sync ``paginate`` (its count and its page fetch) in one hop; a list needs none."""
    if isinstance(queryset, QuerySet):
        return await in_thread(paginate, queryset, request, view)
    return paginate(queryset, request, view)


class BasePagination(pagination.BasePagination):
    """The base of a custom paginator: write the sync ``paginate_queryset`` and ``get_paginated_response``.

    Async views ask ``apaginate_queryset``, which runs ``paginate_queryset`` in one hop;
    override it to page with the async ORM instead.
    """

    async def apaginate_queryset(self, queryset, request, view=None):
        """The page's objects (None: no pagination for this request)."""
        return await in_thread(self.paginate_queryset, queryset, request, view=view)


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=4&page_size=100``: DRF's pagination, its count and page query sharing one hop."""

    async def apaginate_queryset(self, queryset, request, view=None):
        """Return the requested page's objects, or None when no page size is configured."""
        return await _in_one_hop(self.paginate_queryset, queryset, request, view)


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """``?limit=100&offset=400``: DRF's pagination, its count and window query sharing one hop."""

    def paginate_queryset(self, queryset, request, view=None):
        """Return the window's objects, or None when no limit is configured.

        ``limit`` and ``offset`` stay as the client sent them (links echo them, as DRF's do),
        but the database only ever sees a window clamped to the row count.
        """
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.count = self.get_count(queryset)
        self.offset = self.get_offset(request)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count == 0 or self.offset > self.count:
            return []
        return list(queryset[self.offset : min(self.offset + self.limit, self.count)])

    async def apaginate_queryset(self, queryset, request, view=None):
        """``paginate_queryset`` in one hop."""
        return await _in_one_hop(self.paginate_queryset, queryset, request, view)


def _descending(field):
    return field.startswith("-")


def _flip(ordering):
    """The opposite direction of an ``order_by`` tuple: ``("-created", "id")`` -> ``("created", "-id")``."""
    return tuple(field[1:] if _descending(field) else "-" + field for field in ordering)


class CursorPagination(pagination.CursorPagination):
    """Opaque ``?cursor=`` paging over a stable ordering: one query per page.

    A cursor whose position does not fit the ordering field (bad text, a number too large for
    the column) is answered with DRF's 404 "Invalid cursor" instead of a server error.
    ``ordering`` may also be one comma-separated string, e.g. ``"-created,-id"``.
    """

    def get_ordering(self, request, queryset, view):
        return tuple(
            part.strip()
            for field in super().get_ordering(request, queryset, view)
            for part in field.split(",")
            if part.strip()
        )

    async def apaginate_queryset(self, queryset, request, view=None):
        """Return the page's objects, or None when no page size is configured."""
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None

        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        offset, reverse, position = self.cursor or (0, False, None)

        # One row past the page tells whether another page follows, and where it starts.
        rows = await self._afetch(queryset, offset, reverse, position, self.page_size + 1)
        page = rows[: self.page_size]
        more = len(rows) > self.page_size
        further = (more, self._get_position_from_instance(rows[-1], self.ordering) if more else None)
        behind = (position is not None or offset > 0, position)
        if reverse:
            page.reverse()
            further, behind = behind, further

        self.page = page
        self.has_next, self.next_position = further
        self.has_previous, self.previous_position = behind
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    async def _afetch(self, queryset, offset, reverse, position, size):
        """Fetch up to ``size`` rows after ``offset`` past ``position``, walking back if ``reverse``."""
        ordering = _flip(self.ordering) if reverse else self.ordering
        queryset = queryset.order_by(*ordering)
        stop = min(offset + size, _SQL_INT_MAX)
        if position is None:
            return await _alist(queryset[offset:stop])

        field = ordering[0]
        lookup = field.lstrip("-") + ("__lt" if _descending(field) else "__gt")
        try:
            self._check_position(queryset, position)
            return await _alist(queryset.filter(**{lookup: position})[offset:stop])
        except _BAD_POSITION:
            raise NotFound(self.invalid_cursor_message)

    def _check_position(self, queryset, position):
        """Raise ValueError/ValidationError unless ``position`` is a value the ordering column holds.

        Django quietly treats out-of-range integers in comparisons as always/never true; a
        cursor can only carry such a value if it was tampered with, so it is rejected instead.
        """
        try:
            field = queryset.model._meta.get_field(self.ordering[0].lstrip("-"))
        except FieldDoesNotExist:  # an annotation: the database is the judge
            return
        value = field.to_python(position)
        ranges = connections[queryset.db].ops.integer_field_ranges
        low, high = ranges.get(field.get_internal_type(), (None, None))
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{position!r} is out of range for {field.name}")


class FastPageNumberPagination(PageNumberPagination):
    """``?page=4``: page-number pagination without the COUNT query.

    One query per page: it fetches one row more than the page size, so ``next`` is set
    exactly when another row exists. The response has ``next``, ``previous`` and ``results``
    but no ``count``. A page number that is not a positive integer, or an empty page past
    the first, is a 404 with ``invalid_page_message``; an empty first page is an empty list.
    ``page_size``, ``page_size_query_param`` and ``max_page_size`` work as in
    PageNumberPagination (``page=last`` does not: it would need the count).
    """

    def _window(self, request):
        """The slice of rows to read for the requested page (one more than a page, to know whether a
        next page exists), or None when no page size is configured."""
        self.request = request
        self.page_size_now = self.get_page_size(request)
        if not self.page_size_now:
            return None
        self.page_number = self._page_number(request)
        start = (self.page_number - 1) * self.page_size_now
        if start + self.page_size_now >= _SQL_INT_MAX:
            raise NotFound(self.invalid_page_message)
        return slice(start, start + self.page_size_now + 1)

    def paginate_queryset(self, queryset, request, view=None):
        """Return the requested page's objects, or None when no page size is configured."""
        window = self._window(request)
        return None if window is None else self._page(list(queryset[window]))

    async def apaginate_queryset(self, queryset, request, view=None):
        """``paginate_queryset`` with one async query (no hop for a queryset, none for a list)."""
        if not isinstance(queryset, QuerySet):
            return self.paginate_queryset(queryset, request, view)
        window = self._window(request)
        return None if window is None else self._page([obj async for obj in queryset[window]])

    def _page_number(self, request):
        raw = request.query_params.get(self.page_query_param, 1)
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise NotFound(self.invalid_page_message)
        return number

    def _page(self, rows):
        self.has_next = len(rows) > self.page_size_now
        self.page_objects = rows[: self.page_size_now]
        if not self.page_objects and self.page_number > 1:
            raise NotFound(self.invalid_page_message)
        self.display_page_controls = False
        return self.page_objects

    def get_next_link(self):
        if not self.has_next:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.page_number + 1)

    def get_previous_link(self):
        if self.page_number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.page_number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.page_number - 1)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        full = super().get_paginated_response_schema(schema)
        full["required"] = [name for name in full.get("required", []) if name != "count"]
        full["properties"].pop("count", None)
        return full


register_compat_paths(__name__)

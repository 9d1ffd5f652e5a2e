"""PostFetch: join related rows onto a list of objects after it was fetched (or paginated).

For what ``prefetch_related`` cannot express: a join that should only cover the page being
answered, the latest related row per item, rows on another database, or base items that are
dicts from ``.values()``. One extra query per call, whatever the page size.
"""

from django.db.models import Manager, QuerySet

from restflow._sync import in_thread


class PostFetch:
    """Attach rows of ``queryset`` to each base item, matched by ``**queries`` (secondary field=base field).

    ``limit=1`` attaches the first match or None; an integer N attaches a list of up to N
    matches; None attaches every match. ``order_by`` decides which matches come first.
    Matched rows are dicts of ``values`` (plus the join fields) and ``values_dict``
    expressions. Model instances get an attribute ``to_attr``, dicts get a key.
    """

    def __init__(self, queryset, to_attr, values, values_dict=None, limit=1, order_by=None, **queries):
        if not queries:
            raise TypeError(
                "PostFetch needs at least one join, given as secondary_field='base_field' (e.g. product_id='id')."
            )
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"PostFetch limit must be None or a positive integer, not {limit!r}.")
        self.queryset = _queryable(queryset, needs_order_by=bool(order_by))
        self.to_attr = to_attr
        self.values = list(values or ())
        self.values_dict = dict(values_dict or {})
        self.limit = limit
        self.order_by = list(order_by or ())
        self.queries = queries

    def fetch(self, base_items):
        """Attach the matches to each item (sync code; one query) and return the items as a list."""
        items = list(base_items)
        query = self._query(items)
        rows = [] if query is None else list(query)
        return self._attach(items, rows)

    async def afetch(self, base_items):
        """``fetch`` for async code: querysets (and anything async-iterable) are read on the async ORM,
        other iterables in one thread hop."""
        if isinstance(base_items, Manager):
            base_items = base_items.all()
        items = await _alist(base_items)
        query = self._query(items)
        rows = [] if query is None else await _alist(query)
        return self._attach(items, rows)

    # What a fetch does, in order.

    def _key(self, item, fields):
        """The tuple of ``fields`` read from ``item`` (a dict or an object); None when one is missing."""
        values = []
        for field in fields:
            value = item.get(field) if isinstance(item, dict) else getattr(item, field, None)
            if value is None:
                return None
            values.append(value)
        return tuple(values)

    def _query(self, items):
        """The join query for these items, or None when no item carries a join key (no query then)."""
        keys = [key for key in (self._key(item, self.queries.values()) for item in items) if key is not None]
        if not keys:
            return None
        lookups = {f"{field}__in": {key[i] for key in keys} for i, field in enumerate(self.queries)}
        fields = self.values + [field for field in self.queries if field not in self.values]
        query = self.queryset.filter(**lookups)
        if self.order_by:
            query = query.order_by(*self.order_by)
        return query.values(*fields, **self.values_dict)

    def _attach(self, items, rows):
        """Group ``rows`` by join key and set each item's ``to_attr`` from its group."""
        groups = {}
        for row in rows:
            key = self._key(row, self.queries)
            if key is not None:
                groups.setdefault(key, []).append(row)
        for item in items:
            key = self._key(item, self.queries.values())
            matches = groups.get(key, []) if key is not None else []
            if self.limit == 1:
                value = matches[0] if matches else None
            else:
                value = matches if self.limit is None else matches[: self.limit]
            if isinstance(item, dict):
                item[self.to_attr] = value
            else:
                setattr(item, self.to_attr, value)
        return items


def _queryable(queryset, needs_order_by):
    """``queryset`` as PostFetch queries it: a QuerySet, a Manager (its ``all()``), or any object with
    the QuerySet methods PostFetch calls (``filter``, ``values``, and ``order_by`` with ``order_by=``)."""
    if isinstance(queryset, Manager):
        return queryset.all()
    needed = ("filter", "values", "order_by") if needs_order_by else ("filter", "values")
    missing = [name for name in needed if not callable(getattr(queryset, name, None))]
    if missing:
        raise TypeError(
            f"PostFetch queryset must be a QuerySet, a Manager or an object with "
            f"{', '.join(name + '()' for name in needed)} methods; got {type(queryset).__name__}, which lacks "
            f"{', '.join(name + '()' for name in missing)}."
        )
    return queryset


async def _alist(iterable):
    """The items of ``iterable``: async-iterated when it can be (a QuerySet), else listed in a hop."""
    if hasattr(iterable, "__aiter__"):
        return [item async for item in iterable]
    if isinstance(iterable, (list, tuple)):
        return list(iterable)
    return await in_thread(list, iterable)


def perform_post_fetches(items, post_fetches, many=True):
    """Run each PostFetch on ``items`` (one object when ``many`` is False); return what to serialize."""
    if not post_fetches:
        return items
    target = list(items) if many else [items]
    for post_fetch in post_fetches:
        target = post_fetch.fetch(target)
    return target if many else target[0]


async def aperform_post_fetches(items, post_fetches, many=True):
    """``perform_post_fetches`` from async code: ``afetch`` when a fetcher has it, else ``fetch`` in a hop."""
    if not post_fetches:
        return items
    if many and isinstance(items, (QuerySet, Manager)):
        target = [item async for item in items.all()]
    else:
        target = list(items) if many else [items]
    for post_fetch in post_fetches:
        if hasattr(post_fetch, "afetch"):
            target = await post_fetch.afetch(target)
        else:
            target = await in_thread(post_fetch.fetch, target)
    return target if many else target[0]

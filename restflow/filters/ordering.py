"""Ordering: ``order_by=-price,name`` checked against an allow-list (``OrderField``)."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from restflow.filters.fields import Field
from restflow.filters.lookups import Param


class OrderingTerm(serializers.Field):
    """Parses one term of an ordering parameter: an accepted name, optionally prefixed with ``-``."""

    def __init__(self, names, **kwargs):
        super().__init__(**kwargs)
        self.names = names

    def to_internal_value(self, data):
        if data.removeprefix("-") not in self.names:
            raise serializers.ValidationError(
                f'"{data}" is not an accepted ordering. Accepted: {", ".join(self.names)}; '
                'prefix a name with "-" for descending order.'
            )
        return data


class OrderField(Field):
    """``order_by=-price,name`` against an allow-list.

    ``fields`` lists ``(query value, ORM path)`` pairs, plain names (value and path alike) or a
    dict of value -> path. ``labels`` lists ``(value, label)`` pairs for the schema; ``default``
    lists the values applied when the parameter is absent; ``override_order_direction="desc"``
    reverses the meaning of the ``-`` prefix.
    """

    lookup_categories = ()

    def __init__(self, fields, *, labels=None, default=None, override_order_direction=None, help_text=""):
        if override_order_direction not in (None, "asc", "desc"):
            raise ImproperlyConfigured('override_order_direction is "asc" or "desc".')
        pairs = (
            fields.items()
            if isinstance(fields, dict)
            else [(item, item) if isinstance(item, str) else tuple(item) for item in fields]
        )
        self.paths = dict(pairs)
        if not self.paths:
            raise ImproperlyConfigured("An ordering needs at least one accepted field.")
        self.labels = order_labels(labels, self.paths)
        self.default = list(default or [])  # accepted values, or ORM paths
        self.descending_by_default = override_order_direction == "desc"
        super().__init__(help_text=help_text, allow_negate=False)
        self._kwargs = {
            "fields": fields,
            "labels": labels,
            "default": default,
            "override_order_direction": override_order_direction,
            "help_text": help_text,
        }

    def make_parser(self):
        return OrderingTerm(list(self.paths))

    def bind(self, name, **_):
        self.name = name
        self.params = [Param(name, self, None, self.parser, many=True, help_text=self.help_text)]
        return self.params

    def order_by(self, terms, queryset=None):
        """ORM ``order_by`` arguments for validated terms. A value mapped to a to-many relation
        (``("review_count", "reviews")``) orders by the queryset's annotation of that name, when a
        preprocessor added one: ordering by the relation itself would repeat rows."""
        ordering = []
        for term in terms:
            name = term.removeprefix("-")
            descending = term.startswith("-") != self.descending_by_default
            path = self.paths.get(name, name)
            if path.startswith("-"):
                descending, path = not descending, path[1:]
            if queryset is not None and name in queryset.query.annotations and _to_many(queryset.model, path):
                path = name
            ordering.append(("-" if descending else "") + path)
        return ordering


def _to_many(model, path):
    try:
        field = model._meta.get_field(path)
    except Exception:  # a path through relations, or an annotation: not a plain to-many relation
        return False
    return field.is_relation and (field.one_to_many or field.many_to_many)


def order_labels(labels, paths):
    """Labels by accepted value, from ``(value, label)`` pairs (or the older ``(label, value)``)."""
    result = {}
    for first, second in labels or ():
        if first in paths:
            result[first] = second
        elif second in paths:
            result[second] = first
        else:
            raise ImproperlyConfigured(f"Ordering label ({first!r}, {second!r}) names no accepted ordering field.")
    return result

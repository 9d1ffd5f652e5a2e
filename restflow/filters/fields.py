"""Filter fields: which query parameters a FilterSet accepts and how their values parse.

Each field wraps a DRF serializer field, so a query parameter is parsed, validated and reported
exactly like a request body value. Binding a field to a name expands its lookups into ``Param``
objects, one per accepted query parameter (``price``, ``price__gte``, ``status!`` ...).
"""

import datetime
import decimal
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from rest_framework import serializers

COMPARISON = ("gt", "gte", "lt", "lte")
TEXT = ("exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith")
BASIC = ("exact", "in", "isnull")
# Date parts parse as bounded integers; the bounds keep year lookups inside what Python's datetime
# can represent after time-zone conversion.
DATE_PARTS = {"year": (2, 9998), "month": (1, 12), "day": (1, 31)}
MAX_LIST_ITEMS = 1000


@dataclass(frozen=True)
class Param:
    """One accepted query parameter, e.g. ``price__gte``: the ``gte`` lookup of field ``price``."""

    name: str
    field: "Field"
    lookup: str | None  # None for method and ordering fields
    parser: serializers.Field  # parses one value (one item of a list)
    many: bool = False  # the value is a comma-separated list
    negated: bool = False  # the name ends with "!" and the condition is inverted

    def parse(self, raw_values):
        """Validate the non-empty strings given for this parameter; raise DRF's ValidationError."""
        if not self.many:
            return self.parser.run_validation(raw_values[-1])
        items = [item.strip() for raw in raw_values for item in raw.split(",") if item.strip()]
        if len(items) > MAX_LIST_ITEMS:
            raise serializers.ValidationError(f"Ensure there are no more than {MAX_LIST_ITEMS} values.")
        return [self.parser.run_validation(item) for item in items]

    def to_q(self, value):
        """The condition this parameter adds to the combined filter."""
        q = Q(**{f"{self.field.path}__{self.lookup}": value})
        return ~q if self.negated else q


class Field:
    """A filter on one model attribute, reachable through one query parameter per lookup.

    ``lookups`` lists lookup names and group names; ``filter_by`` filters a different ORM path;
    ``method`` names a FilterSet method that builds the filter itself; ``negate=True`` also accepts
    each parameter with a trailing ``!``. Other keyword arguments go to the DRF field that parses
    the value (``min_value``, ``max_length``, ``validators``...).
    """

    parser_class = serializers.CharField
    lookup_groups = {"comparison": COMPARISON, "text": TEXT, "basic": BASIC}
    default_lookups = ("exact",)
    bare_lookup = "exact"  # the lookup whose parameter is the plain field name
    many = False

    def __init__(
        self, *, lookups=None, filter_by=None, method=None, required=False, negate=False, help_text="", **options
    ):
        if method and (lookups or negate):
            raise ImproperlyConfigured("A field with a method takes neither lookups nor negate.")
        self.lookups = self._expand(lookups or self.default_lookups)
        self.filter_by = filter_by
        self.method = method
        self.required = required
        self.negate = negate
        self.help_text = help_text
        self.options = options
        self.parser = self.make_parser()

    def _expand(self, names):
        accepted = {lookup for group in self.lookup_groups.values() for lookup in group}
        lookups = []
        for name in names:
            for lookup in self.lookup_groups.get(name, (name,)):
                if lookup not in accepted:
                    raise ImproperlyConfigured(
                        f"{type(self).__name__} has no lookup {lookup!r}; accepted: "
                        f"{', '.join(sorted(accepted))} and groups {', '.join(self.lookup_groups)}."
                    )
                if lookup not in lookups:
                    lookups.append(lookup)
        return lookups

    def make_parser(self):
        """The DRF field that parses this field's values."""
        return self.parser_class(**self.options)

    def parser_for(self, lookup):
        """The DRF field that parses a lookup's value, and whether the value is a list."""
        if lookup == "isnull":
            return serializers.BooleanField(), False
        if lookup in DATE_PARTS:
            low, high = DATE_PARTS[lookup]
            return serializers.IntegerField(min_value=low, max_value=high), False
        return self.parser, self.many or lookup == "in"

    def bind(self, name):
        """Attach the field to its FilterSet attribute name and return its query parameters."""
        self.name = name
        self.path = self.filter_by or name
        if self.method:
            self.params = [Param(name, self, None, self.parser, self.many)]
            return self.params
        self.params = []
        for lookup in self.lookups:
            param_name = name if lookup == self.bare_lookup else f"{name}__{lookup}"
            parser, many = self.parser_for(lookup)
            self.params.append(Param(param_name, self, lookup, parser, many))
            if self.negate:
                self.params.append(Param(param_name + "!", self, lookup, parser, many, negated=True))
        return self.params


class StringField(Field):
    """Text, parsed by DRF's CharField (surrounding whitespace trimmed, NUL characters refused)."""


class IntegerField(Field):
    """Integers; limited to the signed 64-bit range unless ``min_value``/``max_value`` say otherwise."""

    parser_class = serializers.IntegerField

    def make_parser(self):
        return self.parser_class(**{"min_value": -(2**63), "max_value": 2**63 - 1, **self.options})


class FloatField(Field):
    """Finite floating-point numbers."""

    parser_class = serializers.FloatField


class DecimalField(Field):
    """Decimals. Digits are bounded (40 in total, 20 after the point, by default) so that no value
    overflows a database's numeric type; fields generated from a model use the column's bounds."""

    parser_class = serializers.DecimalField

    def make_parser(self):
        return self.parser_class(**{"max_digits": 40, "decimal_places": 20, **self.options})


class BooleanField(Field):
    """Booleans: true/false, 1/0, yes/no, on/off."""

    parser_class = serializers.BooleanField


class DateField(Field):
    """ISO 8601 dates; the ``date`` group adds year, month, day and comparisons."""

    parser_class = serializers.DateField
    lookup_groups = {**Field.lookup_groups, "date": ("year", "month", "day", *COMPARISON)}


class DateTimeParser(serializers.DateTimeField):
    """DRF's DateTimeField, refusing (instead of crashing on) date-times that leave Python's range
    when converted between time zones, such as a naive 9999-12-31T23:00 in a zone behind UTC."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError:
            raise serializers.ValidationError("Date and time out of range.", code="overflow") from None


class DateTimeField(Field):
    """ISO 8601 date-times; the ``date`` group adds date, year, month, day and comparisons."""

    parser_class = DateTimeParser
    lookup_groups = {**Field.lookup_groups, "date": ("date", "year", "month", "day", *COMPARISON)}

    def parser_for(self, lookup):
        if lookup == "date":
            return serializers.DateField(), False
        return super().parser_for(lookup)


class ChoiceField(Field):
    """One of ``choices``; an invalid value's error lists the accepted ones."""

    parser_class = serializers.ChoiceField

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def make_parser(self):
        parser = self.parser_class(self.choices, **self.options)
        accepted = ", ".join(str(choice) for choice in parser.choices)
        parser.error_messages["invalid_choice"] = f'"{{input}}" is not a valid choice. Accepted: {accepted}.'
        return parser


class MultipleChoiceField(ChoiceField):
    """Several of ``choices``, comma-separated or repeated: ``status=draft,active``."""

    lookup_groups = {"in": ("in",)}
    default_lookups = ("in",)
    bare_lookup = "in"
    many = True


class ListField(Field):
    """A comma-separated (or repeated) list of ``child`` values, matched with ``__in``."""

    lookup_groups = {"in": ("in",)}
    default_lookups = ("in",)
    bare_lookup = "in"
    many = True

    def __init__(self, child=None, **kwargs):
        self.child = child or StringField()
        super().__init__(**kwargs)

    def make_parser(self):
        return self.child.parser


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
    """``ordering=-price,name`` against an allow-list.

    ``fields`` is a list of accepted names, or a dict mapping accepted names to ORM paths.
    """

    lookup_groups = {}
    default_lookups = ()
    many = True

    def __init__(self, fields, **kwargs):
        self.paths = fields if isinstance(fields, dict) else {name: name for name in fields}
        super().__init__(**kwargs)

    def make_parser(self):
        return OrderingTerm(list(self.paths))

    def bind(self, name):
        self.name = self.path = name
        self.params = [Param(name, self, None, self.parser, many=True)]
        return self.params

    def order_by(self, terms):
        """ORM ``order_by`` arguments for validated terms."""
        return [("-" if term.startswith("-") else "") + self.paths[term.removeprefix("-")] for term in terms]


ANNOTATIONS = {
    str: StringField,
    int: IntegerField,
    float: FloatField,
    decimal.Decimal: DecimalField,
    bool: BooleanField,
    datetime.date: DateField,
    datetime.datetime: DateTimeField,
}


def field_for_annotation(name, annotation):
    """The field for ``name: <type>`` in a FilterSet body: an exact-match filter."""
    try:
        return ANNOTATIONS[annotation]()
    except (KeyError, TypeError):
        accepted = ", ".join(kind.__name__ for kind in ANNOTATIONS)
        raise ImproperlyConfigured(f"Cannot filter {name!r} by annotation {annotation!r}; accepted: {accepted}.") from None

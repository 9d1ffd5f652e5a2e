"""Which lookups a filter field accepts, and ``Param``: one accepted query parameter."""

from dataclasses import dataclass

from rest_framework import serializers

LOOKUP_GROUPS = {
    "basic": ("exact", "in", "isnull"),
    "text": ("icontains", "contains", "startswith", "endswith", "iexact", "istartswith", "iendswith"),
    "comparison": ("gt", "gte", "lt", "lte"),
    "date": ("date", "year", "month", "day", "week", "week_day", "quarter"),
    "time": ("time", "hour", "minute", "second"),
    "postgres": ("search", "trigram_similar", "unaccent"),
    "pg_array": ("contains", "overlap", "contained_by"),
    "unsafe": ("regex", "iregex"),
}
# Parts of a date or time, parsed as bounded integers (never as dates). Year bounds keep values
# inside what Python's datetime represents after a time-zone conversion.
PARTS = {
    "year": (2, 9998),
    "iso_year": (2, 9998),
    "month": (1, 12),
    "day": (1, 31),
    "week": (1, 53),
    "week_day": (1, 7),
    "iso_week_day": (1, 7),
    "quarter": (1, 4),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}
DATE_PARTS = {"year", "iso_year", "month", "day", "week", "week_day", "iso_week_day", "quarter"}
TIME_PARTS = {"hour", "minute", "second"}
SCALAR_LOOKUPS = {"exact", "in", "isnull", "gt", "gte", "lt", "lte", "range"}
TEXT_SEARCH_LOOKUPS = {"search", "trigram_similar", "trigram_word_similar", "unaccent"}
TEXT_LOOKUPS = {
    "iexact",
    "contains",
    "icontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "regex",
    "iregex",
    *TEXT_SEARCH_LOOKUPS,
}
ARRAY_LOOKUPS = {"in", "isnull", "exact", "contains", "overlap", "contained_by"}
# The value is a fragment, a pattern or a query, not a whole value (an e-mail's domain...).
FREE_TEXT_LOOKUPS = TEXT_LOOKUPS - {"iexact"}
LIST_VALUED_SUFFIXES = ("in", "range", "overlap", "contains", "contained_by", "exact")  # take the whole list
ALIASES = {"overlaps": "overlap"}  # the documented name of Django's array lookup ``overlap``
MAX_LIST_ITEMS = 1000


@dataclass(frozen=True)
class Param:
    """One accepted query parameter, e.g. ``price__gte!``: the negated ``gte`` lookup of ``price``."""

    name: str
    field: object  # the filters.fields.Field it belongs to
    lookup: str | None  # the ORM lookup; None for the bare parameter
    parser: serializers.Field  # parses the value, or one item of a list
    many: bool = False  # the value is a comma-separated (or repeated) list
    negated: bool = False  # the condition is inverted
    help_text: str = ""
    suffix: str | None = None  # the query-string suffix of a lookup parameter (an alias or the lookup)

    def parse(self, raw_values):
        """Validate the strings given for this parameter; raise DRF's ValidationError."""
        if not self.many:
            return self.parser.run_validation(raw_values[-1])
        items = [item.strip() for raw in raw_values for item in raw.split(",") if item.strip()]
        if len(items) > MAX_LIST_ITEMS:
            raise serializers.ValidationError(f"Ensure there are no more than {MAX_LIST_ITEMS} values.")
        if self.lookup == "range" and len(items) != 2:
            raise serializers.ValidationError("A range takes two comma-separated values: low,high.")
        if isinstance(self.parser, serializers.ListField):
            return self.parser.run_validation(items)
        return [self.parser.run_validation(item) for item in items]

    @property
    def calls_method(self):
        return self.lookup is None and self.field.method is not None

    def to_q(self, value):
        """The condition this parameter adds to the combined filter."""
        q = self.field.condition(self.lookup, value)
        return ~q if self.negated else q

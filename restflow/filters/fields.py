"""Filter fields: which query parameters a FilterSet accepts and how their values parse.

Each field wraps a DRF serializer field, so a query parameter is parsed, validated and reported
exactly like a request body value. Binding a field to a name expands it into ``Param`` objects, one
per accepted query parameter: the bare name, one per lookup (``price__gte``), and the negated form
of each (``price!``, ``price__gte!``).
"""

import copy
import inspect

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from rest_framework import serializers

from restflow._memo import per_class
from restflow.filters.lookups import (
    ALIASES,
    ARRAY_LOOKUPS,
    DATE_PARTS,
    FREE_TEXT_LOOKUPS,
    LIST_VALUED_SUFFIXES,
    LOOKUP_GROUPS,
    PARTS,
    SCALAR_LOOKUPS,
    TEXT_LOOKUPS,
    TIME_PARTS,
    Param,
)


class Field:
    """A filter on one model attribute, reachable through one query parameter per lookup.

    ``db_field`` is the ORM path (default: the field's name); ``filter_by`` (formerly
    ``lookup_expr``) replaces the bare parameter's condition with a complete ORM expression or a
    callable ``f(value) -> Q | dict``; ``method`` names a FilterSet method (or is a callable) that
    builds the condition itself; ``lookups`` adds one parameter per lookup on top of the bare one;
    ``negate=True`` inverts the field's conditions; ``allow_negate=False`` drops the ``!`` forms.
    Other keyword arguments go to the DRF field that parses the value (``min_value``,
    ``max_length``, ``validators``...).
    """

    parser_class = serializers.CharField
    lookup_categories: tuple[str, ...] = ("basic", "text")  # what ``lookups="__all__"`` expands to
    extra_lookups = frozenset(TEXT_LOOKUPS)  # lookups this type accepts beyond the comparisons
    many = False  # every value is a list

    def __init__(
        self,
        *,
        db_field=None,
        filter_by=None,
        lookup_expr=None,
        lookups=None,
        lookup_separator=None,
        method=None,
        negate=False,
        allow_negate=None,
        required=False,
        help_text="",
        **options,
    ):
        if lookup_expr is not None:
            if filter_by is not None:
                raise ImproperlyConfigured("Give filter_by or its former name lookup_expr, not both.")
            filter_by = lookup_expr
        if method is not None and filter_by is not None:
            raise ImproperlyConfigured("A field takes method or filter_by, not both.")
        if method is not None and not (isinstance(method, str) or callable(method)):
            raise TypeError("method is the name of a FilterSet method, or a callable.")
        if filter_by is not None and not (isinstance(filter_by, str) or callable(filter_by)):
            raise TypeError("filter_by is an ORM expression string, or a callable returning a Q or a dict.")
        if (method is not None or filter_by is not None) and lookups and not db_field:
            raise ImproperlyConfigured(
                "Lookups need a base column when method or filter_by is set: add db_field=... "
                "(the ORM path the lookup parameters filter)."
            )
        self.db_field = db_field or None
        self.filter_by = filter_by
        self.method = method
        self.negate = negate
        self.allow_negate = allow_negate
        self.required = required
        self.help_text = help_text
        self.lookup_separator = lookup_separator
        self.options = options
        self.lookups = self._variants(lookups)
        self.parser = self.make_parser()
        self._kwargs = {
            "db_field": db_field,
            "filter_by": filter_by,
            "lookups": lookups,
            "lookup_separator": lookup_separator,
            "method": method,
            "negate": negate,
            "allow_negate": allow_negate,
            "required": required,
            "help_text": help_text,
            **options,
        }

    def accepts(self, lookup):
        """Whether this field type can filter with the ORM lookup ``lookup``."""
        return lookup in SCALAR_LOOKUPS or lookup in self.extra_lookups

    def _variants(self, lookups):
        """``(suffix, ORM lookup, help text)`` for each lookup parameter, from any documented form."""
        if not lookups:
            return []
        if lookups == "__all__":
            lookups = list(self.lookup_categories)
        elif isinstance(lookups, str):
            lookups = [lookups]
        if isinstance(lookups, dict):
            items = []
            for suffix, spec in lookups.items():
                if isinstance(spec, str):
                    items.append((suffix, spec, None, False))
                elif isinstance(spec, dict) and set(spec) <= {"lookup", "help_text"}:
                    items.append((suffix, spec.get("lookup", suffix), spec.get("help_text"), suffix in LOOKUP_GROUPS))
                elif spec is None:
                    items.append((suffix, suffix, None, True))
                else:
                    raise ImproperlyConfigured(
                        f"lookups[{suffix!r}] is {spec!r}; give an ORM lookup name or "
                        '{"lookup": ..., "help_text": ...}.'
                    )
        elif isinstance(lookups, (list, tuple)):
            items = [(name, name, None, True) for name in lookups]
        else:
            raise ImproperlyConfigured(f"lookups is {lookups!r}; give a list, a dict or '__all__'.")
        variants = {}
        for suffix, orm, help_text, expandable in items:
            members = [m for m in LOOKUP_GROUPS.get(orm, ()) if self.accepts(m)] if expandable else []
            if members:
                # A group adds the members this type supports (DateField has no ``date`` part).
                for member in members:
                    variants.setdefault(member, (member, member, help_text))
                continue
            orm = ALIASES.get(orm, orm)
            if not self.accepts(orm):
                known = SCALAR_LOOKUPS | self.extra_lookups | ARRAY_LOOKUPS
                accepted = ", ".join(sorted(name for name in known if self.accepts(name)))
                raise ImproperlyConfigured(
                    f"{type(self).__name__} has no lookup {orm!r}. Accepted: {accepted}; "
                    f"groups: {', '.join(LOOKUP_GROUPS)}."
                )
            variants[suffix] = (suffix, orm, help_text)
        return list(variants.values())

    def make_parser(self):
        """The DRF field that parses this field's values."""
        return self.parser_class(**self.options)

    def parser_for(self, lookup):
        """The DRF field that parses a lookup's value, and whether the value is a list."""
        if lookup == "isnull":
            return serializers.BooleanField(), False
        if lookup in PARTS:
            low, high = PARTS[lookup]
            return serializers.IntegerField(min_value=low, max_value=high), False
        if lookup == "date":
            return serializers.DateField(), False
        if lookup == "time":
            return serializers.TimeField(), False
        if lookup in FREE_TEXT_LOOKUPS:
            return serializers.CharField(max_length=self.options.get("max_length")), False
        return self.parser, self.many or lookup in ("in", "range")

    def clone(self, **overrides):
        """A new field of the same type with the same arguments, some replaced."""
        return type(self)(**{**self._kwargs, **overrides})

    def get_method(self, filterset=None):
        """The filter method: the FilterSet's method named by ``method``, or the callable itself."""
        return getattr(filterset, self.method) if isinstance(self.method, str) else self.method

    def bind(self, name, *, separator=LOOKUP_SEP, allow_negate=True):
        """Attach the field to its FilterSet name and return its query parameters."""
        self.name = name
        negatable = allow_negate if self.allow_negate is None else self.allow_negate
        separator = separator if self.lookup_separator is None else self.lookup_separator
        bare = Param(name, self, None, self.parser, self.many, self.negate, self.help_text)
        params = [bare]
        for suffix, lookup, help_text in self.lookups:
            if help_text is None and self.help_text:
                help_text = f"{self.help_text} ({lookup_label(lookup)})"
            parser, many = self.parser_for(lookup)
            params.append(
                Param(f"{name}{separator}{suffix}", self, lookup, parser, many, self.negate, help_text or "", suffix)
            )
        if negatable:
            params += [
                Param(f"{p.name}!", self, p.lookup, p.parser, p.many, not p.negated, p.help_text, p.suffix)
                for p in list(params)
            ]
        self.params = params
        return params

    @property
    def path(self):
        """The ORM path lookup parameters filter: ``db_field``, else the field's name."""
        return self.db_field or self.name

    def condition(self, lookup, value):
        """The ``Q`` for ``value`` given to the bare parameter (``lookup=None``) or a lookup parameter."""
        if lookup is not None:
            return Q(**{f"{self.path}{LOOKUP_SEP}{lookup}": value})
        if callable(self.filter_by):
            result = self.filter_by(value)
            if isinstance(result, dict):
                return Q(**result)
            if isinstance(result, Q):
                return result
            raise TypeError(f"filter_by of {self.name!r} returned {type(result).__name__}; return a Q or a dict.")
        expression = self.filter_by or self.path
        if self.many and expression.rsplit(LOOKUP_SEP, 1)[-1] not in LIST_VALUED_SUFFIXES:
            expression += f"{LOOKUP_SEP}in"
        return Q(**{expression: value})

    def apply_filter(self, filterset, queryset, value):
        """``(queryset, Q or None)`` for the bare parameter's ``value``: a method's queryset replaces
        ``queryset``, a condition comes back as the ``Q``."""
        if self.method is None:
            return queryset, self.condition(None, value)
        result = call_method(self, filterset, queryset, value)
        return (queryset, result) if isinstance(result, Q) else (result, None)


def call_method(field, filterset, queryset, value):
    """Call a field's method with whichever documented signature it has: ``(queryset, value)``,
    ``(filterset, queryset, value)`` or ``(queryset, path, value)`` (a third parameter named
    ``path``). A callable given as ``method=`` takes ``(filterset, queryset, value)``."""
    method = field.get_method(filterset)
    if not isinstance(field.method, str):
        return method(filterset, queryset, value)
    style = method_style(method)
    if style == 2:
        return method(queryset, value)
    if style == "path":
        return method(queryset, field.path, value)
    return method(filterset, queryset, value)


def method_style(method):
    """How to call a FilterSet method: 2 for ``(queryset, value)``, 3 for ``(filterset, queryset,
    value)``, "path" for ``(queryset, path, value)``. Raises when it takes none of these."""
    func = getattr(method, "__func__", None)
    return _style(func, True) if func is not None else _style(method, False)


@per_class
def _style(func, bound):
    parameters = inspect.signature(func).parameters.values()
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][1 if bound else 0 :]
    takes_rest = any(p.kind is p.VAR_POSITIONAL for p in parameters)
    if len(names) == 2 or takes_rest and len(names) < 2:  # ``(self, queryset, *args)`` gets (queryset, value)
        return 2
    if len(names) == 3:
        return "path" if names[1] == "path" else 3
    raise ImproperlyConfigured(
        f"Filter method {func.__qualname__} takes {len(names)} arguments; write "
        "def method(self, queryset, value) (or (self, filterset, queryset, value))."
    )


LOOKUP_LABELS = {
    "exact": "Exact Match",
    "iexact": "Exact Match, Case-Insensitive",
    "contains": "Substring Match",
    "icontains": "Substring Match, Case-Insensitive",
    "startswith": "Prefix Match",
    "istartswith": "Prefix Match, Case-Insensitive",
    "endswith": "Suffix Match",
    "iendswith": "Suffix Match, Case-Insensitive",
    "gt": "Exclusive Lower Bound",
    "gte": "Inclusive Lower Bound",
    "lt": "Exclusive Upper Bound",
    "lte": "Inclusive Upper Bound",
    "in": "One Of",
    "range": "Inclusive Range",
    "isnull": "Null Check",
}


def lookup_label(lookup):
    """A short label for a lookup, appended to the field's help text on lookup parameters."""
    return LOOKUP_LABELS.get(lookup, lookup.replace("_", " ").title())


class StringField(Field):
    """Text, parsed by DRF's CharField (surrounding whitespace trimmed, NUL characters refused)."""


class EmailField(StringField):
    """E-mail addresses, validated by DRF's EmailField."""

    parser_class = serializers.EmailField


class IPAddressField(StringField):
    """IPv4 or IPv6 addresses (``protocol="IPv4"`` narrows it), validated by DRF's IPAddressField."""

    parser_class = serializers.IPAddressField


class IntegerField(Field):
    """Integers; limited to the signed 64-bit range unless ``min_value``/``max_value`` say otherwise."""

    parser_class = serializers.IntegerField
    lookup_categories = ("basic", "comparison")
    extra_lookups = frozenset()

    def make_parser(self):
        return self.parser_class(**{"min_value": -(2**63), "max_value": 2**63 - 1, **self.options})


class FloatField(Field):
    """Finite floating-point numbers."""

    parser_class = serializers.FloatField
    lookup_categories = ("basic", "comparison")
    extra_lookups = frozenset()


class DecimalField(Field):
    """Decimals. Digits are bounded (40 in total, 20 after the point, by default) so that no value
    overflows a database's numeric type; fields generated from a model use the column's bounds."""

    parser_class = serializers.DecimalField
    lookup_categories = ("basic", "comparison")
    extra_lookups = frozenset()

    def make_parser(self):
        return self.parser_class(**{"max_digits": 40, "decimal_places": 20, **self.options})


class BooleanField(Field):
    """Booleans: true/false, 1/0, yes/no, on/off."""

    parser_class = serializers.BooleanField
    lookup_categories = ("basic",)

    def accepts(self, lookup):
        return lookup in ("exact", "in", "isnull")


class DateField(Field):
    """ISO 8601 dates (or DRF's ``input_formats``); ``year``, ``month``... parse as integers."""

    parser_class = serializers.DateField
    lookup_categories = ("basic", "comparison", "date")
    extra_lookups = frozenset(DATE_PARTS)


class DateTimeParser(serializers.DateTimeField):
    """DRF's DateTimeField, refusing (instead of crashing on) date-times that leave Python's range
    when converted between time zones, such as a naive 9999-12-31T23:00 in a zone behind UTC."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError:
            raise serializers.ValidationError("Date and time out of range.", code="overflow") from None


class DateTimeField(Field):
    """ISO 8601 date-times; ``date`` parses as a date, ``time`` as a time, the parts as integers."""

    parser_class = DateTimeParser
    lookup_categories = ("basic", "comparison", "date", "time")
    extra_lookups = frozenset(DATE_PARTS | TIME_PARTS | {"date", "time"})


class TimeField(Field):
    """Times of day: ``14:30:00`` or ``14:30``."""

    parser_class = serializers.TimeField
    lookup_categories = ("basic", "comparison", "time")
    extra_lookups = frozenset(TIME_PARTS)


class DurationField(Field):
    """Durations, as DRF parses them: ``[DD] [HH:[MM:]]ss[.uuuuuu]`` or ISO 8601 (``P1DT2H``).
    A duration column has no hour/minute parts in Django, so only the comparisons apply."""

    parser_class = serializers.DurationField
    lookup_categories = ("basic", "comparison")
    extra_lookups = frozenset()


class ChoiceField(Field):
    """One of ``choices``; an invalid value's error lists the accepted ones."""

    parser_class = serializers.ChoiceField
    lookup_categories = ("basic",)

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)
        self._kwargs["choices"] = choices

    def make_parser(self):
        parser = self.parser_class(self.choices, **self.options)
        accepted = ", ".join(str(choice) for choice in parser.choices)
        parser.error_messages["invalid_choice"] = f'"{{input}}" is not a valid choice. Accepted: {accepted}.'
        return parser


class MultipleChoiceField(ChoiceField):
    """Several of ``choices``, comma-separated or repeated: ``status=draft,active``."""

    many = True
    lookup_categories = ("basic",)

    def accepts(self, lookup):
        return lookup in ("in", "isnull", "exact")


class ListField(Field):
    """A comma-separated (or repeated) list of ``child`` values, matched with ``__in`` (or
    ``filter_by``); ``min_length``, ``max_length`` and ``allow_empty`` bound the list. The
    ``pg_array`` lookups filter a PostgreSQL array column."""

    many = True
    lookup_categories = ("basic", "pg_array")

    def __init__(self, child=None, **kwargs):
        self.child = child or StringField()
        super().__init__(**kwargs)
        self._kwargs["child"] = self.child

    def accepts(self, lookup):
        return lookup in ARRAY_LOOKUPS

    def make_parser(self):
        # The child is a filter field, or a DRF serializer field parsing each item itself.
        item = copy.deepcopy(self.child) if isinstance(self.child, serializers.Field) else self.child.parser
        if not self.options:
            return item
        return serializers.ListField(child=item, **self.options)

    def parser_for(self, lookup):
        if lookup == "isnull":
            return serializers.BooleanField(), False
        return self.parser, True

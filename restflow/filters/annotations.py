"""Filter fields from type annotations: ``price: int`` in a FilterSet body."""

import datetime
import decimal
import types
import typing

from django.core.exceptions import ImproperlyConfigured

from restflow._string_types import Email, IPAddress
from restflow.filters.fields import (
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    EmailField,
    FloatField,
    IntegerField,
    IPAddressField,
    ListField,
    StringField,
    TimeField,
)

ANNOTATIONS = {
    str: StringField,
    int: IntegerField,
    float: FloatField,
    decimal.Decimal: DecimalField,
    bool: BooleanField,
    datetime.date: DateField,
    datetime.datetime: DateTimeField,
    datetime.time: TimeField,
    datetime.timedelta: DurationField,
    Email: EmailField,
    IPAddress: IPAddressField,
}


def field_for_annotation(name, annotation, **kwargs):
    """The field for ``name: <type>`` in a FilterSet body: ``T``, ``T | None``, ``Optional[T]``,
    ``list[T]``/``List[T]`` (matched with ``__in``) or ``Literal[...]`` (a choice)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            return field_for_annotation(name, rest[0], **kwargs)
    elif origin is typing.Literal:
        return ChoiceField([(arg, str(arg)) for arg in args], **kwargs)
    elif origin in (list, tuple, set) and len(args) >= 1:
        return ListField(child=field_for_annotation(name, args[0]), **kwargs)
    elif annotation in ANNOTATIONS:
        return ANNOTATIONS[annotation](**kwargs)
    accepted = ", ".join(kind.__name__ for kind in ANNOTATIONS)
    raise ImproperlyConfigured(
        f"Cannot filter {name!r} by annotation {annotation!r}; accepted: {accepted}, "
        "list[T], Literal[...] and T | None."
    )

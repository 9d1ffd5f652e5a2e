"""Type annotations to DRF fields: the ``Field`` marker, ``SerializerFieldMap`` and its resolver."""

import datetime
import decimal
import inspect
import uuid
from types import UnionType
from typing import Annotated, Any, Literal, NotRequired, Union, get_args, get_origin

from rest_framework import fields
from rest_framework.serializers import BaseSerializer

from restflow.helpers import BlankableString, Email, IPAddress


class Field:
    """DRF field options for an annotated name: ``email: Email = Field(write_only=True)``.

    The annotation picks the field class; these keyword arguments are passed to it.
    """

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def __repr__(self):
        options = ", ".join(f"{key}={value!r}" for key, value in self.kwargs.items())
        return f"Field({options})"


class DecimalField(fields.DecimalField):
    """DRF's DecimalField, with ``max_digits=20`` and ``decimal_places=6`` unless given."""

    def __init__(self, max_digits=20, decimal_places=6, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)


class BlankableCharField(fields.CharField):
    """DRF's CharField that accepts the empty string unless told otherwise."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


SerializerFieldMap = {
    int: fields.IntegerField,
    float: fields.FloatField,
    str: fields.CharField,
    bool: fields.BooleanField,
    bytes: fields.CharField,
    datetime.datetime: fields.DateTimeField,
    datetime.date: fields.DateField,
    datetime.time: fields.TimeField,
    datetime.timedelta: fields.DurationField,
    decimal.Decimal: DecimalField,
    uuid.UUID: fields.UUIDField,
    Email: fields.EmailField,
    IPAddress: fields.IPAddressField,
    BlankableString: BlankableCharField,
    dict: fields.DictField,
    Any: fields.JSONField,
}
"""The DRF field class for each plain type; add your own types (at startup)."""


def _is_serializer(data_type):
    return inspect.isclass(data_type) and issubclass(data_type, BaseSerializer)


def get_field_from_type(data_type, field_name=None, **field_kwargs):
    """The DRF field for an annotation, built with ``field_kwargs``.

    Plain types go through ``SerializerFieldMap``; ``T | None`` and ``Optional[T]``
    add ``required=False, allow_null=True``; ``NotRequired[T]`` adds ``required=False``;
    ``Annotated[T, ...]`` is ``T``; ``Literal[...]`` is a ChoiceField; ``list[T]`` a
    ListField of ``T`` (a serializer class ``T`` gives ``T(many=True)``); a serializer
    class nests. Options the annotation implies give way to ``field_kwargs``.
    Anything else raises AssertionError naming the type.
    """
    where = f" (field {field_name!r})" if field_name else ""
    if _is_serializer(data_type):
        return data_type(**field_kwargs)
    origin = get_origin(data_type)
    if origin is NotRequired:
        field_kwargs.setdefault("required", False)
        return get_field_from_type(get_args(data_type)[0], field_name, **field_kwargs)
    if origin is Annotated:
        return get_field_from_type(get_args(data_type)[0], field_name, **field_kwargs)
    if origin is Literal:
        field_kwargs.setdefault("choices", list(get_args(data_type)))
        return fields.ChoiceField(**field_kwargs)
    if origin is Union or origin is UnionType:
        members = [member for member in get_args(data_type) if member is not type(None)]
        assert len(members) == 1, (
            f"{data_type} is not a supported annotation{where}: a union may only pair one type with None. "
            "Declare a DRF field for it, or annotate it Any (a JSONField)."
        )
        field_kwargs.setdefault("required", False)
        field_kwargs.setdefault("allow_null", True)
        return get_field_from_type(members[0], field_name, **field_kwargs)
    if data_type is list or origin is list:
        (item_type,) = get_args(data_type) or (str,)
        if _is_serializer(item_type):
            return item_type(many=True, **field_kwargs)
        if "child" not in field_kwargs:
            field_kwargs["child"] = get_field_from_type(item_type, field_name)
        return fields.ListField(**field_kwargs)
    field_class = SerializerFieldMap.get(data_type) if _hashable(data_type) else None
    assert field_class is not None, (
        f"{data_type!r} is not a supported annotation{where}: use a type of SerializerFieldMap "
        "(or add yours to it), Optional/NotRequired/Annotated/Literal/list of one, or a serializer class."
    )
    return field_class(**field_kwargs)


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return False
    return True

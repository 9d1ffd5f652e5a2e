"""Declarative, validated query-parameter filtering for sync and async DRF views."""

from restflow._compat import register_compat_paths
from restflow._string_types import Email, IPAddress
from restflow.filters.backend import RestflowFilterBackend
from restflow.filters.fields import (
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    EmailField,
    Field,
    FloatField,
    IntegerField,
    IPAddressField,
    ListField,
    MultipleChoiceField,
    StringField,
    TimeField,
)
from restflow.filters.filterset import FilterSet
from restflow.filters.from_model import RelatedField
from restflow.filters.inline import InlineFilterSet
from restflow.filters.ordering import OrderField

__all__ = [
    "BooleanField",
    "ChoiceField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "DurationField",
    "Email",
    "EmailField",
    "Field",
    "FilterSet",
    "FloatField",
    "IPAddress",
    "IPAddressField",
    "InlineFilterSet",
    "IntegerField",
    "ListField",
    "MultipleChoiceField",
    "OrderField",
    "RelatedField",
    "RestflowFilterBackend",
    "StringField",
    "TimeField",
]


register_compat_paths(__name__)

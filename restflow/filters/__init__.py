"""Declarative, validated query-parameter filtering for sync and async DRF views."""

from restflow._compat import register_compat_paths
from restflow.filters.backend import RestflowFilterBackend
from restflow.filters.fields import (
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    Email,
    EmailField,
    Field,
    FloatField,
    IntegerField,
    IPAddress,
    IPAddressField,
    ListField,
    MultipleChoiceField,
    OrderField,
    RelatedField,
    StringField,
    TimeField,
)
from restflow.filters.filterset import FilterSet, InlineFilterSet

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

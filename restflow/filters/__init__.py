"""Declarative, validated query-parameter filtering for sync and async DRF views."""

from restflow.filters.backend import RestflowFilterBackend
from restflow.filters.fields import (
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    FloatField,
    IntegerField,
    ListField,
    MultipleChoiceField,
    OrderField,
    StringField,
)
from restflow.filters.filterset import FilterSet

__all__ = [
    "BooleanField",
    "ChoiceField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "Field",
    "FilterSet",
    "FloatField",
    "IntegerField",
    "ListField",
    "MultipleChoiceField",
    "OrderField",
    "RestflowFilterBackend",
    "StringField",
]

"""OpenAPI descriptions of a FilterSet's query parameters, as DRF's schema generators expect them
from a filter backend's ``get_schema_operation_parameters``."""

from rest_framework import serializers

from restflow.filters.fields import OrderField, OrderingTerm

LOOKUP_PHRASES = {
    "exact": "equals the value",
    "iexact": "equals the value, ignoring case",
    "contains": "contains the value",
    "icontains": "contains the value, ignoring case",
    "startswith": "starts with the value",
    "istartswith": "starts with the value, ignoring case",
    "endswith": "ends with the value",
    "iendswith": "ends with the value, ignoring case",
    "gt": "is greater than the value",
    "gte": "is greater than or equal to the value",
    "lt": "is less than the value",
    "lte": "is less than or equal to the value",
    "in": "is one of the comma-separated values",
    "isnull": "is null (true) or not null (false)",
    "date": "falls on the date",
    "year": "falls in the year",
    "month": "falls in the month (1-12)",
    "day": "falls on the day of the month",
}


def value_schema(parser):
    """The OpenAPI schema of one value parsed by a DRF field."""
    if isinstance(parser, OrderingTerm):
        return {"type": "string", "enum": [*parser.names, *(f"-{name}" for name in parser.names)]}
    if isinstance(parser, serializers.ChoiceField):
        return {"type": "string", "enum": list(parser.choices)}
    if isinstance(parser, serializers.BooleanField):
        return {"type": "boolean"}
    if isinstance(parser, serializers.IntegerField):
        bounds = {"minimum": parser.min_value, "maximum": parser.max_value}
        return {"type": "integer", **{key: value for key, value in bounds.items() if value is not None}}
    if isinstance(parser, serializers.FloatField):
        return {"type": "number", "format": "double"}
    if isinstance(parser, serializers.DecimalField):
        return {"type": "number", "format": "decimal"}
    if isinstance(parser, serializers.DateTimeField):
        return {"type": "string", "format": "date-time"}
    if isinstance(parser, serializers.DateField):
        return {"type": "string", "format": "date"}
    return {"type": "string"}


def describe(param):
    """A one-sentence description naming the filtered path and the lookup."""
    field = param.field
    if field.help_text:
        return str(field.help_text)
    if isinstance(field, OrderField):
        return f"Comma-separated ordering, from: {', '.join(field.paths)}. Prefix a name with - for descending order."
    if param.lookup is None:
        return f"Filter on {field.name}."
    sentence = f"{field.path} {LOOKUP_PHRASES[param.lookup]} (lookup: {param.lookup})"
    return f"Exclude rows where {sentence}." if param.negated else f"Rows where {sentence}."


def parameter_schema(param):
    """The OpenAPI parameter object for one query parameter."""
    schema = value_schema(param.parser)
    parameter = {
        "name": param.name,
        "in": "query",
        "required": param.field.required and len(param.field.params) == 1,
        "description": describe(param),
        "schema": {"type": "array", "items": schema} if param.many else schema,
    }
    if param.many:
        parameter.update(style="form", explode=False)
    return parameter

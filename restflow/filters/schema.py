"""OpenAPI descriptions of a FilterSet's query parameters, as DRF's schema generators expect them
from a filter backend's ``get_schema_operation_parameters``."""

from rest_framework import serializers

from restflow.filters.ordering import OrderField, OrderingTerm

LOOKUP_PHRASES = {
    "exact": "is equal to",
    "iexact": "is equal to, ignoring case,",
    "contains": "contains",
    "icontains": "contains, ignoring case,",
    "startswith": "starts with",
    "istartswith": "starts with, ignoring case,",
    "endswith": "ends with",
    "iendswith": "ends with, ignoring case,",
    "gt": "is greater than",
    "gte": "is greater than or equal to",
    "lt": "is less than",
    "lte": "is less than or equal to",
    "in": "is one of",
    "range": "is between (inclusive)",
    "isnull": "is null",
    "regex": "matches the regular expression",
    "iregex": "matches the regular expression, ignoring case,",
    "date": "falls on the date",
    "time": "has the time of day",
    "search": "matches the full-text search",
    "trigram_similar": "is similar to",
    "unaccent": "is equal to, ignoring accents,",
    "overlap": "shares an item with",
    "contained_by": "is contained by",
}


def value_schema(parser):
    """The OpenAPI schema of one value parsed by a DRF field."""
    if isinstance(parser, OrderingTerm):
        return {"type": "string", "enum": [*parser.names, *(f"-{name}" for name in parser.names)]}
    if isinstance(parser, serializers.ListField):
        schema = {"type": "array", "items": value_schema(parser.child)}
        bounds = {"minItems": parser.min_length, "maxItems": parser.max_length}
        return {**schema, **{key: value for key, value in bounds.items() if value is not None}}
    if isinstance(parser, serializers.ChoiceField):
        return {"type": "string", "enum": [str(choice) for choice in parser.choices]}
    if isinstance(parser, serializers.BooleanField):
        return {"type": "boolean"}
    if isinstance(parser, serializers.IntegerField):
        bounds = {"minimum": parser.min_value, "maximum": parser.max_value}
        return {"type": "integer", **{key: value for key, value in bounds.items() if value is not None}}
    if isinstance(parser, serializers.FloatField):
        bounds = {"minimum": parser.min_value, "maximum": parser.max_value}
        return {
            "type": "number",
            "format": "float",
            **{key: value for key, value in bounds.items() if value is not None},
        }
    if isinstance(parser, serializers.DecimalField):
        limits = {"x-maxDigits": parser.max_digits, "x-decimalPlaces": parser.decimal_places}
        return {
            "type": "string",
            "format": "decimal",
            **{key: value for key, value in limits.items() if value is not None},
        }
    formats = [
        (serializers.DateTimeField, "date-time"),
        (serializers.DateField, "date"),
        (serializers.TimeField, "time"),
        (serializers.DurationField, "duration"),
        (serializers.EmailField, "email"),
    ]
    for kind, fmt in formats:
        if isinstance(parser, kind):
            return {"type": "string", "format": fmt}
    schema = {"type": "string"}
    if isinstance(parser, serializers.CharField):
        bounds = {"minLength": parser.min_length, "maxLength": parser.max_length}
        schema.update({key: value for key, value in bounds.items() if value is not None})
    return schema


def field_to_schema(field):
    """The OpenAPI schema of a filter field's bare parameter (an array for a list-valued field)."""
    schema = value_schema(field.parser)
    if field.many and schema.get("type") != "array":
        schema = {"type": "array", "items": schema}
    return schema


def describe(param):
    """The parameter's help text; else a phrase naming the field and the lookup, such as
    ``price is greater than or equal to`` or ``exclude where price``."""
    field = param.field
    if isinstance(field, OrderField):
        if field.help_text:
            return str(field.help_text)
        labels = ", ".join(f"{name} ({field.labels[name]})" if name in field.labels else name for name in field.paths)
        return f"Comma-separated ordering, from: {labels}. Prefix a name with - for descending order."
    if param.lookup is None and field.help_text:
        sentence = str(field.help_text)
    elif param.help_text:
        sentence = str(param.help_text)
    elif param.lookup is None:
        sentence = field.name if param.negated else f"filter by {field.name}"
    else:
        sentence = f"{field.name} {LOOKUP_PHRASES.get(param.lookup, param.lookup.replace('_', ' '))}"
    return f"exclude where {sentence}" if param.negated and not field.negate else sentence


def parameter_schema(param):
    """The OpenAPI parameter object for one query parameter."""
    schema = value_schema(param.parser)
    if param.many and schema.get("type") != "array":
        schema = {"type": "array", "items": schema}
    parameter = {
        "name": param.name,
        "in": "query",
        "required": param.field.required
        and not param.negated
        and len([other for other in param.field.params if not other.negated]) == 1,
        "description": describe(param),
        "schema": schema,
    }
    if param.many:
        parameter.update(style="form", explode=True)
    return parameter

"""Filter fields generated from a model's fields, for ``Meta.model`` / ``Meta.fields``.

Each model field maps to the filter field that parses its values the same way; a field with
choices becomes a ChoiceField and a foreign key filters by the related primary key, under its name
(``category``) or its column name (``category_id``).
"""

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models

from restflow.filters import fields

MODEL_FIELDS = [  # subclasses before their bases: DateTimeField is a DateField
    (models.BooleanField, fields.BooleanField),
    (models.DateTimeField, fields.DateTimeField),
    (models.DateField, fields.DateField),
    (models.DecimalField, fields.DecimalField),
    (models.FloatField, fields.FloatField),
    (models.IntegerField, fields.IntegerField),
    (models.CharField, fields.StringField),
    (models.TextField, fields.StringField),
]


def _filter_class(model_field):
    if model_field.is_relation:
        return _filter_class(model_field.target_field) if model_field.many_to_one else None
    if model_field.choices:
        return fields.ChoiceField
    return next((filter_class for kind, filter_class in MODEL_FIELDS if isinstance(model_field, kind)), None)


def field_for_model_field(model, name, lookups=None):
    """The filter field for ``model``'s field (or foreign-key column) ``name``."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        raise ImproperlyConfigured(f"{model.__name__} has no field {name!r} to filter on.") from None
    filter_class = _filter_class(model_field)
    if filter_class is None:
        raise ImproperlyConfigured(f"No filter type for {model.__name__}.{name} ({type(model_field).__name__}).")
    source = model_field.target_field if model_field.is_relation else model_field
    options = {"lookups": lookups}
    if filter_class is fields.ChoiceField:
        options["choices"] = source.choices
    if filter_class is fields.DecimalField:
        options.update(max_digits=source.max_digits, decimal_places=source.decimal_places)
    return filter_class(**options)


def fields_for_model(model, names):
    """Filter fields for ``"__all__"``, a list of names, a dict of name -> lookups, or (name, lookups) pairs."""
    if names == "__all__":
        names = [field.name for field in model._meta.concrete_fields if _filter_class(field)]
    items = names.items() if isinstance(names, dict) else [(n, None) if isinstance(n, str) else n for n in names]
    return {name: field_for_model_field(model, name, lookups) for name, lookups in items}

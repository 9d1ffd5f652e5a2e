"""Filter fields generated from a model's fields, for ``Meta.model`` and ``RelatedField``.

Each model field maps to the filter field that parses its values the same way; a field with
choices becomes a ChoiceField, a relation filters by the related primary key under its name
(``category``) or its column name (``category_id``), and a PostgreSQL array becomes a ListField
with the array lookups.
"""

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models

from restflow.filters import fields

MODEL_FIELDS = [  # subclasses before their bases: DateTimeField is a DateField, EmailField a CharField
    (models.BooleanField, fields.BooleanField),
    (models.DateTimeField, fields.DateTimeField),
    (models.DateField, fields.DateField),
    (models.TimeField, fields.TimeField),
    (models.DurationField, fields.DurationField),
    (models.DecimalField, fields.DecimalField),
    (models.FloatField, fields.FloatField),
    (models.IntegerField, fields.IntegerField),
    (models.EmailField, fields.EmailField),
    (models.GenericIPAddressField, fields.IPAddressField),
    (models.CharField, fields.StringField),
    (models.TextField, fields.StringField),
]


def _is_array(model_field):
    try:
        from django.contrib.postgres.fields import ArrayField
    except ImportError:  # psycopg absent: no array columns either
        return False
    return isinstance(model_field, ArrayField)


def _forward(model_field):
    """A field of the model itself: a column, or a forward many-to-many (which Django 6 no longer calls concrete)."""
    return model_field.concrete or isinstance(model_field, models.ManyToManyField)


def _filter_class(model_field):
    if model_field.is_relation:
        direct = model_field.many_to_one or model_field.one_to_one or model_field.many_to_many
        return _filter_class(model_field.target_field) if direct and _forward(model_field) else None
    if model_field.choices:
        return fields.ChoiceField
    if _is_array(model_field):
        return fields.ListField if _filter_class(model_field.base_field) else None
    return next((filter_class for kind, filter_class in MODEL_FIELDS if isinstance(model_field, kind)), None)


def field_for_model_field(model, name, path=None, **kwargs):
    """The filter field for ``model``'s field (or foreign-key column) ``name``, filtering the ORM
    ``path`` (default: ``name``); ``kwargs`` (from ``extra_kwargs``) win over what the model says."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        raise ImproperlyConfigured(f"{model.__name__} has no field {name!r} to filter on.") from None
    filter_class = _filter_class(model_field)
    if filter_class is None:
        raise ImproperlyConfigured(f"No filter type for {model.__name__}.{name} ({type(model_field).__name__}).")
    source = model_field.target_field if model_field.is_relation else model_field
    path = path or name
    options = {"db_field": path} if path != name else {}
    if "choices" in kwargs:
        filter_class = fields.ChoiceField if filter_class is not fields.ListField else filter_class
    elif filter_class is fields.ChoiceField:
        options["choices"] = source.choices
    if filter_class is fields.DecimalField:
        options.update(max_digits=source.max_digits, decimal_places=source.decimal_places)
    if filter_class is fields.ListField:
        child_class = _filter_class(model_field.base_field)
        options.update(child=child_class(), lookups=["pg_array"], filter_by=f"{path}__exact", db_field=path)
    return filter_class(**{**options, **kwargs})


def fields_for_model(model, names, *, exclude=(), extra_kwargs=None, defaults=None, prefix=None):
    """Filter fields for ``"__all__"``, a list of names, or a dict of name -> lookups; ``prefix``
    names them ``<prefix>__<name>`` and filters through that relation."""
    extra_kwargs = extra_kwargs or {}
    defaults = {key: value for key, value in (defaults or {}).items() if value is not None}
    if names == "__all__":
        names = [
            field.name
            for field in model._meta.get_fields()
            if _forward(field) and _filter_class(field) and field.name not in exclude
        ]
    elif isinstance(names, str) or not isinstance(names, (list, tuple, dict)):
        raise ImproperlyConfigured(
            f'fields is a list of field names, a dict of name -> lookups or "__all__"; got {names!r}.'
        )
    items = names.items() if isinstance(names, dict) else [(n, None) if isinstance(n, str) else n for n in names]
    generated = {}
    for name, lookups in items:
        if name in exclude:
            continue
        kwargs = {**defaults, **({"lookups": lookups} if lookups else {}), **extra_kwargs.get(name, {})}
        path = f"{prefix}__{name}" if prefix else name
        generated[path] = field_for_model_field(model, name, path, **kwargs)
    return generated


class RelatedField(fields.Field):
    """The filters of a related model's fields, under ``<name>__<field>``: ``category =
    RelatedField(model=Category, fields=["name"])`` accepts ``?category__name=tools``."""

    def __init__(self, *, model, fields="__all__", exclude=(), extra_kwargs=None, lookups=None, allow_negate=None):
        self.model = model
        self.related_fields = fields
        self.exclude = exclude
        self.extra_kwargs = extra_kwargs or {}
        self.shared = {"lookups": lookups, "allow_negate": allow_negate}
        super().__init__()

    def expand(self, name):
        """The generated fields, by name (``category__name``...)."""
        return fields_for_model(
            self.model,
            self.related_fields,
            exclude=self.exclude,
            extra_kwargs=self.extra_kwargs,
            defaults=self.shared,
            prefix=name,
        )

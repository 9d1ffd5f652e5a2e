"""A FilterSet's ``Meta``: the options it may hold, their defaults, and their checks."""

from django.core.exceptions import ImproperlyConfigured
from django.db.models.constants import LOOKUP_SEP

OPTION_DEFAULTS = {
    "model": None,
    "fields": None,
    "exclude": (),
    "extra_kwargs": {},
    "operator": "AND",
    "order_param": "order_by",
    "order_fields": None,
    "default_order_fields": (),
    "order_field_labels": None,
    "override_order_direction": None,
    "preprocessors": (),
    "postprocessors": (),
    "allow_negate": True,
    "lookup_separator": LOOKUP_SEP,
}
OPTION_ALIASES = {"override_order_dir": "override_order_direction"}  # an earlier documented spelling
MODEL_OPTIONS = ("model", "fields", "exclude", "extra_kwargs")  # read from the class's own Meta only


class FilterOptions:
    """A FilterSet's resolved ``Meta``: every option with its value or default (``get_options()``)."""

    def __init__(self, meta, inherited=None):
        values = dict(OPTION_DEFAULTS)
        if inherited is not None:
            values.update({key: value for key, value in vars(inherited).items() if key not in MODEL_OPTIONS})
        for key, value in vars(meta).items() if meta is not None else ():
            if key.startswith("__"):
                continue
            key = OPTION_ALIASES.get(key, key)
            if key not in OPTION_DEFAULTS:
                raise ImproperlyConfigured(
                    f"Meta.{key} is not a FilterSet option. Accepted: {', '.join(OPTION_DEFAULTS)}."
                )
            values[key] = value
        self.__dict__.update(values)
        self.operator = str(self.operator or "AND").upper()
        if self.operator not in ("AND", "OR", "XOR"):
            raise ImproperlyConfigured(f'Meta.operator is "AND", "OR" or "XOR", not {self.operator!r}.')
        if self.fields and self.model is None:
            raise ImproperlyConfigured("Meta.fields names model fields: set Meta.model too.")
        if self.exclude and self.model is None:
            raise ImproperlyConfigured("Meta.exclude names model fields: set Meta.model too.")

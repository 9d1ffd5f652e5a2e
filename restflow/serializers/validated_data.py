"""``ValidatedData``: the dict restflow serializers hand back as ``validated_data``."""

import json
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

__all__ = ["ValidatedData", "transform_validated_data"]


class ValidatedData(dict):
    """A dict whose keys can also be read and written as attributes.

    It is a plain dict for everything a dict does (DRF, ``**data``, ``json``):
    where a key shares its name with a dict method (``items``, ``get``...),
    the attribute is the method and the value is read as ``data["items"]``.
    """

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self):
        return f"ValidatedData({dict.__repr__(self)})"

    def __reduce__(self):
        return (type(self), (dict(self),))

    def __json__(self):
        """A plain dict copy, for encoders that look for ``__json__``."""
        return dict(self)

    def to_json(self, **options):
        """``json.dumps`` of the payload; Decimal, datetime, date, time and UUID values are encoded too.

        A ``default`` of your own is tried first.
        """
        own_default = options.pop("default", None)

        def default(value):
            if own_default is not None:
                try:
                    return own_default(value)
                except TypeError:
                    pass
            return _json_default(value)

        return json.dumps(self, default=default, **options)


def _json_default(value):
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def transform_validated_data(value):
    """``value`` with every dict in it (through lists too) turned into ``ValidatedData``."""
    if isinstance(value, ValidatedData):
        return value
    if isinstance(value, dict):
        return ValidatedData({key: transform_validated_data(item) for key, item in value.items()})
    if isinstance(value, list):
        return [transform_validated_data(item) for item in value]
    return value

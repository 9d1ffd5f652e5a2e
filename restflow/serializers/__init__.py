"""restflow's serializers: DRF's classes with fields from type annotations and an async surface.

The module-level ``ais_valid``, ``adata``, ``asave``... helpers, which work on any
DRF serializer, stay importable from here.
"""

from typing import NotRequired

from restflow._changed_fields import save_changed_fields
from restflow._compat import register_compat_paths
from restflow._serializing import adata, ais_valid, ais_valid_then, asave
from restflow.helpers import BlankableString, Email, IPAddress
from restflow.serializers._classes import (
    HyperlinkedModelSerializer,
    InlineSerializer,
    ListSerializer,
    ModelSerializer,
    Serializer,
)
from restflow.serializers._fields import (
    DecimalField,
    Field,
    SerializerFieldMap,
    get_field_from_type,
)
from restflow.serializers.validated_data import ValidatedData, transform_validated_data

__all__ = [
    "BlankableString",
    "DecimalField",
    "Email",
    "Field",
    "HyperlinkedModelSerializer",
    "IPAddress",
    "InlineSerializer",
    "ListSerializer",
    "ModelSerializer",
    "NotRequired",
    "Serializer",
    "SerializerFieldMap",
    "ValidatedData",
    "adata",
    "ais_valid",
    "ais_valid_then",
    "asave",
    "get_field_from_type",
    "save_changed_fields",
    "transform_validated_data",
]


register_compat_paths(__name__)

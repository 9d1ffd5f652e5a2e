"""How a restflow serializer class becomes DRF's: its annotated names turned into DRF fields.

The class body's annotations are read the way Python 3.14 still supports
(``typing.get_type_hints``, which reads 3.14's deferred annotations too) and each
annotated name becomes a DRF field of the class body before DRF's own metaclass
collects the declared fields, so a serializer instance costs what a DRF one does.
"""

from typing import ClassVar, get_origin, get_type_hints

from asgiref.sync import iscoroutinefunction
from rest_framework import serializers
from rest_framework.fields import empty

from restflow.serializers._fields import Field, get_field_from_type

__all__ = ["RESERVED_NAMES", "ModelSerializerMetaclass", "SerializerMetaclass", "refuse"]

RESERVED_NAMES = frozenset({"data", "errors", "validated_data", "instance", "initial_data", "fields", "context"})


# What a class body keeps its annotations in: ``__annotations__`` until Python 3.13, a
# function that computes them from 3.14 (deferred annotations).
_ANNOTATION_KEYS = ("__annotations__", "__annotate__", "__annotate_func__", "__annotations_cache__")


def _own_annotations(attrs):
    """The class body's annotations, evaluated (string ones and 3.14's deferred ones alike).

    Read with ``typing.get_type_hints`` from a bare class holding only the body's annotations,
    before the serializer class exists (DRF's metaclass needs the fields in the body).
    """
    body = {key: attrs[key] for key in _ANNOTATION_KEYS if key in attrs}
    if not body:
        return {}
    body["__module__"] = attrs.get("__module__")
    bare = type("Annotations", (), body)
    return get_type_hints(bare, localns=dict(attrs), include_extras=True)


def _annotated_fields(attrs, options):
    """DRF fields for the annotated names of a class body, in annotation order.

    ``options`` maps a name to keyword arguments (a model serializer's Meta);
    a ``Field(...)`` marker's own arguments go on top, and a plain value
    assigned to the name is the field's default. Markers and values leave ``attrs``.
    """
    made = []
    for name, annotation in _own_annotations(attrs).items():
        if annotation is ClassVar or get_origin(annotation) is ClassVar:
            continue
        if name in RESERVED_NAMES:
            raise ValueError(f"`{name}` collides with a Serializer attribute: choose another field name.")
        value = attrs.get(name, empty)
        if isinstance(value, serializers.Field):
            continue  # a declared DRF field wins over the annotation
        kwargs = dict(options.get(name, {}))
        if isinstance(value, Field):
            kwargs.update(value.kwargs)
        elif value is not empty:
            kwargs["default"] = value
        attrs.pop(name, None)
        made.append((name, get_field_from_type(annotation, name, **kwargs)))
    for name, value in attrs.items():
        if isinstance(value, Field):
            raise TypeError(
                f"`{name} = {value!r}` has no annotation to pick its field class: write `{name}: <type> = {value!r}`."
            )
    return made


class SerializerMetaclass(serializers.SerializerMetaclass):
    """DRF's metaclass, after the annotated names became fields of the class body.

    Order of fields: inherited ones first (DRF's rule: one redeclared keeps its
    place), then this class's annotated names, then its declared DRF fields.
    """

    def __new__(mcs, name, bases, attrs):
        meta = attrs.get("Meta") or next((base.Meta for base in bases if hasattr(base, "Meta")), None)
        made = _annotated_fields(attrs, mcs.field_options(meta))
        declared = [value._creation_counter for value in attrs.values() if isinstance(value, serializers.Field)]
        first = min(declared, default=0)
        for position, (field_name, field) in enumerate(made):
            field._creation_counter = first - len(made) + position
            attrs[field_name] = field
        mcs.include_in_meta(attrs, meta, [field_name for field_name, _ in made])
        klass = super().__new__(mcs, name, bases, attrs)
        if iscoroutinefunction(klass.to_representation) and "data" not in attrs:
            klass.data = property(_data_refusing_async)  # only here: DRF's own `data` is left alone elsewhere
        return klass

    @staticmethod
    def field_options(meta):
        return {}

    @staticmethod
    def include_in_meta(attrs, meta, names):
        pass


class ModelSerializerMetaclass(SerializerMetaclass):
    """Annotated names of a model serializer join ``Meta.fields`` and take ``Meta.extra_kwargs``."""

    @staticmethod
    def field_options(meta):
        options = {name: dict(kwargs) for name, kwargs in getattr(meta, "extra_kwargs", {}).items()}
        for name in getattr(meta, "read_only_fields", None) or ():
            options.setdefault(name, {})["read_only"] = True
        return options

    @staticmethod
    def include_in_meta(attrs, meta, names):
        listed = getattr(meta, "fields", None)
        if not isinstance(listed, (list, tuple)):
            return
        missing = [name for name in names if name not in listed]
        if not missing:
            return
        merged = type(listed)([*listed, *missing])
        if "Meta" in attrs:
            attrs["Meta"].fields = merged
        else:
            attrs["Meta"] = type("Meta", (meta,), {"fields": merged})


def refuse(serializer, hook, sync_entry, async_entry):
    raise TypeError(
        f"{type(serializer).__name__}.{hook} is async, so {sync_entry} cannot run it: "
        f"call `await serializer.{async_entry}` instead."
    )


def _data_refusing_async(serializer):
    """DRF's ``.data``, refused while ``to_representation`` is async (``adata()`` awaits it)."""
    if not hasattr(serializer, "_data") and iscoroutinefunction(type(serializer).to_representation):
        refuse(serializer, "to_representation", "`.data`", "adata()")
    return serializers.Serializer.data.fget(serializer)

"""restflow's serializer classes: DRF's own, with fields declared by annotation and an async surface.

Everything DRF defines runs through DRF's code. What restflow adds: fields built
from the class body's annotations (at class creation, so a serializer instance
costs what a DRF one does), ``ValidatedData`` for ``validated_data``, and async
twins of the entry points that never block the loop: DRF's sync work runs on the
loop while it needs no query, else in one hop; async user hooks are awaited there.
"""

import sys
from collections.abc import Mapping

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty, get_error_detail
from rest_framework.settings import api_settings

from restflow._drf_own import runs_drfs
from restflow._memo import Memo, per_class
from restflow._serializing import on_loop_or_hop, plain_data, plain_is_valid, plain_save
from restflow._sync import in_thread
from restflow.serializers._metaclass import ModelSerializerMetaclass, SerializerMetaclass, refuse
from restflow.serializers.validated_data import ValidatedData, transform_validated_data

# Serializer classes whose sync validation or representation needed the database on the loop.
_fields_in_thread = Memo("restflow.serializers.fields_in_thread")
_checks_in_thread = Memo("restflow.serializers.checks_in_thread")
_representation_in_thread = Memo("restflow.serializers.representation_in_thread")


def _user_defines(cls, name):
    """True when ``cls`` or a base below restflow's classes defines ``name``."""
    for klass in cls.__mro__:
        if klass.__module__ == __name__:
            return False
        if name in vars(klass):
            return True
    return False


@per_class
def _async_hooks(cls):
    """Field names whose ``validate_<name>`` hook is a coroutine function."""
    return frozenset(
        attr[len("validate_") :]
        for attr in dir(cls)
        if attr.startswith("validate_") and iscoroutinefunction(getattr(cls, attr))
    )


@per_class
def _uses_avalidate(cls):
    return _user_defines(cls, "avalidate")


@per_class
def _validates_async(cls):
    """True when validating ``cls`` awaits user code (else DRF's is_valid does it all)."""
    return bool(
        _async_hooks(cls)
        or iscoroutinefunction(cls.validate)
        or _uses_avalidate(cls)
        or _user_defines(cls, "arun_validation")
        or _user_defines(cls, "ato_internal_value")
    )


@per_class
def _represents_async(cls):
    return iscoroutinefunction(cls.to_representation) or _user_defines(cls, "ato_representation")


@per_class
def _awaits_user_code(cls, name):
    """True when the async entry point ``name`` of ``cls`` awaits code of the class's own."""
    if _user_defines(cls, name):
        return True
    if name == "ais_valid":
        return _validates_async(cls)
    if name == "asave":
        return bool(
            _user_defines(cls, "acreate")
            or _user_defines(cls, "aupdate")
            or iscoroutinefunction(cls.create)
            or iscoroutinefunction(cls.update)
        )
    if name == "adata":
        return _represents_async(cls)
    return True


class _AsyncSurface:
    """Async twins of DRF's serializer entry points; the sync ones refuse async user code."""

    @classmethod
    def _runs_async_code(cls, name):
        """True when ``name`` ("ais_valid", "asave", "adata") awaits code of this class's own.

        Our views call that method then; otherwise DRF's sync path serves the class
        exactly as it serves a plain DRF serializer (validation and save sharing a hop).
        """
        return _awaits_user_code(cls, name)

    # Sync entry points: DRF's, unless user code they would call is async (``runs_drfs`` tells
    # the serializer engine so: it may then stand in for DRF's own code).

    @runs_drfs
    def to_internal_value(self, data):
        hooks = _async_hooks(type(self))
        if hooks:
            for field in self._writable_fields:
                if field.field_name in hooks:
                    refuse(self, f"validate_{field.field_name}", "to_internal_value()", "ais_valid()")
        return super().to_internal_value(data)

    @runs_drfs
    def run_validation(self, data=empty):
        cls = type(self)
        if iscoroutinefunction(cls.validate):
            refuse(self, "validate", "run_validation()", "ais_valid()")
        if _uses_avalidate(cls) and not _user_defines(cls, "validate"):
            refuse(self, "avalidate", "run_validation()", "ais_valid()")
        return super().run_validation(data)

    @runs_drfs
    def save(self, **kwargs):
        sync_name, async_name = ("update", "aupdate") if self.instance is not None else ("create", "acreate")
        cls = type(self)
        if iscoroutinefunction(getattr(cls, sync_name)):
            refuse(self, sync_name, "save()", "asave()")
        if _user_defines(cls, async_name) and not _user_defines(cls, sync_name):
            refuse(self, async_name, "save()", "asave()")
        return super().save(**kwargs)

    @property
    def validated_data(self):
        """DRF's validated data as ``ValidatedData`` (attribute access, nested too)."""
        value = super().validated_data
        if isinstance(value, dict) and not isinstance(value, ValidatedData):
            value = self._validated_data = transform_validated_data(value)
        return value

    # Validation

    async def ais_valid(self, *, raise_exception=False):
        """``is_valid()`` without blocking the loop; async ``validate_<name>``, ``validate`` and ``avalidate``
        are awaited."""
        if not _validates_async(type(self)):
            return await plain_is_valid(self, raise_exception=raise_exception)
        assert hasattr(self, "initial_data"), (
            "Cannot call `.ais_valid()` as no `data=` keyword argument was passed when instantiating the "
            "serializer instance."
        )
        if not hasattr(self, "_validated_data"):
            try:
                self._validated_data = await self.arun_validation(self.initial_data)
            except ValidationError as exc:
                self._validated_data = {}
                self._errors = exc.detail
            else:
                self._errors = {}
        if self._errors and raise_exception:
            raise ValidationError(self.errors)
        return not self._errors

    async def arun_validation(self, data=empty):
        """``run_validation()``: fields, then DRF's validators, then ``avalidate`` (when defined) or ``validate``."""
        is_empty_value, data = self.validate_empty_values(data)
        if is_empty_value:
            return data
        value = await self.ato_internal_value(data)
        cls = type(self)
        try:
            value = await on_loop_or_hop(_checks_in_thread, (cls,), self._sync_checks, value)
            if _uses_avalidate(cls):
                value = await self.avalidate(value)
            elif iscoroutinefunction(cls.validate):
                value = await self.validate(value)
            assert value is not None, ".validate() should return the validated data"
        except (ValidationError, DjangoValidationError) as exc:
            raise ValidationError(detail=serializers.as_serializer_error(exc)) from exc
        return value

    def _sync_checks(self, value):
        """DRF's validators, then a sync ``validate`` when the async path uses it."""
        self.run_validators(value)
        cls = type(self)
        if _uses_avalidate(cls) or iscoroutinefunction(cls.validate):
            return value
        return self.validate(value)

    async def ato_internal_value(self, data):
        """``to_internal_value()``, awaiting async ``validate_<name>`` hooks; errors as DRF reports them."""
        outcomes = await on_loop_or_hop(_fields_in_thread, (type(self),), self._validate_fields, data)
        hooks = _async_hooks(type(self))
        ret, errors = {}, {}
        for field, value, error in outcomes:
            if error is None and field.field_name in hooks:
                try:
                    value = await getattr(self, "validate_" + field.field_name)(value)
                except ValidationError as exc:
                    error = exc.detail
                except DjangoValidationError as exc:
                    error = get_error_detail(exc)
                except SkipField:
                    continue
            if error is not None:
                errors[field.field_name] = error
            else:
                self.set_value(ret, field.source_attrs, value)
        if errors:
            raise ValidationError(errors)
        return ret

    def _validate_fields(self, data):
        """(field, value, error) for each writable field, sync hooks run, async ones left to await."""
        if not isinstance(data, Mapping):
            message = self.error_messages["invalid"].format(datatype=type(data).__name__)
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]}, code="invalid")
        hooks = _async_hooks(type(self))
        outcomes = []
        for field in self._writable_fields:
            try:
                value = field.run_validation(field.get_value(data))
                if field.field_name not in hooks:
                    hook = getattr(self, "validate_" + field.field_name, None)
                    if hook is not None:
                        value = hook(value)
            except ValidationError as exc:
                outcomes.append((field, None, exc.detail))
            except DjangoValidationError as exc:
                outcomes.append((field, None, get_error_detail(exc)))
            except SkipField:
                pass
            else:
                outcomes.append((field, value, None))
        return outcomes

    async def avalidate(self, attrs):
        """Async cross-field validation; when you define it, the async path runs it instead of ``validate``."""
        return attrs

    # Saving

    async def asave(self, **kwargs):
        """``save()`` without blocking the loop: your ``acreate``/``aupdate`` awaited, else ``save()`` in one hop."""
        cls = type(self)
        sync_name, async_name = ("update", "aupdate") if self.instance is not None else ("create", "acreate")
        if _user_defines(cls, "save") or not (
            _user_defines(cls, async_name) or iscoroutinefunction(getattr(cls, sync_name))
        ):
            return await plain_save(self, **kwargs)
        assert hasattr(self, "_errors"), "You must call `.ais_valid()` or `.is_valid()` before calling `.asave()`."
        assert not self.errors, "You cannot call `.asave()` on a serializer with invalid data."
        assert "commit" not in kwargs, "'commit' is not a valid keyword argument to the 'asave()' method."
        assert not hasattr(self, "_data"), "You cannot call `.asave()` after accessing `serializer.data`."
        validated_data = {**self.validated_data, **kwargs}
        if self.instance is not None:
            self.instance = await self.aupdate(self.instance, validated_data)
            assert self.instance is not None, "`aupdate()` did not return an object instance."
        else:
            self.instance = await self.acreate(validated_data)
            assert self.instance is not None, "`acreate()` did not return an object instance."
        return self.instance

    async def acreate(self, validated_data):
        """Create the object: ``create()`` (DRF's, or yours) in one hop, or awaited when async."""
        if iscoroutinefunction(type(self).create):
            return await self.create(validated_data)
        return await in_thread(self.create, validated_data)

    async def aupdate(self, instance, validated_data):
        """Update the object: ``update()`` (DRF's, or yours) in one hop, or awaited when async."""
        if iscoroutinefunction(type(self).update):
            return await self.update(instance, validated_data)
        return await in_thread(self.update, instance, validated_data)

    # Representation

    async def ato_representation(self, instance):
        """``to_representation(instance)`` without blocking the loop (an async override is awaited)."""
        if iscoroutinefunction(type(self).to_representation):
            return await self.to_representation(instance)
        return await on_loop_or_hop(_representation_in_thread, (type(self),), self.to_representation, instance)

    async def adata(self):
        """``.data`` without blocking the loop, through ``ato_representation`` when it is yours or async."""
        if not _represents_async(type(self)):
            return await plain_data(self)
        if not hasattr(self, "_data"):
            assert not hasattr(self, "initial_data") or hasattr(self, "_validated_data"), (
                "When a serializer is passed a `data` keyword argument you must call `.ais_valid()` "
                "before attempting to access the serialized `.adata()` representation."
            )
            if self.instance is not None and not getattr(self, "_errors", None):
                self._data = await self.ato_representation(self.instance)
            elif hasattr(self, "_validated_data") and not getattr(self, "_errors", None):
                self._data = await self.ato_representation(self.validated_data)
            else:
                self._data = self.get_initial()
        return self.data


class ListSerializer(serializers.ListSerializer):
    """DRF's ListSerializer for ``many=True``, with ``ais_valid``, ``adata`` and ``asave``."""

    @property
    def validated_data(self):
        value = super().validated_data
        if isinstance(value, list):
            value = self._validated_data = transform_validated_data(value)
        return value

    @classmethod
    def _runs_async_code(cls, name):
        """False: these async methods are DRF's sync path, run off the loop (see the serializer's own)."""
        return False

    async def ais_valid(self, *, raise_exception=False):
        """``is_valid()`` without blocking the loop."""
        return await plain_is_valid(self, raise_exception=raise_exception)

    async def adata(self):
        """``.data`` without blocking the loop."""
        return await plain_data(self)

    async def asave(self, **kwargs):
        """``save()`` in one hop."""
        return await plain_save(self, **kwargs)


class _ManyInit:
    @classmethod
    def many_init(cls, *args, **kwargs):
        serializer = super().many_init(*args, **kwargs)
        if type(serializer) is serializers.ListSerializer:
            serializer.__class__ = ListSerializer  # DRF's default list class, with the async surface
        return serializer


class Serializer(_AsyncSurface, _ManyInit, serializers.Serializer, metaclass=SerializerMetaclass):
    """DRF's Serializer; annotated names are fields (``name: str``), plus the async surface."""


class ModelSerializer(_AsyncSurface, _ManyInit, serializers.ModelSerializer, metaclass=ModelSerializerMetaclass):
    """DRF's ModelSerializer; annotated names are fields added to ``Meta.fields``, plus the async surface."""


class HyperlinkedModelSerializer(ModelSerializer, serializers.HyperlinkedModelSerializer):
    """DRF's HyperlinkedModelSerializer, with annotated fields and the async surface."""


def InlineSerializer(
    name=None,
    fields=None,
    extra_kwargs=None,
    read_only_fields=None,
    write_only_fields=None,
    model=None,
    model_fields=None,
):
    """A serializer class built in one call: a Serializer, or a ModelSerializer when ``model`` is given.

    ``fields`` maps names to DRF field instances or to annotation types. With a
    model, ``Meta.fields`` is ``model_fields``, else the names of ``fields``, else
    ``"__all__"``; ``read_only_fields``/``write_only_fields`` join ``extra_kwargs``
    (whose own entries win).
    """
    if model is None and not fields:
        raise ValueError("InlineSerializer needs `fields`, `model`, or both.")
    attrs = {"__module__": sys._getframe(1).f_globals.get("__name__", __name__), "__annotations__": {}}
    for field_name, value in (fields or {}).items():
        if isinstance(value, serializers.Field):
            attrs[field_name] = value
        else:
            attrs["__annotations__"][field_name] = value
    if model is None:
        if extra_kwargs or read_only_fields or write_only_fields:
            raise TypeError(
                "extra_kwargs, read_only_fields and write_only_fields apply with `model`; "
                "without one, pass DRF field instances with those options in `fields`."
            )
        return SerializerMetaclass(name or "_Serializer", (Serializer,), attrs)
    options = {key: dict(value) for key, value in (extra_kwargs or {}).items()}
    for flag, names in (("read_only", read_only_fields), ("write_only", write_only_fields)):
        for field_name in names or ():
            options[field_name] = {flag: True, **options.get(field_name, {})}
    if model_fields is not None:
        listed = model_fields if isinstance(model_fields, str) else list(model_fields)
    else:
        listed = list(fields) if fields else serializers.ALL_FIELDS
    meta = {"model": model, "fields": listed}
    if options:
        meta["extra_kwargs"] = options
    attrs["Meta"] = type("Meta", (), meta)
    return ModelSerializerMetaclass(name or f"{model.__name__}Serializer", (ModelSerializer,), attrs)

"""FilterSet: validates query parameters, then filters a queryset with one combined condition.

Every parameter is parsed before any query runs, so a bad value is a 400 naming the parameter,
never a database error. All field conditions are combined (``Meta.operator``: AND by default) into
a single ``Q`` passed to a single ``.filter()`` call: conditions on a multi-valued relation
(``reviews__rating``) then share one join, as a DRF user writing ``.filter(a, b)`` would expect.
"""

import asyncio
import inspect
import types
import typing

from asgiref.sync import async_to_sync, sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.serializers import ListField as ListParser
from rest_framework.settings import api_settings

from restflow.filters.annotations import field_for_annotation
from restflow.filters.fields import Field, call_method, method_style
from restflow.filters.from_model import RelatedField, fields_for_model
from restflow.filters.options import FilterOptions
from restflow.filters.ordering import OrderField


class FilterSet:
    """Declare filters with annotations (``price: int``), field objects (``price = IntegerField(
    lookups=["comparison"])``) and ``class Meta: model = ...; fields = [...]``; when a name is
    declared twice, a field object beats an annotation, which beats Meta. Unknown query parameters
    are ignored.

    A ``method`` field calls ``self.<method>(queryset, value)`` (also accepted:
    ``(filterset, queryset, value)`` and ``(queryset, path, value)``), sync or async; it returns a
    ``Q`` (combined with the other conditions) or a queryset (which the other filters refine).
    """

    base_fields: dict = {}
    _params: dict = {}
    _options = FilterOptions(None)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        options = FilterOptions(meta, inherited=cls._options)
        cls._options = options
        declared = {}
        for base in reversed(cls.__mro__[1:]):
            declared.update(getattr(base, "base_fields", {}))
        generated = {}
        if meta is not None and options.model is not None:
            names = "__all__" if options.fields is None else options.fields
            generated.update(
                fields_for_model(options.model, names, exclude=options.exclude, extra_kwargs=options.extra_kwargs)
            )
        explicit = {name: value for name, value in vars(cls).items() if isinstance(value, Field)}
        for name, annotation in inspect.get_annotations(cls, eval_str=True).items():
            if name.startswith("_") or _is_classvar(annotation) or name in explicit:
                if type(explicit.get(name)) is Field:  # ``price: int = Field(lookups=...)``
                    explicit[name] = field_for_annotation(name, annotation, **explicit[name]._kwargs)
                continue
            generated[name] = field_for_annotation(name, annotation, **options.extra_kwargs.get(name, {}))
        unknown = set(options.extra_kwargs) - set(generated) - set(explicit) if meta is not None else set()
        if unknown:
            raise ImproperlyConfigured(
                f"Meta.extra_kwargs names {', '.join(sorted(unknown))}, which is neither a model field in "
                "Meta.fields nor an annotation."
            )
        for field in generated.values():
            if field.allow_negate is None:
                field.allow_negate = options.allow_negate
        declared.update(generated)
        for name, field in explicit.items():
            if name in cls.__dict__:
                delattr(cls, name)
            if isinstance(field, RelatedField):
                declared.update(field.expand(name))
            else:
                declared[name] = field
        _attach_ordering(cls, declared, options)
        cls.base_fields, cls._params = {}, {}
        for name, field in declared.items():
            if isinstance(field.method, str):
                method_style(_method_of(cls, name, field.method))  # raises on an undocumented signature
            field = cls.base_fields[name] = _copy(field)
            for param in field.bind(name, separator=options.lookup_separator, allow_negate=True):
                if param.name in cls._params:
                    raise ImproperlyConfigured(f"{cls.__name__}: two filters answer to {param.name!r}.")
                cls._params[param.name] = param

    @classmethod
    def parameters(cls):
        """Every accepted query parameter, in declaration order."""
        return list(cls._params.values())

    @property
    def fields(self):
        """Each accepted query parameter (``price``, ``price__gte``, ``price!``...) with the field
        answering it; read-only, as the parameters are fixed when the class is created."""
        return types.MappingProxyType({name: param.field for name, param in self._params.items()})

    @classmethod
    def get_options(cls):
        """The resolved Meta options."""
        return cls._options

    def __init__(self, data=None, queryset=None, *, request=None, view=None):
        if data is None and request is not None:
            data = getattr(request, "query_params", None)
            data = getattr(request, "GET", {}) if data is None else data
        self.data = {} if data is None else data
        self.queryset = queryset
        self.request = request
        self.view = view
        self._errors = None
        self._validated = {}

    def _raw_values(self, name, keep_empty=False):
        if hasattr(self.data, "getlist"):
            values = self.data.getlist(name)
        else:
            value = self.data.get(name)
            values = [] if value is None else value if isinstance(value, (list, tuple)) else [value]
        return [str(value) for value in values if keep_empty or value != ""]

    def validate(self, data):
        """Cross-parameter validation: receives the parsed values by parameter name, returns them
        (possibly changed) or raises ValidationError. Runs once every parameter is valid."""
        return data

    def is_valid(self, raise_exception=False):
        """Parse every given parameter; True when all are valid and every required one is given."""
        if self._errors is None:
            self._errors, self._validated = {}, {}
            for name, param in self._params.items():
                # An empty value counts as absent, except for a list with bounds (``min_length``,
                # ``allow_empty``...), which validates it as an empty list.
                raw_values = self._raw_values(name, keep_empty=isinstance(param.parser, ListParser))
                if not raw_values:
                    continue
                try:
                    self._validated[name] = param.parse(raw_values)
                except ValidationError as exc:
                    self._errors[name] = exc.detail
            for field in self.base_fields.values():
                names = [param.name for param in field.params if not param.negated]
                if field.required and not any(self._raw_values(name) for name in names):
                    message = (
                        "This query parameter is required."
                        if len(names) == 1
                        else (f"One of these query parameters is required: {', '.join(names)}.")
                    )
                    self._errors[names[0]] = [message]
            if not self._errors:
                self._run_validate()
        if self._errors and raise_exception:
            raise ValidationError(self._errors)
        return not self._errors

    def _run_validate(self):
        try:
            validated = self.validate(dict(self._validated))
        except ValidationError as exc:
            detail = exc.detail  # DRF's shape: a list of messages per key, as a serializer reports
            if isinstance(detail, dict):
                self._errors = {
                    key: value if isinstance(value, (list, dict)) else [value] for key, value in detail.items()
                }
            else:
                self._errors = {api_settings.NON_FIELD_ERRORS_KEY: detail}
            self._validated = {}
            return
        if validated is not None:
            self._validated = dict(validated)

    @property
    def errors(self):
        """DRF's error shape: ``{"price__gte": ["A valid integer is required."]}``."""
        self.is_valid()
        return self._errors

    @property
    def validated_data(self):
        """Parsed values by parameter name; empty when any parameter is invalid."""
        return self._validated if self.is_valid() else {}

    def model_dump(self):
        """The parsed values by parameter name; raises ValidationError when any is invalid."""
        self.is_valid(raise_exception=True)
        return dict(self._validated)

    def _plan(self, queryset, ignore):
        """Validate, then split the given parameters into conditions, method calls and an ordering."""
        queryset = self.queryset if queryset is None else queryset
        if queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset to filter.")
        values = self.model_dump()
        ignore = set(ignore or ())
        conditions, calls, ordering = [], [], None
        for name, value in values.items():
            param = self._params.get(name)
            if param is None or name in ignore or param.field.name in ignore:
                continue
            if isinstance(param.field, OrderField):
                ordering = (param.field, value)
            elif param.calls_method:
                calls.append((param, value))
            else:
                conditions.append((name, param.to_q(value)))
        if ordering is None:
            ordering = next(
                (
                    (field, field.default)
                    for field in self.base_fields.values()
                    if isinstance(field, OrderField) and field.default
                ),
                None,
            )
        return queryset, conditions, calls, ordering

    def _callables(self, calls):
        options = self._options
        return [*options.preprocessors, *(param.field.get_method(self) for param, _ in calls), *options.postprocessors]

    def filter_queryset(self, queryset=None, ignore=None):
        """The filtered queryset (``self.queryset`` when none is given); ValidationError when a
        parameter is invalid. ``ignore`` names fields or parameters to leave out."""
        queryset, conditions, calls, ordering = self._plan(queryset, ignore)
        for processor in self._options.preprocessors:
            queryset = _processed(processor, _run_sync(processor, self, queryset))
        for param, value in calls:
            result = _run_sync(
                lambda *args, p=param: call_method(p.field, *args), self, queryset, value, label=param.field.method
            )
            queryset = _merge(param, result, queryset, conditions)
        queryset = self._finish(queryset, conditions, ordering)
        for processor in self._options.postprocessors:
            queryset = _processed(processor, _run_sync(processor, self, queryset))
        return queryset

    async def afilter_queryset(self, queryset=None, ignore=None):
        """Like ``filter_queryset`` for async code. Async methods and processors are awaited; sync
        ones may query the database, so they run in a worker thread (all of them in one hop when
        none is async). Field conditions build a ``Q`` and run no query, so they need no thread."""
        queryset, conditions, calls, ordering = self._plan(queryset, ignore)
        user_code = self._callables(calls)
        if not any(_is_async(func) for func in user_code):
            if user_code:
                return await sync_to_async(self.filter_queryset)(queryset, ignore)
            return self._finish(queryset, conditions, ordering)
        for processor in self._options.preprocessors:
            queryset = _processed(processor, await _run_async(processor, self, queryset))
        for param, value in calls:
            method = param.field.get_method(self)
            result = await _run_async(method, self, queryset, value, call=lambda *a, p=param: call_method(p.field, *a))
            queryset = _merge(param, result, queryset, conditions)
        queryset = self._finish(queryset, conditions, ordering)
        for processor in self._options.postprocessors:
            queryset = _processed(processor, await _run_async(processor, self, queryset))
        return queryset

    def _finish(self, queryset, conditions, ordering):
        if conditions:
            combined = conditions[0][1]
            for _, condition in conditions[1:]:
                combined = {"AND": combined.__and__, "OR": combined.__or__, "XOR": combined.__xor__}[
                    self._options.operator
                ](condition)
            try:
                queryset = queryset.filter(combined)
            except (ValueError, TypeError, DjangoValidationError):
                raise ValidationError(_rejected(queryset, conditions)) from None
        if ordering:
            field, terms = ordering
            queryset = queryset.order_by(*field.order_by(terms, queryset))
        return queryset


def _is_classvar(annotation):
    return annotation is typing.ClassVar or typing.get_origin(annotation) is typing.ClassVar


def _method_of(cls, name, method_name):
    """The method ``method_name`` as it will be called: bound to an instance (self not counted)."""
    static = inspect.getattr_static(cls, method_name, None)
    if static is None or not callable(getattr(cls, method_name)):
        raise ImproperlyConfigured(f"{cls.__name__}.{name} names method {method_name!r}, which is missing.")
    if isinstance(static, types.FunctionType):
        return types.MethodType(static, cls)
    return getattr(cls, method_name)


def _copy(field):
    """A shallow copy, so binding in a subclass (another separator) leaves the parent's field alone."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


def _attach_ordering(cls, declared, options):
    """Add the ordering parameter from ``Meta.order_fields``, or apply Meta's ordering options to an
    explicit OrderField; refuse ordering options that would have nothing to apply to."""
    explicit = [name for name, field in declared.items() if isinstance(field, OrderField)]
    meta = cls.__dict__.get("Meta")
    meta_sets = {
        key
        for key in (
            "order_param",
            "default_order_fields",
            "order_field_labels",
            "override_order_direction",
            "override_order_dir",
        )
        if meta and key in vars(meta)
    }
    if options.order_fields:
        if explicit and explicit[-1] != options.order_param:
            raise ImproperlyConfigured(
                f"{cls.__name__} declares OrderField {explicit[-1]!r} and Meta.order_fields: keep one of them."
            )
        declared[options.order_param] = OrderField(
            options.order_fields,
            labels=options.order_field_labels,
            default=options.default_order_fields,
            override_order_direction=options.override_order_direction,
        )
    elif meta_sets:
        if not explicit:
            raise ImproperlyConfigured(
                f"Meta.{sorted(meta_sets)[0]} needs Meta.order_fields (or an OrderField) to apply to."
            )
        if "order_param" in meta_sets and options.order_param != explicit[-1]:
            raise ImproperlyConfigured(
                f"Meta.order_param is {options.order_param!r} but the OrderField is named {explicit[-1]!r}."
            )
        field = declared[explicit[-1]]
        declared[explicit[-1]] = OrderField(
            field.paths,
            labels=options.order_field_labels or list(field.labels.items()),
            default=options.default_order_fields or field.default,
            override_order_direction=options.override_order_direction
            or ("desc" if field.descending_by_default else None),
            help_text=field.help_text,
        )


def _is_async(func):
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(getattr(func, "__call__", None))  # noqa: B004 (an instance's async __call__)


def _run_sync(func, *args, label=None):
    """Call user code from sync ``filter_queryset``; a coroutine is run to completion when no event
    loop runs in this thread, and refused (TypeError) when one does."""
    result = func(*args)
    if not inspect.isawaitable(result):
        return result
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(_awaited)(result)
    if inspect.iscoroutine(result):
        result.close()
    raise TypeError(
        f"{label or getattr(func, '__qualname__', func)} is async and an event loop runs in this thread: "
        "use await filterset.afilter_queryset(...)."
    )


async def _awaited(awaitable):
    return await awaitable


async def _run_async(func, *args, call=None):
    """Await async user code; run sync user code in a worker thread (it may query the database)."""
    call = call or func
    if _is_async(func):
        return await call(*args)
    result = await sync_to_async(call)(*args)
    return await result if inspect.isawaitable(result) else result


def _rejected(queryset, conditions):
    """Errors for the parameters whose values the model's columns refuse (``category=abc`` on a
    foreign key declared as a StringField): a 400 naming them, never a 500."""
    errors = {}
    for name, condition in conditions:
        try:
            queryset.filter(condition)
        except (ValueError, TypeError, DjangoValidationError) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            errors[name] = [f"Not a value this column accepts: {'; '.join(messages)}"]
    return errors


def _processed(processor, result):
    if not isinstance(result, QuerySet):
        raise TypeError(
            f"{getattr(processor, '__qualname__', processor)} returned "
            f"{type(result).__name__}; a processor returns the queryset."
        )
    return result


def _merge(param, result, queryset, conditions):
    """Fold a method's result in: a Q joins the conditions, a queryset replaces ``queryset`` (for
    a negated parameter: the rows of ``queryset`` the method's queryset leaves out)."""
    if isinstance(result, dict):
        result = Q(**result)
    if isinstance(result, Q):
        conditions.append((param.name, ~result if param.negated else result))
        return queryset
    if isinstance(result, QuerySet):
        return queryset.exclude(pk__in=result.values("pk")) if param.negated else result
    raise TypeError(
        f"The filter method of {param.field.name!r} returned {type(result).__name__}; return a Q or a QuerySet."
    )

"""FilterSet: validates query parameters, then filters a queryset with one combined condition.

Every parameter is parsed before any query runs, so a bad value is a 400 naming the parameter,
never a database error. All field conditions are AND-ed into a single ``Q`` passed to a single
``.filter()`` call: conditions on a multi-valued relation (``reviews__rating``) then share one
join, as a DRF user writing ``.filter(a, b)`` by hand would expect.
"""

import inspect

from asgiref.sync import async_to_sync, sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError

from restflow.filters.fields import Field, OrderField, field_for_annotation
from restflow.filters.from_model import fields_for_model


class FilterSet:
    """Declare filters with annotations (``price: int``), field objects (``price = IntegerField(
    lookups=["comparison"])``) and ``class Meta: model = ...; fields = [...]``; later declarations
    win in that order. Unknown query parameters are ignored.

    A ``method`` field calls ``self.<method>(queryset, path, value)``, sync or async, which returns
    a ``Q`` (joined into the combined condition) or a queryset (which the remaining filters refine).
    """

    base_fields = {}
    _params = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        declared = {}
        for base in reversed(cls.__mro__[1:]):
            declared.update(getattr(base, "base_fields", {}))
        meta = cls.__dict__.get("Meta")
        if meta is not None:
            declared.update(fields_for_model(meta.model, getattr(meta, "fields", "__all__")))
        for name, annotation in inspect.get_annotations(cls, eval_str=True).items():
            declared[name] = field_for_annotation(name, annotation)
        for name, value in list(vars(cls).items()):
            if isinstance(value, Field):
                declared[name] = value
                delattr(cls, name)
        cls.base_fields = declared
        cls._params = {}
        for name, field in declared.items():
            if field.method and not callable(getattr(cls, field.method, None)):
                raise ImproperlyConfigured(f"{cls.__name__}.{name} names method {field.method!r}, which is missing.")
            cls._params.update((param.name, param) for param in field.bind(name))

    @classmethod
    def parameters(cls):
        """Every accepted query parameter, in declaration order."""
        return list(cls._params.values())

    def __init__(self, data=None, queryset=None, *, request=None, view=None):
        self.data = {} if data is None else data
        self.queryset = queryset
        self.request = request
        self.view = view
        self._errors = None
        self._validated = {}

    def _raw_values(self, name):
        if hasattr(self.data, "getlist"):
            values = self.data.getlist(name)
        else:
            values = [self.data[name]] if name in self.data else []
        return [str(value) for value in values if value != ""]

    def is_valid(self):
        """Parse every given parameter; True when all are valid and every required one is given."""
        if self._errors is None:
            self._errors, self._validated = {}, {}
            for name, param in self._params.items():
                raw_values = self._raw_values(name)
                if not raw_values:
                    continue
                try:
                    self._validated[name] = param.parse(raw_values)
                except ValidationError as exc:
                    self._errors[name] = exc.detail
            for field in self.base_fields.values():
                names = [param.name for param in field.params]
                if field.required and not any(self._raw_values(name) for name in names):
                    message = "This query parameter is required." if len(names) == 1 else (
                        f"One of these query parameters is required: {', '.join(names)}."
                    )
                    self._errors[names[0]] = [message]
        return not self._errors

    @property
    def errors(self):
        """DRF's error shape: ``{"price__gte": ["A valid integer is required."]}``."""
        self.is_valid()
        return self._errors

    @property
    def validated_data(self):
        """Parsed values by parameter name; empty when any parameter is invalid."""
        return self._validated if self.is_valid() else {}

    def _plan(self, queryset):
        """Validate, then split the values into one condition, method calls and an ordering."""
        queryset = self.queryset if queryset is None else queryset
        if queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset to filter.")
        if not self.is_valid():
            raise ValidationError(self.errors)
        condition, calls, ordering = Q(), [], []
        for name, value in self._validated.items():
            param = self._params[name]
            field = param.field
            if field.method:
                calls.append((getattr(self, field.method), field.path, value))
            elif isinstance(field, OrderField):
                ordering += field.order_by(value)
            else:
                condition &= param.to_q(value)
        return queryset, condition, calls, ordering

    def filter_queryset(self, queryset=None):
        """The filtered queryset (``self.queryset`` when none is given); ValidationError if invalid."""
        queryset, condition, calls, ordering = self._plan(queryset)
        for method, path, value in calls:
            call = async_to_sync(method) if inspect.iscoroutinefunction(method) else method
            queryset, condition = _merge(method, call(queryset, path, value), queryset, condition)
        return _finish(queryset, condition, ordering)

    async def afilter_queryset(self, queryset=None):
        """Like ``filter_queryset`` for async code: async methods are awaited, sync methods run in a
        worker thread because they may query the database. Field conditions build a ``Q`` and run
        no query, so they need no thread."""
        queryset, condition, calls, ordering = self._plan(queryset)
        for method, path, value in calls:
            call = method if inspect.iscoroutinefunction(method) else sync_to_async(method)
            queryset, condition = _merge(method, await call(queryset, path, value), queryset, condition)
        return _finish(queryset, condition, ordering)


def _merge(method, result, queryset, condition):
    if isinstance(result, Q):
        return queryset, condition & result
    if isinstance(result, QuerySet):
        return result, condition
    raise TypeError(f"{method.__qualname__} returned {type(result).__name__}; a filter method returns a Q or a QuerySet.")


def _finish(queryset, condition, ordering):
    if condition:
        queryset = queryset.filter(condition)
    if ordering:
        queryset = queryset.order_by(*ordering)
    return queryset

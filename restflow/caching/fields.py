"""Cache key fields: each turns one piece of a call (an argument, a request value...) into a key slice."""

import datetime
import inspect
import operator

from django.db import models

from restflow.caching.hashing import hash_string

# Separators of the key, and what memcached refuses (spaces, control characters), percent-encoded.
_ESCAPES = str.maketrans({char: f"%{ord(char):02X}" for char in "%|=:\x7f" + "".join(map(chr, range(33)))})


def stable_text(value, sort_lists=True):
    """A deterministic text for ``value``: dict keys sorted, lists sorted unless told not to."""
    if isinstance(value, dict):
        items = sorted((stable_text(key, sort_lists), stable_text(item, sort_lists)) for key, item in value.items())
        return "{" + ",".join(f"{key}:{item}" for key, item in items) + "}"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [stable_text(item, sort_lists) for item in value]
        if sort_lists or isinstance(value, (set, frozenset)):
            items.sort()
        return "[" + ",".join(items) + "]"
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}:{value.pk}"
    return str(value)


def _follow(value, path):
    """``value`` with the dotted attribute (or key) ``path`` applied; None when a step is missing."""
    for name in path.split(".") if path else ():
        if value is None:
            return None
        if isinstance(value, dict):
            value = value.get(name)
        else:
            value = getattr(value, name, None)
    return value


class KeyContext:
    """What key fields read: the call's bound arguments, its request, the view's URL kwargs."""

    __slots__ = ("arguments", "view_kwargs", "function")

    def __init__(self, arguments, view_kwargs=None, function=None):
        self.arguments = arguments
        self.view_kwargs = view_kwargs
        self.function = function

    @classmethod
    def from_call(cls, func, args, kwargs):
        """The context of calling ``func(*args, **kwargs)`` (arguments bound, defaults applied);
        without a function, the keyword arguments are the call's arguments."""
        if func is None:
            return cls(dict(kwargs or {}))
        signature = inspect.signature(func)
        bound = signature.bind_partial(*(args or ()), **(kwargs or {}))
        bound.apply_defaults()
        arguments = {}
        for name, value in bound.arguments.items():
            kind = signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                arguments.update(value)
            elif not (kind is inspect.Parameter.VAR_POSITIONAL and not value):
                arguments[name] = value
        return cls(arguments, function=func)

    def request(self, request_arg="request", view_fallback=True):
        request = self.arguments.get(request_arg)
        if request is None and view_fallback:
            request = getattr(self.arguments.get("self"), "request", None)
        return request


class CacheKeyField:
    """Base of every key field.

    ``partition=True`` moves the field into the key prefix (wiped together by ``delete_by_prefix``),
    ``hash_value=True`` replaces the text by its digest, ``sort_lists`` makes list order irrelevant.
    A custom field defines ``resolve(context)`` or, taking the call as it was made,
    ``get_key_payload(func, args, kwargs)`` returning a dict; either one makes the field's value.
    """

    label = None

    def __init__(self, *, partition=False, hash_value=False, sort_lists=True):
        self.partition = partition
        self.hash_value = hash_value
        self.sort_lists = sort_lists

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A subclass that writes get_key_payload (and no resolve) gets its payload into the key.
        if "get_key_payload" in cls.__dict__ and "resolve" not in cls.__dict__:
            cls.resolve = CacheKeyField._payload_as_value

    def __set_name__(self, owner, name):
        if self.label is None:
            self.label = name

    def resolve(self, context):
        """The raw value of this field for a call."""
        raise NotImplementedError(f"{type(self).__name__} must define resolve(context) or get_key_payload().")

    def _payload_as_value(self, context):
        return self.get_key_payload(context.function, (), context.arguments)

    def can_resolve(self, context):
        """False when the call does not provide what the field reads (prefix deletes then match any value)."""
        return True

    def get_key_payload(self, func, args, kwargs):
        """What this field reads from the call ``func(*args, **kwargs)``, as ``{name: value}``."""
        return {self.label: self.resolve(KeyContext.from_call(func, args, kwargs))}

    def normalize(self, data):
        """``data`` made deterministic: dict items sorted by key, lists sorted when ``sort_lists``,
        None as ``"null"``, dates and datetimes in ISO format, anything else as ``str``."""
        if isinstance(data, dict):
            return {str(key): self.normalize(value) for key, value in sorted(data.items(), key=lambda kv: str(kv[0]))}
        if isinstance(data, (list, tuple)):
            items = [self.normalize(item) for item in data]
            return sorted(items, key=repr) if self.sort_lists else items
        if data is None:
            return "null"
        if isinstance(data, (datetime.date, datetime.time)):
            return data.isoformat()
        return str(data)

    def stringify(self, value):
        """The text ``value`` takes in a key (its digest when ``hash_value``)."""
        text = stable_text(value, self.sort_lists)
        return hash_string(text) if self.hash_value else text

    def text(self, context):
        """The field's slice of the key, ``label=value``."""
        return f"{self.label}={self.stringify(self.resolve(context)).translate(_ESCAPES)}"

    def get_cache_key_part(self, func, args, kwargs):
        """The slice of the key this field contributes for the call ``func(*args, **kwargs)``."""
        return self.text(KeyContext.from_call(func, args, kwargs))

    def extract_request_object(self, func, args, kwargs, request_arg="request", view_self_request_fallback=True):
        """The request of the call: the ``request_arg`` argument, else ``self.request`` of a view method."""
        return KeyContext.from_call(func, args, kwargs).request(request_arg, view_self_request_fallback)


class ConstantKeyField(CacheKeyField):
    """A fixed ``key=value`` on every key (an environment, an app version, a flag)."""

    def __init__(self, key, value, **options):
        super().__init__(**options)
        self.label = key
        self.value = value

    def __set_name__(self, owner, name):
        pass

    def resolve(self, context):
        return self.value


def _names(selection):
    return None if selection == "*" else [selection] if isinstance(selection, str) else list(selection)


class ArgsKeyField(CacheKeyField):
    """Arguments of the call by name (``"*"`` for all), each through ``path`` and ``normalizer``."""

    def __init__(self, arguments="*", path=None, normalizer=None, **options):
        super().__init__(**options)
        self.arguments = arguments
        self.names = _names(arguments)
        self.path = path
        self.normalizer = normalizer

    def _value(self, value):
        value = _follow(value, self.path)
        if self.normalizer is not None:
            try:
                value = self.normalizer(value)
            except Exception:
                pass
        return value

    def _selected(self, context):
        arguments = context.arguments
        if self.names is None:
            return {name: value for name, value in arguments.items() if name not in ("self", "request")}
        return {name: arguments[name] for name in self.names if name in arguments}

    def can_resolve(self, context):
        return self.names is None or all(name in context.arguments for name in self.names)

    def resolve(self, context):
        selected = {name: self._value(value) for name, value in self._selected(context).items()}
        if self.names is not None and len(self.names) == 1:
            return selected.get(self.names[0])
        return selected

    def get_key_payload(self, func, args, kwargs):
        """The selected arguments of the call, by name, each through ``path`` and ``normalizer``."""
        context = KeyContext.from_call(func, args, kwargs)
        return {name: self._value(value) for name, value in self._selected(context).items()}


class RequestValueKeyField(CacheKeyField):
    """A value read off the request by dotted path (``"user.id"``, ``"META.HTTP_X_TENANT"``)."""

    def __init__(self, path, request_arg="request", view_self_request_fallback=True, **options):
        super().__init__(**options)
        self.path = path
        self.request_arg = request_arg
        self.view_fallback = view_self_request_fallback

    def can_resolve(self, context):
        return context.request(self.request_arg, self.view_fallback) is not None

    def resolve(self, context):
        return _follow(context.request(self.request_arg, self.view_fallback), self.path)


class QueryParamsKeyField(CacheKeyField):
    """Query-string parameters by name (``"*"`` for all); repeated values are sorted."""

    def __init__(self, params="*", request_arg="request", view_self_request_fallback=True, **options):
        super().__init__(**options)
        self.names = _names(params)
        self.request_arg = request_arg
        self.view_fallback = view_self_request_fallback

    def can_resolve(self, context):
        return context.request(self.request_arg, self.view_fallback) is not None

    def resolve(self, context):
        request = context.request(self.request_arg, self.view_fallback)
        if request is None:
            return {}
        params = getattr(request, "query_params", None) or request.GET
        names = sorted(params) if self.names is None else self.names
        return {name: sorted(_values(params, name)) for name in names if name in params}


def _values(params, name):
    """Every value of a query parameter: a QueryDict's list, or a plain dict's value (listed)."""
    if hasattr(params, "getlist"):
        return params.getlist(name)
    value = params[name]
    return [str(item) for item in value] if isinstance(value, (list, tuple)) else [str(value)]


class ViewKwargsKeyField(CacheKeyField):
    """The view method's URL kwargs (everything but ``self`` and ``request``), by name or ``"*"``."""

    def __init__(self, kwargs="*", **options):
        super().__init__(**options)
        self.names = _names(kwargs)

    def _kwargs(self, context):
        if context.view_kwargs is not None:
            return context.view_kwargs
        return {name: value for name, value in context.arguments.items() if name not in ("self", "request")}

    def can_resolve(self, context):
        kwargs = self._kwargs(context)
        return self.names is None and bool(kwargs) or self.names is not None and all(n in kwargs for n in self.names)

    def resolve(self, context):
        kwargs = self._kwargs(context)
        names = sorted(kwargs) if self.names is None else self.names
        return {name: kwargs.get(name) for name in names}


def _model_shape(model):
    fields = sorted(
        (field.name, type(field).__name__, getattr(field, "null", False), str(getattr(field, "max_length", "")))
        for field in model._meta.get_fields()
    )
    return f"{model._meta.label}:{fields}"


def _serializer_shape(serializer_class):
    serializer = serializer_class()
    if hasattr(serializer, "child"):
        serializer = serializer.child
    parts = []
    for name, field in sorted(serializer.fields.items(), key=operator.itemgetter(0)):
        nested = getattr(field, "child", field)
        if hasattr(nested, "fields"):
            parts.append(f"{name}:{_serializer_shape(type(nested))}")
        else:
            parts.append(f"{name}:{type(field).__name__}:{field.source}:{field.read_only}")
    return f"{serializer_class.__qualname__}({','.join(parts)})"


class DjangoModelKeyField(CacheKeyField):
    """A digest of a model's fields: a migration that changes them changes the key."""

    def __init__(self, model, **options):
        super().__init__(**{**options, "hash_value": True})
        self.model = model

    def resolve(self, context):
        return _model_shape(self.model)


class DrfSerializerKeyField(CacheKeyField):
    """A digest of a serializer's fields, nested and list serializers walked."""

    def __init__(self, serializer_class, **options):
        super().__init__(**{**options, "hash_value": True})
        self.serializer_class = serializer_class

    def resolve(self, context):
        return _serializer_shape(self.serializer_class)


class UserKeyField(CacheKeyField):
    """Who asks: the authenticated user's pk, or ``anon`` (restflow's; keeps answers per user)."""

    def can_resolve(self, context):
        return context.request() is not None

    def resolve(self, context):
        user = getattr(context.request(), "user", None)
        return "anon" if user is None or not user.is_authenticated else user.pk

"""Key constructors: declarative classes whose key fields build a call's cache key.

A key reads ``restflow:<namespace>:v<version>::<function id>::<partition>::<suffix>``. Fields
with ``partition=True`` make the partition (wiped together by ``delete_by_prefix``), the others
the suffix, which is hashed or truncated past ``max_key_suffix_length``.
"""

import copy
import inspect
import weakref

from restflow.caching.fields import (
    ArgsKeyField,
    CacheKeyField,
    KeyContext,
    QueryParamsKeyField,
    RequestValueKeyField,
    UserKeyField,
    ViewKwargsKeyField,
)
from restflow.caching.hashing import cache_setting, hash_string
from restflow.caching.store import CacheStore, escape_glob

META_OPTIONS = {
    "namespace": "",
    "version": 1,
    "key_identifier": "",
    "max_key_suffix_length": None,
    "hash_suffix_on_overflow": None,
}
_META_ALIASES = {"identifier": "key_identifier"}
# Cached functions build their keys from the class's fields and Meta; these methods only report
# what those keys are, so a subclass redefining one would be ignored: it is refused instead.
_NOT_OVERRIDABLE = ("generate_key", "build_key_prefix", "build_key_suffix", "build_partition")


def _meta_options(name, bases, meta):
    options = {}
    for base in reversed(bases):
        options.update(getattr(base, "_meta", {}))
    for key, value in vars(meta).items() if meta is not None else ():
        if key.startswith("_"):
            continue
        key = _META_ALIASES.get(key, key)
        if key not in META_OPTIONS:
            raise TypeError(
                f"{name}.Meta has an unknown option {key!r}; a key constructor's Meta accepts "
                f"{', '.join(sorted(META_OPTIONS))}."
            )
        options[key] = _checked_option(name, key, value)
    return {**META_OPTIONS, **options}


_OPTION_TYPES = {
    "version": (int, "an integer"),
    "namespace": (str, "a string"),
    "key_identifier": (str, "a string"),
    "max_key_suffix_length": (int, "an integer"),
    "hash_suffix_on_overflow": (bool, "a boolean"),
}


def _checked_option(name, key, value):
    """A Meta option of the right type (a version may be written as a string of digits)."""
    if key == "version" and isinstance(value, str) and value.isdigit():
        value = int(value)
    expected, described = _OPTION_TYPES[key]
    wrong_bool = expected is int and isinstance(value, bool)
    if not (value is None and key in ("max_key_suffix_length", "hash_suffix_on_overflow")) and (
        not isinstance(value, expected) or wrong_bool
    ):
        raise TypeError(f"{name}.Meta: {key} must be {described}, not {value!r}.")
    return value


class KeyConstructorMeta(type):
    """Collects key fields from the class and its bases; a field set to None in a subclass is dropped."""

    def __new__(mcs, name, bases, namespace):
        overridden = [method for method in _NOT_OVERRIDABLE if method in namespace]
        if overridden and bases:
            raise TypeError(
                f"{name} redefines {', '.join(overridden)}: a key is made of the constructor's key fields "
                "and Meta options. Declare key fields, or write a CacheKeyField whose resolve() or "
                "get_key_payload() returns what the key needs."
            )
        meta = namespace.pop("Meta", None)
        cls = super().__new__(mcs, name, bases, namespace)
        fields = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                if isinstance(value, CacheKeyField):
                    fields[attr] = value
                elif value is None and attr in fields:
                    del fields[attr]
        cls._fields = fields
        cls._meta = _meta_options(name, bases, meta)
        cls._users = weakref.WeakSet()
        return cls


class KeyConstructor(metaclass=KeyConstructorMeta):
    """Subclass and declare key fields as attributes; ``class Meta`` holds the options.

    An instance reports the key of a call: ``generate_key(func, args, kwargs)`` is the key a
    cached ``func`` uses for those arguments, ``build_key_prefix`` its part up to the suffix
    (the prefix ``delete_by_prefix`` wipes), ``build_partition``/``build_key_suffix`` the slices.
    """

    # The key of one call, as an instance reports it.

    def get_version(self):
        """``Meta.version``: bumping it moves every key of this constructor."""
        return int(self._meta["version"])

    def get_fields(self):
        """A copy of the declared key fields, by attribute name."""
        return copy.deepcopy(self._fields)

    @property
    def fields(self):
        return self._fields

    @property
    def has_only_partition_fields(self):
        """True when every field is a partition field (a prefix delete then covers whole entries)."""
        return all(field.partition for field in self._fields.values())

    @staticmethod
    def get_function_identifier(func):
        """The dotted path naming ``func`` in keys: module and qualified name (a bound method's class too)."""
        owner = getattr(func, "__self__", None)
        if owner is not None:
            owner = owner if inspect.isclass(owner) else type(owner)
            return f"{owner.__module__}.{owner.__qualname__}.{func.__name__}"
        return f"{func.__module__}.{func.__qualname__}"

    def build_partition(self, func, args, kwargs):
        """The partition slice of the key of ``func(*args, **kwargs)``."""
        return "|".join(self._slices(KeyContext.from_call(func, args, kwargs), True))

    def build_key_prefix(self, func, args, kwargs):
        """The key of ``func(*args, **kwargs)`` up to its suffix: what a prefix delete matches."""
        return self.prefix(self.get_function_identifier(func)) + self.build_partition(func, args, kwargs) + "::"

    def build_key_suffix(self, func, args, kwargs):
        """The suffix slice (non-partition fields), hashed or cut past ``max_key_suffix_length``."""
        return self._suffix(KeyContext.from_call(func, args, kwargs))

    def generate_key(self, func, args, kwargs):
        """The cache key ``func`` decorated with this constructor uses for ``func(*args, **kwargs)``."""
        return self.build_key_prefix(func, args, kwargs) + self.build_key_suffix(func, args, kwargs)

    # The key of a call, as cached functions build it.

    @classmethod
    def prefix(cls, function_id):
        meta = cls._meta
        identifier = meta["key_identifier"] or function_id
        return f"restflow:{meta['namespace']}:v{meta['version']}::{identifier}::"

    @classmethod
    def _slices(cls, context, partition):
        return [field.text(context) for field in cls._fields.values() if field.partition is partition]

    @classmethod
    def _suffix(cls, context):
        suffix = "|".join(cls._slices(context, False))
        limit = cls._meta["max_key_suffix_length"] or cache_setting("MAX_KEY_SUFFIX_LENGTH")
        if len(suffix) > limit:
            hashed = cls._meta["hash_suffix_on_overflow"]
            if hashed is None:
                hashed = cache_setting("HASH_SUFFIX_ON_OVERFLOW")
            suffix = hash_string(suffix) if hashed else suffix[:limit]
        return suffix

    @classmethod
    def build_key(cls, function_id, context):
        """The full key for one call."""
        return cls.prefix(function_id) + "|".join(cls._slices(context, True)) + "::" + cls._suffix(context)

    @classmethod
    def partition_pattern(cls, function_id, context):
        """A glob matching every key of the partition ``context`` names (unnamed partition fields match any value)."""
        slices = [
            escape_glob(field.text(context)) if field.can_resolve(context) else f"{field.label}=*"
            for field in cls._fields.values()
            if field.partition
        ]
        return escape_glob(cls.prefix(function_id)) + "|".join(slices) + "::*"

    @classmethod
    def function_pattern(cls, function_id):
        """A glob matching every key the function ever wrote under this constructor."""
        return escape_glob(cls.prefix(function_id)) + "*"

    @classmethod
    def _wrappers(cls):
        return [wrapper for klass in _subclasses(cls) for wrapper in list(klass._users)]

    @classmethod
    def wipe(cls, *args, **kwargs):
        """``delete_by_prefix(*args, **kwargs)`` (``invalidate_all()`` without arguments) on every function
        using this constructor."""
        for wrapper in cls._wrappers():
            wrapper.delete_by_prefix(*args, **kwargs) if args or kwargs else wrapper.invalidate_all()

    @classmethod
    async def awipe(cls, *args, **kwargs):
        """``wipe`` from async code."""
        for wrapper in cls._wrappers():
            await (wrapper.adelete_by_prefix(*args, **kwargs) if args or kwargs else wrapper.ainvalidate_all())

    @classmethod
    def _previous_versions(cls):
        namespace = cls._meta["namespace"]
        if not namespace:
            raise ValueError(
                f"{cls.__name__} has no Meta.namespace: delete_previous_versions() would match other "
                "constructors' keys. Set Meta.namespace first."
            )
        return [f"restflow:{escape_glob(namespace)}:v{version}::*" for version in range(1, cls._meta["version"])]

    @classmethod
    def delete_previous_versions(cls, alias="default"):
        """Delete the keys of versions 1 to n-1 of this constructor's namespace."""
        for pattern in cls._previous_versions():
            CacheStore(alias).delete_pattern(pattern)

    @classmethod
    async def adelete_previous_versions(cls, alias="default"):
        """``delete_previous_versions`` from async code."""
        for pattern in cls._previous_versions():
            await CacheStore(alias).adelete_pattern(pattern)


def _subclasses(cls):
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_subclasses(sub))
    return found


_inline_classes: dict = {}


def _field_signature(field):
    return (type(field), tuple(sorted((key, repr(value)) for key, value in vars(field).items())))


def InlineKeyConstructor(fields, **meta):
    """A KeyConstructor class from a dict of fields and Meta options; the same input returns the same class."""
    signature = (
        tuple(sorted((name, _field_signature(field)) for name, field in fields.items())),
        tuple(sorted((key, repr(value)) for key, value in meta.items())),
    )
    cls = _inline_classes.get(signature)
    if cls is None:
        attrs = dict(fields)
        for name, field in fields.items():
            field.__set_name__(None, name)
        attrs["Meta"] = type("Meta", (), meta)
        cls = _inline_classes[signature] = KeyConstructorMeta("InlineKeyConstructor", (KeyConstructor,), attrs)
    return cls


class DefaultKeyConstructor(KeyConstructor):
    """Every argument of the call (but ``self``): one entry per distinct set of arguments."""

    arguments = ArgsKeyField("*")


class ResponseCacheKeyConstructor(KeyConstructor):
    """A response's key: its query string and URL kwargs (the partition).

    restflow adds what else changes the answer: the negotiated media type, the API version and
    the user (``anon`` for anonymous requests). Set ``user = None`` in a subclass to share one
    entry between users when the answer never depends on who asks.
    """

    query_params = QueryParamsKeyField("*", hash_value=True)
    path_params = ViewKwargsKeyField("*", partition=True)
    media_type = RequestValueKeyField("accepted_media_type")
    api_version = RequestValueKeyField("version")
    user = UserKeyField()


def as_key_constructor(value, default):
    """A KeyConstructor class from what a decorator was given: a class, an instance, a dict or None."""
    if value is None:
        return default
    if isinstance(value, dict):
        # InlineKeyConstructor's arguments ({"fields": {...}, "namespace": ...}) or just the fields.
        if isinstance(value.get("fields"), dict):
            return InlineKeyConstructor(**value)
        return InlineKeyConstructor(value)
    if isinstance(value, KeyConstructor):
        return type(value)
    if isinstance(value, type) and issubclass(value, KeyConstructor):
        return value
    raise TypeError(
        "key_constructor must be a KeyConstructor subclass, an instance of one, a dict of key fields, or a dict "
        f"of InlineKeyConstructor's arguments ({{'fields': {{...}}, 'namespace': ...}}); got {value!r}."
    )

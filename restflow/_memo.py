"""Per-class work done once, in one place: ``Memo``, and ``clear_all()`` to forget it all.

restflow decides many things once per class (a serializer's fields and plans, how a
permission's methods run, which serializer classes need the sync thread ...). Each such
decision lives in a ``Memo``: its entries are keyed weakly by an object (a class, a
function, a model), so a class that goes away (one made at run time) takes its entries
along, and extra hashable arguments may refine the key. (A value must not refer to its
own key object: the memo would then keep it alive.)

Thread-safe: a lookup is one dict read; two threads building the same entry at once
both run the build and both get the value stored first. ``clear_all()`` forgets every
memo's entries (tests use it through a fixture); memos made with
``settings_dependent=True`` are also cleared whenever Django's settings change (their
entries read settings when built).
"""

import functools
import threading
import weakref

from django.core.signals import setting_changed

__all__ = ["MISSING", "Memo", "clear_all", "per_class"]

MISSING = object()  # what ``Memo.find`` answers for a key with nothing stored

_memos: weakref.WeakSet = weakref.WeakSet()
_registering = threading.Lock()


class Memo:
    """Values built once per (object, *args), forgotten with the object.

    ``get(obj, build, *args)``: the value of ``build(obj, *args)``, built on first use.
    ``find(obj, *args)`` / ``put(obj, value, *args)``: the same in two steps, for a value
    built from more than the key (``put`` returns the value stored first).
    ``add(obj, *args)`` / ``has(obj, *args)``: a remembered fact (the memo as a set).
    """

    __slots__ = ("name", "settings_dependent", "_entries", "__weakref__")

    def __init__(self, name, *, settings_dependent=False):
        self.name = name
        self.settings_dependent = settings_dependent
        # weakref to obj -> {args: value}; the ref's callback drops the object's entries
        self._entries = {}
        with _registering:
            _memos.add(self)

    def __repr__(self):
        return f"<Memo {self.name}: {len(self._entries)} objects>"

    def _slot(self, obj):
        """The object's {args: value} dict, made (with a ref that drops it) on first use."""
        entries = self._entries
        try:
            return entries[weakref.ref(obj)]
        except KeyError:
            pass
        memo = weakref.ref(self)

        def forget(key):
            owner = memo()
            if owner is not None:
                owner._entries.pop(key, None)

        return entries.setdefault(weakref.ref(obj, forget), {})

    def get(self, obj, build, *args):
        """The value for ``(obj, *args)``: ``build(obj, *args)`` on first use, then the stored one."""
        try:
            return self._entries[weakref.ref(obj)][args]
        except KeyError:
            pass
        value = build(obj, *args)
        return self._slot(obj).setdefault(args, value)

    def find(self, obj, *args):
        """The value stored for ``(obj, *args)``, or ``MISSING``."""
        slot = self._entries.get(weakref.ref(obj))
        return MISSING if slot is None else slot.get(args, MISSING)

    def put(self, obj, value, *args):
        """Store ``value`` for ``(obj, *args)`` unless one is there; return the one stored."""
        return self._slot(obj).setdefault(args, value)

    def has(self, obj, *args):
        """True when ``add(obj, *args)`` (or ``get``) stored something for this key."""
        slot = self._entries.get(weakref.ref(obj))
        return slot is not None and args in slot

    def add(self, obj, *args):
        """Remember ``(obj, *args)`` (``has`` answers True from then on)."""
        self._slot(obj).setdefault(args, True)

    def __contains__(self, obj):
        """True when anything is stored for ``obj``."""
        return weakref.ref(obj) in self._entries

    def clear(self):
        self._entries.clear()


def per_class(func=None, *, settings_dependent=False):
    """Decorator: ``func(obj, *args)`` computed once per (obj, *args) through a ``Memo`` of its own.

    The memo is the wrapper's ``memo`` attribute; usable bare or with ``settings_dependent=True``.
    """
    if func is None:
        return functools.partial(per_class, settings_dependent=settings_dependent)
    memo = Memo(f"{func.__module__}.{func.__qualname__}", settings_dependent=settings_dependent)

    @functools.wraps(func)
    def cached(obj, *args):
        try:
            key = weakref.ref(obj)
        except TypeError:
            return func(obj, *args)  # an object with no weak references (a builtin): computed each time
        try:
            return memo._entries[key][args]
        except KeyError:
            return memo.get(obj, func, *args)

    cached.memo = memo
    return cached


def clear_all():
    """Forget every memo's entries (each rebuilds on its next use)."""
    with _registering:
        memos = list(_memos)
    for memo in memos:
        memo.clear()


def _clear_settings_dependent(**kwargs):
    with _registering:
        memos = [memo for memo in _memos if memo.settings_dependent]
    for memo in memos:
        memo.clear()


setting_changed.connect(_clear_settings_dependent, dispatch_uid="restflow._memo.settings")

"""When restflow may stand in for DRF's own code: the methods are DRF's, and DRF is a version CI tests.

restflow's serializer engine (fields cached per class, the representation and
validation plans, the direct create) does what DRF's own methods do, but only for a
class whose methods it relies on are DRF's, and only under a DRF release the test
suite checked it against (``TESTED_DRF``). Under any other release DRF's own code
serves every serializer, and restflow says so once (a warning at import).

A serializer class may override one of those methods and still count as DRF's when
its override only refuses async user code before calling DRF's (restflow's own
serializer classes do): it marks the override with ``runs_drfs``, and the engine
asks the class ``_runs_async_code(name)`` whether that refusal applies.

``split_header_value``: how the installed DRF splits a ``Vary`` header it adds to (a helper
DRF 3.17 introduced; 3.16 splits with Django's ``cc_delim_re``).
"""

import warnings

import rest_framework

try:  # DRF 3.17 and later (Django's helper from 6.1)
    from rest_framework.compat import split_header_value
except ImportError:  # DRF 3.16 splits a header with Django's cc_delim_re
    from django.utils.cache import cc_delim_re

    split_header_value = cc_delim_re.split

__all__ = [
    "TESTED_DRF",
    "awaits_own_code",
    "is_drfs",
    "owner_module",
    "plans_enabled",
    "runs_drfs",
    "split_header_value",
]

# The (major, minor) DRF releases the test suite runs the plans against: the lowest
# allowed (pyproject.toml) and the newest, each a CI leg (.ci/run).
TESTED_DRF = ((3, 16), (3, 18))
DRF_MODULES = frozenset({"rest_framework.serializers"})


def _release(version):
    return tuple(int(part) for part in version.split(".")[:2])


def plans_enabled(version=rest_framework.VERSION):
    """True when ``version`` of DRF lies within ``TESTED_DRF`` (inclusive)."""
    try:
        release = _release(version)
    except ValueError:
        return False
    return TESTED_DRF[0] <= release <= TESTED_DRF[1]


PLANS_ENABLED = plans_enabled()
if not PLANS_ENABLED:
    warnings.warn(
        f"restflow: DRF {rest_framework.VERSION} is outside the releases restflow's serializer plans are "
        f"tested with ({'.'.join(map(str, TESTED_DRF[0]))} to {'.'.join(map(str, TESTED_DRF[1]))}); "
        "DRF's own serializer code runs instead (correct, but slower).",
        RuntimeWarning,
        stacklevel=2,
    )


def owner_module(cls, name):
    """The module of the class in ``cls``'s MRO that defines ``name``, or None."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return klass.__module__
    return None


def runs_drfs(method):
    """Mark an override that, once its refusals of async user code pass, runs DRF's own method."""
    method.runs_drfs = True
    return method


def awaits_own_code(cls, name):
    """What the class says through ``_runs_async_code(name)`` (False for a class without it)."""
    ask = getattr(cls, "_runs_async_code", None)
    return bool(ask is not None and ask(name))


def is_drfs(cls, name, entry="ais_valid"):
    """True when ``cls.<name>`` is DRF's own (defined in ``rest_framework.serializers``), or an
    override marked ``runs_drfs`` whose refusals do not apply (the class awaits no code of its own
    on the async ``entry``)."""
    if owner_module(cls, name) in DRF_MODULES:
        return True
    return getattr(getattr(cls, name, None), "runs_drfs", False) and not awaits_own_code(cls, entry)

"""Selects the dispatch core: the compiled ``_speedups`` or its pure-Python twin.

Read once at import: ``RESTFLOW_NO_EXTENSIONS`` set to anything but "" or "0"
forces the twin; otherwise the extension is used when it imports.
"""

import os

from restflow import _speedups_py

_forced_off = os.environ.get("RESTFLOW_NO_EXTENSIONS", "") not in ("", "0")

if _forced_off:
    _core = _speedups_py
else:
    try:
        from restflow import _speedups as _core
    except ImportError:
        _core = _speedups_py

NOT_CONFIGURED = _core.NOT_CONFIGURED
config_value = _core.config_value
bind_actions = _core.bind_actions
make_view = _core.make_view


def speedups_enabled():
    """True when the compiled dispatch core is the one in use."""
    return _core is not _speedups_py

"""Selects restflow's compiled core (``restflow._speedups``) or its pure-Python twin (``_speedups_py``).

The core holds the per-request code that pays compiled: the view set-up of a dispatch
(``make_view``, ``bind_actions``), the ActionConfig lookup (``config_value``) and the
representation plan's row executor (``plan_row``, ``plan_rows`` and the ``KIND_*`` column
kinds). restflow imports these from here, never from either twin; users ask which twin runs with
``restflow.speedups_enabled()`` (the public ``restflow.speedups`` holds only that).

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
        from restflow import _speedups as _core  # type: ignore[attr-defined, no-redef]
    except ImportError:
        _core = _speedups_py

NOT_CONFIGURED = _core.NOT_CONFIGURED
config_value = _core.config_value
bind_actions = _core.bind_actions
make_view = _core.make_view
plan_row = _core.plan_row
plan_rows = _core.plan_rows
# The kinds of plan columns (the same numbers in both twins).
KIND_GENERIC = _core.KIND_GENERIC
KIND_INT = _core.KIND_INT
KIND_STR = _core.KIND_STR
KIND_BOOL = _core.KIND_BOOL
KIND_FLOAT = _core.KIND_FLOAT
KIND_DECIMAL = _core.KIND_DECIMAL
KIND_DATETIME = _core.KIND_DATETIME
KIND_DATE = _core.KIND_DATE
KIND_CHOICE = _core.KIND_CHOICE
KIND_PK = _core.KIND_PK
KIND_READONLY = _core.KIND_READONLY
KIND_METHOD = _core.KIND_METHOD


def speedups_enabled():
    """True when the compiled core is the one in use."""
    return _core is not _speedups_py

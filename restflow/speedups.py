"""Which of restflow's two cores runs: ``speedups_enabled()``.

The core (compiled from ``restflow/_speedups.pyx``, or its pure-Python twin when the extension is
not built or ``RESTFLOW_NO_EXTENSIONS`` is set) is internal; docs/dispatch-core.md describes it.
"""

from restflow._core import speedups_enabled

__all__ = ["speedups_enabled"]

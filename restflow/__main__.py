"""``python -m restflow``: say which dispatch core is in use."""

import restflow

if restflow.speedups_enabled():
    print(f"restflow {restflow.__version__}: compiled dispatch core (restflow._speedups) in use")
else:
    print(
        f"restflow {restflow.__version__}: pure-Python dispatch core in use "
        "(compiled core not built, or RESTFLOW_NO_EXTENSIONS is set)"
    )

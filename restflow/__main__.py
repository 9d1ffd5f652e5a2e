"""``python -m restflow``: which core is in use.

``python -m restflow explain dotted.path.ViewSet`` prints the class's dispatch plan: how each
step of its requests runs (restflow's stock code, an async override awaited on the loop, a sync
override in a hop or on the loop) and why, then each handler. Django's settings come from
``DJANGO_SETTINGS_MODULE``, as for ``manage.py``.
"""

import argparse

import django
from django.utils.module_loading import import_string

import restflow
from restflow._dispatch import explain


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m restflow", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    explaining = commands.add_parser("explain", help="print a view class's dispatch plan")
    explaining.add_argument("view", help="dotted path of the view class, e.g. shop.views.ProductViewSet")
    args = parser.parse_args(argv)
    if args.command == "explain":
        django.setup()
        print(explain(import_string(args.view)))
        return
    if restflow.speedups_enabled():
        print(f"restflow {restflow.__version__}: compiled core (restflow._speedups) in use")
    else:
        print(
            f"restflow {restflow.__version__}: pure-Python core in use "
            "(compiled core not built, or RESTFLOW_NO_EXTENSIONS is set)"
        )


main()

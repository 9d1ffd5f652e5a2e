"""Run a checkout of restflow's published test folder against this restflow, and summarise the result.

Usage (from the project root; nothing is downloaded):

    python tests/support/run_reference_suite.py PATH/TO/tests [pytest arguments...]
    RESTFLOW_REFERENCE_TESTS=PATH/TO/tests python tests/support/run_reference_suite.py [pytest arguments...]

PATH/TO/tests is a checkout of that project's ``tests/`` folder (it must keep the name ``tests``: its
modules import ``tests.models``). It runs unchanged, with its own ``conftest.py``. The only adaptation
is made here, while that conftest configures Django: ``INSTALLED_APPS`` entries that do not import
are dropped and ``restflow`` is added, each change printed. At the end the run prints passed, failed,
errors and skipped, the files that did not import, and one line per test file.

``--failures FILE`` writes each failing test's node id and the error it met (tab-separated, one a
line), for comparison between runs.
"""

import importlib.util
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from unittest import mock

import pytest
from django.conf import LazySettings

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The checkout's own pytest options, written out so that this project's pytest configuration
# (its settings module, asyncio mode, options) does not apply to the run.
INI = """\
[pytest]
markers =
    postgres: requires PostgreSQL
    redis: requires Redis on localhost:6379
    celery: requires celery
python_files = test_*.py
python_classes = Test*
python_functions = test_*
addopts = --strict-markers -p no:cacheprovider --continue-on-collection-errors
"""


def adapt_installed_apps(apps):
    """The checkout's app list with apps that do not import dropped and restflow's own app added."""
    kept = []
    for app in apps:
        module = app.rsplit(".", 1)[0] if app.endswith("Config") else app
        if _importable(module):
            kept.append(app)
        else:
            print(f"[reference suite] INSTALLED_APPS: dropped {app!r} (does not import here)")
    if "restflow" not in kept:
        kept.append("restflow")
        print("[reference suite] INSTALLED_APPS: added 'restflow'")
    return tuple(kept)


def _importable(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


class ReferenceRun:
    """A pytest plugin counting outcomes per test file."""

    def __init__(self):
        self.outcomes = defaultdict(Counter)
        self.not_importing = {}
        self.failed = {}

    def pytest_collectreport(self, report):
        if report.failed:
            self.not_importing[report.nodeid] = _last_line(report.longreprtext)

    def pytest_runtest_logreport(self, report):
        path = report.nodeid.split("::", 1)[0]
        if report.when == "call":
            self.outcomes[path][report.outcome] += 1
            if report.failed:
                self.failed[report.nodeid] = _reason(report.longreprtext)
        elif report.failed:
            self.outcomes[path]["error"] += 1
            self.failed[report.nodeid] = _reason(report.longreprtext)
        elif report.skipped:
            self.outcomes[path]["skipped"] += 1

    def summary(self):
        total = Counter()
        for counts in self.outcomes.values():
            total.update(counts)
        lines = ["", "=" * 30 + " reference suite against restflow " + "=" * 30]
        width = max((len(p) for p in self.outcomes), default=10)
        for path in sorted(self.outcomes):
            c = self.outcomes[path]
            lines.append(
                f"{path:<{width}}  passed {c['passed']:>4}  failed {c['failed']:>4}"
                f"  errors {c['error']:>3}  skipped {c['skipped']:>3}"
            )
        if self.not_importing:
            lines.append("")
            lines.append(f"files not importing: {len(self.not_importing)}")
            for path, reason in sorted(self.not_importing.items()):
                lines.append(f"  {path}: {reason}")
        lines.append("")
        lines.append(
            f"TOTAL passed {total['passed']}, failed {total['failed']}, errors {total['error']},"
            f" skipped {total['skipped']}, files not importing {len(self.not_importing)}"
        )
        return "\n".join(lines)


def _adapting_settings():
    """settings.configure(...) as the checkout's conftest calls it, with the adapted app list."""
    original = LazySettings.configure

    def configure(settings, *args, **options):
        if "INSTALLED_APPS" in options:
            options["INSTALLED_APPS"] = adapt_installed_apps(options["INSTALLED_APPS"])
        return original(settings, *args, **options)

    return mock.patch.object(LazySettings, "configure", configure)


def _reason(text):
    """The exception line of a failure's report (``E   AttributeError: ...``), else its last line."""
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return errors[0] if errors else _last_line(text)


def _last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def main(argv):
    failures_file = None
    if "--failures" in argv:
        i = argv.index("--failures")
        failures_file = argv[i + 1]
        del argv[i : i + 2]
    if argv and not argv[0].startswith("-"):
        checkout, argv = argv[0], argv[1:]
    else:
        checkout = os.environ.get("RESTFLOW_REFERENCE_TESTS")
    if not checkout:
        sys.exit(__doc__)
    checkout = Path(checkout).resolve()
    if checkout.name != "tests" or not (checkout / "conftest.py").is_file():
        sys.exit(f"{checkout} is not a checkout of the tests folder (a folder named tests with its conftest.py)")

    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    # The checkout's `tests` package must win over this project's own `tests` package.
    sys.path[:0] = [str(checkout.parent), str(PROJECT_ROOT)]
    ini = checkout.parent / ".reference-suite.ini"
    ini.write_text(INI)
    run = ReferenceRun()
    # Paths among the pytest arguments narrow the run; without any, the whole checkout runs.
    targets = [] if any(Path(a).exists() for a in argv if not a.startswith("-")) else [str(checkout)]
    with _adapting_settings():
        code = pytest.main(
            ["-c", str(ini), "--rootdir", str(checkout.parent), "-q", "-p", "no:randomly", *targets, *argv],
            plugins=[run],
        )
    ini.unlink(missing_ok=True)
    print(run.summary())
    if failures_file:
        failed = {**run.failed, **run.not_importing}
        Path(failures_file).write_text("".join(f"{node}\t{failed[node]}\n" for node in sorted(failed)))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

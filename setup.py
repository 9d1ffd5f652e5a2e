"""Build the optional compiled dispatch core ``restflow._speedups``.

Everything else lives in pyproject.toml. When the extension cannot be built
(no C compiler, Cython missing, unsupported interpreter) the install still
succeeds and restflow runs on its pure-Python twin; ``RESTFLOW_NO_EXTENSIONS``
set at build time skips the build on purpose.
"""

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

NO_EXTENSIONS = os.environ.get("RESTFLOW_NO_EXTENSIONS", "") not in ("", "0")
NOTICE = (
    "\n" + "*" * 72 + "\n"
    "restflow: the compiled dispatch core (restflow._speedups) was not built{why}.\n"
    "restflow is installed and runs on its pure-Python twin, with identical behaviour.\n"
    + "*" * 72 + "\n"
)


def notice(why):
    sys.stderr.write(NOTICE.format(why=why.rstrip(".")))


class OptionalBuildExt(build_ext):
    """build_ext that reports a failed compile instead of failing the install."""

    def run(self):
        try:
            super().run()
        except Exception as exc:  # any toolchain failure: fall back to the twin
            notice(f": {exc}")

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:
            notice(f": {exc}")


def extensions():
    if NO_EXTENSIONS:
        notice(" (RESTFLOW_NO_EXTENSIONS is set)")
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        notice(" (Cython is not available)")
        return []
    ext = Extension("restflow._speedups", ["restflow/_speedups.pyx"])
    try:
        return cythonize([ext], language_level=3, quiet=True)
    except Exception as exc:
        notice(f": {exc}")
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})

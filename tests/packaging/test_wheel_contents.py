"""Packaging: every restflow package directory ships in the wheel."""

import fnmatch
import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_subpackage_is_included():
    """Each directory of restflow with an __init__.py matches pyproject's package patterns."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [
        ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "restflow").rglob("__init__.py")
    ]
    assert "restflow.filters" in packages
    missing = [name for name in packages if not any(fnmatch.fnmatchcase(name, p) for p in patterns)]
    assert missing == []

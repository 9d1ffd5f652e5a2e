"""Every ```python block in docs/ runs, page by page, against the example shop (examples/shop).

A page's blocks run in order in one namespace (later blocks use what earlier ones defined), in a
fresh process with the shop's settings, a fresh SQLite database holding seed_demo's rows, and
Django's test environment (so the test client's host is allowed). A block may use top-level
``await``, as in ``python -m asyncio``.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SHOP = ROOT / "examples" / "shop"
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)

RUNNER = r"""
import ast, asyncio, inspect, json, sys, traceback

import django
django.setup()
from django.core.management import call_command
from django.test.utils import setup_test_environment

setup_test_environment()
call_command("migrate", verbosity=0)
call_command("seed_demo", quiet=True)

blocks = json.load(sys.stdin)
namespace = {"__name__": "__docs__"}
ran = 0
for block in blocks:
    try:
        code = compile(block["source"], block["where"], "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(code, namespace)
        if inspect.iscoroutine(result):
            asyncio.run(result)
    except BaseException:
        print(f"FAILED {block['where']}", flush=True)
        traceback.print_exc()
        sys.exit(1)
    ran += 1
print(f"RAN {ran}")
"""


def blocks_of(page):
    text = page.read_text()
    return [
        {"where": f"{page.name}:{text[: match.start()].count(chr(10)) + 2}", "source": match.group(1)}
        for match in FENCE.finditer(text)
    ]


def pages():
    return sorted(DOCS.glob("*.md"))


def test_the_docs_have_runnable_examples():
    names = {page.name for page in pages()}
    assert {"index.md", "quickstart.md", "viewsets.md", "migrating.md", "deploying.md"} <= names
    for name in ["quickstart.md", "viewsets.md", "migrating.md", "deploying.md"]:
        assert len(blocks_of(DOCS / name)) >= 2, name


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_page_examples_run(page, tmp_path):
    blocks = blocks_of(page)
    if not blocks:
        pytest.skip(f"{page.name} has no python examples")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings",
        SHOP_SQLITE_PATH=str(tmp_path / "docs.sqlite3"),
        PYTHONPATH=os.pathsep.join([str(SHOP), str(ROOT)]),
    )
    result = subprocess.run(
        [sys.executable, "-c", RUNNER], input=json.dumps(blocks), cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert result.stdout.strip().splitlines()[-1] == f"RAN {len(blocks)}", result.stdout

"""The ``restflow`` app registers restflow's system checks before Django collects them."""

import os
import subprocess
import sys
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def test_restflow_app_uses_its_app_config():
    from restflow.apps import RestflowConfig

    assert isinstance(apps.get_app_config("restflow"), RestflowConfig)


def test_manage_py_check_reports_a_misspelt_action_configs_key_when_restflow_is_imported_only_by_the_urlconf():
    # A fresh process: nothing imports restflow's views before Django collects its checks,
    # exactly as in a project whose URLconf is the only importer.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.support.checks_settings"}
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    output = result.stdout + result.stderr
    assert "restflow.W001" in output, output
    assert "action_configs has an entry for 'lst'" in output

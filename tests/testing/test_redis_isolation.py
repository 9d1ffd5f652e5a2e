"""Test runs side by side each get their own Redis database: none flushes or reads another's keys."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.services import redis_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.redis
def test_a_second_run_claims_another_database_and_children_inherit_ours():
    ours = redis_db()
    assert os.environ["RESTFLOW_TEST_REDIS_DB"] == str(ours)
    claim = [sys.executable, "-c", "from tests.support.services import redis_db; print(redis_db())"]
    other_run = {key: value for key, value in os.environ.items() if key != "RESTFLOW_TEST_REDIS_DB"}
    theirs = subprocess.run(claim, cwd=ROOT, env=other_run, capture_output=True, text=True, check=True).stdout
    child = subprocess.run(claim, cwd=ROOT, env=os.environ, capture_output=True, text=True, check=True).stdout
    assert int(theirs) != ours
    assert int(child) == ours

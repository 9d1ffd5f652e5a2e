"""The example shop under 4 worker processes, PostgreSQL with a connection pool and Redis, loaded over HTTP.

A short run of benchmarks/load_shop.py (mixed reads, cached reads, creates and updates with exact
write throttles): no 5xx, every 201 is exactly one row, the pools bound the connections.
``RESTFLOW_LOAD_SECONDS`` lengthens it.
"""

import os

import pytest

from benchmarks import load_shop
from tests.support.services import redis_answers

pytestmark = [pytest.mark.server, pytest.mark.postgres, pytest.mark.redis]


def test_four_workers_lose_nothing_under_mixed_load(tmp_path):
    seconds = float(os.environ.get("RESTFLOW_LOAD_SECONDS", "8"))
    report = load_shop.run(tmp_path, seconds=seconds, concurrency=32, workers=4, pool=6, write_rate="120/hour")
    print(f"\nload: {report}")
    assert not [status for status in report["statuses"] if status >= 500], report
    assert report["creates_answered_201"] > 0 and report["by_operation"]["categories"].get(200, 0) > 0
    assert report["rows_written"] == report["creates_answered_201"]
    assert report["rows_lost"] == report["rows_unexpected"] == report["rows_duplicated"] == 0
    assert report["creates_answered_201"] <= 120  # one user, an exact 120/hour limit shared by 4 workers
    assert report["peak_connections"] <= 4 * 6 + 2  # the pools, plus the test's own connections

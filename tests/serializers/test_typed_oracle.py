"""DRF as the oracle for serializers declared by annotation: the oracle's generated call sequences
against the blog whose serializers are restflow's annotated classes (tests/support/oracleapp/serializers_typed.py)."""

import pytest

from tests.end_to_end.test_blog_api_against_drf import DIFFERENCES, EXAMPLES, actors, run_machine  # noqa: F401 - the fixture

pytestmark = [pytest.mark.urls("tests.support.oracle_typed_urls"), pytest.mark.django_db]


def test_typed_serializers_answer_as_drf(actors):  # noqa: F811
    """Generated call sequences: the typed side answers and writes exactly as DRF does."""
    harness = run_machine(actors, examples=max(2, EXAMPLES // 2), sides=("typed",), differences=DIFFERENCES)
    print(f"oracle (typed side): {harness.steps} steps; allowances used: {harness.allowed}")
    harness.assert_no_differences()
    assert harness.steps > 0

"""Under a DRF release CI does not test, restflow's serializer plans stand aside and DRF's own code runs.

Run in a fresh interpreter: the release is read once, when restflow's engine is imported.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, os, warnings
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
import rest_framework
rest_framework.VERSION = {version!r}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import django
    django.setup()
    from rest_framework import serializers
    from restflow import _fields_cache, _plan, _validation

class Row(serializers.Serializer):
    name = serializers.CharField()

rendered = Row(instance=type("R", (), {{"name": "a"}})())
incoming = Row(data={{"name": "b"}})
_fields_cache.prime_fields(incoming)
print(json.dumps({{
    "warnings": [str(w.message) for w in caught if "restflow" in str(w.message)],
    "template": _fields_cache.template(Row()) is not None,
    "planned": _plan.represent(rendered) is not None,
    "validated": _validation.validate(incoming, raise_exception=True) and dict(incoming.validated_data),
}}))
"""


def _probe(version):
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(version=version)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_an_untested_drf_release_gets_drfs_own_code_and_one_warning():
    seen = _probe("3.99.0")
    assert len(seen["warnings"]) == 1 and "3.99.0" in seen["warnings"][0]
    assert seen["template"] is False and seen["planned"] is False
    assert seen["validated"] == {"name": "b"}  # DRF's is_valid, same answer


def test_a_tested_release_gets_the_plans_and_no_warning():
    import rest_framework

    seen = _probe(rest_framework.VERSION)
    assert seen["warnings"] == []
    assert seen["template"] is True and seen["planned"] is True
    assert seen["validated"] == {"name": "b"}

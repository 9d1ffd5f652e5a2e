"""Instruction counts under callgrind: per-call costs that other processes' load cannot disturb.

Each case runs in two processes under ``valgrind --tool=callgrind``, one making
``--calls`` calls more than the other after the same warm-up; the difference of
their instruction totals divided by ``--calls`` is the instructions per call.

    python -m benchmarks.instructions                      # representation, 100 rows, each contender
    python -m benchmarks.instructions --calls 20 --cases drf,plan-compiled

Needs valgrind. Set PYTHONHASHSEED (e.g. 0) for counts that repeat exactly. Slow (each process starts Django under valgrind): about a
minute per case.
"""

import argparse
import gc
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def _child(case, calls):
    """Warm up, then make ``calls`` calls of ``case`` (run inside valgrind)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from benchmarks import test_representation as r

    render = r.contenders()[case]
    rows = r.products()
    for _ in range(3):
        render(rows)
    # Long-lived objects out of the collector's reach: a full collection falling in one of the
    # two runs and not the other would otherwise outweigh several calls.
    gc.collect()
    gc.freeze()
    for _ in range(calls):
        render(rows)


def _instructions(case, calls):
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out",
            sys.executable, "-m", "benchmarks.instructions", "--child", case, str(calls),
        ]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(COLLECTED.search(result.stderr).group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="drf,drf-cached-fields,plan-python,plan-compiled")
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    from benchmarks.test_representation import ROWS

    print(f"callgrind instructions per call, representation of {ROWS} rows (difference of two runs)")
    print(f"{'case':<20}{'instructions/call':>18}{'per row':>10}")
    for case in args.cases.split(","):
        per_call = (_instructions(case, args.calls) - _instructions(case, 0)) / args.calls
        print(f"{case:<20}{per_call:>18.0f}{per_call / ROWS:>10.0f}", flush=True)


if __name__ == "__main__":
    main()

"""After a benchmark run, print the compiled/twin ratios measured with timeit.

pytest-benchmark's tables give each twin's timings side by side; this adds one
short table of per-call ratios, from modules that define ``twin_summary``.
"""

_summaries = {}


def pytest_collection_modifyitems(items):
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and hasattr(module, "twin_summary"):
            _summaries.setdefault(module.__name__, module.twin_summary)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _summaries or not terminalreporter.stats.get("passed"):
        return
    if config.getoption("benchmark_disable", False):
        return
    terminalreporter.section("restflow dispatch core: compiled vs pure-Python twin")
    for summary in _summaries.values():
        summary(terminalreporter.write_line)

"""Collects request-benchmark results and prints the ratios and hop counts at the end of the run."""

import platform

import django
import rest_framework

# (group, contender) -> {"min": seconds per request, "median": seconds per request}
TIMES = {}
# (endpoint, contender) -> names of the sync functions each hop ran, for one request
HOPS = {}
BASELINE = "plain"
CONTENDER_ORDER = ("plain", "restflow", "drf", "ninja")


def record_time(group, contender, stats, batch):
    if stats is None:  # benchmarks disabled (a plain pytest run): nothing timed
        return
    TIMES[(group, contender)] = {"min": stats.min / batch, "median": stats.median / batch}


def record_hops(endpoint, contender, names):
    HOPS[(endpoint, contender)] = list(names)


def _versions():
    import restflow

    core = "compiled" if restflow.speedups_enabled() else "pure-Python twin"
    return (
        f"Python {platform.python_version()}, Django {django.__version__}, "
        f"DRF {rest_framework.__version__}, restflow core: {core}"
    )


def _groups(prefix):
    seen = []
    for group, _ in TIMES:
        if group.startswith(prefix) and group not in seen:
            seen.append(group)
    return seen


def lines():
    """The summary as text lines (empty when nothing was measured)."""
    if not TIMES and not HOPS:
        return []
    out = ["", "restflow request benchmarks: " + _versions()]
    out.append("CPU per request (process time, in-process ASGI, sequential); ratio = / hand-written async view")
    header = f"{'group':<34}{'contender':<11}{'min us':>9}{'median us':>11}{'ratio min':>11}{'ratio med':>11}"
    out += [header, "-" * len(header)]
    for group in _groups("request") + _groups("scaling"):
        base = TIMES.get((group, BASELINE))
        for contender in CONTENDER_ORDER:
            result = TIMES.get((group, contender))
            if result is None:
                continue
            ratio_min = ratio_med = ""
            if base:
                ratio_min = f"{result['min'] / base['min']:.2f}x"
                ratio_med = f"{result['median'] / base['median']:.2f}x"
            out.append(
                f"{group:<34}{contender:<11}{result['min'] * 1e6:>9.0f}{result['median'] * 1e6:>11.0f}"
                f"{ratio_min:>11}{ratio_med:>11}"
            )
        ours = TIMES.get((group, "restflow"))
        for other, label in (("drf", "DRF"), ("ninja", "ninja")):
            theirs = TIMES.get((group, other))
            if theirs and ours:
                out.append(f"{'':<34}{label} / restflow (min): {theirs['min'] / ours['min']:.2f}x")
    scaling = _groups("scaling")
    if scaling:
        out += ["", "Growth with page size (min per request, largest page over smallest; us per extra row):"]
        first, last = scaling[0], scaling[-1]
        rows = [int(group.rsplit("=", 1)[1]) for group in (first, last)]
        for contender in CONTENDER_ORDER:
            small, large = TIMES.get((first, contender)), TIMES.get((last, contender))
            if small and large:
                slope = (large["min"] - small["min"]) / (rows[1] - rows[0]) * 1e6
                out.append(
                    f"  {contender:<10} {large['min'] / small['min']:.2f}x from {rows[0]} to {rows[1]} rows, "
                    f"{slope:.1f} us per row"
                )
    if HOPS:
        out += ["", "Thread hops per request (asgiref SyncToAsync calls, Django's own included):"]
        for endpoint in dict.fromkeys(endpoint for endpoint, _ in HOPS):
            for contender in CONTENDER_ORDER:
                names = HOPS.get((endpoint, contender))
                if names is not None:
                    out.append(f"  {endpoint:<9}{contender:<10}{len(names):>2}  {', '.join(names)}")
    return out


def write(terminalreporter):
    for line in lines():
        terminalreporter.write_line(line)


def register(config):
    """Make this module a pytest plugin for the rest of the run, so its summary hook is called."""
    import sys

    module = sys.modules[__name__]
    if not config.pluginmanager.is_registered(module):
        config.pluginmanager.register(module, "restflow-request-report")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    text = lines()
    if text:
        terminalreporter.section("restflow requests: ratios to a hand-written async view, thread hops")
        for line in text[1:]:
            terminalreporter.write_line(line)

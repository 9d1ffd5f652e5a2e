"""The package's import graph, read from the source: modules, levels, cycles, imports pointing back up.

``python -m benchmarks.import_graph`` prints the figures for ``restflow/``. Every
``import`` statement counts, at module level or inside a function (an import
hidden in a function still ties the two modules together).

- level: 0 for a module that imports no other restflow module, else one more
  than the highest level among the modules it imports (within a cycle, the
  cycle's modules share one level);
- cycle: a strongly connected group of two or more modules;
- back import: an import of a module whose package is a descendant of the
  importer's own package (``restflow.x`` importing ``restflow.sub.y`` is
  fine; ``restflow.sub.y`` importing the package ``restflow.sub`` that
  re-exports it, or a sibling reaching through its package ``__init__``,
  points back up). A package's ``__main__`` (the command line, on top of
  everything) may import its package.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "restflow"


def module_name(path, root=ROOT):
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root=ROOT, package=PACKAGE):
    """{module name: path} for every .py and .pyx file of the package."""
    paths = [*(root / package).rglob("*.py"), *(root / package).rglob("*.pyx")]
    return {module_name(path, root): path for path in sorted(paths)}


def _tree(path):
    """The module's syntax tree; of a Cython module, its Python import statements alone."""
    text = path.read_text()
    if path.suffix == ".pyx":
        lines = text.splitlines()
        text = "\n".join(line for line in lines if re.match(r"(from|import) \w", line) and " cimport " not in line)
    return ast.parse(text, str(path))


def _resolve(importer, is_package, node):
    """The absolute module names one ImportFrom/Import node names (candidates: module or module.name)."""
    if isinstance(node, ast.Import):
        return [[alias.name] for alias in node.names]
    if node.level:
        base = importer.split(".") if is_package else importer.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [[f"{prefix}.{alias.name}", prefix] for alias in node.names]


def edges(known):
    """{importer: set of imported package modules}; ``from a import b`` counts a.b when it is a module."""
    graph = {}
    for name, path in known.items():
        is_package = path.name == "__init__.py"
        targets = set()
        for node in ast.walk(_tree(path)):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for candidates in _resolve(name, is_package, node):
                found = next((candidate for candidate in candidates if candidate in known), None)
                if found is not None and found != name:
                    targets.add(found)
        graph[name] = targets
    return graph


def cycles(graph):
    """Strongly connected components of two or more modules (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def levels(graph):
    """{module: level}, a cycle's members sharing one level."""
    group = {name: name for name in graph}
    for component in cycles(graph):
        for member in component:
            group[member] = component[0]
    level = {}

    def of(name, seen=()):
        key = group[name]
        if key in level:
            return level[key]
        members = [member for member in graph if group[member] == key]
        below = {target for member in members for target in graph[member] if group[target] != key}
        value = 1 + max((of(target) for target in below), default=-1)
        level[key] = value
        return value

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    return {name: of(name) for name in graph}


def back_imports(graph, known):
    """(importer, imported) pairs where the importer lives inside the package module it imports."""
    found = []
    for importer, targets in graph.items():
        for target in targets:
            target_is_package = known[target].name == "__init__.py"
            if target_is_package and importer.startswith(target + ".") and importer != target + ".__main__":
                found.append((importer, target))
    return sorted(found)


def hidden_imports(known):
    """(importer, line) of each import of a package module made inside a function."""
    found = []
    for name, path in known.items():
        is_package = path.name == "__init__.py"
        for function in ast.walk(_tree(path)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                    candidate in known for candidates in _resolve(name, is_package, node) for candidate in candidates
                ):
                    found.append((name, node.lineno))
    return sorted(set(found))


def line_counts(known):
    return {name: len(path.read_text().splitlines()) for name, path in known.items()}


def report(root=ROOT, package=PACKAGE):
    known = modules(root, package)
    graph = edges(known)
    lengths = line_counts(known)
    longest = max(lengths, key=lengths.get)
    level = levels(graph)
    return {
        "modules": len(known),
        "levels": 1 + max(level.values()),
        "cycles": cycles(graph),
        "back_imports": back_imports(graph, known),
        "hidden_imports": hidden_imports(known),
        "longest": (longest, lengths[longest]),
        "over_450": sorted((name, count) for name, count in lengths.items() if count > 450),
    }


def main():
    figures = report()
    print(f"modules: {figures['modules']}")
    print(f"levels: {figures['levels']}")
    print(f"cycles: {len(figures['cycles'])}")
    for component in figures["cycles"]:
        print("   ", " <-> ".join(component))
    print(f"back imports: {len(figures['back_imports'])}")
    for importer, target in figures["back_imports"]:
        print(f"    {importer} -> {target}")
    print(f"imports inside functions: {len(figures['hidden_imports'])}")
    for importer, line in figures["hidden_imports"]:
        print(f"    {importer}:{line}")
    print(f"longest module: {figures['longest'][0]} ({figures['longest'][1]} lines)")
    for name, count in figures["over_450"]:
        print(f"    over 450: {name} ({count})")


if __name__ == "__main__":
    main()

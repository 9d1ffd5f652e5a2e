"""The package's imports go one way: no cycle, nothing importing back up, at most 10 levels; no module
over 450 lines.

Measured from the source by ``benchmarks/import_graph.py`` (``python -m benchmarks.import_graph``
prints the figures), every import counted, also one inside a function.
"""

from benchmarks import import_graph


def test_restflow_has_no_import_cycle_and_no_import_pointing_back_up():
    figures = import_graph.report()
    assert figures["cycles"] == []
    assert figures["back_imports"] == []
    assert figures["levels"] <= 10


def test_no_module_is_over_450_lines():
    assert import_graph.report()["over_450"] == []


def test_a_cycle_is_found(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def later():\n    from pkg.a import thing\n")
    figures = import_graph.report(root=tmp_path, package="pkg")
    assert figures["cycles"] == [["pkg.a", "pkg.b"]]
    assert figures["hidden_imports"] == [("pkg.b", 2)]

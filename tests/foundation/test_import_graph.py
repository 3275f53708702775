"""No module-level import cycle anywhere in ``planner/``, and every module imports (issue 13).

The graph is read from the source (``ast``): an edge ``a -> b`` for each ``import b`` /
``from b import ...`` (or ``from a.pkg import b`` naming a module) that runs when ``a`` is
imported: statements at module level, inside module-level ``try`` blocks and ``if`` blocks
other than ``if TYPE_CHECKING:``. Imports inside functions run later and cannot form an
import-time cycle, so they are not edges (that is how the library keeps its heavy imports
lazy). ``tests/app/test_layout.py`` checks the app's part of the same graph.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import planner

ROOT = Path(planner.__file__).parent
#: modules that only run inside another program: Alembic's migration environment and scripts,
#: and ``python -m planner`` (which runs the command line on import)
NOT_IMPORTABLE = ("planner.records.migrations", "planner.__main__")


def module_name(path: Path) -> str:
    """The dotted name of a module file under ``planner/``.

    Parameters
    ----------
    path : Path
        A ``.py`` file inside the package.

    Returns
    -------
    str
        E.g. ``planner.io.crime``; a package's ``__init__.py`` gives the package name.
    """
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _runtime_statements(body: list[ast.stmt]):
    for node in body:
        if isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if test not in ("TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING"):
                yield from _runtime_statements(node.body)
            yield from _runtime_statements(node.orelse)
        elif isinstance(node, ast.Try):
            for b in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from _runtime_statements(b)
        else:
            yield node


def module_imports(path: Path, modules: set[str]) -> set[str]:
    """The ``planner`` modules ``path`` imports when it is itself imported.

    Parameters
    ----------
    path : Path
        A module file.
    modules : set of str
        Every module name of the package (``from pkg import name`` is an edge to
        ``pkg.name`` when that is a module, else to ``pkg``).

    Returns
    -------
    set of str
        Module names, the module itself excluded.
    """
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out: set[str] = set()
    for node in _runtime_statements(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            # ``from pkg import sub`` needs the module pkg.sub (pkg itself is imported first
            # in any case, as the parent of every submodule); ``from mod import name``
            # needs mod's contents
            out.update(
                f"{mod}.{a.name}" if f"{mod}.{a.name}" in modules else mod for a in node.names
            )
    return {m for m in out if m in modules and m != me}


def import_graph() -> dict[str, set[str]]:
    """Module -> the ``planner`` modules it imports at import time, for all of ``planner/``.

    Returns
    -------
    dict of str to set of str
        One entry per module file.
    """
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    names = set(files)
    return {m: module_imports(p, names) for m, p in files.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles found by a depth-first search for back edges (each as a closed path).

    Parameters
    ----------
    graph : dict of str to set of str
        Node -> its successors.

    Returns
    -------
    list of list of str
        ``[a, b, ..., a]`` per back edge; empty when the graph is acyclic.

    Examples
    --------
    >>> find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}})
    [['a', 'b', 'c', 'a']]
    >>> find_cycles({"a": {"b"}, "b": set()})
    []
    """
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                cycles.append([*stack[stack.index(n) :], n])
            elif n not in state:
                visit(n, [*stack, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    return cycles


def test_the_graph_holds_the_known_edges():
    g = import_graph()
    assert len(g) > 100
    # `from planner.app import bokeh_views as bv` is an edge to the module
    assert "planner.app.bokeh_views" in g["planner.app.components.hotspot_map"]
    assert {"planner.app.cache", "planner.app.registry"} <= g["planner.app.main"]
    assert "planner.schema" in g["planner.io.crime"]
    # imports inside functions and under TYPE_CHECKING are not edges
    assert "planner.records.analytics" not in g["planner.app.state.neighbourhoods"]


def test_the_cycle_finder_finds_a_cycle_through_a_from_import(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("import pkg.c\n\ndef f():\n    import pkg.a\n")
    (pkg / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n"
    )
    names = {"pkg.a", "pkg.b", "pkg.c"}

    def imports(name):
        p = tmp_path / (name.replace(".", "/") + ".py")
        out = set()
        for node in _runtime_statements(ast.parse(p.read_text()).body):
            if isinstance(node, ast.Import):
                out |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                out |= {f"{node.module}.{a.name}" for a in node.names}
        return out & names

    g = {m: imports(m) for m in sorted(names)}
    assert g == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": set()}
    assert find_cycles(g) == []
    (pkg / "c.py").write_text("from pkg import a\n")
    g = {m: imports(m) for m in sorted(names)}
    assert find_cycles(g) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]


def test_no_module_level_import_cycle_in_planner():
    assert find_cycles(import_graph()) == []


def _importable() -> list[str]:
    names = sorted(module_name(p) for p in ROOT.rglob("*.py"))
    return [n for n in names if not any(n == s or n.startswith(s + ".") for s in NOT_IMPORTABLE)]


@pytest.mark.parametrize("name", _importable())
def test_every_module_imports(name):
    assert importlib.import_module(name).__name__ == name

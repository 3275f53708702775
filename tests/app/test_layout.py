"""The app's layout: page classes in the registry, Panel-free states, no import cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import planner

APP = Path(planner.__file__).parent / "app"

#: modules that must load without Panel (the states and the data layer)
PANEL_FREE = (
    "planner.app.state.common",
    "planner.app.state.hotspots",
    "planner.app.state.plan",
    "planner.app.state.delivery",
    "planner.app.state.advance",
    "planner.app.state.neighbourhoods",
    "planner.app.state.tasking",
    "planner.app.state.commitments",
    "planner.app.state.record",
    "planner.app.data",
)


def test_states_and_data_import_without_panel():
    code = (
        "import sys\n"
        f"for m in {PANEL_FREE!r}:\n"
        "    __import__(m)\n"
        "print(sorted(m for m in ('panel', 'panel_material_ui', 'bokeh') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_registry_lists_page_classes_matching_their_slugs():
    from planner.app import pages
    from planner.app.pages.base import Page
    from planner.app.registry import PAGES

    assert [e.slug for e in PAGES] == [
        "hotspots",
        "plan",
        "delivery",
        "advance",
        "neighbourhoods",
        "commitments",
        "record",
        "tasking",
    ]
    for e in PAGES:
        assert isinstance(e.cls, type) and issubclass(e.cls, Page)
        assert (e.cls.slug, e.cls.title) == (e.slug, e.label)
        assert getattr(pages, e.cls.__name__) is e.cls
        assert e.cls.__module__ == f"planner.app.pages.{e.slug}"


def _module_imports(path: Path) -> set[str]:
    """planner.app modules imported at module level (not inside functions) by ``path``."""
    tree = ast.parse(path.read_text())
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out.update(n for n in names if n.startswith("planner.app"))
    return out


def _module_name(path: Path) -> str:
    rel = path.relative_to(APP.parent.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def test_no_module_level_import_cycle_in_the_app():
    files = {_module_name(p): p for p in APP.rglob("*.py")}
    graph = {m: {i for i in _module_imports(p) if i in files and i != m} for m, p in files.items()}
    assert graph["planner.app.main"] >= {"planner.app.cache", "planner.app.registry"}
    # depth-first search for a back edge
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append([*stack[stack.index(n) :], n])
            elif n not in state:
                visit(n, [*stack, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_no_app_file_over_500_lines():
    long = {
        str(p.relative_to(APP)): n
        for p in APP.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 500
    }
    assert long == {}

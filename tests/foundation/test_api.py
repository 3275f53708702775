"""The public API at the top: ``import planner`` is light, and every name resolves lazily."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import planner

REPO = Path(__file__).resolve().parents[2]

#: the entry points issue 13 names for a notebook, and where each one lives
ENTRY_POINTS = {
    "Workspace": "planner.workspace",
    "load_crimes": "planner.io.crime",
    "derive_tgps": "planner.hotspots.tgps",
    "coverage_report": "planner.hotspots.coverage",
    "plan_quarter": "planner.planning.schedule",
    "plan_workspace_quarter": "planner.planning.schedule",
    "delivery_report": "planner.tracking.delivery",
    "dwell": "planner.tracking.dwell",
    "open_store": "planner.records.store",
    "make_grid": "planner.hotspots.grid",
    "kde_grid": "planner.hotspots.kde",
    "grid_gistar": "planner.hotspots.gistar",
    "emerging_hotspots": "planner.hotspots.emerging",
    "advance_briefing": "planner.hotspots.advance",
    "plan_servator": "planner.planning.servator",
    "workspace_visibility": "planner.tracking.visibility",
    "engagement_counts": "planner.records.analytics",
}


def _fresh(code: str) -> str:
    """Run ``code`` in a new interpreter (so nothing is imported yet) and return its stdout."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout


def test_import_planner_imports_no_panel_bokeh_or_heavy_library():
    out = _fresh(
        "import sys, json, planner\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    top = set(json.loads(out))
    for heavy in ("panel", "bokeh", "holoviews", "pandas", "geopandas", "numpy", "sqlalchemy"):
        assert heavy not in top, f"`import planner` imported {heavy}"
    assert "planner" in top


def test_using_the_whole_api_still_imports_no_panel_or_bokeh():
    out = _fresh(
        "import sys, json, planner\n"
        "[getattr(planner, n) for n in planner.__all__]\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    top = set(json.loads(out))
    assert "panel" not in top and "bokeh" not in top
    assert {"pandas", "geopandas", "sqlalchemy"} <= top  # the names really were imported


def test_first_use_imports_only_that_names_module():
    out = _fresh(
        "import sys, planner\n"
        "f = planner.derive_tgps\n"
        "print(f.__module__, 'planner.records.store' in sys.modules, "
        "'planner.hotspots.tgps' in sys.modules)"
    )
    assert out.split() == ["planner.hotspots.tgps", "False", "True"]


@pytest.mark.parametrize(("name", "module"), sorted(ENTRY_POINTS.items()))
def test_entry_point_is_the_library_object(name, module):
    assert getattr(planner, name) is getattr(importlib.import_module(module), name)
    assert name in planner.__all__


def test_every_public_name_resolves_to_its_mapped_object():
    for name, (module, attr) in planner._API.items():
        assert getattr(planner, name) is getattr(importlib.import_module(module), attr), name
    assert planner.records_summary is importlib.import_module("planner.records.analytics").summary


def test_all_lists_exactly_the_mapped_names_once():
    assert len(planner.__all__) == len(set(planner.__all__))
    assert set(planner.__all__) == {"__version__", *planner._API}


def test_type_checking_block_imports_the_same_names_from_the_same_modules():
    tree = ast.parse((REPO / "planner" / "__init__.py").read_text())
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    seen = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            seen[alias.asname or alias.name] = (node.module, alias.name)
    assert seen == planner._API


def test_star_import_gives_the_api():
    out = _fresh("from planner import *\nprint(Workspace.__module__, plan_quarter.__name__)")
    assert out.split() == ["planner.workspace", "plan_quarter"]


def test_subpackages_load_on_attribute_access():
    out = _fresh("import planner\nprint(planner.tracking.__name__, planner.hotspots.__name__)")
    assert out.split() == ["planner.tracking", "planner.hotspots"]


def test_unknown_name_raises_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_thing'"):
        planner.no_such_thing  # noqa: B018
    # the app is not part of the library API (in a new process: a test may have imported it)
    assert _fresh("import planner\nprint(hasattr(planner, 'app'))").strip() == "False"


def test_dir_lists_the_api_for_tab_completion():
    names = dir(planner)
    assert set(planner.__all__) <= set(names)
    assert {"hotspots", "tracking", "records"} <= set(names)
    assert names == sorted(names)


def test_tracking_is_a_regular_package_so_it_ships():
    import planner.tracking

    assert planner.tracking.__file__ is not None
    assert Path(planner.tracking.__file__).name == "__init__.py"

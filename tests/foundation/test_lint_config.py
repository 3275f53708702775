"""`make lint` type-checks the library: the mypy configuration and where it runs."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_mypy_checks_all_of_planner_the_app_included():
    cfg = _pyproject()["tool"]["mypy"]
    assert cfg["files"] == ["planner"]
    skipped = [o for o in cfg["overrides"] if o.get("ignore_errors")]
    assert skipped == []
    untyped = [o for o in cfg["overrides"] if o.get("ignore_missing_imports")]
    assert all(not m.startswith("planner") for o in untyped for m in o["module"])


def test_make_lint_runs_ruff_then_mypy():
    lines = (REPO / "Makefile").read_text().split("\nlint:")[1].split("\n\n")[0].splitlines()
    cmds = [line.strip() for line in lines[1:]]
    assert cmds == ["$(BIN)/ruff check planner apps tests benchmarks", "$(BIN)/mypy planner"]


def test_mypy_and_the_stubs_are_test_dependencies():
    test = {d.split(">")[0] for d in _pyproject()["project"]["optional-dependencies"]["test"]}
    assert {"mypy", "pandas-stubs", "types-shapely"} <= test

"""A workspace is built in a temporary folder and moved into place when complete; every
command refuses a half-built one (planner demo and planner init alike)."""

from __future__ import annotations

import json

import pytest

from planner.cli import main
from planner.errors import PlannerError
from planner.workspace import Workspace, building, create_workspace, staging_path


def test_half_built_workspace_is_refused_by_commands(tmp_path, capsys):
    ws = create_workspace(tmp_path / "ws", name="t", today="2025-01-31", seed=None, complete=False)
    assert not ws.complete
    with pytest.raises(
        PlannerError, match=r"is a half-built workspace \(its build did not finish\)"
    ):
        Workspace(ws.root)
    for argv in (
        ["status", "--workspace", str(ws.root)],
        ["tgps", "--workspace", str(ws.root), "--json"],
        ["hotspots", "--workspace", str(ws.root), "--out", str(tmp_path / "h.parquet")],
        ["import", "officers", str(tmp_path / "x.csv"), "--workspace", str(ws.root)],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "half-built workspace" in err and "Traceback" not in err
    ws.mark_complete()
    assert Workspace(ws.root).complete


def _failing_build(out, name, exc):
    with building(out) as stage:
        create_workspace(stage, name=name, today="2025-01-31", seed=None, complete=False)
        (stage / "half.txt").write_text("x")
        raise exc


def test_building_moves_into_place_only_when_complete(tmp_path):
    out = tmp_path / "ws"
    with pytest.raises(RuntimeError, match="boom"):
        _failing_build(out, "t", RuntimeError("boom"))
    assert not out.exists() and not staging_path(out).exists()
    with building(out) as stage:
        create_workspace(stage, name="first", today="2025-01-31", seed=None, complete=False)
    assert Workspace(out).name == "first" and Workspace(out).complete
    # a failed rebuild leaves the earlier workspace as it was
    with pytest.raises(KeyboardInterrupt):
        _failing_build(out, "second", KeyboardInterrupt())
    assert Workspace(out).name == "first"
    with building(out) as stage:
        create_workspace(stage, name="second", today="2025-01-31", seed=None, complete=False)
    assert Workspace(out).name == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]


def test_interrupted_demo_leaves_no_workspace(tmp_path, monkeypatch):
    import planner.demo as demo
    import planner.demo.boundaries as boundaries

    def killed(ws, rng):  # the build is interrupted half-way through its first step
        (ws.root / "boundaries").mkdir()
        raise KeyboardInterrupt

    monkeypatch.setattr(boundaries, "step", killed)
    out = tmp_path / "demo"
    with pytest.raises(KeyboardInterrupt):
        demo.build_demo(out, steps=["boundaries"], progress=False)
    assert not out.exists() and not staging_path(out).exists()
    # a build killed outright leaves only the staging folder, which says it is half-built
    stage = staging_path(out)
    create_workspace(stage, name="West Midlands demo", today="2025-12-31", seed=1, complete=False)
    assert json.loads((stage / "workspace.json").read_text())["complete"] is False
    with pytest.raises(PlannerError, match="half-built"):
        Workspace(stage)

"""The demo plan step's outputs and notebooks/02_patrol_plan.ipynb on the demo workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]


def _need_plan(ws):
    if not ws.has_table("plan_visits"):
        pytest.skip("demo workspace has no plan (the tgps/plan steps did not run)")


def test_demo_plans_are_exact_and_registered(demo_ws):
    _need_plan(demo_ws)
    assert demo_ws.is_synthetic("plan_visits")
    cfg = json.loads(demo_ws.path("plan/config.json").read_text())
    assert cfg["annual_target_hours"] == 33323
    assert {t["team_id"] for t in cfg["teams"]} >= {"GTF-1", "GTF-5"}
    for q in ("2025Q2", "2025Q3", "2025Q4"):
        v = pd.read_parquet(demo_ws.table_path(f"plan_visits_{q}"))
        s = json.loads(demo_ws.path(f"plan/{q}/summary.json").read_text())
        assert s["target_hours"] == 8330.75
        assert int(v["minutes"].sum()) == 499845 - round(s["unmet_hours"] * 60)
        assert s["feasible"] is True
        assert (v["officer_minutes"] == v["minutes"] * v["crew"]).all()
    allv = demo_ws.read_table("plan_visits")
    assert len(allv) == sum(
        len(pd.read_parquet(demo_ws.table_path(f"plan_visits_{q}")))
        for q in ("2025Q2", "2025Q3", "2025Q4")
    )
    g5 = allv.loc[allv["team_id"] == "GTF-5", "date"]
    assert pd.Timestamp(min(g5)) >= pd.Timestamp("2025-11-17")


@pytest.mark.slow
def test_notebook_runs(demo_ws, monkeypatch):
    _need_plan(demo_ws)
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("PLANNER_WORKSPACE", str(demo_ws.root))
    nb = nbformat.read(REPO / "notebooks" / "02_patrol_plan.ipynb", as_version=4)
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO / "notebooks")}},
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )
    assert "quarter = 499,845 min = 33323/4 h = 8,330.75 h" in text
    assert "SYNTHETIC inputs: True" in text
    assert "WARNING" in text and "pinned visits make the pattern predictable" in text

"""The demo plan step's outputs and notebooks/02_patrol_plan.ipynb on the demo workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from planner.testing import run_notebook

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
def test_notebook_runs(demo_ws):
    _need_plan(demo_ws)
    text = run_notebook(REPO / "notebooks" / "02_patrol_plan.ipynb", demo_ws.root)
    assert "quarter = 499,845 min = 33323/4 h = 8,330.75 h" in text
    assert "SYNTHETIC inputs: True" in text
    assert "WARNING" in text and "pinned visits make the pattern predictable" in text

"""`planner schedule` and `planner servator` on a small constructed workspace."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import icalendar
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from builders import make_config, make_tgps  # noqa: E402

from planner.cli import main  # noqa: E402
from planner.workspace import create_workspace  # noqa: E402


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("cliws") / "ws"
    w = create_workspace(root, name="test", today="2025-12-31", seed=1)
    t = make_tgps(6)
    t.to_file(w.path("tgps.gpkg"), layer="tgps", driver="GPKG")
    w.add_table("tgps", "tgps.gpkg", synthetic=True, description="test TGPs", rows=len(t))
    make_config(6).save(w.path("plan/config.json"))
    return w


def test_schedule_json(ws, tmp_path, capsys):
    out = tmp_path / "q4"
    rc = main(
        [
            "schedule",
            "--workspace",
            str(ws.root),
            "--quarter",
            "2025Q4",
            "--out",
            str(out),
            "--seed",
            "3",
            "--json",
        ]
    )
    assert rc == 0
    s = json.loads(capsys.readouterr().out)
    assert list(s)[:6] == [
        "total_hours",
        "by_method",
        "by_lpa",
        "by_tgp",
        "unmet_hours",
        "predictability",
    ]
    assert s["total_hours"] == 730.0
    assert s["unmet_hours"] == 0.0
    assert s["seed"] == 3
    assert s["synthetic_inputs"] is True
    assert set(s["by_tgp"]) == {f"TGP-{i:03d}" for i in range(1, 7)}
    assert "mean_entropy" in s["predictability"]
    v = pd.read_parquet(out / "visits.parquet")
    assert v["minutes"].sum() == 730 * 60
    assert (out / "briefing.html").exists()
    cal = icalendar.Calendar.from_ical((out / "ics" / "GTF-1.ics").read_bytes())
    assert len(list(cal.walk("VEVENT"))) == int((v["team_id"] == "GTF-1").sum())
    # the same seed reproduces the plan
    rc = main(
        [
            "schedule",
            "--workspace",
            str(ws.root),
            "--quarter",
            "2025Q4",
            "--out",
            str(tmp_path / "again"),
            "--seed",
            "3",
            "--json",
        ]
    )
    assert rc == 0
    capsys.readouterr()
    pd.testing.assert_frame_equal(v, pd.read_parquet(tmp_path / "again" / "visits.parquet"))


def test_schedule_user_errors(ws, tmp_path, capsys):
    rc = main(
        ["schedule", "--workspace", str(ws.root), "--quarter", "2025-10", "--out", str(tmp_path)]
    )
    assert rc == 2
    assert "not like 2025Q4" in capsys.readouterr().err
    rc = main(["schedule", "--workspace", str(tmp_path / "nope"), "--quarter", "2025Q4"])
    assert rc == 2
    assert "not a planner workspace" in capsys.readouterr().err


def test_schedule_strict_infeasible(ws, tmp_path, capsys):
    cfg = make_config(6, scale=0.1)
    p = cfg.save(tmp_path / "tight.json")
    rc = main(
        [
            "schedule",
            "--workspace",
            str(ws.root),
            "--quarter",
            "2025Q4",
            "--out",
            str(tmp_path / "t"),
            "--config",
            str(p),
            "--seed",
            "1",
            "--strict",
            "--json",
        ]
    )
    cap = capsys.readouterr()
    assert rc == 3
    s = json.loads(cap.out)
    assert s["feasible"] is False
    assert "warning: quarterly floor not met, short by" in cap.err
    assert s["unmet_hours"] == pytest.approx(s["binding"][0]["short_hours"])


def test_schedule_with_pins(ws, tmp_path, capsys):
    days = pd.date_range("2025-10-01", "2025-12-31")
    pins = pd.DataFrame(
        {
            "tgp_id": "TGP-001",
            "start": (days + pd.Timedelta(hours=21)).strftime("%Y-%m-%d %H:%M"),
            "minutes": 15,
            "team_id": "GTF-2",
        }
    )
    f = tmp_path / "pins.csv"
    pins.to_csv(f, index=False)
    rc = main(
        [
            "schedule",
            "--workspace",
            str(ws.root),
            "--quarter",
            "2025Q4",
            "--out",
            str(tmp_path / "p"),
            "--pins",
            str(f),
            "--seed",
            "2",
            "--json",
        ]
    )
    cap = capsys.readouterr()
    assert rc == 0
    s = json.loads(cap.out)
    assert s["pinned_visits"] == len(days)
    assert any(w.startswith("TGP-001: pinned visits") for w in s["predictability"]["warnings"])
    assert "warning: TGP-001: pinned visits make the pattern predictable" in cap.err


def test_servator_cli(ws, tmp_path, capsys):
    out = tmp_path / "serv"
    rc = main(
        [
            "servator",
            "--workspace",
            str(ws.root),
            "--start",
            "2026-01-05",
            "--days",
            "14",
            "--out",
            str(out),
            "--seed",
            "4",
            "--per-day",
            "2",
            "--json",
        ]
    )
    assert rc == 0
    s = json.loads(capsys.readouterr().out)
    assert s["deployments"] == 28
    assert s["days"] == 14
    d = pd.read_csv(out / "deployments.csv")
    assert len(d) == 28
    assert set(d["site_id"]) <= {f"TGP-{i:03d}" for i in range(1, 7)}
    rc = main(
        [
            "servator",
            "--workspace",
            str(ws.root),
            "--start",
            "soon",
            "--days",
            "3",
            "--out",
            str(out),
        ]
    )
    assert rc == 2


def test_schedule_inside_workspace_registers_the_plan(ws, capsys):
    rc = main(
        ["schedule", "--workspace", str(ws.root), "--quarter", "2025Q3", "--seed", "1", "--json"]
    )
    assert rc == 0
    s = json.loads(capsys.readouterr().out)
    assert s["out"] == str(ws.path("plan/2025Q3"))
    assert ws.has_table("plan_visits_2025Q3")
    assert ws.is_synthetic("plan_visits_2025Q3")
    assert len(ws.read_table("plan_visits_2025Q3")) == s["visits"]

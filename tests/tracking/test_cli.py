"""`planner track` and `planner visibility`: one JSON object, exact figures, clear errors."""

from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from planner.cli import main
from planner.testing import error_lines
from planner.workspace import create_workspace

X, Y = 400_000.0, 280_000.0
TZ = "Europe/London"


@pytest.fixture
def inputs(tmp_path):
    tg = gpd.GeoDataFrame(
        {"tgp_id": ["T1", "T2"], "lpa": ["Coventry", "Dudley"]},
        geometry=[shapely.box(X, Y, X + 100, Y + 100), shapely.box(X + 1000, Y, X + 1100, Y + 100)],
        crs=27700,
    )
    tg.to_file(tmp_path / "tgps.gpkg", layer="tgps", driver="GPKG")
    lines = ["officer_id,timestamp,easting,northing,speed"]
    # A: 20 minutes in T1 from 10:00 (a ping a minute, offsets in ISO 8601)
    for i in range(21):
        lines.append(f"A,2025-11-03T{10 + i // 60:02d}:{i % 60:02d}:00+00:00,{X + 50},{Y + 50},1.0")
    # B: 10 minutes in T1 from 10:15, naive local times (GMT in November)
    for i in range(11):
        lines.append(f"B,2025-11-03 10:{15 + i:02d}:00,{X + 40},{Y + 40},")
    lines.append("C,not a time,1,2,")
    (tmp_path / "pings.csv").write_text("\n".join(lines) + "\n")
    plan = pd.DataFrame(
        {
            "visit_id": ["v1", "v2"],
            "tgp_id": ["T1", "T2"],
            "team_id": ["GTF-1", "GTF-1"],
            "method": ["gtf", "gtf"],
            "date": [date(2025, 11, 3), date(2025, 11, 3)],
            "start": pd.to_datetime(["2025-11-03 10:00", "2025-11-03 12:00"]).tz_localize(TZ),
            "end": pd.to_datetime(["2025-11-03 10:30", "2025-11-03 12:30"]).tz_localize(TZ),
            "minutes": [30.0, 30.0],
            "crew": [2, 2],
            "officer_minutes": [60.0, 60.0],
            "band": ["08-12", "12-16"],
            "pinned": [False, False],
        }
    )
    (tmp_path / "plan").mkdir()
    plan.to_parquet(tmp_path / "plan" / "visits.parquet")
    return tmp_path


def test_track_json(inputs, capsys):
    out = inputs / "out"
    code = main(
        [
            "track",
            "--pings",
            str(inputs / "pings.csv"),
            "--tgps",
            str(inputs / "tgps.gpkg"),
            "--out",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["pings_read"], s["pings_accepted"], s["pings_rejected"]) == (33, 32, 1)
    assert s["officer_hours"] == pytest.approx(0.5)
    assert s["presence_hours"] == pytest.approx(25 / 60, abs=1e-4)  # 10:00-10:25
    assert s["by_tgp"] == {
        "T1": {
            "officer_minutes": 30.0,
            "presence_minutes": 25.0,
            "visits": 1,
            "compliant_visits": 1,
        }
    }
    assert "plan" not in s
    assert pd.read_parquet(out / "place_days.parquet").officer_minutes.sum() == pytest.approx(30.0)
    assert len(pd.read_csv(out / "pings_rejects.csv")) == 1


def test_track_with_plan(inputs, capsys):
    out = inputs / "out2"
    code = main(
        [
            "track",
            "--pings",
            str(inputs / "pings.csv"),
            "--tgps",
            str(inputs / "tgps.gpkg"),
            "--plan",
            str(inputs / "plan"),
            "--out",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    s = json.loads(capsys.readouterr().out)
    p = s["plan"]
    assert p["planned_hours"] == pytest.approx(1.0) and p["delivered_hours"] == pytest.approx(
        25 / 60, abs=0.01
    )
    assert p["planned_officer_hours"] == pytest.approx(2.0) and p[
        "delivered_officer_hours"
    ] == pytest.approx(0.5)
    assert (p["planned_place_days"], p["delivered_place_days"]) == (2, 1)
    assert p["by_method"]["gtf"]["planned_hours"] == pytest.approx(1.0)
    assert (
        s["by_tgp"]["T2"]["planned_minutes"] == pytest.approx(30.0)
        and s["by_tgp"]["T2"]["presence_minutes"] == 0
    )
    assert "trajectory" in p and p["trajectory"]["alert"] is True
    assert (out / "delivery_by_lpa.csv").exists() and (out / "trajectory.csv").exists()


def test_track_errors_are_one_line(inputs, capsys):
    (inputs / "bad.csv").write_text(
        "officer_id,timestamp,easting,northing\nA,2025-11-03T10:00:00Z,1,2\nA,2025-11-03T10:01:00Z,1,2,9\n"
    )
    code = main(
        [
            "track",
            "--pings",
            str(inputs / "bad.csv"),
            "--tgps",
            str(inputs / "tgps.gpkg"),
            "--out",
            str(inputs / "o"),
            "--json",
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(error_lines(err)) == 1 and "bad.csv, line 3" in err


def test_visibility_cli(tmp_path, capsys):
    ws = create_workspace(tmp_path / "ws", name="t", today=date(2025, 11, 30), seed=None)
    ts = lambda s: pd.Timestamp(s, tz=TZ)  # noqa: E731
    pd.DataFrame(
        {
            "officer_id": ["A", "B"],
            "start": [ts("2025-11-03 07:00"), ts("2025-11-03 07:00")],
            "end": [ts("2025-11-03 17:00"), ts("2025-11-03 15:00")],
        }
    ).to_parquet(ws.path("duty.parquet"))
    pd.DataFrame(
        {
            "officer_id": ["A"],
            "start": [ts("2025-11-03 09:00")],
            "end": [ts("2025-11-03 11:30")],
            "kind": ["custody"],
        }
    ).to_parquet(ws.path("eps.parquet"))
    pd.DataFrame(
        {"officer_id": ["A", "B"], "team_id": ["T", "T"], "lpa": ["Coventry", "Coventry"]}
    ).to_parquet(ws.path("officers.parquet"))
    ws.add_table("duty_periods", "duty.parquet", synthetic=True, description="t")
    ws.add_table("custody_episodes", "eps.parquet", synthetic=True, description="t")
    ws.add_table("officers", "officers.parquet", synthetic=True, description="t")
    assert main(["visibility", "--workspace", str(ws.root), "--month", "2025-11", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["synthetic"] is True
    assert s["force"]["duty_hours"] == pytest.approx(18.0)
    assert s["by_lpa"]["Coventry"]["custody_hours"] == pytest.approx(2.5)
    assert s["by_lpa"]["Coventry"]["community_share"] == pytest.approx(15.5 / 18, abs=1e-4)
    assert main(["visibility", "--workspace", str(ws.root), "--month", "2025-10", "--json"]) == 2
    assert "no duty periods in 2025-10" in capsys.readouterr().err

"""The delivery chain on an init-built workspace: tgps -> schedule -> import pings -> place_days
registered, status lists them, the Delivery page works; re-import never doubles."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from planner.cli import main
from planner.workspace import Workspace


def _run(capsys, *argv) -> dict:
    rc = main([*map(str, argv), "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out)


def _pings(path: Path, officer: str, start: str, n: int, x: float, y: float) -> Path:
    t0 = pd.Timestamp(start)
    rows = [
        {
            "officer_id": officer,
            "timestamp": (t0 + pd.Timedelta(seconds=30 * i)).isoformat(),
            "easting": x,
            "northing": y + (i % 3),
        }
        for i in range(n)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def planned_ws(ws_dir, capsys):
    """The tiny force with derived TGPs and a 2024Q1 plan on an assumed capacity."""
    _run(capsys, "tgps", "--workspace", ws_dir, "--min-per-year", "1", "--area-share", "0.5")
    rc = main(["schedule", "--workspace", str(ws_dir), "--quarter", "2024Q1", "--seed", "1"])
    err = capsys.readouterr().err
    assert rc == 2 and "has no teams and officers to plan with" in err
    assert (
        f"planner import teams TEAMS.csv --workspace {ws_dir}" in err and "--lpa-officers N" in err
    )
    s = _run(
        capsys, "schedule", "--workspace", ws_dir, "--quarter", "2024Q1", "--seed", "1",
        "--lpa-officers", "4", "--target-hours", "2000",
    )  # fmt: skip
    assert s["capacity_assumed"].startswith("capacity assumed (--lpa-officers 4)")
    assert s["target_hours"] == 500.0  # a quarter of the force's own 2,000 h (Q4 of FY2023)
    return ws_dir


def test_pings_import_registers_place_days_and_delivery_works(planned_ws, tmp_path, capsys):
    ws = Workspace(planned_ws)
    tg = ws.tgps().set_index("tgp_id")
    violent = tg[tg["kind"] == "violent"].index[0]
    x, y = float(tg.loc[violent, "centre_x"]), float(tg.loc[violent, "centre_y"])
    # the plan is the workspace's plan_visits (the Plan and Delivery pages read it)
    plan = ws.read_table("plan_visits")
    assert len(plan) == len(ws.read_table("plan_visits_2024Q1")) > 0
    assert not ws.has_table("place_days")
    # 73 pings 30 s apart inside the TGP: one visit of 72 x 30 s = 36 minutes
    f1 = _pings(tmp_path / "p1.csv", "A1", "2024-01-01T00:20:00", 73, x, y)
    c = _run(capsys, "import", "pings", f1, "--workspace", planned_ws)
    assert (c["read"], c["accepted"], c["rejected"], c["days"]) == (73, 73, 0, 1)
    assert c["delivery"]["tables"] == {
        "place_days": 1,
        "tracked_visits": 1,
        "delivered_place_days": 2,
    }
    pdays = ws.read_table("place_days")
    row = pdays.iloc[0]
    assert (row["tgp_id"], str(pd.Timestamp(row["date"]).date())) == (violent, "2024-01-01")
    assert (row["officer_minutes"], row["presence_minutes"], row["visits"]) == (36.0, 36.0, 1)
    assert not ws.is_synthetic("place_days")
    # the same file again: the day replaces the stored day, nothing doubles
    c = _run(capsys, "import", "pings", f1, "--workspace", planned_ws)
    assert c["replaced_days"] == ["2024-01-01"] and c["rows"] == 73
    assert ws.read_table("place_days")["officer_minutes"].tolist() == [36.0]
    # a second day (two officers together for 10 minutes): appended
    f2 = tmp_path / "p2.csv"
    a = _pings(tmp_path / "a.csv", "A3", "2024-01-02T20:00:00", 21, x, y)
    b = _pings(tmp_path / "b.csv", "A2", "2024-01-02T20:00:00", 21, x, y)
    pd.concat([pd.read_csv(a), pd.read_csv(b)]).to_csv(f2, index=False)
    c = _run(capsys, "import", "pings", f2, "--workspace", planned_ws)
    assert c["replaced_days"] == [] and c["rows"] == 73 + 42
    got = ws.read_table("place_days").set_index(pd.Series(["d1", "d2"]))
    assert got["officer_minutes"].tolist() == [36.0, 20.0]
    assert got["presence_minutes"].tolist() == [36.0, 10.0]
    # status shows the tracked tables and the Delivery page as ready
    st = _run(capsys, "status", "--workspace", planned_ws)
    assert st["tables"]["place_days"]["present"] and st["tables"]["place_days"]["rows"] == 2
    assert st["tables"]["delivered_place_days"]["present"]
    uses = {u["name"]: u for u in st["uses"]}
    assert uses["Coverage and delivery"]["ready"] and uses["Patrol plan"]["ready"]
    # the Delivery page: planned hours from the plan to today, delivered from the pings
    from planner.app.data import AppData
    from planner.app.registry import build_page
    from planner.app.state.delivery import DeliveryState

    data = AppData(ws)
    assert type(build_page("delivery", data)).__name__ == "DeliveryPage"
    st_ = DeliveryState(data)
    per = st_.per_tgp().set_index("tgp_id")
    d = pd.to_datetime(plan["date"]).dt.date
    upto = plan[(d <= ws.today).to_numpy() & (plan["tgp_id"] == violent).to_numpy()]
    assert per.loc[violent, "planned_hours"] == pytest.approx(upto["minutes"].sum() / 60)
    assert per.loc[violent, "delivered_hours"] == pytest.approx((36 + 10) / 60)


def test_track_workspace_alone_rebuilds_and_refuses_without_tgps(ws_dir, tmp_path, capsys):
    from ownforce_builders import ward_centre

    x, y = ward_centre("E05000001")
    f = _pings(tmp_path / "p.csv", "A1", "2024-02-01T10:00:00", 11, x, y)
    c = _run(capsys, "import", "pings", f, "--workspace", ws_dir)
    assert c["delivery"] is None and not Workspace(ws_dir).has_table("place_days")
    assert main(["track", "--workspace", str(ws_dir)]) == 2
    err = capsys.readouterr().err
    assert f"workspace {ws_dir} has nothing to track: missing tgps" in err
    _run(capsys, "tgps", "--workspace", ws_dir, "--min-per-year", "1", "--area-share", "0.5")
    # the TGP derivation does not track by itself; planner track --workspace does
    t = _run(capsys, "track", "--workspace", ws_dir)
    ws = Workspace(ws_dir)
    assert t["pings"] == 11 and t["tables"]["place_days"] == ws.meta["tables"]["place_days"]["rows"]
    from shapely.geometry import Point

    # ward 1's three violent crimes make its centre a TGP: 10 gaps of 30 s inside it
    assert ws.tgps().contains(Point(x, y)).sum() == 1
    assert t["officer_hours"] == round(5 / 60, 4)
    assert ws.read_table("place_days")["officer_minutes"].tolist() == [5.0]
    assert "delivered_place_days" not in t["tables"]  # no plan: no per-method table


def test_visibility_on_an_init_workspace_with_point_stations(ws_dir, tmp_path, capsys):
    from ownforce_builders import ward_centre

    sx, sy = ward_centre("E05000003")
    duty = tmp_path / "duty.csv"
    duty.write_text("officer_id,start,end\nA1,2024-01-01 00:00,2024-01-01 08:00\n")
    cust = tmp_path / "cust.csv"
    cust.write_text("officer_id,start,end,kind\nA1,2024-01-01 03:00,2024-01-01 04:00,custody\n")
    st = tmp_path / "st.csv"
    st.write_text(f"station_id,name,kind,x,y\nS1,Central,station,{sx},{sy}\n")
    for kind, f in (("duty_periods", duty), ("custody_episodes", cust), ("stations", st)):
        assert _run(capsys, "import", kind, f, "--workspace", ws_dir)["inserted"] == 1
    # 61 pings 30 s apart, 20 m from the station point (inside its 60 m geofence): 30 minutes
    _run(capsys, "import", "pings",
         _pings(tmp_path / "p.csv", "A1", "2024-01-01T05:00:00", 61, sx + 20, sy), "--workspace", ws_dir)  # fmt: skip
    v = _run(capsys, "visibility", "--workspace", ws_dir, "--month", "2024-01")
    f = v["force"]
    assert (f["duty_hours"], f["custody_hours"], f["station_hours"]) == (8.0, 1.0, 0.5)
    assert f["community_hours"] == 6.5 and f["community_share"] == 6.5 / 8
    assert list(v["by_lpa"]) == ["force-wide"] and not v["synthetic"]


def test_patrol_logs_alone_give_place_days(ws_dir, tmp_path, capsys):
    _run(capsys, "tgps", "--workspace", ws_dir, "--min-per-year", "1", "--area-share", "0.5")
    ws = Workspace(ws_dir)
    tg = ws.tgps()
    tid = str(tg.loc[tg["kind"] == "violent", "tgp_id"].iloc[0])
    logs = tmp_path / "logs.csv"
    logs.write_text(
        "officer_id,team_id,tgp_id,start,end,method,crew\n"
        f",T1,{tid},2024-01-03 20:00,2024-01-03 20:20,gtf,2\n"
    )
    c = _run(capsys, "import", "patrol_logs", logs, "--workspace", ws_dir)
    assert c["delivery"]["tables"] == {"place_days": 1, "tracked_visits": 0}
    p = ws.read_table("place_days").iloc[0]
    # a double-crewed 20-minute log: 40 officer-minutes, 20 minutes of presence
    assert (p["tgp_id"], p["officer_minutes"], p["presence_minutes"]) == (tid, 40.0, 20.0)
    # the same file again: a duplicate, and the place-days do not double
    c = _run(capsys, "import", "patrol_logs", logs, "--workspace", ws_dir)
    assert c["duplicates"] == 1 and ws.read_table("place_days")["officer_minutes"].tolist() == [
        40.0
    ]


def test_streamed_workspace_delivery_equals_the_in_memory_one(planned_ws, tmp_path, capsys):
    """Above the streaming threshold the workspace's pings are spilled to officer buckets and
    tracked one bucket at a time: the same tables as reading them all into memory."""
    from planner.ownforce.delivery import refresh_delivery

    ws = Workspace(planned_ws)
    tg = ws.tgps().set_index("tgp_id")
    violent = tg[tg["kind"] == "violent"].index[0]
    x, y = float(tg.loc[violent, "centre_x"]), float(tg.loc[violent, "centre_y"])
    a = _pings(tmp_path / "a.csv", "A3", "2024-01-02T20:00:00", 21, x, y)
    b = _pings(tmp_path / "b.csv", "A2", "2024-01-02T20:10:00", 41, x, y)
    c = _pings(tmp_path / "c.csv", "A1", "2024-02-05T09:00:00", 30, x + 5000, y)
    f = tmp_path / "all.csv"
    pd.concat([pd.read_csv(p) for p in (a, b, c)]).to_csv(f, index=False)
    _run(capsys, "import", "pings", f, "--workspace", planned_ws)
    names = ("place_days", "tracked_visits", "delivered_place_days")
    mem = refresh_delivery(ws)
    before = {n: ws.read_table(n) for n in names}
    streamed = refresh_delivery(ws, stream_above=0)
    assert streamed == mem and mem["pings"] == 92 and mem["tables"]["place_days"] >= 1
    for n in names:
        pd.testing.assert_frame_equal(ws.read_table(n), before[n])
    assert list(ws.path("track").glob("*.spill")) == []  # the buckets are removed

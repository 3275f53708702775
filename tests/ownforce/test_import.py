"""planner import KIND: validation, rejects with reasons, reconciled counts, idempotent re-import."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).parent))
from ownforce_builders import X0, Y0, month_points, ward_centre, write_street  # noqa: E402

from planner.cli import main
from planner.ownforce.importer import ImportOptions, import_table
from planner.workspace import Workspace


def _csv(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _run(capsys, *argv) -> dict:
    rc = main([*map(str, argv), "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out)


def _reconciled(c: dict) -> bool:
    parts = ("inserted", "updated", "duplicates") if "inserted" in c else ("accepted",)
    return c["read"] == sum(c[k] for k in parts) + c["rejected"]


OFFICERS = [
    {"Officer number": "A1", "name": "Ann", "role": "DNO", "ward_code": "E05000001", "lpa": "E07000001", "start_date": "2020-04-01", "npp1_trained": "yes"},
    {"Officer number": "A2", "name": "Bob", "role": "pcso", "ward_code": "E05000004", "lpa": "E07000002", "start_date": "01/05/2021", "npp1_trained": "no"},
    {"Officer number": "A3", "name": "Cy", "role": "Sergeant", "ward_code": "E05000002", "lpa": "E07000001", "start_date": "2020-01-01", "npp1_trained": ""},
    {"Officer number": "A4", "name": "Di", "role": "PC", "ward_code": "E05999999", "lpa": "E07000001", "start_date": "2020-01-01", "npp1_trained": ""},
    {"Officer number": "", "name": "Ed", "role": "PC", "ward_code": "", "lpa": "", "start_date": "", "npp1_trained": ""},
    {"Officer number": "A5", "name": "Flo", "role": "PC", "ward_code": "", "lpa": "Nowhere", "start_date": "31/02/2020", "npp1_trained": "maybe"},
    {"Officer number": "A1", "name": "Ann again", "role": "DNO", "ward_code": "E05000001", "lpa": "E07000001", "start_date": "2020-04-01", "npp1_trained": "yes"},
    {"Officer number": "A2", "name": "Bob", "role": "pcso", "ward_code": "E05000004", "lpa": "E07000002", "start_date": "01/05/2021", "npp1_trained": "no"},
]  # fmt: skip


def test_officers_rejects_reasons_and_idempotent_reimport(ws_dir, tmp_path, capsys):
    f = _csv(tmp_path / "officers.csv", OFFICERS)
    c = _run(
        capsys, "import", "officers", f, "--workspace", ws_dir, "--map", "Officer number=officer_id"
    )
    assert (c["read"], c["inserted"], c["updated"], c["duplicates"], c["rejected"]) == (
        8,
        2,
        0,
        1,
        5,
    )
    assert _reconciled(c)
    rej = pd.read_csv(c["rejects_file"], dtype=str, keep_default_na=False)
    reasons = dict(zip(rej["line"].astype(int), rej["reason"]))
    assert reasons[4].startswith("unknown role 'Sergeant' (allowed: ")
    assert reasons[5] == "unknown ward_code 'E05999999' (not a ward of this workspace)"
    assert reasons[6] == "missing officer_id"
    assert reasons[7] == (
        "unknown lpa 'Nowhere' (LPAs: E07000001, E07000002); "
        "start_date '31/02/2020' is not a date (YYYY-MM-DD or DD/MM/YYYY); "
        "npp1_trained 'maybe' is not true/false (yes/no, 1/0)"
    )
    assert (
        reasons[8]
        == "key (officer_id) repeated in this file with different values (the first is kept)"
    )
    ws = Workspace(ws_dir)
    o = ws.officers().set_index("officer_id")
    assert o.loc["A2", "role"] == "PCSO" and o.loc["A2", "lpa"] == "E07000002"
    assert str(o.loc["A2", "start_date"]) == "2021-05-01" and not o.loc["A2", "npp1_trained"]
    assert not ws.is_synthetic("officers") and not o["synthetic"].any()
    # the same file again: nothing new
    c2 = _run(
        capsys, "import", "officers", f, "--workspace", ws_dir, "--map", "Officer number=officer_id"
    )
    assert (c2["inserted"], c2["updated"], c2["duplicates"], c2["rejected"]) == (0, 0, 3, 5)
    assert len(ws.officers()) == 2
    # a corrected row updates, a new one is inserted
    fix = _csv(tmp_path / "fix.csv", [
        {**OFFICERS[0], "name": "Ann Smith"},
        {**OFFICERS[0], "Officer number": "A9"},
    ])  # fmt: skip
    c3 = _run(
        capsys,
        "import",
        "officers",
        fix,
        "--workspace",
        ws_dir,
        "--map",
        "Officer number=officer_id",
    )
    assert (c3["inserted"], c3["updated"], c3["duplicates"], c3["rejected"]) == (1, 1, 0, 0)
    o = ws.officers().set_index("officer_id")
    assert o.loc["A1", "name"] == "Ann Smith" and sorted(o.index) == ["A1", "A2", "A9"]


def test_teams_with_a_vocabulary_file(ws_dir, tmp_path, capsys):
    voc = _csv(tmp_path / "voc.csv", [
        {"field": "kind", "value": "Neighbourhood Team", "maps_to": "neighbourhood"},
        {"field": "kind", "value": "Response", "maps_to": ""},
    ])  # fmt: skip
    rows = [
        {"team_id": "T1", "name": "North NPT", "kind": "Neighbourhood Team", "lpa": "E07000001", "nbh_code": "E05000001"},
        {"team_id": "T2", "name": "South response", "kind": "response", "lpa": "E07000002", "nbh_code": ""},
        {"team_id": "T3", "name": "Odd", "kind": "Traffic", "lpa": "E07000002", "nbh_code": "N9"},
    ]  # fmt: skip
    f = _csv(tmp_path / "teams.csv", rows)
    c = _run(capsys, "import", "teams", f, "--workspace", ws_dir)
    assert (c["inserted"], c["rejected"]) == (0, 3)  # without the vocabulary every kind is unknown
    c = _run(capsys, "import", "teams", f, "--workspace", ws_dir, "--vocabulary", voc)
    assert (c["inserted"], c["rejected"]) == (2, 1)
    assert c["by_reason"] == {
        "unknown kind 'Traffic' (allowed: Response, asb_patrol, gtf, la_patrol, lpa_patrol, neighbourhood)": 1,
        "unknown nbh_code 'N9' (not a neighbourhood of this workspace)": 1,
    }
    t = Workspace(ws_dir).teams().set_index("team_id")
    assert t["kind"].to_dict() == {"T1": "neighbourhood", "T2": "Response"}


def test_intervals_times_and_points(ws_dir, tmp_path):
    duty = _csv(tmp_path / "duty.csv", [
        {"officer_id": "A1", "start": "2024-02-01 22:00", "end": "2024-02-02T07:00"},
        {"officer_id": "A1", "start": "2024-02-03T07:00+00:00", "end": "2024-02-03 06:00"},
        {"officer_id": "A2", "start": "2024-03-31 01:30", "end": "2024-03-31 09:00"},
        {"officer_id": "A2", "start": "someday", "end": "2024-03-31 09:00"},
    ])  # fmt: skip
    c = import_table(ws_dir, "duty_periods", [duty])
    assert (c["read"], c["inserted"], c["rejected"]) == (4, 1, 3)
    assert c["by_reason"] == {
        "end is before start": 1,
        "start '2024-03-31 01:30' does not exist (clocks went forward)": 1,
        "start 'someday' is not a date/time (use ISO 8601 such as 2025-09-29T14:30 or DD/MM/YYYY HH:MM)": 1,
    }
    d = Workspace(ws_dir).read_table("duty_periods")
    assert str(d["start"].dtype) == "datetime64[ns, Europe/London]"
    assert d["start"].iloc[0] == pd.Timestamp("2024-02-01 22:00", tz="Europe/London")
    x, y = ward_centre("E05000003")
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(x, y)
    st = _csv(tmp_path / "stations.csv", [
        {"station_id": "S1", "name": "Central", "kind": "station", "longitude": lon, "latitude": lat, "lpa": "E07000001"},
        {"station_id": "S2", "name": "Lost", "kind": "station", "longitude": 52.6, "latitude": -1.1, "lpa": ""},
    ])  # fmt: skip
    c = import_table(ws_dir, "stations", [st])
    assert (c["inserted"], c["rejected"]) == (1, 1)
    assert c["by_reason"] == {"longitude/latitude outside Great Britain": 1}
    g = Workspace(ws_dir).read_table("stations")
    assert g.crs.to_epsg() == 27700
    assert g.geometry.iloc[0].x == pytest.approx(x, abs=0.01) and g.geometry.iloc[
        0
    ].y == pytest.approx(y, abs=0.01)


def test_crimes_month_replaced_never_doubled_and_today_advances(ws_dir, tmp_path, capsys):
    ws = Workspace(ws_dir)
    assert ws.today.isoformat() == "2024-02-29" and len(ws.crimes(synthetic=None)) == 12
    again = tmp_path / "again"
    write_street(again / "2024-02-x-street.csv", "2024-02", month_points("2024-02"))
    c = _run(capsys, "import", "crimes", again, "--workspace", ws_dir)
    assert (c["read"], c["accepted"], c["rejected"]) == (6, 5, 1)
    assert c["replaced_months"] == ["2024-02"] and c["rows"] == 12
    assert len(ws.crimes(synthetic=None)) == 12
    new = tmp_path / "new"
    pts = month_points("2024-02") + [("Robbery", *ward_centre("E05000006"))]
    write_street(new / "2024-03-x-street.csv", "2024-03", pts)
    c = _run(capsys, "import", "crimes", new, "--workspace", ws_dir)
    assert c["replaced_months"] == [] and c["rows"] == 18 and c["last_month"] == "2024-03"
    got = ws.crimes(synthetic=None)["month"].value_counts().sort_index().to_dict()
    assert got == {"2024-01": 7, "2024-02": 5, "2024-03": 6}
    assert ws.today.isoformat() == "2024-03-31"
    assert ws.meta["series"] == ["2024-01", "2024-03"]


def test_own_tgps_with_asb_flag_then_plans_and_patrol_logs(ws_dir, tmp_path, capsys):
    x1, y1 = ward_centre("E05000001")
    x5, y5 = ward_centre("E05000005")
    layer = gpd.GeoDataFrame(
        {"ref": ["H1", "H2", "H3"]},
        geometry=[box(x1 - 100, y1 - 100, x1 + 100, y1 + 100), box(x5 - 50, y5 - 50, x5 + 50, y5 + 50),
                  box(X0 - 9000, Y0, X0 - 8000, Y0 + 1000)],
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")  # fmt: skip
    lp = tmp_path / "mine.geojson"
    layer.to_file(lp, driver="GeoJSON")
    c = _run(capsys, "import", "tgps", lp, "--workspace", ws_dir, "--asb", "--map", "ref=tgp_id")
    assert (c["read"], c["accepted"], c["rejected"], c["replaced"]) == (3, 2, 1, 0)
    assert c["by_reason"] == {
        "outside force area (the polygon's inner point is not in the force)": 1
    }
    ws = Workspace(ws_dir)
    t = ws.tgps().set_index("tgp_id")
    assert t["kind"].tolist() == ["asb", "asb"] and t["driver"].tolist() == ["asb", "asb"]
    assert t.loc["H1", "wards"] == "E05000001" and t.loc["H2", "lpa"] == "E07000002"
    assert t.loc["H1", "area_m2"] == pytest.approx(40_000, rel=1e-3)
    plans = _csv(tmp_path / "plan.csv", [
        {"visit_id": "V1", "tgp_id": "H1", "team_id": "T1", "method": "gtf", "date": "2024-03-01", "start": "2024-03-01 20:00", "end": "2024-03-01 20:15", "minutes": 15, "crew": 2, "officer_minutes": 30, "band": "20-24", "pinned": "false"},
        {"visit_id": "V2", "tgp_id": "H9", "team_id": "T1", "method": "gtf", "date": "2024-03-01", "start": "2024-03-01 21:00", "end": "2024-03-01 21:15", "minutes": 15, "crew": 2, "officer_minutes": 30, "band": "20-24", "pinned": "false"},
        {"visit_id": "V3", "tgp_id": "H2", "team_id": "T1", "method": "foot", "date": "2024-03-01", "start": "2024-03-01 21:00", "end": "2024-03-01 21:15", "minutes": 15, "crew": 1.5, "officer_minutes": 30, "band": "20-24", "pinned": "false"},
    ])  # fmt: skip
    c = _run(capsys, "import", "plans", plans, "--workspace", ws_dir)
    assert (c["inserted"], c["rejected"]) == (1, 2)
    assert set(c["by_reason"]) == {
        "unknown tgp_id 'H9' (not in the workspace's TGP layer)",
        "unknown method 'foot' (allowed: asb_patrol, gtf, la_patrol, lpa_patrol)",
        "crew '1.5' is not a whole number",
    }
    pv = ws.read_table("plan_visits")
    assert pv["crew"].dtype == "int64" and pv["minutes"].tolist() == [15.0]
    logs = _csv(tmp_path / "logs.csv", [
        {"officer_id": "", "team_id": "T1", "tgp_id": "H1", "start": "2024-03-01 20:00", "end": "2024-03-01 20:20", "method": "gtf", "crew": 2},
    ])  # fmt: skip
    c = _run(capsys, "import", "patrol_logs", logs, "--workspace", ws_dir)
    assert (c["inserted"], c["rejected"]) == (1, 0)
    c = _run(capsys, "import", "patrol_logs", logs, "--workspace", ws_dir)
    assert (c["inserted"], c["duplicates"]) == (0, 1)
    # re-importing the layer replaces it
    c = _run(
        capsys,
        "import",
        "tgps",
        lp,
        "--workspace",
        ws_dir,
        "--driver",
        "violence",
        "--map",
        "ref=tgp_id",
    )
    assert c["replaced"] == 2 and ws.tgps()["kind"].tolist() == ["violent", "violent"]


def test_pings_per_day_replace(ws_dir, tmp_path, capsys):
    x, y = ward_centre("E05000002")

    def pings(day: str, n: int) -> list[dict]:
        return [
            {
                "officer_id": "A1",
                "timestamp": f"{day}T10:{i:02d}:00",
                "easting": x + i,
                "northing": y,
            }
            for i in range(n)
        ]

    f1 = _csv(tmp_path / "p1.csv", pings("2024-02-01", 3) + pings("2024-02-02", 2))
    c = _run(capsys, "import", "pings", f1, "--workspace", ws_dir)
    assert (c["read"], c["accepted"], c["rejected"], c["days"], c["rows"]) == (5, 5, 0, 2, 5)
    f2 = _csv(
        tmp_path / "p2.csv",
        pings("2024-02-02", 4)
        + [{"officer_id": "A1", "timestamp": "bad", "easting": x, "northing": y}],
    )
    c = _run(capsys, "import", "pings", f2, "--workspace", ws_dir)
    assert (c["read"], c["accepted"], c["rejected"]) == (5, 4, 1)
    assert c["replaced_days"] == ["2024-02-02"] and c["rows"] == 7
    p = pd.read_parquet(ws_dir / "pings" / "2024-02.parquet")
    days = p["timestamp"].dt.strftime("%Y-%m-%d").value_counts().to_dict()
    assert days == {"2024-02-01": 3, "2024-02-02": 4}


def test_engagements_with_the_forces_own_categories(ws_dir, tmp_path):
    rows = [
        {"record_id": f"E{i}", "occurred_at": "2024-02-10T10:00", "officer_id": "A1", "ward_code": "E05000001",
         "engagement_type": "meeting", "method": m, "priority_group": g, "minority_group": "none"}
        for i, (m, g) in enumerate([("In person", "Faith community"), ("In person", "residents"), ("Pigeon", "residents")])
    ]  # fmt: skip
    f = _csv(tmp_path / "wmnow.csv", rows)
    plain = import_table(ws_dir, "engagements", [f], ImportOptions())
    assert (plain["read"], plain["inserted"], plain["rejected"]) == (3, 0, 3)
    voc = _csv(tmp_path / "voc.csv", [
        {"field": "method", "value": "In person", "maps_to": "face to face"},
        {"field": "priority_group", "value": "Faith community", "maps_to": "faith groups"},
    ])  # fmt: skip
    c = import_table(ws_dir, "engagements", [f], ImportOptions(vocabulary=voc))
    assert (c["read"], c["inserted"], c["duplicates"], c["rejected"]) == (3, 2, 0, 1)
    rej = pd.read_csv(c["rejects_file"], dtype=str)
    assert rej["method"].tolist() == ["Pigeon"] and rej["reason"].iloc[0].startswith(
        "unknown method 'Pigeon'"
    )
    again = import_table(ws_dir, "engagements", [f], ImportOptions(vocabulary=voc))
    assert (again["inserted"], again["duplicates"], again["rejected"]) == (0, 2, 1)
    from planner.records.store import open_store

    with open_store(workspace=Workspace(ws_dir)) as store:
        e = store.frame("engagements").set_index("record_id")
    assert (
        e.loc["E0", "method"] == "face to face" and e.loc["E0", "priority_group"] == "faith groups"
    )
    assert Workspace(ws_dir).has_table("records_store")
    assert not Workspace(ws_dir).is_synthetic("records_store")

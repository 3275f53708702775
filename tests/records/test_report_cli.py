"""`planner report ...` on constructed stores and the acceptance check on the demo workspace:
the community report names the ward, its team's officers and no other officer, and says
nothing about abstractions."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date

import pandas as pd
import pytest

from planner.cli import main
from planner.records.store import load_reference, open_store
from tests.records.conftest import people_frames
from tests.records.test_analytics import _load


@pytest.fixture
def db(sqlite_store, tmp_path):
    _load(sqlite_store, tmp_path)
    return sqlite_store.url.split("sqlite:///", 1)[1]


def test_community_report_cli_and_errors(db, tmp_path, capsys):
    out = tmp_path / "w1.html"
    args = ["report", "community", "--db", db, "--today", "2025-12-31", "--area", "W1"]
    assert main([*args, "--period", "since July 2025", "--out", str(out)]) == 0
    html = out.read_text()
    assert "Ashby: community report" in html and "<td>Hal</td>" in html
    assert "community report for ward Ashby" in capsys.readouterr().out
    assert main([*args[:-1], "ZZ", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "planner report: error: 'ZZ' is not a ward, neighbourhood, sector or LPA code in the records store"
    ]
    assert main([*args, "--out", str(tmp_path / "w1.docx")]) == 2
    assert "written as .html" in capsys.readouterr().err  # .pdf is the other one
    assert main([*args, "--period", "since 2030-01-01", "--out", str(out)]) == 2


def test_report_tables_cli(db, tmp_path, capsys):
    base = ["--db", db, "--today", "2025-12-31", "--json"]
    assert main(["report", "engagement", "--period", "FY2025", "--level", "lpa", *base]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {r["lpa"]: r["engagements"] for r in rows} == {
        "North": 10,
        "South": 5,
    }  # D3 was in South in May
    assert (
        main(["report", "abstractions", "--period", "2025", "--details", "--officer", "D1", *base])
        == 2
    )
    capsys.readouterr()
    assert (
        main(
            [
                "report",
                "abstractions",
                "--period",
                "2025-01:2025-12",
                "--details",
                "--officer",
                "D1",
                *base,
            ]
        )
        == 0
    )
    assert [r["record_id"] for r in json.loads(capsys.readouterr().out)["rows"]] == ["a2", "a1"]
    assert main(["report", "vacancies", "--period", "2025-02-01:2025-02-28", *base]) == 0
    v = json.loads(capsys.readouterr().out)
    assert [r["ward_code"] for r in v["rows"]] == ["W2", "W3", "W5"]
    assert main(["report", "objectives", "--benchmark", "2025-05", "--period", "2025-10",
                 "--objective", "North=1.5", *base]) == 2  # fmt: skip
    assert "must be in [0, 1)" in capsys.readouterr().err
    assert main(["report", "policy"]) == 0
    assert "Over 12 h up to 40 h: authorised by INSP or above." in capsys.readouterr().out


def test_report_import_cli_reconciles(db, tmp_path, capsys):
    p = tmp_path / "soh.csv"
    p.write_text("month,lpa,wards,compliant\n2025-07,North,3,3\n2025-07,South,x,1\n")
    assert main(["report", "import", "soh", str(p), "--db", db]) == 0
    o = capsys.readouterr()
    assert o.out.strip() == "soh: read 2 = accepted 1 + rejected 1"
    assert pd.read_csv(tmp_path / "soh.rejects.csv")["reason"].tolist() == [
        "wards and compliant must be whole numbers"
    ]
    assert main(["report", "guarantee", "--period", "July 2025", "--db", db, "--today", "2025-12-31",
                 "--json"]) == 0  # fmt: skip
    g = json.loads(capsys.readouterr().out)
    assert [(r["lpa"], r["share"]) for r in g["soh"]] == [("North", 1.0), ("force", 1.0)]


def test_acceptance_community_report_on_the_demo(demo_ws, tmp_path, capsys):
    if not (demo_ws.root / "records.sqlite").exists():
        pytest.skip("the demo workspace has no records store")
    # work on a copy of the store: the prebuilt workspace is read-only
    db = tmp_path / "records.sqlite"
    shutil.copyfile(demo_ws.root / "records.sqlite", db)
    wards = demo_ws.geography().wards
    ward = wards.sort_values("ward_code").iloc[0]
    out = tmp_path / "ward.html"
    args = ["report", "community", "--workspace", str(demo_ws.root), "--db", str(db)]
    assert main([*args, "--area", ward["ward_code"], "--out", str(out)]) == 0
    html = out.read_text()
    text = re.sub(r"<[^>]+>", " ", html)
    assert ward["ward"] in text
    # direct: the team of the ward's neighbourhood, its officers from the people table
    teams = demo_ws.teams()
    team = teams.loc[teams["nbh_code"] == ward["nbh_code"], "team_id"].tolist()
    off = demo_ws.officers()
    mine = off[off["team_id"].isin(team)]
    assert len(mine) > 0
    for name in mine["name"]:
        assert re.search(r"\b" + re.escape(name) + r"\b", text), name
    others = set(off["name"]) - set(mine["name"])
    leaked = [n for n in others if re.search(r"\b" + re.escape(n) + r"\b", text)]
    assert leaked == []
    assert "abstraction" not in html.lower()
    assert "SYNTHETIC" in html
    # no individual records: no record ids or officer ids
    assert not re.search(r"ENG-\d|ABS-\d|OF\d{5}", html)


def test_sector_report_with_sectors_loaded(sqlite_store, tmp_path):
    w = people_frames()["wards"].assign(sector_code=["A", "A", "B", "C", "C"], sector_name="S")
    load_reference(sqlite_store, wards=w)
    _load(sqlite_store, tmp_path)
    url = sqlite_store.url.split("sqlite:///", 1)[1]
    out = tmp_path / "b.html"
    assert main(["report", "community", "--db", url, "--today", "2025-12-31", "--area", "B",
                 "--kind", "sector", "--out", str(out)]) == 0  # fmt: skip
    html = out.read_text()
    assert "Sector in North" in html and "<td>Cat</td>" in html and "<td>Ann</td>" not in html
    with open_store(url) as s:
        assert s.count("ward_sectors") == 5


def test_ward_demand_is_harm_of_the_wards_lsoas(demo_ws):
    from planner.records.neighbourhood import ward_demand

    d = ward_demand(demo_ws, ("2025-07-01", "2025-09-30"))
    geo = demo_ws.geography()
    ward = sorted(geo.wards["ward_code"])[0]
    lsoas = set(geo.lsoas.loc[geo.lsoas["ward_code"] == ward, "lsoa_code"])
    c = demo_ws.crimes(start="2025-07", end="2025-09", columns=["lsoa_code", "harm", "geometry"])
    assert d[ward] == pytest.approx(float(c.loc[c["lsoa_code"].isin(lsoas), "harm"].sum()))
    assert d.sum() == pytest.approx(
        float(c.loc[c["lsoa_code"].isin(set(geo.lsoas["lsoa_code"])), "harm"].sum())
    )


def test_visibility_two_months_side_by_side(demo_ws):
    from planner.records.neighbourhood import last_full_months, visibility_two_months
    from planner.tracking.visibility import workspace_visibility

    assert last_full_months(date(2025, 12, 31)) == ["2025-10", "2025-11"]
    assert last_full_months(date(2026, 1, 1)) == ["2025-11", "2025-12"]
    if not demo_ws.has_table("duty_periods"):
        pytest.skip("the demo workspace has no duty periods")
    got = visibility_two_months(demo_ws, date(2025, 12, 31)).set_index("lpa")
    for mo in ("2025-10", "2025-11"):
        rep = workspace_visibility(demo_ws, mo)
        lpa = rep.by_lpa.set_index("lpa")
        for name in lpa.index:
            for c in ("community_share", "custody_hours", "investigation_hours", "station_hours"):
                assert got.loc[name, f"{c}_{mo}"] == pytest.approx(float(lpa.loc[name, c]))
        assert got.loc["force", f"community_share_{mo}"] == pytest.approx(
            float(rep.force["community_share"])
        )
    assert (got["change"] == got["community_share_2025-11"] - got["community_share_2025-10"]).all()


def _pdf_text(path) -> list[str]:
    """The text runs of a reportlab PDF (ASCII85 + Flate page streams)."""
    import base64
    import zlib

    out = b""
    for s in re.findall(rb"stream\r?\n(.*?)endstream", path.read_bytes(), re.S):
        d = s.strip()
        if d.endswith(b"~>"):
            d = base64.a85decode(d[:-2])
        try:
            out += zlib.decompress(d)
        except zlib.error:
            continue
    return [
        t.decode("latin-1").replace("\\(", "(").replace("\\)", ")")
        for t in re.findall(rb"\((.*?)\) Tj", out)
    ]


def test_community_report_pdf_has_the_same_content(db, tmp_path):
    pdf, html = tmp_path / "w1.pdf", tmp_path / "w1.html"
    args = ["report", "community", "--db", db, "--today", "2025-12-31", "--area", "W1"]
    assert main([*args, "--period", "since July 2025", "--out", str(pdf)]) == 0
    assert main([*args, "--period", "since July 2025", "--out", str(html)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    runs = _pdf_text(pdf)
    assert "Ashby: community report" in runs
    for n in ("Hal", "Ann", "Bob", "Eve"):
        assert n in runs
    for n in ("Cat", "Dan", "Fay", "Gus", "Ivy", "Jo", "Old"):
        assert n not in runs
    text = " ".join(runs)
    assert "abstraction" not in text.lower()
    assert "5 engagements with the community were recorded in Ashby: 0.5 per 1,000" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["training", "--period", "FY2025", "--target-date", "30/11/2025"], "--target-date"),
        (["engagement", "--period", "next Tuesday"], "cannot read the period 'next Tuesday'"),
        (["engagement", "--period", "FY2025", "--today", "soon"], "--today 'soon' is not a date"),
        (["tgps", "--period", "FY2025"], "needs --workspace with a tgps table"),
        (["visibility"], "visibility needs --workspace"),
    ],
)
def test_report_bad_input_is_one_line_exit_2(db, capsys, argv, message):
    extra = [] if argv[0] == "visibility" else ["--db", db]
    assert main(["report", *argv, *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]

"""Issue 18 on constructed records: sectors, areas, team officers, TGP engagement, click-through,
objectives by month, vacancy fills, training trajectories, the abstraction policy, the Guarantee
imports and the community report; each against a direct computation on the same input."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from planner.errors import PlannerError
from planner.records import analytics as an
from planner.records import neighbourhood as nb
from planner.records.forms import record_abstraction, record_abstraction_checked
from planner.records.guarantee import import_table, milestone_status, soh_by_month
from planner.records.policy import DEFAULT_POLICY, AbstractionPolicy, check_abstraction
from planner.records.store import load_reference
from planner.reports.community import build_community_report, render_html
from tests.records.conftest import TODAY, people_frames
from tests.records.test_analytics import ABSTRACTIONS, ENGAGEMENTS, _load

SECTORS = {"W1": "NS-A", "W2": "NS-A", "W3": "NS-B", "W4": "SS-A", "W5": "SS-A"}


def _with_sectors(store):
    w = people_frames()["wards"]
    w = w.assign(
        sector_code=w["ward_code"].map(SECTORS),
        sector_name=w["ward_code"].map(SECTORS) + " sector",
    )
    load_reference(store, wards=w)
    return store


@pytest.fixture
def rec(sqlite_store, tmp_path):
    return _load(_with_sectors(sqlite_store), tmp_path)


# ---- sectors -------------------------------------------------------------------------
def test_sector_level_counts_match_a_direct_grouping(rec):
    got = an.engagement_counts(rec, ("2025-01-01", "2025-12-31"), level="sector")
    # direct: each engagement's team (posting on the day, else the officer's team) -> its wards'
    # sector; officers with no team fall back to the ward's sector
    team_of = {
        "e01": "N-1", "e02": "N-1", "e03": "N-1", "e04": "N-1", "e05": "N-1", "e06": "N-1",
        "e07": "S-1", "e08": "S-1", "e09": "N-2", "e10": "N-2", "e11": "N-2", "e12": "S-1",
        "e13": "N-1", "e14": None, "e15": None,
    }  # fmt: skip
    team_sector = {"N-1": "NS-A", "N-2": "NS-B", "S-1": "SS-A"}
    expect: dict[str, int] = {}
    for rid, _t, _o, ward, _k in ENGAGEMENTS:
        t = team_of[rid]
        s = team_sector[t] if t else SECTORS[ward]
        expect[s] = expect.get(s, 0) + 1
    assert dict(zip(got["sector_code"], got["engagements"])) == expect
    assert got["engagements"].sum() == len(ENGAGEMENTS)


def test_drilldown_includes_sector_level_that_adds_up(rec):
    d = an.engagement_drilldown(rec, ("2025-01-01", "2025-12-31"))
    sec = d[d["level"] == "sector"].groupby("lpa")["engagements"].sum()
    lpa = d[d["level"] == "lpa"].set_index("lpa")["engagements"]
    pd.testing.assert_series_equal(sec, lpa, check_names=False)


def test_no_sector_level_without_sectors(sqlite_store, tmp_path):
    store = _load(sqlite_store, tmp_path)
    d = an.engagement_drilldown(store, ("2025-01-01", "2025-12-31"))
    assert "sector" not in set(d["level"]) and "sector_code" not in d.columns
    s = an.engagement_counts(store, ("2025-01-01", "2025-12-31"), level="sector")
    assert set(s["sector_code"]) == {an.NO_SECTOR}


def test_sector_filter_and_breakdown(rec):
    got = an.engagement_counts(
        rec, ("2025-01-01", "2025-12-31"), level="team", sector="NS-B", by="engagement_type"
    )
    assert got.to_dict("records") == [
        {"lpa": "North", "team_id": "N-2", "school visit": 3, "engagements": 3}
    ]


# ---- areas and officers ----------------------------------------------------------------
def test_resolve_area_each_kind(rec):
    w = nb.resolve_area(rec, "W1")
    assert (w.kind, w.name, w.lpa, w.wards, w.teams) == (
        "ward",
        "Ashby",
        "North",
        ("W1",),
        ("N-1",),
    )
    n = nb.resolve_area(rec, "N-1")
    assert (n.kind, n.name, n.wards, n.teams) == (
        "neighbourhood",
        "North one",
        ("W1", "W2"),
        ("N-1",),
    )
    s = nb.resolve_area(rec, "NS-A")
    assert (s.kind, s.name, s.wards, s.teams) == ("sector", "NS-A sector", ("W1", "W2"), ("N-1",))
    lpa = nb.resolve_area(rec, "south")
    assert (lpa.kind, lpa.code, lpa.wards, lpa.teams) == ("lpa", "South", ("W4", "W5"), ("S-1",))
    with pytest.raises(PlannerError, match="'XX' is not a ward, neighbourhood, sector or LPA"):
        nb.resolve_area(rec, "XX")


def test_team_officers_follow_postings_on_the_day(rec):
    t = nb.team_officers(rec, ["N-1"], TODAY)
    # S1 has no postings (team from the officers table); D0 left W2 in January
    assert list(zip(t["name"], t["role"])) == [
        ("Hal", "SGT"), ("Ann", "DNO"), ("Bob", "DNO"), ("Eve", "PCSO")
    ]  # fmt: skip
    assert list(nb.team_officers(rec, ["N-2"], TODAY)["officer_id"]) == ["D3"]  # P2 left 31 Oct
    assert list(nb.team_officers(rec, ["N-2"], date(2025, 9, 1))["officer_id"]) == ["D3", "P2"]
    assert list(nb.team_officers(rec, ["S-1"], date(2025, 5, 1))["officer_id"]) == [
        "S2", "D3", "P3"
    ]  # fmt: skip


# ---- engagement inside TGPs ---------------------------------------------------------------
def test_engagement_by_tgp_matches_point_in_polygon(rec, tmp_path):
    rng = np.random.default_rng(3)
    lon = -1.9 + rng.uniform(0, 0.02, 40)
    lat = 52.48 + rng.uniform(0, 0.02, 40)
    rows = pd.DataFrame(
        {
            "record_id": [f"g{i}" for i in range(40)],
            "occurred_at": "2025-09-15T10:00",
            "officer_id": "D1",
            "ward_code": "W1",
            "engagement_type": np.where(np.arange(40) % 2, "meeting", "event"),
            "method": "face to face",
            "priority_group": "residents",
            "minority_group": "",
            "longitude": lon,
            "latitude": lat,
        }
    )
    rows.loc[0, ["longitude", "latitude"]] = np.nan
    rows.to_csv(tmp_path / "g.csv", index=False)
    from planner.records.imports import import_engagements

    import_engagements(rec, tmp_path / "g.csv")
    polys = [box(-1.9, 52.48, -1.89, 52.49), box(-1.895, 52.485, -1.885, 52.5), box(0, 0, 0.1, 0.1)]
    tgps = gpd.GeoDataFrame({"tgp_id": ["T1", "T2", "T3"]}, geometry=polys, crs=4326).to_crs(27700)
    got = nb.engagement_by_tgp(rec, tgps, "September 2025", today=TODAY, by="engagement_type")
    for i, poly in enumerate(polys):
        inside = [
            k
            for k in range(1, 40)
            if poly.contains(Point(rows.loc[k, "longitude"], rows.loc[k, "latitude"]))
        ]
        r = got.iloc[i]
        assert r["tgp_id"] == f"T{i + 1}"
        assert r["engagements"] == len(inside)
        assert r.get("meeting", 0) == sum(k % 2 for k in inside)
    assert got.loc[2, "engagements"] == 0


# ---- abstractions ----------------------------------------------------------------------
def test_abstraction_details_are_the_records_behind_the_bar(rec):
    d = nb.abstraction_details(rec, ("2025-01-01", "2025-12-31"), officer_id="D1")
    assert list(d["record_id"]) == ["a2", "a1"]
    assert list(d["hours"]) == [10.0, 8.0]
    assert list(d["authoriser"]) == ["Jo", "Hal"]
    # the bar of abstraction_summary by officer equals the sum of its records
    s = an.abstraction_summary(rec, ("2025-01-01", "2025-12-31"), by="officer")
    bar = s[s["officer_id"] == "D1"]["hours"].iloc[0]
    assert bar == d["hours"].sum()
    auth = nb.abstraction_details(
        rec, ("2025-01-01", "2025-12-31"), officer_id="S1", perspective="authorising"
    )
    assert sorted(auth["record_id"]) == sorted(a[0] for a in ABSTRACTIONS if a[2] == "S1")
    typ = nb.abstraction_details(
        rec, ("2025-01-01", "2025-12-31"), abstraction_type="response cover"
    )
    assert sorted(typ["record_id"]) == ["a1", "a5"]


def test_objectives_by_month_against_direct_sums(rec):
    got = nb.objectives_by_month(
        rec, ("2025-05-01", "2025-05-31"), ("2025-09-01", "2025-10-31"), {"North": 0.5}
    )
    # benchmark May: North (team of D1 = N-1) a1 8 + a2 10; South P3 a3 6
    bw = 31 / 7
    row = got[(got["month"] == "2025-10") & (got["lpa"] == "North")].iloc[0]
    assert row["benchmark_hours_pw"] == pytest.approx(18 / bw)
    assert row["hours_pw"] == pytest.approx((7.5 + 3) / (31 / 7))  # a4 D2, a6 D3 (N-2 North)
    assert row["target_hours_pw"] == pytest.approx(9 / bw)
    assert row["met"] == bool(9 / bw >= (10.5 / (31 / 7)))
    sep = got[(got["month"] == "2025-09") & (got["lpa"] == "North")].iloc[0]
    assert sep["hours_pw"] == 0.0 and sep["met"]
    south = got[(got["month"] == "2025-10") & (got["lpa"] == "South")].iloc[0]
    # a5 P3 (South) 4 h + a7 unknown officer Z9 (no team, no officer LPA) -> (no LPA)
    assert south["hours_pw"] == pytest.approx(4 / (31 / 7))
    assert np.isnan(south["objective"]) and south["met"] is None


# ---- tenure ----------------------------------------------------------------------------
def test_vacancy_fills_and_lat_backfill_flag(rec):
    lat = pd.DataFrame(
        [
            ("L1", "LAT", None, "S-1", pd.Timestamp("2024-01-01"), pd.Timestamp("2025-08-31")),
            ("L1", "DNO", "W5", "S-1", pd.Timestamp("2025-09-01"), pd.NaT),
        ],
        columns=["officer_id", "role", "ward_code", "team_id", "start", "end"],
    )
    load_reference(
        rec,
        officers=pd.DataFrame(
            {"officer_id": ["L1"], "name": ["Lee"], "role": ["DNO"], "team_id": ["S-1"]}
        ),
        postings=lat,
    )
    v = nb.vacancy_fills(rec, ("2025-01-01", "2025-12-31"))
    got = {
        r["ward_code"]: (
            r["vacant_from"],
            r["vacant_to"],
            r["vacant_days"],
            r["filled_by"],
            r["lat_backfill"],
        )
        for r in v.to_dict("records")
    }
    ts = pd.Timestamp
    assert set(got) == {"W2", "W3", "W5"}
    assert got["W2"] == (ts("2025-02-01"), ts("2025-02-28"), 28, "D2", False)
    # W3 had no DNO before D3 moved there from W4 (a DNO posting, not LAT) on 1 July
    assert got["W3"][1:] == (ts("2025-06-30"), 181, "D3", False) and pd.isna(got["W3"][0])
    # the same days dno_vacancies counts
    assert an.dno_vacancies(rec, date(2025, 6, 30))["ward_code"].tolist() == ["W3", "W5"]
    # W5 had no DNO until the LAT officer L1 was posted there on 1 September
    assert got["W5"][2:] == ((ts("2025-08-31") - ts("2025-01-01")).days + 1, "L1", True)
    assert pd.isna(got["W5"][0])
    open_ = nb.vacancy_fills(rec, ("2025-02-10", "2025-02-20"))
    assert open_[["ward_code", "vacant_days", "filled_by"]].to_dict("records") == [
        {"ward_code": "W2", "vacant_days": 11, "filled_by": None},
        {"ward_code": "W3", "vacant_days": 11, "filled_by": None},
        {"ward_code": "W5", "vacant_days": 11, "filled_by": None},
    ]


def test_training_trajectory_against_direct_count(rec, tmp_path):
    pd.DataFrame(
        {
            "officer_id": ["D1", "D2", "P1", "D3", "P3"],
            "course": ["NPP2", "NPP2", "NPP2", "NPP2", "NPP2"],
            "completed_on": ["2025-01-15", "2025-03-10", "2025-03-31", "2025-05-02", "2026-01-05"],
        }
    ).to_csv(tmp_path / "t.csv", index=False)
    assert import_table(rec, tmp_path / "t.csv", "training")["accepted"] == 5
    tgt = nb.TrainingTarget(course="NPP2", target_date=date(2025, 4, 30), roles=("DNO", "PCSO"))
    got = nb.training_trajectory(rec, ("2025-01-01", "2025-04-30"), tgt)
    o, _t, postings, _w = an.people(rec)
    ends = [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]
    done = {"D1": date(2025, 1, 15), "D2": date(2025, 3, 10), "P1": date(2025, 3, 31)}
    for row, d in zip(got.to_dict("records"), ends):
        ids = set(an.in_post(rec, d, roles=("DNO", "PCSO"))["officer_id"])
        assert row["on"] == pd.Timestamp(d)
        assert row["officers"] == len(ids)
        assert row["completed"] == sum(1 for i in ids if i in done and done[i] <= d)
    # the target line: share on 1 January (0 of those in post) rising to 1.0 on 30 April
    assert got["target_share"].iloc[-1] == 1.0
    assert got["target_share"].iloc[0] == pytest.approx(30 / 119)
    assert list(got["on_track"]) == [
        r["share"] >= r["target_share"] for r in got.to_dict("records")
    ]


def test_npp1_share_follows_the_period(rec, tmp_path):
    pd.DataFrame(
        {"officer_id": ["D1", "D2"], "course": "NPP1", "completed_on": ["2025-03-01", "2025-09-01"]}
    ).to_csv(tmp_path / "n.csv", index=False)
    import_table(rec, tmp_path / "n.csv", "training")
    early = an.summary(rec, ("2025-06-01", "2025-06-30"))["npg"]["npp1_completion"]
    late = an.summary(rec, ("2025-12-01", "2025-12-31"))["npg"]["npp1_completion"]
    # direct, June: in post D1 D2 D3 D4 P1 P2 P3; trained by then: D1 (dated), D4 P1 (flag only)
    assert early == round(3 / 7, 4)
    # December: D1 D2 D3 D4 P1 P3 (P2 left); D1, D2 dated, D4 P1 flag
    assert late == round(4 / 6, 4)


# ---- policy ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reason", "hours", "level", "refused"),
    [
        ("response cover", 10, "SGT", None),
        ("response cover", 13, "SGT", "must be authorised by INSP or above, not SGT"),
        ("training", 37.5, "INSP", None),
        ("training", 41, "INSP", "must be authorised by CI or above"),
        ("major incident", 200, "SUPT", None),
        ("major incident", 800, "ACC", "longer than the policy's maximum of 744 hours"),
        ("annual leave", 8, "SGT", "'annual leave' is not an abstraction under the policy"),
        ("lunch", 1, "SGT", "'lunch' is not a reason the policy counts"),
    ],
)
def test_policy_refusals(reason, hours, level, refused):
    chk = check_abstraction(
        DEFAULT_POLICY,
        reason=reason,
        hours=hours,
        authoriser_level=level,
        officer_lpa="North",
        authoriser_lpa="North",
    )
    if refused is None:
        assert chk.ok and chk.warnings == ()
    else:
        assert not chk.ok and any(refused in r for r in chk.refusals)


def test_policy_applied_when_recording(rec):
    base = {
        "officer_id": "D1",
        "destination": "LPA response team",
        "start": "2025-10-10T08:00",
        "now": pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime(),
    }
    with pytest.raises(PlannerError, match="abstraction not saved: an abstraction of 20 hours"):
        record_abstraction(
            rec,
            authorised_by="S1",
            authoriser_level="SGT",
            reason="response cover",
            hours=20,
            **base,
        )
    ok = record_abstraction_checked(
        rec, authorised_by="S1", authoriser_level="SGT", reason="response cover", hours=8, **base
    )
    assert ok.warnings == ()
    # S2 is South's sergeant, D1 is North's: saved with a warning by default, refused if set
    w = record_abstraction_checked(
        rec, authorised_by="S2", authoriser_level="SGT", reason="court", hours=4, **base
    )
    assert w.warnings == ("the authoriser is of South, not the officer's LPA North",)
    strict = AbstractionPolicy(same_lpa="refuse")
    with pytest.raises(PlannerError, match="the authoriser is of South"):
        record_abstraction(
            rec,
            policy=strict,
            authorised_by="S2",
            authoriser_level="SGT",
            reason="court",
            hours=4,
            **base,
        )
    n = rec.count("abstractions")
    assert n == len(ABSTRACTIONS) + 2


# ---- the Guarantee ------------------------------------------------------------------------
def test_soh_import_reconciles_rejects_and_shares(rec, tmp_path):
    p = tmp_path / "soh.csv"
    p.write_text(
        "month,lpa,wards,compliant\n"
        "2025-06,North,3,2\n"
        "2025-06,South,2,2\n"
        "2025-07,North,3,3\n"
        "2025-07,South,2,3\n"  # more compliant than wards
        "2025-13,North,3,3\n"  # no such month
        "2025-06,North,3,3\n"  # duplicate key
    )
    res = import_table(rec, p, "soh")
    assert (res["read"], res["accepted"], res["rejected"]) == (6, 3, 3)
    rej = pd.read_csv(res["rejects_path"])
    assert list(rej["reason"]) == [
        "compliant (3) must be between 0 and wards (2)",
        "month '2025-13' is not YYYY-MM",
        "duplicate of line 2",
    ]
    assert import_table(rec, p, "soh")["accepted"] == 3  # re-import: same rows, updated in place
    assert rec.count("soh_compliance") == 3
    got = soh_by_month(rec, "since June 2025", today=TODAY)
    assert got[["month", "lpa", "compliant", "wards"]].values.tolist() == [
        ["2025-06", "North", 2, 3],
        ["2025-06", "South", 2, 2],
        ["2025-06", "force", 4, 5],
        ["2025-07", "North", 3, 3],
        ["2025-07", "force", 3, 3],
    ]
    assert got["share"].round(4).tolist() == [0.6667, 1.0, 0.8, 1.0, 1.0]


def test_milestone_status(rec, tmp_path):
    p = tmp_path / "m.csv"
    p.write_text(
        "plan,kind,area,milestone,owner,due,done\n"
        "TC North,town-centre,North,meeting,Insp Jo,2025-07-31,2025-07-20\n"
        "TC North,town-centre,North,patrol plan,Insp Jo,2025-10-31,2025-11-05\n"
        "TC North,town-centre,North,review,Insp Jo,2025-11-30,\n"
        "ASB,asb,force,draft plan,Lead,2026-03-31,\n"
        "ASB,asb,force,bad,Lead,31/03/2026,\n"
        "ASB,cctv,force,x,Lead,2026-03-31,\n"
    )
    res = import_table(rec, p, "milestones")
    assert (res["read"], res["accepted"], res["rejected"]) == (6, 4, 2)
    got = milestone_status(rec, date(2025, 12, 1))
    assert list(zip(got["milestone"], got["status"])) == [
        ("meeting", "done"),
        ("patrol plan", "done late"),
        ("review", "overdue"),
        ("draft plan", "due"),
    ]
    # a done date after the day asked is not done yet on that day
    assert list(milestone_status(rec, date(2025, 11, 1))["status"])[:2] == ["done", "overdue"]


def test_import_errors_name_the_file_and_column(rec, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("officer_id,completed_on\nD1,2025-01-01\n")
    with pytest.raises(PlannerError, match=r"t.csv, line 1, field 'course': missing column"):
        import_table(rec, p, "training")
    with pytest.raises(PlannerError, match="no such file"):
        import_table(rec, tmp_path / "none.csv", "soh")


# ---- the community report --------------------------------------------------------------------
def test_community_report_shows_team_and_aggregates_only(rec):
    r = build_community_report(rec, "W1", ("2025-07-01", "2025-12-31"))
    html = render_html(r)
    assert "Ashby: community report" in html
    team = {"Hal", "Ann", "Bob", "Eve"}
    others = {"Cat", "Dan", "Fay", "Gus", "Ivy", "Jo", "Old"}
    for n in team:
        assert f"<td>{n}</td>" in html
    for n in others:
        assert f">{n}<" not in html and f" {n} " not in html
    assert "abstraction" not in html.lower()
    for rid in ("e01", "e02", "D1", "N-1"):
        assert rid not in html
    # engagements in W1 from July: e01 e02 e03 e04 e13
    assert r.engagements == 5
    assert r.per_1000 == pytest.approx(5 / 10_000 * 1000)
    # North: W1 5 + W2 (e05 e06) 2 + W3 (e09 e10 e11) 3 over 40,000 residents
    assert r.lpa_per_1000 == pytest.approx(10 / 40_000 * 1000)
    assert dict(r.breakdowns["By type"]) == {"meeting": "3", "street briefing": "2"}
    assert "SYNTHETIC" not in html  # nothing in this store is synthetic


def test_community_report_escapes_and_labels_synthetic(rec, tmp_path):
    load_reference(
        rec,
        officers=pd.DataFrame(
            {"officer_id": ["X1"], "name": ["<b>Zed</b>"], "role": ["LAT"], "team_id": ["S-1"]}
        ),
        synthetic=True,
    )
    rep = build_community_report(rec, "South", ("2025-07-01", "2025-12-31"))
    html = render_html(rep)
    assert "&lt;b&gt;Zed&lt;/b&gt;" in html and "<b>Zed</b>" not in html
    # the PDF draws the name as written (no markup interpreted)
    from planner.reports.community import render_pdf
    from tests.records.test_report_cli import _pdf_text

    render_pdf(rep, tmp_path / "s.pdf")
    assert "<b>Zed</b>" in _pdf_text(tmp_path / "s.pdf")
    assert "SYNTHETIC DEMO DATA" in html
    assert "Local Area Team officer" in html
    sector = build_community_report(rec, "NS-B", ("2025-07-01", "2025-12-31"))
    assert [o["name"] for t in sector.teams for o in t["officers"]] == ["Cat"]


# ---- gaps above the ward -------------------------------------------------------------------
def test_gaps_by_sector_and_lpa_sum_the_wards(rec):
    p = ("2025-01-01", "2025-12-31")
    demand = pd.Series({"W1": 10.0, "W2": 0.0, "W3": 30.0, "W4": 40.0, "W5": 20.0})
    w = an.engagement_gaps(rec, p, demand=demand)
    s = nb.engagement_gaps_by(rec, p, level="sector", demand=demand)
    # direct: expected = 0.5 pop share + 0.5 demand share of the 15 engagements, summed
    pop = {"W1": 10_000, "W2": 20_000, "W3": 10_000, "W4": 40_000, "W5": 20_000}
    eng = {"W1": 5, "W2": 2, "W3": 3, "W4": 3, "W5": 2}
    for code in ("NS-A", "NS-B", "SS-A"):
        ws_ = [k for k, v in SECTORS.items() if v == code]
        exp = sum(0.5 * pop[k] / 100_000 * 15 + 0.5 * demand[k] / 100 * 15 for k in ws_)
        row = s[s["sector_code"] == code].iloc[0]
        assert row["expected"] == pytest.approx(exp)
        assert row["engagements"] == sum(eng[k] for k in ws_)
        assert row["gap"] == (row["engagements"] / exp < 0.5)
    lpa = nb.engagement_gaps_by(rec, p, level="lpa").set_index("lpa")
    assert lpa.loc["North", "engagements"] == 10 and lpa.loc["South", "engagements"] == 5
    assert lpa.loc["North", "expected"] == pytest.approx(15 * 40_000 / 100_000)
    assert w["engagements"].sum() == s["engagements"].sum() == 15
    with pytest.raises(PlannerError, match="unknown gap level"):
        nb.engagement_gaps_by(rec, p, level="street")


def test_period_choices_in_the_papers_words():
    from planner.records.periods import period_choices

    got = period_choices(date(2025, 10, 8))
    assert {k: str(v) for k, v in got.items()} == {
        "week commencing 29 September 2025": "2025-09-29:2025-10-05",
        "this week": "2025-10-06:2025-10-12",
        "last month": "2025-09-01:2025-09-30",
        "this month": "2025-10-01:2025-10-31",
        "last 28 days": "2025-09-11:2025-10-08",
        "last 90 days": "2025-07-11:2025-10-08",
        "since July 2025": "2025-07-01:2025-10-08",
        "since August 2025": "2025-08-01:2025-10-08",
        "since September 2025": "2025-09-01:2025-10-08",
        "since April 2025": "2025-04-01:2025-10-08",
        "FY2025": "2025-04-01:2026-03-31",
        "FY2024": "2024-04-01:2025-03-31",
    }
    # in February the funding year started the previous April
    assert "since April 2025" in period_choices(date(2026, 2, 3)) and "FY2025" in period_choices(
        date(2026, 2, 3)
    )


def test_summary_neighbourhood_figures(rec, tmp_path):
    (tmp_path / "s.csv").write_text(
        "month,lpa,wards,compliant\n2025-11,North,3,2\n2025-11,South,2,2\n"
    )
    import_table(rec, tmp_path / "s.csv", "soh")
    (tmp_path / "t.csv").write_text("officer_id,course,completed_on\nD1,NPP2,2025-06-01\n")
    import_table(rec, tmp_path / "t.csv", "training")
    out = an.summary(rec, ("2025-01-01", "2025-12-31"))["neighbourhood"]
    # vacancies in 2025: W2 (filled by D2), W3 (filled by D3), W5 (open): none filled from LAT
    assert out["dno_vacancies_in_period"] == 3
    assert out["vacancies_filled_not_from_lat"] == 2
    # NPP2 on 31 Dec: D1 of the in-post D1 D2 D3 D4 P1 P3 (LAT/no-posting roles: none here)
    assert out["npp2_completion"] == round(1 / 6, 4)
    assert out["soh_compliance_last_month"] == {"month": "2025-11", "share": 0.8}
    assert out["milestones_overdue"] == 0

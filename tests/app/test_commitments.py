"""The Commitments and phone recording pages (issue 18): what their state shows equals direct
computations on the records store's tables (pandas and plain Python over the rows, not the
library's functions), on a copy of the demo's records store."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date

import pandas as pd
import pytest

from planner.app.data import AppData
from planner.app.state.commitments import BREAKDOWNS, CommitmentsState
from planner.app.state.neighbourhoods import RecordsState
from planner.errors import AccessDenied, PlannerError


@pytest.fixture(scope="module")
def data(demo_ws):
    d = AppData(demo_ws)
    if not d.has("records_store"):
        pytest.skip("demo workspace lacks the records store")
    return d


@pytest.fixture
def store(data, tmp_path):
    from planner.records import open_store

    shutil.copy(data.ws.table_path("records_store"), tmp_path / "r.sqlite")
    s = open_store(tmp_path / "r.sqlite")
    yield s
    s.close()


# ---- direct computations on the store's tables ---------------------------------------------
def local_day(utc_naive: pd.Series) -> pd.Series:
    t = pd.to_datetime(utc_naive).dt.tz_localize("UTC").dt.tz_convert("Europe/London")
    return pd.Series([x.date() for x in t], index=utc_naive.index)


def in_period(df: pd.DataFrame, col: str, start: date, end: date) -> pd.DataFrame:
    d = local_day(df[col])
    return df[(d >= start) & (d <= end)].assign(day=d[(d >= start) & (d <= end)])


def team_on(store) -> callable:
    """officer_id, day -> (team_id, lpa): the covering posting with the latest start, else the
    officers table's team; the LPA of the team, else of the officer."""
    posts: dict[str, list] = {}
    for r in store.frame("postings").itertuples():
        if isinstance(r.team_id, str):
            posts.setdefault(r.officer_id, []).append(
                (
                    pd.Timestamp(r.start).date(),
                    pd.Timestamp(r.end).date() if pd.notna(r.end) else None,
                    r.team_id,
                )
            )
    off = store.frame("officers").set_index("officer_id")
    team_lpa = store.frame("teams").set_index("team_id")["lpa"].to_dict()

    def f(oid: str, day: date) -> tuple[str | None, str | None]:
        cover = [p for p in posts.get(oid, []) if p[0] <= day and (p[1] is None or day <= p[1])]
        team = max(cover)[2] if cover else off["team_id"].get(oid)
        team = team if isinstance(team, str) else None
        lpa = team_lpa.get(team) if team else None
        return team, lpa if isinstance(lpa, str) else off["lpa"].get(oid)

    return f


def team_sector(store) -> dict[str, str]:
    """Each team's sector: the sector most of its wards are in (ties: the lowest code)."""
    wards = store.frame("wards").set_index("ward_code")["nbh_code"]
    sec = store.frame("ward_sectors").set_index("ward_code")["sector_code"]
    out = {}
    for t in store.frame("teams").itertuples():
        nbh = t.nbh_code if isinstance(t.nbh_code, str) else t.team_id
        c = Counter(sec[w] for w in wards.index[wards == nbh] if w in sec.index)
        if c:
            out[t.team_id] = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return out


def direct_engagements(store, span) -> pd.DataFrame:
    e = in_period(store.frame("engagements"), "occurred_at", span.start, span.end)
    who = team_on(store)
    tl = [who(o, d) for o, d in zip(e["officer_id"], e["day"])]
    e = e.assign(team_id=[t for t, _ in tl], lpa=[lpa for _, lpa in tl])
    sec = team_sector(store)
    return e.assign(sector_code=e["team_id"].map(sec))


def value_map(frame: pd.DataFrame) -> dict[str, float]:
    return dict(zip(frame["key"], frame["value"]))


# ---- engagement ----------------------------------------------------------------------------
def test_engagement_drill_and_breakdowns_equal_direct_counts(data, store):
    st = CommitmentsState(data, store)
    assert st.period.startswith("since ")
    assert any(x.startswith("week commencing ") for x in st.param.period.objects)
    assert any(x.startswith("FY") for x in st.param.period.objects)
    e = direct_engagements(store, st.span)
    drill = st.eng_drill
    # LPA level: bars and every breakdown
    assert value_map(drill.frame()) == e.groupby("lpa").size().astype(float).to_dict()
    for by in BREAKDOWNS:
        st.by = by
        got = st.breakdown().set_index("lpa")
        want = pd.crosstab(e["lpa"], e[by].fillna("(not recorded)"))
        for cat in want.columns:
            assert got[cat].to_dict() == want[cat].to_dict(), (by, cat)
    # down the biggest LPA, its biggest sector, its biggest team
    lpa = drill.frame()["key"].iloc[0]
    drill.drill(lpa)
    assert drill.level == "sector"
    e1 = e[e["lpa"] == lpa]
    assert value_map(drill.frame()) == e1.groupby("sector_code").size().astype(float).to_dict()
    sector = drill.frame()["key"].iloc[0]
    drill.drill(sector)
    e2 = e1[e1["sector_code"] == sector]
    assert value_map(drill.frame()) == e2.groupby("team_id").size().astype(float).to_dict()
    team = drill.frame()["key"].iloc[0]
    drill.drill(team)
    e3 = e2[e2["team_id"] == team]
    assert value_map(drill.frame()) == e3.groupby("officer_id").size().astype(float).to_dict()
    st.by = "minority_group"
    got = st.breakdown().set_index("officer_id")
    want = pd.crosstab(e3["officer_id"], e3["minority_group"].fillna("(not recorded)"))
    assert set(got.index) == set(want.index)
    for cat in want.columns:
        assert got[cat].to_dict() == want[cat].to_dict()
    assert st.breakdown() is st.breakdown()  # memoised per choice, path and version


def test_typed_period_is_offered_and_followed(data, store):
    st = CommitmentsState(data, store)
    label = st.add_period("  since 3  July 2025 ")
    assert label == "since 3 July 2025" and st.period == label
    assert (st.span.start, st.span.end) == (date(2025, 7, 3), data.ws.today)
    e = direct_engagements(store, st.span)
    assert st.eng_drill.frame()["value"].sum() == len(e)
    st.add_period("week commencing 29 September")
    assert (st.span.start, st.span.end) == (date(2025, 9, 29), date(2025, 10, 5))
    n = len(in_period(store.frame("engagements"), "occurred_at", st.span.start, st.span.end))
    assert st.eng_drill.frame()["value"].sum() == n
    with pytest.raises(PlannerError, match="cannot read the period 'next fortnight'"):
        st.add_period("next fortnight")


def test_engagements_inside_tgps_equal_a_point_in_polygon_count(data, store):
    import geopandas as gpd

    if not data.has("tgps"):
        pytest.skip("demo workspace has no TGP layer")
    st = CommitmentsState(data, store)
    st.by = "method"
    got = st.tgp_engagements().set_index("tgp_id")
    e = in_period(store.frame("engagements"), "occurred_at", st.span.start, st.span.end)
    e = e[e["longitude"].notna() & e["latitude"].notna()]
    tgps = data.tgps_bng
    pts = gpd.GeoSeries(gpd.points_from_xy(e["longitude"], e["latitude"]), crs=4326).to_crs(
        tgps.crs
    )
    assert len(got) == len(tgps)
    for tid, poly in zip(tgps["tgp_id"].astype(str), tgps.geometry):
        inside = pts.within(poly).to_numpy()
        assert got.loc[tid, "engagements"] == int(inside.sum()), tid
        by = Counter(e["method"].to_numpy()[inside])
        for m, n in by.items():
            assert got.loc[tid, m] == n
    assert got["engagements"].sum() > 0


def test_gap_map_colours_each_ward_by_its_engagements(data, store):
    pytest.importorskip("panel")
    from planner.app.components.commitments_views import gap_columns

    st = CommitmentsState(data, store)
    wards = data.layer("wards")
    cols = gap_columns(wards, st.ward_gaps())
    e = in_period(store.frame("engagements"), "occurred_at", st.span.start, st.span.end)
    per_ward = e.groupby("ward_code").size()
    assert list(cols["engagements"]) == [
        float(per_ward.get(w, 0)) for w in wards["ward_code"].astype(str)
    ]
    g = st.ward_gaps().set_index("ward_code")
    for w, v, flag in zip(wards["ward_code"], cols["value"], cols["gap"]):
        ratio = g.loc[w, "engagements"] / g.loc[w, "expected"]
        assert v == pytest.approx(ratio)
        assert (flag == "gap") == (ratio < 0.5)
    assert (cols["gap"] == "gap").sum() > 0


# ---- abstractions --------------------------------------------------------------------------
def test_click_on_an_officer_bar_lists_their_abstractions(data, store):
    st = CommitmentsState(data, store)
    a = in_period(store.frame("abstractions"), "start", st.span.start, st.span.end)
    who = team_on(store)
    tl = [who(o, d) for o, d in zip(a["officer_id"], a["day"])]
    a = a.assign(team_id=[t for t, _ in tl], lpa=[lpa for _, lpa in tl])
    drill = st.abs_drill
    assert value_map(drill.frame()) == pytest.approx(a.groupby("lpa")["hours"].sum().to_dict())
    with pytest.raises(ValueError, match="at the officer level"):
        drill.select("OF00001")
    lpa = drill.frame()["key"].iloc[0]
    drill.drill(lpa)
    team = drill.frame()["key"].iloc[0]
    drill.drill(team)
    a2 = a[(a["lpa"] == lpa) & (a["team_id"] == team)]
    assert set(st.abstraction_details()["record_id"]) == set(a2["record_id"])
    bars = drill.frame()
    assert value_map(bars) == pytest.approx(a2.groupby("officer_id")["hours"].sum().to_dict())
    officer = bars["key"].iloc[0]
    drill.select(officer)  # what a tap on the bar does (components.drill.DrillBars)
    assert st.officer == officer
    d = st.abstraction_details()
    mine = a2[a2["officer_id"] == officer]
    assert set(d["record_id"]) == set(mine["record_id"])
    assert d["hours"].sum() == pytest.approx(mine["hours"].sum()) == bars["value"].iloc[0]
    assert list(d["start"]) == sorted(d["start"], reverse=True)
    drill.up()  # a new path: the list is the path's again
    assert st.officer == "" and len(st.abstraction_details()) == (a["lpa"] == lpa).sum()
    by_type = st.abstraction_by_type().set_index("abstraction_type")["hours"]
    assert by_type.to_dict() == pytest.approx(
        a.groupby("abstraction_type")["hours"].sum().to_dict()
    )


def test_recording_questions_long_and_other_lpa_abstractions(data, store):
    pytest.importorskip("panel")
    import panel_material_ui as pmui

    from planner.app.components.forms import record_form

    st = RecordsState(data, store)
    off = store.frame("officers")
    team_lpa = store.frame("teams").set_index("team_id")["lpa"]
    off = off[off["verified"].astype(bool)]
    off = off.assign(lpa=off["team_id"].map(team_lpa).fillna(off["lpa"])).dropna(subset=["lpa"])
    pc = off[off["role"] == "PC"].iloc[0]
    sgt = off[(off["role"] == "SGT") & (off["lpa"] != pc["lpa"])].iloc[0]
    base = {
        "officer_id": pc["officer_id"],
        "authorised_by": sgt["officer_id"],
        "abstraction_type": "response cover",
        "destination": "LPA response",
        "start": f"{data.ws.today} 09:00",
    }
    n0 = len(store.frame("abstractions"))
    with pytest.raises(PlannerError, match="30 hours must be authorised by INSP or above"):
        st.record_abstraction(authoriser_level="SGT", hours=30, **base)
    assert len(store.frame("abstractions")) == n0
    res = st.record_abstraction(authoriser_level="SGT", hours=6, **base)
    assert res.warnings == (
        f"the authoriser is of {sgt['lpa']}, not the officer's LPA {pc['lpa']}",
    )
    assert res.record_id in set(store.frame("abstractions")["record_id"])
    # the form shows it as a warning, not a plain success
    w = {
        k: pmui.TextInput(value=str(v))
        for k, v in {**base, "authoriser_level": "SGT", "hours": "5"}.items()
    }
    card = record_form(w, st.record_abstraction, "abstraction", "t")
    submit = next(o for o in card.objects if isinstance(o, pmui.Button))
    msg = next(o for o in card.objects if isinstance(o, pmui.Alert))
    submit.clicks += 1
    assert msg.severity == "warning" and msg.object.startswith("Saved abstraction ABS-")
    assert f"not the officer's LPA {pc['lpa']}" in msg.object
    w["hours"].value = "30"
    submit.clicks += 1
    assert msg.severity == "error" and "must be authorised by INSP" in msg.object
    assert len(store.frame("abstractions")) == n0 + 2


# ---- scope and the community report --------------------------------------------------------
def test_inspector_sees_aggregates_and_only_their_lpas_officers(data, store):
    from planner.access.roles import Principal

    p = Principal("insp1", "inspector", lpas=("Sandwell",))
    st = CommitmentsState(data, store, principal=p)
    assert "Birmingham" in set(st.eng_drill.frame()["key"])  # LPA aggregates for all
    with pytest.raises(AccessDenied):
        st.eng_drill.drill("Birmingham")
    with pytest.raises(AccessDenied):
        st.breakdown_at(["Birmingham"], "method")
    with pytest.raises(AccessDenied):  # a path sent straight to the state (a model change)
        st.abs_drill.path = ["Birmingham"]
    assert st.abs_drill.path == []
    st.abs_drill.drill("Sandwell")
    assert set(st.abstraction_details()["lpa"]) == {"Sandwell"}
    st.abs_drill.up()
    assert set(st.abstraction_details()["lpa"]) == {"Sandwell"}  # the top: theirs only
    fills = st.vacancy_fills()
    assert set(fills["lpa"]) <= {"Sandwell"}
    # an officer has no Commitments page (their own records are on the Record page)
    with pytest.raises(AccessDenied, match="may not use commitments"):
        CommitmentsState(data, store, principal=Principal("OF00288", "officer"))


def test_community_report_download_is_audited_and_public(data, store):
    from planner.access.audit import read_events
    from planner.access.roles import Principal

    st = CommitmentsState(data, store, principal=Principal("insp1", "inspector", ("Sandwell",)))
    areas = st.areas()
    ward = next(v for k, v in areas.items() if k.startswith("Ward: "))
    name = store.frame("wards").set_index("ward_code").loc[ward, "ward"]
    html = st.report_html(ward)
    assert name in html and "SYNTHETIC" in html.upper()
    assert "abstraction" not in html.lower()
    ev = read_events(store, action="download")
    row = ev.iloc[-1]
    assert (row["user"], row["role"], row["table_name"]) == (
        "insp1",
        "inspector",
        "community_report",
    )
    assert row["detail"] == {"area": ward, "period": st.period}


def test_phone_form_records_minority_group_and_location(data, store):
    st = RecordsState(data, store)
    ward = data.geography.wards["ward_code"].iloc[0]
    officer = data.officers["officer_id"].iloc[0]
    rid = st.save_engagement(
        occurred_at=f"{data.ws.today} 10:00",
        officer_id=officer,
        ward_code=ward,
        engagement_type="street briefing",
        method="face to face",
        priority_group="residents",
        minority_group="black",
        location="High Street",
    )
    e = store.frame("engagements")
    row = e[e["record_id"] == rid].iloc[0]
    assert (row["minority_group"], row["location"]) == ("black", "High Street")


def test_pages_build(data, store):
    pytest.importorskip("panel")
    from planner.app.pages.commitments import CommitmentsPage
    from planner.app.pages.record import RecordPage
    from planner.app.registry import PAGES

    assert {"commitments", "record"} <= {e.slug for e in PAGES}
    url = store.url.split("sqlite:///", 1)[1]
    page = CommitmentsPage(data=data, records_url=url)
    assert page.__panel__() is not None
    rec = RecordPage(data=data, records_url=url)
    col = rec.__panel__()
    assert col.max_width == 390


def test_visibility_is_the_library_table_computed_once_per_workspace(demo_ws, store, monkeypatch):
    """The two-month visibility table does not follow the period: a period change, and
    another session on the same workspace, reuse it."""
    from planner.records import neighbourhood as nb

    direct = nb.visibility_two_months(demo_ws, demo_ws.today)
    calls = []
    real = nb.visibility_two_months
    monkeypatch.setattr(
        nb, "visibility_two_months", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    data = AppData(demo_ws)  # a fresh one: nothing cached yet
    st = CommitmentsState(data=data, store=store)
    first = st.visibility()
    st.period = [x for x in st.param.period.objects if x != st.period][0]
    second = st.visibility()
    other = CommitmentsState(data=data, store=store).visibility()
    pd.testing.assert_frame_equal(first, direct)
    assert second is first and other is first and len(calls) == 1

"""Page states over the demo workspace (plan, delivery, Op Advance, records): the app shows what
the libraries compute, checked against the library functions called directly."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.app.data import AppData
from planner.app.state.advance import AdvanceState
from planner.app.state.common import ALL_LPAS
from planner.app.state.delivery import DeliveryState
from planner.app.state.neighbourhoods import RecordsDrillState, RecordsState
from planner.app.state.plan import PlanState


@pytest.fixture(scope="module")
def data(demo_ws):
    return AppData(demo_ws)


def _need(data, *tables):
    missing = [t for t in tables if not data.has(t)]
    if missing:
        pytest.skip(f"demo workspace lacks {missing}")


def test_delivery_matches_library(data):
    _need(data, "plan_visits", "place_days", "tgps")
    from planner.tracking.delivery import planned_place_days

    st = DeliveryState(data)
    t = st.table()
    today = pd.Timestamp(data.ws.today)
    plan = data.ws.read_table("plan_visits")
    plan = plan[pd.to_datetime(plan["date"]) <= today]
    planned = planned_place_days(plan)["planned_minutes"].sum() / 60.0
    assert t["planned_hours"].sum() == pytest.approx(planned, abs=0.1 * len(t))
    assert t["delivered_pct"].dropna().is_monotonic_increasing
    by = st.by_lpa()
    assert by["planned_hours"].sum() == pytest.approx(planned, abs=1.0)
    st.lpa = "Coventry"
    assert set(st.table()["lpa"]) == {"Coventry"}
    rep = st.report()
    if rep is not None:  # the per-method delivered table: the app shows the library's report
        from planner.tracking.delivery import delivery_report

        lpa_of = data.layer("tgps").set_index("tgp_id")["lpa"]
        ref = delivery_report(
            plan, data.ws.read_table("delivered_place_days"), lpa_of=lpa_of, as_of=data.ws.today
        )
        by = ref.by["tgp_id"].set_index("tgp_id")
        got = st.all_tgps().set_index("tgp_id")
        common = got.index.intersection(by.index)
        assert len(common) > 0
        pd.testing.assert_series_equal(
            got.loc[common, "delivered_hours"], by.loc[common, "delivered_hours"], check_names=False
        )
        assert st.trajectory().summary() == ref.trajectory.summary()
        assert set(st.by_method()["method"]) == set(ref.by["method"]["method"])


def test_plan_week_and_team_tables(data):
    _need(data, "plan_visits")
    st = PlanState(data)
    v = data.ws.read_table("plan_visits")
    assert pd.Timestamp(st.week).day_of_week == 0
    week = st.week_visits()
    d = pd.to_datetime(v["date"])
    w0 = pd.Timestamp(st.week)
    assert len(week) == int(((d >= w0) & (d < w0 + pd.Timedelta(days=7))).sum())
    teams = st.by_team()
    assert teams["visits"].sum() == len(v)
    assert teams["patrol_hours"].sum() == pytest.approx(
        v["minutes"].sum() / 60.0, abs=0.05 * len(teams)
    )
    st.lpa = "Solihull"
    assert st.by_team()["visits"].sum() < len(v)
    assert st.param.lpa.objects[0] == ALL_LPAS


def test_advance_state_calls_library(data):
    _need(data, "crimes_synthetic")
    st = AdvanceState(data, lpa="Walsall")
    b = st.briefing()
    assert b.lpa == "Walsall" and str(b.as_of) == str(data.ws.today)
    assert st.briefing() is b  # memoised for every session
    assert len(b.targets) > 0 and set(b.rates["crime_type"]) >= {"All crime"}


def test_records_drill_and_form(data, tmp_path):
    _need(data, "records_store")
    import shutil

    from planner.records import analytics as ra
    from planner.records import open_store

    shutil.copy(data.ws.table_path("records_store"), tmp_path / "r.sqlite")
    store = open_store(tmp_path / "r.sqlite")
    st = RecordsState(data, store)
    dr = RecordsDrillState(records=st)
    top = dr.frame()
    assert st.counts([]) is st.counts([])  # kept per filters, path and version
    lib = ra.engagement_counts(store, st.period, level="lpa", today=data.ws.today)
    assert top["value"].sum() == lib["engagements"].sum()
    lpa = top["key"].iloc[0]
    dr.drill(lpa)
    teams = dr.frame()
    assert teams["value"].sum() == top["value"].iloc[0]
    # the abstracted and authorising views have the same total
    st.measure = "abstraction hours"
    a = st.total()
    st.perspective = "authorising"
    assert st.total() == pytest.approx(a)
    st.measure = "engagements"
    before = st.total()
    ward = data.geography.wards["ward_code"].iloc[0]
    officer = data.officers["officer_id"].iloc[0]
    v = dr.version
    st.save_engagement(
        occurred_at=f"{data.ws.today} 10:00",
        officer_id=officer,
        ward_code=ward,
        engagement_type="street briefing",
        method="face to face",
        priority_group="residents",
    )
    assert st.total() == before + 1
    assert dr.version > v
    # a saved record bumps the version: the frames are counted afresh, not read from the memo
    kept = st.counts([])
    st.version += 1
    fresh = st.counts([])
    assert fresh is not kept and fresh.equals(kept)


def test_plan_servator_and_exports(data, tmp_path):
    _need(data, "plan_visits", "tgps")
    import icalendar

    from planner.planning.export import briefing_html, ics_text, write_csv
    from planner.planning.servator import plan_servator, sites_from_tgps

    st = PlanState(data, servator_start="2025-12-01", servator_days=5, servator_seed=3)
    ref = plan_servator(sites_from_tgps(data.ws.tgps()), "2025-12-01", 5, seed=3)
    t = st.servator_table()
    assert len(t) == len(ref.deployments) > 0
    assert list(t["site"]) == list(ref.deployments["site_id"])
    assert t["minutes"].sum() == ref.deployments["minutes"].sum()
    assert set(t["date"]) == {f"2025-12-0{i}" for i in range(1, 6)}
    assert (t["assets"].str.count(",") + 1).sum() == ref.deployments[
        ["uniformed", "plain_clothes", "armed", "dogs", "horses"]
    ].to_numpy().sum()
    # exports are the library's own output for the chosen quarter and team
    q = st.param.quarter.objects[0]
    st.quarter = q
    v = data.ws.read_table(f"plan_visits_{q}")
    assert st.visits_csv() == write_csv(v, tmp_path / "v.csv").read_text()
    assert st.visits_csv().count("\n") == len(v) + 1
    team = st.param.team.objects[1]
    st.team = team
    cal = icalendar.Calendar.from_ical(st.team_ics())
    events = list(cal.walk("VEVENT"))
    assert len(events) == int((v["team_id"] == team).sum())
    assert st.team_ics() == ics_text(v, team, synthetic=data.is_synthetic("plan_visits"))
    st.lpa = "Dudley"
    html = st.briefing_html()
    assert "SYNTHETIC" in html and f"week of {st.week}" in html
    week = st.week_visits()
    assert f"{len(week)} visits" in html
    assert html == briefing_html(
        st.visits(),
        data.ws.tgps(),
        start=st.week,
        days=7,
        outline=data.ws.read_table("lpas"),
        synthetic=True,
        title=f"Patrol briefing, Dudley, week of {st.week} ({data.ws.name})",
    )


def test_delivery_visibility_and_tgp_detail(data):
    _need(data, "plan_visits", "tgps", "duty_periods")
    import geopandas as gpd

    from planner.tracking.visibility import workspace_visibility

    st = DeliveryState(data, lpa="Walsall", month="2025-11")
    assert st.param.month.objects == ["2025-10", "2025-11", "2025-12"]
    ref = workspace_visibility(data.ws, "2025-11")
    by = st.visibility_by_lpa().set_index("lpa")
    want = ref.by_lpa.set_index("lpa")
    for c in ("duty_hours", "community_hours", "custody_hours", "investigation_hours"):
        assert by[c].to_dict() == pytest.approx(want[c].round(3).to_dict())
    teams = st.visibility_by_team()
    walsall = set(data.teams.loc[data.teams["lpa"] == "Walsall", "team_id"])
    assert set(teams["team_id"]) == walsall & set(ref.by_team["team_id"])
    assert teams["community_share"].is_monotonic_increasing
    # a tap on the map selects the TGP at that row; the TGP is in the LPA
    assert st.tgp in set(st.per_tgp()["tgp_id"])
    st.select_tgp(2)
    tgp = st.per_tgp()["tgp_id"].iloc[2]
    assert st.tgp == tgp
    s = st.tgp_summary()
    row = st.all_tgps().set_index("tgp_id").loc[tgp]
    assert s["planned_hours"] == round(row["planned_hours"], 1) > 0
    today = pd.Timestamp(data.ws.today)
    plan = data.ws.read_table("plan_visits")
    assert s["planned_visits"] == int(
        ((plan["tgp_id"] == tgp) & (pd.to_datetime(plan["date"]) <= today)).sum()
    )
    # harm trend: brute force spatial join of the crime table on the TGP polygon
    trend = st.tgp_harm_trend()
    assert trend["month"].iloc[-1] == f"{today:%Y-%m}"
    poly = data.ws.tgps().query("tgp_id == @tgp")
    crimes = data.ws.crimes(synthetic=True, start=trend["month"].iloc[-6])
    inside = gpd.sjoin(crimes, poly[["geometry"]], predicate="within")
    inside = inside[inside["month"] <= trend["month"].iloc[-1]]
    per = inside.groupby("month")["harm"].sum()
    got = trend.set_index("month")["harm"].iloc[-6:]
    assert got.to_dict() == pytest.approx(per.reindex(got.index, fill_value=0.0).to_dict())
    assert trend.set_index("month")["crimes"].iloc[-6:].sum() == len(inside) > 0


def test_records_tenure_and_abstraction_form(data, tmp_path):
    _need(data, "records_store")
    import shutil
    from datetime import date

    from planner.records import analytics as ra
    from planner.records import form_options, open_store

    shutil.copy(data.ws.table_path("records_store"), tmp_path / "r.sqlite")
    store = open_store(tmp_path / "r.sqlite")
    st = RecordsState(data, store)
    today = data.ws.today
    base = date(today.year - 1, today.month, today.day)
    assert st.tenure_baseline == base
    assert st.vacancies().equals(ra.dno_vacancies(store, today))
    short = st.short_tenures()
    ref = ra.short_tenures(store, today)
    assert list(short["officer_id"]) == list(ref["officer_id"])
    assert (short["tenure_years"] < 2).all()
    assert st.missing_handovers().equals(ra.missing_handovers(store, since=base, on=today))
    tc = st.tenure_comparison()
    ref = ra.tenure_comparison(store, base, today)
    assert len(tc) == len(ref) and tc["DNO_now"].sum() == ref["DNO_now"].sum()
    assert not tc["same_or_more"].iloc[0] or tc["same_or_more"].all()
    npp = st.npp1_completion()
    assert npp["trained"].sum() == ra.npp1_completion(store, on=today, by="lpa")["trained"].sum()
    # an abstraction recorded through the form shows in the abstraction dashboard at once
    dr = RecordsDrillState(records=st)
    st.measure = "abstraction hours"
    before = st.total()
    lpa_before = dr.frame().set_index("key")["value"]
    opts = form_options(store)
    officer = next(iter(opts["officers"]))
    st.save_abstraction(
        officer_id=officer,
        authorised_by=next(iter(opts["authorisers"])),
        authoriser_level="SGT",
        abstraction_type=opts["abstraction_types"][0],
        destination="response cover, test",
        start=f"{today} 09:00",
        hours=6.5,
    )
    assert st.total() == pytest.approx(before + 6.5)
    after = dr.frame().set_index("key")["value"]
    diff = (after - lpa_before.reindex(after.index, fill_value=0.0)).round(6)
    assert diff[diff != 0].tolist() == [6.5]


def test_hotspots_emerging_and_rederive(data, tmp_path):
    _need(data, "crimes_synthetic", "tgps")
    import geopandas as gpd

    from planner.app.state.hotspots import MapState, TGPDeriveState
    from planner.demo.tgps import COLUMNS, WINDOW
    from planner.hotspots.config import TGPConfig
    from planner.hotspots.coverage import coverage_report
    from planner.hotspots.emerging import emerging_hotspots
    from planner.hotspots.tgps import derive_tgps

    m = MapState(data, start="2025-01", end="2025-12")
    em = m.emerging()
    g = data._grid[0]
    ref = emerging_hotspots(g, data.ws.crimes(synthetic=True, start="2025-01", end="2025-12"))
    want = ref["category"][ref["category"] != "No Pattern Detected"].astype(str)
    assert em["category"].value_counts().to_dict() == want.value_counts().to_dict()
    assert len(em) > 0
    st = TGPDeriveState(data, count=20, area_share=0.01, radius=200.0, min_separation=800.0)
    cfg = TGPConfig(area_share=0.01, n_total=20, n_violent=20, radius=200.0, min_separation=800.0)
    assert st.config() == cfg
    cfgd = TGPConfig()
    crimes = data.ws.crimes(*WINDOW, types=[*cfgd.violent_types, *cfgd.asb_types], columns=COLUMNS)
    geo = data.ws.geography()
    res = derive_tgps(crimes, geo.study_area, geo, cfg)
    got = st.derive().tgps
    assert len(got) == len(res.tgps) == 20
    assert got.geometry.area.sum() == pytest.approx(res.tgps.geometry.area.sum())
    cov = st.coverage()
    rc = coverage_report(res.tgps, crimes, geo.force, geo).table()
    assert cov["tgps"].tolist() == rc["tgps"].tolist()
    assert cov["harm_pct"].tolist() == pytest.approx(rc["harm_pct"].round(2).tolist())
    (tmp_path / "t.gpkg").write_bytes(st.geopackage())
    back = gpd.read_file(tmp_path / "t.gpkg", layer="tgps")
    assert sorted(back["tgp_id"]) == sorted(got["tgp_id"])
    import json

    gj = gpd.GeoDataFrame.from_features(json.loads(st.geojson())["features"])
    assert sorted(gj["tgp_id"]) == sorted(got["tgp_id"])
    x0, y0, x1, y1 = gj.total_bounds  # longitude/latitude of the West Midlands
    assert -2.4 < x0 < x1 < -1.3 and 52.2 < y0 < y1 < 52.8


def test_rederive_over_a_chosen_window(data):
    """Re-deriving over another window uses that window's violence and ASB (against the
    library on the same crimes); a reversed window is refused with a clear error."""
    _need(data, "crimes_synthetic", "tgps")
    from planner.app.state.hotspots import TGPDeriveState
    from planner.demo.tgps import COLUMNS, WINDOW
    from planner.errors import PlannerError
    from planner.hotspots.config import TGPConfig
    from planner.hotspots.coverage import coverage_report
    from planner.hotspots.tgps import derive_tgps

    assert data.tgp_default_window() == WINDOW  # the demo's crimes cover its window
    st = TGPDeriveState(data, count=10, area_share=0.005)
    assert st.window == WINDOW
    st.start, st.end = "2025-01", "2025-12"
    d = TGPConfig()
    crimes = data.ws.crimes(
        "2025-01", "2025-12", types=[*d.violent_types, *d.asb_types], columns=COLUMNS
    )
    assert len(st.crimes()) == len(crimes) > 0
    assert set(st.crimes()["month"].astype(str)) == {f"2025-{m:02d}" for m in range(1, 13)}
    geo = data.ws.geography()
    ref = derive_tgps(crimes, geo.study_area, geo, st.config())
    got = st.derive()
    assert got.summary == ref.summary
    assert sorted(got.tgps["tgp_id"]) == sorted(ref.tgps["tgp_id"])
    rc = coverage_report(ref.tgps, crimes, geo.force, geo).table().round(2)
    assert st.coverage()["offences_pct"].tolist() == rc["offences_pct"].tolist()
    assert data.tgp_crimes("2025-01", "2025-12") is st.crimes()  # read once, shared
    assert st.derive() is got  # the last derivation is kept
    st.start, st.end = "2025-12", "2025-01"
    with pytest.raises(PlannerError, match=r"starts \(2025-12\) after it ends \(2025-01\)"):
        st.derive()


def test_delivery_trend_figure_follows_the_tgp(data):
    """The TGP harm trend is one figure whose data change in place when another TGP is chosen."""
    _need(data, "plan_visits", "place_days", "tgps")
    import numpy as np

    from planner.app.pages.delivery import DeliveryPage

    page = DeliveryPage(data=data)
    fig = page._tgp_trend().object
    source = fig.renderers[0].data_source
    for tgp in sorted(page.state.per_tgp()["tgp_id"])[:2]:
        page.state.tgp = tgp
        want = page.state.tgp_harm_trend()
        assert list(fig.x_range.factors) == list(want["month"]) == list(source.data["x"])
        np.testing.assert_allclose(source.data["harm"], want["harm"].to_numpy(float))
        np.testing.assert_allclose(source.data["crimes"], want["crimes"].to_numpy(float))
    assert page._tgp_trend().object is not fig  # one figure per view, each following the state


def test_delivery_trajectory_is_a_bokeh_figure_of_the_library_trajectory(data):
    """The year-to-date trajectory plots the library's daily series, delivered and target."""
    _need(data, "plan_visits", "place_days", "tgps")
    import numpy as np

    from planner.app.pages.delivery import DeliveryPage

    page = DeliveryPage(data=data)
    tr = page.state.trajectory()
    if tr is None:
        pytest.skip("this workspace has no delivery report")
    pane, alert = page._trajectory()
    fig = pane.object
    # the target is stated in the report's own unit (patrol-hours or officer-hours)
    assert f"{tr.target_hours:,.0f} {tr.unit}" in fig.title.text
    lines = {r.glyph.line_dash == [] and "delivered" or "target": r for r in fig.renderers}
    got = lines["delivered"].data_source.data
    np.testing.assert_array_equal(got["date"], pd.to_datetime(tr.daily["date"]).to_numpy())
    np.testing.assert_allclose(got["cumulative_hours"], tr.daily["cumulative_hours"])
    np.testing.assert_allclose(got["pro_rata_target_hours"], tr.daily["pro_rata_target_hours"])
    assert [i.label["value"] for i in fig.legend[0].items] == [
        "delivered (cumulative)",
        "pro-rata annual target",
    ]
    assert alert.severity == ("error" if tr.alert else "success")

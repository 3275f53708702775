"""The Patrol plan page (planner.app.pages.plan / state.plan) over the demo workspace: the week
calendar, the quarter timetables and the Servator map show the plan tables and the library's
draws, checked against pandas and the library called directly; the page renders."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pandas as pd
import pytest

from planner.app.data import AppData
from planner.app.state.common import ALL_LPAS
from planner.app.state.plan import ALL_TEAMS, PlanState, calendar_lanes

LPA = "Coventry"


@pytest.fixture(scope="module")
def data(demo_ws):
    d = AppData(demo_ws)
    missing = [t for t in ("plan_visits", "tgps") if not d.has(t)]
    if missing:
        pytest.skip(f"demo workspace lacks {missing}")
    return d


@pytest.fixture(scope="module")
def plan(data):
    """The plan read afresh (not through the app's cache) with each visit's LPA."""
    v = data.ws.read_table("plan_visits")
    lpa_of = data.ws.tgps().set_index("tgp_id")["lpa"]
    return v.assign(lpa=v["tgp_id"].map(lpa_of).to_numpy())


def _full_week(plan) -> str:
    """A Monday whose seven days all have visits in the plan."""
    d = pd.to_datetime(plan["date"])
    mondays = d[d.dt.day_of_week == 0].drop_duplicates().sort_values()
    days = set(d.dt.date)
    for m in mondays:
        if all((m + pd.Timedelta(days=i)).date() in days for i in range(7)):
            return str(m.date())
    pytest.skip("no full week in the plan")


def _with_class(root, css: str):
    from bokeh.models import UIElement

    found = [m for m in root.select({"type": UIElement}) if css in (m.css_classes or [])]
    assert found, f"no element with class {css}"
    return found[0] if len(found) == 1 else found


def test_calendar_lanes_constructed():
    # equal lengths (10 h): day 0 in start order [0,10] [1,11] [1,11] [11,21] [12,22] [21,31];
    # at most 3 run at once, so lanes deal round-robin over 3; day 1 has one block
    day = np.array([0, 0, 0, 0, 1, 0, 0])
    start = np.array([0.0, 1.0, 11.0, 12.0, 0.0, 1.0, 21.0])
    end = start + 10.0
    assert calendar_lanes(day, start, end).tolist() == [0, 1, 0, 1, 0, 2, 2]
    assert calendar_lanes(np.zeros(0), np.zeros(0), np.zeros(0)).tolist() == []
    # brute force on random equal-length blocks: overlapping blocks never share a lane
    rng = np.random.default_rng(1)
    day = rng.integers(0, 7, 400)
    start = rng.integers(0, 23 * 60, 400) / 60.0
    end = start + 0.25
    lane = calendar_lanes(day, start, end)
    same_day = day[:, None] == day[None, :]
    overlap = same_day & (start[:, None] < end[None, :]) & (start[None, :] < end[:, None])
    np.fill_diagonal(overlap, False)
    assert overlap.any() and not (overlap & (lane[:, None] == lane[None, :])).any()


def test_calendar_blocks_are_the_weeks_visits(data, plan):
    week = _full_week(plan)
    st = PlanState(data, lpa=LPA, week=week)
    b = st.calendar_blocks()
    w0 = pd.Timestamp(week)
    d = pd.to_datetime(plan["date"])
    ref = plan[(plan["lpa"] == LPA) & (d >= w0) & (d < w0 + pd.Timedelta(days=7))]
    assert len(ref) > 0 and len(b) == len(ref)
    ref = ref.set_index("visit_id").loc[b["visit_id"]]
    start = ref["start"].dt.tz_convert("Europe/London")
    end = ref["end"].dt.tz_convert("Europe/London")
    np.testing.assert_array_equal(b["day"], (pd.to_datetime(ref["date"]) - w0).dt.days)
    np.testing.assert_allclose(b["start_h"], start.dt.hour + start.dt.minute / 60.0)
    np.testing.assert_allclose(
        b["end_h"],
        np.minimum(end.dt.hour + end.dt.minute / 60.0 + 24.0 * (end.dt.day != start.dt.day), 24),
    )
    for c in ("tgp_id", "team_id", "method"):
        assert b[c].tolist() == ref[c].astype(str).tolist()
    assert b["crew"].tolist() == ref["crew"].tolist()
    assert b["key"].tolist() == b["method"].tolist()
    assert (
        b["time"]
        == start.dt.strftime("%H:%M").to_numpy() + "-" + end.dt.strftime("%H:%M").to_numpy()
    ).all()
    # blocks stay inside their day column, and overlapping blocks of a day never share a lane
    assert ((b["left"] >= b["day"]) & (b["right"] <= b["day"] + 1) & (b["left"] < b["right"])).all()
    for _, g in b.groupby("day"):
        s = np.rint(g["start_h"].to_numpy() * 3600)
        e = np.rint(g["end_h"].to_numpy() * 3600)
        lane = g["lane"].to_numpy()
        overlap = (s[:, None] < e[None, :]) & (s[None, :] < e[:, None])
        np.fill_diagonal(overlap, False)
        assert not (overlap & (lane[:, None] == lane[None, :])).any()
        assert (g["lanes"] == lane.max() + 1).all()
    assert st.day_labels()[0] == w0.strftime("%a %d %b")

    team = ref["team_id"].value_counts().index[0]
    st.calendar_team = team
    st.colour_by = "team"
    t = st.calendar_blocks()
    assert sorted(t["visit_id"]) == sorted(ref.index[ref["team_id"] == team])
    assert set(t["key"]) == {team}
    # the LPA's teams are the choices; another LPA resets a team it does not have
    assert team in st.param.calendar_team.objects
    st.lpa = ALL_LPAS
    assert (
        len(st.calendar_blocks())
        == ((d >= w0) & (d < w0 + pd.Timedelta(days=7)) & (plan["team_id"] == team)).sum()
    )


def test_tgp_and_team_timetables(data):
    st = PlanState(data, lpa=LPA)
    q = st.quarter
    assert q is not None
    v = data.ws.read_table(f"plan_visits_{q}")
    lpa_of = data.ws.tgps().set_index("tgp_id")["lpa"]
    in_lpa = v[v["tgp_id"].map(lpa_of) == LPA]
    assert st.param.tgp.objects == sorted(in_lpa["tgp_id"].unique())
    tgp = in_lpa["tgp_id"].value_counts().index[0]
    st.tgp = tgp
    tt = st.tgp_timetable()
    ref = v[v["tgp_id"] == tgp].sort_values(["start", "visit_id"])
    assert len(tt) == len(ref) > 0
    assert tt["start"].tolist() == ref["start"].dt.strftime("%H:%M").tolist()
    assert tt["end"].tolist() == ref["end"].dt.strftime("%H:%M").tolist()
    assert tt["date"].tolist() == pd.to_datetime(ref["date"]).dt.strftime("%a %Y-%m-%d").tolist()
    for c in ("team_id", "method", "crew"):
        assert tt[c].tolist() == ref[c].tolist()

    tot = st.tgp_totals().set_index("team_id")
    assert tot.loc[ALL_TEAMS, "visits"] == len(ref)
    assert tot.loc[ALL_TEAMS, "patrol_hours"] == round(ref["minutes"].sum() / 60, 2)
    per = ref.groupby("team_id").agg(
        n=("visit_id", "size"), m=("minutes", "sum"), o=("officer_minutes", "sum")
    )
    assert tot.drop(ALL_TEAMS).index.tolist() == per.index.tolist()
    assert tot.drop(ALL_TEAMS)["visits"].tolist() == per["n"].tolist()
    np.testing.assert_allclose(tot.drop(ALL_TEAMS)["patrol_hours"], (per["m"] / 60).round(2))
    np.testing.assert_allclose(tot.drop(ALL_TEAMS)["officer_hours"], (per["o"] / 60).round(2))

    team = in_lpa["team_id"].value_counts().index[0]
    st.team = team
    ref_t = in_lpa[in_lpa["team_id"] == team].sort_values(["start", "visit_id"])
    tt = st.team_timetable()
    assert tt["tgp_id"].tolist() == ref_t["tgp_id"].tolist()
    assert tt["start"].tolist() == ref_t["start"].dt.strftime("%H:%M").tolist()
    tot = st.team_totals().set_index("tgp_id")
    assert tot.loc["All TGPs", "visits"] == len(ref_t)
    assert tot.drop("All TGPs")["visits"].to_dict() == ref_t.groupby("tgp_id").size().to_dict()


def test_servator_map_sites_and_exports(data):
    import icalendar

    from planner.planning.servator import ASSETS, plan_servator, sites_from_tgps

    st = PlanState(data, servator_start="2025-11-03", servator_days=9, servator_seed=4)
    tgps = data.ws.tgps()
    ref = plan_servator(sites_from_tgps(tgps), "2025-11-03", 9, seed=4).deployments
    s = st.servator_sites().set_index("site_id")
    g = ref.groupby("site_id")
    assert s["deployments"].to_dict() == g.size().to_dict()
    np.testing.assert_allclose(s["hours"], (g["minutes"].sum() / 60).loc[s.index])
    for a in ASSETS:
        assert s[a].to_dict() == g[a].sum().to_dict()
    cen = tgps.set_index("tgp_id").geometry.centroid.to_crs(3857).loc[s.index]
    np.testing.assert_allclose(s["x"], cen.x)
    np.testing.assert_allclose(s["y"], cen.y)
    assert s["lpa"].to_dict() == tgps.set_index("tgp_id")["lpa"].loc[s.index].to_dict()

    back = pd.read_csv(StringIO(st.servator_csv()))
    assert back["deployment_id"].tolist() == ref["deployment_id"].tolist()
    assert back["site_id"].tolist() == ref["site_id"].tolist()
    assert back["date"].tolist() == ref["date"].astype(str).tolist()
    assert back["minutes"].tolist() == ref["minutes"].tolist()
    for c in ("start", "end"):
        assert (pd.to_datetime(back[c], utc=True) == ref[c].dt.tz_convert("UTC")).all()
    for a in ASSETS:
        assert back[a].tolist() == ref[a].tolist()

    cal = icalendar.Calendar.from_ical(st.servator_ics())
    assert len(cal.walk("VEVENT")) == len(ref)
    syn = data.is_synthetic("tgps")
    assert ("SYNTHETIC" in str(cal["X-WR-CALNAME"])) == syn
    assert st.servator_filename("csv") == (
        f"servator_2025-11-03_9d_seed4{'_SYNTHETIC' if syn else ''}.csv"
    )


def test_page_renders_and_updates_in_place(data):
    import bokeh.document
    import panel as pn
    from bokeh.models import Plot

    from planner.app.pages.plan import PlanPage

    page = PlanPage(data=data)
    root = pn.panel(page.__panel__()).get_root(bokeh.document.Document())
    plots = list(root.select({"type": Plot}))
    assert [p.title.text.split(",")[0] for p in plots] == ["Planned visits"]
    assert page.calendar_figure in plots
    assert page.calendar_figure in _with_class(root, "plan-calendar").select({"type": Plot})
    src = page.calendar_source
    st = page.state
    week = _full_week(data.ws.read_table("plan_visits"))
    st.week = week
    assert page.calendar_source is src
    assert list(src.data["left"]) == st.calendar_blocks()["left"].tolist()
    assert week in page.calendar_figure.title.text
    assert page.calendar_caption.object == page.calendar_figure.title.text
    assert page.calendar_figure.xaxis[0].major_label_overrides[0.5] == pd.Timestamp(week).strftime(
        "%a %d %b"
    )
    if st.synthetic:
        assert "SYNTHETIC" in page.calendar_figure.title.text

    page.tabs.active = 2  # Op Servator: built and rendered on demand
    plots = list(root.select({"type": Plot}))
    assert page.servator_figure in plots and page.calendar_figure not in plots
    assert page.servator_figure in _with_class(root, "servator-map").select({"type": Plot})
    assert len(_with_class(root, "servator-export")) == 2
    n = len(page.sites_source.data["site_id"])
    assert n == st.servator().deployments["site_id"].nunique()
    st.servator_seed += 1
    assert (
        list(page.sites_source.data["deployments"]) == st.servator_sites()["deployments"].tolist()
    )


def test_app_serves_this_page(data):
    from planner.app.pages.plan import PlanPage
    from planner.app.registry import build_page

    assert type(build_page("plan", data)) is PlanPage

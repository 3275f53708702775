"""Issue 17 app defects that do not need a browser, each checked with exact values.

Browser behaviour (a save right after typing, ``?page=`` links, the re-derived layer on the map,
tables inside the page) is in ``test_browser_issue17.py``.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from planner.app.components.forms import FormSubmitter, submission_key
from planner.app.components.tables import html_table, percent_columns
from planner.app.data import AppData
from planner.app.state.hotspots import CrimeDrillState, MapState, TGPDeriveState
from planner.errors import PlannerError


@pytest.fixture(scope="module")
def data(small_ws):
    return AppData(small_ws)


@pytest.fixture(scope="module")
def demo(demo_ws):
    return AppData(demo_ws)


# ---- forms: confirmation and duplicates ----------------------------------------------------------
def test_form_confirms_every_save_and_refuses_an_identical_resubmission():
    stored = []

    def save(**v):
        if v["hours"] <= 0:
            raise PlannerError("hours: must be positive")
        stored.append(v)
        return f"ABS-{len(stored)}"

    f = FormSubmitter(save, "abstraction")
    when = dt.datetime(2025, 12, 1, 9, 0, 12)
    values = {"officer_id": "OF1", "hours": 8.0, "destination": "LPA response", "start": when}
    assert f.submit(values) == ("success", "Saved abstraction ABS-1.")
    # the same submission again (a user who saw no confirmation): refused, nothing stored
    again = {**values, "destination": "  lpa  Response ", "start": when.replace(second=40)}
    sev, msg = f.submit(again)
    assert sev == "warning" and "identical to abstraction ABS-1" in msg and "duplicate" in msg
    assert len(stored) == 1
    # one field changed: a new record
    assert f.submit({**values, "hours": 6}) == ("success", "Saved abstraction ABS-2.")
    assert f.submit({**values, "hours": 0}) == ("error", "hours: must be positive")
    assert len(stored) == 2


def test_form_duplicate_hook_sees_records_of_other_sessions():
    seen = []

    def find(**v):
        seen.append(v)
        return "ENG-7" if v["location"] == "High St" else None

    f = FormSubmitter(lambda **v: "ENG-8", "engagement", find_duplicate=find)
    sev, msg = f.submit({"location": "High St"})
    assert sev == "warning" and "engagement ENG-7" in msg
    assert f.submit({"location": "Low St"}) == ("success", "Saved engagement ENG-8.")
    assert seen == [{"location": "High St"}, {"location": "Low St"}]


def test_submission_key_normalises_text_numbers_and_minutes():
    a = submission_key({"b": "  A  b ", "n": 8, "t": dt.datetime(2025, 1, 1, 9, 0, 5)})
    b = submission_key({"n": 8.0, "t": dt.datetime(2025, 1, 1, 9, 0, 55), "b": "a B"})
    assert a == b == (("b", "a b"), ("n", 8.0), ("t", "2025-01-01T09:00:00"))
    assert submission_key({"n": 8}) != submission_key({"n": 8.25})


def test_form_saves_on_the_next_tick_of_a_served_session(monkeypatch):
    """In a served session the click only schedules the save: the page is changed on the
    next tick, under the document lock (a click with a field's pending change is handled by
    Panel outside the lock, and a change then raised "_pending_writes should be non-None")."""
    import panel as pn
    import panel_material_ui as pmui

    from planner.app.components.forms import record_form

    class Ctx:
        destroyed = False

    class Doc:
        session_context = Ctx()

        def __init__(self):
            self.ticks = []

        def add_next_tick_callback(self, cb):
            self.ticks.append(cb)

    doc = Doc()
    stored = []
    hours = pmui.FloatInput(value=8.0)
    card = record_form({"hours": hours}, lambda **v: stored.append(v) or 1, "abstraction", "abs")
    submit, msg = card.objects[1], card.objects[2]
    hours.value = 5.0
    with monkeypatch.context() as m:
        m.setattr(type(pn.state), "curdoc", property(lambda _s: doc))
        submit.clicks += 1
    assert stored == [] and msg.visible is False and len(doc.ticks) == 1
    doc.ticks.pop()()
    assert stored == [{"hours": 5.0}]
    assert (msg.severity, msg.object, msg.visible) == ("success", "Saved abstraction 1.", True)


# ---- closed tabs ---------------------------------------------------------------------------------
def test_a_destroyed_document_counts_as_gone():
    from bokeh.document import Document

    from planner.app.components.background import session_gone

    doc = Document()
    assert session_gone(doc) is False  # never served (a notebook, a test)
    doc.callbacks.destroy()  # what Document.destroy does, with the session context dropped
    assert session_gone(doc) is True


# ---- hotspots page -------------------------------------------------------------------------------
def test_drill_down_follows_the_lpa_selector(data):
    st = MapState(data)
    dr = CrimeDrillState(map=st)
    assert dr.path == [] and dr.level == "LPA"
    st.lpa = "Walsall"
    assert dr.path == ["Walsall"] and dr.level == "neighbourhood"
    s, e = st.period
    ref = data.area_totals("neighbourhoods", s, e, st.crime_types, st.measure, lpa="Walsall")
    f = dr.frame()
    assert sorted(f["key"]) == sorted(ref["nbh_code"].astype(str))
    assert f["value"].sum() == ref["value"].sum()
    st.lpa = st.param.lpa.objects[0]  # All LPAs
    assert dr.path == [] and dr.level == "LPA"


def test_drill_hover_names_the_level_shown(data):
    from bokeh.models import HoverTool

    from planner.app.components.drill import DrillBars

    st = MapState(data)
    dr = CrimeDrillState(map=st)
    bars = DrillBars(state=dr, title="Drill down", ylabel="crimes")

    def tips():
        return [t.tooltips for t in bars._fig.tools if isinstance(t, HoverTool)]

    assert tips() == [[("LPA", "@label"), ("crimes", "@value{0,0}")]]
    dr.drill(str(dr.frame()["key"].iloc[0]))
    assert tips() == [[("neighbourhood", "@label"), ("crimes", "@value{0,0}")]]
    bars.ylabel = "harm"
    assert tips() == [[("neighbourhood", "@label"), ("harm", "@value{0,0}")]]
    dr.up()
    assert tips() == [[("LPA", "@label"), ("harm", "@value{0,0}")]]


def test_out_of_range_value_is_a_message_not_a_traceback(data):
    from planner.app.pages.hotspots import out_of_range

    st = TGPDeriveState(data)
    labels = {"radius": "Radius (m)"}
    assert out_of_range(st, {"radius": 1500.0}, labels) == (
        "Radius (m) 1500 is out of range: 25 to 1000."
    )
    assert out_of_range(st, {"radius": 10}, labels) == "Radius (m) 10 is out of range: 25 to 1000."
    assert out_of_range(st, {"radius": None}, labels) == "Radius (m) is empty."
    assert out_of_range(st, {"radius": 1000.0, "count": 84}, labels) is None
    assert st.radius == TGPDeriveState.param.radius.default  # the state was not touched


def test_harm_table_has_whole_numbers(demo):
    st = MapState(demo, measure="harm")
    t = st.table()
    s, e = st.period
    ref = demo.area_totals("wards", s, e, st.crime_types, "harm")
    assert (ref["value"] != ref["value"].round(0)).any()  # the library's sums have decimals
    assert t["harm"].sum() == pytest.approx(ref["value"].round(0).sum())
    assert (t["harm"] == t["harm"].round(0)).all()
    text = html_table(t)
    assert ".00<" not in text and ".5<" not in text


def _map(data, **kw):
    from planner.app.components.hotspot_map import HotspotMap

    return HotspotMap(state=MapState(data, **kw))


def test_colour_bars_plain_numbers_and_a_legend_for_each_surface(data):
    from bokeh.models import ColorBar, NumeralTickFormatter

    m = _map(data)
    bars = [r for r in m.fig.right if isinstance(r, ColorBar)]
    assert len(bars) == 3  # areas, KDE, Gi*
    assert all(isinstance(b.formatter, NumeralTickFormatter) for b in bars)
    assert {b.formatter.format for b in bars} == {"0,0.[00]"}
    assert [b.visible for b in bars] == [True, False, False]
    m.state.surface = "Gi*"
    gi = m._cell_bars["Gi*"]
    assert gi.visible and not m._cell_bars["KDE"].visible
    assert gi.title.startswith("Gi* z-score")
    assert gi.color_mapper is m._cells["Gi*"][1]
    m.state.surface = "KDE"
    assert m._cell_bars["KDE"].visible and not gi.visible
    m.state.surface = "none"
    assert not m._cell_bars["KDE"].visible and not gi.visible


def test_map_hover_follows_the_measure(data):
    from bokeh.models import HoverTool

    m = _map(data)
    hover = [t for t in m.fig.tools if isinstance(t, HoverTool) and m._areas in t.renderers][0]
    assert hover.tooltips[-1] == ("crimes", "@value{0,0}")
    m.state.measure = "harm"
    assert hover.tooltips[-1] == ("harm", "@value{0,0}")


def test_rederived_layer_replaces_the_map_tgps(data):
    m = _map(data)
    assert m._tgps is None  # the small workspace has no TGP layer
    t = gpd.GeoDataFrame(
        {"tgp_id": ["TGP-001", "TGP-002"], "driver": ["violence", "asb"], "lpa": ["A", "B"]},
        geometry=[box(400000, 280000, 400300, 280300), box(401000, 281000, 401200, 281200)],
        crs=27700,
    )
    m.state.show_tgps = False
    m.show_tgp_layer(t)
    d = m._tgps.data_source.data
    assert d["tgp_id"] == ["TGP-001", "TGP-002"] and d["lpa"] == ["A", "B"]
    w = t.to_crs(3857)
    assert np.allclose(min(d["xs"][0][0][0]), w.geometry.iloc[0].bounds[0], atol=0.1)
    assert m._tgps.visible and m.state.show_tgps
    m.show_tgp_layer(t.iloc[[1]])  # a second re-derive replaces, not adds
    assert m._tgps.data_source.data["tgp_id"] == ["TGP-002"]
    assert len([r for r in m.fig.renderers if r.name == "tgps"]) == 1


# ---- other pages ---------------------------------------------------------------------------------
def test_percent_columns_one_unit():
    df = pd.DataFrame(
        {
            "method": ["gtf", "asb"],
            "delivery_rate": [0.5123, 0.47],
            "delivered_pct": [51.2, 47.0],
            "community_share": [0.25, 1.0],
            "custody_share_of_gap": [0.363, 0.0],
            "met": [True, False],
            "planned_hours": [10.0, 20.0],
        }
    )
    out = percent_columns(df)
    assert list(out.columns) == [
        "method",
        "delivery_rate %",
        "delivered %",
        "community_share %",
        "custody_share_of_gap %",
        "met",
        "planned_hours",
    ]
    assert out["delivery_rate %"].tolist() == [51.2, 47.0]
    assert out["community_share %"].tolist() == [25.0, 100.0]
    assert out["custody_share_of_gap %"].tolist() == [36.3, 0.0]
    assert out["met"].tolist() == [True, False] and out["planned_hours"].tolist() == [10.0, 20.0]
    assert df["delivery_rate"].tolist() == [0.5123, 0.47]  # input untouched
    assert percent_columns(None) is None


def test_briefing_filename_has_lpa_date_and_synthetic_tag():
    from planner.app.pages.advance import briefing_filename

    assert (
        briefing_filename("Coventry", "2025-12-31", True)
        == "op_advance_Coventry_2025-12-31_SYNTHETIC.html"
    )
    assert (
        briefing_filename("Sandwell & Dudley", "2025-12-31", False)
        == "op_advance_Sandwell_Dudley_2025-12-31.html"
    )


def test_week_table_sorted_monday_to_sunday(demo):
    from planner.app.state.plan import PlanState

    if not demo.has("plan_visits"):
        pytest.skip("demo workspace lacks plan_visits")
    st = PlanState(demo)
    week = st.week_visits()
    v = demo.ws.read_table("plan_visits")
    d = pd.to_datetime(v["date"])
    w0 = pd.Timestamp(st.week)
    inside = v[(d >= w0) & (d < w0 + pd.Timedelta(days=7))]
    ref = sorted(
        zip(pd.to_datetime(inside["date"]), inside["start"].dt.strftime("%H:%M"), strict=True)
    )
    got_days = list(week["day"])
    assert got_days == [x.strftime("%a %d %b") for x, _ in ref]
    assert list(week["start"]) == [s for _, s in ref]
    # the day names in calendar order: Mon first, each day once as a run
    runs = [k for i, k in enumerate(got_days) if i == 0 or got_days[i - 1] != k]
    assert runs == [x for x in st.day_labels() if x in set(got_days)]


def test_advance_briefing_names_its_source_and_download(demo):
    from planner.app.pages.advance import AdvancePage

    page = AdvancePage(data=demo)
    br = page.state.briefing()
    html = br.html()
    assert "Source: ." not in html
    assert f"Source: workspace {demo.ws.root}" in html
    view = page.__panel__()
    (download,) = [o for o in view.select() if type(o).__name__ == "FileDownload"]
    assert download.filename == f"op_advance_{page.state.lpa}_{page.state.as_of}_SYNTHETIC.html"
    page.state.lpa = "Solihull"
    assert download.filename == f"op_advance_Solihull_{page.state.as_of}_SYNTHETIC.html"

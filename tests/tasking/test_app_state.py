"""The Tasking page's state on the demo: sections by capability, the library's frames, refusals
enforced in the data layer (not by hiding widgets), every view of nominals audited."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from planner.access.audit import read_events
from planner.access.roles import Principal
from planner.app.data import AppData
from planner.app.registry import build_page
from planner.app.state.tasking import TaskingState
from planner.errors import AccessDenied, PlannerError
from planner.records import open_store
from planner.tasking.meetings import tasking_items
from planner.tasking.people import rank_by_harm


@pytest.fixture(scope="module")
def data(demo_ws, tmp_path_factory):
    """The demo with the targeting step; for a prebuilt workspace without it, a mirror (its own
    store, workspace.json and records folder; the rest linked) with the step run on it - a
    shared prebuilt workspace is never written to."""
    import numpy as np

    from planner.demo import STEPS
    from planner.demo import targeting as step
    from planner.workspace import Workspace

    if demo_ws.has_table("targeting_nominals"):
        return AppData(demo_ws)
    root = tmp_path_factory.mktemp("targeting_ws") / "ws"
    root.mkdir()
    for item in demo_ws.root.iterdir():
        if item.name in ("records.sqlite", "workspace.json"):
            shutil.copyfile(item, root / item.name)
        elif item.name == "records" and item.is_dir():
            (root / "records").mkdir()
            for sub in item.iterdir():
                (root / "records" / sub.name).symlink_to(sub)
        elif not item.name.startswith("records.sqlite"):
            (root / item.name).symlink_to(item)
    ws = Workspace(root)
    i = [n for n, _ in STEPS].index("targeting")
    step.step(ws, np.random.default_rng([ws.meta["seed"], i]))
    return AppData(Workspace(root))


@pytest.fixture
def store(data, tmp_path):
    shutil.copy(data.ws.table_path("records_store"), tmp_path / "r.sqlite")
    s = open_store(tmp_path / "r.sqlite")
    yield s
    s.close()


def test_demo_tables_are_synthetic_and_counts_match_the_csvs(data, store):
    ws = data.ws
    for kind, table, key in (
        ("nominals", "nominals", "nominal_id"),
        ("tasking", "tasking_items", "item_id"),
        ("pop", "pop_plans", "plan_id"),
        ("spend", "grant_spend", "spend_id"),
    ):
        assert ws.is_synthetic(f"targeting_{kind}")
        csv = pd.read_csv(ws.table_path(f"targeting_{kind}"))
        got = store.frame(table)
        if kind == "nominals":
            got = got[got["kind"] == "offender"]
        assert set(got[key]) == set(csv[key]) and bool(got["synthetic"].all())
    assert all(
        n.startswith(("SYN-OFF-", "SYN-VIC-")) for n in store.frame("nominals")["nominal_id"]
    )


def test_sections_follow_the_capabilities(data, store):
    lpa = data.lpa_names()[0]
    cases = {
        Principal("i", "intelligence"): ["tasking", "people", "advance", "wanted", "pop"],
        Principal("n", "inspector", (lpa,)): ["tasking", "people", "wanted", "pop"],
        Principal("a", "advance"): ["tasking", "advance", "wanted"],
        Principal("o", "officer", officer_id="X"): [],
        Principal("adm", "admin"): [],
    }
    for who, secs in cases.items():
        assert TaskingState(data, store, principal=who).sections() == secs
    insp = TaskingState(data, store, principal=Principal("n", "inspector", (lpa,)))
    assert insp.param.lpa.objects == [lpa]


def test_state_frames_are_the_library_frames_and_views_are_audited(data, store):
    lpa = data.lpa_names()[1]
    who = Principal("insp.one", "inspector", (lpa,))
    st = TaskingState(data, store, principal=who)
    assert st.synthetic() is True
    nom = store.frame("nominals")
    off = store.frame("nominal_offences")
    direct = rank_by_harm(nom[nom["lpa"] == lpa], off)
    got = st.offenders()
    pd.testing.assert_frame_equal(got, direct[direct["rank"] <= 20].reset_index(drop=True))
    assert set(st.victims()["lpa"]) <= {lpa}
    items = st.items()
    assert items.equals(tasking_items(store, who, lpa=lpa, today=data.ws.today))
    assert "person (restricted)" not in set(items["target_id"])
    places = st.review_places()
    assert {"planned patrol-hours", "delivered patrol-hours"} <= set(places.columns)
    st.unit = "officer-hours"
    assert {"planned officer-hours", "delivered officer-hours"} <= set(st.review_places().columns)
    assert "officer-hours" in st.review_line() and "officer-hours" in st.spend_line()
    views = read_events(store, user="insp.one", action="view")
    kinds = [d["view"] for d in views["detail"]]
    # the tasking items (and each review, which reads them) show person targets: audited
    assert kinds[:2] == ["offender ranking", "victims"]
    assert set(kinds[2:]) == {"tasking person targets"} and len(kinds) >= 4
    assert all(d["lpa"] == lpa for d in views["detail"])


def test_refusals_are_enforced_in_the_state_not_only_hidden(data, store):
    adv = TaskingState(data, store, principal=Principal("adv", "advance"))
    for fn in (adv.offenders, adv.victims, adv.reassurance, adv.pop, adv.spend):
        with pytest.raises(AccessDenied):
            fn()
    with pytest.raises(AccessDenied):
        adv.plan_reassurance()
    # advance sees tasking actions with person targets masked, and a day's wanted suspects
    items = adv.items()
    persons = items[items["target_kind"] == "person"]
    assert len(persons) > 0 and set(persons["target_id"]) == {"person (restricted)"}
    assert adv.day_id is not None
    w = adv.wanted()
    assert list(w.columns) == ["nominal_id", "lpa", "wanted_since", "offences", "harm"]
    assert set(w["lpa"]) <= {adv.lpa}
    denied = read_events(store, user="adv", action="denied")
    assert len(denied) == 4  # offenders, victims, reassurance, plan (pop/spend: no nominals)


def test_pages_state_the_hours_unit_and_the_tasking_sections(data, store, tmp_path):
    """Item 4's app part: the trajectory is labelled in the report's unit; the Tasking page
    builds its sections (no sign-in: every section)."""
    from planner.app.registry import build_page
    from planner.units import MEANING

    page = build_page("delivery", data)
    rep = data.delivery_report()
    unit = rep.trajectory.unit
    plot, alert = page._trajectory()
    assert plot.object.yaxis[0].axis_label == unit
    assert unit in plot.object.title.text and MEANING[unit] in alert.object
    assert alert.object.count(unit) >= 5
    tp = build_page("tasking", data, records_url=str(tmp_path / "r.sqlite"))
    view = tp.__panel__()
    tabs = view.objects[-1]
    assert list(tabs._names) == [
        "Tasking and review",
        "People by need",
        "Op Advance calendar and days",
        "Wanted on the day",
        "POP plans and grant spend",
    ]


def _find(view, css: str):
    """The one widget under ``view`` with the CSS class ``css``."""
    hits = [o for o in view.select() if css in (getattr(o, "css_classes", None) or [])]
    assert len(hits) == 1, (css, hits)
    return hits[0]


def test_day_of_action_plan_and_results_from_the_app(data, store, tmp_path):
    """Item 7's app part: a day planned from the LPA's briefing (its top targets, the resources
    and checklist typed), then its results; both written by the library, audited by name; the
    inspector, who has no Op Advance capability, is refused in the state."""
    from planner.tasking.advance import DEFAULT_CHECKLIST, day_record, locations_from_targets

    adv = TaskingState(data, store, principal=Principal("adv.one", "advance"))
    lpa = adv.lpa
    day = "2025-10-14"
    rec = adv.plan_day(day, {"officers": 12, "pcsos": 4}, {DEFAULT_CHECKLIST[0]: True})
    want = locations_from_targets(data.advance(lpa, str(data.ws.today)).targets)
    assert len(want) == 10 and rec["locations"] == want
    assert rec["day_id"] == f"ADV-{day}-{lpa}" and adv.day_id == rec["day_id"]
    assert rec["resources"]["officers"] == 12 and rec["resources"]["pcsos"] == 4
    assert rec["checklist_done"] == f"1/{len(DEFAULT_CHECKLIST)}"
    assert rec["synthetic"] is True  # the demo's day
    out = adv.record_results({"arrests": 3, "visits": 7, "engagements": 41})
    stored = day_record(store, rec["day_id"])
    assert (stored["arrests"], stored["visits"], stored["engagements"]) == (3, 7, 41)
    assert out == stored and stored["updated_by"] == "adv.one"
    row = adv.advance_days().set_index("day_id").loc[rec["day_id"]]
    assert (row["arrests"], row["visits"], row["engagements"]) == (3, 7, 41)
    ev = read_events(store, user="adv.one")
    ev = ev[ev["table_name"] == "advance_days"]
    assert list(ev["action"]) == ["insert", "update"]
    assert ev["detail"].iloc[1]["arrests"] == [None, 3]  # not recorded before
    with pytest.raises(PlannerError, match="not a date"):
        adv.plan_day("14/10/2025x", {}, {})
    insp = TaskingState(data, store, principal=Principal("n", "inspector", (lpa,)))
    with pytest.raises(AccessDenied):
        insp.plan_day(day, {}, {})
    with pytest.raises(AccessDenied):
        insp.record_results({"arrests": 1})
    # the page's form calls the same state: type a day, press the buttons
    page = build_page("tasking", data, records_url=str(tmp_path / "r.sqlite"))
    view = page.__panel__()
    _find(view, "day-date").value = "2025-10-21"
    _find(view, "day-plan").clicks += 1
    assert page.message.object.startswith(f"ADV-2025-10-21-{page.state.lpa}: 10 locations")
    assert page.state.day_id == f"ADV-2025-10-21-{page.state.lpa}"
    _find(view, "day-results").clicks += 1
    assert page.message.object.endswith("arrests 0, visits 0, engagements 0 (audited)")
    _find(view, "day-date").value = "soon"
    _find(view, "day-plan").clicks += 1
    assert page.message.object == "day 'soon' is not a date (use YYYY-MM-DD)"


def test_plan_page_shows_reassurance_visits_beside_the_week_patrols(data, store):
    """Item 5 on the Plan page: per day, the week's patrols and reassurance visits, counts only,
    read through the library (scoped, audited, refused without the nominals capability)."""
    from datetime import date, timedelta

    from planner.app.state.plan import PlanState
    from planner.app.state.plan_reassurance import WEEK_COLUMNS
    from planner.tasking.people import reassurance_by_day

    rv = store.frame("reassurance_visits")
    lpa = sorted(rv["lpa"])[0]
    first = pd.Timestamp(min(rv["planned_on"]))
    week = str((first - pd.Timedelta(days=first.day_of_week)).date())
    who = Principal("insp.rv", "inspector", (lpa,))
    st = PlanState(data, principal=who, store=store, lpa=lpa, week=week)
    got = st.reassurance_week()
    assert list(got.columns) == WEEK_COLUMNS
    assert not {"nominal_id", "home_x", "home_y", "visit_id"} & set(got.columns)
    start = date.fromisoformat(week)
    days = [start + timedelta(days=i) for i in range(7)]
    assert list(got["day"]) == [d.strftime("%a %d %b") for d in days]
    # patrols: a direct groupby of the plan's visits to this LPA's TGPs in the week
    v = data.table("plan_visits")
    lpa_of = data.table("tgps").set_index("tgp_id")["lpa"]
    v = v[v["tgp_id"].map(lpa_of).eq(lpa)]
    on = pd.to_datetime(v["date"]).dt.date
    for d, row in zip(days, got.itertuples()):
        day = v[on == d]
        assert row.patrol_visits == len(day)
        assert row.patrol_hours == round(day["minutes"].sum() / 60, 2)
        assert row.officer_hours == round(day["officer_minutes"].sum() / 60, 2)
    assert got["patrol_visits"].sum() > 0
    # reassurance: the stored visits of the LPA that week, counted directly
    mine = rv[(rv["lpa"] == lpa) & pd.to_datetime(rv["planned_on"]).dt.date.isin(days)]
    assert got["reassurance_visits"].sum() == len(mine) > 0
    assert got["delivered"].sum() == (mine["status"] == "delivered").sum()
    lib = reassurance_by_day(store, None, start=start, lpa=lpa)
    assert got["reassurance_minutes"].tolist() == lib["reassurance_minutes"].tolist()
    views = read_events(store, user="insp.rv", action="view")
    assert [d["view"] for d in views["detail"]] == ["reassurance visits"]
    # no records store: the patrol columns only
    bare = PlanState(data, principal=who, lpa=lpa, week=week).reassurance_week()
    assert list(bare.columns) == WEEK_COLUMNS[:4]
    assert bare.equals(got[WEEK_COLUMNS[:4]])
    # a role without the nominals capability is refused in the state, and that is audited
    adv = PlanState(data, principal=Principal("adv.rv", "advance"), store=store, week=week)
    with pytest.raises(AccessDenied):
        adv.reassurance_week()
    assert len(read_events(store, user="adv.rv", action="denied")) == 1
    # the page: the tab, its table, and the refusal shown as text
    page = build_page("plan", data, principal=who)
    page.state.store = store
    page.state.param.update(week=week)
    tabs = [o for o in page.__panel__().select() if "plan-tabs" in (o.css_classes or [])]
    assert "Reassurance visits" in list(tabs[0]._names)
    shown = _find(page.reassurance_view(), "plan-reassurance")
    html_ = str(shown.object)
    texts = [o.object for o in page.reassurance_view().select() if hasattr(o, "object")]
    assert any("SYNTHETIC data." in str(x) for x in texts)  # the demo's plan and victims
    assert "7 rows." in html_ and "reassurance visits<" in html_ and "SYN-VIC-" not in html_
    apage = build_page("plan", data, principal=Principal("adv.rv", "advance"))
    apage.state.store = store
    note = apage.reassurance_view()
    assert "plan-rv-note" in note.css_classes and "nominals" in note.object

"""Every page scoped per role in the state layer (issue 15): the pages each role gets, the
LPA choices, refused LPA values whatever the widgets send, and no officer name or row outside
the scope in a session's document. Expected values come from direct store and table queries."""

from __future__ import annotations

import contextlib
import re

import pandas as pd
import pytest

from planner.access.roles import Principal
from planner.errors import AccessDenied

from .conftest import ids_in

PAGES = [
    "hotspots",
    "plan",
    "delivery",
    "advance",
    "neighbourhoods",
    "commitments",
    "record",
    "tasking",
]
#: the issue's roles -> pages table (docs/deploy.md); Tasking (issue 19): intelligence,
#: inspector and advance (its sections by capability), not officer or admin
EXPECTED_PAGES = {
    "intelligence": PAGES,
    "inspector": [
        "hotspots",
        "plan",
        "delivery",
        "neighbourhoods",
        "commitments",
        "record",
        "tasking",
    ],
    "advance": ["hotspots", "advance", "tasking"],
    "officer": ["record"],
    "admin": [],
}


@pytest.fixture(scope="module")
def people(served_ws, inspector_lpa):
    """Officers of the store: those of the inspector's LPA and those of the other LPAs."""
    from planner.records.store import open_store

    with open_store(None, workspace=served_ws) as s:
        off = s.frame("officers")
    off = off[off["lpa"].notna()]
    mine = off[off["lpa"] == inspector_lpa]
    other = off[off["lpa"] != inspector_lpa]
    return {
        "all": off,
        "mine": mine,
        "other": other,
        # names that only officers of other LPAs have (a shared name proves nothing)
        "other_names": sorted(
            {n for n in other["name"].dropna() if len(n) > 5} - set(mine["name"].dropna())
        ),
        "other_lpa": sorted(other["lpa"].unique())[0],
    }


def principal(role: str, lpa: str, officer_id: str | None = None) -> Principal:
    if role == "inspector":
        return Principal("insp", "inspector", (lpa,))
    if role == "officer":
        return Principal("pc", "officer", officer_id=officer_id)
    return Principal(role[:5], role)


def doc_text(app) -> str:
    """The whole Bokeh document of ``app`` as the JSON a browser would receive."""
    from bokeh.core.json_encoder import serialize_json
    from bokeh.document import Document

    doc = Document()
    app.server_doc(doc)
    return serialize_json(doc.to_json())


def found(text: str, ids, names=()) -> tuple[list[str], list[str]]:
    return (
        ids_in(text, ids),
        [n for n in names if n in text],
    )


@pytest.mark.parametrize("role", list(EXPECTED_PAGES))
def test_each_role_gets_exactly_its_pages(served_ws, inspector_lpa, people, role):
    from planner.app.main import create_app

    p = principal(role, inspector_lpa, people["mine"]["officer_id"].iloc[0])
    app = create_app(served_ws, principal=p, prefetch=False)
    if role == "admin":
        assert "scope-notice" in app.css_classes and "planner users" in app.object
        return
    menu = app.sidebar[0]
    assert [i["slug"] for i in menu.items] == EXPECTED_PAGES[role]
    tabs = app.main[0]
    assert [h.css_classes[0] for h in tabs.objects] == [f"page-{s}" for s in EXPECTED_PAGES[role]]
    # the page a role lands on: the first of its pages, built with the session (an officer:
    # the phone Record page, its menu drawer closed)
    assert tabs.active == 0 and bool(tabs.objects[0].objects)
    if role == "officer":
        assert app.sidebar_open is False


def test_a_page_outside_the_scope_shows_a_notice_and_is_audited(served_ws, inspector_lpa):
    from planner.app.main import create_app

    calls: list = []
    app = create_app(
        served_ws,
        principal=principal("advance", inspector_lpa),
        page="neighbourhoods",
        prefetch=False,
        audit=lambda user, action, **kw: calls.append((user, action, kw["detail"])),
    )
    notice, tabs = app.main[0], app.main[1]
    assert "access-notice" in notice.css_classes and "Neighbourhoods" in notice.object
    assert [h.css_classes[0] for h in tabs.objects] == [
        "page-hotspots",
        "page-advance",
        "page-tasking",
    ]
    assert [bool(h.objects) for h in tabs.objects] == [True, False, False]  # the first page
    assert calls == [("advan", "denied", {"attempt": "page", "page": "neighbourhoods"})]


@pytest.mark.parametrize("slug", EXPECTED_PAGES["inspector"])
def test_no_other_lpa_officer_reaches_an_inspector_document(served_ws, inspector_lpa, people, slug):
    """Each page an inspector opens: no officer id or name of another LPA in the document."""
    from planner.app.main import create_app

    app = create_app(
        served_ws, principal=principal("inspector", inspector_lpa), page=slug, prefetch=False
    )
    text = doc_text(app)
    assert found(text, people["other"]["officer_id"], people["other_names"]) == ([], [])
    if slug in ("neighbourhoods", "record"):  # control: their own officers are there
        assert len(found(text, people["mine"]["officer_id"])[0]) > 10


def test_control_an_intelligence_document_holds_other_lpas_officers(
    served_ws, inspector_lpa, people
):
    """The check above can fail: the same page for intelligence holds every LPA's officers."""
    from planner.app.main import create_app

    app = create_app(
        served_ws, principal=principal("intelligence", inspector_lpa), page="record", prefetch=False
    )
    ids, names = found(doc_text(app), people["other"]["officer_id"], people["other_names"])
    assert len(ids) > 10 and len(names) > 100  # the drop-downs' labels are names


@pytest.mark.parametrize("slug", EXPECTED_PAGES["advance"])
def test_advance_documents_hold_no_officer_at_all(served_ws, inspector_lpa, people, slug):
    from planner.app.main import create_app

    app = create_app(
        served_ws, principal=principal("advance", inspector_lpa), page=slug, prefetch=False
    )
    names = sorted({n for n in people["all"]["name"].dropna() if len(n) > 5})
    assert found(doc_text(app), people["all"]["officer_id"], names) == ([], [])


def test_an_officer_document_holds_only_them_and_their_authorisers(
    served_ws, inspector_lpa, people
):
    from planner.app.main import create_app

    me = people["mine"][people["mine"]["role"] == "PC"].iloc[0]
    app = create_app(
        served_ws,
        principal=principal("officer", inspector_lpa, me["officer_id"]),
        page="record",
        prefetch=False,
    )
    text = doc_text(app)
    mine = people["mine"]
    supervisors = mine[mine["role"].isin(["SGT", "INSP"]) & mine["verified"].astype(bool)]
    allowed = {me["officer_id"], *supervisors["officer_id"]}
    everyone = people["all"]
    seen = set(everyone.loc[everyone["officer_id"].isin(allowed), "name"].dropna())
    others = everyone[~everyone["officer_id"].isin(allowed)]
    other_names = sorted({n for n in others["name"].dropna() if len(n) > 5} - seen)
    other_ids = [o for o in others["officer_id"] if o not in allowed]
    assert found(text, other_ids, other_names) == ([], [])
    assert me["name"] in text and all(n in text for n in supervisors["name"])  # control


# ---- the state layer refuses values outside the scope, whatever the widgets send ---------------


def test_lpa_states_offer_and_accept_only_the_inspectors_lpa(served_ws, inspector_lpa, people):
    from planner.app.cache import get_data
    from planner.app.state.common import ALL_LPAS
    from planner.app.state.delivery import DeliveryState
    from planner.app.state.hotspots import MapState
    from planner.app.state.plan import PlanState

    data = get_data(served_ws)
    p = principal("inspector", inspector_lpa)
    other = people["other_lpa"]
    for cls in (MapState, PlanState, DeliveryState):
        st = cls(data, principal=p)
        assert (st.param.lpa.objects, st.lpa) == ([inspector_lpa], inspector_lpa)
        for bad in (other, ALL_LPAS):
            with pytest.raises(AccessDenied, match=re.escape(f"may not see data of {bad!r}")):
                st.lpa = bad
            with pytest.raises(AccessDenied):
                st.param.update(lpa=bad)
            assert st.lpa == inspector_lpa
        with pytest.raises(AccessDenied):
            cls(data, principal=p, lpa=other)
    # intelligence keeps the force view and every LPA
    st = MapState(data, principal=principal("intelligence", inspector_lpa))
    assert st.param.lpa.objects == [ALL_LPAS, *data.lpa_names()] and st.lpa == ALL_LPAS


def test_inspector_rows_are_those_of_their_lpa(served_ws, inspector_lpa):
    from planner.app.cache import get_data
    from planner.app.state.delivery import DeliveryState
    from planner.app.state.plan import PlanState

    data = get_data(served_ws)
    p = principal("inspector", inspector_lpa)
    tgps = data.layer("tgps")
    theirs = set(tgps.loc[tgps["lpa"] == inspector_lpa, "tgp_id"].astype(str))
    d = DeliveryState(data, principal=p)
    assert set(d.all_tgps()["tgp_id"]) == theirs and set(d.param.tgp.objects) == theirs
    other_tgp = sorted(set(tgps["tgp_id"].astype(str)) - theirs)[0]
    with pytest.raises(AccessDenied):  # refused and audited (test_refusals_audited.py)
        d.tgp = other_tgp
    plan = PlanState(data, principal=p)
    q = plan._quarter_table()
    expected = data.table(q)["tgp_id"].astype(str).isin(theirs).sum()
    csv = pd.read_csv(__import__("io").StringIO(plan.visits_csv()))
    assert len(csv) == expected and set(csv["tgp_id"]) <= theirs
    site_lpa = plan.servator_table()["lpa"]
    assert len(site_lpa) > 0 and set(site_lpa) == {inspector_lpa}
    everyone = PlanState(data, principal=principal("intelligence", inspector_lpa))
    assert len(everyone.servator_table()) > len(site_lpa)


def test_drill_downs_and_reports_refuse_other_lpas(served_ws, inspector_lpa, people):
    from planner.app.cache import get_data, get_store
    from planner.app.state.commitments import CommitmentsState
    from planner.app.state.hotspots import CrimeDrillState, MapState, TGPDeriveState
    from planner.app.state.neighbourhoods import RecordsState
    from planner.records import default_store_path

    data = get_data(served_ws)
    store = get_store(str(default_store_path(data.ws)))
    p = principal("inspector", inspector_lpa)
    other = people["other_lpa"]
    rec = RecordsState(data, store, principal=p)
    with pytest.raises(AccessDenied):
        rec.counts([other])
    from planner.app.state.neighbourhoods import RecordsDrillState

    d = RecordsDrillState(records=rec)
    with pytest.raises(AccessDenied):
        d.drill(other)  # a click on another LPA's bar
    assert d.path == [] and d.drill(inspector_lpa) and d.path == [inspector_lpa]
    assert set(rec.counts([inspector_lpa, *rec.counts([inspector_lpa])["key"][:1]])["key"]) <= set(
        people["mine"]["officer_id"]
    )
    t = rec.short_tenures()
    assert len(t) > 0 and set(t["officer_id"]) <= set(people["mine"]["officer_id"])
    drill = CrimeDrillState(map=MapState(data, principal=p))
    assert list(drill.frame()["key"]) == [inspector_lpa]
    with pytest.raises(AccessDenied):
        drill.frame_for([other])
    com = CommitmentsState(data, store, principal=p)
    assert set(com.areas().values()) >= {inspector_lpa} and other not in com.areas().values()
    with pytest.raises(AccessDenied):
        com.report_html(other)
    # the top of the engagement drill-down: per-LPA aggregates of the force (as documented);
    # below it, only the inspector's LPA
    assert {inspector_lpa} < set(com.breakdown()["lpa"]) <= set(people["all"]["lpa"])
    com.eng_drill.drill(inspector_lpa)
    b = com.breakdown()
    assert len(b) > 0 and set(b["lpa"]) == {inspector_lpa}
    assert set(com.abstraction_details()["lpa"]) == {inspector_lpa}
    with pytest.raises(AccessDenied, match="may not use derive tgps"):
        TGPDeriveState(data, principal=p).derive()
    from planner.app.state.advance import AdvanceState

    with pytest.raises(AccessDenied):
        AdvanceState(data, principal=p)


@pytest.mark.parametrize(
    ("slug", "css"),
    [("hotspots", "lpa-select"), ("plan", "plan-lpa"), ("delivery", "delivery-lpa")],
)
def test_a_widget_change_to_another_lpa_is_refused(served_ws, inspector_lpa, people, slug, css):
    """The LPA select's value set as the browser would send it (the widget's model change):
    the state keeps the inspector's LPA and the document gains no other LPA's officer."""
    from bokeh.document import Document

    from planner.app.cache import get_data
    from planner.app.registry import build_page

    page = build_page(slug, get_data(served_ws), principal=principal("inspector", inspector_lpa))
    doc = Document()
    root = page.__panel__()
    root.server_doc(doc)
    (select,) = [w for w in root.select() if css in getattr(w, "css_classes", [])]
    assert list(select.options) == [inspector_lpa]
    with contextlib.suppress(AccessDenied, ValueError):  # Panel may pass the refusal on
        select._process_events({"value": people["other_lpa"]})
    assert page.state.lpa == inspector_lpa
    from bokeh.core.json_encoder import serialize_json

    text = serialize_json(doc.to_json())
    assert found(text, people["other"]["officer_id"], people["other_names"]) == ([], [])


# ---- officers: only themselves ---------------------------------------------------------------


def test_an_officer_records_only_for_themselves_and_sees_their_own(served_ws, people):
    from planner.access.audit import read_events
    from planner.app.cache import get_data, get_store
    from planner.app.state.record import RecordState
    from planner.records import default_store_path

    data = get_data(served_ws)
    store = get_store(str(default_store_path(data.ws)))
    me, other = people["mine"]["officer_id"].iloc[0], people["other"]["officer_id"].iloc[0]
    st = RecordState(data, store, principal=Principal("pc-a15", "officer", officer_id=me))
    opts = st.form_options()
    assert list(opts["officers"]) == [me]
    ward = next(iter(opts["wards"]))
    fields = {
        "ward_code": ward,
        "engagement_type": opts["engagement_types"][0],
        "method": opts["methods"][0],
        "priority_group": opts["priority_groups"][0],
        "occurred_at": pd.Timestamp(data.ws.today).replace(hour=10),
    }
    with pytest.raises(AccessDenied, match=f"not for officer '{other}'"):
        st.save_engagement(officer_id=other, **fields)
    rid = st.save_engagement(officer_id="", **fields)  # blank: recorded as themselves
    e = store.frame("engagements")
    assert e.loc[e["record_id"] == rid, "officer_id"].tolist() == [me]
    denied = read_events(store, user="pc-a15", action="denied")
    assert denied["detail"].iloc[-1] == {"attempt": "record", "officer_id": other}
    ins = read_events(store, user="pc-a15", action="insert")
    assert ins["record_id"].tolist() == [rid] and ins["role"].tolist() == ["officer"]
    own = st.own_records(limit=10_000)
    a = store.frame("abstractions")
    expected = (e["officer_id"] == me).sum() + (a["officer_id"] == me).sum()
    assert len(own) == expected and set(own["officer_id"]) == {me}


def test_control_the_same_widget_change_reaches_an_intelligence_state(served_ws, people):
    """The widget path used above does reach the state: for intelligence the LPA changes."""
    from bokeh.document import Document

    from planner.app.cache import get_data
    from planner.app.registry import build_page

    page = build_page("plan", get_data(served_ws), principal=Principal("intel", "intelligence"))
    root = page.__panel__()
    root.server_doc(Document())
    (select,) = [w for w in root.select() if "plan-lpa" in getattr(w, "css_classes", [])]
    select._process_events({"value": people["other_lpa"]})
    assert page.state.lpa == people["other_lpa"]


def test_an_inspectors_hotspot_surfaces_are_cells_of_their_lpa(served_ws, inspector_lpa):
    import shapely

    from planner.app.cache import get_data
    from planner.app.state.hotspots import MapState

    data = get_data(served_ws)
    insp = MapState(data, principal=principal("inspector", inspector_lpa), surface="KDE")
    every = MapState(data, principal=principal("intelligence", inspector_lpa), surface="KDE")
    mine, force = insp.surface_frame(), every.surface_frame()
    lpas = data.layer("LPAs")
    area = lpas.geometry[lpas["lpa"] == inspector_lpa].iloc[0]
    expected = shapely.contains_xy(area, force["x"].to_numpy(), force["y"].to_numpy()).sum()
    assert 0 < len(mine) == expected < len(force)


def test_a_refused_lpa_is_in_the_audit_trail_with_the_user(
    served_ws, inspector_lpa, people, tmp_path
):
    from planner.access.server import Gate, audit_downloads
    from planner.app.cache import get_data
    from planner.app.state.hotspots import MapState

    calls: list = []
    from planner.access.users import UsersFile, add_user

    f = tmp_path / "u.json"
    add_user(f, "insp", "insp-password-1", role="inspector", lpas=[inspector_lpa])
    gate = Gate(
        users=UsersFile(f), audit=lambda user, action, **kw: calls.append((user, action, kw))
    )
    st = MapState(get_data(served_ws), principal=principal("inspector", inspector_lpa))
    audit_downloads(gate)
    try:
        with pytest.raises(AccessDenied):
            st.lpa = people["other_lpa"]
    finally:
        audit_downloads(None)
    assert [(u, a, kw["role"], kw["detail"]) for u, a, kw in calls] == [
        ("insp", "denied", "inspector", {"attempt": "lpa", "lpa": people["other_lpa"]})
    ]

"""Role scoping in the data layer: capabilities, LPA choices, officer-level rows, exports."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.access.roles import Principal
from planner.access.scope import (
    CAPABILITIES,
    allowed_pages,
    audited,
    check_lpa,
    filter_rows,
    lpa_allowed,
    lpa_choices,
    lpa_options,
    may,
    officer_options,
    officer_rows,
    require,
)
from planner.errors import AccessDenied

INSP = Principal("insp", "inspector", ("North",))
PC = Principal("pc", "officer", officer_id="D2")
INTEL = Principal("intel", "intelligence")
ADV = Principal("adv", "advance")
ADMIN = Principal("admin", "admin")

ROWS = pd.DataFrame(
    {
        "officer_id": ["D1", "D2", "D3", "D4"],
        "name": ["Ann", "Bob", "Cat", "Dan"],
        "lpa": ["North", "North", "South", "East"],
    }
)


def test_capability_matrix():
    table = {
        c: sorted(
            r
            for r in ("intelligence", "inspector", "advance", "officer", "admin")
            if may(Principal("u", r, ("X",) if r == "inspector" else ()), c)
        )
        for c in CAPABILITIES
    }
    assert table == {
        "hotspots": ["advance", "inspector", "intelligence"],
        "derive_tgps": ["intelligence"],
        "plans": ["inspector", "intelligence"],
        "exports": ["advance", "inspector", "intelligence"],
        "delivery": ["inspector", "intelligence"],
        "records": ["inspector", "intelligence", "officer"],
        "officer_data": ["inspector", "intelligence", "officer"],
        "advance": ["advance", "intelligence"],
        "record": ["inspector", "intelligence", "officer"],
        "manage_users": ["admin"],
        "nominals": ["inspector", "intelligence"],
        "wanted_on_day": ["advance", "inspector", "intelligence"],
        "tasking": ["advance", "inspector", "intelligence"],
        "neighbourhoods": ["inspector", "intelligence"],
        "commitments": ["inspector", "intelligence"],
    }
    assert may(None, "derive_tgps") and not may(None, "manage_users")
    with pytest.raises(AccessDenied, match=r"adv \(advance\) may not use officer data"):
        require(ADV, "officer_data")
    with pytest.raises(KeyError):
        may(INTEL, "launch")


def test_lpa_choices():
    every = ["South", "North", "East", "North"]
    assert lpa_choices(None, every) == ["East", "North", "South"]
    assert lpa_choices(INTEL, every) == lpa_choices(ADV, every) == ["East", "North", "South"]
    assert lpa_choices(INSP, every) == ["North"]
    assert lpa_choices(PC, every, officer_lpa="South") == ["South"]
    assert lpa_choices(PC, every) == [] and lpa_choices(ADMIN, every) == []


@pytest.mark.parametrize(
    ("principal", "ids"),
    [
        (None, ["D1", "D2", "D3", "D4"]),
        (INTEL, ["D1", "D2", "D3", "D4"]),
        (INSP, ["D1", "D2"]),
        (Principal("i2", "inspector", ("South", "East")), ["D3", "D4"]),
        (PC, ["D2"]),
        (ADV, []),
        (ADMIN, []),
    ],
)
def test_officer_rows_against_brute_force(principal, ids):
    got = officer_rows(ROWS, principal)
    assert got["officer_id"].tolist() == ids
    assert list(got.columns) == list(ROWS.columns)
    # brute force on the same input
    expect = [
        r.officer_id
        for r in ROWS.itertuples()
        if principal is None
        or principal.role == "intelligence"
        or (principal.role == "inspector" and r.lpa in principal.lpas)
        or (principal.role == "officer" and r.officer_id == principal.recorder_id)
    ]
    assert ids == expect


def test_officer_options_hold_no_name_outside_scope():
    labels = dict(zip(ROWS["officer_id"], ROWS["name"] + " (DNO)"))
    lpas = dict(zip(ROWS["officer_id"], ROWS["lpa"]))
    assert officer_options(labels, lpas, INSP) == {"D1": "Ann (DNO)", "D2": "Bob (DNO)"}
    assert officer_options(labels, lpas, PC) == {"D2": "Bob (DNO)"}
    assert officer_options(labels, lpas, ADV) == {}
    assert officer_options(labels, lpas, INTEL) == labels


def test_scoping_needs_the_column():
    with pytest.raises(KeyError, match="'lpa'"):
        officer_rows(ROWS.drop(columns="lpa"), INSP)


def test_audited_download_logs_before_returning():
    calls = []
    fn = audited(
        lambda: "csv-bytes",
        audit=lambda user, action, **kw: calls.append((user, action, kw)),
        principal=INSP,
        what="plan_csv",
        detail={"quarter": "2026Q1"},
    )
    assert calls == []
    assert fn() == "csv-bytes"
    assert calls == [
        (
            "insp",
            "export",
            {
                "role": "inspector",
                "table_name": "plan_csv",
                "detail": {"quarter": "2026Q1"},
                "source": "app",
            },
        )
    ]


def test_neighbourhoods_state_is_scoped_and_audited(served_ws):
    """The Neighbourhoods state: saves checked and audited with the user; no drill below
    another LPA (the LPA totals stay, as aggregates)."""
    from planner.access.audit import read_events
    from planner.app.data import AppData
    from planner.app.state.neighbourhoods import RecordsState
    from planner.records.store import open_store
    from planner.workspace import Workspace

    ws = Workspace(served_ws)
    off = ws.officers()
    lpas = sorted(off["lpa"].dropna().unique())
    mine, other = lpas[0], lpas[1]
    insp = Principal("insp.x", "inspector", (mine,))
    with open_store(None, workspace=served_ws) as store:
        st = RecordsState(AppData(ws), store, principal=insp)
        top = st.counts([])
        assert set(top["key"]) >= {mine, other}  # force-wide figures as aggregates
        assert len(st.counts([mine])) > 0
        with pytest.raises(AccessDenied, match=f"may not see team or officer data of {other}"):
            st.counts([other])
        with pytest.raises(AccessDenied):
            st.counts([other, "any-team"])
        theirs = off[off["lpa"] == other]["officer_id"].iloc[0]
        wards = ws.geography().wards
        ward = wards[wards["lpa"] == other]["ward_code"].iloc[0]
        fields = {
            "occurred_at": "2025-09-29T10:00",
            "ward_code": ward,
            "engagement_type": "street briefing",
            "method": "face to face",
            "priority_group": "residents",
        }
        with pytest.raises(AccessDenied):
            st.save_engagement(officer_id=theirs, **fields)
        own = off[off["lpa"] == mine]["officer_id"].iloc[0]
        rid = st.save_engagement(officer_id=own, **fields)
        ev = read_events(store, user="insp.x")
    assert ev[["action", "record_id"]].values.tolist()[-2:] == [["denied", None], ["insert", rid]]


PAGE_SLUGS = ["hotspots", "plan", "delivery", "advance", "neighbourhoods", "commitments", "record"]


@pytest.mark.parametrize(
    ("principal", "pages"),
    [
        (None, PAGE_SLUGS),
        (INTEL, PAGE_SLUGS),
        (INSP, ["hotspots", "plan", "delivery", "neighbourhoods", "commitments", "record"]),
        (ADV, ["hotspots", "advance"]),
        (PC, ["record"]),
        (ADMIN, []),
    ],
)
def test_allowed_pages_per_role(principal, pages):
    assert allowed_pages(principal, [*PAGE_SLUGS, "unknown"]) == pages


def test_lpa_options_and_checks():
    every = ["South", "North", "East"]
    assert lpa_options(INTEL, every, all_label="All") == ["All", "South", "North", "East"]
    assert lpa_options(ADV, every) == ["South", "North", "East"]
    assert lpa_options(INSP, every, all_label="All") == ["North"]
    two = Principal("i2", "inspector", ("South", "East"))
    assert lpa_options(two, every, all_label="All") == ["South", "East"]
    assert lpa_options(PC, every, all_label="All") == lpa_options(ADMIN, every) == []
    assert lpa_allowed(INSP, "North") and not lpa_allowed(INSP, "South")
    assert not lpa_allowed(INSP, "All", all_label="All") and lpa_allowed(INTEL, "All")
    with pytest.raises(AccessDenied, match=r"insp \(inspector\) may not see data of 'South'"):
        check_lpa(INSP, "South")
    check_lpa(INSP, "North")


@pytest.mark.parametrize(
    ("principal", "agg", "officer"),
    [
        (None, ["D1", "D2", "D3", "D4"], ["D1", "D2", "D3", "D4"]),
        (INTEL, ["D1", "D2", "D3", "D4"], ["D1", "D2", "D3", "D4"]),
        (ADV, ["D1", "D2", "D3", "D4"], []),
        (INSP, ["D1", "D2"], ["D1", "D2"]),
        (PC, [], ["D2"]),
        (ADMIN, [], []),
    ],
)
def test_filter_rows_aggregates_and_officer_level(principal, agg, officer):
    assert list(filter_rows(principal, ROWS)["officer_id"]) == agg
    assert list(filter_rows(principal, ROWS, officer_col="officer_id")["officer_id"]) == officer

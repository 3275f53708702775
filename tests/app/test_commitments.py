"""The Commitments and phone recording pages (issue 18): their state shows what the library
computes, checked against the library called directly, on a copy of the demo's records store."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from planner.app.data import AppData
from planner.app.state.commitments import CommitmentsState
from planner.app.state.neighbourhoods import RecordsState


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


def test_commitments_state_matches_library(data, store):
    from planner.records import analytics as ra
    from planner.records import neighbourhood as nb
    from planner.records.periods import parse_period

    st = CommitmentsState(data, store)
    assert st.period.startswith("since ")
    assert any(x.startswith("week commencing ") for x in st.param.period.objects)
    p = parse_period(st.period, data.ws.today)
    st.level, st.by = "team", "minority_group"
    got = st.breakdown()
    lib = ra.engagement_counts(store, p, level="team", by="minority_group")
    pd.testing.assert_frame_equal(got, lib)
    assert st.breakdown() is got  # memoised per choice and version
    st.level = "lpa"
    pd.testing.assert_frame_equal(st.gaps(), nb.engagement_gaps_by(store, p, level="lpa"))
    by_type = st.abstraction_by_type()
    assert by_type["hours"].sum() == pytest.approx(
        ra.abstraction_summary(store, p, by="lpa")["hours"].sum()
    )
    officer = ra.abstraction_summary(store, p, by="officer").iloc[0]
    st.officer = str(officer["officer_id"])
    d = st.abstraction_details()
    assert d["hours"].sum() == pytest.approx(officer["hours"])
    assert set(d["officer_id"]) == {officer["officer_id"]}
    obj = st.objectives()
    assert set(obj["lpa"]) >= set(st.config.objectives)
    pd.testing.assert_frame_equal(st.vacancy_fills(), nb.vacancy_fills(store, p))
    html = st.report_html(sorted(st.areas().values())[-1])
    assert "community report" in html and "abstraction" not in html.lower()


def test_phone_form_records_minority_group_and_location(data, store):
    st = RecordsState(data, store)
    assert "since July 2025" in st.param.period.objects or any(
        x.startswith("since ") for x in st.param.period.objects
    )
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

    url = store.url.split("sqlite:///", 1)[1]
    page = CommitmentsPage(data=data, records_url=url)
    assert page.__panel__() is not None
    rec = RecordPage(data=data, records_url=url)
    col = rec.__panel__()
    assert col.max_width == 390

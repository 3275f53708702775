"""Issue 19 items 6-8: tasking items and review, the Op Advance calendar and days, POP plans
and grant spend; exact values computed by hand from the fixtures."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from planner.access.audit import read_events
from planner.access.roles import Principal
from planner.errors import AccessDenied, PlannerError
from planner.tasking.advance import (
    calendar,
    day_record,
    days,
    fair_rotation,
    generate_calendar,
    locations_from_briefing,
    plan_day,
    record_results,
    set_month,
)
from planner.tasking.imports import import_targeting
from planner.tasking.meetings import RESTRICTED, tasking_items, tasking_review
from planner.tasking.pop import pop_plans, pop_summary, spend_report

INTEL = Principal("intel.user", "intelligence")
ADV = Principal("adv.user", "advance")
INSP_S = Principal("insp.south", "inspector", ("South",))
PC = Principal("pc.one", "officer", officer_id="D1")
TGPS = {"T1", "T2", "T3"}


def _tasking(store, files):
    import_targeting(store, files["nominals"], "nominals", user="t")
    return import_targeting(store, files["tasking"], "tasking", tgps=TGPS, user="t")


def test_tasking_import_and_list(store, files):
    res = _tasking(store, files)
    assert (res["read"], res["accepted"], res["rejected"]) == (6, 4, 2)
    rej = pd.read_csv(res["rejects_file"])
    assert list(rej["line"]) == [5, 6]
    assert rej["reason"][0] == "target_kind 'vehicle' is not one of place, person"
    assert rej["reason"][1].startswith("person 'N99' is not an imported nominal")
    items = tasking_items(store, INTEL, lpa="North", today=date(2025, 7, 31))
    assert list(items["item_id"]) == ["I1", "I2", "I3"]
    assert list(items["status"]) == ["open", "done", "in_progress"]
    assert list(items["overdue"]) == [True, False, True]
    assert list(items["target_id"]) == ["T1", "N1", "T1"]
    seen = read_events(store, user="intel.user", action="view")
    assert list(seen["detail"]) == [{"view": "tasking person targets", "lpa": "North", "rows": 1}]
    # the advance role sees the actions but not who the person target is
    adv = tasking_items(store, ADV, lpa="North", today=date(2025, 7, 31))
    assert list(adv["target_id"]) == ["T1", RESTRICTED, "T1"]
    # inspectors see their own LPAs; officers no tasking at all
    assert list(tasking_items(store, INSP_S)["item_id"]) == ["I6"]
    with pytest.raises(AccessDenied):
        tasking_items(store, PC)


def test_tasking_review_delivery_at_place_targets(store, files):
    _tasking(store, files)
    plan = pd.DataFrame(
        {
            "tgp_id": ["T1", "T1", "T2", "T1"],
            "date": pd.to_datetime(["2025-07-02", "2025-07-16", "2025-07-03", "2025-06-30"]),
            "minutes": [30.0, 15.0, 60.0, 99.0],
            "officer_minutes": [60.0, 30.0, 120.0, 198.0],
        }
    )
    delivered = pd.DataFrame(
        {
            "tgp_id": ["T1", "T1", "T1", "T2"],
            "date": pd.to_datetime(["2025-07-02", "2025-07-02", "2025-07-20", "2025-07-03"]),
            "method": ["all", "gtf", "all", "all"],
            "presence_minutes": [20.0, 20.0, 10.0, 50.0],
            "officer_minutes": [40.0, 40.0, 20.0, 100.0],
            "visits": [2, 2, 1, 3],
            "compliant_visits": [1, 1, 1, 3],
        }
    )
    rep = tasking_review(
        store, INTEL, lpa="North", plan=plan, delivered=delivered, today=date(2025, 7, 31)
    )
    assert rep["unit"] == "patrol-hours" and rep["meetings"] == ["M1", "M2"]
    assert rep["actions"] == {
        "total": 3,
        "open": 1,
        "in_progress": 1,
        "done": 1,
        "dropped": 0,
        "overdue": 2,
    }
    p = {r["item_id"]: r for r in rep["places"]}
    assert sorted(p) == ["I1", "I3"]
    # M1's window runs to the day before M2 (2025-07-15); M2's to the review date
    assert (p["I1"]["window_start"], p["I1"]["window_end"]) == ("2025-07-01", "2025-07-14")
    assert (p["I3"]["window_start"], p["I3"]["window_end"]) == ("2025-07-15", "2025-07-31")
    assert p["I1"]["planned_hours"] == 0.5 and p["I1"]["delivered_hours"] == round(20 / 60, 4)
    assert p["I1"]["delivered_share"] == round((20 / 60) / 0.5, 4)
    assert (p["I1"]["visits"], p["I1"]["compliant_visits"]) == (2, 1)
    assert p["I3"]["planned_hours"] == 0.25 and p["I3"]["delivered_hours"] == round(10 / 60, 4)
    off = tasking_review(
        store,
        INTEL,
        lpa="North",
        plan=plan,
        delivered=delivered,
        unit="officer-hours",
        today=date(2025, 7, 31),
        meeting_id="M1",
    )
    assert off["unit"] == "officer-hours" and [r["item_id"] for r in off["places"]] == ["I1"]
    assert off["places"][0]["planned_hours"] == 1.0
    assert off["places"][0]["delivered_hours"] == round(40 / 60, 4)


def test_fair_rotation():
    got = fair_rotation(["C", "A", "B"], "2026-01", 12)
    assert [m for m, _ in got][:3] == ["2026-01", "2026-02", "2026-03"]
    assert [lpa for _, lpa in got] == ["A", "B", "C"] * 4
    # history: B never held it, C held it before A
    hist = {"2025-12": "A", "2025-11": "C"}
    assert [x for _, x in fair_rotation(["A", "B", "C"], "2026-01", 4, hist)] == [
        "B",
        "C",
        "A",
        "B",
    ]
    seven = [x for _, x in fair_rotation([f"L{i}" for i in range(7)], "2026-04", 12)]
    counts = pd.Series(seven).value_counts()
    assert set(counts) == {1, 2} and counts.sum() == 12
    assert all(a != b for a, b in zip(seven, seven[1:]))
    with pytest.raises(PlannerError, match="not YYYY-MM"):
        fair_rotation(["A"], "2026-1", 1)


def test_calendar_generated_edited_and_kept(store):
    generate_calendar(store, ["A", "B", "C"], "2026-01", 6, principal=ADV)
    assert list(calendar(store)["lpa"]) == ["A", "B", "C", "A", "B", "C"]
    set_month(store, "2026-02", "C", principal=ADV, lpas=["A", "B", "C"])
    cal = generate_calendar(store, ["A", "B", "C"], "2026-01", 6, principal=ADV)
    # the edit is kept; every other month goes to the LPA that held it longest ago
    assert list(cal["lpa"]) == ["A", "C", "B", "A", "C", "B"]
    assert list(cal["edited_by"].notna()) == [False, True, False, False, False, False]
    assert cal["edited_by"][1] == "adv.user"
    with pytest.raises(PlannerError, match="unknown LPA"):
        set_month(store, "2026-03", "Z", principal=ADV, lpas=["A", "B", "C"])
    with pytest.raises(AccessDenied):
        generate_calendar(store, ["A"], "2026-01", 1, principal=INSP_S)
    upd = read_events(store, action="update")
    assert upd["detail"][0] == {"month": "2026-02", "lpa": ["B", "C"]}
    assert list(upd["user"]) == ["adv.user"]


def test_day_of_action_plan_and_results(store, tmp_path):
    generate_calendar(store, ["North", "South"], "2025-07", 2, principal=ADV)
    t = tmp_path / "brief"
    t.mkdir()
    (t / "targets.csv").write_text(
        "rank,cell_id,status,ward,location,x,y\n"
        "2,c2,new,Ward B,On or near High St,401100,291100\n"
        "1,c1,intensifying,Ward A,On or near Park Rd,401000,291000\n"
        "3,c3,,Ward C,On or near Mill Ln,401200,291200\n"
    )
    locs = locations_from_briefing(t, top=2)
    assert [(x["rank"], x["location"], x["x"]) for x in locs] == [
        (1, "On or near Park Rd", 401000.0),
        (2, "On or near High St", 401100.0),
    ]
    d = plan_day(
        store,
        "North",
        date(2025, 7, 12),
        locations=locs,
        resources={"officers": "20", "vehicles": 4},
        principal=ADV,
    )
    assert d["day_id"] == "ADV-2025-07-12-North" and d["on_rotation"] is True
    assert d["resources"] == {"officers": 20, "vehicles": 4}
    assert d["checklist_done"] == "0/5" and len(d["locations"]) == 2
    d = plan_day(
        store,
        "North",
        date(2025, 7, 12),
        resources={"dogs": 1},
        checklist={"briefing issued to every resource": True},
        principal=ADV,
    )
    assert d["resources"] == {"dogs": 1, "officers": 20, "vehicles": 4}
    assert d["checklist_done"] == "1/5" and len(d["locations"]) == 2
    d = record_results(store, d["day_id"], {"arrests": 3, "visits": 12}, principal=ADV)
    assert (d["arrests"], d["visits"], d["engagements"]) == (3, 12, None)
    d = record_results(store, d["day_id"], {"engagements": "40"}, principal=ADV)
    assert (d["arrests"], d["visits"], d["engagements"]) == (3, 12, 40)
    off = plan_day(store, "South", date(2025, 7, 20), principal=ADV)
    assert off["on_rotation"] is False and off["rotation_lpa"] == "North"
    tab = days(store)
    assert list(tab["day_id"]) == ["ADV-2025-07-12-North", "ADV-2025-07-20-South"]
    assert list(tab["arrests"].astype(object).where(tab["arrests"].notna(), None)) == [3, None]
    for bad, msg in (
        ({"arrests": -1}, "not a whole number >= 0"),
        ({"arrests": "2.5"}, "not a whole number"),
        ({"stabbings": 1}, "unknown result"),
    ):
        with pytest.raises(PlannerError, match=msg):
            record_results(store, "ADV-2025-07-12-North", bad, principal=ADV)
    with pytest.raises(PlannerError, match="no Op Advance day"):
        record_results(store, "ADV-nope", {"arrests": 1}, principal=ADV)
    with pytest.raises(AccessDenied):
        plan_day(store, "North", date(2025, 7, 12), principal=INSP_S)
    assert day_record(store, "ADV-2025-07-12-North")["updated_by"] == "adv.user"
    ev = read_events(store)
    res = [e for e in ev["detail"] if e.get("day") == "ADV-2025-07-12-North" and "arrests" in e]
    assert res[0]["arrests"] == [None, 3]


def test_pop_plans_import_and_summary(store, files):
    res = import_targeting(store, files["pop"], "pop", tgps=TGPS, user="t")
    assert (res["read"], res["accepted"], res["rejected"]) == (4, 3, 1)
    assert pd.read_csv(res["rejects_file"])["reason"][0].startswith("stage 'design' is not a SARA")
    p = pop_plans(store, INTEL)
    assert list(p["plan_id"]) == ["P1", "P3", "P2"]
    assert list(p["stage_no"]) == [3, 4, 2]
    assert pop_summary(p) == {
        "plans": 3,
        "tgps": 2,
        "by_stage": {"scanning": 0, "analysis": 1, "response": 1, "assessment": 1},
        "by_status": {"active": 2, "closed": 1},
    }
    assert list(pop_plans(store, INTEL, tgp_id="T2")["plan_id"]) == ["P2"]
    with pytest.raises(AccessDenied):
        pop_plans(store, ADV)
    bad = import_targeting(store, files["pop"], "pop", tgps={"T9"}, user="t")
    assert bad["rejected"] == 4


def test_grant_spend_report_against_the_grant(store, files):
    res = import_targeting(store, files["spend"], "spend", tgps=TGPS, user="t")
    assert (res["read"], res["accepted"], res["rejected"]) == (6, 4, 2)
    delivered = pd.DataFrame(
        {
            "tgp_id": ["T1", "T2", "T1", "T2", "T1"],
            "date": pd.to_datetime(["2025-05-01"] * 5),
            "method": ["all", "all", "gtf", "gtf", "lpa_patrol"],
            "presence_minutes": [120.0, 60.0, 60.0, 60.0, 60.0],
            "officer_minutes": [240.0, 120.0, 120.0, 120.0, 120.0],
        }
    )
    rep = spend_report(store, INTEL, grant_gbp=10_000, delivered=delivered)
    assert rep["spent_gbp"] == 3800.5 and rep["remaining_gbp"] == 6199.5
    assert rep["spent_share"] == 0.38005 and rep["unit"] == "patrol-hours"
    assert rep["delivered_hours"] == 3.0 and rep["cost_per_hour"] == round(3800.5 / 3, 2)
    assert rep["by_method"] == [
        {
            "method": "gtf",
            "spent_gbp": 1500.5,
            "share_of_grant": 0.15005,
            "delivered_hours": 2.0,
            "cost_per_hour": 750.25,
        },
        {
            "method": "lpa_patrol",
            "spent_gbp": 2000.0,
            "share_of_grant": 0.2,
            "delivered_hours": 1.0,
            "cost_per_hour": 2000.0,
        },
        {
            "method": "pop",
            "spent_gbp": 300.0,
            "share_of_grant": 0.03,
            "delivered_hours": None,
            "cost_per_hour": None,
        },
    ]
    assert rep["by_tgp"] == [
        {"tgp_id": None, "spent_gbp": 300.0, "delivered_hours": None, "cost_per_hour": None},
        {"tgp_id": "T1", "spent_gbp": 3000.0, "delivered_hours": 2.0, "cost_per_hour": 1500.0},
        {"tgp_id": "T2", "spent_gbp": 500.5, "delivered_hours": 1.0, "cost_per_hour": 500.5},
    ]
    off = spend_report(store, INTEL, delivered=delivered, unit="officer-hours")
    assert off["grant_gbp"] == 3_700_000.0 and off["delivered_hours"] == 6.0
    assert off["cost_per_hour"] == round(3800.5 / 6, 2)
    window = spend_report(store, INTEL, start=date(2025, 5, 1), end=date(2025, 6, 10))
    assert window["spent_gbp"] == 2500.5 and window["cost_per_hour"] is None
    with pytest.raises(PlannerError, match="positive amount"):
        spend_report(store, INTEL, grant_gbp=0)
    assert json.loads(json.dumps(rep))["spent_gbp"] == 3800.5


def test_empty_store_gives_empty_frames_not_errors(store):
    delivered = pd.DataFrame(
        {"tgp_id": ["T1"], "date": pd.to_datetime(["2025-05-01"]), "presence_minutes": [60.0]}
    )
    rep = spend_report(store, INTEL, delivered=delivered)
    assert (rep["spent_gbp"], rep["delivered_hours"], rep["cost_per_hour"]) == (0.0, 1.0, None)
    assert rep["by_method"] == [] and rep["by_tgp"] == []
    assert len(tasking_items(store, INTEL)) == 0 and len(days(store)) == 0
    r = tasking_review(store, INTEL, lpa="X", today=date(2025, 7, 1))
    assert r["actions"]["total"] == 0 and r["places"] == []
    assert pop_summary(pop_plans(store, INTEL))["plans"] == 0

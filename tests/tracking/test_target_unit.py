"""One unit for the patrol-hours target: delivery report and trajectory in the target's unit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from planner.errors import PlannerError
from planner.tracking.delivery import (
    DeliveryConfig,
    delivered_place_days,
    delivery_report,
    row_methods,
    trajectory,
)
from planner.tracking.dwell import dwell
from planner.units import check_unit, label

from .test_logs_delivery import layer, plan_frame, stay


@pytest.fixture
def delivered():
    tg = layer()
    pings = pd.concat(
        [
            stay("G1", "2025-11-03 10:00", 12),
            stay("G2", "2025-11-03 10:00", 12),
            stay("G1", "2025-11-04 10:00", 8),
            stay("G2", "2025-11-04 10:00", 8),
        ]
    )
    res = dwell(pings, tg)
    plan = plan_frame()
    meth = row_methods(
        res.rows,
        res.officers,
        np.array(["T1", "T2"]),
        officer_team=pd.Series({"G1": "GTF-1", "G2": "GTF-1"}),
        team_kind=pd.Series({"GTF-1": "gtf"}),
        plan=plan,
    )
    return plan, delivered_place_days(res.rows, meth, np.array(["T1", "T2"]))


def test_trajectory_counts_the_target_unit(delivered):
    plan, d = delivered
    rep = delivery_report(plan, d, as_of=date(2025, 11, 6))
    s = rep.summary()
    # default patrol-hours: presence (22 minutes: 12 + 2 held + 8), not officer-hours (44)
    assert s["target_unit"] == "patrol-hours"
    assert s["trajectory"]["unit"] == "patrol-hours"
    assert s["trajectory"]["delivered_hours"] == pytest.approx(round(22 / 60, 2))
    assert s["planned_target_unit_hours"] == pytest.approx(2.0)
    assert s["delivered_target_unit_hours"] == pytest.approx(round(22 / 60, 2))
    assert set(rep.trajectory.daily["unit"]) == {"patrol-hours"}
    # officer-hours: the pair x crew
    cfg = DeliveryConfig(target_unit="officer-hours")
    so = delivery_report(plan, d, as_of=date(2025, 11, 6), cfg=cfg).summary()
    assert so["trajectory"]["delivered_hours"] == pytest.approx(round(44 / 60, 2))
    assert so["planned_target_unit_hours"] == pytest.approx(3.0)  # T1 pair 2.0 + T2 single 1.0
    assert so["delivered_target_unit_hours"] == pytest.approx(round(44 / 60, 2))
    # officer-hours given for a patrol-hours target are refused, not mixed
    with pytest.raises(PlannerError, match="patrol-hours"):
        delivery_report(
            plan, d, as_of=date(2025, 11, 6), daily_officer_hours=pd.Series({"2025-11-03": 1.0})
        )


def test_trajectory_notes_name_the_unit():
    days = pd.date_range("2025-04-01", "2025-12-31")
    t = trajectory(pd.Series(80.0, index=days), date(2025, 12, 31))
    assert t.alert and t.unit == "patrol-hours"
    assert "patrol-hours short of 33,323 patrol-hours" in t.notes[0]
    o = trajectory(
        pd.Series(80.0, index=days), date(2025, 12, 31), DeliveryConfig(target_unit="officer-hours")
    )
    assert "officer-hours short" in o.notes[0]
    assert o.forecast_hours == t.forecast_hours  # the same numbers: the unit is the input's
    with pytest.raises(PlannerError, match="unknown hours unit"):
        trajectory(pd.Series(1.0, index=days), date(2025, 12, 31), DeliveryConfig(target_unit="h"))


def test_units_helpers():
    assert label(8330.75, "patrol-hours", 2) == "8,330.75 patrol-hours"
    assert check_unit("officer-hours") == "officer-hours"
    with pytest.raises(PlannerError):
        check_unit("hours")
    assert replace(DeliveryConfig(), target_unit="officer-hours").target_unit == "officer-hours"

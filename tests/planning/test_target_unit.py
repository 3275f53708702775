"""The plan against its target in one unit (patrol-hours or officer-hours), and the year check."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from builders import make_config, make_tgps  # noqa: E402

from planner.errors import PlannerError  # noqa: E402
from planner.planning.allocate import quarter_target_minutes  # noqa: E402
from planner.planning.schedule import plan_quarter, year_check  # noqa: E402


@pytest.fixture(scope="module")
def plans():
    cfg = make_config(6)
    p = plan_quarter(make_tgps(6), cfg, "2025Q4", seed=11)
    # an officer-hours target of the same patrol volume x the teams' mean crew (whole hours)
    co = replace(
        cfg,
        target_unit="officer-hours",
        annual_target_hours=float(round(cfg.annual_target_hours * cfg.mean_crew())),
    ).check()
    o = plan_quarter(make_tgps(6), co, "2025Q4", seed=11)
    return cfg, p, co, o


def test_patrol_hours_plan_states_its_unit(plans):
    cfg, p, _, _ = plans
    s = p.summary
    target = quarter_target_minutes(cfg, "2025Q4")
    assert s["target_unit"] == "patrol-hours"
    assert s["target_unit_hours"] == pytest.approx(target / 60)
    assert s["planned_target_unit_hours"] == pytest.approx(p.visits["minutes"].sum() / 60)
    assert s["over_target_unit_hours"] == pytest.approx((p.visits["minutes"].sum() - target) / 60)
    # officer-hours are shown alongside and said not to be the target's unit
    off = p.visits["officer_minutes"].sum() / 60
    assert any(f"{off:,.2f} officer-hours are shown alongside" in n for n in s["unit_notes"])


def test_mean_crew_weights_the_teams(plans):
    cfg = plans[0]
    w = np.array([t.officers * t.patrol_share * t.availability for t in cfg.teams])
    crew = np.array([cfg.method(t.method).crew for t in cfg.teams])
    assert cfg.mean_crew() == pytest.approx((w * crew).sum() / w.sum())


def test_officer_hours_plan_is_converted_and_says_where_it_lands(plans):
    _, _, co, o = plans
    s = o.summary
    target = quarter_target_minutes(co, "2025Q4")  # officer-minutes
    assert s["target_unit"] == "officer-hours"
    # the allocation works in patrol-minutes: the target over the crew estimate (refined from
    # the teams' mean crew to the crew the visits had)
    assert s["target_hours"] == pytest.approx(round(target / s["mean_crew"]) / 60)
    assert s["mean_crew"] != pytest.approx(co.mean_crew())  # this plan's visits are less crewed
    # the refined plan lands within 2% of the officer-hours target (measured: 1.0% short)
    assert abs(o.visits["officer_minutes"].sum() - target) <= 0.02 * target
    planned = o.visits["officer_minutes"].sum()
    assert s["planned_target_unit_hours"] == pytest.approx(planned / 60)
    over = planned - target
    assert s["over_target_unit_hours"] == pytest.approx(over / 60)
    if abs(over) > 0.5:  # the crew mix of the actual visits differs from the mean: it is said
        word = "more than" if over > 0 else "short of"
        assert any(word in n and "officer-hours" in n for n in s["unit_notes"])


def test_year_check_says_when_the_quarters_exceed_the_year(plans):
    cfg, p, co, o = plans
    ok = year_check([p.summary], cfg)
    assert ok["planned_hours"] == pytest.approx(p.summary["planned_target_unit_hours"])
    assert ok["notes"] == []
    small = replace(cfg, annual_target_hours=100)
    over = year_check([p.summary, p.summary], small)
    assert over["over_hours"] == pytest.approx(2 * p.summary["planned_target_unit_hours"] - 100)
    assert "more than the year's target of 100.0 patrol-hours" in over["notes"][0]
    with pytest.raises(PlannerError, match="planned in officer-hours"):
        year_check([o.summary], cfg)


def test_unknown_unit_is_refused():
    with pytest.raises(PlannerError, match="unknown hours unit"):
        replace(make_config(6), target_unit="hours").check()

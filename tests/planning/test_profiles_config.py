"""Harm profiles (timestamped vs month-only) and the configuration round trip."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from builders import make_config, make_tgps  # noqa: E402

from planner.errors import PlannerError  # noqa: E402
from planner.planning.config import Dosage, PlanConfig, default_config, teams_from_people  # noqa: E402
from planner.planning.profiles import band_index, default_profile, dow_weights, harm_profiles  # noqa: E402
from planner.schema import make_crimes  # noqa: E402


def test_band_index():
    cfg = PlanConfig()
    assert band_index(np.arange(24), cfg).tolist() == [h // 4 for h in range(24)]


def test_profiles_from_timestamps_match_brute_force():
    tgps = make_tgps(3)
    rng = np.random.default_rng(1)
    n = 400
    t_of = rng.integers(0, 3, n)
    x = 400000 + 1000 * t_of + rng.uniform(1, 199, n)
    y = 286000 + rng.uniform(1, 199, n)
    when = pd.Timestamp("2025-01-06") + pd.to_timedelta(rng.integers(0, 7 * 24 * 60, n), unit="min")
    crimes = make_crimes(x, y, "Violence and sexual offences", occurred_at=when)
    cfg = PlanConfig(profile_prior_weight=0.0)
    prof, timed = harm_profiles(tgps, crimes, cfg)
    assert timed.tolist() == np.bincount(t_of, minlength=3).tolist()
    # brute force count per TGP x weekday x band (all crimes have the same harm)
    for t in range(3):
        ref = np.zeros((7, 6))
        for w in when[t_of == t]:
            ref[w.day_of_week, w.hour // 4] += 1
        np.testing.assert_allclose(prof[t], ref / ref.sum())


def test_profile_shrinks_towards_pooled_and_month_only_gets_default():
    tgps = make_tgps(2)
    # all of TGP-001's crimes on Friday 22:00; TGP-002 has only month-level records
    when = pd.to_datetime(["2025-01-03 22:10"] * 10)
    c1 = make_crimes(np.full(10, 400100.0), np.full(10, 286100.0), "Robbery", occurred_at=when)
    c2 = make_crimes(np.full(5, 401100.0), np.full(5, 286100.0), "Robbery", month=["2025-01"] * 5)
    # shoplifting is not a profile type: it must not pull TGP-001's profile to Tuesday mornings
    c3 = make_crimes(
        np.full(30, 400100.0),
        np.full(30, 286100.0),
        "Shoplifting",
        occurred_at=pd.to_datetime(["2025-01-07 10:00"] * 30),
    )
    crimes = pd.concat([c1, c2, c3], ignore_index=True)
    cfg = PlanConfig()
    prof, timed = harm_profiles(tgps, crimes, cfg)
    assert timed.tolist() == [10, 0]
    assert harm_profiles(tgps, crimes, PlanConfig(profile_types=()))[1].tolist() == [40, 0]
    assert np.unravel_index(prof[0].argmax(), prof[0].shape) == (4, 5)
    np.testing.assert_allclose(prof[1], default_profile(cfg))
    np.testing.assert_allclose(prof.sum(axis=(1, 2)), 1.0)
    assert harm_profiles(tgps, None, cfg)[1].tolist() == [0, 0]
    w = dow_weights(prof, np.array([1.0, 0.0]))
    assert w.argmax() == 4
    assert w.sum() == pytest.approx(1.0)


def test_config_round_trip(tmp_path):
    cfg = make_config(4)
    p = cfg.save(tmp_path / "config.json")
    back = PlanConfig.load(p)
    assert back == cfg
    assert back.quarter_split == "equal"
    assert back.teams[4].start_date.isoformat() == "2025-11-17"


def test_config_validation():
    with pytest.raises(PlannerError, match="at least 10"):
        PlanConfig(dosage=Dosage(min_visit_minutes=8, visit_minutes=15)).check()
    with pytest.raises(PlannerError, match="shortest band"):
        PlanConfig(dosage=Dosage(max_visits_per_slot=5)).check()
    with pytest.raises(PlannerError, match="unknown key"):
        PlanConfig.from_dict({"annual_target_hours": 10, "bogus": 1})
    with pytest.raises(PlannerError, match="whole number of minutes"):
        PlanConfig(annual_target_hours=0.001).check()


def test_teams_from_people_tables():
    teams = pd.DataFrame(
        {
            "team_id": ["GTF-5", "LPA-Dudley", "LA-Dudley", "DUD-NT01", "X"],
            "name": "n",
            "kind": ["gtf", "lpa_patrol", "la_patrol", "neighbourhood", "other"],
            "lpa": [None, "Dudley", "Dudley", "Dudley", "Dudley"],
            "nbh_code": [None, None, None, "DUD-NT01", None],
            "start_date": pd.to_datetime(
                ["2025-11-17", "2024-04-01", "2024-04-01", "2020-01-01", "2020-01-01"]
            ),
        }
    )
    officers = pd.DataFrame(
        {
            "officer_id": [f"O{i}" for i in range(9)],
            "team_id": ["GTF-5"] * 3
            + ["LPA-Dudley"] * 2
            + ["LA-Dudley"]
            + ["DUD-NT01"] * 2
            + ["X"],
            "ward_code": ["W0"] * 6 + ["W1", "W2"] + ["W9"],
        }
    )
    out = {t.team_id: t for t in teams_from_people(teams, officers)}
    assert set(out) == {"GTF-5", "LPA-Dudley", "LA-Dudley", "DUD-NT01"}
    assert out["GTF-5"].method == "gtf"
    assert out["GTF-5"].lpa is None
    assert out["GTF-5"].officers == 3
    assert str(out["GTF-5"].start_date) == "2025-11-17"
    assert out["DUD-NT01"].method == "asb_patrol"
    assert out["DUD-NT01"].wards == ("W1", "W2")
    assert out["LA-Dudley"].shift.weekdays == (0, 1, 2, 3, 4, 5)
    cfg = default_config(teams, officers)
    assert len(cfg.teams) == 4

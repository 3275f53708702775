"""Exact splits: every level sums to the whole, in integer minutes."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from itertools import product

import numpy as np
import pandas as pd
import pytest

from planner.errors import PlannerError
from planner.planning.allocate import (
    allocate_quarter,
    capped_split,
    funding_year,
    largest_remainder,
    parse_quarter,
    quarter_target_minutes,
    split_days,
)
from planner.planning.config import PlanConfig


def hamilton(total, weights):
    """Reference largest-remainder with exact fractions (ties to the earlier index)."""
    s = sum(weights)
    quotas = [Fraction(total * w, s) for w in weights]
    base = [q.numerator // q.denominator for q in quotas]
    rem = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - base[i]), i))
    for i in order[:rem]:
        base[i] += 1
    return base


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        (10, [1, 1, 1]),
        (499845, [1, 1, 1, 1]),
        (7, [5, 3, 2, 0]),
        (1000, [3, 7, 11, 13, 17]),
        (1, [1, 1]),
    ],
)
def test_largest_remainder_matches_exact_hamilton(total, weights):
    got = largest_remainder(total, weights)
    assert got.tolist() == hamilton(total, weights)
    assert int(got.sum()) == total


def test_largest_remainder_rows_random_against_reference():
    rng = np.random.default_rng(3)
    w = rng.integers(0, 20, size=(50, 7))
    w[w.sum(axis=1) == 0, 0] = 1
    tot = rng.integers(0, 5000, size=50)
    got = largest_remainder(tot, w)
    for i in range(50):
        assert got[i].tolist() == hamilton(int(tot[i]), w[i].tolist())


def test_quarter_target_is_exactly_a_quarter_of_33323_hours():
    cfg = PlanConfig()
    assert cfg.annual_target_minutes == 33323 * 60
    mins = [quarter_target_minutes(cfg, q) for q in ("2025Q2", "2025Q3", "2025Q4", "2026Q1")]
    assert mins == [499845] * 4
    assert Fraction(mins[0], 60) == Fraction(33323, 4) == Fraction("8330.75")
    assert sum(mins) == cfg.annual_target_minutes


def test_quarter_split_by_days_sums_to_year():
    cfg = PlanConfig(quarter_split="days", annual_target_hours=1001)
    mins = [quarter_target_minutes(cfg, q) for q in ("2025Q2", "2025Q3", "2025Q4", "2026Q1")]
    assert sum(mins) == 1001 * 60
    assert mins == hamilton(1001 * 60, [91, 92, 92, 90])


def test_parse_quarter_and_funding_year():
    assert parse_quarter("2025Q4") == (date(2025, 10, 1), date(2025, 12, 31))
    assert parse_quarter("2026q1") == (date(2026, 1, 1), date(2026, 3, 31))
    assert funding_year(date(2026, 3, 31)) == 2025
    assert funding_year(date(2025, 4, 1)) == 2025
    with pytest.raises(PlannerError, match="not like 2025Q4"):
        parse_quarter("2025-10")
    with pytest.raises(PlannerError, match="not aligned"):
        quarter_target_minutes(PlanConfig(fy_start_month=5), "2025Q4")


def test_split_days_exact_weeks_and_days():
    dates = pd.date_range("2025-10-01", "2025-12-31")
    dow = [1, 1, 1, 1.2, 1.6, 1.8, 1.3]
    d = split_days(499845, dates, dow)
    assert int(d["minutes"].sum()) == 499845
    wk = d.groupby("week").agg(
        m=("minutes", "sum"), w=("week_minutes", "first"), n=("date", "size")
    )
    assert (wk["m"] == wk["w"]).all()
    assert wk["w"].tolist() == hamilton(499845, wk["n"].tolist())
    # a full week is split by the weekday weights exactly
    full = d.loc[d["week"] == pd.Timestamp("2025-10-06"), "minutes"].tolist()
    assert full == hamilton(
        int(wk.loc[pd.Timestamp("2025-10-06"), "w"]), [10, 10, 10, 12, 16, 18, 13]
    )


def test_capped_split_respects_bounds_and_sums():
    rng = np.random.default_rng(0)
    w = rng.uniform(0, 10, size=(30, 12))
    lo = np.full(12, 20)
    hi = np.full(12, 140)
    tot = rng.integers(12 * 20, 12 * 140, size=30)
    got = capped_split(tot, w, lo, hi)
    assert (got.sum(axis=1) == tot).all()
    assert (got >= lo).all()
    assert (got <= hi).all()
    # parts strictly inside the bounds are proportional to weight within one unit
    for i in range(30):
        inside = (got[i] > lo) & (got[i] < hi)
        if inside.sum() >= 2:
            ratio = got[i][inside] / w[i][inside]
            lam = (got[i][inside].sum()) / w[i][inside].sum()
            assert np.all(np.abs(got[i][inside] - lam * w[i][inside]) <= 1.0 + 1e-9 + 0 * ratio)


def test_capped_split_brute_force_small():
    # brute force: the integer vector within bounds summing to total closest (L1) to the
    # continuous water-filling solution is what we return
    w = np.array([5.0, 1.0, 1.0, 3.0])
    lo, hi, tot = np.array([2, 2, 2, 2]), np.array([6, 6, 6, 6]), 17
    got = capped_split(tot, w, lo, hi)[0]
    cands = [c for c in product(range(2, 7), repeat=4) if sum(c) == tot]
    lam = np.linspace(0, 10, 100001)
    s = np.clip(lam[:, None] * w, lo, hi).sum(axis=1)
    cont = np.clip(lam[np.argmin(np.abs(s - tot))] * w, lo, hi)
    best = min(np.abs(np.array(c) - cont).sum() for c in cands)
    assert np.abs(got - cont).sum() == pytest.approx(best, abs=1e-3)


def test_capped_split_infeasible_floors_message():
    with pytest.raises(
        PlannerError,
        match=r"floors need 40 minutes but only 30 are available \(short by 0.166667 h\)",
    ):
        capped_split(30, [1, 1], [20, 20], [50, 50], what="x")
    with pytest.raises(PlannerError, match="ceilings allow only 20 minutes of 30"):
        capped_split(30, [1, 1], [0, 0], [10, 10], what="x")


def test_allocate_quarter_exact_every_level():
    cfg = PlanConfig(annual_target_hours=33323)
    harm = np.array([900.0, 500.0, 300.0, 120.0, 60.0, 20.0] * 14)
    ids = [f"T{i}" for i in range(len(harm))]
    a = allocate_quarter(
        ids, harm, date(2025, 10, 1), date(2025, 12, 31), 499845, cfg, [1, 1, 1, 1, 1.5, 1.7, 1.2]
    )
    assert a.total_minutes == 499845
    assert (a.minutes.sum(axis=1) == a.days["minutes"].to_numpy()).all()
    wk = a.days.groupby("week")["minutes"].sum()
    assert int(wk.sum()) == 499845
    assert (a.visits >= a.floor[None, :]).all()
    # 15-minute visits: minutes = 15 x visits (499845 is a multiple of 15)
    assert (a.minutes == 15 * a.visits).all()
    # more harm, no fewer visits (same bounds): monotone in harm on every day
    assert (a.visits[:, 0] >= a.visits[:, 5]).all()


def test_allocate_remainder_minutes_not_lost():
    cfg = PlanConfig(annual_target_hours=Fraction(40001, 60) * 4)  # 40,001 minutes a quarter
    harm = np.array([3.0, 2.0, 1.0])
    a = allocate_quarter(
        ["a", "b", "c"],
        harm,
        date(2025, 10, 1),
        date(2025, 12, 31),
        40001,
        PlanConfig(annual_target_hours=2000, limits=cfg.limits),
    )
    assert a.total_minutes == 40001
    assert 40001 % 15 == 11
    assert int((a.minutes - 15 * a.visits).sum()) == 11


def test_per_tgp_override_floor_and_ceiling():
    from planner.planning.config import TgpLimits

    cfg = PlanConfig(limits=TgpLimits(overrides={"T1": (60, 60)}))
    harm = np.array([1000.0, 1.0, 1.0])
    a = allocate_quarter(
        ["T0", "T1", "T2"], harm, date(2025, 10, 1), date(2025, 10, 31), 31 * 300, cfg
    )
    assert (a.minutes[:, 1] == 60).all()
    assert (a.visits[:, 1] == 4).all()
    assert (a.minutes.sum(axis=1) == 300).all()
    assert (a.minutes[:, 0] <= a.ceiling[:, 0] * 15).all()

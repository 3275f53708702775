"""Mann-Kendall (against scipy and brute force) and Esri's 17 emerging-hotspot categories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from planner.errors import PlannerError
from planner.hotspots.emerging import CATEGORIES, classify, emerging_hotspots, mann_kendall
from planner.hotspots.grid import make_grid
from planner.schema import make_crimes


def test_mann_kendall_statistic_brute_force(rng):
    x = rng.integers(0, 5, (50, 12)).astype(float)  # many ties
    mk = mann_kendall(x)
    for row, s in zip(x, mk.s):
        assert s == sum(np.sign(row[j] - row[i]) for i in range(12) for j in range(i + 1, 12))
    # tie-corrected variance, by the textbook formula
    row = x[0]
    _, t = np.unique(row, return_counts=True)
    var = (12 * 11 * 29 - (t * (t - 1) * (2 * t + 5)).sum()) / 18
    assert mk.var[0] == pytest.approx(var)


def test_mann_kendall_matches_scipy_kendalltau(rng):
    x = np.vstack([rng.normal(size=(20, 15)), rng.integers(0, 4, (20, 15)).astype(float)])
    x[0] = np.arange(15)  # a perfect trend
    mk = mann_kendall(x, continuity=False)
    t = np.arange(15)
    for row, p in zip(x, mk.p):
        ref = stats.kendalltau(t, row, method="asymptotic").pvalue
        assert p == pytest.approx(ref, rel=1e-9, abs=1e-12)
    assert mk.trend()[0] == 1
    # the continuity-corrected z (pymannkendall's) is (S - sign S) / sqrt(var)
    mkc = mann_kendall(x[:1])
    assert mkc.z[0] == pytest.approx((mk.s[0] - 1) / np.sqrt(mk.var[0]))
    assert mann_kendall(np.ones((1, 8))).p[0] == 1.0


T = 10
Z = [0] * T


def _row(on):
    r = np.zeros(T, bool)
    r[list(on)] = True
    return r


# (hot steps, cold steps, trend, expected category): one constructed series per category
CASES = [
    (_row([9]), _row([]), 0, "New Hot Spot"),
    (_row([7, 8, 9]), _row([]), 0, "Consecutive Hot Spot"),
    (_row(range(1, 10)), _row([]), 1, "Intensifying Hot Spot"),
    (_row(range(1, 10)), _row([]), 0, "Persistent Hot Spot"),
    (_row(range(1, 10)), _row([]), -1, "Diminishing Hot Spot"),
    (_row([0, 2, 7, 9]), _row([]), 0, "Sporadic Hot Spot"),
    (_row([8, 9]), _row([2]), 0, "Oscillating Hot Spot"),
    (_row(range(9)), _row([]), 0, "Historical Hot Spot"),
    (_row([]), _row([9]), 0, "New Cold Spot"),
    (_row([]), _row([6, 7, 8, 9]), 0, "Consecutive Cold Spot"),
    (_row([]), _row(range(10)), -1, "Intensifying Cold Spot"),
    (_row([]), _row(range(10)), 0, "Persistent Cold Spot"),
    (_row([]), _row(range(1, 10)), 1, "Diminishing Cold Spot"),
    (_row([]), _row([1, 5, 9]), 0, "Sporadic Cold Spot"),
    (_row([3]), _row([9]), 0, "Oscillating Cold Spot"),
    (_row([]), _row(range(9)), 0, "Historical Cold Spot"),
    (_row([4, 5]), _row([]), 0, "No Pattern Detected"),
]


def test_every_category_has_a_case():
    assert sorted(c[3] for c in CASES) == sorted(CATEGORIES)
    assert len(CATEGORIES) == 17


@pytest.mark.parametrize(("hot", "cold", "trend", "expected"), CASES, ids=[c[3] for c in CASES])
def test_category_rules(hot, cold, trend, expected):
    assert classify(hot[None, :], cold[None, :], np.array([trend]))[0] == expected


def test_category_boundaries():
    # 8 of 10 hot steps (< 90%) ending hot with gaps is sporadic, not persistent
    assert (
        classify(_row([0, 1, 2, 3, 4, 5, 8, 9])[None], _row([])[None], np.array([0]))[0]
        == "Sporadic Hot Spot"
    )
    # a run of 2 at the end after earlier hot steps is sporadic, not consecutive
    assert classify(_row([1, 8, 9])[None], _row([])[None], np.array([0]))[0] == "Sporadic Hot Spot"
    # intensifying needs the final step hot: 9 of 10 hot ending not hot is historical
    assert classify(_row(range(9))[None], _row([])[None], np.array([1]))[0] == "Historical Hot Spot"
    # all classified at once (vectorised over rows)
    hot = np.vstack([c[0] for c in CASES])
    cold = np.vstack([c[1] for c in CASES])
    tr = np.array([c[2] for c in CASES])
    assert classify(hot, cold, tr).tolist() == [c[3] for c in CASES]


def test_emerging_end_to_end(rng):
    g = make_grid(shapely.box(0, 0, 1500, 1500), 100)
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    xs, ys, ms = [], [], []
    for k, m in enumerate(months):
        n = 300  # background noise
        xs.append(rng.uniform(0, 1500, n))
        ys.append(rng.uniform(0, 1500, n))
        ms += [m] * n
        a = 20 + 8 * k  # block A: hot every month and rising
        xs.append(rng.uniform(200, 500, a))
        ys.append(rng.uniform(200, 500, a))
        ms += [m] * a
        if k == 11:  # block B: appears in the final month only
            xs.append(rng.uniform(1000, 1300, 120))
            ys.append(rng.uniform(1000, 1300, 120))
            ms += [m] * 120
    c = make_crimes(np.concatenate(xs), np.concatenate(ys), ["Robbery"] * len(ms), month=ms)
    out = emerging_hotspots(g, c)
    pos = g.locate([350.0, 1150.0, 750.0], [350.0, 1150.0, 750.0])
    assert out["category"].iloc[pos[0]] == "Intensifying Hot Spot"
    assert out["category"].iloc[pos[1]] == "New Hot Spot"
    assert out["category"].iloc[pos[2]] == "No Pattern Detected"
    assert (out["steps"] == 12).all()


def test_weekly_steps():
    g = make_grid(shapely.box(0, 0, 300, 300), 100)
    occ = pd.to_datetime(
        ["2025-01-06 10:00", "2025-01-12 23:00", "2025-01-13 01:00", "2025-01-27 12:00"]
    )
    c = make_crimes([50, 150, 250, 50], [50, 50, 50, 250], "Robbery", occurred_at=occ)
    out = emerging_hotspots(g, c, freq="week")
    assert out["steps"].iloc[0] == 4  # weeks of 6, 13, 20 and 27 January
    c2 = make_crimes([50.0], [50.0], "Robbery", month=["2025-01"])
    with pytest.raises(PlannerError, match="occurred_at"):
        emerging_hotspots(g, c2, freq="week")

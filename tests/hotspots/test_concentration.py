"""Concentration measure (share of offences in the busiest cells) and the demo's calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from planner.hotspots.concentration import (
    concentration_table,
    matched_comparison,
    top_share,
)
from planner.schema import make_crimes


def test_top_share_exact_with_a_partial_cell():
    counts = np.array([1.0, 10.0, 5.0, 0.0])
    areas = np.array([100.0, 100.0, 100.0, 100.0])
    # 25% of 400 m2 = the busiest cell (10 of 16)
    assert top_share(counts, areas, 400.0, 0.25) == pytest.approx(10 / 16)
    # 37.5%: the busiest cell and half of the next (5 / 2)
    assert top_share(counts, areas, 400.0, 0.375) == pytest.approx(12.5 / 16)
    assert top_share(counts, areas, 400.0, 1.0) == pytest.approx(1.0)
    assert np.isnan(top_share(np.zeros(4), areas, 400.0, 0.5))


def test_concentration_table_against_brute_force(rng):
    poly = shapely.box(0, 0, 2000, 1000)  # 200 cells of 100 m
    x = np.concatenate([rng.uniform(0, 2000, 300), rng.uniform(100, 200, 100)])
    y = np.concatenate([rng.uniform(0, 1000, 300), rng.uniform(100, 200, 100)])
    t = ["Burglary"] * 300 + ["Robbery"] * 100
    c = make_crimes(x, y, t, month="2024-01")
    tab = concentration_table(c, poly, shares=(0.005, 0.05)).set_index("crime_type")
    # brute force: counts per 100 m cell, sorted
    cells = np.floor(x / 100).astype(int) * 10 + np.floor(y / 100).astype(int)
    for name, m in (("All", slice(None)), ("Burglary", slice(0, 300))):
        per = np.sort(np.bincount(cells[m], minlength=200))[::-1]
        # 0.5% of 200 cells = one cell; 5% = ten cells
        assert tab.loc[name, "top_0.5%"] == pytest.approx(per[0] / per.sum())
        assert tab.loc[name, "top_5%"] == pytest.approx(per[:10].sum() / per.sum())
    assert tab.loc["Robbery", "top_0.5%"] == pytest.approx(1.0)  # all in one cell
    assert tab.loc["All", "offences"] == 400


def test_matched_comparison_cuts_to_equal_volumes(rng):
    poly = shapely.box(0, 0, 2000, 1000)
    a = make_crimes(rng.uniform(0, 2000, 50), rng.uniform(0, 1000, 50), "Burglary", month="2024-01")
    b = make_crimes(rng.uniform(0, 2000, 80), rng.uniform(0, 1000, 80), "Burglary", month="2024-01")
    m = matched_comparison(a, b, poly).set_index("crime_type")
    assert m.loc["Burglary", "offences"] == 50 and m.loc["All", "offences"] == 50
    # the real side is not cut (it is the smaller one): its share equals the plain table's
    plain = concentration_table(a, poly).set_index("crime_type")
    assert m.loc["Burglary", "real_top_1%"] == pytest.approx(plain.loc["Burglary", "top_1%"])


def test_demo_month_is_as_concentrated_as_the_real_month():
    """The calibration of planner.demo.crime: one synthetic month, cut to the real 2018-06
    month's volume per type, holds the same share of its offences in the busiest 100 m cells
    covering 0.5%, 1% and 2.2% of the force as the real month, to within 0.03, for every type
    whose real share is below saturation (measured: within 0.025)."""
    from planner.demo.boundaries import load_wm_geography
    from planner.demo.crime import REAL_MONTH_FILE, synthesise
    from planner.io.crime import load_crimes

    geo = load_wm_geography()
    real = load_crimes(REAL_MONTH_FILE, boundary=geo.force).crimes
    syn = synthesise(real, geo.lsoas, np.random.default_rng(7), "2024-06", "2024-06")
    force = shapely.union_all(geo.force.geometry.to_numpy())
    m = matched_comparison(real, syn, force)
    checked = 0
    for s in ("0.5", "1", "2.2"):
        r, y = m[f"real_top_{s}%"], m[f"synthetic_top_{s}%"]
        live = (r < 0.98) & (m["crime_type"] != "All")
        assert (np.abs(r[live] - y[live]) <= 0.03).all(), m.loc[live].to_string()
        checked += int(live.sum())
    assert checked >= 15  # violence, ASB, vehicle, burglary, ... at one or more shares
    assert isinstance(m, pd.DataFrame)

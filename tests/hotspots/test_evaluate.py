"""Backtest measures on exact small cases; rolling-origin backtest; real Leicestershire series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from planner.errors import PlannerError
from planner.hotspots.config import BacktestConfig
from planner.hotspots.evaluate import backtest, build_cube, flag_top, measures
from planner.hotspots.grid import make_grid
from planner.hotspots.prospective import prospective_scores, space_kernel
from planner.schema import make_crimes


def test_measures_exact():
    area = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    train = np.array([9.0, 5, 1, 0, 0, 0, 0, 0, 0, 0])
    test = np.array([4.0, 2, 0, 3, 1, 0, 0, 0, 0, 0])
    harm = np.array([40.0, 2, 0, 3, 1, 0, 0, 0, 0, 0])
    mask = flag_top(train, area, 0.2)
    assert np.flatnonzero(mask).tolist() == [0, 1]
    m = measures(mask, area, train, test, harm)
    assert m["hit_rate"] == pytest.approx(6 / 10)
    assert m["pai"] == pytest.approx(0.6 / 0.2)
    assert m["harm_pai"] == pytest.approx((42 / 46) / 0.2)
    # best two cells on the test data hold 4 + 3 = 7
    assert m["pei"] == pytest.approx(0.6 / 0.7)
    assert m["rri"] == pytest.approx((14 / 15) / 0.6)


def test_flag_top_respects_clipped_areas():
    area = np.array([0.5, 1.0, 1.0, 0.25])
    s = np.array([4.0, 3.0, 2.0, 1.0])
    # total 2.75: a 0.55 share (1.5125) takes the first two (1.5); 0.5 (1.375) only the first
    assert flag_top(s, area, 0.55).tolist() == [True, True, False, False]
    assert flag_top(s, area, 0.5).tolist() == [True, False, False, False]
    # ties broken by the tiebreak array, then by cell order
    assert flag_top(np.zeros(4), np.ones(4), 0.5, tiebreak=np.array([0.0, 2, 1, 3])).tolist() == [
        False,
        True,
        False,
        True,
    ]


def test_prospective_weights_brute_force():
    g = make_grid(shapely.box(0, 0, 500, 300), 100)
    cube = np.zeros((3, g.n))
    cube[2, 7] = 1  # one event in the latest step
    cube[0, 0] = 2  # two events two steps back
    s = prospective_scores(g, cube, max_cells=2, max_steps=6)
    cx, cy = g.centres()
    d7 = np.hypot(cx - cx[7], cy - cy[7]) / 100
    d0 = np.hypot(cx - cx[0], cy - cy[0]) / 100
    exp = np.where(d7 <= 2, 1 / (1 + d7), 0) + np.where(d0 <= 2, 2 / ((1 + d0) * 3), 0)
    assert np.allclose(s, exp)
    assert space_kernel(g, 1).diagonal().tolist() == [1.0] * g.n


def _stable_scene(rng, months):
    xs, ys, ms = [], [], []
    for m in months:
        xs += [250.0] * 10  # one cell with 10 a month
        ys += [250.0] * 10
        ms += [m] * 10
        n = 20
        xs += list(rng.uniform(0, 1000, n))
        ys += list(rng.uniform(0, 1000, n))
        ms += [m] * n
    return make_crimes(xs, ys, ["Burglary"] * len(ms), month=ms)


def test_backtest_on_a_stable_hotspot(rng):
    g = make_grid(shapely.box(0, 0, 1000, 1000), 100)
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    c = _stable_scene(rng, months)
    res = backtest(g, c, train_months=6, test_months=2, area_share=0.01)
    assert res.origins == ["2024-07", "2024-08", "2024-09", "2024-10", "2024-11"]
    counts = res.methods["counts"]
    assert counts["pei"] == pytest.approx(1.0)
    assert counts["pai"] == pytest.approx(
        res.rows.query("method == 'counts'")["hit_rate"].mean() / 0.01
    )
    assert set(res.methods) == {"counts", "counts_recent", "kde", "gistar", "prospective"}
    assert res.methods[res.recommended]["pai"] >= counts["pai"]
    curve = res.curve[res.curve["method"] == "counts"]["hit_rate"].to_numpy()
    assert (np.diff(curve) >= 0).all() and len(curve) == 20
    few = backtest(
        g, c, train_months=6, test_months=2, area_share=0.01, config=BacktestConfig(n_origins=2)
    )
    assert few.origins == ["2024-07", "2024-11"]
    with pytest.raises(PlannerError, match="cannot hold"):
        backtest(g, c, train_months=11, test_months=2)


def test_cube_fills_month_gaps():
    g = make_grid(shapely.box(0, 0, 200, 100), 100)
    c = make_crimes(
        [50, 150, 150], [50, 50, 50], "Robbery", month=["2024-01", "2024-03", "2024-03"]
    )
    cube = build_cube(g, c)
    assert cube.months == ["2024-01", "2024-02", "2024-03"]
    assert cube.counts.tolist() == [[1, 0], [0, 0], [0, 2]]


@pytest.mark.realdata
def test_backtest_real_leicestershire(shared_data):
    """The published table's run (docs/backtest.md), cut to 3 origins to keep the test short."""
    from planner.io.boundaries import study_area
    from planner.io.crime import load_crimes

    area = study_area(
        shared_data / "boundaries" / "leicestershire" / "wards_2013_leicestershire.geojson"
    )
    res = load_crimes(shared_data / "crime" / "leicestershire", boundary=area)
    crimes = res.crimes
    assert crimes["month"].nunique() == 35
    g = make_grid(area, 250)
    bt = backtest(
        g,
        crimes,
        train_months=12,
        test_months=3,
        area_share=0.022,
        config=BacktestConfig(n_origins=3),
    )
    assert bt.origins == ["2020-12", "2021-10", "2022-08"]
    m = pd.DataFrame(bt.methods).T
    assert set(m.index) == {"counts", "counts_recent", "kde", "gistar", "prospective"}
    assert ((m["hit_rate"] > 0) & (m["hit_rate"] < 1)).all()
    assert (m["pei"] <= 1 + 1e-9).all()
    # the recommended method never scores below naive long-run counts
    assert m.loc[bt.recommended, "pai"] >= m.loc["counts", "pai"]
    # police.uk snap points: long-run counts beat the smoothers here (see docs/backtest.md)
    assert m.loc["counts", "pai"] > m.loc["kde", "pai"]

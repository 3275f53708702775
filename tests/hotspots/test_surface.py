"""planner.hotspots.surface and planner.hotspots.monthly against direct computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from planner.errors import PlannerError
from planner.hotspots.config import GiStarConfig
from planner.hotspots.gistar import grid_gistar
from planner.hotspots.grid import make_grid
from planner.hotspots.kde import kde_grid
from planner.hotspots.monthly import monthly_in_polygon
from planner.hotspots.surface import point_totals, surface


@pytest.fixture(scope="module")
def grid():
    return make_grid(shapely.box(0, 0, 1000, 1000), 100.0, clip=False)


@pytest.fixture(scope="module")
def points():
    rng = np.random.default_rng(7)
    # a dense cluster in one corner, a thin scatter elsewhere, two points outside the grid
    x = np.concatenate([rng.uniform(0, 200, 150), rng.uniform(0, 1000, 40), [-50.0, 1500.0]])
    y = np.concatenate([rng.uniform(0, 200, 150), rng.uniform(0, 1000, 40), [500.0, 500.0]])
    w = rng.uniform(1, 10, len(x))
    return x, y, w


def brute_totals(grid, x, y, w=None):
    """Per cell: the points whose cell (floor of the coordinates) is that cell, by brute force."""
    cx, cy = grid.centres()
    out = np.zeros(len(cx))
    for i, (a, b) in enumerate(zip(cx, cy, strict=True)):
        inside = (np.abs(x - a) < 50) & (np.abs(y - b) < 50)
        out[i] = inside.sum() if w is None else w[inside].sum()
    return out


def test_point_totals_match_brute_force(grid, points):
    x, y, w = points
    np.testing.assert_allclose(point_totals(grid, x, y), brute_totals(grid, x, y))
    np.testing.assert_allclose(point_totals(grid, x, y, w), brute_totals(grid, x, y, w))
    assert point_totals(grid, x, y).sum() == len(x) - 2  # the two outside points dropped


@pytest.mark.parametrize("weighted", [False, True])
def test_kde_surface_is_kde_grid(grid, points, weighted):
    x, y, w = points
    w = w if weighted else None
    s = surface(grid, x, y, "KDE", w)
    direct = np.asarray(kde_grid(grid, x, y, w))
    np.testing.assert_array_equal(s.values, direct)
    np.testing.assert_array_equal(s.keep, direct > 0)
    assert s.kind == "KDE" and s.gistar is None
    np.testing.assert_array_equal(surface(grid, x, y, "kde", w).values, direct)


@pytest.mark.parametrize("weighted", [False, True])
def test_gistar_surface_is_grid_gistar_of_brute_totals(grid, points, weighted):
    x, y, w = points
    w = w if weighted else None
    cfg = GiStarConfig(alpha=0.1)
    s = surface(grid, x, y, "Gi*", w, gistar=cfg)
    direct = grid_gistar(grid, brute_totals(grid, x, y, w), cfg)
    np.testing.assert_allclose(s.values, direct.z)
    np.testing.assert_array_equal(s.keep, direct.hot)
    assert s.keep.sum() > 0  # the corner cluster is a hot spot
    assert s.keep[np.argmax(brute_totals(grid, x, y, w))]
    np.testing.assert_allclose(surface(grid, x, y, "gistar", w, gistar=cfg).values, direct.z)


def test_unknown_surface(grid, points):
    x, y, _ = points
    with pytest.raises(PlannerError, match="unknown surface 'idw'"):
        surface(grid, x, y, "idw")


def test_monthly_in_polygon_matches_brute_force():
    rng = np.random.default_rng(3)
    poly = shapely.Polygon([(0, 0), (100, 0), (100, 60), (40, 100), (0, 100)])
    n = 500
    x, y = rng.uniform(-20, 120, n), rng.uniform(-20, 120, n)
    months = ["2025-01", "2025-02", "2025-03", "2025-04"]
    month = rng.integers(-1, 4, n)  # -1: no month
    harm = rng.uniform(0, 5, n)
    got = monthly_in_polygon(poly, x, y, month, months, harm)
    rows = []
    for k, m in enumerate(months):
        sel = [i for i in range(n) if month[i] == k and poly.contains(shapely.Point(x[i], y[i]))]
        rows.append({"month": m, "crimes": len(sel), "harm": float(harm[sel].sum())})
    expected = pd.DataFrame(rows)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert got["crimes"].dtype == "int64"
    assert got["crimes"].sum() > 0
    no_harm = monthly_in_polygon(poly, x, y, month, months)
    assert no_harm["harm"].tolist() == [0.0] * 4
    assert no_harm["crimes"].tolist() == expected["crimes"].tolist()

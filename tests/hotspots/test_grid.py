"""Grids: clipping, point-to-cell assignment (against brute force and sjoin), neighbours."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.crs import BNG
from planner.errors import PlannerError
from planner.hotspots.grid import cell_totals, make_grid
from planner.schema import make_crimes

L_SHAPE = shapely.Polygon([(0, 0), (300, 0), (300, 100), (150, 100), (150, 250), (0, 250)])


def test_square_grid_keeps_intersecting_cells_clipped():
    g = make_grid(L_SHAPE, 100)
    # lattice 3 x 3: the cells (row 1, col 2), (row 2, col 1) and (row 2, col 2) miss the L
    # except (row 2, col 1) which holds x 100..150, y 200..250
    assert g.kind == "square" and (g.nx, g.ny) == (3, 3)
    assert sorted(g.ids.tolist()) == [0, 1, 2, 3, 4, 6, 7]
    assert g.total_area == pytest.approx(L_SHAPE.area)
    area = dict(zip(g.ids.tolist(), g.area.tolist()))
    assert area[0] == pytest.approx(10_000)
    assert area[4] == pytest.approx(50 * 100)  # x 100..150 of the middle cell
    assert area[6] == pytest.approx(100 * 50)  # y 200..250
    assert area[7] == pytest.approx(50 * 50)
    assert all(shapely.within(geom, L_SHAPE.buffer(1e-6)) for geom in g.geometry)


def test_square_locate_matches_sjoin(rng):
    poly = shapely.Point(1000, 1000).buffer(900)
    g = make_grid(poly, 75)
    x, y = rng.uniform(50, 1950, 5000), rng.uniform(50, 1950, 5000)
    pos = g.locate(x, y)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=BNG)
    cells = g.to_frame()
    j = gpd.sjoin(pts, cells, predicate="within", how="left")
    j = j[~j.index.duplicated()]
    inside = ~j["index_right"].isna().to_numpy()
    # every point inside a clipped cell is assigned to that cell
    assert np.array_equal(pos[inside], j["index_right"].to_numpy()[inside].astype(int))
    # the rest are outside the study area: in the clipped-away part of an edge cell or nowhere
    assert not shapely.contains_xy(poly, x[~inside], y[~inside]).any()
    assert (pos[~inside] == -1).any() and (pos[~inside] >= 0).any()
    assert not shapely.contains_xy(poly, x[pos == -1], y[pos == -1]).any()


def test_hex_locate_is_nearest_centre(rng):
    poly = shapely.box(0, 0, 2000, 1500)
    g = make_grid(poly, 120, "hex")
    cx, cy = g.centres()
    x, y = rng.uniform(100, 1900, 4000), rng.uniform(100, 1400, 4000)
    pos = g.locate(x, y)
    d2 = (x[:, None] - cx[None, :]) ** 2 + (y[:, None] - cy[None, :]) ** 2
    assert np.array_equal(pos, d2.argmin(axis=1))
    whole = g.area[np.isclose(g.area, g.area.max())]
    assert whole[0] == pytest.approx(np.sqrt(3) / 2 * 120**2)
    assert g.total_area == pytest.approx(poly.area)


def test_hex_cells_contain_their_points(rng):
    poly = shapely.Point(0, 0).buffer(1000)
    g = make_grid(poly, 100, "hex")
    x, y = rng.uniform(-700, 700, 3000), rng.uniform(-700, 700, 3000)
    pos = g.locate(x, y)
    ok = pos >= 0
    assert ok.all()
    assert shapely.intersects_xy(g.geometry[pos], x, y).all()


def test_queen_neighbours_square_and_hex():
    g = make_grid(shapely.box(0, 0, 500, 500), 100)
    w = g.neighbours("queen")
    k = np.asarray(w.sum(axis=1)).ravel()
    # corner 4 (3 + self), edge 6, interior 9
    assert sorted(set(k.tolist())) == [4, 6, 9]
    assert (k == 9).sum() == 9 and (k == 4).sum() == 4
    assert (w != w.T).nnz == 0 and w.diagonal().min() == 1
    h = make_grid(shapely.box(0, 0, 1000, 1000), 100, "hex")
    kh = np.asarray(h.neighbours("queen").sum(axis=1)).ravel()
    assert kh.max() == 7
    # hex queen neighbours are exactly the cells at one centre spacing
    cx, cy = h.centres()
    d = np.hypot(cx[:, None] - cx[None, :], cy[:, None] - cy[None, :])
    assert np.array_equal(h.neighbours("queen").toarray() > 0, d < 100 * 1.01)


def test_distance_band_matches_brute_force():
    g = make_grid(shapely.box(0, 0, 800, 600), 100)
    w = g.neighbours("distance", 250).toarray()
    cx, cy = g.centres()
    d = np.hypot(cx[:, None] - cx[None, :], cy[:, None] - cy[None, :])
    assert np.array_equal(w > 0, d <= 250)
    with pytest.raises(PlannerError):
        g.neighbours("distance")


def test_cell_totals_filters_types_and_months():
    g = make_grid(shapely.box(0, 0, 200, 100), 100)
    c = make_crimes(
        [10, 20, 150, 150, 160],
        [10, 20, 50, 60, 70],
        ["Robbery", "Burglary", "Robbery", "Robbery", "Anti-social behaviour"],
        month=["2024-01", "2024-02", "2024-03", "2024-05", "2024-03"],
    )
    all_ = cell_totals(g, c)
    assert all_["count"].tolist() == [2, 3]
    rob = cell_totals(g, c, types=["Robbery"], start="2024-02", end="2024-04")
    assert rob["count"].tolist() == [0, 1]
    assert rob["harm"].iloc[1] == pytest.approx(c["harm"].iloc[2])
    assert all_["knife"].sum() == pytest.approx(c["knife_weight"].sum())


def test_bad_grids_raise():
    with pytest.raises(PlannerError, match="positive"):
        make_grid(L_SHAPE, 0)
    with pytest.raises(PlannerError, match="grid kind"):
        make_grid(L_SHAPE, 10, "triangle")

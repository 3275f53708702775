"""One force's hotspots over month and tile partitions: the tiles' KDE equals the whole
grid's to the last bit, and the partitioned cells agree with the one-pass surface (exact
summation as the reference for the KDE, esda-checked Gi* on the same totals)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from planner.hotspots.config import GiStarConfig, KDEConfig
from planner.hotspots.grid import make_grid
from planner.hotspots.kde import kde_exact, kde_grid, snap_bin, square_snap_density
from planner.hotspots.partitions import (
    PartitionConfig,
    lattice_only,
    month_bins,
    month_parts,
    partitioned_cells,
    tile_parts,
)
from planner.hotspots.surface import point_totals, surface

X0, Y0 = 400_000.0, 280_000.0


def _force():
    return shapely.Point(X0 + 3000, Y0 + 2500).buffer(2600)


def _crimes(rng, n=6000, snaps=400):
    """police.uk-like: crimes on a few hundred snap points (a tenth of them in a dense
    cluster), some just outside the force."""
    sx = rng.uniform(X0 - 200, X0 + 6200, snaps).round(2)
    sy = rng.uniform(Y0 - 200, Y0 + 5200, snaps).round(2)
    sx[:20] = (X0 + 2000 + rng.normal(0, 150, 20)).round(2)
    sy[:20] = (Y0 + 2600 + rng.normal(0, 150, 20)).round(2)
    pick = np.where(rng.uniform(size=n) < 0.3, rng.integers(0, 20, n), rng.integers(0, snaps, n))
    months = np.array([f"2025-{m:02d}" for m in range(1, 13)], dtype=object)
    return (
        sx[pick],
        sy[pick],
        rng.choice([1.0, 7.5, 30.0, 365.0], n),
        rng.choice([0.0, 0.25, 1.0], n),
        months[rng.integers(0, 12, n)],
    )


@pytest.mark.parametrize("tile", [1, 5, 16, 1000])
def test_tiles_equal_the_whole_grid_bit_for_bit(rng, tile):
    grid = make_grid(_force(), 100)
    x, y, harm, _, _ = _crimes(rng)
    ux, uy, uw = snap_bin(x, y, harm, 0.01)
    h = 250.0
    whole = square_snap_density(grid, ux, uy, uw, h)
    lite = lattice_only(grid)
    got = np.full(grid.n, np.nan)
    tiles = list(tile_parts(lite, ux, uy, uw, h, tile))
    for t in tiles:
        got[grid.lut[t.cells]] = square_snap_density(
            lite, t.loc_x, t.loc_y, t.loc_w, h, cells=t.cells
        )
    cells = np.concatenate([t.cells for t in tiles])
    assert sorted(cells.tolist()) == grid.ids.tolist()  # every kept cell in exactly one tile
    assert np.array_equal(got, whole)
    assert whole.max() > 0
    if tile < 1000:
        assert len(tiles) > 1 and max(len(t.loc_x) for t in tiles) < len(ux)


def test_month_parts_keep_every_crime_in_row_order():
    x = np.arange(7.0)
    m = np.array(["2025-02", "2025-01", None, "2025-02", "2025-01", "2025-03", None], dtype=object)
    parts = month_parts(x, x + 1, x * 2, x * 3, m, "harm")
    assert [p.month for p in parts] == ["2025-01", "2025-02", "2025-03", ""]
    assert [p.x.tolist() for p in parts] == [[1.0, 4.0], [0.0, 3.0], [5.0], [2.0, 6.0]]
    assert all(p.weight == "harm" for p in parts)
    assert parts[1].knife.tolist() == [0.0, 9.0]


def test_month_bins_count_against_brute_force(rng):
    grid = make_grid(_force(), 250)
    x, y, harm, knife, _ = _crimes(rng, n=800)
    (part,) = month_parts(x, y, harm, knife, np.full(len(x), "2025-05", dtype=object))
    b = month_bins(part, lattice_only(grid))
    # brute force: each crime against every kept cell's polygon (no point lies on an edge)
    inside = shapely.contains_xy(grid.geometry[:, None], x[None, :], y[None, :])
    want = inside.sum(axis=1)
    edge = grid.area < grid.cell_area - 1e-6  # clipped cells also own their clipped-away part
    assert np.array_equal(b.count[~edge], want[~edge])
    assert b.count.sum() == grid.locate(x, y).__ge__(0).sum()
    assert np.allclose(b.harm[~edge], (inside * harm).sum(axis=1)[~edge])
    assert b.points == 800 and np.isclose(b.loc_w.sum(), 800)  # count weights


@pytest.mark.parametrize("weight", ["count", "harm"])
def test_partitioned_kde_agrees_with_one_pass_and_exact_sum(rng, weight):
    grid = make_grid(_force(), 100)
    x, y, harm, knife, month = _crimes(rng)
    w = harm if weight == "harm" else None
    cols, summary = partitioned_cells(
        grid, x, y, harm, knife, month, "kde", weight, config=PartitionConfig(tile_cells=8)
    )
    one = surface(grid, x, y, "KDE", w)
    assert summary["months"] == 12 and summary["tiles"] > 4
    assert np.allclose(cols["kde"], one.values, rtol=1e-12, atol=1e-12)
    exact = kde_exact(*grid.centres(), x, y, w, 200.0)  # default bandwidth: two cells
    assert np.allclose(cols["kde"], exact, rtol=1e-6, atol=1e-9 * exact.max())
    assert np.array_equal(cols["count"], point_totals(grid, x, y).astype("int64"))
    assert np.allclose(cols["harm"], point_totals(grid, x, y, harm), rtol=1e-13)
    assert np.allclose(cols["knife"], point_totals(grid, x, y, knife), rtol=1e-13)


def test_partitioned_gistar_equals_one_pass(rng):
    grid = make_grid(_force(), 200)
    x, y, harm, knife, month = _crimes(rng)
    cfg = GiStarConfig(alpha=0.05)
    cols, summary = partitioned_cells(grid, x, y, harm, knife, month, "gistar", gistar=cfg)
    one = surface(grid, x, y, "Gi*", None, gistar=cfg).gistar
    assert one is not None and one.hot.sum() > 0
    assert np.array_equal(cols["gi_z"], one.z) and np.array_equal(cols["hot"], one.hot)
    assert summary["hot_cells"] == int(one.hot.sum()) and summary["tiles"] == 0
    colh, _ = partitioned_cells(grid, x, y, harm, knife, month, "gistar", "harm", gistar=cfg)
    oneh = surface(grid, x, y, "Gi*", harm, gistar=cfg).gistar
    assert oneh is not None
    assert np.allclose(colh["gi_z"], oneh.z, rtol=1e-12, atol=1e-12)


def test_exact_locations_and_hexagons_take_the_whole_raster_path(rng):
    """Not few distinct locations (or hexagons): the fine-raster KDE, as in one pass."""
    x = rng.uniform(X0 + 500, X0 + 5500, 3000)
    y = rng.uniform(Y0 + 500, Y0 + 4500, 3000)
    harm = np.ones(3000)
    month = np.full(3000, "2025-01", dtype=object)
    for kind in ("square", "hex"):
        grid = make_grid(_force(), 150, kind)
        cols, summary = partitioned_cells(grid, x, y, harm, harm, month, "kde")
        assert summary["tiles"] == 0
        assert np.array_equal(cols["kde"], kde_grid(grid, x, y, None, KDEConfig()))

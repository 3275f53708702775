"""Quartic KDE: FFT path against exact summation and scikit-learn; bandwidth rules."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy import integrate

from planner.errors import PlannerError
from planner.hotspots.config import KDEConfig
from planner.hotspots.grid import make_grid
from planner.hotspots.kde import kde_exact, kde_grid, kernel_values, resolve_bandwidth


@pytest.mark.parametrize("kernel", ["quartic", "epanechnikov", "tophat"])
def test_kernels_integrate_to_one(kernel):
    h = 3.0
    val, _ = integrate.quad(
        lambda r: 2 * np.pi * r * kernel_values(np.array([r]), h, kernel)[0], 0, h
    )
    assert val == pytest.approx(1.0, rel=1e-6)


def test_quartic_single_point_exact():
    # one point at a cell centre: density at distance d is 3/(pi h^2) (1 - d^2/h^2)^2 per m2
    g = make_grid(shapely.box(0, 0, 1000, 1000), 100)
    d = kde_grid(g, [550.0], [550.0], config=KDEConfig(bandwidth=250))
    cx, cy = g.centres()
    r = np.hypot(cx - 550, cy - 550)
    expected = np.where(r < 250, 3 / (np.pi * 250**2) * (1 - r**2 / 250**2) ** 2, 0) * 1e6
    assert np.allclose(d, expected, atol=1e-9)


@pytest.mark.parametrize("kind", ["square", "hex"])
def test_fft_matches_exact_sum(kind, rng):
    g = make_grid(shapely.Point(2500, 2500).buffer(2400), 100, kind)
    n = 5000
    x = np.concatenate([rng.normal(2000, 300, n), rng.uniform(300, 4700, n)])
    y = np.concatenate([rng.normal(2600, 250, n), rng.uniform(300, 4700, n)])
    w = rng.uniform(1, 10, 2 * n)
    fast = kde_grid(g, x, y, w)  # default: bandwidth 2 cells, oversample 3
    cx, cy = g.centres()
    exact = kde_exact(cx, cy, x, y, w, bandwidth=200)
    err = np.abs(fast - exact)
    # documented error (config.KDEConfig): ~1.5% of the peak at worst, ~1% on average
    assert err.max() / exact.max() < 0.03
    assert err.mean() / exact.mean() < 0.01


def test_harm_weighting_is_linear(rng):
    g = make_grid(shapely.box(0, 0, 2000, 2000), 100)
    x, y = rng.uniform(0, 2000, 500), rng.uniform(0, 2000, 500)
    assert np.allclose(kde_grid(g, x, y, np.full(500, 2.5)), 2.5 * kde_grid(g, x, y))


def test_epanechnikov_matches_sklearn(rng):
    from sklearn.neighbors import KernelDensity

    g = make_grid(shapely.box(0, 0, 3000, 3000), 100)
    x, y = rng.uniform(200, 2800, 3000), rng.uniform(200, 2800, 3000)
    h = 300.0
    fast = kde_grid(g, x, y, config=KDEConfig(bandwidth=h, oversample=5), kernel="epanechnikov")
    cx, cy = g.centres()
    kd = KernelDensity(kernel="epanechnikov", bandwidth=h).fit(np.column_stack([x, y]))
    ref = np.exp(kd.score_samples(np.column_stack([cx, cy]))) * len(x) * 1e6
    assert np.allclose(
        kde_exact(cx, cy, x, y, bandwidth=h, kernel="epanechnikov"), ref, rtol=1e-6, atol=1e-9
    )
    assert np.abs(fast - ref).max() / ref.max() < 0.02


def test_bandwidth_rules():
    assert resolve_bandwidth(100) == 200
    assert resolve_bandwidth(100, KDEConfig(bandwidth=150)) == 150
    with pytest.raises(PlannerError, match="below the cell size"):
        resolve_bandwidth(100, KDEConfig(bandwidth=50))
    g = make_grid(shapely.box(0, 0, 500, 500), 100)
    with pytest.raises(PlannerError, match="below the cell size"):
        kde_grid(g, [1.0], [1.0], config=KDEConfig(bandwidth=99))
    with pytest.raises(PlannerError, match="odd"):
        kde_grid(g, [1.0], [1.0], config=KDEConfig(oversample=2))


@pytest.mark.parametrize("bandwidth", [100.0, 250.0, 420.0])
def test_direct_path_equals_fft_path(bandwidth, rng):
    g = make_grid(shapely.Point(1500, 1500).buffer(1400), 100)
    x, y = rng.uniform(100, 2900, 3000), rng.uniform(100, 2900, 3000)
    w = rng.uniform(0.5, 3, 3000)
    direct = kde_grid(g, x, y, w, KDEConfig(bandwidth=bandwidth))
    fft = kde_grid(g, x, y, w, KDEConfig(bandwidth=bandwidth, direct_max_taps=0))
    assert np.abs(direct - fft).max() <= 1e-5 * fft.max()


def test_snap_path_is_exact_and_chosen_for_snap_points(rng):
    """Points on few distinct locations (police.uk snap points): the snap path equals the exact
    sum to rounding, and "auto" picks it; the binned path stays within its documented error."""
    g = make_grid(shapely.box(0, 0, 3000, 2000), 100)
    sx, sy = rng.uniform(0, 3000, 150), rng.uniform(0, 2000, 150)
    pick = rng.integers(0, 150, 4000)
    x, y, w = sx[pick], sy[pick], rng.uniform(1, 5, 4000)
    cx, cy = g.centres()
    exact = kde_exact(cx, cy, x, y, w, bandwidth=250)
    snap = kde_grid(g, x, y, w, KDEConfig(bandwidth=250, method="snap"))
    auto = kde_grid(g, x, y, w, KDEConfig(bandwidth=250))
    binned = kde_grid(g, x, y, w, KDEConfig(bandwidth=250, method="binned"))
    assert np.abs(snap - exact).max() <= 1e-4 * exact.max()  # only the 1 cm binning lattice
    assert np.array_equal(auto, snap)
    assert np.abs(binned - exact).max() <= 0.03 * exact.max()
    # distinct points everywhere: "auto" falls back to the binned raster
    ux, uy = rng.uniform(0, 3000, 500), rng.uniform(0, 2000, 500)
    assert np.array_equal(
        kde_grid(g, ux, uy, config=KDEConfig(bandwidth=250)),
        kde_grid(g, ux, uy, config=KDEConfig(bandwidth=250, method="binned")),
    )

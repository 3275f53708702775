"""Gi*: equal to esda G_Local(star=True); BH and Holm against scipy and brute force."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely
from scipy import sparse, stats

from planner.errors import PlannerError
from planner.hotspots.config import GiStarConfig
from planner.hotspots.gistar import bh_adjust, gistar, gistar_z, grid_gistar, holm_adjust
from planner.hotspots.grid import make_grid


def _esda_z(values, w):
    import esda
    from libpysal.weights import WSP

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        W = WSP(sparse.csr_matrix(w)).to_W(silence_warnings=True)
        return esda.G_Local(values, W, transform="B", star=True, permutations=0).Zs


@pytest.mark.parametrize(
    ("kind", "rule", "dist"),
    [("square", "queen", None), ("hex", "queen", None), ("square", "distance", 250.0)],
)
def test_z_equals_esda(kind, rule, dist, rng):
    g = make_grid(shapely.Point(0, 0).buffer(1500), 100, kind)
    x = rng.poisson(2.0, g.n).astype(float)
    x[:40] += 15  # a cluster
    w = g.neighbours(rule, dist)
    z = gistar_z(x, w)
    assert np.allclose(z, _esda_z(x, w), rtol=1e-10, atol=1e-10)


def test_hand_computed_gistar():
    # 4 cells in a row, neighbours = self and adjacent
    x = np.array([1.0, 2.0, 3.0, 10.0])
    w = sparse.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1]], float))
    n, xbar = 4, 4.0
    s = np.sqrt((x**2).mean() - xbar**2)
    wi = np.array([2, 3, 3, 2.0])
    exp = (w @ x - xbar * wi) / (s * np.sqrt((n * wi - wi**2) / (n - 1)))
    assert np.allclose(gistar_z(x, w), exp)
    res = gistar(x, w, GiStarConfig(correction="none"))
    assert np.allclose(res.p, 2 * stats.norm.sf(np.abs(exp)))
    assert np.allclose(gistar_z(np.ones(4), w), 0)


def test_two_dimensional_input_is_per_column(rng):
    g = make_grid(shapely.box(0, 0, 1000, 1000), 100)
    w = g.neighbours()
    X = rng.poisson(3.0, (g.n, 4)).astype(float)
    Z = gistar_z(X, w)
    for j in range(4):
        assert np.allclose(Z[:, j], gistar_z(X[:, j], w))


def test_bh_equals_scipy(rng):
    p = rng.uniform(0, 1, 2000) ** 4
    p[:10] = p[10:20]  # ties
    assert np.allclose(bh_adjust(p), stats.false_discovery_control(p, method="bh"))


def test_holm_equals_brute_force(rng):
    p = rng.uniform(0, 0.2, 300)
    n = len(p)
    order = np.argsort(p)
    adj = np.empty(n)
    running = 0.0
    for rank, i in enumerate(order):  # the textbook step-down loop
        running = max(running, min(1.0, (n - rank) * p[i]))
        adj[i] = running
    assert np.allclose(holm_adjust(p), adj)


def test_grid_gistar_finds_planted_cluster(rng):
    g = make_grid(shapely.box(0, 0, 3000, 3000), 100)
    x = rng.poisson(1.0, g.n).astype(float)
    cx, cy = g.centres()
    block = (np.abs(cx - 1550) < 200) & (np.abs(cy - 1550) < 200)
    x[block] += 12
    res = grid_gistar(g, x)
    assert res.hot[block].all()
    assert res.hot.sum() < 4 * block.sum()
    holm = grid_gistar(g, x, GiStarConfig(correction="holm"))
    assert holm.hot.sum() <= res.hot.sum()
    with pytest.raises(PlannerError):
        gistar_z(np.ones(3), sparse.identity(4))

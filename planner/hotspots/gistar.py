"""Getis-Ord Gi* (analytic, sparse) with Benjamini-Hochberg and Holm corrections.

For values ``x`` on ``n`` cells and binary weights ``W`` that include each cell itself,

    Gi*_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n S1_i - W_i**2) / (n - 1)))

with ``xbar`` the mean, ``S**2`` the (population) variance of ``x``, ``W_i = sum_j w_ij`` and
``S1_i = sum_j w_ij**2`` (Getis and Ord 1995). This is exactly the z-score of PySAL esda's
``G_Local(y, w, transform="B", star=True)`` (tested in ``tests/hotspots``); the whole
computation is two sparse matrix-vector products. p-values are two-sided normal.

Examples
--------
>>> import numpy as np
>>> bh_adjust(np.array([0.01, 0.04, 0.03])).round(3).tolist()
[0.03, 0.04, 0.04]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from planner.errors import PlannerError
from planner.hotspots.config import GiStarConfig


@dataclass
class GiStarResult:
    """z-scores, two-sided p-values and corrected p-values (``q``) per cell."""

    z: np.ndarray
    p: np.ndarray
    q: np.ndarray
    alpha: float
    correction: str

    @property
    def hot(self) -> np.ndarray:
        """Significant hot spots (positive z, corrected p below alpha)."""
        return (self.z > 0) & (self.q < self.alpha)

    @property
    def cold(self) -> np.ndarray:
        """Significant cold spots (negative z, corrected p below alpha)."""
        return (self.z < 0) & (self.q < self.alpha)

    def to_frame(self) -> pd.DataFrame:
        """Return the per-cell results as a table.

        Returns
        -------
        pandas.DataFrame
            Columns ``gi_z``, ``gi_p`` and ``gi_q``, one row per cell.
        """
        return pd.DataFrame({"gi_z": self.z, "gi_p": self.p, "gi_q": self.q})


def gistar_z(x: np.ndarray, w: sparse.spmatrix) -> np.ndarray:
    """Gi* z-scores of values ``x`` under binary weights ``w`` (self included on the diagonal).

    Parameters
    ----------
    x : numpy.ndarray
        Values per cell; 2-D (cells x time steps) tests each column on its own.
    w : scipy.sparse.spmatrix
        Binary n x n weights including each cell itself.

    Returns
    -------
    numpy.ndarray
        z-scores shaped like ``x``; all 0 when ``x`` is constant (no variance).

    Raises
    ------
    PlannerError
        When ``w`` does not match ``x`` or there are fewer than 3 cells.

    Examples
    --------
    Five cells in a row, each a neighbour of itself and the cells either side; the busy end is hot:

    >>> import numpy as np
    >>> from scipy import sparse
    >>> w = sparse.diags([1.0, 1.0, 1.0], [-1, 0, 1], shape=(5, 5))
    >>> gistar_z(np.array([9.0, 8, 1, 0, 0]), w).round(2).tolist()
    [1.99, 1.46, -0.36, -1.99, -1.46]
    """
    x = np.asarray(x, dtype="float64")
    n = x.shape[0]
    if w.shape != (n, n):
        raise PlannerError(f"weights are {w.shape[0]}x{w.shape[1]} but there are {n} values")
    if n < 3:
        raise PlannerError("Gi* needs at least 3 cells")
    w = sparse.csr_matrix(w)
    xbar = x.mean(axis=0)
    s = np.sqrt(np.clip((x * x).mean(axis=0) - xbar * xbar, 0.0, None))
    wi = np.asarray(w.sum(axis=1)).ravel()
    s1 = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    if x.ndim == 2:
        wi, s1 = wi[:, None], s1[:, None]
    num = w @ x - xbar * wi
    den = s * np.sqrt(np.clip(n * s1 - wi * wi, 0.0, None) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(den > 0, num / den, 0.0)
    return z


def two_sided_p(z: np.ndarray) -> np.ndarray:
    """Two-sided normal p-value ``2 * (1 - Phi(|z|))`` (= ``2 * scipy.stats.norm.sf(|z|)``).

    Parameters
    ----------
    z : numpy.ndarray
        z-scores.

    Returns
    -------
    numpy.ndarray
        p-values, shaped like ``z``.

    Examples
    --------
    >>> import numpy as np
    >>> two_sided_p(np.array([0.0, 1.959964])).round(4).tolist()
    [1.0, 0.05]
    """
    from scipy.special import erfc

    return erfc(np.abs(z) / np.sqrt(2.0))


def bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), vectorised.

    Equal to ``scipy.stats.false_discovery_control(p, method="bh")``.

    Parameters
    ----------
    p : numpy.ndarray
        Raw p-values (any order).

    Returns
    -------
    numpy.ndarray
        q-values in the order of ``p``, at most 1.

    Examples
    --------
    >>> import numpy as np
    >>> bh_adjust(np.array([0.01, 0.04, 0.03, 0.5])).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    p = np.asarray(p, dtype="float64")
    n = p.size
    if n == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def holm_adjust(p: np.ndarray) -> np.ndarray:
    """Holm (step-down Bonferroni) adjusted p-values, vectorised.

    Parameters
    ----------
    p : numpy.ndarray
        Raw p-values (any order).

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the order of ``p``, at most 1.

    Examples
    --------
    >>> import numpy as np
    >>> holm_adjust(np.array([0.01, 0.04, 0.03])).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype="float64")
    n = p.size
    if n == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * (n - np.arange(n))
    adj = np.maximum.accumulate(np.minimum(ranked, 1.0))
    out = np.empty(n)
    out[order] = adj
    return out


def adjust(p: np.ndarray, correction: str) -> np.ndarray:
    """Correct p-values for multiple testing.

    Parameters
    ----------
    p : numpy.ndarray
        Raw p-values.
    correction : str
        ``"fdr_bh"`` (also ``"fdr"``, ``"bh"``), ``"holm"`` or ``"none"``.

    Returns
    -------
    numpy.ndarray
        Corrected p-values (a copy of ``p`` for ``"none"``).

    Raises
    ------
    PlannerError
        For an unknown correction.
    """
    if correction in ("fdr_bh", "fdr", "bh"):
        return bh_adjust(p)
    if correction == "holm":
        return holm_adjust(p)
    if correction == "none":
        return np.asarray(p, dtype="float64").copy()
    raise PlannerError(f"unknown correction '{correction}'; use fdr_bh, holm or none")


def gistar(x: np.ndarray, w: sparse.spmatrix, config: GiStarConfig | None = None) -> GiStarResult:
    """Gi* z, two-sided p and corrected p for values on cells.

    Parameters
    ----------
    x : numpy.ndarray
        Values per cell (2-D: cells x time steps).
    w : scipy.sparse.spmatrix
        Binary weights including each cell itself.
    config : GiStarConfig, optional
        Significance level and correction (default :class:`GiStarConfig`).

    Returns
    -------
    GiStarResult
        z, p, q and the ``hot``/``cold`` masks.
    """
    config = config or GiStarConfig()
    z = gistar_z(x, w)
    p = two_sided_p(z)
    return GiStarResult(
        z=z, p=p, q=adjust(p, config.correction), alpha=config.alpha, correction=config.correction
    )


def grid_gistar(grid, values: np.ndarray, config: GiStarConfig | None = None) -> GiStarResult:
    """Gi* on a :class:`~planner.hotspots.grid.Grid` with the neighbour rule of ``config``.

    Parameters
    ----------
    grid : Grid
        The cells the values belong to.
    values : numpy.ndarray
        One value per kept cell (e.g. crime counts).
    config : GiStarConfig, optional
        Neighbour rule (queen, rook or distance), significance level and correction.

    Returns
    -------
    GiStarResult
        z, p, q and the ``hot``/``cold`` masks per cell.

    Examples
    --------
    >>> import numpy as np
    >>> import shapely
    >>> from planner.hotspots.grid import make_grid
    >>> grid = make_grid(shapely.box(0, 0, 1000, 1000), 100)
    >>> counts = np.zeros(grid.n)
    >>> counts[:3] = 30
    >>> res = grid_gistar(grid, counts)
    >>> int(res.hot.sum()), int(res.cold.sum())
    (6, 0)
    """
    config = config or GiStarConfig()
    w = grid.neighbours(config.neighbours, config.distance, self_weight=True)
    return gistar(values, w, config)

"""A hotspot surface on a grid from crime points: KDE density or Getis-Ord Gi* hot spots.

One call for the app's map layers and ``planner hotspots --method kde|gistar``::

    s = surface(grid, x, y, "Gi*", weights=harm)
    s.values[s.keep]     # z-scores of the significant hot-spot cells
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.errors import PlannerError
from planner.hotspots.config import GiStarConfig, KDEConfig
from planner.hotspots.gistar import GiStarResult, grid_gistar
from planner.hotspots.grid import Grid
from planner.hotspots.kde import kde_grid

#: surface kinds and the names they are also known by (CLI ``--method``)
SURFACES: dict[str, str] = {"KDE": "KDE", "kde": "KDE", "Gi*": "Gi*", "gistar": "Gi*"}


@dataclass(frozen=True)
class Surface:
    """A surface over the cells of a grid.

    ``values`` per cell (KDE: density per km²; Gi*: z-score), ``keep`` the cells worth drawing
    (KDE: density above zero; Gi*: significant hot spots), ``totals`` the (weighted) point count
    per cell and, for Gi*, the full :class:`~planner.hotspots.gistar.GiStarResult`.
    """

    kind: str
    values: np.ndarray
    keep: np.ndarray
    totals: np.ndarray
    gistar: GiStarResult | None = None


def point_totals(grid: Grid, x: np.ndarray, y: np.ndarray, weights=None) -> np.ndarray:
    """Points (or their weights) summed per grid cell; points outside the grid are dropped.

    Parameters
    ----------
    grid : Grid
        The grid.
    x, y : array
        Point coordinates in the grid's CRS.
    weights : array, optional
        A weight per point (e.g. harm); a count when None.

    Returns
    -------
    numpy.ndarray
        Float totals, one per cell of ``grid`` (``len(grid.ids)``).
    """
    pos = grid.locate(np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"))
    ok = pos >= 0
    w = None if weights is None else np.asarray(weights, dtype="float64")[ok]
    return np.bincount(pos[ok], weights=w, minlength=len(grid.ids)).astype("float64")


def surface(
    grid: Grid,
    x: np.ndarray,
    y: np.ndarray,
    kind: str,
    weights=None,
    *,
    kde: KDEConfig | None = None,
    gistar: GiStarConfig | None = None,
) -> Surface:
    """The ``kind`` surface of the points ``x, y`` (weighted by ``weights``) on ``grid``.

    Parameters
    ----------
    grid : Grid
        The grid (:func:`planner.hotspots.grid.make_grid`).
    x, y : array
        Point coordinates in the grid's CRS (EPSG:27700).
    kind : {"KDE", "Gi*"}
        Quartic kernel density (:func:`planner.hotspots.kde.kde_grid`) or Getis-Ord Gi*
        z-scores of the cell totals (:func:`planner.hotspots.gistar.grid_gistar`); ``"kde"``
        and ``"gistar"`` are accepted too.
    weights : array, optional
        A weight per point (harm); counts when None.
    kde, gistar : config, optional
        The method's configuration (defaults :class:`KDEConfig`, :class:`GiStarConfig`).

    Returns
    -------
    Surface
        Values per cell, the cells to draw and the per-cell totals.
    """
    name = SURFACES.get(kind)
    if name is None:
        raise PlannerError(f"unknown surface '{kind}'; choose KDE or Gi*")
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    w = None if weights is None else np.asarray(weights, dtype="float64")
    totals = point_totals(grid, x, y, w)
    if name == "KDE":
        vals = np.asarray(kde_grid(grid, x, y, w, kde))
        return Surface(name, vals, vals > 0, totals)
    res = grid_gistar(grid, totals, gistar)
    return Surface(name, np.asarray(res.z), np.asarray(res.hot, dtype=bool), totals, res)

"""Point-in-study-area tests without dissolving the layer first.

Dissolving a polygon layer (``shapely.union_all`` of 600 LSOAs takes seconds) only to ask
which points lie inside it is the slow way round. :class:`AreaTest` answers the same question
exactly from the layer's own polygons: a point in the interior of any polygon is in the
interior of their union; a point in no (closed) polygon is outside it; only a point on some
polygon's boundary but inside none (on a shared edge, or on the outer edge) needs the dissolved
geometry, which is then built once, on demand. The result equals
``shapely.contains_xy(shapely.union_all(polygons), x, y)`` for valid polygons; a layer with an
invalid polygon is dissolved up front.
"""

from __future__ import annotations

import math

import numpy as np
import shapely


class AreaTest:
    """Which points are inside the union of polygons (EPSG:27700), exactly.

    Parameters
    ----------
    polygons
        Array of shapely polygons or multipolygons (a single geometry is accepted too).
    """

    #: grid cell side as a share of the median polygon's bounding-box side
    CELL_SHARE = 0.25
    #: at most this many grid cells
    MAX_CELLS = 4_000_000

    def __init__(self, polygons) -> None:
        geoms = np.atleast_1d(np.asarray(polygons, dtype=object))
        geoms = geoms[~shapely.is_empty(geoms)] if len(geoms) else geoms
        self.geoms = geoms
        self._union = None
        if len(geoms) and not shapely.is_valid(geoms).all():
            self._union = shapely.union_all(geoms)
            shapely.prepare(self._union)
            return
        shapely.prepare(geoms)
        if len(geoms) == 0:
            return
        gb = shapely.bounds(geoms)
        x0, y0 = gb[:, 0].min(), gb[:, 1].min()
        w, h = gb[:, 2].max() - x0, gb[:, 3].max() - y0
        side = np.sqrt(np.maximum((gb[:, 2] - gb[:, 0]) * (gb[:, 3] - gb[:, 1]), 1.0))
        cs = max(float(np.median(side)) * self.CELL_SHARE, 1.0)
        cs = max(cs, math.sqrt(max(w * h, 1.0) / self.MAX_CELLS))
        self.x0, self.y0, self.cs = x0, y0, cs
        self.nx = int(w // cs) + 1
        self.ny = int(h // cs) + 1
        i0 = ((gb[:, 0] - x0) // cs).astype(np.int64)
        i1 = ((gb[:, 2] - x0) // cs).astype(np.int64)
        j0 = ((gb[:, 1] - y0) // cs).astype(np.int64)
        j1 = ((gb[:, 3] - y0) // cs).astype(np.int64)
        wd, ht = i1 - i0 + 1, j1 - j0 + 1
        cnt = wd * ht
        k = np.repeat(np.arange(len(geoms)), cnt)
        r = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        cell = (j0[k] + r // wd[k]) * self.nx + i0[k] + r % wd[k]
        order = np.argsort(cell, kind="stable")
        self.cell_poly = k[order]
        self.ptr = np.r_[0, np.cumsum(np.bincount(cell, minlength=self.nx * self.ny))]

    @property
    def union(self):
        """The dissolved layer (built on first use)."""
        if self._union is None:
            self._union = shapely.union_all(self.geoms)
            shapely.prepare(self._union)
        return self._union

    def _pairs(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        i = np.floor((x - self.x0) / self.cs)
        j = np.floor((y - self.y0) / self.cs)
        ok = (i >= 0) & (i < self.nx) & (j >= 0) & (j < self.ny)
        pt = np.flatnonzero(ok)
        cell = j[pt].astype(np.int64) * self.nx + i[pt].astype(np.int64)
        cnt = self.ptr[cell + 1] - self.ptr[cell]
        a = np.repeat(pt, cnt)
        off = np.arange(len(a)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        b = self.cell_poly[np.repeat(self.ptr[cell], cnt) + off]
        return a, b

    def contains_xy(self, x, y) -> np.ndarray:
        """Boolean array: point ``(x[i], y[i])`` is in the interior of the union.

        Parameters
        ----------
        x, y : array-like of float
            Point coordinates in the layer's CRS (EPSG:27700), of equal length.

        Returns
        -------
        numpy.ndarray of bool
            One flag per point.
        """
        x = np.asarray(x, np.float64)
        y = np.asarray(y, np.float64)
        n = len(x)
        if n == 0 or len(self.geoms) == 0:
            return np.zeros(n, bool)
        if self._union is not None and not hasattr(self, "ptr"):
            return shapely.contains_xy(self._union, x, y)
        a, b = self._pairs(x, y)
        inside = np.zeros(n, bool)
        hit = shapely.contains_xy(self.geoms[b], x[a], y[a])
        inside[a[hit]] = True
        rest = ~inside[a]
        a, b = a[rest], b[rest]
        touch = shapely.intersects_xy(self.geoms[b], x[a], y[a])
        amb = np.unique(a[touch])
        if len(amb):  # on a boundary: only the dissolved layer knows
            inside[amb] = shapely.contains_xy(self.union, x[amb], y[amb])
        return inside

"""The geofence index: TGP polygons with a boundary grid for exact segment-in-polygon pieces.

See :mod:`planner.tracking.dwell` for the model. A fine grid over the TGPs marks every cell
that any polygon edge passes through; a segment whose bounding box touches no such cell cannot
cross a boundary, so its status is its start cell's label. The rest are intersected with the
polygon edges in numpy (an edge grid lists the edges near each cell); only degenerate cases (a
segment through a vertex, along an edge, or ending on a boundary) fall back to shapely's exact
line-polygon intersection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from planner.errors import PlannerError

_MAX_CELLS = 30_000_000
_EPS = 1e-6
#: edge-grid cell = this many boundary-grid cells
_EDGE_CELLS = 3
#: relative tolerance under which an intersection is degenerate (vertex hit, collinear)
_DEGEN = 1e-9


@dataclass
class TGPIndex:
    """TGP polygons with a boundary grid for fast exact geofencing.

    Parameters
    ----------
    tgps : GeoDataFrame in EPSG:27700 with ``tgp_id`` and polygon geometry.
    cell_m : grid cell side in metres.
    """

    ids: np.ndarray
    geoms: np.ndarray
    cell_m: float = 20.0
    tree: shapely.STRtree = field(init=False, repr=False)

    @classmethod
    def from_frame(
        cls, tgps: gpd.GeoDataFrame, *, id_column: str = "tgp_id", cell_m: float = 20.0
    ) -> TGPIndex:
        """Build the index from a TGP layer.

        Parameters
        ----------
        tgps : geopandas.GeoDataFrame
            Polygons (reprojected to EPSG:27700 when in another CRS) with unique ids.
        id_column : str
            The id column.
        cell_m : float
            Boundary grid cell size in metres.

        Returns
        -------
        TGPIndex
            The index; a :class:`~planner.errors.PlannerError` for missing or duplicate ids or
            non-polygon geometries.
        """
        if id_column not in tgps.columns:
            raise PlannerError(f"TGP layer has no '{id_column}' column")
        if tgps.crs is not None and tgps.crs.to_epsg() != 27700:
            tgps = tgps.to_crs(27700)
        geoms = np.asarray(tgps.geometry.values, dtype=object)
        kinds = shapely.get_type_id(geoms)
        if len(geoms) and not np.isin(kinds, (3, 6)).all():
            raise PlannerError("TGP layer geometries must be polygons")
        ids = tgps[id_column].astype(str).to_numpy()
        if len(set(ids)) != len(ids):
            raise PlannerError(f"TGP layer has duplicate '{id_column}' values")
        return cls(ids=ids, geoms=geoms, cell_m=cell_m)

    def __post_init__(self):
        geoms = shapely.make_valid(self.geoms) if len(self.geoms) else self.geoms
        self.geoms = np.asarray(geoms, dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        self.boundaries = shapely.boundary(self.geoms)
        shapely.prepare(self.boundaries)
        self._build_grid()

    def __len__(self) -> int:
        return len(self.ids)

    def _build_grid(self) -> None:
        if len(self.geoms) == 0:
            self.nx = self.ny = 0
            self.gx0 = self.gy0 = 0.0
            self.cs = self.cell_m
            self.label = np.full((1, 1), -1, np.int32)
            self.sat = np.zeros((2, 2), np.int32)
            return
        b = shapely.total_bounds(self.geoms)
        cs = float(self.cell_m)
        w, h = b[2] - b[0], b[3] - b[1]
        if (w / cs + 4) * (h / cs + 4) > _MAX_CELLS:
            cs = math.sqrt((w + 4 * cs) * (h + 4 * cs) / _MAX_CELLS) * 1.01
        self.cs = cs
        self.gx0, self.gy0 = b[0] - 2 * cs, b[1] - 2 * cs
        self.nx = int(math.ceil((b[2] + 2 * cs - self.gx0) / cs))
        self.ny = int(math.ceil((b[3] + 2 * cs - self.gy0) / cs))
        nx, ny = self.nx, self.ny
        # --- boundary cells: every cell in the bounding box of every polygon edge
        parts = shapely.get_parts(self.boundaries)
        xy, pid = shapely.get_coordinates(parts, return_index=True)
        same = pid[1:] == pid[:-1]
        ax, ay, bx, by = xy[:-1, 0][same], xy[:-1, 1][same], xy[1:, 0][same], xy[1:, 1][same]
        # split edges into pieces no longer than a cell so painting their boxes is tight
        elen = np.hypot(bx - ax, by - ay)
        m = np.maximum(np.ceil(elen / cs).astype(np.int64), 1)
        eid = np.repeat(np.arange(len(ax)), m)
        q = np.arange(len(eid)) - np.repeat(np.cumsum(m) - m, m)
        f0, f1 = q / m[eid], (q + 1) / m[eid]
        px0, py0 = ax[eid] + f0 * (bx - ax)[eid], ay[eid] + f0 * (by - ay)[eid]
        px1, py1 = ax[eid] + f1 * (bx - ax)[eid], ay[eid] + f1 * (by - ay)[eid]
        i0, i1 = self._col(np.minimum(px0, px1) - _EPS), self._col(np.maximum(px0, px1) + _EPS)
        j0, j1 = self._row(np.minimum(py0, py1) - _EPS), self._row(np.maximum(py0, py1) + _EPS)
        mask = np.zeros((ny, nx), np.int32)
        _paint_boxes(mask, i0, i1, j0, j1)
        self.sat = np.zeros((ny + 1, nx + 1), np.int32)
        np.cumsum(np.cumsum(mask, axis=0), axis=1, out=self.sat[1:, 1:])
        # --- labels of the cells' centres: -1 outside all, k inside only TGP k, -2 inside several
        gb = shapely.bounds(self.geoms)
        ci0, ci1 = self._col(gb[:, 0]), self._col(gb[:, 2])
        cj0, cj1 = self._row(gb[:, 1]), self._row(gb[:, 3])
        k, ii, jj = _box_cells(ci0, ci1, cj0, cj1)
        inside = shapely.contains_xy(
            self.geoms[k], self.gx0 + (ii + 0.5) * cs, self.gy0 + (jj + 0.5) * cs
        )
        flat = (jj * nx + ii)[inside]
        cnt = np.bincount(flat, minlength=nx * ny)
        ksum = np.bincount(flat, weights=k[inside], minlength=nx * ny)
        label = np.full(nx * ny, -1, np.int32)
        label[cnt == 1] = ksum[cnt == 1].astype(np.int32)
        label[cnt > 1] = -2
        self.label = label.reshape(ny, nx)
        # --- edge grid (CSR): the edges whose bounding box touches each coarse cell
        owner = np.repeat(np.arange(len(self.geoms)), shapely.get_num_geometries(self.boundaries))
        self.edge_tgp = owner[pid[:-1][same]].astype(np.int32)  # TGP of each edge
        self.ex0, self.ey0, self.ex1, self.ey1 = ax, ay, bx, by
        self.edge_len = np.hypot(bx - ax, by - ay)
        self.gcs = cs * _EDGE_CELLS
        self.gnx = int(math.ceil(nx / _EDGE_CELLS))
        self.gny = int(math.ceil(ny / _EDGE_CELLS))
        e, ii, jj = _box_cells(
            i0 // _EDGE_CELLS, i1 // _EDGE_CELLS, j0 // _EDGE_CELLS, j1 // _EDGE_CELLS
        )
        ok = (ii >= 0) & (ii < self.gnx) & (jj >= 0) & (jj < self.gny)
        ncell = self.gnx * self.gny
        pairs = np.unique((jj * self.gnx + ii)[ok] + eid[e[ok]] * ncell)
        cell = pairs % ncell
        self.cell_edges = pairs // ncell
        order = np.argsort(cell, kind="stable")
        cell, self.cell_edges = cell[order], self.cell_edges[order]
        self.cell_ptr = np.r_[0, np.cumsum(np.bincount(cell, minlength=ncell))]
        # TGP bounding boxes per edge-grid cell (CSR): candidates for point-in-polygon
        bi0 = np.floor((gb[:, 0] - self.gx0) / self.gcs).astype(np.int64)
        bi1 = np.floor((gb[:, 2] - self.gx0) / self.gcs).astype(np.int64)
        bj0 = np.floor((gb[:, 1] - self.gy0) / self.gcs).astype(np.int64)
        bj1 = np.floor((gb[:, 3] - self.gy0) / self.gcs).astype(np.int64)
        tk, ti, tj = _box_cells(bi0, bi1, bj0, bj1)
        tcell = tj * self.gnx + ti
        order = np.argsort(tcell, kind="stable")
        self.cell_tgps = tk[order].astype(np.int32)
        self.tgp_ptr = np.r_[0, np.cumsum(np.bincount(tcell, minlength=ncell))]

    def _col(self, x):
        return np.floor((np.asarray(x) - self.gx0) / self.cs).astype(np.int64)

    def _row(self, y):
        return np.floor((np.asarray(y) - self.gy0) / self.cs).astype(np.int64)

    # ---- queries ----------------------------------------------------------------------
    def locate(self, x0, y0, x1, y1) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Exact pieces of straight segments inside TGPs.

        The pieces of one segment come in time order. A zero-length segment (a held position) is one
        piece (0, 1) per TGP containing it.

        Parameters
        ----------
        x0, y0, x1, y1 : array-like of float
            Segment start and end points (EPSG:27700).

        Returns
        -------
        tuple of numpy.ndarray
            ``(seg, tgp, s0, s1)``: segment index, TGP position in :attr:`ids`, and the fractions of
            the segment (0 = start, 1 = end) where the piece begins and ends.
        """
        x0, y0, x1, y1 = (np.asarray(a, np.float64) for a in (x0, y0, x1, y1))
        n = len(x0)
        empty = (np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0), np.empty(0))
        if n == 0 or len(self.ids) == 0:
            return empty
        nx, ny = self.nx, self.ny
        i0 = self._col(np.minimum(x0, x1) - _EPS)
        i1 = self._col(np.maximum(x0, x1) + _EPS)
        j0 = self._row(np.minimum(y0, y1) - _EPS)
        j1 = self._row(np.maximum(y0, y1) + _EPS)
        off = (i1 < 0) | (i0 >= nx) | (j1 < 0) | (j0 >= ny)
        i0c, i1c = np.clip(i0, 0, nx - 1), np.clip(i1, 0, nx - 1)
        j0c, j1c = np.clip(j0, 0, ny - 1), np.clip(j1, 0, ny - 1)
        s = self.sat
        nb = s[j1c + 1, i1c + 1] - s[j0c, i1c + 1] - s[j1c + 1, i0c] + s[j0c, i0c]
        nb[off] = 0
        si, sj = self._col(x0), self._row(y0)
        ingrid = (si >= 0) & (si < nx) & (sj >= 0) & (sj < ny)
        lab = np.full(n, -1, np.int32)
        lab[ingrid] = self.label[sj[ingrid], si[ingrid]]
        simple = (nb == 0) & (lab != -2)
        pure = np.flatnonzero(simple & (lab >= 0))
        segs = [pure]
        tgps = [lab[pure]]
        s0s = [np.zeros(len(pure))]
        s1s = [np.ones(len(pure))]
        hard = np.flatnonzero(~simple)
        if len(hard):
            hs, ht, h0, h1 = self._crossings(x0[hard], y0[hard], x1[hard], y1[hard])
            o = np.lexsort((h0, hs))  # the pieces of one segment in time order
            hs, ht, h0, h1 = hs[o], ht[o], h0[o], h1[o]
            segs.append(hard[hs])
            tgps.append(ht)
            s0s.append(h0)
            s1s.append(h1)
        return (
            np.concatenate(segs).astype(np.int64),
            np.concatenate(tgps).astype(np.int32),
            np.concatenate(s0s),
            np.concatenate(s1s),
        )

    def candidates(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """(point, tgp) pairs where the point is inside the TGP's bounding-box cells.

        Parameters
        ----------
        x, y : numpy.ndarray
            Point coordinates (EPSG:27700).

        Returns
        -------
        tuple of numpy.ndarray
            Point positions and TGP positions, one pair per candidate.
        """
        ci = np.floor((x - self.gx0) / self.gcs).astype(np.int64)
        cj = np.floor((y - self.gy0) / self.gcs).astype(np.int64)
        ok = (ci >= 0) & (ci < self.gnx) & (cj >= 0) & (cj < self.gny)
        pt = np.flatnonzero(ok)
        cell = cj[pt] * self.gnx + ci[pt]
        cnt = self.tgp_ptr[cell + 1] - self.tgp_ptr[cell]
        a = np.repeat(pt, cnt)
        k = np.arange(len(a)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        b = self.cell_tgps[np.repeat(self.tgp_ptr[cell], cnt) + k]
        return a, b

    def _crossings(self, x0, y0, x1, y1):
        """Exact pieces by segment-edge intersection in numpy (edge grid), shapely if degenerate.

        For each segment: which TGPs contain its start point, and the parameters where it
        crosses each TGP's edges; pieces alternate in/out between sorted crossings. A segment
        that touches a vertex, runs along an edge or starts/ends on a boundary (within a
        relative 1e-9) is degenerate for this parity rule and goes through :meth:`_exact`.
        """
        n = len(x0)
        dx, dy = x1 - x0, y1 - y0
        # --- start status: TGPs whose polygon contains the start point
        a, b = self.candidates(x0, y0)
        inside = shapely.contains_xy(self.geoms[b], x0[a], y0[a])
        sa, sb = a[inside], b[inside]
        # --- candidate (segment, edge) pairs through the edge grid
        g = self.gcs
        seg_len = np.hypot(dx, dy)
        moving = np.flatnonzero(seg_len > 0)
        seg, ii, jj = _line_cells(
            x0[moving],
            y0[moving],
            x1[moving],
            y1[moving],
            self.gx0,
            self.gy0,
            g,
            self.gnx,
            self.gny,
        )
        seg = moving[seg]
        cell = jj * self.gnx + ii
        cnt = self.cell_ptr[cell + 1] - self.cell_ptr[cell]
        busy = np.flatnonzero(cnt > 0)
        seg, cell, cnt = seg[busy], cell[busy], cnt[busy]
        pair = np.repeat(np.arange(len(seg)), cnt)
        k = np.arange(len(pair)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        e = self.cell_edges[self.cell_ptr[cell[pair]] + k]
        ps, pc = seg[pair], cell[pair]
        ax, ay = self.ex0[e], self.ey0[e]
        ex, ey = self.ex1[e] - ax, self.ey1[e] - ay
        sx, sy = dx[ps], dy[ps]
        den = sx * ey - sy * ex
        wx, wy = ax - x0[ps], ay - y0[ps]
        safe = np.where(den == 0, 1.0, den)
        t = np.where(den == 0, -1.0, (wx * ey - wy * ex) / safe)
        u = np.where(den == 0, -1.0, (wx * sy - wy * sx) / safe)
        scale = seg_len[ps] * self.edge_len[e]
        para = np.abs(den) <= _DEGEN * scale
        hit = ~para & (t >= -_DEGEN) & (t <= 1 + _DEGEN) & (u >= -_DEGEN) & (u <= 1 + _DEGEN)
        # collinear overlap / touching: degenerate when the edge is on the segment's line
        cross_w = np.abs(wx * sy - wy * sx) <= _DEGEN * np.hypot(sx, sy) * (
            np.hypot(wx, wy) + np.hypot(ex, ey) + 1
        )
        near = (
            hit
            & (
                (np.abs(t) <= _DEGEN)
                | (np.abs(t - 1) <= _DEGEN)
                | (np.abs(u) <= _DEGEN)
                | (np.abs(u - 1) <= _DEGEN)
            )
        ) | (para & cross_w)
        # count each hit once: in the edge-grid cell holding the intersection point
        hx = x0[ps] + t * sx
        hy = y0[ps] + t * sy
        hcell = np.floor((hy - self.gy0) / g).astype(np.int64) * self.gnx + np.floor(
            (hx - self.gx0) / g
        ).astype(np.int64)
        hit &= hcell == pc
        degen = np.zeros(n, bool)
        degen[ps[near]] = True
        # --- pieces: per (segment, tgp) sorted crossings toggle the start status
        hs, ht, hp = ps[hit], self.edge_tgp[e[hit]], t[hit]
        keep = ~degen[hs]
        hs, ht, hp = hs[keep], ht[keep], hp[keep]
        keep0 = ~degen[sa]
        ss, st_ = sa[keep0], sb[keep0].astype(np.int32)
        # segments with no crossing at all: whole pieces for the TGPs holding their start
        crossed = np.zeros(n, bool)
        crossed[hs] = True
        plain = ~crossed[ss]
        whole_s, whole_t = ss[plain], st_[plain]
        ss, st_ = ss[~plain], st_[~plain]
        # groups = union of (segment, tgp) with crossings and with an inside start
        gs = np.r_[hs, ss]
        gt = np.r_[ht, st_]
        gp = np.r_[hp, np.full(len(ss), -1.0)]  # the start marker sorts first
        order = np.lexsort((gp, gt, gs))
        gs, gt, gp = gs[order], gt[order], gp[order]
        newg = np.ones(len(gs), bool)
        newg[1:] = (gs[1:] != gs[:-1]) | (gt[1:] != gt[:-1])
        gid = np.cumsum(newg) - 1
        first = np.flatnonzero(newg)
        start_in = gp[first] < 0
        # breakpoints: 0, crossings..., 1 per group; a start marker becomes the 0 breakpoint
        is_cross = gp >= 0
        cs_, ct, cpar, cg = gs[is_cross], gt[is_cross], gp[is_cross], gid[is_cross]
        ng = len(first)
        bs = np.r_[gs[first], cs_, gs[first]]
        bt = np.r_[gt[first], ct, gt[first]]
        bp = np.r_[np.zeros(ng), cpar, np.ones(ng)]
        bg = np.r_[np.arange(ng), cg, np.arange(ng)]
        bo = np.r_[np.zeros(ng), np.ones(len(cg)), np.full(ng, 2.0)]
        order = np.lexsort((bo, bp, bg))
        bs, bt, bp, bg = bs[order], bt[order], bp[order], bg[order]
        # piece j of a group (between breakpoints j and j+1) is inside iff start_in xor j odd
        gfirst = np.r_[0, np.flatnonzero(bg[1:] != bg[:-1]) + 1]
        j = np.arange(len(bg)) - np.repeat(gfirst, np.diff(np.r_[gfirst, len(bg)]))
        valid = np.r_[bg[1:] == bg[:-1], False]
        ins = valid & (start_in[bg] ^ (j % 2 == 1))
        lo, hi = bp[ins], np.r_[bp[1:], 0.0][ins]
        ok = hi > lo
        out_s, out_t = [whole_s, bs[ins][ok]], [whole_t, bt[ins][ok]]
        out_0 = [np.zeros(len(whole_s)), np.clip(lo[ok], 0, 1)]
        out_1 = [np.ones(len(whole_s)), np.clip(hi[ok], 0, 1)]
        di = np.flatnonzero(degen)
        if len(di):
            es, et, e0, e1 = self._exact(x0[di], y0[di], x1[di], y1[di])
            out_s.append(di[es])
            out_t.append(et)
            out_0.append(e0)
            out_1.append(e1)
        return (
            np.concatenate(out_s).astype(np.int64),
            np.concatenate(out_t).astype(np.int32),
            np.concatenate(out_0),
            np.concatenate(out_1),
        )

    def _exact(self, x0, y0, x1, y1):
        """Shapely path for segments near a boundary (or in overlapping TGPs)."""
        dx, dy = x1 - x0, y1 - y0
        l2 = dx * dx + dy * dy
        zero = l2 == 0
        out_s, out_t, out_0, out_1 = [], [], [], []
        # held positions: point in polygon (closed)
        zi = np.flatnonzero(zero)
        if len(zi):
            pts = shapely.points(x0[zi], y0[zi])
            a, b = self.tree.query(pts, predicate="intersects")
            out_s.append(zi[a])
            out_t.append(b)
            out_0.append(np.zeros(len(a)))
            out_1.append(np.ones(len(a)))
        li = np.flatnonzero(~zero)
        if len(li):
            lines = shapely.linestrings(
                np.stack([np.c_[x0[li], y0[li]], np.c_[x1[li], y1[li]]], axis=1)
            )
            a, b = self.tree.query(lines, predicate="intersects")
            cross = shapely.intersects(lines[a], self.boundaries[b])
            whole = ~cross
            out_s.append(li[a[whole]])
            out_t.append(b[whole])
            out_0.append(np.zeros(int(whole.sum())))
            out_1.append(np.ones(int(whole.sum())))
            ca, cb = a[cross], b[cross]
            if len(ca):
                inter = shapely.intersection(lines[ca], self.geoms[cb])
                parts, pidx = shapely.get_parts(inter, return_index=True)
                keep = np.isin(shapely.get_type_id(parts), (1, 2)) & (shapely.length(parts) > 0)
                parts, pidx = parts[keep], pidx[keep]
                p = shapely.get_coordinates(shapely.get_point(parts, 0))
                q = shapely.get_coordinates(shapely.get_point(parts, -1))
                seg = li[ca[pidx]]
                sa = ((p[:, 0] - x0[seg]) * dx[seg] + (p[:, 1] - y0[seg]) * dy[seg]) / l2[seg]
                sb = ((q[:, 0] - x0[seg]) * dx[seg] + (q[:, 1] - y0[seg]) * dy[seg]) / l2[seg]
                lo = np.clip(np.minimum(sa, sb), 0.0, 1.0)
                hi = np.clip(np.maximum(sa, sb), 0.0, 1.0)
                out_s.append(seg)
                out_t.append(cb[pidx])
                out_0.append(lo)
                out_1.append(hi)
        if not out_s:
            return np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0), np.empty(0)
        return (
            np.concatenate(out_s),
            np.concatenate(out_t).astype(np.int32),
            np.concatenate(out_0),
            np.concatenate(out_1),
        )


def _line_cells(x0, y0, x1, y1, gx0, gy0, g, nx, ny):
    """Grid cells a straight segment passes through (a conservative supercover, clipped).

    For each row of cells the segment crosses, the columns its x-range spans there. Returns
    (segment, column, row) arrays.
    """
    ymin, ymax = np.minimum(y0, y1), np.maximum(y0, y1)
    eps = _EPS
    j0 = np.clip(np.floor((ymin - eps - gy0) / g).astype(np.int64), 0, ny - 1)
    j1 = np.clip(np.floor((ymax + eps - gy0) / g).astype(np.int64), 0, ny - 1)
    rows = np.where((ymax + eps < gy0) | (ymin - eps > gy0 + ny * g), 0, j1 - j0 + 1)
    s = np.repeat(np.arange(len(x0)), rows)
    j = np.repeat(j0, rows) + (np.arange(len(s)) - np.repeat(np.cumsum(rows) - rows, rows))
    lo = np.maximum(ymin[s], gy0 + j * g - eps)
    hi = np.minimum(ymax[s], gy0 + (j + 1) * g + eps)
    dy = (y1 - y0)[s]
    dx = (x1 - x0)[s]
    flat = np.abs(dy) < 1e-12
    safe = np.where(flat, 1.0, dy)
    xa = np.where(flat, np.minimum(x0, x1)[s], x0[s] + (lo - y0[s]) / safe * dx)
    xb = np.where(flat, np.maximum(x0, x1)[s], x0[s] + (hi - y0[s]) / safe * dx)
    i0 = np.clip(np.floor((np.minimum(xa, xb) - eps - gx0) / g).astype(np.int64), 0, nx - 1)
    i1 = np.clip(np.floor((np.maximum(xa, xb) + eps - gx0) / g).astype(np.int64), 0, nx - 1)
    outside = (np.maximum(xa, xb) + eps < gx0) | (np.minimum(xa, xb) - eps > gx0 + nx * g)
    cols = np.where(outside, 0, i1 - i0 + 1)
    k = np.repeat(np.arange(len(s)), cols)
    ii = np.repeat(i0, cols) + (np.arange(len(k)) - np.repeat(np.cumsum(cols) - cols, cols))
    return s[k], ii, j[k]


def _box_cells(i0, i1, j0, j1):
    """All (box, i, j) cells of integer boxes (vectorised)."""
    w = i1 - i0 + 1
    h = j1 - j0 + 1
    n = w * h
    k = np.repeat(np.arange(len(i0)), n)
    r = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    ii = i0[k] + r % w[k]
    jj = j0[k] + r // w[k]
    return k, ii, jj


def _paint_boxes(mask, i0, i1, j0, j1):
    """Set every cell of the integer boxes (clipped to the grid) to 1."""
    ny, nx = mask.shape
    i0, i1 = np.clip(i0, 0, nx - 1), np.clip(i1, 0, nx - 1)
    j0, j1 = np.clip(j0, 0, ny - 1), np.clip(j1, 0, ny - 1)
    _, ii, jj = _box_cells(i0, i1, j0, j1)
    mask[jj, ii] = 1

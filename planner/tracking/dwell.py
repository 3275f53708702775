"""GPS pings to patrol minutes inside each TGP: exact geofencing of the track between pings.

Model (documented, tested against a brute-force time-stepping reference):

* Each officer's pings are put in time order; exact duplicate timestamps keep the first ping.
* **Implausible speeds**: a ping with a reported speed above ``max_speed_ms``, or a spike (the
  implied speed both into and out of it above ``max_speed_ms``) is dropped; a remaining segment
  whose implied speed is still too high is not counted.
* **Segments**: between consecutive pings the officer moves in a straight line at constant
  speed. A gap longer than ``gap_cap_s`` (default 2 min) means a lost signal: the officer is
  held at the last known position for ``gap_cap_s`` and then counted nowhere until the next
  ping. The last ping of a trace adds no time.
* **Foot or vehicle**: by the segment's speed (reported speed at its first ping when given,
  otherwise distance over time) against ``foot_max_speed_ms``.
* **Minutes inside a TGP** are the exact time the straight segment spends inside the polygon
  (boundary crossings between pings are interpolated against the polygon).
* **Visits** (officer view): a continuous stay of one officer inside one TGP, entry to exit.
  **Place visits** (place view, used in place-days): a continuous period with at least one
  officer present; Koper-compliant when it lasts ``koper_minutes`` (10) or more. A visit
  belongs to the local day it starts on; minutes are split exactly at local midnights
  (Europe/London, so clock-change days are 23 h and 25 h long).
* **Officer-minutes** add up every officer's time (two officers together for 10 minutes give
  20); **presence-minutes** are the union over officers (10).

Speed: a fine grid over the TGPs marks every cell that any polygon edge passes through; a
segment whose bounding box touches no such cell cannot cross a boundary, so its status is its
start cell's label (read from the grid). The rest are intersected with the polygon edges in
numpy (an edge grid lists the edges near each cell; each crossing is counted in the cell that
holds it; the start point's status comes from ``shapely.contains_xy``; pieces alternate in/out
between the sorted crossings). Only degenerate cases (a segment through a vertex, along an
edge, or ending on a boundary) fall back to shapely's exact line-polygon intersection. The work
is a pure function of an officer partition (:func:`officer_visits`; officer-day partitions
from :func:`officer_day_partitions`), so it runs unchanged per partition under Dask or a
process pool; :func:`place_days` combines the partitions' rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.errors import PlannerError
from planner.timeutil import to_epoch
from planner.tracking.intervals import (
    TZ,
    Intervals,
    day_starts,
    from_epoch,
    local_day_range,
    split_days,
    union,
)


@dataclass(frozen=True)
class DwellConfig:
    """Rules for turning pings into minutes (defaults documented in the module docstring)."""

    #: longest gap between pings counted as presence (s); a lost signal beyond it is not
    gap_cap_s: float = 120.0
    #: above this speed (m/s, ~123 mph) a ping or segment is a GPS error
    max_speed_ms: float = 55.0
    #: at or below this speed (m/s, ~9 km/h) the officer is on foot, above it in a vehicle
    foot_max_speed_ms: float = 2.5
    #: Koper curve: a visit deters when it lasts at least this long (minutes)
    koper_minutes: float = 10.0
    #: exits shorter than this (s) do not end a visit (0 = strict entry to exit)
    merge_within_s: float = 0.0
    #: side of the geofence grid cells (m); coarsened automatically for huge extents
    cell_m: float = 20.0
    #: the local time zone for days
    tz: str = TZ
    #: officers are processed in blocks of about this many pings (bounds the kernel's
    #: temporary arrays; the result does not depend on it)
    block_pings: int = 1_000_000


# --------------------------------------------------------------------------------------
# the geofence index
# --------------------------------------------------------------------------------------
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

        Returns ``(seg, tgp, s0, s1)``: segment index, TGP position in :attr:`ids`, and the
        fractions of the segment (0 = start, 1 = end) where the piece begins and ends; the
        pieces of one segment come in time order. A
        zero-length segment (a held position) is one piece (0, 1) per TGP containing it.
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
        """(point, tgp) pairs where the point is inside the TGP's bounding-box cells."""
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
    """Grid cells a straight segment passes through (a conservative supercover, clipped to the
    grid): for each row of cells the segment crosses, the columns its x-range spans there.

    Returns (segment, column, row) arrays.
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


# --------------------------------------------------------------------------------------
# traces and segments
# --------------------------------------------------------------------------------------
@dataclass
class Segments:
    """Straight moves (or held positions) of officers between pings, in (officer, time) order."""

    officer: np.ndarray  #: int64 officer code
    t0: np.ndarray  #: float64 epoch seconds
    t1: np.ndarray  #: float64 epoch seconds (t0 + counted duration)
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    foot: np.ndarray  #: bool

    def __len__(self) -> int:
        return len(self.t0)


@dataclass
class TraceStats:
    pings: int = 0
    duplicates: int = 0
    speed_dropped: int = 0
    segments: int = 0
    capped_gaps: int = 0
    fast_segments: int = 0


def build_segments(
    officer, t, x, y, speed=None, cfg: DwellConfig | None = None
) -> tuple[Segments, TraceStats]:
    """Officer traces to segments (see the module docstring for the rules).

    ``officer`` is an integer code per ping, ``t`` epoch seconds (float64), ``x, y`` metres in
    EPSG:27700, ``speed`` the reported speed in m/s (NaN when absent).
    """
    cfg = cfg or DwellConfig()
    officer = np.asarray(officer, np.int64)
    t = np.asarray(t, np.float64)
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    sp = np.full(len(t), np.nan) if speed is None else np.asarray(speed, np.float64)
    st = TraceStats(pings=len(t))
    if len(t) > 1 and not (
        np.all(officer[1:] >= officer[:-1])
        and np.all((officer[1:] != officer[:-1]) | (t[1:] >= t[:-1]))
    ):
        order = np.lexsort((t, officer))
        officer, t, x, y, sp = officer[order], t[order], x[order], y[order], sp[order]
    # exact duplicate timestamps: keep the first
    dup = np.zeros(len(t), bool)
    dup[1:] = (officer[1:] == officer[:-1]) & (t[1:] == t[:-1])
    st.duplicates = int(dup.sum())
    keep = ~dup & ~(sp > cfg.max_speed_ms)
    if not keep.all():
        officer, t, x, y, sp = officer[keep], t[keep], x[keep], y[keep], sp[keep]

    def moves():
        same = officer[1:] == officer[:-1]
        dt = np.diff(t)
        dist = np.hypot(np.diff(x), np.diff(y))
        return same, dt, dist, dist / np.maximum(dt, 1e-9)

    if len(t) < 2:
        e = np.empty(0)
        st.speed_dropped = st.pings - st.duplicates - len(t)
        return Segments(np.empty(0, np.int64), e, e, e, e, e, e, np.empty(0, bool)), st
    same, dt, dist, v = moves()
    # spikes: implied speed into and out of a ping both implausible
    fast = same & (v > cfg.max_speed_ms)
    spike = np.zeros(len(t), bool)
    spike[1:-1] = fast[:-1] & fast[1:]
    if spike.any():
        keep2 = ~spike
        officer, t, x, y, sp = officer[keep2], t[keep2], x[keep2], y[keep2], sp[keep2]
        same, dt, dist, v = moves()
    st.speed_dropped = st.pings - st.duplicates - len(t)
    fast = same & (v > cfg.max_speed_ms) & (dt <= cfg.gap_cap_s)
    st.fast_segments = int(fast.sum())
    ok = same & ~fast
    held = ok & (dt > cfg.gap_cap_s)
    st.capped_gaps = int(held.sum())
    idx = np.flatnonzero(ok)
    h = held[idx]
    seg_speed = np.where(np.isnan(sp[idx]), np.where(h, 0.0, v[idx]), sp[idx])
    segs = Segments(
        officer=officer[idx],
        t0=t[idx],
        t1=np.where(h, t[idx] + cfg.gap_cap_s, t[idx + 1]),
        x0=x[idx],
        y0=y[idx],
        x1=np.where(h, x[idx], x[idx + 1]),
        y1=np.where(h, y[idx], y[idx + 1]),
        foot=seg_speed <= cfg.foot_max_speed_ms,
    )
    st.segments = len(idx)
    return segs, st


# --------------------------------------------------------------------------------------
# partition step: one officer partition -> visits
# --------------------------------------------------------------------------------------
VISIT_DTYPES = {
    "officer": "int64",
    "tgp": "int32",
    "date": "datetime64[s]",
    "start": "float64",
    "end": "float64",
    "seconds": "float64",
    "foot_seconds": "float64",
    "visit_start": "bool",
    "visit_seconds": "float64",
}


def segment_pieces(segs: Segments, index: TGPIndex) -> pd.DataFrame:
    """Time pieces of segments inside TGPs: officer, tgp, start, end (epoch s), foot."""
    seg, tgp, s0, s1 = index.locate(segs.x0, segs.y0, segs.x1, segs.y1)
    t0, t1 = segs.t0[seg], segs.t1[seg]
    start = t0 * (1 - s0) + t1 * s0
    end = t0 * (1 - s1) + t1 * s1
    return pd.DataFrame(
        {
            "officer": segs.officer[seg],
            "tgp": tgp,
            "start": start,
            "end": end,
            "foot": segs.foot[seg],
            "seg": seg,
        }
    )


def visits_from_pieces(
    pieces: pd.DataFrame, n_tgps: int, cfg: DwellConfig | None = None
) -> pd.DataFrame:
    """Merge contiguous pieces of one officer in one TGP into visits, split at local midnight.

    One row per visit and local day (a visit over midnight gives two rows): ``officer, tgp,
    date, start, end, seconds, foot_seconds, visit_start`` (True on the visit's first row) and
    ``visit_seconds`` (the whole visit's length, for the Koper test).
    """
    cfg = cfg or DwellConfig()
    if len(pieces) == 0:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in VISIT_DTYPES.items()})
    off = pieces["officer"].to_numpy()
    tgp = pieces["tgp"].to_numpy().astype(np.int64)
    seg = pieces["seg"].to_numpy()
    start = pieces["start"].to_numpy()
    nseg = int(seg.max()) + 1
    # one stable sort by (officer, tgp, segment)
    # (locate returns the pieces of one segment in time order, so a stable sort keeps it)
    key = (off * max(n_tgps, 1) + tgp) * nseg + seg
    order = np.argsort(key, kind="stable")
    off, tgp, start = off[order], tgp[order], start[order]
    end = pieces["end"].to_numpy()[order]
    foot = pieces["foot"].to_numpy()[order]
    row, day, lo, hi = split_days(start, end, cfg.tz)
    off, tgp, foot = off[row], tgp[row], foot[row]
    tol = max(cfg.merge_within_s, 1e-6)
    new_visit = np.ones(len(off), bool)
    new_visit[1:] = (off[1:] != off[:-1]) | (tgp[1:] != tgp[:-1]) | (lo[1:] > hi[:-1] + tol)
    new_row = new_visit.copy()
    new_row[1:] |= day[1:] != day[:-1]
    first = np.flatnonzero(new_row)
    last = np.r_[first[1:], len(off)] - 1
    dur = hi - lo
    vfirst = np.flatnonzero(new_visit)
    vsec = np.add.reduceat(dur, vfirst)
    vid = np.cumsum(new_visit) - 1
    return pd.DataFrame(
        {
            "officer": off[first],
            "tgp": tgp[first].astype(np.int32),
            "date": day[first],
            "start": lo[first],
            "end": hi[last],
            "seconds": np.add.reduceat(dur, first),
            "foot_seconds": np.add.reduceat(np.where(foot, dur, 0.0), first),
            "visit_start": new_visit[first],
            "visit_seconds": vsec[vid[first]],
        }
    )


def officer_visits(
    officer, t, x, y, speed, index: TGPIndex, cfg: DwellConfig | None = None
) -> tuple[pd.DataFrame, TraceStats]:
    """The partition step: complete officer traces -> visit-day rows (pure; Dask-ready)."""
    cfg = cfg or DwellConfig()
    segs, st = build_segments(officer, t, x, y, speed, cfg)
    pieces = segment_pieces(segs, index)
    return visits_from_pieces(pieces, len(index), cfg), st


# --------------------------------------------------------------------------------------
# combine: visits -> place-days
# --------------------------------------------------------------------------------------
PLACE_DAY_COLUMNS = (
    "tgp_id",
    "date",
    "officer_minutes",
    "presence_minutes",
    "visits",
    "compliant_visits",
    "officer_visits",
    "foot_minutes",
    "vehicle_minutes",
)


def rejoin_visits(rows: pd.DataFrame, cfg: DwellConfig | None = None) -> pd.DataFrame:
    """Recompute ``visit_start`` / ``visit_seconds`` of visit-day rows from contiguity, so a
    visit split across partitions (or days) counts once."""
    cfg = cfg or DwellConfig()
    order = np.lexsort(
        (rows["start"].to_numpy(), rows["tgp"].to_numpy(), rows["officer"].to_numpy())
    )
    r = rows.iloc[order].reset_index(drop=True)
    off, tg = r["officer"].to_numpy(), r["tgp"].to_numpy()
    st, en = r["start"].to_numpy(), r["end"].to_numpy()
    tol = max(cfg.merge_within_s, 1e-6)
    new = np.ones(len(r), bool)
    new[1:] = (off[1:] != off[:-1]) | (tg[1:] != tg[:-1]) | (st[1:] > en[:-1] + tol)
    vid = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    r["visit_start"] = new
    r["visit_seconds"] = np.add.reduceat(r["seconds"].to_numpy(), first)[vid] if len(first) else 0.0
    return r


def officer_day_partitions(officer, t, tz: str = TZ) -> list[np.ndarray]:
    """Row indices of officer-day partitions (local days), each with the officer's next ping
    appended so the segment over the partition boundary is counted exactly once.

    Run :func:`officer_visits` on each partition (e.g. under Dask) and :func:`place_days` on the
    concatenated rows: the result equals one run over everything.
    """
    officer = np.asarray(officer, np.int64)
    t = np.asarray(t, np.float64)
    order = np.lexsort((t, officer))
    if len(order) == 0:
        return []
    lo, hi = local_day_range(t, t, tz)
    edges, _ = day_starts(lo, hi, tz)
    day = np.searchsorted(edges, t[order], side="right") - 1
    o = officer[order]
    new = np.ones(len(order), bool)
    new[1:] = (o[1:] != o[:-1]) | (day[1:] != day[:-1])
    first = np.flatnonzero(new)
    last = np.r_[first[1:], len(order)]
    out = []
    for a, b in zip(first, last):  # one index array per partition (the partition list itself)
        stop = b + 1 if b < len(order) and o[b] == o[a] else b
        out.append(order[a:stop])
    return out


def presence_episodes(visits: pd.DataFrame, cfg: DwellConfig | None = None) -> pd.DataFrame:
    """Place visits: union over officers of the visits to each TGP (tgp, start, end)."""
    cfg = cfg or DwellConfig()
    iv = Intervals(
        visits["tgp"].to_numpy().astype(np.int64),
        visits["start"].to_numpy(np.float64),
        visits["end"].to_numpy(np.float64),
    )
    u = union(iv, tol=max(cfg.merge_within_s, 1e-6))
    return pd.DataFrame({"tgp": u.key.astype(np.int32), "start": u.start, "end": u.end})


def empty_place_days() -> pd.DataFrame:
    cols = {
        "tgp_id": "string",
        "date": "datetime64[s]",
        "officer_minutes": "float64",
        "presence_minutes": "float64",
        "visits": "int64",
        "compliant_visits": "int64",
        "officer_visits": "int64",
        "foot_minutes": "float64",
        "vehicle_minutes": "float64",
    }
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


def place_days(
    visits: pd.DataFrame, tgp_ids: np.ndarray, cfg: DwellConfig | None = None
) -> pd.DataFrame:
    """Per TGP and local day: officer/presence minutes, place visits and Koper-compliant ones.

    ``visits`` is the concatenation of :func:`officer_visits` outputs over any partitioning
    by officer or by officer-day (:func:`officer_day_partitions`): officer visits cut by a
    partition boundary are joined again here. ``visits``/``compliant_visits`` count place
    visits (presence episodes) by the day they start; ``officer_visits`` counts officers' own
    visits started that day; foot and vehicle minutes split the officer-minutes.
    """
    cfg = cfg or DwellConfig()
    tgp_ids = np.asarray(tgp_ids)
    if len(visits) == 0:
        return empty_place_days()
    visits = rejoin_visits(visits, cfg)
    om = (
        pd.DataFrame(
            {
                "tgp": visits["tgp"].to_numpy().astype(np.int64),
                "date": visits["date"].to_numpy(),
                "officer_minutes": visits["seconds"].to_numpy() / 60.0,
                "foot_minutes": visits["foot_seconds"].to_numpy() / 60.0,
                "officer_visits": visits["visit_start"].to_numpy().astype(np.int64),
            }
        )
        .groupby(["tgp", "date"], sort=False)
        .sum()
    )
    ep = presence_episodes(visits, cfg)
    es, ee = ep["start"].to_numpy(), ep["end"].to_numpy()
    erow, eday, elo, ehi = split_days(es, ee, cfg.tz)
    ept = ep["tgp"].to_numpy().astype(np.int64)
    pm = (
        pd.DataFrame({"tgp": ept[erow], "date": eday, "presence_minutes": (ehi - elo) / 60.0})
        .groupby(["tgp", "date"], sort=False)
        .sum()
    )
    _, sday, _, _ = split_days(es, es, cfg.tz)
    vv = (
        pd.DataFrame(
            {
                "tgp": ept,
                "date": sday,
                "visits": 1,
                "compliant_visits": ((ee - es) / 60.0 >= cfg.koper_minutes - 1e-9).astype(np.int64),
            }
        )
        .groupby(["tgp", "date"], sort=False)
        .sum()
    )
    out = om.join([pm, vv], how="outer").fillna(0).reset_index().sort_values(["tgp", "date"])
    out["vehicle_minutes"] = out["officer_minutes"] - out["foot_minutes"]
    out.insert(0, "tgp_id", pd.array(tgp_ids[out.pop("tgp").to_numpy()], dtype="string"))
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[s]")
    for c in ("visits", "compliant_visits", "officer_visits"):
        out[c] = out[c].astype("int64")
    return out[list(PLACE_DAY_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# the whole thing on a pings frame
# --------------------------------------------------------------------------------------
@dataclass
class DwellResult:
    """Output of :func:`dwell`."""

    place_days: pd.DataFrame
    visits: pd.DataFrame  #: officer visits with officer_id, tgp_id, start/end local times, minutes
    stats: TraceStats
    officers: np.ndarray  #: officer_id for each officer code
    rows: pd.DataFrame  #: visit-day rows (officer code, tgp position, ...)
    tgp_ids: np.ndarray  #: tgp_id for each TGP position

    @property
    def officer_hours(self) -> float:
        return (
            float(self.place_days["officer_minutes"].sum() / 60.0) if len(self.place_days) else 0.0
        )

    @property
    def presence_hours(self) -> float:
        return (
            float(self.place_days["presence_minutes"].sum() / 60.0) if len(self.place_days) else 0.0
        )

    def by_tgp(self) -> pd.DataFrame:
        cols = ["officer_minutes", "presence_minutes", "visits", "compliant_visits"]
        return self.place_days.groupby("tgp_id")[cols].sum()


def epoch_seconds(ts: pd.Series) -> np.ndarray:
    """Timezone-aware timestamps to float64 epoch seconds (:func:`planner.timeutil.to_epoch`)."""
    s = pd.Series(ts)
    if s.dt.tz is None:
        raise PlannerError("ping timestamps must be timezone-aware")
    return to_epoch(s)


def _from_epoch(sec: np.ndarray, tz: str) -> pd.DatetimeIndex:
    return from_epoch(sec, tz)


def dwell(
    pings: pd.DataFrame,
    tgps: gpd.GeoDataFrame | TGPIndex,
    cfg: DwellConfig | None = None,
    *,
    partitions: int = 1,
    client=None,
) -> DwellResult:
    """Pings (the canonical frame from :func:`planner.io.pings.load_pings`) to place-days.

    Parameters
    ----------
    pings : DataFrame with ``officer_id``, ``timestamp`` (tz-aware), ``x``, ``y`` (EPSG:27700)
        and optionally ``speed`` (m/s).
    tgps : the TGP layer (``tgp_id``, polygons) or a prebuilt :class:`TGPIndex`.
    client : a ``distributed.Client``: officer partitions (about equal numbers of pings, at
        least two per worker thread, or ``partitions`` if more) run on the Dask cluster.
    partitions : officer partitions processed in parallel processes (1 = in this process).
        On Linux the workers are forked (they inherit the arrays); do not use it from a
        multi-threaded server process (forking a threaded process can deadlock) - use 1 there,
        or run :func:`officer_visits` per partition under Dask.
    """
    cfg = cfg or DwellConfig()
    index = tgps if isinstance(tgps, TGPIndex) else TGPIndex.from_frame(tgps, cell_m=cfg.cell_m)
    codes, uniques = pd.factorize(pings["officer_id"])
    rank = np.argsort(np.argsort(np.asarray(uniques, dtype=object)))  # officer codes in id order
    codes, officers = rank[codes], np.asarray(uniques, dtype=object)[np.argsort(rank)]
    t = epoch_seconds(pings["timestamp"])
    x = pings["x"].to_numpy(np.float64)
    y = pings["y"].to_numpy(np.float64)
    sp = pings["speed"].to_numpy(np.float64, na_value=np.nan) if "speed" in pings else None
    if client is not None and len(officers) > 0:
        visits, st = _cluster_visits(codes, t, x, y, sp, index, cfg, partitions, client)
    elif partitions > 1 and len(officers) > 1:
        visits, st = _parallel_visits(codes, t, x, y, sp, index, cfg, partitions)
    else:
        visits, st = blocked_visits(codes, t, x, y, sp, index, cfg)
    pdays = place_days(visits, index.ids, cfg)
    vis = officer_visit_table(visits, officers, index.ids, cfg)
    return DwellResult(
        place_days=pdays, visits=vis, stats=st, officers=officers, rows=visits, tgp_ids=index.ids
    )


def officer_visit_table(
    visits: pd.DataFrame, officers, tgp_ids, cfg: DwellConfig | None = None
) -> pd.DataFrame:
    """Visit-day rows -> one row per officer visit (officer_id, tgp_id, start, end, minutes...)."""
    cfg = cfg or DwellConfig()
    vs = visits["visit_start"].to_numpy()
    first = np.flatnonzero(vs)
    last = np.r_[first[1:], len(vs)] - 1 if len(first) else first
    sec = visits["seconds"].to_numpy()
    foot = visits["foot_seconds"].to_numpy()
    tg = visits["tgp"].to_numpy()[first]
    out = pd.DataFrame(
        {
            "officer_id": pd.array(
                np.asarray(officers)[visits["officer"].to_numpy()[first]], dtype="string"
            ),
            "tgp_id": pd.array(np.asarray(tgp_ids)[tg], dtype="string"),
            "start": _from_epoch(visits["start"].to_numpy()[first], cfg.tz),
            "end": _from_epoch(visits["end"].to_numpy()[last], cfg.tz),
            "minutes": (np.add.reduceat(sec, first) if len(first) else np.empty(0)) / 60.0,
            "foot_minutes": (np.add.reduceat(foot, first) if len(first) else np.empty(0)) / 60.0,
        }
    )
    out["compliant"] = out["minutes"] >= cfg.koper_minutes - 1e-9
    return out


def _officer_ranges(codes: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Officer-code ranges with about the same number of pings each."""
    counts = np.bincount(codes)
    cum = np.cumsum(counts)
    cuts = np.searchsorted(cum, np.linspace(0, cum[-1], parts + 1)[1:-1], side="left") + 1
    bounds = np.r_[0, cuts, len(counts)]
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


#: the arrays a forked worker reads (inherited, not pickled)
_SHARED: dict = {}


def _work_range(bounds):
    a, b = bounds
    d = _SHARED
    if d["sorted"]:  # a contiguous block: views, no copies
        i = slice(*np.searchsorted(d["codes"], [a, b]))
    else:
        i = np.flatnonzero((d["codes"] >= a) & (d["codes"] < b))
    sp = None if d["sp"] is None else d["sp"][i]
    return blocked_visits(d["codes"][i], d["t"][i], d["x"][i], d["y"][i], sp, d["index"], d["cfg"])


def blocked_visits(
    codes, t, x, y, speed, index: TGPIndex, cfg: DwellConfig | None = None
) -> tuple[pd.DataFrame, TraceStats]:
    """:func:`officer_visits` over blocks of whole officers of about ``cfg.block_pings``
    pings, one after another (the same rows as one call: officer partitions are exact).

    Parameters
    ----------
    codes, t, x, y, speed
        Officer code, epoch seconds, EPSG:27700 metres and reported speed (or None) per ping.
    index
        The TGP index.
    cfg
        Dwell rules.

    Returns
    -------
    tuple
        Visit-day rows and summed trace statistics.
    """
    cfg = cfg or DwellConfig()
    codes = np.asarray(codes, np.int64)
    n = len(codes)
    nblocks = max(1, int(math.ceil(n / max(cfg.block_pings, 1))))
    if nblocks == 1 or n == 0:
        return officer_visits(codes, t, x, y, speed, index, cfg)
    base = int(codes.min())
    rel = codes - base
    ranges = _officer_ranges(rel, nblocks)
    if np.all(rel[1:] >= rel[:-1]):
        order, sc = None, rel
    else:
        order = np.argsort(rel, kind="stable")
        sc = rel[order]
    rows, stats = [], []
    for a, b in ranges:
        i0, i1 = np.searchsorted(sc, [a, b])
        i = slice(i0, i1) if order is None else order[i0:i1]
        sp = None if speed is None else speed[i]
        r, s = officer_visits(codes[i], t[i], x[i], y[i], sp, index, cfg)
        rows.append(r)
        stats.append(s)
    return pd.concat(rows, ignore_index=True), _sum_stats(stats)


def _sum_stats(stats) -> TraceStats:
    st = TraceStats()
    for s in stats:
        for f in (
            "pings",
            "duplicates",
            "speed_dropped",
            "segments",
            "capped_gaps",
            "fast_segments",
        ):
            setattr(st, f, getattr(st, f) + getattr(s, f))
    return st


def _partition_visits(part, index: TGPIndex, cfg: DwellConfig):
    """The Dask task: one officer partition's arrays -> (visit-day rows, stats)."""
    codes, t, x, y, sp = part
    return officer_visits(codes, t, x, y, sp, index, cfg)


def _cluster_visits(codes, t, x, y, sp, index, cfg, partitions, client):
    """Officer partitions on a Dask cluster, results in partition order."""
    from planner.cluster import map_ordered

    threads = sum(client.nthreads().values()) or 1
    ranges = _officer_ranges(codes, max(partitions, 2 * threads))
    order = np.argsort(codes, kind="stable")
    sc = codes[order]

    def parts():
        for a, b in ranges:
            i = order[slice(*np.searchsorted(sc, [a, b]))]
            yield (codes[i], t[i], x[i], y[i], None if sp is None else sp[i])

    res = list(map_ordered(_partition_visits, parts(), client, index=index, cfg=cfg))
    return pd.concat([r[0] for r in res], ignore_index=True), _sum_stats(r[1] for r in res)


def _parallel_visits(codes, t, x, y, sp, index, cfg, partitions):
    """Officer partitions in worker processes. On Linux the workers are forked and inherit
    the arrays (nothing is pickled but the visit rows coming back)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ranges = _officer_ranges(codes, partitions)
    srt = bool(np.all(codes[1:] >= codes[:-1]))
    _SHARED.update(codes=codes, t=t, x=x, y=y, sp=sp, index=index, cfg=cfg, sorted=srt)
    try:
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        if ctx is None:  # pragma: no cover - platforms without fork pickle the partitions
            jobs = [(a, b) for a, b in ranges]
            res = [_work_range(j) for j in jobs]
        else:
            with ProcessPoolExecutor(max_workers=len(ranges), mp_context=ctx) as ex:
                res = list(ex.map(_work_range, ranges))
    finally:
        _SHARED.clear()
    st = TraceStats()
    for _, s in res:
        for f in (
            "pings",
            "duplicates",
            "speed_dropped",
            "segments",
            "capped_gaps",
            "fast_segments",
        ):
            setattr(st, f, getattr(st, f) + getattr(s, f))
    return pd.concat([r[0] for r in res], ignore_index=True), st

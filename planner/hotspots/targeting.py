"""Targeting by need: TGPs without the Op Savvy eligibility rules, a disc baseline, the rules' cost.

Targeting by need: TGPs without the Op Savvy eligibility rules, a greedy disc baseline, and
what the rules cost.

``rules="none"`` (:class:`~planner.hotspots.config.TGPConfig`) replaces the eligibility rules
(36-150 crimes a year, 150 m radius + 100 m buffer, 500 m spacing, significant Gi* cell) by a
plain objective: hold as many relevant offences (or as much of their harm, ``rank_by``) as
possible in at most ``n_total`` areas whose union is at most ``area_share`` of the force. The
areas are unions of raster cells (``union_cell``, 50 m) so that their shapes follow the data:

1. Bin the derivation window's relevant offences (the violent and ASB types) onto the raster
   (cells whose centre lies inside the force); ``s`` is the per-cell count (or harm).
2. Smooth ``s`` by a ``(2 * union_smooth + 1)`` square box sum (``ss``); cells with
   ``ss >= t`` form 8-connected components; each component's value is the sum of ``s`` over it.
   The ``n_total`` components of highest value are the areas at threshold ``t``.
3. The lowest threshold whose areas fit the budget is found by bisection over the distinct
   values of ``ss`` (the areas grow as ``t`` falls); then the areas are grown, one frontier
   cell at a time (4-neighbours of an area, best ``s`` first, ties to the higher ``ss``), until
   the budget is used or no frontier cell holds an offence.
4. Each area is the union of its cells, clipped to the force.

The baseline is a greedy maximum-coverage placement of ``count`` discs of one radius
(:func:`greedy_discs`): on a raster of candidate centres, take the disc holding the most
offences not yet held, repeat; :func:`radius_for_area` finds the radius whose discs use a
given area, so the two are compared at the same area.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from planner.crs import BNG
from planner.errors import PlannerError


@dataclass
class Raster:
    """A square raster over a polygon's bounding box (``pad`` cells of margin)."""

    ox: float
    oy: float
    cell: float
    nrow: int
    ncol: int

    @classmethod
    def over(cls, poly, cell: float, pad: int = 1) -> Raster:
        """A raster covering a polygon's bounds.

        Parameters
        ----------
        poly : shapely.Geometry
            The polygon (EPSG:27700).
        cell : float
            Cell size in metres.
        pad : int
            Cells of padding on each side.

        Returns
        -------
        Raster
            Origin aligned to multiples of ``cell``.
        """
        minx, miny, maxx, maxy = poly.bounds
        ox = np.floor(minx / cell) * cell - pad * cell
        oy = np.floor(miny / cell) * cell - pad * cell
        ncol = int(np.ceil((maxx - ox) / cell)) + pad
        nrow = int(np.ceil((maxy - oy) / cell)) + pad
        return cls(ox, oy, cell, nrow, ncol)

    def bin(self, x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
        """(nrow, ncol) sums of ``w`` (or counts) per cell; points off the raster are dropped.

        Parameters
        ----------
        x, y : numpy.ndarray
            Point coordinates.
        w : numpy.ndarray, optional
            Weights per point; None counts points.

        Returns
        -------
        numpy.ndarray
            float64 (nrow, ncol).
        """
        col = np.floor((x - self.ox) / self.cell).astype(np.int64)
        row = np.floor((y - self.oy) / self.cell).astype(np.int64)
        ok = (col >= 0) & (col < self.ncol) & (row >= 0) & (row < self.nrow)
        idx = row[ok] * self.ncol + col[ok]
        out = np.bincount(
            idx, weights=None if w is None else w[ok], minlength=self.nrow * self.ncol
        )
        return out.astype("float64").reshape(self.nrow, self.ncol)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates, (nrow, ncol) each.

        Returns
        -------
        tuple of numpy.ndarray
            x and y of every cell centre (broadcast views).
        """
        cx = self.ox + (np.arange(self.ncol) + 0.5) * self.cell
        cy = self.oy + (np.arange(self.nrow) + 0.5) * self.cell
        return np.broadcast_to(cx[None, :], (self.nrow, self.ncol)), np.broadcast_to(
            cy[:, None], (self.nrow, self.ncol)
        )

    def inside(self, poly) -> np.ndarray:
        """Boolean (nrow, ncol): cell centre inside ``poly``.

        Parameters
        ----------
        poly : shapely.Geometry
            The polygon.

        Returns
        -------
        numpy.ndarray of bool
            (nrow, ncol).
        """
        cx, cy = self.centres()
        shapely.prepare(poly)
        return shapely.contains_xy(poly, cx.ravel(), cy.ravel()).reshape(self.nrow, self.ncol)

    def polygon(self, rows: np.ndarray, cols: np.ndarray):
        """Union of the cells (rows, cols) as one (Multi)Polygon.

        Parameters
        ----------
        rows, cols : numpy.ndarray of int
            Cell positions.

        Returns
        -------
        shapely.Geometry
            The union of the cells' squares.
        """
        x0 = self.ox + cols * self.cell
        y0 = self.oy + rows * self.cell
        boxes = shapely.box(x0, y0, x0 + self.cell, y0 + self.cell)
        return shapely.union_all(boxes, grid_size=1e-3)


_EIGHT = np.ones((3, 3), dtype=bool)


def _components(ss: np.ndarray, s: np.ndarray, t: float, count: int):
    """Labels of ``ss >= t`` (8-connected) and the ``count`` labels of highest ``s`` sum."""
    lab, n = ndimage.label(ss >= t, structure=_EIGHT)
    if n == 0:
        return lab, np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64)
    val = np.bincount(lab.ravel(), weights=s.ravel(), minlength=n + 1)[1:]
    size = np.bincount(lab.ravel(), minlength=n + 1)[1:]
    order = np.lexsort((np.arange(n), -val))[:count]
    return lab, order + 1, val[order], size[order]


def cell_union_regions(
    s: np.ndarray,
    inside: np.ndarray,
    *,
    count: int,
    max_cells: int,
    smooth: int = 0,
    max_gap: int = 3,
) -> list[np.ndarray]:
    """Up to ``count`` connected cell sets holding the most of ``s`` within ``max_cells`` cells.

    Up to ``count`` connected cell sets holding as much of ``s`` as possible in at most
    ``max_cells`` cells together (see the module docstring, steps 2-3).

    Parameters
    ----------
    s : (nrow, ncol) non-negative per-cell values (counts or harm).
    inside : (nrow, ncol) cells that may be used (centre inside the force).
    count : most regions.
    max_cells : the budget in cells.
    smooth : half-width of the box sum that joins nearby cells into one region (0: none).
    max_gap : when the regions are complete (no neighbouring cell holds an offence) and budget
        is left, attach further groups of cells across at most this many empty cells
        (:func:`_attach`); 0 turns it off.

    Returns
    -------
    list of flat cell indices (``row * ncol + col``), one array per region, best region first.
    """
    if count <= 0 or max_cells <= 0:
        return []
    s = np.where(inside, s, 0.0)
    k = 2 * smooth + 1
    ss = ndimage.uniform_filter(s, size=k, mode="constant") * (k * k) if smooth else s.copy()
    ss[~inside] = 0.0
    ss[ss < 1e-9] = 0.0
    levels = np.unique(ss[ss > 0])[::-1]  # descending
    if len(levels) == 0:
        return []

    def fits(i):
        lab, keep, val, size = _components(ss, s, levels[i], count)
        return size.sum() <= max_cells, (lab, keep)

    lo, hi = 0, len(levels) - 1
    ok0, best = fits(0)
    if not ok0:
        # even the single highest level is too big: take the best cells alone
        flat = np.argsort(-s.ravel(), kind="stable")[:max_cells]
        flat = flat[s.ravel()[flat] > 0]
        return [np.array([f]) for f in flat[:count]]
    # largest index (lowest threshold) that fits; the area grows as the threshold falls
    while lo < hi:
        mid = (lo + hi + 1) // 2
        ok, res = fits(mid)
        if ok:
            lo, best = mid, res
        else:
            hi = mid - 1
    lab, keep = best
    nrow, ncol = s.shape
    region = np.zeros(nrow * ncol, dtype=np.int64)  # 0 = free, r + 1 = region r
    flat_lab = lab.ravel()
    for r, L in enumerate(keep):
        region[flat_lab == L] = r + 1
    used = int((region > 0).sum())
    # grow: frontier cells best s first (ties to the higher ss, then lower index)
    sf, ssf, inf = s.ravel(), ss.ravel(), inside.ravel()
    heap: list = []

    def push_neighbours(f, r):
        rr, cc = divmod(f, ncol)
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            a, b = rr + dr, cc + dc
            if 0 <= a < nrow and 0 <= b < ncol:
                g = a * ncol + b
                if region[g] == 0 and inf[g] and sf[g] > 0:
                    heapq.heappush(heap, (-sf[g], -ssf[g], g, r))

    for f in np.flatnonzero(region):
        push_neighbours(int(f), int(region[f]))
    while heap and used < max_cells:
        _, _, g, r = heapq.heappop(heap)
        if region[g]:
            continue
        region[g] = r
        used += 1
        push_neighbours(g, r)
    if used < max_cells and max_gap > 0:
        used = _attach(region, s, inside, max_cells, used, max_gap)
    out = []
    for r in range(1, len(keep) + 1):
        out.append(np.flatnonzero(region == r))
    return [o for o in out if len(o)]


def _path(r0: int, c0: int, r1: int, c1: int) -> list[tuple[int, int]]:
    """The cells strictly between (r0, c0) and (r1, c1) on a king's-move path.

    The cells strictly between (r0, c0) and (r1, c1) on a king's-move path (diagonal
    steps first), as (row, col) pairs.
    """
    out = []
    r, c = r0, c0
    while max(abs(r1 - r), abs(c1 - c)) > 1:
        r += int(np.sign(r1 - r))
        c += int(np.sign(c1 - c))
        out.append((r, c))
    return out


def _attach(region, s, inside, max_cells: int, used: int, max_gap: int, batch: int = 25) -> int:
    """Use the budget left when every region is complete (attach nearby offence cells).

    Use the budget left when every region is complete: attach the unselected group of
    offence cells (8-connected) with the best value per cell, counting the empty cells of the
    shortest king's-move path to the nearest region (at most ``max_gap`` of them), to that
    region; repeat (up to ``batch`` groups per distance transform) until the budget is used or
    no group fits. ``region`` (flat, 0 = free) is updated in place; returns the cells used.
    """
    nrow, ncol = s.shape
    pos = (s > 0) & inside
    lab, n = ndimage.label(pos, structure=_EIGHT)
    if n == 0:
        return used
    flat_lab = lab.ravel()
    val = np.bincount(flat_lab, weights=s.ravel(), minlength=n + 1)
    size = np.bincount(flat_lab, minlength=n + 1)
    inf = inside.ravel()
    while used < max_cells:
        sel = (region > 0).reshape(nrow, ncol)
        taken = np.bincount(flat_lab[region > 0], minlength=n + 1) > 0
        free = pos.ravel() & (region == 0) & ~taken[flat_lab]
        if not free.any():
            break
        _, (ir, ic) = ndimage.distance_transform_edt(~sel, return_indices=True)
        cells = np.flatnonzero(free)
        rr, cc = np.divmod(cells, ncol)
        gap = np.maximum(np.abs(rr - ir.ravel()[cells]), np.abs(cc - ic.ravel()[cells])) - 1
        ok = gap <= max_gap
        if not ok.any():
            break
        cells, gap = cells[ok], gap[ok]
        lc = flat_lab[cells]
        # per group: its cell closest to a region (fewest empty cells between)
        order = np.lexsort((cells, gap, lc))
        first = np.ones(len(order), bool)
        first[1:] = lc[order][1:] != lc[order][:-1]
        best = order[first]
        g_lab, g_cell, g_gap = lc[best], cells[best], gap[best]
        cost = size[g_lab] + g_gap
        ratio = val[g_lab] / cost
        added = 0
        for k in np.lexsort((g_lab, -ratio)):
            if added == batch or used >= max_cells:
                break
            if used + cost[k] > max_cells:
                continue
            f = int(g_cell[k])
            r0, c0 = divmod(f, ncol)
            target = (int(ir[r0, c0]), int(ic[r0, c0]))
            rid = int(region[target[0] * ncol + target[1]])
            path = [a * ncol + b for a, b in _path(r0, c0, *target)]
            members = np.flatnonzero(flat_lab == g_lab[k])
            if any(region[p] != 0 or not inf[p] for p in path) or (region[members] != 0).any():
                continue  # an earlier attachment of this batch took the way: next round
            region[path] = rid
            region[members] = rid
            used += len(path) + len(members)
            added += 1
        if added == 0:
            break
    return used


def greedy_discs(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None,
    boundary,
    *,
    radius: float,
    count: int,
    cell: float = 50.0,
) -> gpd.GeoDataFrame:
    """Greedy maximum-coverage placement of ``count`` discs of ``radius``.

    Greedy maximum-coverage placement of ``count`` discs of ``radius``: each step takes the
    candidate centre (a raster cell centre inside the force) whose disc holds the most of the
    offences (``w``, or counts) not held by an earlier disc. Offences are binned to ``cell``
    cells; a cell is held when its centre lies within ``radius`` of a chosen centre.

    Parameters
    ----------
    x, y : offence coordinates (EPSG:27700).
    w : weights (harm) or None for counts.
    boundary : force polygon.
    radius : disc radius in metres.
    count : number of discs.
    cell : raster cell in metres.

    Returns
    -------
    GeoDataFrame with ``rank``, ``held`` (raster value newly held) and the disc clipped to the
    force, in pick order.
    """
    from planner.hotspots.grid import _as_polygon
    from planner.hotspots.kde import fftconvolve_same
    from planner.hotspots.tgps import _disc

    poly: Any = _as_polygon(boundary)
    r = int(np.floor(radius / cell))
    ras = Raster.over(poly, cell, pad=r + 1)
    inside = ras.inside(poly)
    v = ras.bin(x, y, w)
    k = _disc(radius, cell)
    # rounded to 1e-6 so that FFT round-off neither creates nor breaks ties
    score = np.round(fftconvolve_same(v, k), 6)
    score[score < 1e-6] = 0.0
    score[~inside] = -1.0
    cx, cy = ras.centres()
    picks = []
    for rank in range(1, count + 1):
        f = int(np.argmax(score))
        if score.flat[f] < 0:
            break
        pr, pc = divmod(f, ras.ncol)
        held = float(max(score.flat[f], 0.0))
        picks.append((rank, held, float(cx[pr, pc]), float(cy[pr, pc])))
        # remove the held cells and update the scores within 2r of the pick
        r0, r1 = max(pr - r, 0), min(pr + r + 1, ras.nrow)
        c0, c1 = max(pc - r, 0), min(pc + r + 1, ras.ncol)
        kk = k[r0 - pr + r : r1 - pr + r, c0 - pc + r : c1 - pc + r] > 0
        removed = np.zeros_like(v[r0:r1, c0:c1])
        removed[kk] = v[r0:r1, c0:c1][kk]
        v[r0:r1, c0:c1][kk] = 0.0
        if removed.any():
            R0, R1 = max(r0 - r, 0), min(r1 + r, ras.nrow)
            C0, C1 = max(c0 - r, 0), min(c1 + r, ras.ncol)
            pad = np.zeros((R1 - R0, C1 - C0))
            pad[r0 - R0 : r1 - R0, c0 - C0 : c1 - C0] = removed
            d = fftconvolve_same(pad, k)
            d[np.abs(d) < 1e-9] = 0.0
            sub = score[R0:R1, C0:C1]
            live = sub >= 0
            sub[live] = np.round(np.maximum(sub[live] - d[live], 0.0), 6)
    geoms = [
        shapely.intersection(shapely.Point(px, py).buffer(radius, quad_segs=16), poly)
        for _, _, px, py in picks
    ]
    return gpd.GeoDataFrame(
        {
            "rank": np.array([p[0] for p in picks], dtype=np.int64),
            "held": np.array([p[1] for p in picks]),
            "centre_x": np.array([p[2] for p in picks]),
            "centre_y": np.array([p[3] for p in picks]),
        },
        geometry=geoms,
        crs=BNG,
    )


def union_area(layer: gpd.GeoDataFrame) -> float:
    """Area of the union of a layer's polygons (m2).

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        Polygons in a metric CRS.

    Returns
    -------
    float
        The area (0 for an empty layer).
    """
    return float(shapely.union_all(layer.geometry.to_numpy()).area) if len(layer) else 0.0


def radius_for_area(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None,
    boundary,
    *,
    area_m2: float,
    count: int,
    cell: float = 50.0,
    tol: float = 0.005,
    max_iter: int = 20,
) -> tuple[float, gpd.GeoDataFrame]:
    """The greedy disc placement whose union uses ``area_m2``.

    To within ``tol`` relative, or the closest below after ``max_iter`` bisection steps.

    Parameters
    ----------
    x, y : numpy.ndarray
        Offence coordinates (EPSG:27700).
    w : numpy.ndarray or None
        Weights (harm) or None for counts.
    boundary : shapely.Geometry or geopandas.GeoDataFrame
        Force polygon.
    area_m2 : float
        The area to match (positive).
    count : int
        Number of discs.
    cell : float
        Raster cell in metres.
    tol : float
        Relative tolerance on the area.
    max_iter : int
        Most bisection steps.

    Returns
    -------
    tuple of (float, geopandas.GeoDataFrame)
        The radius and the discs of :func:`greedy_discs`.
    """
    if area_m2 <= 0:
        raise PlannerError("the area to match must be positive")
    lo, hi = cell, max(2 * cell, np.sqrt(area_m2 / (np.pi * max(count, 1))) * 3)
    best = None
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        d = greedy_discs(x, y, w, boundary, radius=mid, count=count, cell=cell)
        a = union_area(d)
        if a <= area_m2:
            best = (mid, d)
            lo = mid
        else:
            hi = mid
        if abs(a - area_m2) <= tol * area_m2:
            best = (mid, d) if a <= area_m2 * (1 + tol) else best
            break
    if best is None:
        d = greedy_discs(x, y, w, boundary, radius=lo, count=count, cell=cell)
        best = (lo, d)
    return best


def need_areas(
    config, poly, x, y, harm, is_v, is_a, summary: dict, demand=None
) -> tuple[list, str | None]:
    """The ``rules="none"`` areas for :func:`~planner.hotspots.tgps.derive_tgps`.

    The ``rules="none"`` areas for :func:`~planner.hotspots.tgps.derive_tgps`: records
    ``(kind, rank, centre_x, centre_y, polygon)`` best first, and why selection stopped.

    Parameters
    ----------
    config : :class:`~planner.hotspots.config.TGPConfig` (``union_cell``, ``union_smooth``,
        ``n_total``, ``area_share``, ``rank_by``).
    poly : force polygon (prepared).
    x, y, harm, is_v, is_a : the derivation window's offences (coordinates, harm, family masks).
    summary : the derivation summary, updated with the ``families`` entry.
    demand : ``(x, y, weights)`` of calls for service in the window, added to the surface the
        areas maximise (a call weighs its weight against one offence or one unit of harm).

    Returns
    -------
    (records, stopped)
    """
    rel = is_v | is_a
    f = config.union_cell
    ras = Raster.over(poly, f)
    inside = ras.inside(poly)
    w = harm[rel] if config.rank_by == "harm" else None
    s = ras.bin(x[rel], y[rel], w)
    if demand is not None and len(demand[0]):
        s = s + ras.bin(demand[0], demand[1], demand[2])
    max_cells = int(np.floor(config.area_share * poly.area / (f * f) + 1e-9))
    regions = cell_union_regions(
        s,
        inside,
        count=config.n_total,
        max_cells=max_cells,
        smooth=config.union_smooth,
        max_gap=config.union_gap,
    )
    nv = ras.bin(x[is_v], y[is_v]).ravel()
    na = ras.bin(x[is_a], y[is_a]).ravel()
    rec = []
    rank = {"violent": 0, "asb": 0}
    for cells in regions:
        rows, cols = np.divmod(cells, ras.ncol)
        g = shapely.intersection(ras.polygon(rows, cols), poly)
        if g.is_empty:
            continue
        kind = "asb" if na[cells].sum() > nv[cells].sum() else "violent"
        rank[kind] += 1
        p = g.representative_point()
        rec.append((kind, rank[kind], p.x, p.y, g))
    summary["families"]["relevant"] = {
        "target": config.n_total,
        "positive_cells": int((s[inside] > 0).sum()),
        "cell": f,
        "budget_cells": max_cells,
    }
    stopped = None
    if len(rec) < config.n_total:
        stopped = "no more areas hold an offence within the budget"
    return rec, stopped


@dataclass
class RulesCost:
    """What the eligibility rules cost.

    What the eligibility rules cost: one row per layer and window (``table``) and the
    differences (``summary``).
    """

    table: pd.DataFrame
    summary: dict
    layers: dict

    def text(self) -> str:
        """The terminal table.

        Returns
        -------
        str
            A header line, the table and the differences.
        """
        lines = [
            "What the eligibility rules cost (same area budget and count; relevant offences: "
            + ", ".join(self.summary["relevant_types"])
            + "; knife share: "
            + self.summary.get("knife_note", "knife-crime proxy (police.uk has no knife flag)")
            + ")",
            "",
            f"{'layer':<26}{'window':<30}{'TGPs':>6}{'area %':>9}{'offences':>10}{'offences %':>12}"
            f"{'harm %':>9}{'knife %':>9}",
        ]
        for _, r in self.table.iterrows():
            lines.append(
                f"{r['layer']:<26}{r['window']:<30}{int(r['tgps']):>6}{100 * r['area_share']:>9.3f}"
                f"{int(r['offences']):>10}{100 * r['offence_share']:>12.1f}{100 * r['harm_share']:>9.1f}"
                f"{100 * r['knife_share']:>9.1f}"
            )
        for w, d in self.summary["cost"].items():
            lines.append(
                f"cost of the rules ({w}): {d['offences']:,} offences "
                f"({100 * d['offence_share']:.1f} points), {100 * d['harm_share']:.1f} points of harm"
            )
        if self.summary.get("none_vs_discs") is not None:
            lines.append(
                f"rules=none holds {100 * self.summary['none_vs_discs']:.1f}% of the greedy discs' "
                f"share at the same area ({self.summary['compare_window']})"
            )
        return "\n".join(lines)


def rules_cost(
    crimes: gpd.GeoDataFrame,
    boundary,
    config=None,
    *,
    start: str | None = None,
    end: str | None = None,
    test_start: str | None = None,
    test_end: str | None = None,
    geography=None,
    discs: bool = True,
) -> RulesCost:
    """Derive the TGPs with the Op Savvy rules and with none, and score both.

    Derive the TGPs with the Op Savvy rules and with none (same ``area_share`` and
    ``n_total``), optionally a greedy disc placement at the ``none`` layer's area, and score
    each on the derivation window and (when ``test_start`` is given) on a later test window.

    Parameters
    ----------
    crimes : canonical crime table (EPSG:27700).
    boundary : force polygon.
    config : :class:`~planner.hotspots.config.TGPConfig` (its ``rules`` is overridden).
    start, end : derivation window ("YYYY-MM").
    test_start, test_end : test window (out of sample); None scores the derivation window only.
    geography : for the LPA and ward labels (optional).
    discs : add the greedy disc baseline.

    Returns
    -------
    :class:`RulesCost`.
    """
    import dataclasses

    from planner.hotspots.config import CoverageConfig, TGPConfig
    from planner.hotspots.coverage import coverage_report
    from planner.hotspots.grid import _as_polygon, filter_crimes, xy
    from planner.hotspots.tgps import derive_tgps

    config = config or TGPConfig()
    poly = _as_polygon(boundary)
    rel_types = (*config.violent_types, *config.asb_types)
    cov = CoverageConfig(relevant_types=rel_types)
    layers = {
        "op-savvy": derive_tgps(
            crimes,
            poly,
            geography,
            dataclasses.replace(config, rules="op-savvy"),
            start=start,
            end=end,
        ).tgps,
        "none": derive_tgps(
            crimes,
            poly,
            geography,
            dataclasses.replace(config, rules="none"),
            start=start,
            end=end,
        ).tgps,
    }
    train = filter_crimes(crimes, None, start, end)
    if discs:
        tr = filter_crimes(train, rel_types)
        x, y = xy(tr)
        w = tr["harm"].to_numpy(dtype="float64", na_value=0.0) if config.rank_by == "harm" else None
        radius, d = radius_for_area(
            x, y, w, poly, area_m2=union_area(layers["none"]), count=config.n_total
        )
        layers[f"greedy discs r={radius:.0f} m"] = d
    windows = {"derivation": train}
    if test_start is not None:
        windows["test"] = filter_crimes(crimes, None, test_start, test_end)
    rows = []
    for name, layer in layers.items():
        for wname, wc in windows.items():
            s = coverage_report(layer, wc, poly, None, cov).summary
            rows.append(
                {
                    "layer": name,
                    "window": f"{wname} {wc['month'].min()}..{wc['month'].max()}",
                    "tgps": len(layer),
                    "area_share": s["area_share"],
                    "offences": s["offences_in_tgps"],
                    "offence_share": s["offence_share"],
                    "harm_share": s["harm_share"],
                    "knife_share": s["knife_share"],
                }
            )
    table = pd.DataFrame(rows)
    cost = {}
    for wname in windows:
        a = table[(table["layer"] == "op-savvy") & table["window"].str.startswith(wname)].iloc[0]
        b = table[(table["layer"] == "none") & table["window"].str.startswith(wname)].iloc[0]
        cost[wname] = {
            "offences": int(b["offences"] - a["offences"]),
            "offence_share": float(b["offence_share"] - a["offence_share"]),
            "harm_share": float(b["harm_share"] - a["harm_share"]),
        }
    from planner.hotspots.coverage import KNIFE_NOTES, knife_source

    knife_src = knife_source(crimes)
    summary: dict = {
        "area_budget": config.area_share,
        "count": config.n_total,
        "rank_by": config.rank_by,
        "relevant_types": list(rel_types),
        "knife_source": knife_src,
        "knife_note": KNIFE_NOTES[knife_src],
        "cost": cost,
        "none_vs_discs": None,
    }
    if discs:
        cw = "test" if "test" in windows else "derivation"
        dname = next(n for n in layers if n.startswith("greedy"))
        pick = table[table["window"].str.startswith(cw)].set_index("layer")
        summary["compare_window"] = cw
        summary["disc_radius"] = float(radius)
        share = pick["offence_share"].astype("float64")
        summary["none_vs_discs"] = float(share["none"]) / float(share[dname])
    return RulesCost(table=table, summary=summary, layers=layers)

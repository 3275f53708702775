"""TGP derivation: hotspot cells to Targeted Guardian Patrol polygons under an area budget.

The method (all numbers in :class:`~planner.hotspots.config.TGPConfig`, WMP Op Savvy defaults):

1. Bin the derivation window's violent offences (violence and sexual offences, robbery,
   possession of weapons) and, separately, its ASB onto a fine raster (``cell``, 50 m).
2. For every raster cell centre, count (and sum the harm of) the offences within ``radius``
   (150 m) by one FFT convolution with a disc; annualise by the window's length in years.
3. A centre is eligible when its annual count is within ``[min_per_year, max_per_year]``
   (36-150), it lies inside the force, no centre over ``max_per_year`` lies within
   ``radius + buffer`` of it (``exclude_near_over_max``: a too-busy place is not made eligible
   by shifting a disc to its edge), and (``require_hotspot``) its ``hotspot_cell`` grid cell
   is a significant Gi* hot spot for that family (FDR-corrected, ``hotspot_alpha``).
4. Greedy selection by harm (``rank_by``): take the best eligible centre, drop every other
   centre within ``min_separation`` (500 m) of it, repeat: ``n_violent`` (50) violent areas,
   then ``n_total - n_violent`` (34) ASB areas, spaced among themselves but free to overlap the
   violent ones (WMP's ASB areas overlap 26 of its 50 violent TGPs). Selection stops early if
   the union of the polygons would exceed ``area_share`` (2.2%) of the force area.
5. Each polygon is the disc of ``radius + buffer`` (250 m) around its centre, clipped to the
   force; its offences and harm are then counted exactly (points in polygon).
6. Labels: ``kind`` (violent | asb), ``driver`` (robbery or knife when that share of its violent
   offences is ``driver_lq`` times the force share, else violence; asb for ASB areas),
   ``lpa`` (largest overlap) and ``wards`` (every ward holding at least ``min_ward_share`` of
   the polygon, largest first) from :class:`~planner.geography.ForceGeography`.
7. IDs: matched one-to-one to a previous layer by overlap (intersection over the smaller area,
   at least ``id_min_overlap``), so a refresh keeps the IDs of areas that stayed; new areas get
   the next free numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner.crs import BNG
from planner.errors import PlannerError
from planner.hotspots.config import RULES, GiStarConfig, TGPConfig
from planner.hotspots.grid import filter_crimes, lattice_grid, month_steps, xy

#: the columns every TGP layer written by the engine has, in order
TGP_COLUMNS = (
    "tgp_id",
    "driver",
    "kind",
    "lpa",
    "wards",
    "crimes",
    "harm",
    "area_m2",
    "crimes_per_year",
    "robbery",
    "knife",
    "rank",
    "centre_x",
    "centre_y",
)


@dataclass
class TGPDerivation:
    """The derived layer and a summary of how it was derived (counts, budget, shortfalls)."""

    tgps: gpd.GeoDataFrame
    summary: dict = field(default_factory=dict)


def _months(crimes: pd.DataFrame) -> int:
    _, months = month_steps(crimes["month"].dropna())
    if not months:
        raise PlannerError("no crimes in the derivation window")
    return len(months)


def _disc(radius: float, cell: float) -> np.ndarray:
    """0/1 disc kernel: raster offsets within ``radius`` of the centre pixel."""
    r = int(np.floor(radius / cell))
    off = np.arange(-r, r + 1) * cell
    return (np.hypot(off[None, :], off[:, None]) <= radius + 1e-9).astype("float64")


class _DiscConv:
    """FFT convolution of several rasters with several disc kernels on one padded shape.

    FFT convolution of several rasters with several disc kernels on one padded shape:
    each raster and each kernel is transformed once (the work of ``derive_tgps``).
    """

    def __init__(self, shape: tuple[int, int], kernels: dict[str, np.ndarray]):
        from planner.hotspots.kde import _fast_len

        self.shape = shape
        m = max(k.shape[0] for k in kernels.values())
        self.fshape = (_fast_len(shape[0] + m - 1), _fast_len(shape[1] + m - 1))
        self.k = {
            n: (np.fft.rfft2(k, self.fshape), (k.shape[0] - 1) // 2) for n, k in kernels.items()
        }

    def fft(self, raster: np.ndarray) -> np.ndarray:
        return np.fft.rfft2(raster.reshape(self.shape), self.fshape)

    def conv(self, fr: np.ndarray, kernel: str) -> np.ndarray:
        fk, r = self.k[kernel]
        full = np.fft.irfft2(fr * fk, self.fshape)
        out = full[r : r + self.shape[0], r : r + self.shape[1]].ravel()
        out[out < 1e-6] = 0.0  # FFT round-off
        return out


def _select(cx, cy, score, eligible, k, sep, tiebreak=None):
    """Greedy non-maximum suppression of candidate centres.

    Greedy non-maximum suppression: indices of up to ``k`` best eligible centres at least
    ``sep`` apart (a loop over the picks, vectorised over candidates); ties in ``score`` go
    to the higher ``tiebreak``, then to the lower raster index.
    """
    cand = np.flatnonzero(eligible)
    tb = np.zeros(len(cand)) if tiebreak is None else -tiebreak[cand]
    cand = cand[np.lexsort((cand, tb, -score[cand]))]
    alive = np.ones(len(cand), dtype=bool)
    picks = []
    ccx, ccy = cx[cand], cy[cand]
    i = 0
    while len(picks) < k and i < len(cand):
        if not alive[i]:
            i += 1
            continue
        picks.append(cand[i])
        near = (ccx - ccx[i]) ** 2 + (ccy - ccy[i]) ** 2 < sep * sep
        alive &= ~near
        i += 1
    return np.asarray(picks, dtype=np.int64), cand[alive]


def derive_tgps(
    crimes: gpd.GeoDataFrame,
    boundary,
    geography=None,
    config: TGPConfig | None = None,
    *,
    previous: gpd.GeoDataFrame | None = None,
    start: str | None = None,
    end: str | None = None,
    demand=None,
) -> TGPDerivation:
    """Derive a TGP layer from a canonical crime table (see the module docstring).

    Parameters
    ----------
    crimes : canonical crime table (EPSG:27700).
    boundary : force area (shapely geometry or GeoDataFrame, dissolved).
    geography : :class:`~planner.geography.ForceGeography` for LPA and ward labels (optional).
    config : :class:`TGPConfig` (Op Savvy defaults).
    previous : an earlier TGP layer (with ``tgp_id``) whose IDs are kept where areas overlap.
    start, end : derivation window ("YYYY-MM", inclusive); default the whole table.
    demand : :class:`~planner.hotspots.demand.DemandPoints` (calls for service): under
        ``rules="none"`` the areas maximise the offences (or harm) + the weighted calls held in
        the window's months; refused under the Op Savvy rules (eligibility is defined on crimes).

    Returns
    -------
    TGPDerivation
        The TGP layer (EPSG:27700, ranked) and a summary of how it was derived.
    """
    config = config or TGPConfig()
    if config.rules not in RULES:
        raise PlannerError(f"unknown TGP rules {config.rules!r}; choose from {', '.join(RULES)}")
    if config.rank_by not in ("harm", "count"):
        raise PlannerError(f"rank_by must be harm or count, not {config.rank_by!r}")
    if demand is not None and config.rules != "none":
        raise PlannerError(
            "calls for service enter the TGP objective only with --rules none (the Op Savvy "
            "eligibility rules are defined on crimes): use --rules none"
        )
    if config.n_violent > config.n_total:
        raise PlannerError(
            f"n_violent ({config.n_violent}) exceeds the TGP count ({config.n_total})"
        )
    from planner.hotspots.grid import _as_polygon

    poly = _as_polygon(boundary)
    shapely.prepare(poly)
    force_area = poly.area
    c = filter_crimes(crimes, (*config.violent_types, *config.asb_types), start, end)
    years = _months(c) / 12.0
    x, y = xy(c)
    harm = c["harm"].to_numpy(dtype="float64", na_value=0.0)
    ctype = c["crime_type"].to_numpy(dtype=object)
    is_v = np.isin(ctype, list(config.violent_types))
    is_a = np.isin(ctype, list(config.asb_types))

    summary: dict = {
        "rules": config.rules,
        "years": years,
        "force_area_m2": force_area,
        "budget_m2": config.area_share * force_area,
        "families": {},
    }
    if config.rules == "none":
        from planner.hotspots.targeting import need_areas

        extra = None
        if demand is not None and len(c):
            extra = demand.window(str(c["month"].min()), str(c["month"].max()))
            summary["demand"] = {"layer": "calls", "weight": demand.weight,
                                 "calls_in_window": len(extra[0]), "in_objective": True}  # fmt: skip
        rec, stopped = need_areas(config, poly, x, y, harm, is_v, is_a, summary, demand=extra)
    else:
        rec, stopped = _op_savvy_areas(config, poly, x, y, harm, is_v, is_a, summary)
    if not rec:
        raise PlannerError(
            "no area met the TGP eligibility rules (check the crime window and thresholds)"
        )
    kinds = np.array([r[0] for r in rec], dtype=object)
    geoms = np.array([r[4] for r in rec], dtype=object)
    out = gpd.GeoDataFrame(
        {
            "kind": kinds,
            "rank": np.array([r[1] for r in rec], dtype=np.int64),
            "centre_x": np.array([r[2] for r in rec]),
            "centre_y": np.array([r[3] for r in rec]),
        },
        geometry=geoms,
        crs=BNG,
    )
    # exact counts in each polygon
    pi, ci = points_in_polygons(geoms, x, y)
    stats = _polygon_sums(
        len(out),
        pi,
        ci,
        is_v,
        is_a,
        harm,
        ctype,
        c["knife_weight"].to_numpy(dtype="float64", na_value=0.0),
    )
    v = kinds == "violent"
    if config.rules == "none":  # an area holds every relevant offence, whatever its kind
        out["crimes"] = (stats["v_n"] + stats["a_n"]).astype("int64")
        out["harm"] = stats["v_h"] + stats["a_h"]
    else:
        out["crimes"] = np.where(v, stats["v_n"], stats["a_n"]).astype("int64")
        out["harm"] = np.where(v, stats["v_h"], stats["a_h"])
    out["robbery"] = stats["rob"].astype("int64")
    out["knife"] = stats["knife"]
    out["crimes_per_year"] = out["crimes"] / years
    out["area_m2"] = shapely.area(geoms)
    union_area = float(shapely.union_all(geoms).area)
    # drivers: robbery / knife proxy over-represented relative to the force
    vv = is_v.sum()
    force_rob = (ctype[is_v] == "Robbery").sum() / vv if vv else 0.0
    force_knife = (
        c["knife_weight"].to_numpy(dtype="float64", na_value=0.0)[is_v].sum() / vv if vv else 0.0
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rob_sh = np.where(stats["v_n"] > 0, stats["rob"] / stats["v_n"], 0.0)
        kn_sh = np.where(stats["v_n"] > 0, stats["knife"] / stats["v_n"], 0.0)
    driver = np.where(
        ~v,
        "asb",
        np.where(
            (force_rob > 0) & (rob_sh >= config.driver_lq * force_rob),
            "robbery",
            np.where(
                (force_knife > 0) & (kn_sh >= config.driver_lq * force_knife), "knife", "violence"
            ),
        ),
    )
    out["driver"] = driver
    out["lpa"], out["wards"] = label_areas(out, geography, config.min_ward_share)
    ids, matched = assign_ids(out, previous, config)
    out["tgp_id"] = ids
    out = out[[*TGP_COLUMNS, "geometry"]]
    for col in ("tgp_id", "driver", "kind", "lpa", "wards"):
        out[col] = out[col].astype("string")
    summary.update(
        {
            "n_tgps": len(out),
            "n_violent": int(v.sum()),
            "n_asb": int((~v).sum()),
            "area_m2": union_area,
            "area_share": union_area / force_area,
            "stopped": stopped,
            "ids_kept_from_previous": matched,
            "window": [str(c["month"].min()), str(c["month"].max())],
        }
    )
    shortfall = []
    for kind, k in (("violent", config.n_violent), ("asb", config.n_asb)):
        got = int((kinds == kind).sum())
        if got < k:
            shortfall.append(f"{kind}: {got} of {k}")
    summary["shortfall"] = shortfall
    return TGPDerivation(tgps=out, summary=summary)


def _op_savvy_areas(config, poly, x, y, harm, is_v, is_a, summary) -> tuple[list, str | None]:
    """The Op Savvy selection (module docstring, steps 2-5): (records, why selection stopped)."""
    force_area = poly.area
    years = summary["years"]
    minx, miny, maxx, maxy = poly.bounds
    f = config.cell
    pad = int(np.ceil(config.radius / f)) + 1
    ox = np.floor(minx / f) * f - pad * f
    oy = np.floor(miny / f) * f - pad * f
    ncol = int(np.ceil((maxx - ox) / f)) + pad
    nrow = int(np.ceil((maxy - oy) / f)) + pad
    rows, cols = np.divmod(np.arange(nrow * ncol), ncol)
    cx = ox + (cols + 0.5) * f
    cy = oy + (rows + 0.5) * f
    conv = _DiscConv(
        (nrow, ncol),
        {
            "disc": _disc(config.radius, f),
            "core": _disc(f, f),
            "polygon": _disc(config.radius + config.buffer, f),
        },
    )

    hot_grid = lattice_grid(poly, config.hotspot_cell) if config.require_hotspot else None
    budget = config.area_share * force_area
    picked = {}
    for kind, mask, k in (("violent", is_v, config.n_violent), ("asb", is_a, config.n_asb)):
        if k <= 0:
            continue
        col = np.floor((x[mask] - ox) / f).astype(np.int64)
        row = np.floor((y[mask] - oy) / f).astype(np.int64)
        ok = (col >= 0) & (col < ncol) & (row >= 0) & (row < nrow)
        idx = row[ok] * ncol + col[ok]
        f_cnt = conv.fft(np.bincount(idx, minlength=nrow * ncol).astype("float64"))
        f_harm = conv.fft(np.bincount(idx, weights=harm[mask][ok], minlength=nrow * ncol))
        cnt, hsum = conv.conv(f_cnt, "disc"), conv.conv(f_harm, "disc")
        # tie-break: many centres near a compact cluster hold the same crimes; prefer the one
        # with most crime within one cell of it (the cluster's core)
        core = conv.conv(f_cnt, "core")
        per_year = cnt / years
        elig = (per_year >= config.min_per_year) & (per_year <= config.max_per_year)
        if config.exclude_near_over_max:
            # no polygon may take in part of a too-busy centre (its disc shifted to its edge)
            over = (per_year > config.max_per_year).astype("float64")
            if over.any():
                elig &= conv.conv(conv.fft(over), "polygon") < 0.5
        cand = np.flatnonzero(elig)
        elig[cand] = shapely.contains_xy(poly, cx[cand], cy[cand])  # centre inside the force
        if hot_grid is not None:
            from planner.hotspots.gistar import grid_gistar

            res = grid_gistar(
                hot_grid,
                hot_grid.aggregate(x[mask], y[mask]),
                GiStarConfig(alpha=config.hotspot_alpha),
            )
            pos = hot_grid.locate(cx, cy)
            elig &= (pos >= 0) & res.hot[np.clip(pos, 0, None)]
        score = hsum if config.rank_by == "harm" else cnt
        # a few spare candidates in case the area budget rejects some picks
        picks, _ = _select(cx, cy, score, elig, 3 * k, config.min_separation, core)
        picked[kind] = (picks, k)
        summary["families"][kind] = {"target": k, "eligible_centres": int(elig.sum())}

    # polygons and the area budget (violent first, then ASB), in rank order
    rec = []
    union: BaseGeometry = shapely.Polygon()
    used = 0.0
    stopped = None
    for kind in ("violent", "asb"):
        picks, k = picked.get(kind, ([], 0))
        taken = 0
        for i in picks:
            if taken == k:
                break
            disc = shapely.Point(cx[i], cy[i]).buffer(
                config.radius + config.buffer, quad_segs=config.circle_resolution
            )
            g = disc if shapely.contains_properly(poly, disc) else shapely.intersection(disc, poly)
            add = g.area - shapely.intersection(g, union).area if not union.is_empty else g.area
            if used + add > budget + 1e-6:
                stopped = stopped or f"area budget reached during {kind} selection"
                continue
            used += add
            union = shapely.union(union, g)
            taken += 1
            rec.append((kind, taken, cx[i], cy[i], g))
    return rec, stopped


def points_in_polygons(
    polys: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(polygon index, point index) pairs of points inside (or on) each polygon.

    Points are sorted by x once; each polygon tests only the points in its bounding box with
    ``shapely.contains_xy`` (a loop over the polygons, vectorised over points).

    Parameters
    ----------
    polys : numpy.ndarray of shapely.Geometry
        The polygons.
    x, y : numpy.ndarray
        Point coordinates in the polygons' CRS.

    Returns
    -------
    tuple of numpy.ndarray
        Polygon positions and point positions, one pair per point inside.
    """
    order = np.argsort(x, kind="stable")
    xs = x[order]
    pis, cis = [], []
    for k, g in enumerate(polys):
        x0, y0, x1, y1 = g.bounds
        a, b = np.searchsorted(xs, [x0, x1], side="left")[0], np.searchsorted(xs, x1, side="right")
        idx = order[a:b]
        idx = idx[(y[idx] >= y0) & (y[idx] <= y1)]
        hit = shapely.intersects_xy(g, x[idx], y[idx])
        cis.append(idx[hit])
        pis.append(np.full(int(hit.sum()), k, dtype=np.int64))
    if not pis:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(pis), np.concatenate(cis)


def _polygon_sums(n, pi, ci, is_v, is_a, harm, ctype, knife):
    def s(mask, w=None):
        m = mask[ci]
        return np.bincount(pi[m], weights=None if w is None else w[ci][m], minlength=n)

    return {
        "v_n": s(is_v),
        "v_h": s(is_v, harm),
        "a_n": s(is_a),
        "a_h": s(is_a, harm),
        "rob": s(ctype == "Robbery"),
        "knife": s(is_v, knife),
    }


def label_areas(
    areas: gpd.GeoDataFrame, geography, min_ward_share: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """(lpa, wards) labels per polygon.

    The LPA is the one it overlaps most; the wards are those holding at least
    ``min_ward_share`` of its area, largest overlap first, ";"-joined. Empty strings where
    ``geography`` (or its ``lpas`` / ``wards`` layer) is missing.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The polygons (EPSG:27700).
    geography : ForceGeography, optional
        LPA and ward layers.
    min_ward_share : float
        Share of a polygon's area a ward must hold to be named.

    Returns
    -------
    tuple of numpy.ndarray
        LPA names and ward lists, one per polygon.
    """
    n = len(areas)
    lpa = np.full(n, "", dtype=object)
    wards = np.full(n, "", dtype=object)
    if geography is None:
        return lpa, wards
    a = gpd.GeoDataFrame({"_i": np.arange(n)}, geometry=areas.geometry.to_numpy(), crs=BNG)
    if getattr(geography, "lpas", None) is not None:
        lp = gpd.overlay(
            a, geography.lpas[["lpa", "geometry"]], how="intersection", keep_geom_type=True
        )
        lp["_a"] = lp.geometry.area
        best = (
            lp.sort_values(["_i", "_a"], ascending=[True, False])
            .drop_duplicates("_i")
            .set_index("_i")["lpa"]
        )
        lpa = best.reindex(np.arange(n)).fillna("").astype(object).to_numpy()
    if getattr(geography, "wards", None) is not None:
        wd = gpd.overlay(
            a, geography.wards[["ward_code", "geometry"]], how="intersection", keep_geom_type=True
        )
        wd["_s"] = wd.geometry.area / a.geometry.area.to_numpy()[wd["_i"].to_numpy()]
        wd = wd[wd["_s"] >= min_ward_share].sort_values(["_i", "_s"], ascending=[True, False])
        wards = (
            wd.groupby("_i")["ward_code"]
            .agg(";".join)
            .reindex(np.arange(n))
            .fillna("")
            .astype(object)
            .to_numpy()
        )
    return lpa, wards


def assign_ids(
    new: gpd.GeoDataFrame, previous: gpd.GeoDataFrame | None, config: TGPConfig | None = None
) -> tuple[np.ndarray, int]:
    """Stable IDs for a new layer, kept from the previous one where areas overlap.

    Each new polygon takes the ID of the previous polygon it overlaps most (one-to-one, greedy by
    overlap = intersection / smaller area >= ``id_min_overlap``); the rest get the next free
    numbers in rank order.

    Parameters
    ----------
    new : geopandas.GeoDataFrame
        The new polygons, in rank order.
    previous : geopandas.GeoDataFrame, optional
        An earlier layer with ``tgp_id``.
    config : TGPConfig, optional
        ``id_min_overlap`` and the ID format.

    Returns
    -------
    tuple of (numpy.ndarray, int)
        The IDs and how many were kept from ``previous``.
    """
    config = config or TGPConfig()
    n = len(new)
    ids = np.full(n, None, dtype=object)
    kept = 0
    start = 1
    if previous is not None and len(previous):
        if "tgp_id" not in previous.columns:
            raise PlannerError("the previous TGP layer has no tgp_id column")
        prev = (
            previous.to_crs(BNG)
            if previous.crs is not None and previous.crs.to_epsg() != 27700
            else previous
        )
        pg = prev.geometry.to_numpy()
        ng = new.geometry.to_numpy()
        ni, pj = shapely.STRtree(pg).query(ng, predicate="intersects")
        if len(ni):
            inter = shapely.area(shapely.intersection(ng[ni], pg[pj]))
            ov = inter / np.minimum(shapely.area(ng[ni]), shapely.area(pg[pj]))
            order = np.argsort(-ov, kind="stable")
            used_n, used_p = set(), set()
            pid = prev["tgp_id"].astype(str).to_numpy()
            for k in order:  # loop over overlapping pairs (at most a few per polygon)
                if ov[k] < config.id_min_overlap:
                    break
                if ni[k] in used_n or pj[k] in used_p:
                    continue
                ids[ni[k]] = pid[pj[k]]
                used_n.add(ni[k])
                used_p.add(pj[k])
                kept += 1
        nums = pd.to_numeric(prev["tgp_id"].astype(str).str.extract(r"(\d+)$")[0], errors="coerce")
        start = int(nums.max()) + 1 if nums.notna().any() else 1
    free = np.flatnonzero(pd.isna(ids))
    ids[free] = [f"{config.id_prefix}{start + k:03d}" for k in range(len(free))]
    return ids, kept


def read_tgps(path) -> gpd.GeoDataFrame:
    """Read any TGP layer (GeoPackage, GeoParquet, GeoJSON, shapefile) with a ``tgp_id`` column.

    ``kind`` is inferred from ``driver`` when absent (asb -> asb, else violent).

    Parameters
    ----------
    path : str or Path
        The layer file.

    Returns
    -------
    geopandas.GeoDataFrame
        The TGPs in EPSG:27700; a :class:`~planner.errors.PlannerError` when unreadable.
    """
    from pathlib import Path

    p = Path(path)
    if not p.exists():
        raise PlannerError(f"{p}: no such TGP layer")
    try:
        g = gpd.read_parquet(p) if p.suffix == ".parquet" else gpd.read_file(p)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a user input problem
        raise PlannerError(f"{p}: cannot read TGP layer ({exc})") from None
    if "tgp_id" not in g.columns:
        raise PlannerError(
            f"{p}: the TGP layer has no tgp_id column (found {', '.join(map(str, g.columns))})"
        )
    if g.crs is None:
        raise PlannerError(f"{p}: the TGP layer has no CRS")
    g = g.to_crs(BNG) if g.crs.to_epsg() != 27700 else g
    if "kind" not in g.columns and "driver" in g.columns:
        g["kind"] = np.where(g["driver"].astype(str).str.lower() == "asb", "asb", "violent")
    return g

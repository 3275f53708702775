"""Coverage report for any TGP layer (derived here or imported): the paper's table.

For the union of the TGP polygons (clipped to the force): its share of the force area, of the
relevant offences (:class:`~planner.hotspots.config.CoverageConfig`), of their harm and of the
knife-crime proxy; PAI (offence share / area share) and harm-PAI; how many violent-crime TGPs
an ASB area overlaps; and the same per LPA. Points are tested against the prepared union with
``shapely.contains_xy`` (vectorised).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.crs import BNG
from planner.hotspots.config import CoverageConfig
from planner.hotspots.grid import xy

SUMMARY_KEYS = (
    "area_share",
    "offence_share",
    "harm_share",
    "knife_share",
    "pai",
    "harm_pai",
    "n_tgps",
    "asb_overlapping_violent",
)


@dataclass
class CoverageReport:
    """``summary`` (the JSON object of ``planner coverage``) and ``by_lpa`` (one row per LPA)."""

    summary: dict
    by_lpa: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_json(self) -> str:
        """Return the summary as JSON (numpy numbers as plain numbers).

        Returns
        -------
        str
            The JSON object ``planner coverage`` writes.
        """
        return json.dumps(self.summary, default=_json_default)

    def table(self) -> pd.DataFrame:
        """Force row plus one row per LPA (shares in %), as printed and written to CSV.

        Returns
        -------
        pandas.DataFrame
            ``area``, ``tgps``, ``area_pct``, ``offences_pct``, ``harm_pct``, ``knife_pct``,
            ``pai``, ``harm_pai``.
        """
        s = self.summary
        force = pd.DataFrame(
            [
                {
                    "area": "Force",
                    "tgps": s["n_tgps"],
                    "area_pct": 100 * s["area_share"],
                    "offences_pct": 100 * s["offence_share"],
                    "harm_pct": 100 * s["harm_share"],
                    "knife_pct": 100 * s["knife_share"],
                    "pai": s["pai"],
                    "harm_pai": s["harm_pai"],
                }
            ]
        )
        return pd.concat([force, self.by_lpa], ignore_index=True)

    def text(self) -> str:
        """Format the terminal table.

        Returns
        -------
        str
            Header lines and the rows of :meth:`table`.
        """
        t = self.table()
        s = self.summary
        lines = [
            f"TGP coverage: {s['n_tgps']} areas ({s.get('n_violent', '?')} violent, {s.get('n_asb', '?')} ASB); "
            f"ASB areas overlap {s['asb_overlapping_violent']} violent TGPs",
            f"relevant offences: {', '.join(s['relevant_types'])}; knife share is a proxy (no knife flag in police.uk)",
            "",
            f"{'area':<24}{'TGPs':>6}{'area %':>9}{'offences %':>12}{'harm %':>9}{'knife %':>9}{'PAI':>7}{'harm PAI':>10}",
        ]
        for _, r in t.iterrows():
            lines.append(
                f"{str(r['area'])[:23]:<24}{int(r['tgps']):>6}{r['area_pct']:>9.2f}{r['offences_pct']:>12.1f}"
                f"{r['harm_pct']:>9.1f}{r['knife_pct']:>9.1f}{_f(r['pai']):>7}{_f(r['harm_pai']):>10}"
            )
        return "\n".join(lines)


def _f(v) -> str:
    return "-" if v is None or not np.isfinite(v) else f"{v:.1f}"


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    raise TypeError(type(o))


def _share(a: float, b: float) -> float:
    return float(a / b) if b > 0 else float("nan")


def asb_overlapping_violent(tgps: gpd.GeoDataFrame) -> int | None:
    """Count the violent-crime TGPs that at least one ASB area overlaps (shares area with).

    Parameters
    ----------
    tgps : geopandas.GeoDataFrame
        A TGP layer with a ``kind`` column (``"violent"`` or ``"asb"``).

    Returns
    -------
    int or None
        The count; None when the layer has no ``kind``. Touching edges do not count.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> layer = gpd.GeoDataFrame({"kind": ["violent", "violent", "asb"]},
    ...     geometry=[box(0, 0, 10, 10), box(20, 0, 30, 10), box(5, 5, 20, 15)])
    >>> asb_overlapping_violent(layer)
    1
    """
    if "kind" not in tgps.columns:
        return None
    kind = tgps["kind"].astype(str).to_numpy()
    v = tgps.geometry.to_numpy()[kind == "violent"]
    a = tgps.geometry.to_numpy()[kind == "asb"]
    if len(v) == 0 or len(a) == 0:
        return 0
    vi, ai = shapely.STRtree(a).query(v, predicate="intersects")
    if len(vi) == 0:
        return 0
    real = shapely.area(shapely.intersection(v[vi], a[ai])) > 0
    return int(len(np.unique(vi[real])))


def coverage_report(
    tgps: gpd.GeoDataFrame,
    crimes: gpd.GeoDataFrame,
    boundary,
    geography=None,
    config: CoverageConfig | None = None,
) -> CoverageReport:
    """Coverage of a TGP layer against a crime table (see the module docstring).

    Parameters
    ----------
    tgps : geopandas.GeoDataFrame
        The TGP polygons (reprojected to EPSG:27700 when needed), with ``kind`` if known.
    crimes : geopandas.GeoDataFrame
        A canonical crime table (the period to assess).
    boundary : shapely geometry or geopandas.GeoDataFrame
        The force area; the TGP union is clipped to it.
    geography : ForceGeography, optional
        Adds one row per LPA.
    config : CoverageConfig, optional
        Relevant offence types and whether harm counts relevant offences only.

    Returns
    -------
    CoverageReport
        ``summary`` (area, offence, harm and knife shares, PAI, harm-PAI, counts) and ``by_lpa``.
    """
    from planner.hotspots.grid import _as_polygon

    config = config or CoverageConfig()
    poly = _as_polygon(boundary)
    t = tgps.to_crs(BNG) if tgps.crs is not None and tgps.crs.to_epsg() != 27700 else tgps
    union = shapely.intersection(shapely.union_all(t.geometry.to_numpy()), poly)
    shapely.prepare(union)
    x, y = xy(crimes)
    inside = shapely.contains_xy(union, x, y)
    rel = crimes["crime_type"].isin(list(config.relevant_types)).to_numpy()
    harm = crimes["harm"].to_numpy(dtype="float64", na_value=0.0)
    hmask = rel if config.harm_relevant_only else np.ones(len(crimes), bool)
    knife = crimes["knife_weight"].to_numpy(dtype="float64", na_value=0.0)

    def shares(m):
        base = poly if m is None else m
        area_s = _share(
            union.area if m is None else shapely.area(shapely.intersection(union, m)), base.area
        )
        sel = np.ones(len(crimes), bool) if m is None else shapely.contains_xy(m, x, y)
        off = _share((inside & rel & sel).sum(), (rel & sel).sum())
        hs = _share(harm[inside & hmask & sel].sum(), harm[hmask & sel].sum())
        ks = _share(knife[inside & sel].sum(), knife[sel].sum())
        return area_s, off, hs, ks

    area_s, off, hs, ks = shares(None)
    kind = t["kind"].astype(str).to_numpy() if "kind" in t.columns else None
    summary = {
        "area_share": area_s,
        "offence_share": off,
        "harm_share": hs,
        "knife_share": ks,
        "pai": _share(off, area_s),
        "harm_pai": _share(hs, area_s),
        "n_tgps": len(t),
        "asb_overlapping_violent": asb_overlapping_violent(t),
        "n_violent": int((kind == "violent").sum()) if kind is not None else None,
        "n_asb": int((kind == "asb").sum()) if kind is not None else None,
        "area_km2": float(union.area / 1e6),
        "force_area_km2": float(poly.area / 1e6),
        "relevant_offences": int(rel.sum()),
        "offences_in_tgps": int((inside & rel).sum()),
        "relevant_types": list(config.relevant_types),
        "harm_over": "relevant offences" if config.harm_relevant_only else "all crime",
        "knife_note": "knife-crime proxy (police.uk has no knife flag)",
    }
    rows = []
    if geography is not None:
        lp = geography.lpas
        cent = t.geometry.representative_point()
        for name, g in zip(lp["lpa"], lp.geometry):  # one iteration per LPA (7 in the WMP)
            g = shapely.intersection(g, poly)
            shapely.prepare(g)
            a, o, h, k = shares(g)
            n = int(
                shapely.contains_xy(
                    g, shapely.get_x(cent.to_numpy()), shapely.get_y(cent.to_numpy())
                ).sum()
            )
            rows.append(
                {
                    "area": name,
                    "tgps": n,
                    "area_pct": 100 * a,
                    "offences_pct": 100 * o,
                    "harm_pct": 100 * h,
                    "knife_pct": 100 * k,
                    "pai": _share(o, a),
                    "harm_pai": _share(h, a),
                }
            )
    return CoverageReport(summary=summary, by_lpa=pd.DataFrame(rows))

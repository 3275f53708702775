"""ASB patrol areas against the violent-crime TGPs: the paper's overlap figure.

A force's existing ASB patrol areas are imported as they are (``planner import tgps --asb``);
this report says how many violent-crime TGPs they overlap (WMP: 26 of 50), which, and by how
much. Two polygons overlap when their intersection has positive area (touching edges do not
count), or at least ``min_share`` of the violent TGP's area when given.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.crs import BNG
from planner.errors import PlannerError


@dataclass
class ASBOverlap:
    """``by_tgp``: one row per violent TGP; ``pairs``: one row per overlapping pair."""

    by_tgp: pd.DataFrame
    pairs: pd.DataFrame
    summary: dict

    def text(self) -> str:
        """One line as the paper puts it, then the overlapped TGPs.

        Returns
        -------
        str
            The summary line and one line per overlapped TGP.
        """
        s = self.summary
        lines = [
            f"ASB areas overlap {s['violent_overlapped']} of {s['violent_tgps']} violent-crime "
            f"TGPs ({s['asb_overlapping']} of {s['asb_areas']} ASB areas overlap one)"
        ]
        for _, r in self.by_tgp[self.by_tgp["overlapped"]].iterrows():
            lines.append(
                f"  {r['tgp_id']}: {r['asb_areas']} ({100 * r['overlap_share']:.0f}% of its area)"
            )
        return "\n".join(lines)


def _bng(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if g.crs is None:
        raise PlannerError("a layer without a CRS cannot be compared")
    return g.to_crs(BNG) if g.crs.to_epsg() != 27700 else g


def asb_overlap(
    asb: gpd.GeoDataFrame,
    violent: gpd.GeoDataFrame,
    *,
    id_column: str = "tgp_id",
    min_share: float = 0.0,
) -> ASBOverlap:
    """Overlap of ASB patrol areas with violent-crime TGPs.

    Parameters
    ----------
    asb : the ASB areas (any CRS; ``id_column`` or the row number names them).
    violent : the violent-crime TGPs (a layer with ``kind``: only ``violent`` rows are used).
    id_column : identifier column of both layers.
    min_share : least share of a violent TGP's area an overlap must cover to count (0: any
        positive area).

    Returns
    -------
    :class:`ASBOverlap`.
    """
    a, v = _bng(asb), _bng(violent)
    if "kind" in v.columns:
        v = v[v["kind"].astype(str) == "violent"]
    aid = (
        a[id_column].astype(str).to_numpy()
        if id_column in a
        else np.array([f"ASB-{i + 1:03d}" for i in range(len(a))], dtype=object)
    )
    vid = (
        v[id_column].astype(str).to_numpy()
        if id_column in v
        else np.array([f"V-{i + 1:03d}" for i in range(len(v))], dtype=object)
    )
    ag, vg = a.geometry.to_numpy(), v.geometry.to_numpy()
    vi, ai = (
        shapely.STRtree(ag).query(vg, predicate="intersects")
        if len(ag) and len(vg)
        else (
            np.empty(0, np.int64),
            np.empty(0, np.int64),
        )
    )
    inter = shapely.area(shapely.intersection(vg[vi], ag[ai])) if len(vi) else np.empty(0)
    varea = shapely.area(vg)
    share = inter / varea[vi] if len(vi) else np.empty(0)
    keep = (inter > 0) & (share >= min_share)
    pairs = pd.DataFrame(
        {
            "tgp_id": vid[vi[keep]],
            "asb_id": aid[ai[keep]],
            "overlap_m2": inter[keep],
            "share_of_tgp": share[keep],
        }
    )
    rows = []
    for k in range(len(vg)):  # one row per violent TGP (50 in the WMP)
        m = vi[keep] == k
        union = shapely.union_all(ag[ai[keep][m]]) if m.any() else None
        ov = float(shapely.intersection(vg[k], union).area) if union is not None else 0.0
        rows.append(
            {
                "tgp_id": vid[k],
                "overlapped": bool(m.any()),
                "asb_areas": ";".join(aid[ai[keep][m]]),
                "overlap_m2": ov,
                "overlap_share": ov / varea[k] if varea[k] > 0 else 0.0,
            }
        )
    by = pd.DataFrame(
        rows, columns=["tgp_id", "overlapped", "asb_areas", "overlap_m2", "overlap_share"]
    )
    summary = {
        "violent_tgps": len(vg),
        "violent_overlapped": int(by["overlapped"].sum()) if len(by) else 0,
        "asb_areas": len(ag),
        "asb_overlapping": int(pairs["asb_id"].nunique()),
        "min_share": min_share,
    }
    return ASBOverlap(by_tgp=by, pairs=pairs, summary=summary)

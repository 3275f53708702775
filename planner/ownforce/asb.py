"""A force's own ASB patrol areas in its workspace, and their overlap with the violent TGPs.

The ASB areas are kept as they are; the paper's figure: ASB areas overlap 26 of the 50
violent TGPs.

``planner import tgps AREAS --workspace DIR --asb`` stores the force's ASB areas unchanged
(no clipping, no eligibility rules), flagged ``force_asb`` in the TGP layer, beside the
workspace's violent TGPs (which it keeps); the previous ASB areas are replaced.
``planner tgps --workspace DIR`` then re-derives only the violent TGPs and keeps the force's ASB
areas. Each time, :func:`overlap_report` writes ``tgps_asb_overlap.csv`` (one row per violent
TGP: overlapped, by which ASB areas, how much of its area) and registers it as the
``asb_overlap`` table, so the app and ``planner status`` can show it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.crs import BNG
from planner.workspace import Workspace

#: column flagging a force's own ASB areas (True) in the workspace's TGP layer
FORCE_ASB = "force_asb"
OVERLAP_FILE = "tgps_asb_overlap.csv"


def force_asb_areas(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows of a TGP layer that are a force's own ASB areas.

    Parameters
    ----------
    layer
        A TGP layer.

    Returns
    -------
    geopandas.GeoDataFrame
        Its ``force_asb`` rows (empty when the layer has none).
    """
    if FORCE_ASB not in layer.columns:
        return layer.iloc[0:0]
    flag = layer[FORCE_ASB].astype(object).where(layer[FORCE_ASB].notna(), False).astype(bool)
    return layer[flag.to_numpy()]


def with_violent(asb: gpd.GeoDataFrame, violent: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """The layer of ``violent`` TGPs and the force's ASB areas (flagged, ranked after them).

    Parameters
    ----------
    asb
        The force's ASB areas (TGP columns, EPSG:27700).
    violent
        The violent TGPs kept (or None).

    Returns
    -------
    geopandas.GeoDataFrame
        Violent rows first, then the ASB areas with ``force_asb`` True.
    """
    a = asb.copy()
    a[FORCE_ASB] = True
    if violent is None or len(violent) == 0:
        a["rank"] = np.arange(1, len(a) + 1)
        return gpd.GeoDataFrame(a, geometry="geometry", crs=BNG)
    v = violent.copy()
    v[FORCE_ASB] = False
    top = int(pd.to_numeric(v["rank"], errors="coerce").max()) if "rank" in v.columns else len(v)
    a["rank"] = np.arange(top + 1, top + len(a) + 1)
    out = pd.concat([v, a], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=BNG)


def keep_force_asb(ws: Workspace, derivation):
    """A derived layer with the workspace's own ASB areas in place of the derived ASB areas.

    Parameters
    ----------
    ws
        The workspace (its current TGP layer may hold ``force_asb`` areas).
    derivation
        The :class:`planner.hotspots.tgps.TGPDerivation` just derived.

    Returns
    -------
    TGPDerivation
        ``derivation`` itself when the workspace has no ASB areas of its own; otherwise a copy
        whose layer is the derived violent TGPs plus the force's ASB areas and whose summary
        counts them (``n_asb``, ``n_tgps``, ``area_m2``, ``area_share``, ``asb_areas``).
    """
    import shapely

    if not ws.has_table("tgps"):
        return derivation
    own = force_asb_areas(ws.tgps())
    if len(own) == 0:
        return derivation
    tg = derivation.tgps
    violent = tg[tg["kind"].astype(str) == "violent"]
    layer = with_violent(own, violent)
    s = dict(derivation.summary)
    force_area = s["area_m2"] / s["area_share"] if s.get("area_share") else None
    union = float(shapely.union_all(layer.geometry.to_numpy()).area)
    s.update(
        {
            "n_tgps": len(layer),
            "n_asb": len(own),
            "area_m2": union,
            "area_share": union / force_area if force_area else s.get("area_share"),
            "asb_areas": "the force's own (planner import tgps --asb), kept as they are",
            "shortfall": [x for x in s.get("shortfall", []) if not str(x).startswith("asb")],
        }
    )
    return dataclasses.replace(derivation, tgps=layer, summary=s)


def overlap_report(ws: Workspace, layer: gpd.GeoDataFrame | None = None) -> dict[str, Any] | None:
    """Overlap of the workspace's own ASB areas with its violent TGPs, written and registered.

    Parameters
    ----------
    ws
        The workspace.
    layer
        Its TGP layer (default: read it).

    Returns
    -------
    dict or None
        :func:`planner.hotspots.asb.asb_overlap`'s summary with ``overlapped`` (the violent
        TGPs overlapped: tgp_id, asb_areas, overlap_share), ``text`` (the paper's sentence)
        and ``file``; None when the layer holds no ASB areas of the force's own.
    """
    from planner.hotspots.asb import asb_overlap

    if layer is None:
        if not ws.has_table("tgps"):
            return None
        layer = ws.tgps()
    own = force_asb_areas(layer)
    if len(own) == 0:
        return None
    violent = layer[layer["kind"].astype(str) == "violent"]
    rep = asb_overlap(own, violent)
    by = rep.by_tgp.copy()
    by["overlap_m2"] = by["overlap_m2"].round(2)
    by["overlap_share"] = by["overlap_share"].round(6)
    by.to_csv(ws.path(OVERLAP_FILE), index=False)
    synthetic = ws.is_synthetic("tgps")
    s = rep.summary
    ws.add_table(
        "asb_overlap",
        OVERLAP_FILE,
        synthetic=synthetic,
        description=f"the force's ASB areas against the violent TGPs: {s['violent_overlapped']} "
        f"of {s['violent_tgps']} violent TGPs overlapped by {s['asb_overlapping']} of "
        f"{s['asb_areas']} ASB areas" + (" (SYNTHETIC)" if synthetic else ""),
        rows=len(by),
    )
    hit = by.loc[by["overlapped"].astype(bool).to_numpy()]
    return {
        **s,
        "overlapped": hit[["tgp_id", "asb_areas", "overlap_share"]].to_dict("records"),
        "text": rep.text(),
        "file": str(ws.path(OVERLAP_FILE)),
    }

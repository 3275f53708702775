"""Display geometry (no Panel import): polygons simplified and projected once to EPSG:3857.

Display geometry (no Panel import): polygons simplified in metres and projected once to
EPSG:3857, and converted to Bokeh's ``multi_polygons`` layout.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from planner.crs import WEB
from planner.errors import PlannerError


def simplify_for_display(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Simplify polygons in metres (EPSG:27700 input) and project once to EPSG:3857.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons in EPSG:27700.
    tolerance_m : float
        Simplification tolerance in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        The simplified layer in EPSG:3857.
    """
    if gdf.crs is None or gdf.crs.to_epsg() != 27700:
        raise PlannerError(f"display layers must be in EPSG:27700, not {gdf.crs}")
    out = gdf.copy()
    out["geometry"] = out.geometry.simplify(tolerance_m, preserve_topology=True).make_valid()
    return out.to_crs(WEB)


def bokeh_multipolygons(geoms, decimals: int | None = 1) -> tuple[list, list]:
    """Polygon geometries -> Bokeh ``multi_polygons`` coordinates ``(xs, ys)``.

    ``xs[i]`` is a list of polygons, each a list of rings (exterior first, then holes), each a
    list of floats rounded to ``decimals`` (0.1 m in the display CRS by default; ``None`` keeps
    them as they are); empty geometries give an empty list.

    Plain lists, not arrays: Bokeh sends every array as its own binary buffer, two websocket
    messages each. The ward layer alone was 386 arrays; as lists the document is one message,
    and the page drew 0.24-0.36 s sooner (measured, docs/app.md).

    Parameters
    ----------
    geoms : array-like of shapely.Geometry
        (Multi)polygons.
    decimals : int or None
        Round the coordinates to this many decimals (None: not rounded).

    Returns
    -------
    tuple of list
        ``(xs, ys)``.
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    parts, owner = shapely.get_parts(geoms, return_index=True)
    xs: list[list] = [[] for _ in range(len(geoms))]
    ys: list[list] = [[] for _ in range(len(geoms))]
    for part, i in zip(parts, owner, strict=True):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        coords = [np.asarray(r.coords)[:, :2] for r in rings]
        if decimals is not None:
            coords = [np.round(c, decimals) for c in coords]
        xs[i].append([c[:, 0].tolist() for c in coords])
        ys[i].append([c[:, 1].tolist() for c in coords])
    return xs, ys

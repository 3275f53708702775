"""Coordinate reference systems: analysis in British National Grid, display in Web Mercator."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing the constants stays light
    import geopandas as gpd

BNG = "EPSG:27700"  #: British National Grid (metres): every analysis happens here
WEB = "EPSG:3857"  #: Web Mercator: display only
WGS84 = "EPSG:4326"  #: lon/lat as published by police.uk


def to_bng(gdf: gpd.GeoDataFrame, *, assume: str | None = None) -> gpd.GeoDataFrame:
    """Return ``gdf`` in EPSG:27700.

    A layer with no CRS is an error unless ``assume`` names the CRS it is known to be in.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        A layer.
    assume : str, optional
        The CRS of a layer that has none (e.g. ``"EPSG:4326"``).

    Returns
    -------
    geopandas.GeoDataFrame
        The layer in British National Grid (``gdf`` itself when already there).

    Raises
    ------
    PlannerError
        For a layer without a CRS and no ``assume``.
    """
    from planner.errors import PlannerError

    if gdf.crs is None:
        if assume is None:
            raise PlannerError(
                "layer has no coordinate reference system; pass assume='EPSG:4326' "
                "(lon/lat) or 'EPSG:27700' (British National Grid)"
            )
        gdf = gdf.set_crs(assume)
    if gdf.crs.to_epsg() == 27700:
        return gdf
    return gdf.to_crs(BNG)

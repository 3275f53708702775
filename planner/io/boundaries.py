"""Boundary layers (force, LPAs, neighbourhoods, wards, LSOAs, TGPs) from files.

GeoJSON, GeoPackage, Shapefile or GeoParquet: CRS detected and reprojected to EPSG:27700,
invalid geometries repaired with ``make_valid`` and reported, empty ones reported and dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely

from planner.crs import BNG
from planner.errors import InputError, PlannerError

READABLE = (".geojson", ".json", ".gpkg", ".shp", ".parquet", ".geoparquet", ".zip", ".fgb")


@dataclass
class LayerReport:
    """What reading a layer found and did."""

    path: str
    features: int
    source_crs: str | None
    repaired: list[int] = field(default_factory=list)
    dropped_empty: list[int] = field(default_factory=list)

    def message(self) -> str:
        """One line for the user: features, CRS conversion, repaired and dropped rows.

        Returns
        -------
        str
            The report, parts joined with ``"; "``.
        """
        parts = [f"{self.path}: {self.features} features, CRS {self.source_crs} -> EPSG:27700"]
        if self.repaired:
            parts.append(
                f"{len(self.repaired)} invalid geometr{'y' if len(self.repaired) == 1 else 'ies'} repaired (rows {', '.join(map(str, self.repaired[:10]))})"
            )
        if self.dropped_empty:
            parts.append(
                f"{len(self.dropped_empty)} empty geometries dropped (rows {', '.join(map(str, self.dropped_empty[:10]))})"
            )
        return "; ".join(parts)


def read_layer(
    path: str | Path,
    layer: str | None = None,
    *,
    assume_crs: str | None = None,
    polygons: bool = True,
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Read a polygon layer into EPSG:27700, repairing invalid geometries.

    Parameters
    ----------
    path : str or Path
        GeoJSON, GeoPackage (``layer`` picks one), Shapefile, GeoParquet or FlatGeobuf.
    layer : str, optional
        Layer name inside a multi-layer file (GeoPackage); None reads the first.
    assume_crs : str, optional
        CRS to use when the file declares none (otherwise that is an error).
    polygons : bool
        Require polygonal geometries (boundary layers); False accepts any geometry.

    Returns
    -------
    tuple of (geopandas.GeoDataFrame, LayerReport)
        The layer in EPSG:27700 and what was repaired or dropped on the way.
    """
    path = Path(path)
    if not path.exists():
        raise PlannerError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in READABLE:
        raise InputError(
            path,
            f"unsupported layer format '{suffix}'; use GeoJSON, GeoPackage, Shapefile or GeoParquet",
        )
    try:
        if suffix in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        else:
            gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio/arrow raise many types; report them as one line
        raise InputError(
            path,
            f"cannot read layer ({exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
        ) from None
    if gdf.crs is None:
        if assume_crs is None:
            raise InputError(
                path,
                "layer declares no CRS (a shapefile without its .prj?); pass --boundary-crs "
                "EPSG:27700 (or EPSG:4326), assume_crs= in Python",
            )
        try:
            gdf = gdf.set_crs(assume_crs)
        except Exception as exc:  # noqa: BLE001 - pyproj's CRSError on a bad name
            raise InputError(
                path, f"unknown CRS {assume_crs!r} ({exc.__class__.__name__})"
            ) from None
    src = gdf.crs.to_string()
    rep = LayerReport(str(path), len(gdf), src)
    geoms = shapely.force_2d(gdf.geometry.to_numpy())
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    rep.dropped_empty = [int(i) + 1 for i in empty.nonzero()[0]]
    invalid = ~shapely.is_valid(geoms) & ~empty
    if invalid.any():
        rep.repaired = [int(i) + 1 for i in invalid.nonzero()[0]]
        fixed = shapely.make_valid(geoms[invalid])
        if polygons:
            # make_valid may return a collection: keep its polygonal part
            fixed = [_polygonal(g) for g in fixed]
        geoms[invalid] = fixed
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, crs=gdf.crs, index=gdf.index))
    gdf = gdf.loc[~empty]
    if polygons:
        kinds = set(gdf.geom_type.unique())
        if not kinds <= {"Polygon", "MultiPolygon"}:
            raise InputError(
                path, f"expected polygons, found {', '.join(sorted(kinds))}", field="geometry"
            )
    if gdf.crs.to_epsg() != 27700:
        gdf = gdf.to_crs(BNG)
    _check_extent(path, gdf, src)
    return gdf.reset_index(drop=True), rep


#: British National Grid extent (metres) a boundary in Great Britain must overlap
GB_EXTENT = (0.0, 0.0, 700_000.0, 1_300_000.0)


def _check_extent(path: Path, gdf: gpd.GeoDataFrame, src: str) -> None:
    """Refuse a layer that lands outside Great Britain once reprojected (a wrong CRS)."""
    if gdf.empty:
        return
    x0, y0, x1, y1 = (float(v) for v in gdf.total_bounds)
    gx0, gy0, gx1, gy1 = GB_EXTENT
    finite = all(abs(v) < 1e12 for v in (x0, y0, x1, y1))
    if not finite or x1 < gx0 or x0 > gx1 or y1 < gy0 or y0 > gy1:
        raise InputError(
            path,
            f"read as {src}, the layer lies outside Great Britain (EPSG:27700 extent "
            f"{x0:.0f},{y0:.0f} to {x1:.0f},{y1:.0f}): its declared CRS is probably wrong; "
            "fix its .prj, or for a file without one pass --boundary-crs",
            field="geometry",
        )


def _polygonal(g):
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    polys = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else g.buffer(0)


def read_study_area(
    path: str | Path, *, assume_crs: str | None = None
) -> tuple[shapely.Geometry, LayerReport]:
    """Read and dissolve a boundary file into one EPSG:27700 geometry, with its report.

    Parameters
    ----------
    path
        Any polygon layer :func:`read_layer` reads.
    assume_crs
        CRS for a file that declares none.

    Returns
    -------
    tuple
        (dissolved geometry, :class:`LayerReport` naming repaired and dropped rows).
    """
    layer, rep = read_layer(path, assume_crs=assume_crs)
    geom = shapely.union_all(layer.geometry.to_numpy())
    if geom.is_empty:
        raise InputError(path, "boundary layer is empty", field="geometry")
    return geom, rep


def study_area(layer) -> shapely.Geometry:
    """Dissolve any polygon layer (path or GeoDataFrame) into one study-area geometry in EPSG:27700.

    A shapely geometry is taken as already dissolved, in EPSG:27700, and returned as it is.

    Parameters
    ----------
    layer : str, Path, geopandas.GeoDataFrame or shapely.Geometry
        The boundary layer (a file is read with :func:`read_layer`).

    Returns
    -------
    shapely.Geometry
        The union of the layer's geometries; a :class:`~planner.errors.PlannerError` when empty.
    """
    if isinstance(layer, shapely.Geometry):
        if shapely.is_empty(layer):
            raise PlannerError("boundary layer is empty")
        return layer
    if isinstance(layer, str | Path):
        layer, _ = read_layer(layer)
    if layer.crs is not None and layer.crs.to_epsg() != 27700:
        layer = layer.to_crs(BNG)
    geom = shapely.union_all(layer.geometry.to_numpy())
    if geom.is_empty:
        raise PlannerError("boundary layer is empty")
    return geom

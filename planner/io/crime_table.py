"""One reader for a crime table given as paths, kept to a study area; counts reconcile.

GeoParquet written by ``planner load`` (read with only the columns needed) or raw police.uk /
force files (through :func:`planner.io.crime.load_crimes`).

The hotspot commands (``planner hotspots | tgps | coverage | backtest | advance --crimes``)
read their input through :func:`read_crime_table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from planner.errors import PlannerError


@dataclass
class CrimeTable:
    """Crimes inside the study area, the area, and how many rows were read and kept.

    ``summary`` has ``read``, ``accepted`` and ``rejected`` (``read = accepted + rejected``) and,
    for GeoParquet input, ``files``; for raw input it is
    :meth:`planner.io.crime.LoadResult.summary`.
    """

    crimes: gpd.GeoDataFrame
    area: shapely.Geometry
    summary: dict = field(default_factory=dict)


def crime_files(paths: Sequence[str | Path]) -> list[Path]:
    """The files behind ``paths`` (folders give their GeoParquet files, in name order).

    Parameters
    ----------
    paths : sequence of path
        Files and folders.

    Returns
    -------
    list of Path
        Files; a folder without GeoParquet files gives none (raw input is expanded by
        :func:`planner.io.crime.load_crimes`).
    """
    files: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise PlannerError(f"{p}: no such file or folder")
        files.extend(sorted(p.rglob("*.parquet")) if p.is_dir() else [p])
    return files


def read_crime_parquet(
    files: Sequence[Path], area, columns: Sequence[str] | None = None
) -> CrimeTable:
    """GeoParquet crime tables, only ``columns`` (all when None), kept inside ``area``.

    Parameters
    ----------
    files : sequence of Path
        GeoParquet files in the canonical crime schema (:mod:`planner.schema`).
    area : shapely geometry
        Study area (EPSG:27700); rows outside it are counted as rejected.
    columns : sequence of str, optional
        Columns to read; with all columns the table is checked against the schema.

    Returns
    -------
    CrimeTable
        The kept rows (canonical dtypes) and ``read/accepted/rejected/files`` counts.
    """
    import pyarrow.parquet as pq

    from planner.schema import CRIME_DTYPES, check_crimes

    parts = []
    for f in files:
        if columns:
            try:
                names = pq.read_schema(f).names
            except Exception as exc:  # noqa: BLE001 - unreadable input is a user error
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise PlannerError(f"{f}: cannot read GeoParquet crime table ({first})") from None
            missing = [c for c in columns if c not in names]
            if missing:
                raise PlannerError(f"{f}: crime table lacks column(s) {', '.join(missing)}")
        try:
            parts.append(gpd.read_parquet(f, columns=list(columns) if columns else None))
        except Exception as exc:  # noqa: BLE001 - unreadable input is a user error
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise PlannerError(f"{f}: cannot read GeoParquet crime table ({first})") from None
    crimes = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if columns is None:
        check_crimes(crimes)
    else:
        missing = [c for c in columns if c not in crimes.columns]
        if missing:
            raise PlannerError(f"crime table lacks column(s) {', '.join(missing)}")
    for c, t in CRIME_DTYPES.items():
        if c in crimes.columns and str(crimes[c].dtype) != t:
            crimes[c] = crimes[c].astype(t)
    g = crimes.geometry.to_numpy()
    shapely.prepare(area)
    inside = shapely.contains_xy(area, shapely.get_x(g), shapely.get_y(g))
    summary = {
        "read": len(crimes),
        "accepted": int(inside.sum()),
        "rejected": int((~inside).sum()),
        "files": len(files),
    }
    return CrimeTable(crimes.loc[inside].reset_index(drop=True), area, summary)


def read_crime_table(
    paths: Sequence[str | Path],
    boundary,
    columns: Sequence[str] | None = None,
    *,
    progress: bool = False,
) -> CrimeTable:
    """Crimes from ``paths`` inside ``boundary``: GeoParquet or raw files, one call.

    Parameters
    ----------
    paths : sequence of path
        Crime files or folders: all GeoParquet (``planner load`` output), or police.uk CSVs,
        zips and force extracts.
    boundary : path or GeoDataFrame
        The study area's polygon layer (dissolved by :func:`planner.io.boundaries.study_area`).
    columns : sequence of str, optional
        For GeoParquet input, the columns to read (all when None).
    progress : bool
        Progress bars while loading raw files.

    Returns
    -------
    CrimeTable
        The crimes inside the area, the area and reconciled counts.

    Raises
    ------
    PlannerError
        A path that does not exist, an unreadable table, or no crime inside the boundary.
    """
    from planner.io.boundaries import study_area

    area = study_area(boundary)
    files = crime_files(paths)
    if files and all(f.suffix == ".parquet" for f in files):
        table = read_crime_parquet(files, area, columns)
    else:
        from planner.io.crime import load_crimes

        res = load_crimes([Path(p) for p in paths], boundary=area, progress=progress)
        table = CrimeTable(res.crimes, area, res.summary())
    if len(table.crimes) == 0:
        raise PlannerError("no crimes inside the boundary; check --crimes and --boundary")
    return table

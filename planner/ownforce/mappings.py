"""``--map SOURCE=CANONICAL`` for the tables with their own readers (crimes and GPS pings).

The generic tables rename columns by the declared mapping; crimes and pings are read by
:mod:`planner.io.crime` and :mod:`planner.io.pings`, whose mappings name canonical columns
(``{canonical: source}``) and a coordinate system. :func:`crime_mapping` and
:func:`ping_mapping` turn ``--map`` pairs (over an optional ``--mapping`` file) into those
mappings. Coordinates: ``--map Lon=longitude --map Lat=latitude`` (EPSG:4326) or
``--map E=easting --map N=northing`` (or ``x``/``y``, EPSG:27700).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from planner.errors import PlannerError
from planner.io.crime import ColumnMapping
from planner.io.pings import PingMapping, _csv_header, _expand, detect_mapping

#: canonical columns a crime --map may name (besides the coordinate names)
CRIME_COLUMNS: tuple[str, ...] = (
    "crime_id",
    "occurred_at",
    "month",
    "crime_type",
    "lsoa_code",
    "location",
    "x",
    "y",
    "ho_code",
    "knife_flag",
)
#: canonical columns a ping --map may name (besides the coordinate names)
PING_COLUMNS: tuple[str, ...] = ("officer_id", "timestamp", "x", "y", "speed", "device")
_COORDS = {
    "longitude": ("x", "lonlat"),
    "latitude": ("y", "lonlat"),
    "easting": ("x", "bng"),
    "northing": ("y", "bng"),
}


def _columns(
    pairs: dict[str, str], allowed: tuple[str, ...], kind: str
) -> tuple[dict[str, str], str | None]:
    cols: dict[str, str] = {}
    coords = None
    for src, dst in pairs.items():
        d = dst.strip().lower()
        if d in _COORDS:
            canon, cs = _COORDS[d]
            if coords is not None and coords != cs:
                raise PlannerError(
                    f"--map {src}={dst}: mixes longitude/latitude with easting/northing"
                )
            cols[canon], coords = src, cs
        elif d in allowed:
            cols[d] = src
        else:
            raise PlannerError(
                f"--map {src}={dst}: '{dst}' is not a {kind} column (use one of "
                f"{', '.join((*allowed, *_COORDS))})"
            )
    return cols, coords


def crime_mapping(pairs: dict[str, str], mapping_file: Path | None) -> ColumnMapping | None:
    """The crime column mapping from ``--map`` pairs over an optional mapping file.

    Parameters
    ----------
    pairs
        ``{source column: canonical column}`` from ``--map``.
    mapping_file
        A crime mapping JSON (:class:`planner.io.crime.ColumnMapping`), or None.

    Returns
    -------
    ColumnMapping or None
        None when neither is given (police.uk files need no mapping).
    """
    base = ColumnMapping.from_file(mapping_file) if mapping_file else None
    if not pairs:
        return base
    cols, coords = _columns(pairs, CRIME_COLUMNS, "crime")
    if base is None:
        return ColumnMapping(columns=cols, coords=coords or "bng")
    return dataclasses.replace(base, columns={**base.columns, **cols}, coords=coords or base.coords)


def ping_mapping(
    pairs: dict[str, str], mapping_file: Path | None, paths: list[Path]
) -> PingMapping | Path | None:
    """The ping column mapping from ``--map`` pairs over a mapping file or the detected header.

    Parameters
    ----------
    pairs
        ``{source column: canonical column}`` from ``--map``.
    mapping_file
        A ping mapping JSON (:class:`planner.io.pings.PingMapping`), or None.
    paths
        The ping files or folders (the first file's header gives the columns ``--map`` leaves).

    Returns
    -------
    PingMapping, Path or None
        The mapping file itself when there are no pairs; None when neither is given.
    """
    if not pairs:
        return mapping_file
    cols, coords = _columns(pairs, PING_COLUMNS, "ping")
    if mapping_file:
        base: PingMapping | None = PingMapping.from_file(mapping_file)
    else:
        base = None
        files = _expand(paths)
        if files and files[0].suffix.lower() == ".csv":
            header = [h for h in _csv_header(files[0]) if h not in pairs]
            try:
                base = detect_mapping(header, str(files[0]))
            except PlannerError:
                base = None
    if base is None:
        return PingMapping(columns=cols, coords=coords or "lonlat")
    keep = {k: v for k, v in base.columns.items() if k not in cols}
    if coords is not None and coords != base.coords:  # the declared coordinates win
        keep = {k: v for k, v in keep.items() if k not in ("x", "y")}
    return dataclasses.replace(base, columns={**keep, **cols}, coords=coords or base.coords)

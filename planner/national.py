"""National scale: the police.uk archive force by force, on one machine or a Dask cluster.

The police.uk archive holds one folder per month and one file per force
(``2018-06/2018-06-west-midlands-street.csv``). Each force is a partition: its files are
loaded into its own GeoParquet table (``planner load ARCHIVE --by-force``) and its hotspot
cells and TGPs are derived from that table alone (``planner hotspots|tgps --by-force``). The
per-force steps are pure functions of paths and options (:func:`force_tgps`,
:func:`force_hotspots`), the same ones a single-force run calls, so a run on a cluster
(``--scheduler``) gives the same layers as a run here; results come back in force order.

A force's boundary is either one layer for every force (``--boundary FILE``, e.g. a region)
or a folder holding one layer per force named by the force's archive name
(``--boundary DIR`` with ``DIR/west-midlands.gpkg``, ``.geojson``, ``.parquet`` or ``.shp``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.errors import PlannerError

#: ``YYYY-MM-<force>-street.csv[.gz]``: the police.uk archive's file names
_ARCHIVE_NAME = re.compile(r"^(\d{4})-(\d{2})-(?P<force>[a-z0-9-]+?)-street\.csv(\.gz)?$", re.I)
#: boundary file suffixes looked for in a per-force boundary folder, in this order
BOUNDARY_SUFFIXES = (".gpkg", ".parquet", ".geojson", ".shp")


def force_of(name: str | Path) -> str | None:
    """The force of a police.uk archive file name, or None for any other name.

    Parameters
    ----------
    name
        A file name or path (``2018-06-west-midlands-street.csv`` -> ``west-midlands``).

    Returns
    -------
    str or None
        The force's archive name (lower case).
    """
    m = _ARCHIVE_NAME.match(Path(name).name)
    return m.group("force").lower() if m else None


def files_by_force(paths: Sequence[str | Path]) -> dict[str, list[Path]]:
    """The archive's street files grouped by force (forces in name order, files in path order).

    Parameters
    ----------
    paths
        Archive folders or files (as ``planner load`` takes them).

    Returns
    -------
    dict
        Force name -> its files.

    Raises
    ------
    PlannerError
        A file whose name does not say its force (not ``YYYY-MM-<force>-street.csv``).
    """
    from planner.io.crime import expand_paths

    out: dict[str, list[Path]] = {}
    for f in expand_paths(paths):
        force = force_of(f)
        if force is None:
            raise PlannerError(
                f"{f}: --by-force needs police.uk archive names (YYYY-MM-<force>-street.csv)"
            )
        out.setdefault(force, []).append(f)
    return {k: out[k] for k in sorted(out)}


def force_boundary(boundary: str | Path | None, force: str) -> Path | None:
    """The boundary layer of ``force``: the file itself, or ``DIR/<force>.<suffix>``.

    Parameters
    ----------
    boundary
        A layer for every force, a folder of per-force layers, or None.
    force
        The force's archive name.

    Returns
    -------
    Path or None
        The layer to use (None when no boundary was given).

    Raises
    ------
    PlannerError
        A folder without a layer for this force.
    """
    if boundary is None:
        return None
    b = Path(boundary)
    if not b.is_dir():
        return b
    for suf in BOUNDARY_SUFFIXES:
        if (b / f"{force}{suf}").is_file():
            return b / f"{force}{suf}"
    raise PlannerError(
        f"{b}: no boundary for force {force} (looked for {force}{{{','.join(BOUNDARY_SUFFIXES)}}})"
    )


def _crime_table_files(crimes: Sequence[str | Path]) -> dict[str, list[Path]]:
    """Per-force crime tables.

    ``DIR/<force>.parquet`` written by ``planner load --by-force`` (a folder), or archive CSVs
    grouped by force.
    """
    paths = [Path(p) for p in crimes]
    if len(paths) == 1 and paths[0].is_dir() and list(paths[0].glob("*.parquet")):
        return {f.stem: [f] for f in sorted(paths[0].glob("*.parquet"))}
    return files_by_force(paths)


@dataclass
class ForceLoad:
    """One force's ``planner load`` (counts as :class:`planner.io.crime_stream.StreamedLoad`)."""

    force: str
    out: str
    summary: dict[str, Any] = field(default_factory=dict)
    boundary_report: str | None = None


def load_by_force(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    boundary: str | Path | None = None,
    client: Any = None,
    **kwargs: Any,
) -> list[ForceLoad]:
    """Load the archive into one GeoParquet table (and rejects CSV) per force.

    Parameters
    ----------
    paths
        Archive folders or files.
    out_dir
        Folder for ``<force>.parquet`` and ``<force>_rejects.csv``.
    boundary
        One layer for every force or a folder of per-force layers (see the module).
    client
        A ``distributed.Client``: each force's files are validated on its workers.
    **kwargs
        Passed to :func:`planner.io.crime_stream.load_to_parquet` (harm, limits, ...).

    Returns
    -------
    list of ForceLoad
        One per force, in force order.
    """
    from planner.io.crime_stream import load_to_parquet

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    groups = files_by_force(paths)
    # every force's boundary is found before anything is written
    bounds = {f: force_boundary(boundary, f) for f in groups}
    res = []
    for force, files in groups.items():
        out = out_dir / f"{force}.parquet"
        s = load_to_parquet(
            files,
            out,
            boundary=bounds[force],
            rejects_path=out_dir / f"{force}_rejects.csv",
            client=client,
            **kwargs,
        )
        res.append(ForceLoad(force, str(out), s.summary(), s.boundary_report))
    return res


@dataclass(frozen=True)
class HotspotOptions:
    """The options of ``planner hotspots`` (see :func:`hotspot_cells`)."""

    method: str = "count"
    cell: float = 100.0
    shape: str = "square"
    types: tuple[str, ...] | None = None
    start: str | None = None
    end: str | None = None
    weight: str = "count"
    bandwidth: float | None = None
    neighbours: str = "queen"
    distance: float | None = None
    alpha: float = 0.05
    correction: str = "fdr_bh"


def hotspot_cells(
    crimes, area, opts: HotspotOptions, client: Any = None
) -> tuple[Any, dict[str, Any]]:
    """One row per grid cell (count, harm, knife and the method's surface) for a study area.

    The work runs over month and tile partitions (:mod:`planner.hotspots.partitions`), here
    or on the cluster of ``client``, with the same cells either way.

    Parameters
    ----------
    crimes
        The canonical crime table (EPSG:27700).
    area
        The study area polygon.
    opts
        Method, grid and filters.
    client
        A ``distributed.Client`` to run the partitions on, or None (here).

    Returns
    -------
    tuple
        (GeoDataFrame of cells, summary: ``cells``, ``crimes``, the ``partitions`` (months,
        KDE tiles) and Gi*'s hot/cold cell counts).
    """
    from planner.hotspots.config import GiStarConfig, KDEConfig
    from planner.hotspots.grid import filter_crimes, make_grid, xy
    from planner.hotspots.partitions import partitioned_cells

    grid = make_grid(area, opts.cell, opts.shape)
    types = list(opts.types) if opts.types else None
    c = filter_crimes(crimes, types, opts.start, opts.end)
    x, y = xy(c)
    cols, parts = partitioned_cells(
        grid,
        x,
        y,
        c["harm"].to_numpy(dtype="float64", na_value=0.0),
        c["knife_weight"].to_numpy(dtype="float64", na_value=0.0),
        c["month"].to_numpy(dtype=object),
        opts.method,
        opts.weight,
        kde=KDEConfig(bandwidth=opts.bandwidth),
        gistar=GiStarConfig(
            neighbours=opts.neighbours,
            distance=opts.distance,
            alpha=opts.alpha,
            correction=opts.correction,
        ),
        client=client,
    )
    gdf = grid.to_frame(**cols)
    summary: dict[str, Any] = {"cells": grid.n, "crimes": int(cols["count"].sum())}
    summary["partitions"] = {"months": parts["months"], "tiles": parts["tiles"]}
    summary |= {k: parts[k] for k in ("hot_cells", "cold_cells") if k in parts}
    return gdf, summary


@dataclass(frozen=True)
class ForceJob:
    """One force's partition: its crime files (GeoParquet or archive CSVs) and boundary."""

    force: str
    crimes: tuple[Path, ...]
    boundary: Path
    boundary_crs: str | None = None


def _force_inputs(job: ForceJob, columns):
    from planner.io.boundaries import read_study_area
    from planner.io.crime_table import read_crime_table

    area, _ = read_study_area(job.boundary, assume_crs=job.boundary_crs)
    t = read_crime_table(list(job.crimes), area, columns)
    return t.crimes, t.area, t.summary


def force_hotspots(job: ForceJob, opts: HotspotOptions) -> tuple[str, Any, dict[str, Any]]:
    """The Dask task of ``planner hotspots --by-force``: one force's cells.

    Parameters
    ----------
    job
        The force's inputs.
    opts
        The hotspot options.

    Returns
    -------
    tuple
        (force, GeoDataFrame of cells, summary with the load counts).
    """
    from planner.hotspots.config import ANALYSIS_COLUMNS

    crimes, area, load = _force_inputs(job, ANALYSIS_COLUMNS)
    gdf, s = hotspot_cells(crimes, area, opts)
    return job.force, gdf, s | {"load": load}


def force_tgps(
    job: ForceJob,
    cfg,
    start: str | None = None,
    end: str | None = None,
    geography=None,
    previous=None,
    demand=None,
):
    """The Dask task of ``planner tgps --by-force`` (and of a single-force cluster run).

    Parameters
    ----------
    job
        The force's inputs.
    cfg
        The :class:`planner.hotspots.config.TGPConfig`.
    start, end
        The derivation window (``YYYY-MM``), or None for the whole table.
    geography, previous, demand
        As :func:`planner.hotspots.tgps.derive_tgps` (labels, IDs kept from a layer, calls in
        the ``rules="none"`` objective).

    Returns
    -------
    tuple
        (force, :class:`planner.hotspots.tgps.TGPDerivation`, the load counts).
    """
    from planner.hotspots.config import ANALYSIS_COLUMNS
    from planner.hotspots.coverage import knife_source
    from planner.hotspots.tgps import derive_tgps

    crimes, area, load = _force_inputs(job, ANALYSIS_COLUMNS)
    res = derive_tgps(
        crimes, area, geography, cfg, previous=previous, start=start, end=end, demand=demand
    )
    res.summary["knife_source"] = knife_source(crimes)  # the extract's flag or the proxy
    return job.force, res, load


def force_jobs(crimes: Sequence[str | Path], boundary: str | Path) -> list[ForceJob]:
    """The per-force partitions of ``--crimes`` (a ``load --by-force`` folder or the archive).

    Parameters
    ----------
    crimes
        A folder of ``<force>.parquet`` tables, or archive folders/files.
    boundary
        One layer for every force or a folder of per-force layers.

    Returns
    -------
    list of ForceJob
        In force order.
    """
    jobs = []
    for force, files in _crime_table_files(crimes).items():
        b = force_boundary(boundary, force)
        assert b is not None  # boundary is required here
        jobs.append(ForceJob(force, tuple(files), b))
    if not jobs:
        raise PlannerError("no force's crimes found in --crimes")
    return jobs


def run_forces(fn, jobs: Iterable[ForceJob], client: Any = None, **kwargs: Any):
    """``fn(job, **kwargs)`` per force, here or on the cluster, results in force order.

    Parameters
    ----------
    fn
        :func:`force_hotspots` or :func:`force_tgps`.
    jobs
        The partitions.
    client
        A ``distributed.Client`` or None (run here).
    **kwargs
        The options shared by every force.

    Returns
    -------
    iterator
        The results of ``fn``.
    """
    from planner.cluster import map_ordered

    return map_ordered(fn, list(jobs), client, **kwargs)

"""``planner hotspots`` within one force over month and tile partitions, here or on Dask.

The derivation splits into pure functions of small partitions, run one after another on this
machine or as tasks on a ``distributed`` cluster (:func:`planner.cluster.map_ordered`), with
the results combined in partition order, so both runs give the same cells to the last bit:

1. **months** (:func:`month_bins`): one month's crimes (coordinates, harm, knife weight)
   binned to the grid: count, harm and knife per cell, and the month's distinct locations with
   their summed weights (:func:`planner.hotspots.kde.snap_bin`: police.uk snap points);
2. the client sums the months' cell totals in month order and bins the months' locations
   once more (a location seen in several months becomes one);
3. **tiles** (:func:`tile_kde`): the quartic KDE of the cells of one square tile of the
   lattice (``PartitionConfig.tile_cells`` a side) from the locations within one bandwidth
   of it. Each cell's kernel sum runs over the same locations in the same order as the
   whole-grid sum (:func:`planner.hotspots.kde.kde_grid`'s snap path), so a tile's cells
   equal the whole grid's;
4. Gi* on the summed totals, on the client: the z-scores need each cell's neighbours and the
   force-wide mean and variance, and the false-discovery correction every p-value, so the
   whole grid is one step there (a sparse product, seconds for a force).

Where the KDE cannot use the snap path (hexagons, or exact locations that are not few: see
:class:`~planner.hotspots.config.KDEConfig`), the fine-raster convolution needs the whole
raster and runs on the client from the window's points, as in one pass.

Against the one-pass derivation (:func:`planner.hotspots.surface.surface` on every crime at
once) the counts are equal and the float sums (harm, KDE) agree to rounding: summing month by
month adds the same numbers in another order (``tests/hotspots/test_partitions.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from planner.hotspots.config import GiStarConfig, KDEConfig
from planner.hotspots.grid import Grid


@dataclass(frozen=True)
class PartitionConfig:
    """How one force's hotspot derivation is split."""

    #: cells on a side of a KDE tile (128 cells of 100 m: 12.8 km)
    tile_cells: int = 128


@dataclass(frozen=True)
class MonthPart:
    """One month of the window's crimes: point coordinates and weights (a partition)."""

    month: str
    x: np.ndarray
    y: np.ndarray
    harm: np.ndarray
    knife: np.ndarray
    #: ``"harm"`` weights the KDE and Gi* by harm, ``"count"`` counts crimes
    weight: str = "count"


@dataclass(frozen=True)
class MonthBins:
    """:func:`month_bins`' result: one month's cell totals and distinct weighted locations."""

    count: np.ndarray
    harm: np.ndarray
    knife: np.ndarray
    points: int
    loc_x: np.ndarray
    loc_y: np.ndarray
    loc_w: np.ndarray


@dataclass(frozen=True)
class TilePart:
    """One KDE tile: the flat lattice ids of its kept cells and the locations near it."""

    cells: np.ndarray
    loc_x: np.ndarray
    loc_y: np.ndarray
    loc_w: np.ndarray


def lattice_only(grid: Grid) -> Grid:
    """The grid without its cell polygons: what a partition task needs, cheap to send.

    Parameters
    ----------
    grid : Grid
        A grid from :func:`planner.hotspots.grid.make_grid`.

    Returns
    -------
    Grid
        The same lattice and kept cells, with no geometry, areas or boundary.
    """
    return replace(
        grid, geometry=np.empty(0, dtype=object), area=np.empty(0), boundary=None, _lut=None
    )


def month_bins(
    part: MonthPart, grid: Grid, snap_resolution: float = 0.01, locations: bool = True
) -> MonthBins:
    """Bin one month's crimes to the grid (the month partition's task; pure).

    Parameters
    ----------
    part : MonthPart
        The month's points and weights.
    grid : Grid
        The lattice (:func:`lattice_only` is enough).
    snap_resolution : float
        The lattice (metres) the distinct locations are binned on
        (:attr:`KDEConfig.snap_resolution`).
    locations : bool
        Also reduce the month to its distinct weighted locations (the KDE's input); without
        it the locations are empty.

    Returns
    -------
    MonthBins
        Count, harm and knife weight per kept cell, the month's point count and (with
        ``locations``) its distinct locations with their summed KDE weights.
    """
    from planner.hotspots.kde import snap_bin

    pos = grid.locate(part.x, part.y)
    ok = pos >= 0
    p = pos[ok]

    def agg(w: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(p, weights=None if w is None else w[ok], minlength=grid.n)

    if locations:
        w = part.harm if part.weight == "harm" else np.ones(len(part.x))
        ux, uy, uw = snap_bin(part.x, part.y, w, snap_resolution)
    else:
        ux = uy = uw = np.empty(0)
    return MonthBins(
        agg().astype("int64"),
        agg(part.harm).astype("float64"),
        agg(part.knife).astype("float64"),
        len(part.x),
        ux,
        uy,
        uw,
    )


def tile_kde(part: TilePart, grid: Grid, bandwidth: float, kernel: str = "quartic") -> np.ndarray:
    """Quartic KDE (per km²) of one tile's cells from the locations near it (pure).

    Parameters
    ----------
    part : TilePart
        The tile's cells (flat lattice ids) and the distinct locations within one bandwidth.
    grid : Grid
        The lattice.
    bandwidth : float
        Kernel radius in metres.
    kernel : str
        As :func:`planner.hotspots.kde.kernel_values`.

    Returns
    -------
    numpy.ndarray
        The density at each of ``part.cells``, equal to the whole grid's value there.
    """
    from planner.hotspots.kde import square_snap_density

    return square_snap_density(
        grid, part.loc_x, part.loc_y, part.loc_w, bandwidth, kernel, cells=part.cells
    )


def month_parts(x, y, harm, knife, month, weight: str = "count") -> list[MonthPart]:
    """Split the window's points into month partitions, in month order (row order within).

    Parameters
    ----------
    x, y, harm, knife : numpy.ndarray
        Per crime: coordinates (EPSG:27700), harm and knife weight.
    month : array_like
        Per crime: ``YYYY-MM`` (a missing month goes to a last partition named ``""``).
    weight : str
        ``"harm"`` or ``"count"``: the KDE's and Gi*'s point weight.

    Returns
    -------
    list of MonthPart
        One per month present.
    """
    import pandas as pd

    codes, uniq = pd.factorize(pd.Series(month, dtype="string"), sort=True)
    codes = np.where(codes < 0, len(uniq), codes)
    names = [str(m) for m in uniq] + [""]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    parts = []
    for i, name in enumerate(names):
        sel = order[bounds[i] : bounds[i + 1]]
        if len(sel):
            parts.append(MonthPart(name, x[sel], y[sel], harm[sel], knife[sel], weight))
    return parts


def tile_parts(
    grid: Grid, ux: np.ndarray, uy: np.ndarray, uw: np.ndarray, bandwidth: float, tile: int
) -> Iterator[TilePart]:
    """The KDE tiles of ``grid`` holding kept cells, each with the locations near it.

    Parameters
    ----------
    grid : Grid
        The lattice (square cells).
    ux, uy, uw : numpy.ndarray
        The distinct locations and their weights (all months).
    bandwidth : float
        Kernel radius (metres): a location reaches the tile's cells only within it.
    tile : int
        Cells on a side of a tile.

    Returns
    -------
    iterator of TilePart
        Tiles in row-major order of the lattice; locations in their given order.
    """
    ntx = -(-grid.nx // tile)  # tiles across the lattice
    key = (grid.rows // tile) * ntx + grid.cols // tile
    order = np.argsort(key, kind="stable")
    keys, starts = np.unique(key[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    margin = bandwidth + grid.cell  # every location within a bandwidth of a cell centre
    for k, s, e in zip(keys, starts, ends, strict=True):
        r0, c0 = (int(k) // ntx) * tile, (int(k) % ntx) * tile
        xlo = grid.x0 + c0 * grid.cell - margin
        xhi = grid.x0 + (c0 + tile) * grid.cell + margin
        ylo = grid.y0 + r0 * grid.cell - margin
        yhi = grid.y0 + (r0 + tile) * grid.cell + margin
        near = (ux >= xlo) & (ux <= xhi) & (uy >= ylo) & (uy <= yhi)
        yield TilePart(grid.ids[order[s:e]], ux[near], uy[near], uw[near])


def partitioned_cells(
    grid: Grid,
    x: np.ndarray,
    y: np.ndarray,
    harm: np.ndarray,
    knife: np.ndarray,
    month,
    method: str = "count",
    weight: str = "count",
    *,
    kde: KDEConfig | None = None,
    gistar: GiStarConfig | None = None,
    client: Any = None,
    config: PartitionConfig | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Cell totals and the method's surface over month and tile partitions.

    Parameters
    ----------
    grid : Grid
        The force's grid.
    x, y, harm, knife, month : array_like
        The window's crimes (already filtered by type and month).
    method : {"count", "kde", "gistar"}
        The surface to add to the totals.
    weight : {"count", "harm"}
        The KDE's and Gi*'s point weight.
    kde, gistar : config, optional
        The methods' settings.
    client : distributed.Client, optional
        Run the partitions on this cluster (None: here, one after another).
    config : PartitionConfig, optional
        The tile size.

    Returns
    -------
    tuple
        (columns per kept cell: ``count``, ``harm``, ``knife`` and ``kde`` or ``gi_z``,
        ``gi_p``, ``gi_q``, ``hot``, ``cold``; summary: ``months``, ``tiles`` and Gi*'s
        ``hot_cells`` and ``cold_cells``).
    """
    from planner.cluster import map_ordered
    from planner.hotspots.gistar import grid_gistar
    from planner.hotspots.kde import kde_grid, resolve_bandwidth, snap_bin

    config = config or PartitionConfig()
    kde = kde or KDEConfig()
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    harm, knife = np.asarray(harm, dtype="float64"), np.asarray(knife, dtype="float64")
    lite = lattice_only(grid)
    parts = month_parts(x, y, harm, knife, month, weight)
    count = np.zeros(grid.n, dtype="int64")
    tot_h, tot_k = np.zeros(grid.n), np.zeros(grid.n)
    lx, ly, lw = [], [], []
    points = 0
    for b in map_ordered(
        month_bins,
        parts,
        client,
        grid=lite,
        snap_resolution=kde.snap_resolution,
        locations=method == "kde",  # only the KDE needs the distinct locations
    ):
        count += b.count
        tot_h += b.harm
        tot_k += b.knife
        points += b.points
        lx.append(b.loc_x)
        ly.append(b.loc_y)
        lw.append(b.loc_w)
    cols: dict[str, np.ndarray] = {"count": count, "harm": tot_h, "knife": tot_k}
    summary: dict[str, Any] = {"months": len(parts), "tiles": 0}
    if method == "kde":
        h = resolve_bandwidth(grid.cell, kde)
        ux, uy, uw = snap_bin(
            np.concatenate(lx), np.concatenate(ly), np.concatenate(lw), kde.snap_resolution
        )
        snap = grid.kind == "square" and (
            kde.method == "snap"
            or (kde.method == "auto" and len(ux) <= kde.snap_max_fraction * points)
        )
        if snap:
            dens = np.zeros(grid.n)
            tiles = list(tile_parts(lite, ux, uy, uw, h, config.tile_cells))
            for t, vals in zip(
                tiles, map_ordered(tile_kde, tiles, client, grid=lite, bandwidth=h), strict=True
            ):
                dens[lite.lut[t.cells]] = vals
            cols["kde"] = dens
            summary["tiles"] = len(tiles)
        else:  # the fine raster's convolution needs the whole raster: one step, here
            w = harm if weight == "harm" else None
            cols["kde"] = np.asarray(kde_grid(grid, x, y, w, kde))
    elif method == "gistar":
        totals = tot_h if weight == "harm" else count.astype("float64")
        r = grid_gistar(grid, totals, gistar)
        cols |= {"gi_z": r.z, "gi_p": r.p, "gi_q": r.q, "hot": r.hot, "cold": r.cold}
        summary |= {"hot_cells": int(r.hot.sum()), "cold_cells": int(r.cold.sum())}
    return cols, summary

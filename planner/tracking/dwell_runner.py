"""Running the dwell kernel over officer partitions.

Blocks one after another (bounded temporaries), forked worker processes, or a Dask cluster.
Officer partitions are exact: the concatenated visit-day rows equal one pass over every
officer.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.tracking.dwell import DwellConfig, TraceStats, officer_visits
from planner.tracking.geofence import TGPIndex


def _officer_ranges(codes: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Officer-code ranges with about the same number of pings each."""
    counts = np.bincount(codes)
    cum = np.cumsum(counts)
    cuts = np.searchsorted(cum, np.linspace(0, cum[-1], parts + 1)[1:-1], side="left") + 1
    bounds = np.r_[0, cuts, len(counts)]
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


#: the arrays a forked worker reads (inherited, not pickled)
_SHARED: dict = {}


def _work_range(bounds):
    a, b = bounds
    d = _SHARED
    if d["sorted"]:  # a contiguous block: views, no copies
        i = slice(*np.searchsorted(d["codes"], [a, b]))
    else:
        i = np.flatnonzero((d["codes"] >= a) & (d["codes"] < b))
    sp = None if d["sp"] is None else d["sp"][i]
    return blocked_visits(d["codes"][i], d["t"][i], d["x"][i], d["y"][i], sp, d["index"], d["cfg"])


def blocked_visits(
    codes, t, x, y, speed, index: TGPIndex, cfg: DwellConfig | None = None
) -> tuple[pd.DataFrame, TraceStats]:
    """:func:`officer_visits` over blocks of whole officers of about ``cfg.block_pings`` pings.

    The blocks run one after another and give the same rows as one call (officer partitions are
    exact).

    Parameters
    ----------
    codes, t, x, y, speed : array-like
        Officer code, epoch seconds, EPSG:27700 metres and reported speed (or None) per ping.
    index : TGPIndex
        The TGP index.
    cfg : DwellConfig, optional
        Dwell rules.

    Returns
    -------
    tuple
        Visit-day rows and summed trace statistics.
    """
    cfg = cfg or DwellConfig()
    codes = np.asarray(codes, np.int64)
    n = len(codes)
    nblocks = max(1, int(math.ceil(n / max(cfg.block_pings, 1))))
    if nblocks == 1 or n == 0:
        return officer_visits(codes, t, x, y, speed, index, cfg)
    base = int(codes.min())
    rel = codes - base
    ranges = _officer_ranges(rel, nblocks)
    if np.all(rel[1:] >= rel[:-1]):
        order, sc = None, rel
    else:
        order = np.argsort(rel, kind="stable")
        sc = rel[order]
    rows, stats = [], []
    for a, b in ranges:
        i0, i1 = np.searchsorted(sc, [a, b])
        i = slice(i0, i1) if order is None else order[i0:i1]
        sp = None if speed is None else speed[i]
        r, s = officer_visits(codes[i], t[i], x[i], y[i], sp, index, cfg)
        rows.append(r)
        stats.append(s)
    return pd.concat(rows, ignore_index=True), _sum_stats(stats)


def _sum_stats(stats) -> TraceStats:
    st = TraceStats()
    for s in stats:
        for f in (
            "pings",
            "duplicates",
            "speed_dropped",
            "segments",
            "capped_gaps",
            "fast_segments",
        ):
            setattr(st, f, getattr(st, f) + getattr(s, f))
    return st


def _partition_visits(part, index: TGPIndex, cfg: DwellConfig):
    """The Dask task: one officer partition's arrays -> (visit-day rows, stats)."""
    codes, t, x, y, sp = part
    return officer_visits(codes, t, x, y, sp, index, cfg)


def _cluster_visits(codes, t, x, y, sp, index, cfg, partitions, client):
    """Officer partitions on a Dask cluster, results in partition order."""
    from planner.cluster import map_ordered

    threads = sum(client.nthreads().values()) or 1
    ranges = _officer_ranges(codes, max(partitions, 2 * threads))
    order = np.argsort(codes, kind="stable")
    sc = codes[order]

    def parts():
        for a, b in ranges:
            i = order[slice(*np.searchsorted(sc, [a, b]))]
            yield (codes[i], t[i], x[i], y[i], None if sp is None else sp[i])

    res = list(map_ordered(_partition_visits, parts(), client, index=index, cfg=cfg))
    return pd.concat([r[0] for r in res], ignore_index=True), _sum_stats(r[1] for r in res)


def _parallel_visits(codes, t, x, y, sp, index, cfg, partitions):
    """Officer partitions in worker processes.

    On Linux the workers are forked and inherit the arrays (nothing is pickled but the visit rows
    coming back).
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ranges = _officer_ranges(codes, partitions)
    srt = bool(np.all(codes[1:] >= codes[:-1]))
    _SHARED.update(codes=codes, t=t, x=x, y=y, sp=sp, index=index, cfg=cfg, sorted=srt)
    try:
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        if ctx is None:  # pragma: no cover - platforms without fork pickle the partitions
            jobs = [(a, b) for a, b in ranges]
            res = [_work_range(j) for j in jobs]
        else:
            with ProcessPoolExecutor(max_workers=len(ranges), mp_context=ctx) as ex:
                res = list(ex.map(_work_range, ranges))
    finally:
        _SHARED.clear()
    st = TraceStats()
    for _, s in res:
        for f in (
            "pings",
            "duplicates",
            "speed_dropped",
            "segments",
            "capped_gaps",
            "fast_segments",
        ):
            setattr(st, f, getattr(st, f) + getattr(s, f))
    return pd.concat([r[0] for r in res], ignore_index=True), st

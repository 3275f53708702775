"""GPS pings to patrol minutes inside each TGP: exact geofencing of the track between pings.

Model (documented, tested against a brute-force time-stepping reference):

* Each officer's pings are put in time order; exact duplicate timestamps keep the first ping.
* **Implausible speeds**: a ping with a reported speed above ``max_speed_ms``, or a spike (the
  implied speed both into and out of it above ``max_speed_ms``) is dropped; a remaining segment
  whose implied speed is still too high is not counted.
* **Segments**: between consecutive pings the officer moves in a straight line at constant
  speed. A gap longer than ``gap_cap_s`` (default 2 min) means a lost signal: the officer is
  held at the last known position for ``gap_cap_s`` and then counted nowhere until the next
  ping. The last ping of a trace adds no time.
* **Foot or vehicle**: by the segment's speed (reported speed at its first ping when given,
  otherwise distance over time) against ``foot_max_speed_ms``.
* **Minutes inside a TGP** are the exact time the straight segment spends inside the polygon
  (boundary crossings between pings are interpolated against the polygon).
* **Visits** (officer view): a continuous stay of one officer inside one TGP, entry to exit.
  **Place visits** (place view, used in place-days): a continuous period with at least one
  officer present; Koper-compliant when it lasts ``koper_minutes`` (10) or more. A visit
  belongs to the local day it starts on; minutes are split exactly at local midnights
  (Europe/London, so clock-change days are 23 h and 25 h long).
* **Officer-minutes** add up every officer's time (two officers together for 10 minutes give
  20); **presence-minutes** are the union over officers (10).

Speed: a fine grid over the TGPs marks every cell that any polygon edge passes through; a
segment whose bounding box touches no such cell cannot cross a boundary, so its status is its
start cell's label (read from the grid). The rest are intersected with the polygon edges in
numpy (an edge grid lists the edges near each cell; each crossing is counted in the cell that
holds it; the start point's status comes from ``shapely.contains_xy``; pieces alternate in/out
between the sorted crossings). Only degenerate cases (a segment through a vertex, along an
edge, or ending on a boundary) fall back to shapely's exact line-polygon intersection. The work
is a pure function of an officer partition (:func:`officer_visits`; officer-day partitions
from :func:`officer_day_partitions`), so it runs unchanged per partition under Dask or a
process pool; :func:`place_days` combines the partitions' rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.timeutil import to_epoch
from planner.tracking.geofence import TGPIndex
from planner.tracking.intervals import (
    TZ,
    Intervals,
    day_starts,
    from_epoch,
    local_day_range,
    split_days,
    union,
)


@dataclass(frozen=True)
class DwellConfig:
    """Rules for turning pings into minutes (defaults documented in the module docstring)."""

    #: longest gap between pings counted as presence (s); a lost signal beyond it is not
    gap_cap_s: float = 120.0
    #: above this speed (m/s, ~123 mph) a ping or segment is a GPS error
    max_speed_ms: float = 55.0
    #: at or below this speed (m/s, ~9 km/h) the officer is on foot, above it in a vehicle
    foot_max_speed_ms: float = 2.5
    #: Koper curve: a visit deters when it lasts at least this long (minutes)
    koper_minutes: float = 10.0
    #: exits shorter than this (s) do not end a visit (0 = strict entry to exit)
    merge_within_s: float = 0.0
    #: side of the geofence grid cells (m); coarsened automatically for huge extents
    cell_m: float = 20.0
    #: the local time zone for days
    tz: str = TZ
    #: officers are processed in blocks of about this many pings (bounds the kernel's
    #: temporary arrays; the result does not depend on it)
    block_pings: int = 1_000_000


# --------------------------------------------------------------------------------------
# traces and segments
# --------------------------------------------------------------------------------------
@dataclass
class Segments:
    """Straight moves (or held positions) of officers between pings, in (officer, time) order."""

    officer: np.ndarray  #: int64 officer code
    t0: np.ndarray  #: float64 epoch seconds
    t1: np.ndarray  #: float64 epoch seconds (t0 + counted duration)
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    foot: np.ndarray  #: bool

    def __len__(self) -> int:
        return len(self.t0)


@dataclass
class TraceStats:
    """Counts from building segments (pings, dropped pings, segments, capped and fast ones)."""

    pings: int = 0
    duplicates: int = 0
    speed_dropped: int = 0
    segments: int = 0
    capped_gaps: int = 0
    fast_segments: int = 0


def build_segments(
    officer, t, x, y, speed=None, cfg: DwellConfig | None = None
) -> tuple[Segments, TraceStats]:
    """Officer traces to segments (see the module docstring for the rules).

    Parameters
    ----------
    officer : array-like of int
        Integer officer code per ping.
    t : array-like of float
        Epoch seconds (float64).
    x, y : array-like of float
        Metres in EPSG:27700.
    speed : array-like of float, optional
        Reported speed in m/s (NaN when absent); None when the pings have none.
    cfg : DwellConfig, optional
        Dwell rules (defaults when None).

    Returns
    -------
    tuple of (Segments, TraceStats)
        The segments and the counts of what was dropped or capped.
    """
    cfg = cfg or DwellConfig()
    officer = np.asarray(officer, np.int64)
    t = np.asarray(t, np.float64)
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    sp = np.full(len(t), np.nan) if speed is None else np.asarray(speed, np.float64)
    st = TraceStats(pings=len(t))
    if len(t) > 1 and not (
        np.all(officer[1:] >= officer[:-1])
        and np.all((officer[1:] != officer[:-1]) | (t[1:] >= t[:-1]))
    ):
        order = np.lexsort((t, officer))
        officer, t, x, y, sp = officer[order], t[order], x[order], y[order], sp[order]
    # exact duplicate timestamps: keep the first
    dup = np.zeros(len(t), bool)
    dup[1:] = (officer[1:] == officer[:-1]) & (t[1:] == t[:-1])
    st.duplicates = int(dup.sum())
    keep = ~dup & ~(sp > cfg.max_speed_ms)
    if not keep.all():
        officer, t, x, y, sp = officer[keep], t[keep], x[keep], y[keep], sp[keep]

    def moves():
        same = officer[1:] == officer[:-1]
        dt = np.diff(t)
        dist = np.hypot(np.diff(x), np.diff(y))
        return same, dt, dist, dist / np.maximum(dt, 1e-9)

    if len(t) < 2:
        e = np.empty(0)
        st.speed_dropped = st.pings - st.duplicates - len(t)
        return Segments(np.empty(0, np.int64), e, e, e, e, e, e, np.empty(0, bool)), st
    same, dt, dist, v = moves()
    # spikes: implied speed into and out of a ping both implausible
    fast = same & (v > cfg.max_speed_ms)
    spike = np.zeros(len(t), bool)
    spike[1:-1] = fast[:-1] & fast[1:]
    if spike.any():
        keep2 = ~spike
        officer, t, x, y, sp = officer[keep2], t[keep2], x[keep2], y[keep2], sp[keep2]
        same, dt, dist, v = moves()
    st.speed_dropped = st.pings - st.duplicates - len(t)
    fast = same & (v > cfg.max_speed_ms) & (dt <= cfg.gap_cap_s)
    st.fast_segments = int(fast.sum())
    ok = same & ~fast
    held = ok & (dt > cfg.gap_cap_s)
    st.capped_gaps = int(held.sum())
    idx = np.flatnonzero(ok)
    h = held[idx]
    seg_speed = np.where(np.isnan(sp[idx]), np.where(h, 0.0, v[idx]), sp[idx])
    segs = Segments(
        officer=officer[idx],
        t0=t[idx],
        t1=np.where(h, t[idx] + cfg.gap_cap_s, t[idx + 1]),
        x0=x[idx],
        y0=y[idx],
        x1=np.where(h, x[idx], x[idx + 1]),
        y1=np.where(h, y[idx], y[idx + 1]),
        foot=seg_speed <= cfg.foot_max_speed_ms,
    )
    st.segments = len(idx)
    return segs, st


# --------------------------------------------------------------------------------------
# partition step: one officer partition -> visits
# --------------------------------------------------------------------------------------
VISIT_DTYPES = {
    "officer": "int64",
    "tgp": "int32",
    "date": "datetime64[s]",
    "start": "float64",
    "end": "float64",
    "seconds": "float64",
    "foot_seconds": "float64",
    "visit_start": "bool",
    "visit_seconds": "float64",
}


def segment_pieces(segs: Segments, index: TGPIndex) -> pd.DataFrame:
    """Time pieces of segments inside TGPs: officer, tgp, start, end (epoch s), foot.

    Parameters
    ----------
    segs : Segments
        From :func:`build_segments`.
    index : TGPIndex
        The TGP polygons.

    Returns
    -------
    pandas.DataFrame
        One row per piece: ``officer, tgp, start, end, foot, seg``.
    """
    seg, tgp, s0, s1 = index.locate(segs.x0, segs.y0, segs.x1, segs.y1)
    t0, t1 = segs.t0[seg], segs.t1[seg]
    start = t0 * (1 - s0) + t1 * s0
    end = t0 * (1 - s1) + t1 * s1
    return pd.DataFrame(
        {
            "officer": segs.officer[seg],
            "tgp": tgp,
            "start": start,
            "end": end,
            "foot": segs.foot[seg],
            "seg": seg,
        }
    )


def empty_visit_rows() -> pd.DataFrame:
    """Visit-day rows of no pings (:func:`visits_from_pieces`'s columns and dtypes).

    Returns
    -------
    pandas.DataFrame
        No rows.
    """
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in VISIT_DTYPES.items()})


def visits_from_pieces(
    pieces: pd.DataFrame, n_tgps: int, cfg: DwellConfig | None = None
) -> pd.DataFrame:
    """Merge contiguous pieces of one officer in one TGP into visits, split at local midnight.

    Parameters
    ----------
    pieces : pandas.DataFrame
        From :func:`segment_pieces`.
    n_tgps : int
        Number of TGPs in the index.
    cfg : DwellConfig, optional
        Dwell rules (merge tolerance, time zone).

    Returns
    -------
    pandas.DataFrame
        One row per visit and local day (a visit over midnight gives two rows): ``officer, tgp,
        date, start, end, seconds, foot_seconds, visit_start`` (True on the visit's first row)
        and ``visit_seconds`` (the whole visit's length, for the Koper test).
    """
    cfg = cfg or DwellConfig()
    if len(pieces) == 0:
        return empty_visit_rows()
    off = pieces["officer"].to_numpy()
    tgp = pieces["tgp"].to_numpy().astype(np.int64)
    seg = pieces["seg"].to_numpy()
    start = pieces["start"].to_numpy()
    nseg = int(seg.max()) + 1
    # one stable sort by (officer, tgp, segment)
    # (locate returns the pieces of one segment in time order, so a stable sort keeps it)
    key = (off * max(n_tgps, 1) + tgp) * nseg + seg
    order = np.argsort(key, kind="stable")
    off, tgp, start = off[order], tgp[order], start[order]
    end = pieces["end"].to_numpy()[order]
    foot = pieces["foot"].to_numpy()[order]
    row, day, lo, hi = split_days(start, end, cfg.tz)
    off, tgp, foot = off[row], tgp[row], foot[row]
    tol = max(cfg.merge_within_s, 1e-6)
    new_visit = np.ones(len(off), bool)
    new_visit[1:] = (off[1:] != off[:-1]) | (tgp[1:] != tgp[:-1]) | (lo[1:] > hi[:-1] + tol)
    new_row = new_visit.copy()
    new_row[1:] |= day[1:] != day[:-1]
    first = np.flatnonzero(new_row)
    last = np.r_[first[1:], len(off)] - 1
    dur = hi - lo
    vfirst = np.flatnonzero(new_visit)
    vsec = np.add.reduceat(dur, vfirst)
    vid = np.cumsum(new_visit) - 1
    return pd.DataFrame(
        {
            "officer": off[first],
            "tgp": tgp[first].astype(np.int32),
            "date": day[first],
            "start": lo[first],
            "end": hi[last],
            "seconds": np.add.reduceat(dur, first),
            "foot_seconds": np.add.reduceat(np.where(foot, dur, 0.0), first),
            "visit_start": new_visit[first],
            "visit_seconds": vsec[vid[first]],
        }
    )


def officer_visits(
    officer, t, x, y, speed, index: TGPIndex, cfg: DwellConfig | None = None
) -> tuple[pd.DataFrame, TraceStats]:
    """The partition step: complete officer traces -> visit-day rows (pure; Dask-ready).

    Parameters
    ----------
    officer, t, x, y, speed : array-like
        As :func:`build_segments`.
    index : TGPIndex
        The TGP polygons.
    cfg : DwellConfig, optional
        Dwell rules.

    Returns
    -------
    tuple of (pandas.DataFrame, TraceStats)
        Visit-day rows (:func:`visits_from_pieces`) and the trace counts.
    """
    cfg = cfg or DwellConfig()
    segs, st = build_segments(officer, t, x, y, speed, cfg)
    pieces = segment_pieces(segs, index)
    return visits_from_pieces(pieces, len(index), cfg), st


# --------------------------------------------------------------------------------------
# combine: visits -> place-days
# --------------------------------------------------------------------------------------
PLACE_DAY_COLUMNS = (
    "tgp_id",
    "date",
    "officer_minutes",
    "presence_minutes",
    "visits",
    "compliant_visits",
    "officer_visits",
    "foot_minutes",
    "vehicle_minutes",
)


def rejoin_visits(rows: pd.DataFrame, cfg: DwellConfig | None = None) -> pd.DataFrame:
    """Recompute ``visit_start`` / ``visit_seconds`` of visit-day rows from contiguity.

    A visit split across partitions (or days) then counts once.

    Parameters
    ----------
    rows : pandas.DataFrame
        Visit-day rows, concatenated over partitions.
    cfg : DwellConfig, optional
        Dwell rules (merge tolerance).

    Returns
    -------
    pandas.DataFrame
        The rows sorted by officer, TGP and start, with visits re-identified.
    """
    cfg = cfg or DwellConfig()
    order = np.lexsort(
        (rows["start"].to_numpy(), rows["tgp"].to_numpy(), rows["officer"].to_numpy())
    )
    r = rows.iloc[order].reset_index(drop=True)
    off, tg = r["officer"].to_numpy(), r["tgp"].to_numpy()
    st, en = r["start"].to_numpy(), r["end"].to_numpy()
    tol = max(cfg.merge_within_s, 1e-6)
    new = np.ones(len(r), bool)
    new[1:] = (off[1:] != off[:-1]) | (tg[1:] != tg[:-1]) | (st[1:] > en[:-1] + tol)
    vid = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    r["visit_start"] = new
    r["visit_seconds"] = np.add.reduceat(r["seconds"].to_numpy(), first)[vid] if len(first) else 0.0
    return r


def officer_day_partitions(officer, t, tz: str = TZ) -> list[np.ndarray]:
    """Row indices of officer-day partitions (local days).

    Each partition has the officer's next ping appended, so the segment over the partition
    boundary is counted exactly once. Run :func:`officer_visits` on each partition (e.g. under
    Dask) and :func:`place_days` on the concatenated rows: the result equals one run over
    everything.

    Parameters
    ----------
    officer : array-like of int
        Officer code per ping.
    t : array-like of float
        Epoch seconds.
    tz : str
        Time zone of the local days.

    Returns
    -------
    list of numpy.ndarray
        Ping positions of each partition.
    """
    officer = np.asarray(officer, np.int64)
    t = np.asarray(t, np.float64)
    order = np.lexsort((t, officer))
    if len(order) == 0:
        return []
    lo, hi = local_day_range(t, t, tz)
    edges, _ = day_starts(lo, hi, tz)
    day = np.searchsorted(edges, t[order], side="right") - 1
    o = officer[order]
    new = np.ones(len(order), bool)
    new[1:] = (o[1:] != o[:-1]) | (day[1:] != day[:-1])
    first = np.flatnonzero(new)
    last = np.r_[first[1:], len(order)]
    out = []
    for a, b in zip(first, last):  # one index array per partition (the partition list itself)
        stop = b + 1 if b < len(order) and o[b] == o[a] else b
        out.append(order[a:stop])
    return out


def presence_episodes(visits: pd.DataFrame, cfg: DwellConfig | None = None) -> pd.DataFrame:
    """Place visits: union over officers of the visits to each TGP (tgp, start, end).

    Parameters
    ----------
    visits : pandas.DataFrame
        Visit rows with ``tgp``, ``start``, ``end``.
    cfg : DwellConfig, optional
        Dwell rules (merge tolerance).

    Returns
    -------
    pandas.DataFrame
        ``tgp, start, end`` of each presence episode.
    """
    cfg = cfg or DwellConfig()
    iv = Intervals(
        visits["tgp"].to_numpy().astype(np.int64),
        visits["start"].to_numpy(np.float64),
        visits["end"].to_numpy(np.float64),
    )
    u = union(iv, tol=max(cfg.merge_within_s, 1e-6))
    return pd.DataFrame({"tgp": u.key.astype(np.int32), "start": u.start, "end": u.end})


def empty_place_days() -> pd.DataFrame:
    """An empty place-days frame.

    Returns
    -------
    pandas.DataFrame
        No rows, the columns and dtypes of :func:`place_days`.
    """
    cols = {
        "tgp_id": "string",
        "date": "datetime64[s]",
        "officer_minutes": "float64",
        "presence_minutes": "float64",
        "visits": "int64",
        "compliant_visits": "int64",
        "officer_visits": "int64",
        "foot_minutes": "float64",
        "vehicle_minutes": "float64",
    }
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


def place_days(
    visits: pd.DataFrame, tgp_ids: np.ndarray, cfg: DwellConfig | None = None
) -> pd.DataFrame:
    """Per TGP and local day: officer/presence minutes, place visits and Koper-compliant ones.

    ``visits``/``compliant_visits`` count place visits (presence episodes) by the day they
    start; ``officer_visits`` counts officers' own visits started that day; foot and vehicle
    minutes split the officer-minutes.

    Parameters
    ----------
    visits : pandas.DataFrame
        The concatenation of :func:`officer_visits` outputs over any partitioning by officer or
        by officer-day (:func:`officer_day_partitions`): officer visits cut by a partition
        boundary are joined again here.
    tgp_ids : numpy.ndarray
        ``tgp_id`` for each TGP position.
    cfg : DwellConfig, optional
        Dwell rules (Koper minimum, time zone).

    Returns
    -------
    pandas.DataFrame
        ``tgp_id, date, officer_minutes, presence_minutes, visits, compliant_visits,
        officer_visits, foot_minutes, vehicle_minutes``.
    """
    cfg = cfg or DwellConfig()
    tgp_ids = np.asarray(tgp_ids)
    if len(visits) == 0:
        return empty_place_days()
    visits = rejoin_visits(visits, cfg)
    om = (
        pd.DataFrame(
            {
                "tgp": visits["tgp"].to_numpy().astype(np.int64),
                "date": visits["date"].to_numpy(),
                "officer_minutes": visits["seconds"].to_numpy() / 60.0,
                "foot_minutes": visits["foot_seconds"].to_numpy() / 60.0,
                "officer_visits": visits["visit_start"].to_numpy().astype(np.int64),
            }
        )
        .groupby(["tgp", "date"], sort=False)
        .sum()
    )
    ep = presence_episodes(visits, cfg)
    es, ee = ep["start"].to_numpy(), ep["end"].to_numpy()
    erow, eday, elo, ehi = split_days(es, ee, cfg.tz)
    ept = ep["tgp"].to_numpy().astype(np.int64)
    pm = (
        pd.DataFrame({"tgp": ept[erow], "date": eday, "presence_minutes": (ehi - elo) / 60.0})
        .groupby(["tgp", "date"], sort=False)
        .sum()
    )
    _, sday, _, _ = split_days(es, es, cfg.tz)
    vv = (
        pd.DataFrame(
            {
                "tgp": ept,
                "date": sday,
                "visits": 1,
                "compliant_visits": ((ee - es) / 60.0 >= cfg.koper_minutes - 1e-9).astype(np.int64),
            }
        )
        .groupby(["tgp", "date"], sort=False)
        .sum()
    )
    out = om.join([pm, vv], how="outer").fillna(0).reset_index().sort_values(["tgp", "date"])
    out["vehicle_minutes"] = out["officer_minutes"] - out["foot_minutes"]
    out.insert(0, "tgp_id", pd.array(tgp_ids[out.pop("tgp").to_numpy()], dtype="string"))
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[s]")
    for c in ("visits", "compliant_visits", "officer_visits"):
        out[c] = out[c].astype("int64")
    return out[list(PLACE_DAY_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# the whole thing on a pings frame
# --------------------------------------------------------------------------------------
@dataclass
class DwellResult:
    """Output of :func:`dwell`."""

    place_days: pd.DataFrame
    visits: pd.DataFrame  #: officer visits with officer_id, tgp_id, start/end local times, minutes
    stats: TraceStats
    officers: np.ndarray  #: officer_id for each officer code
    rows: pd.DataFrame  #: visit-day rows (officer code, tgp position, ...)
    tgp_ids: np.ndarray  #: tgp_id for each TGP position

    @property
    def officer_hours(self) -> float:
        """Officer-hours in TGPs (summed over officers)."""
        return (
            float(self.place_days["officer_minutes"].sum() / 60.0) if len(self.place_days) else 0.0
        )

    @property
    def presence_hours(self) -> float:
        """Presence hours in TGPs (at least one officer there)."""
        return (
            float(self.place_days["presence_minutes"].sum() / 60.0) if len(self.place_days) else 0.0
        )

    def by_tgp(self) -> pd.DataFrame:
        """Totals per TGP over all days.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``tgp_id``: officer and presence minutes, visits and compliant visits.
        """
        cols = ["officer_minutes", "presence_minutes", "visits", "compliant_visits"]
        return self.place_days.groupby("tgp_id")[cols].sum()


def epoch_seconds(ts: pd.Series) -> np.ndarray:
    """Timezone-aware timestamps to float64 epoch seconds (:func:`planner.timeutil.to_epoch`).

    Parameters
    ----------
    ts : pandas.Series
        Timezone-aware timestamps (naive ones are an error).

    Returns
    -------
    numpy.ndarray
        float64 seconds since 1970-01-01 UTC.
    """
    s = pd.Series(ts)
    if s.dt.tz is None:
        raise PlannerError("ping timestamps must be timezone-aware")
    return to_epoch(s)


def _from_epoch(sec: np.ndarray, tz: str) -> pd.DatetimeIndex:
    return from_epoch(sec, tz)


def dwell(
    pings: pd.DataFrame,
    tgps: gpd.GeoDataFrame | TGPIndex,
    cfg: DwellConfig | None = None,
    *,
    partitions: int = 1,
    client=None,
) -> DwellResult:
    """Pings (the canonical frame from :func:`planner.io.pings.load_pings`) to place-days.

    Parameters
    ----------
    pings : pandas.DataFrame
        ``officer_id``, ``timestamp`` (tz-aware), ``x``, ``y`` (EPSG:27700) and optionally
        ``speed`` (m/s).
    tgps : geopandas.GeoDataFrame or TGPIndex
        The TGP layer (``tgp_id``, polygons) or a prebuilt :class:`TGPIndex`.
    cfg : DwellConfig, optional
        Dwell rules (defaults when None).
    partitions : int
        Officer partitions processed in parallel processes (1 = in this process).
        On Linux the workers are forked (they inherit the arrays); do not use it from a
        multi-threaded server process (forking a threaded process can deadlock) - use 1 there,
        or run :func:`officer_visits` per partition under Dask.
    client : distributed.Client, optional
        Officer partitions (about equal numbers of pings, at least two per worker thread, or
        ``partitions`` if more) run on the Dask cluster.

    Returns
    -------
    DwellResult
        Place-days, officer visits, trace statistics and the code tables.
    """
    cfg = cfg or DwellConfig()
    index = tgps if isinstance(tgps, TGPIndex) else TGPIndex.from_frame(tgps, cell_m=cfg.cell_m)
    codes, officers, t, x, y, sp = ping_arrays(pings)
    from planner.tracking.dwell_runner import _cluster_visits, _parallel_visits, blocked_visits

    if client is not None and len(officers) > 0:
        visits, st = _cluster_visits(codes, t, x, y, sp, index, cfg, partitions, client)
    elif partitions > 1 and len(officers) > 1:
        visits, st = _parallel_visits(codes, t, x, y, sp, index, cfg, partitions)
    else:
        visits, st = blocked_visits(codes, t, x, y, sp, index, cfg)
    return dwell_result(visits, officers, st, index, cfg)


def dwell_result(
    rows: pd.DataFrame, officers: np.ndarray, stats: TraceStats, index: TGPIndex, cfg: DwellConfig
) -> DwellResult:
    """Visit-day rows of every officer (in officer order) -> the :class:`DwellResult`.

    Parameters
    ----------
    rows : pandas.DataFrame
        Visit-day rows (:func:`officer_visits`), officer codes indexing ``officers``.
    officers : numpy.ndarray
        ``officer_id`` per officer code, in id order.
    stats : TraceStats
        Summed trace statistics.
    index : TGPIndex
        The TGP index.
    cfg : DwellConfig
        Dwell rules.

    Returns
    -------
    DwellResult
        Place-days, officer visits, the statistics and the code tables.
    """
    pdays = place_days(rows, index.ids, cfg)
    vis = officer_visit_table(rows, officers, index.ids, cfg)
    return DwellResult(
        place_days=pdays, visits=vis, stats=stats, officers=officers, rows=rows, tgp_ids=index.ids
    )


def ping_arrays(pings: pd.DataFrame):
    """The dwell kernel's inputs from a canonical ping frame.

    Parameters
    ----------
    pings : pandas.DataFrame
        ``officer_id``, ``timestamp`` (tz-aware), ``x``, ``y`` and optionally ``speed``.

    Returns
    -------
    tuple
        ``(codes, officers, t, x, y, speed)``: officer code per ping (codes in officer id
        order), ``officer_id`` per code, epoch seconds, EPSG:27700 metres and speed (m/s, or
        None without the column).
    """
    codes, uniques = pd.factorize(pings["officer_id"])
    rank = np.argsort(np.argsort(np.asarray(uniques, dtype=object)))  # officer codes in id order
    codes, officers = rank[codes], np.asarray(uniques, dtype=object)[np.argsort(rank)]
    t = epoch_seconds(pings["timestamp"])
    x = pings["x"].to_numpy(np.float64)
    y = pings["y"].to_numpy(np.float64)
    sp = pings["speed"].to_numpy(np.float64, na_value=np.nan) if "speed" in pings else None
    return codes, officers, t, x, y, sp


def officer_visit_table(
    visits: pd.DataFrame, officers, tgp_ids, cfg: DwellConfig | None = None
) -> pd.DataFrame:
    """Visit-day rows -> one row per officer visit (officer_id, tgp_id, start, end, minutes...).

    Parameters
    ----------
    visits : pandas.DataFrame
        Visit-day rows (:func:`rejoin_visits` order).
    officers : array-like
        ``officer_id`` for each officer code.
    tgp_ids : array-like
        ``tgp_id`` for each TGP position.
    cfg : DwellConfig, optional
        Dwell rules (time zone, Koper minimum).

    Returns
    -------
    pandas.DataFrame
        One row per officer visit.
    """
    cfg = cfg or DwellConfig()
    vs = visits["visit_start"].to_numpy()
    first = np.flatnonzero(vs)
    last = np.r_[first[1:], len(vs)] - 1 if len(first) else first
    sec = visits["seconds"].to_numpy()
    foot = visits["foot_seconds"].to_numpy()
    tg = visits["tgp"].to_numpy()[first]
    out = pd.DataFrame(
        {
            "officer_id": pd.array(
                np.asarray(officers)[visits["officer"].to_numpy()[first]], dtype="string"
            ),
            "tgp_id": pd.array(np.asarray(tgp_ids)[tg], dtype="string"),
            "start": _from_epoch(visits["start"].to_numpy()[first], cfg.tz),
            "end": _from_epoch(visits["end"].to_numpy()[last], cfg.tz),
            "minutes": (np.add.reduceat(sec, first) if len(first) else np.empty(0)) / 60.0,
            "foot_minutes": (np.add.reduceat(foot, first) if len(first) else np.empty(0)) / 60.0,
        }
    )
    out["compliant"] = out["minutes"] >= cfg.koper_minutes - 1e-9
    return out


def __getattr__(name):  # the runners moved to planner.tracking.dwell_runner
    if name in ("blocked_visits", "_parallel_visits", "_cluster_visits", "_officer_ranges"):
        from planner.tracking import dwell_runner

        return getattr(dwell_runner, name)
    raise AttributeError(name)

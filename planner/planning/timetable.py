"""Unpredictable timetables: coverage probabilities, sampled visits, predictability metrics.

The approach follows Stackelberg security games as used for airport patrols (ARMOR at LAX):
the defender commits to a *mixed strategy* — a coverage probability per slot — and the concrete
timetable is a random draw from it, so an observer of past timetables learns the coverage but
cannot predict the next draw.

* Coverage: each TGP-day's visits are spread over the time bands in proportion to that TGP's
  harm profile for the weekday, capped at the per-slot visit cap (water-filling), and zero in
  bands no delivery method can staff. ``expected[t, d, b]`` sums to the TGP-day's visits.
* Sampling: systematic (comb) sampling over a randomly permuted band order draws integer counts
  with exactly the expected value per slot and exactly the TGP-day's total (each count is the
  floor or ceiling of its expectation).
* Times: within a band, start times are uniform over all placements that keep half the minimum
  gap clear of the band edges and the full gap between visits; so any two visits to one TGP
  are at least ``min_gap_minutes`` apart.

Everything draws from a :class:`numpy.random.Generator`; a plan is reproducible from its seed
and a new seed gives an independent timetable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from planner.planning.config import PlanConfig
from planner.schema import TZ


def capped_proportional(total: np.ndarray, weights: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Water-fill along the last axis: ``a = min(lam * w, upper)`` with ``sum(a) = total``.

    When the total does not fit, every entry is at its ``upper`` (``sum(upper)``).

    Parameters
    ----------
    total : numpy.ndarray
        One total per row.
    weights : numpy.ndarray
        Non-negative weights (rows x choices).
    upper : numpy.ndarray
        Per-entry caps.

    Returns
    -------
    numpy.ndarray
        Continuous amounts shaped like ``weights``.

    Examples
    --------
    >>> import numpy as np
    >>> a = capped_proportional(np.array([6.0]), np.array([[1.0, 1, 4]]), np.array([[9.0, 9, 2]]))
    >>> a.round(6).tolist()
    [[2.0, 2.0, 2.0]]
    """
    w = np.asarray(weights, dtype=float)
    u = np.asarray(upper, dtype=float)
    tot = np.minimum(np.asarray(total, dtype=float), u.sum(axis=-1))
    w = np.where(u > 0, w, 0.0)
    # rows with no weight where there is room: spread over the room
    w = np.where((w.sum(axis=-1, keepdims=True) > 0), w, (u > 0).astype(float))
    lo = np.zeros(tot.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        hi = np.nanmax(np.where(w > 0, u / w, 0.0), axis=-1) + 1.0
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        s = np.minimum(mid[..., None] * w, u).sum(axis=-1)
        below = s < tot
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    a = np.minimum(hi[..., None] * w, u)
    # exact total: rescale the uncapped parts for the bisection residue
    s = a.sum(axis=-1)
    free = (a < u - 1e-12) & (a > 0)
    fs = np.where(free, a, 0.0).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(fs > 0, 1.0 + (tot - s) / fs, 1.0)
    return np.where(free, a * scale[..., None], a)


def coverage(visits_td: np.ndarray, profile_tdb: np.ndarray, slot_cap: np.ndarray) -> np.ndarray:
    """Compute the expected visits per slot ``[t, d, b]`` (sums to ``visits_td`` where the caps allow).

    Parameters
    ----------
    visits_td : numpy.ndarray
        Visits per TGP and day.
    profile_tdb : numpy.ndarray
        Band weights per TGP, day and band (the harm profiles).
    slot_cap : numpy.ndarray
        Most visits a slot may hold.

    Returns
    -------
    numpy.ndarray
        Expected visits, TGPs x days x bands.
    """
    return capped_proportional(visits_td, profile_tdb, slot_cap)


#: rounds of the capacity-aware coverage adjustment
COVERAGE_ROUNDS = 4


def capacity_aware_coverage(
    visits_td, profile_tdb, slot_cap, cap, elig, crew_pool, cfg: PlanConfig
) -> np.ndarray:
    """Coverage that leans away from bands the delivery methods cannot staff.

    Starting from :func:`coverage`, each round compares, per day and band, the patrol-minutes
    the coverage asks of each pool (a TGP's demand shared equally by the pools that may patrol
    it) with the pool's capacity (officer-minutes / crew), multiplies the band weights of
    over-asked bands by the supply/demand ratio and water-fills each TGP-day again, so visits
    lean towards bands with spare capacity *before* the draw. The draw then needs less repair
    and the timetable keeps following its coverage probabilities.

    Parameters
    ----------
    visits_td : numpy.ndarray
        Visits per TGP and day.
    profile_tdb : numpy.ndarray
        Band weights per TGP, day and band.
    slot_cap : numpy.ndarray
        Most visits a slot may hold.
    cap : Capacity
        Officer-minutes per team, day and band.
    elig : numpy.ndarray
        Which pools may patrol each TGP.
    crew_pool : numpy.ndarray
        Crew size per pool.
    cfg : PlanConfig
        Visit length and the number of rounds.

    Returns
    -------
    numpy.ndarray
        Expected visits, TGPs x days x bands.
    """
    upper = slot_cap.astype(float)
    e = coverage(visits_td, profile_tdb, upper)
    L = cfg.dosage.visit_minutes
    if cap.n_pools == 0:
        return e
    E = elig.astype(float)  # [p, t]
    supply = cap.pool_cap / crew_pool[:, None, None]  # patrol-minutes [p, d, b]
    n_el = np.maximum(E.sum(axis=0), 1.0)  # pools per TGP: demand shared equally among them
    w = profile_tdb.copy()
    for _ in range(COVERAGE_ROUNDS):
        demand = np.einsum("pt,tdb->pdb", E / n_el[None, :], e) * L
        with np.errstate(divide="ignore", invalid="ignore"):
            r_pool = np.where(demand > 0, np.minimum(1.0, supply / demand), 1.0)
        # a TGP's band ratio: the mean over its pools
        r = np.einsum("pt,pdb->tdb", E, r_pool) / n_el[:, None, None]
        if (r >= 0.999).all():
            break
        w = w * r
        e = coverage(visits_td, w, upper)
    return e


def systematic_sample(expected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw integer counts with ``E[count] = expected`` per entry and each row total kept.

    The row total is preserved exactly (when it is an integer), each count the floor or ceiling
    of its expectation. The last axis is the choice set (bands); its order is permuted at
    random per row so neighbouring bands are not correlated.

    Parameters
    ----------
    expected : numpy.ndarray
        Expected counts, last axis the choices.
    rng : numpy.random.Generator
        The random stream.

    Returns
    -------
    numpy.ndarray
        int64 counts shaped like ``expected``.

    Examples
    --------
    >>> import numpy as np
    >>> s = systematic_sample(np.array([[0.5, 1.5, 2.0]]), np.random.default_rng(1))
    >>> int(s.sum()), bool(s[0, 2] == 2)
    (4, True)
    """
    e = np.asarray(expected, dtype=float)
    shp = e.shape
    e2 = e.reshape(-1, shp[-1])
    n, k = e2.shape
    perm = np.argsort(rng.random((n, k)), axis=1)
    ep = np.take_along_axis(e2, perm, axis=1)
    c = np.round(np.cumsum(ep, axis=1), 9)
    u = rng.random(n)[:, None]
    u = np.where(u == 0.0, 0.5, u)
    hits = np.ceil(c - u)
    counts_p = np.diff(np.concatenate([np.zeros((n, 1)), hits], axis=1), axis=1).astype(np.int64)
    out = np.empty_like(counts_p)
    np.put_along_axis(out, perm, counts_p, axis=1)
    return out.reshape(shp)


def start_offsets(
    slot_key: np.ndarray,
    lengths: np.ndarray,
    band_minutes: np.ndarray,
    gap: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw a random start minute (from the band start) for each visit.

    Visits sharing ``slot_key`` are placed in one band without overlap and ``gap`` apart,
    ``gap / 2`` clear of both edges. Uniform over placements: the free minutes are cut at
    sorted uniform points.

    Parameters
    ----------
    slot_key : numpy.ndarray
        Slot of each visit (visits of one slot share a band).
    lengths : numpy.ndarray
        Visit lengths in minutes.
    band_minutes : numpy.ndarray
        Length of each visit's band in minutes.
    gap : int
        Minutes between visits of one slot.
    rng : numpy.random.Generator
        The random stream.

    Returns
    -------
    numpy.ndarray
        Start offsets in minutes.
    """
    n = len(slot_key)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((rng.random(n), slot_key))
    key = slot_key[order]
    ln = lengths[order].astype(np.int64)
    first = np.r_[True, key[1:] != key[:-1]]
    gstart = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.arange(n) - gstart
    size = np.bincount(np.cumsum(first) - 1)[np.cumsum(first) - 1]
    tot_len = np.add.reduceat(ln, np.flatnonzero(first))[np.cumsum(first) - 1]
    half = (gap + 1) // 2  # both edges: visits in neighbouring bands stay >= gap apart
    free = band_minutes[order] - 2 * half - tot_len - (size - 1) * gap
    if (free < 0).any():
        from planner.errors import PlannerError

        raise PlannerError(
            "visits do not fit their band with the minimum gap; lower max_visits_per_slot"
        )
    # sorted uniform cut points within each slot
    u = rng.random(n) * (free + 1)
    u = np.floor(u).astype(np.int64)
    o2 = np.lexsort((u, key))  # key is sorted already, so this sorts u within slots
    u_sorted = u[o2]
    cum_len = np.cumsum(ln) - ln
    before = cum_len - cum_len[gstart]
    off = half + u_sorted + before + rank * gap
    out = np.empty(n, dtype=np.int64)
    out[order] = off
    return out


def localise(dates: np.ndarray, minutes_of_day: np.ndarray) -> pd.DatetimeIndex:
    """Turn dates and minutes after midnight into local wall-clock times (Europe/London).

    On the autumn clock change the repeated hour is read as summer time; in spring a missing
    time moves forward.

    Parameters
    ----------
    dates : numpy.ndarray
        Calendar dates (datetime64[D] or dates).
    minutes_of_day : numpy.ndarray
        Minutes after local midnight.

    Returns
    -------
    pandas.DatetimeIndex
        Timezone-aware times.

    Examples
    --------
    >>> import numpy as np
    >>> t = localise(np.array(["2025-10-26", "2025-10-26"], dtype="datetime64[D]"), np.array([90, 150]))
    >>> [str(x) for x in t]
    ['2025-10-26 01:30:00+01:00', '2025-10-26 02:30:00+00:00']
    """
    naive = pd.DatetimeIndex(pd.to_datetime(dates)) + pd.to_timedelta(minutes_of_day, unit="min")
    return naive.tz_localize(
        TZ, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    )


def predictability(visits: pd.DataFrame, cfg: PlanConfig, tgp_ids=None) -> pd.DataFrame:
    """Predictability per TGP from a timetable.

    Parameters
    ----------
    visits : pandas.DataFrame
        Visits with ``tgp_id``, ``start`` and ``pinned``.
    cfg : PlanConfig
        Repeat window and warning thresholds.
    tgp_ids : array_like, optional
        TGPs to report (also those without visits); default those in ``visits``.

    Returns
    -------
    pandas.DataFrame
        Per TGP: ``visits``; ``entropy`` (Shannon entropy of the start hour, 24 bins, divided
        by log 24: 1 = every hour equally likely); ``repeat_share`` (share of visits starting
        within ``repeat_window_minutes`` of the same clock time as a visit to the TGP the day
        before or the week before); ``mean_gap_h`` and ``gap_cv`` (mean and coefficient of
        variation of the gaps between consecutive visits: a low CV is a regular, guessable
        rhythm); ``pinned``; ``warning`` (pinned visits present and entropy below / repeat
        share above the thresholds).
    """
    th = cfg.predictability
    ids = pd.Index(
        pd.unique(visits["tgp_id"]) if tgp_ids is None else pd.Index(tgp_ids).astype(str)
    )
    if len(visits) == 0:
        return pd.DataFrame(
            {
                "tgp_id": ids,
                "visits": 0,
                "entropy": np.nan,
                "repeat_share": np.nan,
                "mean_gap_h": np.nan,
                "gap_cv": np.nan,
                "pinned": 0,
                "warning": False,
            }
        )
    v = visits[["tgp_id", "start", "pinned"]].copy()
    v["tgp_id"] = v["tgp_id"].astype(str)
    t = ids.get_indexer(pd.Index(v["tgp_id"]))
    st = pd.DatetimeIndex(v["start"]).tz_convert(TZ)
    hour = st.hour.to_numpy()
    hist = np.zeros((len(ids), 24))
    np.add.at(hist, (t, hour), 1.0)
    n = hist.sum(axis=1)
    p = hist / np.maximum(n, 1)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -np.nansum(np.where(p > 0, p * np.log(p), 0.0), axis=1) / np.log(24)
    # wall-clock minutes counted from a fixed origin (so "same time next day" is +1440)
    naive = st.tz_localize(None)
    mins = (
        ((naive - pd.Timestamp("2000-01-01")) // pd.Timedelta(minutes=1))
        .to_numpy()
        .astype(np.int64)
    )
    span = int(mins.max() - mins.min() + 10 * 1440)
    key = t.astype(np.int64) * span + (mins - mins.min())
    order = np.argsort(key, kind="stable")
    ks = key[order]
    w = th.repeat_window_minutes
    rep = np.zeros(len(ks), dtype=bool)
    for lag in (1440, 7 * 1440):
        lo = np.searchsorted(ks, ks - lag - w, side="left")
        hi = np.searchsorted(ks, ks - lag + w, side="right")
        rep |= hi > lo
    repeat = np.bincount(t[order], weights=rep, minlength=len(ids)) / np.maximum(n, 1)
    # gaps between consecutive visits within a TGP (hours)
    ts = t[order]
    same = np.r_[False, ts[1:] == ts[:-1]]
    gaps = np.diff(np.r_[ks[0], ks]) / 60.0
    g_n = np.bincount(ts[same], minlength=len(ids))
    g_s = np.bincount(ts[same], weights=gaps[same], minlength=len(ids))
    g_ss = np.bincount(ts[same], weights=gaps[same] ** 2, minlength=len(ids))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = g_s / g_n
        sd = np.sqrt(np.maximum(g_ss / g_n - mean**2, 0.0))
        cv = sd / mean
    pinned = np.bincount(t, weights=v["pinned"].to_numpy(dtype=float), minlength=len(ids)).astype(
        np.int64
    )
    warn = (pinned > 0) & ((ent < th.min_entropy) | (repeat > th.max_repeat_share))
    return pd.DataFrame(
        {
            "tgp_id": ids,
            "visits": n.astype(np.int64),
            "entropy": ent,
            "repeat_share": repeat,
            "mean_gap_h": mean,
            "gap_cv": cv,
            "pinned": pinned,
            "warning": warn,
        }
    )


def _records(df: pd.DataFrame) -> Iterable[Any]:
    """Rows as named tuples (typed ``Any``: their fields hold strings and numbers)."""
    return df.itertuples()


def predictability_summary(pred: pd.DataFrame, cfg: PlanConfig) -> dict:
    """Build the JSON ``predictability`` object: force figures, per-TGP figures and warnings.

    Parameters
    ----------
    pred : pandas.DataFrame
        :func:`predictability` output.
    cfg : PlanConfig
        The warning thresholds.

    Returns
    -------
    dict
        ``mean_entropy``, ``max_repeat_share``, ``thresholds``, ``warnings`` and ``by_tgp``.
    """
    th = cfg.predictability
    warnings = [
        f"{r.tgp_id}: pinned visits make the pattern predictable "
        f"(entropy {r.entropy:.2f}, threshold {th.min_entropy}; repeat share {r.repeat_share:.2f}, threshold {th.max_repeat_share})"
        for r in _records(pred.loc[pred["warning"]])
    ]

    def _f(x):
        return None if pd.isna(x) else round(float(x), 4)

    return {
        "mean_entropy": _f(pred["entropy"].mean()),
        "min_entropy": _f(pred["entropy"].min()),
        "mean_repeat_share": _f(pred["repeat_share"].mean()),
        "max_repeat_share": _f(pred["repeat_share"].max()),
        "thresholds": {"min_entropy": th.min_entropy, "max_repeat_share": th.max_repeat_share},
        "warnings": warnings,
        "by_tgp": {
            r.tgp_id: {
                "entropy": _f(r.entropy),
                "repeat_share": _f(r.repeat_share),
                "mean_gap_h": _f(r.mean_gap_h),
                "gap_cv": _f(r.gap_cv),
                "pinned": int(r.pinned),
            }
            for r in _records(pred)
        },
    }

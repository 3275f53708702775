"""Exact allocation of the patrol target: year -> quarter -> week -> day -> TGP -> visits.

Everything is counted in whole **minutes** (integers), and every split uses the largest-remainder
(Hamilton) method, so the parts always add up exactly to the whole: 33,323 h a year is
1,999,380 minutes; a quarter is 499,845 minutes = 8,330.75 h exactly; no minute is lost or
invented by rounding at any level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.planning.config import PlanConfig


# ---- exact integer splits ------------------------------------------------------------
def largest_remainder(total, weights, *, upper=None) -> np.ndarray:
    """Split integer ``total`` into integer parts proportional to ``weights`` (last axis).

    Works row-wise on 2-D input (``total`` one integer per row). Parts sum exactly to the total;
    each part is ``floor`` or ``ceil`` of its exact quota; ties go to the earlier position.
    Rows whose weights are all zero are split equally.

    Parameters
    ----------
    total : int or array_like of int
        The total (one per row for 2-D weights).
    weights : array_like
        Non-negative weights; the last axis is split.
    upper : array_like, optional
        Per-part ceilings the rounding may not exceed.

    Returns
    -------
    numpy.ndarray
        int64 parts shaped like ``weights``.

    Examples
    --------
    >>> largest_remainder(10, [1, 1, 1]).tolist()
    [4, 3, 3]
    >>> largest_remainder(499845, [1, 1, 1, 1]).sum()
    np.int64(499845)
    """
    w = np.asarray(weights, dtype=float)
    squeeze = w.ndim == 1
    w = np.atleast_2d(w)
    tot = np.broadcast_to(np.asarray(total, dtype=np.int64).reshape(-1, 1), (w.shape[0], 1))
    if (w < 0).any():
        raise PlannerError("largest_remainder: weights must be non-negative")
    if (tot < 0).any():
        raise PlannerError("largest_remainder: total must be non-negative")
    s = w.sum(axis=1, keepdims=True)
    w = np.where(s > 0, w, 1.0)
    s = w.sum(axis=1, keepdims=True)
    integral = (
        np.all(w == np.round(w)) and float(tot.max(initial=0)) * float(s.max(initial=0)) < 2**62
    )
    if integral:
        # exact: quota = tot * w / s with integer numerators, remainders compared exactly
        wi = np.round(w).astype(np.int64)
        si = wi.sum(axis=1, keepdims=True)
        num = tot * wi
        base = num // si
        frac = (num % si) / si  # same order as the exact remainders (common denominator per row)
    else:
        quota = tot * (w / s)
        base = np.minimum(np.floor(quota + 1e-9).astype(np.int64), tot)
        frac = quota - base
    rem = (tot[:, 0] - base.sum(axis=1)).astype(np.int64)
    out = _give(base, rem, frac, np.ones_like(base, dtype=bool))
    return out[0] if squeeze else out


def _give(base: np.ndarray, rem: np.ndarray, score: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Add (or remove, when ``rem`` < 0) one unit to ``|rem|`` eligible entries per row.

    The entries with the highest (lowest) score. Vectorised by ranking within rows.
    """
    base = base.copy()
    rows = np.arange(base.shape[0])[:, None]
    pos = np.where(eligible, score, -np.inf)
    order = np.argsort(-pos, axis=1, kind="stable")
    rank = np.empty_like(order)
    rank[rows, order] = np.arange(base.shape[1])[None, :]
    add = (rank < np.maximum(rem, 0)[:, None]) & eligible
    base += add
    neg = np.where(eligible, score, np.inf)
    order = np.argsort(neg, axis=1, kind="stable")
    rank[rows, order] = np.arange(base.shape[1])[None, :]
    sub = (rank < np.maximum(-rem, 0)[:, None]) & eligible
    base -= sub
    return base


def capped_split(total, weights, floor, ceiling, *, what: str = "split") -> np.ndarray:
    """Split integer totals proportionally to ``weights`` within integer floors and ceilings.

    Water-filling: parts at a bound stay there, the rest share the remainder in proportion;
    then exact rounding by largest remainder within the bounds.

    Parameters
    ----------
    total : int or array_like of int
        One total per row.
    weights : array_like
        Non-negative weights (rows x parts).
    floor, ceiling : array_like of int
        Per-part bounds.
    what : str
        What is split, for the error message.

    Returns
    -------
    numpy.ndarray
        int64 parts summing exactly to each total.

    Raises
    ------
    PlannerError
        When the floors exceed a total or the ceilings fall short.

    Examples
    --------
    The third part stops at its ceiling; the first two share the rest, the tie to the first:

    >>> capped_split([10], [[1, 1, 8]], [[0, 0, 0]], [[5, 5, 5]]).tolist()
    [[3, 2, 5]]
    """
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    tot = np.asarray(total, dtype=np.int64).reshape(-1)
    tot = np.broadcast_to(tot, (w.shape[0],)).copy()
    lo = np.broadcast_to(np.asarray(floor, dtype=np.int64), w.shape)
    hi = np.broadcast_to(np.asarray(ceiling, dtype=np.int64), w.shape)
    if (lo > hi).any():
        i, j = np.argwhere(lo > hi)[0]
        raise PlannerError(
            f"{what}: row {i}, part {j}: floor {lo[i, j]} is above ceiling {hi[i, j]}"
        )
    if (lo.sum(axis=1) > tot).any():
        i = int(np.argmax(lo.sum(axis=1) - tot))
        raise PlannerError(
            f"{what}: floors need {lo[i].sum()} minutes but only {tot[i]} are available "
            f"(short by {(lo[i].sum() - tot[i]) / 60:g} h)"
        )
    if (hi.sum(axis=1) < tot).any():
        i = int(np.argmax(tot - hi.sum(axis=1)))
        raise PlannerError(
            f"{what}: ceilings allow only {hi[i].sum()} minutes of {tot[i]} "
            f"(short by {(tot[i] - hi[i].sum()) / 60:g} h)"
        )
    w = np.where(w.sum(axis=1, keepdims=True) > 0, w, 1.0)
    # bisection on the multiplier: a(lam) = clip(lam * w, lo, hi), sum(a) = tot
    lam_lo = np.zeros(w.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        lam_hi = np.nanmax(np.where(w > 0, hi / w, 0.0), axis=1) + 1.0
    for _ in range(80):
        mid = 0.5 * (lam_lo + lam_hi)
        s = np.clip(mid[:, None] * w, lo, hi).sum(axis=1)
        below = s < tot
        lam_lo = np.where(below, mid, lam_lo)
        lam_hi = np.where(below, lam_hi, mid)
    a = np.clip(lam_hi[:, None] * w, lo, hi)
    base = np.clip(np.floor(a + 1e-9).astype(np.int64), lo, hi)
    for _ in range(w.shape[1] + 1):
        rem = tot - base.sum(axis=1)
        if not rem.any():
            break
        frac = a - base
        elig = np.where(rem[:, None] > 0, base < hi, base > lo)
        base = _give(base, rem, frac, elig)
    if (base.sum(axis=1) != tot).any():  # pragma: no cover - guarded by the bound checks
        raise PlannerError(f"{what}: could not split exactly")
    return base


# ---- calendar ---------------------------------------------------------------------------
def parse_quarter(q: str) -> tuple[date, date]:
    """Parse a calendar quarter: "2025Q4" -> (2025-10-01, 2025-12-31).

    Parameters
    ----------
    q : str
        ``YYYYQn`` (case and surrounding spaces ignored).

    Returns
    -------
    tuple of datetime.date
        First and last day.

    Raises
    ------
    PlannerError
        When ``q`` is not a quarter.

    Examples
    --------
    >>> parse_quarter("2025q4")
    (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    """
    s = str(q).strip().upper()
    try:
        year_s, n_s = s.split("Q")
        year, n = int(year_s), int(n_s)
        if not 1 <= n <= 4:
            raise ValueError
    except ValueError:
        raise PlannerError(f"quarter '{q}' is not like 2025Q4") from None
    start = date(year, 3 * n - 2, 1)
    end = (pd.Timestamp(start) + pd.offsets.QuarterEnd(0)).date()
    return start, end


def funding_year(d: date, fy_start_month: int = 4) -> int:
    """Return the funding year a date falls in, named by its starting calendar year.

    Parameters
    ----------
    d : datetime.date
        The date.
    fy_start_month : int
        First month of the funding year (4: 1 April - 31 March).

    Returns
    -------
    int
        FY2025 = 2025/26.

    Examples
    --------
    >>> from datetime import date
    >>> funding_year(date(2026, 3, 31)), funding_year(date(2026, 4, 1))
    (2025, 2026)
    """
    return d.year if d.month >= fy_start_month else d.year - 1


def quarter_target_minutes(cfg: PlanConfig, quarter: str) -> int:
    """Return the quarter's exact share of its funding year's target, in minutes.

    The funding year (from ``cfg.fy_start_month``) is split into its four quarters by largest
    remainder: equally (``quarter_split="equal"``: 33,323 h -> 8,330.75 h each) or pro rata to
    days. Only quarters aligned with the funding year can be planned.

    Parameters
    ----------
    cfg : PlanConfig
        Annual target, funding-year start and the quarter split rule.
    quarter : str
        Calendar quarter, e.g. "2025Q4".

    Returns
    -------
    int
        Minutes.

    Raises
    ------
    PlannerError
        For a quarter not aligned with the funding year.

    Examples
    --------
    >>> from planner.planning.config import PlanConfig
    >>> quarter_target_minutes(PlanConfig(), "2025Q4")
    499845
    """
    start, end = parse_quarter(quarter)
    fy = funding_year(start, cfg.fy_start_month)
    fy_start = pd.Timestamp(date(fy, cfg.fy_start_month, 1))
    starts = [fy_start + pd.DateOffset(months=3 * i) for i in range(4)]
    if pd.Timestamp(start) not in starts:
        raise PlannerError(
            f"quarter {quarter} is not aligned with the funding year starting month {cfg.fy_start_month}"
        )
    if cfg.quarter_split == "equal":
        weights = np.ones(4)
    elif cfg.quarter_split == "days":
        weights = np.array([((s + pd.DateOffset(months=3)) - s).days for s in starts], dtype=float)
    else:
        raise PlannerError(f"quarter_split must be 'equal' or 'days', not {cfg.quarter_split!r}")
    parts = largest_remainder(cfg.annual_target_minutes, weights)
    return int(parts[starts.index(pd.Timestamp(start))])


def split_days(total: int, dates: pd.DatetimeIndex, dow_weights) -> pd.DataFrame:
    """Split a quarter's minutes into weeks and each week into its days.

    Weeks get minutes pro rata to the days each Monday-week has in the quarter; each week's
    days share them by ``dow_weights`` (Monday first).

    Parameters
    ----------
    total : int
        Minutes of the quarter.
    dates : pandas.DatetimeIndex
        Every day of the quarter.
    dow_weights : array_like
        Seven weekday weights, Monday first.

    Returns
    -------
    pandas.DataFrame
        One row per date with ``week`` (Monday), ``week_minutes`` and ``minutes``; the minutes
        add up exactly to each week's, and the weeks' to ``total``.
    """
    dates = pd.DatetimeIndex(dates)
    week = dates - pd.to_timedelta(dates.day_of_week, unit="D")
    weeks, inv, ndays = np.unique(week, return_inverse=True, return_counts=True)
    week_min = largest_remainder(total, ndays.astype(float))
    dow = np.asarray(dow_weights, dtype=float)
    # one row per week, 7 columns: weights of the days present in that week
    mat = np.zeros((len(weeks), 7))
    mat[inv, dates.day_of_week] = dow[dates.day_of_week]
    day_min = largest_remainder(week_min, mat)
    return pd.DataFrame(
        {
            "date": dates,
            "week": week,
            "week_minutes": week_min[inv],
            "minutes": day_min[inv, dates.day_of_week],
        }
    )


# ---- TGP-day allocation -------------------------------------------------------------------
@dataclass
class Allocation:
    """Exact minutes and visits per day x TGP.

    ``minutes[d, t]`` integer patrol-minutes; ``visits[d, t]`` number of visits; each visit of
    day d at TGP t lasts ``minutes // visits`` or one minute more (see :func:`visit_lengths`).
    ``days`` has one row per date: ``week``, ``visits``, ``minutes``, ``week_minutes``;
    ``floor[t]`` and ``ceiling[d, t]`` are the daily bounds in visits.
    """

    days: pd.DataFrame
    tgp_ids: np.ndarray
    minutes: np.ndarray
    visits: np.ndarray
    floor: np.ndarray
    ceiling: np.ndarray

    @property
    def total_minutes(self) -> int:
        """Return the minutes allocated over every day and TGP.

        Returns
        -------
        int
            The sum of ``minutes``.
        """
        return int(self.minutes.sum())


def tgp_bounds(
    harm: np.ndarray, tgp_ids, day_total: float, cfg: PlanConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Per-TGP daily floor and ceiling in minutes.

    See :class:`~planner.planning.config.TgpLimits` and
    :class:`~planner.planning.config.Dosage`: every TGP gets at least ``min_daily_visits``
    visits, the ``top_tgps`` highest-harm ones ``min_daily_visits_top``.

    Parameters
    ----------
    harm : numpy.ndarray
        Harm per TGP.
    tgp_ids : array_like
        TGP ids (named in errors).
    day_total : float
        Minutes of the day being split.
    cfg : PlanConfig
        Dosage and per-TGP limits.

    Returns
    -------
    tuple of numpy.ndarray
        ``(floor, ceiling)`` per TGP.
    """
    dz, lim = cfg.dosage, cfg.limits
    n = len(harm)
    equal = day_total / n
    lo = np.full(
        n, max(int(np.ceil(lim.floor_factor * equal)), dz.min_daily_visits * dz.visit_minutes)
    )
    top = np.argsort(-np.asarray(harm, dtype=float), kind="stable")[: dz.top_tgps]
    lo[top] = np.maximum(lo[top], dz.min_daily_visits_top * dz.visit_minutes)
    hi = np.full(n, int(np.floor(lim.ceiling_factor * equal)))
    ids = list(map(str, tgp_ids))
    for tid, (f, c) in lim.overrides.items():
        if tid in ids:
            i = ids.index(tid)
            lo[i], hi[i] = int(f), int(c)
    hi = np.maximum(hi, lo)
    return lo.astype(np.int64), hi.astype(np.int64)


def visits_for_minutes(minutes: np.ndarray, cfg: PlanConfig, max_visits=None) -> np.ndarray:
    """Count the visits for each block of minutes.

    As close to ``visit_minutes`` each as the bounds allow (never under ``min_visit_minutes``,
    never over ``max_visit_minutes``, at most ``max_visits`` visits: fewer, longer visits when
    the slots are full).

    Parameters
    ----------
    minutes : numpy.ndarray
        Minutes per block (e.g. per TGP-day).
    cfg : PlanConfig
        Visit length bounds.
    max_visits : numpy.ndarray, optional
        Upper bound on visits per block.

    Returns
    -------
    numpy.ndarray
        int64 visits per block (0 for no minutes).
    """
    dz = cfg.dosage
    m = np.asarray(minutes, dtype=np.int64)
    n = np.rint(m / dz.visit_minutes).astype(np.int64)
    lo = -(-m // dz.max_visit_minutes)
    hi = m // dz.min_visit_minutes
    if max_visits is not None:
        hi = np.minimum(hi, np.asarray(max_visits, dtype=np.int64))
    bad = (m > 0) & (hi < lo)
    if bad.any():
        raise PlannerError(
            f"{int(m[bad][0])} minutes cannot be made of visits of "
            f"{dz.min_visit_minutes}-{dz.max_visit_minutes} minutes"
        )
    return np.clip(n, lo, hi)


def visit_lengths(minutes: np.ndarray, visits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split each block into visit lengths: ``minutes = n*q + r``.

    Parameters
    ----------
    minutes : numpy.ndarray
        Minutes per block.
    visits : numpy.ndarray
        Visits per block (``n``).

    Returns
    -------
    tuple of numpy.ndarray
        ``(q, r)``: r visits last q + 1 minutes and n - r last q.

    Examples
    --------
    >>> import numpy as np
    >>> q, r = visit_lengths(np.array([47, 30]), np.array([3, 2]))
    >>> q.tolist(), r.tolist()
    ([15, 15], [2, 0])
    """
    n = np.maximum(visits, 1)
    return minutes // n, minutes % n


def allocate_quarter(
    tgp_ids,
    harm,
    start: date,
    end: date,
    total_minutes: int,
    cfg: PlanConfig,
    dow_weights=None,
    ceiling_dt=None,
) -> Allocation:
    """Split ``total_minutes`` exactly over the days ``start..end`` and the TGPs.

    The unit is one visit of ``visit_minutes`` (15): ``total_minutes = 15 x units + rest``.
    Units go to weeks pro rata to days, to days by ``dow_weights`` (default equal), and to TGPs
    in proportion to harm within the per-TGP floors and ceilings (:func:`tgp_bounds`, in whole
    visits; ceilings further limited, where the day's total still fits, by ``ceiling_dt[d, t]``
    visits, e.g. what the staffable slots can hold), all by largest remainder. The ``rest``
    (< 15 minutes) lengthens that many visits of the first day by one minute. So every level
    sums exactly, in minutes, and every visit lasts 15 minutes (a handful 16): uniform visits
    also keep the staffing MILP easy.

    Parameters
    ----------
    tgp_ids : array_like
        TGP ids in plan order.
    harm : numpy.ndarray
        Harm per TGP (the allocation weights).
    start, end : datetime.date
        First and last day.
    total_minutes : int
        Minutes to allocate (:func:`quarter_target_minutes`).
    cfg : PlanConfig
        Dosage and limits.
    dow_weights : array_like, optional
        Seven weekday weights, Monday first (default equal).
    ceiling_dt : numpy.ndarray, optional
        Visits each TGP-day can hold at most (days x TGPs).

    Returns
    -------
    Allocation
        Minutes and visits per day x TGP and the day table.
    """
    harm = np.asarray(harm, dtype=float)
    if len(harm) == 0:
        raise PlannerError("no TGPs to plan")
    if (harm < 0).any() or not np.isfinite(harm).all():
        raise PlannerError("TGP harm must be finite and non-negative")
    L = cfg.dosage.visit_minutes
    dates = pd.date_range(start, end, freq="D")
    nd, nt = len(dates), len(harm)
    dw = np.ones(7) if dow_weights is None else np.asarray(dow_weights, dtype=float)
    # whole visits of L minutes; the remainder (< L minutes) lengthens R visits on day one by a minute
    units, rest = divmod(int(total_minutes), L)
    days = split_days(units, dates, dw).rename(
        columns={"minutes": "visits", "week_minutes": "week_visits"}
    )
    lo_m, hi_m = tgp_bounds(harm, tgp_ids, total_minutes / nd, cfg)
    lo = -(-lo_m // L)
    hi = np.broadcast_to(hi_m // L, (nd, nt))
    if ceiling_dt is not None:
        # the staffable-slot ceiling steers visits to where they can be staffed; where it
        # cannot hold a TGP's floor or the day's total it is dropped, and the visits it cannot
        # hold are reported as unmet (with the binding constraint) rather than hidden
        soft = np.maximum(np.minimum(hi, np.asarray(ceiling_dt, dtype=np.int64)), lo[None, :])
        fits = soft.sum(axis=1) >= days["visits"].to_numpy()
        hi = np.where(fits[:, None], soft, hi)
    bad = np.argwhere(hi < lo[None, :])
    if len(bad):
        d, t = bad[0]
        raise PlannerError(
            f"{tgp_ids[t]}: daily ceiling {hi[d, t]} visits is below its floor {lo[t]} visits"
        )
    visits = capped_split(
        days["visits"].to_numpy(), np.broadcast_to(harm, (nd, nt)), lo, hi, what="TGP daily visits"
    )
    minutes = visits * L
    if rest:
        extra = largest_remainder(rest, visits[0].astype(float))
        if (extra > visits[0]).any():
            raise PlannerError(f"cannot spread the {rest}-minute remainder over day one's visits")
        minutes[0] += extra
    days["minutes"] = minutes.sum(axis=1)
    days["week_minutes"] = days.groupby("week")["minutes"].transform("sum")
    return Allocation(days, np.asarray(tgp_ids).astype(str), minutes, visits, lo, hi)

"""Vectorised time-interval algebra: union, difference and local-day splitting.

Times are ``float64`` seconds since the Unix epoch (UTC) throughout the tracking area; a
``key`` array (``int64``) groups intervals (e.g. one key per TGP, or per officer and TGP).
Everything is a sweep over sorted start/end events: no Python loop over intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.timeutil import NS, TZ, from_epoch, to_epoch  # noqa: F401 - re-exported


@dataclass(frozen=True)
class Intervals:
    """A set of half-open intervals ``[start, end)`` grouped by an integer key."""

    key: np.ndarray  #: int64
    start: np.ndarray  #: float64 seconds
    end: np.ndarray  #: float64 seconds

    def __len__(self) -> int:
        return len(self.key)

    @property
    def length(self) -> np.ndarray:
        """Length of each interval in seconds."""
        return self.end - self.start


def _sweep(key, start, end, weights_a, weights_b=None):
    """Elementary pieces between consecutive events of each key with coverage counts.

    Returns (key, lo, hi, count_a, count_b) of pieces of positive length.
    """
    n = len(key)
    k = np.concatenate([key, key])
    t = np.concatenate([start, end])
    wa = np.concatenate([weights_a, -weights_a])
    wb = None if weights_b is None else np.concatenate([weights_b, -weights_b])
    # at equal times, starts (+) before ends (-) so touching intervals join
    order = np.lexsort((np.concatenate([np.zeros(n, np.int8), np.ones(n, np.int8)]), t, k))
    k, t, wa = k[order], t[order], wa[order]
    ca = np.cumsum(wa)
    cb = None if wb is None else np.cumsum(wb[order])
    same = k[1:] == k[:-1]
    lo, hi = t[:-1], t[1:]
    keep = same & (hi > lo)
    return (
        k[:-1][keep],
        lo[keep],
        hi[keep],
        ca[:-1][keep],
        None if cb is None else cb[:-1][keep],
    )


def _runs(key, lo, hi, covered, tol: float = 0.0) -> Intervals:
    """Join covered elementary pieces into maximal runs per key (gaps <= tol are bridged)."""
    key, lo, hi = key[covered], lo[covered], hi[covered]
    if len(key) == 0:
        return Intervals(np.empty(0, np.int64), np.empty(0), np.empty(0))
    new = np.ones(len(key), bool)
    new[1:] = (key[1:] != key[:-1]) | (lo[1:] > hi[:-1] + tol)
    first = np.flatnonzero(new)
    last = np.r_[first[1:], len(key)] - 1
    return Intervals(key[first], lo[first], hi[last])


def take_strings(values, codes) -> pd.api.extensions.ExtensionArray:
    """Index ``values[codes]`` as a pandas string array, converting only the distinct values.

    Parameters
    ----------
    values : array_like
        Distinct values (e.g. officer ids).
    codes : numpy.ndarray
        Positions into ``values``.

    Returns
    -------
    pandas.api.extensions.ExtensionArray
        A ``string`` array, one per code.
    """
    return pd.array(np.asarray(values, dtype=object), dtype="string").take(
        np.asarray(codes, np.int64)
    )


def union(iv: Intervals, tol: float = 0.0) -> Intervals:
    """Union of the intervals of each key (maximal disjoint runs, sorted by key and start).

    Parameters
    ----------
    iv : Intervals
        The intervals.
    tol : float
        Gaps up to ``tol`` seconds are closed.

    Returns
    -------
    Intervals
        Disjoint intervals.

    Examples
    --------
    >>> u = union(Intervals(np.array([1, 1, 1]), np.array([0.0, 5, 20]), np.array([10.0, 12, 30])))
    >>> u.start.tolist(), u.end.tolist()
    ([0.0, 20.0], [12.0, 30.0])
    """
    if len(iv) == 0:
        return iv
    k, lo, hi, ca, _ = _sweep(iv.key, iv.start, iv.end, np.ones(len(iv), np.int64))
    return _runs(k, lo, hi, ca > 0, tol)


def difference(a: Intervals, b: Intervals) -> Intervals:
    """Return the parts of ``a`` (per key) not covered by any interval of ``b`` with the same key.

    Parameters
    ----------
    a, b : Intervals
        The intervals.

    Returns
    -------
    Intervals
        ``a`` minus ``b``.

    Examples
    --------
    >>> d = difference(Intervals(np.array([1]), np.array([0.0]), np.array([10.0])),
    ...                Intervals(np.array([1]), np.array([3.0]), np.array([5.0])))
    >>> d.start.tolist(), d.end.tolist()
    ([0.0, 5.0], [3.0, 10.0])
    """
    if len(a) == 0 or len(b) == 0:
        return union(a)
    key = np.concatenate([a.key, b.key])
    start = np.concatenate([a.start, b.start])
    end = np.concatenate([a.end, b.end])
    wa = np.r_[np.ones(len(a), np.int64), np.zeros(len(b), np.int64)]
    k, lo, hi, ca, cb = _sweep(key, start, end, wa, 1 - wa)
    return _runs(k, lo, hi, (ca > 0) & (cb == 0))


def total(iv: Intervals) -> float:
    """Total length of the intervals in seconds.

    Parameters
    ----------
    iv : Intervals
        The intervals (overlaps count twice; take the :func:`union` first).

    Returns
    -------
    float
        Seconds.
    """
    return float(np.sum(iv.end - iv.start))


def day_starts(first_day, last_day, tz: str = TZ) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Local midnights from ``first_day`` to ``last_day + 1`` as epoch seconds, and the dates.

    Days are calendar days in ``tz`` so a day is 23 h or 25 h long on clock-change Sundays.

    Parameters
    ----------
    first_day, last_day : date-like
        The days.
    tz : str
        The time zone.

    Returns
    -------
    tuple of (numpy.ndarray, pandas.DatetimeIndex)
        Epoch seconds of each midnight and the dates.

    Examples
    --------
    >>> sec, days = day_starts("2025-10-26", "2025-10-26")
    >>> float(sec[1] - sec[0]) / 3600
    25.0
    """
    days = pd.date_range(
        pd.Timestamp(first_day), pd.Timestamp(last_day) + pd.Timedelta(days=1), freq="D"
    )
    local = days.tz_localize(tz)
    secs = local.as_unit("ns").asi8 / NS
    return secs.astype(np.float64), days[:-1]


def local_day_range(start: np.ndarray, end: np.ndarray, tz: str = TZ):
    """First and last local dates touched by the epoch-second intervals.

    Parameters
    ----------
    start, end : numpy.ndarray
        Interval bounds (epoch seconds).
    tz : str
        The time zone.

    Returns
    -------
    tuple of pandas.Timestamp
        The first and last local dates (naive midnights).
    """
    lo = (
        pd.Timestamp(float(np.min(start)) * NS, tz="UTC")
        .tz_convert(tz)
        .normalize()
        .tz_localize(None)
    )
    hi = (
        pd.Timestamp(float(np.max(end)) * NS, tz="UTC").tz_convert(tz).normalize().tz_localize(None)
    )
    return lo, hi


def split_days(start: np.ndarray, end: np.ndarray, tz: str = TZ):
    """Split intervals at local midnights.

    Parameters
    ----------
    start, end : numpy.ndarray
        Interval bounds (epoch seconds).
    tz : str
        The time zone of the days.

    Returns
    -------
    row : numpy.ndarray
        int64, the input interval each piece comes from.
    day : numpy.ndarray
        datetime64[D], the local date of the piece.
    lo, hi : numpy.ndarray
        float64, the piece bounds (epoch seconds).
    """
    start = np.asarray(start, np.float64)
    end = np.asarray(end, np.float64)
    if len(start) == 0:
        e = np.empty(0)
        return np.empty(0, np.int64), np.empty(0, "datetime64[D]"), e, e
    first, last = local_day_range(start, end, tz)
    edges, dates = day_starts(first, last, tz)
    d0 = np.searchsorted(edges, start, side="right") - 1
    d1 = (
        np.searchsorted(edges, end, side="left") - 1
    )  # an end exactly at midnight stays in the day before
    d1 = np.maximum(d1, d0)
    n = d1 - d0 + 1
    row = np.repeat(np.arange(len(start)), n)
    off = np.arange(len(row)) - np.repeat(np.cumsum(n) - n, n)
    d = d0[row] + off
    lo = np.maximum(start[row], edges[d])
    hi = np.minimum(end[row], edges[d + 1])
    day = dates.values.astype("datetime64[D]")[d]
    return row, day, lo, hi

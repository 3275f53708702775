"""One home for time: the local time zone, epoch conversions, month arithmetic and funding
years (UK policing budgets run 1 April to 31 March).

Times in the analysis code are ``float64`` seconds (or ``int64`` nanoseconds) since the Unix
epoch, UTC; local days and months are Europe/London (clock-change days are 23 and 25 hours).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

#: the local time zone of every day, month and naive timestamp
TZ = "Europe/London"
#: nanoseconds per second
NS = 1_000_000_000
#: the month a funding year starts in (April)
FY_START_MONTH = 4


def from_epoch(sec, tz: str = TZ) -> pd.DatetimeIndex:
    """Epoch seconds (float) -> tz-aware timestamps (ns), without an object round trip.

    Parameters
    ----------
    sec
        Seconds since the Unix epoch (UTC).
    tz
        Time zone of the result.

    Returns
    -------
    pandas.DatetimeIndex
        Timestamps rounded to the nanosecond.
    """
    ns = np.round(np.asarray(sec, np.float64) * NS).astype(np.int64).astype("datetime64[ns]")
    return pd.DatetimeIndex(ns).tz_localize("UTC").tz_convert(tz)


def to_epoch_ns(ts) -> np.ndarray:
    """tz-aware timestamps -> int64 nanoseconds since the epoch (NaT -> int64 minimum).

    Parameters
    ----------
    ts
        Series, index or array of tz-aware timestamps.

    Returns
    -------
    numpy.ndarray
        int64 nanoseconds, UTC.
    """
    s = pd.Series(ts)
    if s.dt.tz is None:
        raise ValueError("timestamps must be timezone-aware")
    return (
        s.dt.tz_convert("UTC")
        .astype("datetime64[ns, UTC]")
        .to_numpy("datetime64[ns]")
        .view(np.int64)
    )


def to_epoch(ts) -> np.ndarray:
    """tz-aware timestamps -> float64 epoch seconds.

    Parameters
    ----------
    ts
        Series, index or array of tz-aware timestamps.

    Returns
    -------
    numpy.ndarray
        float64 seconds since the epoch, UTC.
    """
    return to_epoch_ns(ts) / NS


def parse_month(month: str) -> tuple[int, int]:
    """``"YYYY-MM"`` -> (year, month).

    Parameters
    ----------
    month
        A month as police.uk writes it.

    Returns
    -------
    tuple of int
        Year and month number (1-12).
    """
    y, m = str(month).split("-")
    year, mon = int(y), int(m)
    if not 1 <= mon <= 12:
        raise ValueError(f"not a month: {month!r}")
    return year, mon


def add_months(month: str, n: int) -> str:
    """The month ``n`` months after (or before, for negative ``n``) ``month``.

    Parameters
    ----------
    month
        ``"YYYY-MM"``.
    n
        Months to add.

    Returns
    -------
    str
        ``"YYYY-MM"``.
    """
    y, m = parse_month(month)
    q, r = divmod(m - 1 + n, 12)
    return f"{y + q:04d}-{r + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included (empty if ``last`` is earlier).

    Parameters
    ----------
    first, last
        ``"YYYY-MM"``.

    Returns
    -------
    list of str
        The months in order.
    """
    y0, m0 = parse_month(first)
    y1, m1 = parse_month(last)
    n = (y1 - y0) * 12 + (m1 - m0)
    return [add_months(first, k) for k in range(n + 1)]


def funding_year(d: date, start_month: int = FY_START_MONTH) -> int:
    """The funding year of a date, named by the calendar year it starts in (FY2025 = 2025/26).

    Parameters
    ----------
    d
        A date.
    start_month
        The month funding years start in.

    Returns
    -------
    int
        The starting calendar year.
    """
    return d.year if d.month >= start_month else d.year - 1


def funding_year_start(d: date, start_month: int = FY_START_MONTH) -> date:
    """The first day of the funding year ``d`` falls in (1 April by default).

    Parameters
    ----------
    d
        A date.
    start_month
        The month funding years start in.

    Returns
    -------
    datetime.date
        The funding year's first day.
    """
    return date(funding_year(d, start_month), start_month, 1)

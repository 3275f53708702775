"""Default time-of-week profiles per crime type (``planner/config/time_profiles.csv``).

Month-only data (police.uk) has no time of day: analyses that need one use these documented,
assumed profiles, or a profile measured from a force's timestamped records
(:func:`measured_profile`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from planner.paths import CONFIG
from planner.schema import CRIME_TYPES


@lru_cache(maxsize=1)
def default_profiles() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return the default time profiles per crime type.

    Returns
    -------
    dict
        crime_type -> (weekday shares Mon..Sun (7), hour shares 00..23 (24)); each sums to 1.
    """
    df = pd.read_csv(CONFIG / "time_profiles.csv", comment="#")
    out = {}
    for t in CRIME_TYPES:
        d = (
            df[(df.crime_type == t) & (df.dim == "dow")]
            .iloc[0][[f"v{i}" for i in range(7)]]
            .to_numpy(float)
        )
        h = (
            df[(df.crime_type == t) & (df.dim == "hour")]
            .iloc[0][[f"v{i}" for i in range(24)]]
            .to_numpy(float)
        )
        out[t] = (d / d.sum(), h / h.sum())
    return out


def week_profile(crime_type: str) -> np.ndarray:
    """Return the 7 x 24 matrix of shares (sums to 1) for a crime type, from the default profiles.

    Parameters
    ----------
    crime_type : str
        A police.uk crime type with a default profile.

    Returns
    -------
    numpy.ndarray
        Weekday (Monday first) x hour shares.
    """
    d, h = default_profiles()[crime_type]
    return np.outer(d, h)


def measured_profile(occurred_at: pd.Series, weights=None) -> np.ndarray:
    """Measure the 7 x 24 matrix of (weighted) shares from timestamps; NaT ignored.

    Parameters
    ----------
    occurred_at : pandas.Series
        Timestamps (read in their own, local, time).
    weights : array_like, optional
        Per-record weights (e.g. harm); default 1.

    Returns
    -------
    numpy.ndarray
        Weekday (Monday first) x hour shares, all zero without timestamps.

    Examples
    --------
    >>> import pandas as pd
    >>> p = measured_profile(pd.Series(pd.to_datetime(["2025-12-01 21:30"]).tz_localize("Europe/London")))
    >>> int(p.argmax()) // 24, int(p.argmax()) % 24, float(p.sum())
    (0, 21, 1.0)
    """
    t = pd.Series(occurred_at)
    ok = t.notna().to_numpy()
    w = np.ones(len(t)) if weights is None else np.asarray(weights, float)
    m = np.zeros((7, 24))
    np.add.at(m, (t[ok].dt.day_of_week.to_numpy(), t[ok].dt.hour.to_numpy()), w[ok])
    s = m.sum()
    return m / s if s > 0 else m

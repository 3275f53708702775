"""Crimes and harm per month inside one polygon (a TGP's trend), from crime points."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely


def monthly_in_polygon(
    polygon,
    x: np.ndarray,
    y: np.ndarray,
    month: np.ndarray,
    months: Sequence[str],
    harm: np.ndarray | None = None,
) -> pd.DataFrame:
    """Crimes and harm per month of the points inside ``polygon``.

    Parameters
    ----------
    polygon : shapely geometry
        The area (e.g. a TGP), in the points' CRS. Points on its boundary do not count.
    x, y : array
        Point coordinates.
    month : array of int
        Each point's position in ``months`` (0-based); negative for no month (not counted).
    months : sequence of str
        The months (YYYY-MM) of the result, in order.
    harm : array, optional
        A harm weight per point (zeros when None).

    Returns
    -------
    pandas.DataFrame
        ``month, crimes, harm``: one row per entry of ``months``.

    Examples
    --------
    >>> sq = shapely.box(0, 0, 10, 10)
    >>> monthly_in_polygon(sq, [1, 2, 20], [1, 2, 2], [0, 1, 1], ["2025-01", "2025-02"])
         month  crimes  harm
    0  2025-01       1   0.0
    1  2025-02       1   0.0
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    month = np.asarray(month, dtype="int64")
    h = np.zeros(len(x)) if harm is None else np.asarray(harm, dtype="float64")
    n = len(months)
    x0, y0, x1, y1 = polygon.bounds
    cand = np.flatnonzero(
        (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & (month >= 0) & (month < n)
    )
    inside = cand[shapely.contains_xy(polygon, x[cand], y[cand])]
    pos = month[inside]
    return pd.DataFrame(
        {
            "month": list(months),
            "crimes": np.bincount(pos, minlength=n).astype("int64"),
            "harm": np.bincount(pos, weights=h[inside], minlength=n).astype("float64"),
        }
    )

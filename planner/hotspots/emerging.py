"""Emerging hotspot analysis: Gi* per time step, a Mann-Kendall trend, Esri's 17 categories.

Each cell gets a Gi* z-score per time step (weekly or monthly; spatial neighbours, corrected
for multiple testing within each step), and a Mann-Kendall test on its series of z-scores
(the "intensity of clustering"). The categories and their rules are Esri's ("How Emerging
Hot Spot Analysis works", ArcGIS Pro). ``share`` is Esri's 90% rule; "hot" means a
significant positive Gi* in a step, "cold" a significant negative one:

========================  ====================================================================
New Hot Spot              hot in the final step and never hot before
Consecutive Hot Spot      a single uninterrupted run of >= 2 hot steps ending with the final
                          step, never hot before the run, hot in < 90% of steps
Intensifying Hot Spot     hot in >= 90% of steps including the final; z rising significantly
Persistent Hot Spot       hot in >= 90% of steps including the final; no significant trend
Diminishing Hot Spot      hot in >= 90% of steps including the final; z falling significantly
Sporadic Hot Spot         hot in the final step, hot before it with gaps, < 90% hot, never cold
Oscillating Hot Spot      hot in the final step, cold in some earlier step, < 90% hot
Historical Hot Spot       not hot in the final step, hot in >= 90% of steps
(the eight cold categories mirror these with hot and cold, rising and falling swapped)
No Pattern Detected       none of the above
========================  ====================================================================

Precedence where Esri's prose leaves overlaps: the 90% categories first, then Oscillating
(any earlier step of the opposite sign), then New / Consecutive, then Sporadic. No Python
library offers the categories (PySAL esda issue 221); every rule is tested on a constructed
series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.hotspots.config import EmergingConfig
from planner.hotspots.gistar import adjust, gistar_z, two_sided_p

HOT_CATEGORIES = (
    "New",
    "Consecutive",
    "Intensifying",
    "Persistent",
    "Diminishing",
    "Sporadic",
    "Oscillating",
    "Historical",
)
#: the 17 categories in Esri's order
CATEGORIES: tuple[str, ...] = (
    *(f"{c} Hot Spot" for c in HOT_CATEGORIES),
    *(f"{c} Cold Spot" for c in HOT_CATEGORIES),
    "No Pattern Detected",
)


@dataclass
class MannKendall:
    """Mann-Kendall trend test per row: statistic ``s``, variance, ``z`` and two-sided ``p``."""

    s: np.ndarray
    var: np.ndarray
    z: np.ndarray
    p: np.ndarray

    def trend(self, alpha: float = 0.05) -> np.ndarray:
        """Classify each row's trend: +1 significant increase, -1 significant decrease, 0 none.

        Parameters
        ----------
        alpha : float
            Significance level of the two-sided test.

        Returns
        -------
        numpy.ndarray
            int8, one per row.
        """
        return np.where(self.p < alpha, np.sign(self.z), 0).astype(np.int8)


def mann_kendall(x: np.ndarray, *, continuity: bool = True, chunk: int = 20000) -> MannKendall:
    """Mann-Kendall test for each row of ``x`` (rows x time steps), vectorised over rows.

    ``S = sum_{i<j} sign(x_j - x_i)``; ``Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18``
    with the tie correction over groups of equal values; ``z = (S - sign(S)) / sqrt(Var)``
    with the continuity correction (as ``pymannkendall.original_test``), ``S / sqrt(Var)``
    without it (as ``scipy.stats.kendalltau`` against time).

    Parameters
    ----------
    x : numpy.ndarray
        Series per row (a 1-D array is one row).
    continuity : bool
        Apply the continuity correction.
    chunk : int
        Rows per block in the tie count (bounds memory).

    Returns
    -------
    MannKendall
        ``s``, ``var``, ``z`` and two-sided ``p`` per row.

    Examples
    --------
    >>> import numpy as np
    >>> mk = mann_kendall(np.array([[1.0, 2, 3, 4, 5], [5.0, 4, 3, 2, 1], [1.0, 1, 1, 1, 1]]))
    >>> mk.s.tolist(), mk.trend().tolist()
    ([10.0, -10.0, 0.0], [1, -1, 0])
    """
    x = np.atleast_2d(np.asarray(x, dtype="float64"))
    m, n = x.shape
    s = np.zeros(m)
    for k in range(1, n):  # loop over lags (time steps), vectorised over rows
        s += np.sign(x[:, k:] - x[:, :-k]).sum(axis=1)
    ties = np.zeros(m)
    for a in range(0, m, chunk):  # group size of each value, chunked to bound memory
        b = x[a : a + chunk]
        t = (b[:, :, None] == b[:, None, :]).sum(axis=2).astype("float64")
        ties[a : a + chunk] = ((t - 1) * (2 * t + 5)).sum(axis=1)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    num = s - np.sign(s) if continuity else s
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, num / np.sqrt(var), 0.0)
    p = two_sided_p(z)
    return MannKendall(s=s, var=var, z=z, p=p)


def classify(
    hot: np.ndarray, cold: np.ndarray, trend: np.ndarray, share: float = 0.9
) -> np.ndarray:
    """Esri emerging hotspot category per row (see the module table).

    Parameters
    ----------
    hot, cold : numpy.ndarray
        Boolean (rows x steps): significant hot or cold at each step.
    trend : numpy.ndarray
        Mann-Kendall trend of the z-scores per row (+1, -1 or 0).
    share : float
        Share of steps that makes a spot persistent, intensifying, diminishing or historical.

    Returns
    -------
    numpy.ndarray
        Category names (object array), "No Pattern Detected" when none applies.

    Examples
    --------
    >>> import numpy as np
    >>> hot = np.array([[False] * 9 + [True], [True] * 10])
    >>> classify(hot, np.zeros_like(hot), np.array([0, 1])).tolist()
    ['New Hot Spot', 'Intensifying Hot Spot']
    """
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    trend = np.asarray(trend)
    out = np.full(hot.shape[0], "No Pattern Detected", dtype=object)
    # cold first so that hot labels win if both were ever true (they cannot be: z sign)
    for label, a, b, sgn in (("Cold", cold, hot, -1), ("Hot", hot, cold, +1)):
        out = _classify_one(out, label, a, b, trend * sgn, share)
    return out


def _classify_one(out, label, a, b, rising, share) -> np.ndarray:
    n = a.shape[1]
    final = a[:, -1]
    frac = a.sum(axis=1) / n
    many = frac >= share
    # length of the run of `a` ending at the final step
    not_a = ~a
    last_gap = np.where(not_a.any(axis=1), n - 1 - np.argmax(not_a[:, ::-1], axis=1), -1)
    run = n - 1 - last_gap
    before_run = np.arange(n)[None, :] < (n - run)[:, None]
    a_before_run = (a & before_run).any(axis=1)
    b_before = b[:, :-1].any(axis=1)
    cat = np.full(a.shape[0], "", dtype=object)
    cat = np.where(final & many & (rising > 0), f"Intensifying {label} Spot", cat)
    cat = np.where(final & many & (rising < 0), f"Diminishing {label} Spot", cat)
    cat = np.where(final & many & (rising == 0), f"Persistent {label} Spot", cat)
    rest = final & ~many
    cat = np.where(rest & b_before, f"Oscillating {label} Spot", cat)
    rest &= ~b_before
    cat = np.where(rest & ~a_before_run & (run == 1), f"New {label} Spot", cat)
    cat = np.where(rest & ~a_before_run & (run >= 2), f"Consecutive {label} Spot", cat)
    cat = np.where(rest & a_before_run, f"Sporadic {label} Spot", cat)
    cat = np.where(~final & many, f"Historical {label} Spot", cat)
    return np.where(cat != "", cat, out)


def emerging_hotspots(
    grid,
    crimes: pd.DataFrame,
    *,
    freq: str = "month",
    types=None,
    config: EmergingConfig | None = None,
    neighbours: str = "queen",
    distance: float | None = None,
) -> pd.DataFrame:
    """Emerging hotspot categories per cell of ``grid`` from a canonical crime table.

    Parameters
    ----------
    grid : Grid
        The cells (:class:`~planner.hotspots.grid.Grid`).
    crimes : pandas.DataFrame
        A canonical crime table.
    freq : str
        ``"month"`` (from the ``month`` column) or ``"week"`` (from ``occurred_at``, weeks
        starting Monday).
    types : iterable of str, optional
        Crime types to count; default all.
    config : EmergingConfig, optional
        Significance levels, correction and the persistence share.
    neighbours : str
        Neighbour rule for Gi*: ``"queen"`` or ``"distance"``.
    distance : float, optional
        Distance band in metres for ``neighbours="distance"``.

    Returns
    -------
    pandas.DataFrame
        One row per kept cell: ``category``, ``trend_z``, ``trend_p``, ``n_hot``, ``n_cold``,
        ``final_z``, ``steps``.

    Raises
    ------
    PlannerError
        With no crimes, weekly steps without timestamps, or an unknown step.
    """
    from planner.hotspots.grid import filter_crimes, month_steps, xy

    config = config or EmergingConfig()
    c = filter_crimes(crimes, types)
    if len(c) == 0:
        raise PlannerError("no crimes to analyse for emerging hotspots")
    if freq == "month":
        t, steps = month_steps(c["month"])
    elif freq == "week":
        occ = c["occurred_at"]
        if occ.isna().any():
            raise PlannerError(
                "weekly steps need occurred_at on every record (police.uk data has months only; use month)"
            )
        days = (
            occ.dt.tz_localize(None).dt.normalize() - pd.Timestamp("1970-01-05")
        ).dt.days.to_numpy()
        wk = days // 7  # weeks starting Monday
        t = (wk - wk.min()).astype(np.int64)
        steps = [
            str((pd.Timestamp("1970-01-05") + pd.Timedelta(weeks=int(k))).date())
            for k in range(int(wk.min()), int(wk.max()) + 1)
        ]
    else:
        raise PlannerError(f"unknown time step '{freq}'; use month or week")
    x, y = xy(c)
    pos = grid.locate(x, y)
    ok = pos >= 0
    cube = (
        np.bincount(pos[ok] * len(steps) + t[ok], minlength=grid.n * len(steps))
        .reshape(grid.n, len(steps))
        .astype("float64")
    )
    return emerging_from_cube(cube, grid.neighbours(neighbours, distance), config, steps=steps)


def emerging_from_cube(
    cube: np.ndarray, w, config: EmergingConfig | None = None, steps=None
) -> pd.DataFrame:
    """Emerging hotspot categories from a (cells x steps) array of counts.

    Parameters
    ----------
    cube : numpy.ndarray
        Counts, cells x time steps.
    w : scipy.sparse.spmatrix
        Binary weights between the cells, self included.
    config : EmergingConfig, optional
        Significance levels, correction and the persistence share.
    steps : list, optional
        Step labels (only their number is reported).

    Returns
    -------
    pandas.DataFrame
        As :func:`emerging_hotspots`.
    """
    config = config or EmergingConfig()
    z = gistar_z(cube, w)
    p = two_sided_p(z)
    q = np.column_stack([adjust(p[:, j], config.correction) for j in range(p.shape[1])])
    hot = (z > 0) & (q < config.alpha)
    cold = (z < 0) & (q < config.alpha)
    mk = mann_kendall(z)
    cat = classify(hot, cold, mk.trend(config.trend_alpha), config.share)
    return pd.DataFrame(
        {
            "category": pd.Series(cat, dtype="string"),
            "trend_z": mk.z,
            "trend_p": mk.p,
            "n_hot": hot.sum(axis=1),
            "n_cold": cold.sum(axis=1),
            "final_z": z[:, -1],
            "steps": len(steps) if steps is not None else cube.shape[1],
        }
    )

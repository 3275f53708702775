"""Out-of-sample evaluation: a rolling-origin backtest of hotspot methods on a grid.

At each origin the methods are fitted on the ``train_months`` before it and scored on the
``test_months`` from it. Each method ranks the cells; the top-ranked cells are flagged until
their (clipped) area reaches the area share. Measures (Chainey; Hunt; Levine):

* ``hit_rate`` = share of the test crimes inside the flagged cells;
* ``pai`` = hit rate / flagged area share; ``harm_pai`` the same with harm;
* ``pei`` = PAI / the best PAI any choice of cells of the same area could reach on the test
  data (the test period's own top cells);
* ``rri`` = predicted / observed: the share of the training crimes in the flagged cells over
  the share of the test crimes in them (above 1: the hotspots captured less in the test
  period than in training, regression to the mean). Levine's recapture rate index is its inverse.

Methods: ``counts`` (the whole training window), ``counts_recent`` (its last
``recent_months``), ``kde`` (quartic KDE of the training points), ``gistar`` (Gi* z of the
training counts, queen neighbours) and ``prospective`` (:mod:`planner.hotspots.prospective`).
The recommended method is the one with the highest mean PAI; by construction it never scores
below ``counts``, and ``counts`` wins ties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.hotspots.config import BacktestConfig, KDEConfig
from planner.hotspots.grid import Grid, filter_crimes, month_steps, xy

MEASURES = ("hit_rate", "pai", "harm_pai", "pei", "rri")


@dataclass
class Cube:
    """Per-month crime counts and harm on a grid: arrays (months x cells) plus point data."""

    months: list[str]
    counts: np.ndarray
    harm: np.ndarray
    t: np.ndarray = field(repr=False)
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    w: np.ndarray = field(repr=False)


def build_cube(grid: Grid, crimes: pd.DataFrame, types=None) -> Cube:
    """Count crimes and harm per month and cell (gap-free month range).

    Parameters
    ----------
    grid : Grid
        The cells.
    crimes : pandas.DataFrame
        A canonical crime table.
    types : iterable of str, optional
        Crime types to count; default all.

    Returns
    -------
    Cube
        ``counts`` and ``harm`` (months x cells) and the points that fell in a cell.

    Raises
    ------
    PlannerError
        When no crime is left to evaluate.
    """
    c = filter_crimes(crimes, types)
    if len(c) == 0:
        raise PlannerError("no crimes to evaluate")
    t, months = month_steps(c["month"])
    x, y = xy(c)
    pos = grid.locate(x, y)
    ok = pos >= 0
    T = len(months)
    h = c["harm"].to_numpy(dtype="float64", na_value=0.0)
    idx = t[ok] * grid.n + pos[ok]
    counts = np.bincount(idx, minlength=T * grid.n).reshape(T, grid.n).astype("float64")
    harm = np.bincount(idx, weights=h[ok], minlength=T * grid.n).reshape(T, grid.n)
    return Cube(months, counts, harm, t[ok], x[ok], y[ok], h[ok])


def rank_cells(score: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Order the cells best first (ties broken by ``tiebreak``, then by cell order).

    Parameters
    ----------
    score : numpy.ndarray
        Higher is better.
    tiebreak : numpy.ndarray, optional
        Second key, higher is better.

    Returns
    -------
    numpy.ndarray
        Cell positions, best first.

    Examples
    --------
    >>> import numpy as np
    >>> rank_cells(np.array([1.0, 3.0, 3.0, 2.0]), tiebreak=np.array([0, 0, 5, 0])).tolist()
    [2, 1, 3, 0]
    """
    keys = (np.arange(len(score)),) + ((-tiebreak,) if tiebreak is not None else ()) + (-score,)
    return np.lexsort(keys)


def n_within(order: np.ndarray, area: np.ndarray, share) -> np.ndarray | int:
    """Count how many of the best cells fit in ``share`` of the total area.

    Parameters
    ----------
    order : numpy.ndarray
        Cell positions, best first (:func:`rank_cells`).
    area : numpy.ndarray
        Cell areas.
    share : float or numpy.ndarray
        Share(s) of the total area.

    Returns
    -------
    int or numpy.ndarray
        Number of cells per share.
    """
    cum = np.cumsum(area[order])
    return np.searchsorted(cum, np.asarray(share) * area.sum() * (1 + 1e-12), side="right")


def flag_top(
    score: np.ndarray, area: np.ndarray, share: float, tiebreak: np.ndarray | None = None
) -> np.ndarray:
    """Flag the best-scoring cells whose cumulative area stays within ``share`` of the total.

    Parameters
    ----------
    score : numpy.ndarray
        Higher is better.
    area : numpy.ndarray
        Cell areas.
    share : float
        Share of the total area to flag.
    tiebreak : numpy.ndarray, optional
        Second key (then cell order).

    Returns
    -------
    numpy.ndarray
        Boolean mask, one per cell.

    Examples
    --------
    >>> import numpy as np
    >>> flag_top(np.array([5.0, 1.0, 9.0, 2.0]), np.ones(4), 0.5).tolist()
    [True, False, True, False]
    """
    order = rank_cells(score, tiebreak)
    k = int(n_within(order, area, share))
    mask = np.zeros(len(score), dtype=bool)
    mask[order[:k]] = True
    return mask


def measures(
    mask: np.ndarray, area: np.ndarray, train: np.ndarray, test: np.ndarray, test_harm: np.ndarray
) -> dict[str, float]:
    """Compute the hit rate, PAI, harm-PAI, PEI and RRI of a flagged mask.

    See the module docstring for the definitions.

    Parameters
    ----------
    mask : numpy.ndarray
        Flagged cells.
    area : numpy.ndarray
        Cell areas.
    train : numpy.ndarray
        Training-window counts per cell.
    test : numpy.ndarray
        Test-window counts per cell.
    test_harm : numpy.ndarray
        Test-window harm per cell.

    Returns
    -------
    dict of str to float
        ``hit_rate``, ``pai``, ``harm_pai``, ``pei``, ``rri`` and ``area_share`` (NaN where
        undefined).

    Examples
    --------
    >>> import numpy as np
    >>> m = measures(np.array([True, False]), np.ones(2), np.array([4.0, 4.0]),
    ...              np.array([3.0, 1.0]), np.array([3.0, 1.0]))
    >>> m["hit_rate"], m["pai"], m["pei"]
    (0.75, 1.5, 1.0)
    """
    a = area[mask].sum() / area.sum()
    n_test = test.sum()
    hit = test[mask].sum() / n_test if n_test else np.nan
    hh = test_harm[mask].sum() / test_harm.sum() if test_harm.sum() else np.nan
    best = flag_top(test, area, a)
    best_hit = test[best].sum() / n_test if n_test else np.nan
    best_a = area[best].sum() / area.sum()
    pai = hit / a if a else np.nan
    best_pai = best_hit / best_a if best_a else np.nan
    tr = train[mask].sum() / train.sum() if train.sum() else np.nan
    return {
        "hit_rate": float(hit),
        "pai": float(pai),
        "harm_pai": float(hh / a) if a else float("nan"),
        "pei": float(pai / best_pai) if best_pai else float("nan"),
        "rri": float(tr / hit) if hit else float("nan"),
        "area_share": float(a),
    }


def method_scores(
    name: str, grid: Grid, cube: Cube, lo: int, hi: int, config: BacktestConfig, cache: dict
) -> np.ndarray:
    """Score each cell for method ``name`` fitted on months ``[lo, hi)`` of ``cube``.

    Parameters
    ----------
    name : str
        A method of :class:`BacktestConfig`: ``counts``, ``counts_recent``, ``kde``, ``gistar``
        or ``prospective``.
    grid : Grid
        The cells.
    cube : Cube
        Monthly counts per cell.
    lo, hi : int
        Training months (start inclusive, end exclusive).
    config : BacktestConfig
        Method settings.
    cache : dict
        Reused between calls (e.g. the prospective kernel).

    Returns
    -------
    numpy.ndarray
        One score per cell, higher is hotter.
    """
    train = cube.counts[lo:hi]
    long = train.sum(axis=0)
    if name == "counts":
        return long
    if name == "counts_recent":
        return train[-config.recent_months :].sum(axis=0)
    if name == "kde":
        from planner.hotspots.kde import kde_grid

        m = (cube.t >= lo) & (cube.t < hi)
        return kde_grid(
            grid, cube.x[m], cube.y[m], config=KDEConfig(bandwidth_cells=config.kde_bandwidth_cells)
        )
    if name == "gistar":
        from planner.hotspots.gistar import gistar_z

        if "w" not in cache:
            cache["w"] = grid.neighbours("queen")
        return gistar_z(long, cache["w"])
    if name == "prospective":
        from planner.hotspots.prospective import prospective_scores, space_kernel

        if "k" not in cache:
            cache["k"] = space_kernel(grid, config.prospective_cells)
        return prospective_scores(
            grid, train, config.prospective_cells, config.prospective_months, cache["k"]
        )
    raise PlannerError(
        f"unknown method '{name}'; use one of counts, counts_recent, kde, gistar, prospective"
    )


@dataclass
class BacktestResult:
    """Per-origin rows, method means, the hit-rate curve and the recommended method."""

    rows: pd.DataFrame
    methods: dict[str, dict[str, float]]
    curve: pd.DataFrame
    recommended: str
    origins: list[str]

    def to_dict(self) -> dict:
        """Return the method means, the recommendation and the origins (the JSON output).

        Returns
        -------
        dict
            ``methods``, ``recommended`` and ``origins``.
        """
        return {"methods": self.methods, "recommended": self.recommended, "origins": self.origins}


def backtest(
    grid: Grid,
    crimes: pd.DataFrame,
    *,
    train_months: int = 12,
    test_months: int = 3,
    area_share: float = 0.022,
    config: BacktestConfig | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of the hotspot methods (see the module docstring).

    Parameters
    ----------
    grid : Grid
        The cells.
    crimes : pandas.DataFrame
        A canonical crime table covering the training and test windows.
    train_months, test_months : int
        Window lengths in months.
    area_share : float
        Share of the area each method flags (WMP's TGPs cover 2.2%).
    config : BacktestConfig, optional
        Methods, origin spacing and the hit-rate curve.

    Returns
    -------
    BacktestResult
        Per-origin rows, method means, the curve and the recommended method.

    Raises
    ------
    PlannerError
        When the data cannot hold one training and test window.
    """
    config = config or BacktestConfig()
    cube = build_cube(grid, crimes, config.types)
    T = len(cube.months)
    if train_months < 1 or test_months < 1:
        raise PlannerError("train and test windows must be at least one month")
    first, last = train_months, T - test_months
    if last < first:
        raise PlannerError(
            f"{T} months of data cannot hold {train_months} training + {test_months} test months"
        )
    origins = list(range(first, last + 1, max(1, config.step_months)))
    if config.n_origins and len(origins) > config.n_origins:
        pick = np.unique(np.linspace(0, len(origins) - 1, config.n_origins).round().astype(int))
        origins = [origins[i] for i in pick]
    shares = np.linspace(0, config.curve_max, config.curve_steps + 1)[1:]
    rows, curve = [], []
    cache: dict = {}
    for o in origins:  # loop over origins (a handful), vectorised over cells
        train = cube.counts[o - train_months : o].sum(axis=0)
        test = cube.counts[o : o + test_months].sum(axis=0)
        test_h = cube.harm[o : o + test_months].sum(axis=0)
        for name in config.methods:
            s = method_scores(name, grid, cube, o - train_months, o, config, cache)
            order = rank_cells(s, train)
            mask = np.zeros(grid.n, dtype=bool)
            mask[order[: int(n_within(order, grid.area, area_share))]] = True
            rows.append(
                {
                    "origin": cube.months[o],
                    "method": name,
                    **measures(mask, grid.area, train, test, test_h),
                }
            )
            hits = np.concatenate([[0.0], np.cumsum(test[order])])[
                n_within(order, grid.area, shares)
            ]
            for sh, hv in zip(shares, hits):
                curve.append(
                    {
                        "origin": cube.months[o],
                        "method": name,
                        "area_share": float(sh),
                        "hit_rate": float(hv / max(test.sum(), 1)),
                    }
                )
    table = pd.DataFrame(rows)
    means = table.groupby("method", sort=False)[list(MEASURES)].mean()
    methods = {
        m: dict(zip(MEASURES, means.loc[m, list(MEASURES)].to_numpy(dtype="float64").tolist()))
        for m in config.methods
    }
    best = max(config.methods, key=lambda m: (methods[m]["pai"], m == "counts"))
    if "counts" in methods and methods[best]["pai"] <= methods["counts"]["pai"]:
        best = "counts"
    curve_table = (
        pd.DataFrame(curve)
        .groupby(["method", "area_share"], sort=False)["hit_rate"]
        .mean()
        .reset_index()
    )
    return BacktestResult(
        rows=table,
        methods=methods,
        curve=curve_table,
        recommended=best,
        origins=[cube.months[o] for o in origins],
    )

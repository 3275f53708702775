"""How concentrated crime is: the offences in the busiest cells on a share of the force.

How concentrated crime is: the share of offences in the busiest cells covering a given share
of the force area, per crime type (the calibration measure of the demo series, ``docs/demo.md``).

Cells are ranked by their count (ties by lattice order); the top cells are taken until their
(clipped) area reaches ``share`` of the force area, the cell that crosses the line counted by
the fraction of its area that fits (so the measure is exact at any share).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: the area shares the table reports by default (0.5%, 1%, the TGP programme's 2.2%)
SHARES = (0.005, 0.01, 0.022)


def top_share(counts: np.ndarray, areas: np.ndarray, total_area: float, share: float) -> float:
    """Share of ``counts.sum()`` in the busiest cells covering ``share`` of ``total_area``.

    Parameters
    ----------
    counts : per-cell counts.
    areas : per-cell areas (m2), same order.
    total_area : area the share is of (m2).
    share : area share (0-1).

    Returns
    -------
    float (nan when there are no offences).
    """
    tot = float(counts.sum())
    if tot <= 0:
        return float("nan")
    order = np.lexsort((np.arange(len(counts)), -counts))
    c, a = counts[order].astype("float64"), areas[order].astype("float64")
    cum = np.cumsum(a)
    limit = share * total_area
    k = int(np.searchsorted(cum, limit, side="right"))
    held = c[:k].sum()
    if k < len(c):
        prev = cum[k - 1] if k else 0.0
        held += c[k] * (limit - prev) / a[k] if a[k] > 0 else 0.0
    return float(held / tot)


def concentration_table(
    crimes,
    boundary,
    *,
    cell: float = 100.0,
    shares: tuple[float, ...] = SHARES,
    types: tuple[str, ...] | None = None,
    month: str | None = None,
) -> pd.DataFrame:
    """Per crime type (and ``All``): offences and their share in the busiest cells.

    Per crime type (and ``All``): offences and the share of them in the busiest 100 m cells
    covering each of ``shares`` of the force.

    Parameters
    ----------
    crimes : canonical crime table (EPSG:27700).
    boundary : force polygon.
    cell : grid cell (m).
    shares : area shares.
    types : crime types (default: those present, by count).
    month : one month ("YYYY-MM"), default all.

    Returns
    -------
    DataFrame with ``crime_type``, ``offences`` and one ``top_<share>%`` column per share.
    """
    from planner.hotspots.grid import filter_crimes, make_grid, xy

    grid = make_grid(boundary, cell)
    c = filter_crimes(crimes, None, month, month)
    if types is None:
        types = tuple(c["crime_type"].astype(str).value_counts().index)
    rows = []
    x, y = xy(c)
    ct = c["crime_type"].astype(str).to_numpy()
    for t in ("All", *types):
        m = np.ones(len(c), bool) if t == "All" else ct == t
        counts = grid.aggregate(x[m], y[m])
        row = {"crime_type": t, "offences": int(counts.sum())}
        for s in shares:
            row[f"top_{100 * s:g}%"] = top_share(counts, grid.area, grid.total_area, s)
        rows.append(row)
    return pd.DataFrame(rows)


def matched_comparison(
    real,
    synthetic,
    boundary,
    *,
    seed: int = 0,
    cell: float = 100.0,
    shares: tuple[float, ...] = SHARES,
) -> pd.DataFrame:
    """The concentration table of two crime tables side by side at equal volumes.

    The concentration table of two crime tables side by side at equal volumes: for each
    crime type, both are cut (uniformly at random without replacement, ``seed``) to the
    smaller of their two counts, because a sparser month looks more concentrated.

    Parameters
    ----------
    real, synthetic : canonical crime tables (one month each, typically).
    boundary : force polygon.
    seed : random stream of the cuts.
    cell, shares : as :func:`concentration_table`.

    Returns
    -------
    DataFrame: ``crime_type``, ``offences`` (the matched count), and per share
    ``real_top_<s>%`` and ``synthetic_top_<s>%``; the ``All`` row sums the cut tables.
    """
    rng = np.random.default_rng(seed)
    rt = real["crime_type"].astype(str).to_numpy()
    st = synthetic["crime_type"].astype(str).to_numpy()
    types = [t for t in pd.Series(rt).value_counts().index if (st == t).any()]
    ri, si = [], []
    for t in types:
        ia, ib = np.flatnonzero(rt == t), np.flatnonzero(st == t)
        n = min(len(ia), len(ib))
        ri.append(np.sort(rng.choice(ia, n, replace=False)))
        si.append(np.sort(rng.choice(ib, n, replace=False)))
    r = real.iloc[np.concatenate(ri)]
    s = synthetic.iloc[np.concatenate(si)]
    a = concentration_table(r, boundary, cell=cell, shares=shares, types=tuple(types))
    b = concentration_table(s, boundary, cell=cell, shares=shares, types=tuple(types))
    out = a[["crime_type", "offences"]].copy()
    for c in a.columns[2:]:
        out[f"real_{c}"] = a[c].to_numpy()
        out[f"synthetic_{c}"] = b[c].to_numpy()
    return out

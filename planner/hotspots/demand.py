"""Calls for service as an optional demand layer for hotspots and TGPs.

A force imports its calls (``planner import calls CALLS.csv --workspace DIR``: call_id, time,
category, optional priority, x/y in EPSG:27700 or longitude/latitude). Then:

* ``planner hotspots --workspace DIR --demand calls`` adds per cell ``calls`` (calls received in
  the window) and ``demand`` = the crime count (or harm with ``--weight harm``) + ``W`` x calls
  (``--demand-weight W``, default 1). With ``--method kde|gistar`` the surface is either drawn on
  crimes and calls together, each call weighing ``W`` (``--demand-mode weighted``, the default),
  or a second surface is drawn on the calls alone beside the crime surface (``--demand-mode
  separate``: columns ``calls_kde`` or ``calls_gi_z``/``calls_hot``).
* ``planner tgps --workspace DIR --demand calls`` reports the calls each TGP holds and the share
  of the force's calls the layer holds over the derivation window. Under the Op Savvy rules
  (the default) the TGPs are still chosen on crimes alone (eligibility is defined on crimes);
  with ``--rules none`` the calls enter the objective: the areas maximise relevant offences
  (or their harm, ``--rank-by harm``) + ``W`` x calls held (:class:`DemandPoints`).

A call's month is the local (Europe/London) month of its time, so ``--start/--end`` select
calls and crimes alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.errors import PlannerError

#: demand layers ``--demand`` accepts
DEMAND_LAYERS: tuple[str, ...] = ("calls",)
DEMAND_MODES: tuple[str, ...] = ("weighted", "separate")


def workspace_calls(ws, start: str | None = None, end: str | None = None) -> gpd.GeoDataFrame:
    """The workspace's calls for service in a month range, with their ``month``.

    Parameters
    ----------
    ws
        The workspace (:class:`planner.workspace.Workspace`).
    start, end
        First and last month "YYYY-MM" (inclusive); default open.

    Returns
    -------
    geopandas.GeoDataFrame
        The calls (EPSG:27700 points) with ``month`` added.
    """
    if not ws.has_table("calls"):
        from planner.ownforce.tables import import_command

        raise PlannerError(
            f"workspace {ws.root} has no calls for service; fill it with "
            f"`{import_command('calls', str(ws.root))}`"
        )
    calls = gpd.GeoDataFrame(ws.read_table("calls"))
    return in_window(calls, start, end)


def in_window(calls: gpd.GeoDataFrame, start: str | None, end: str | None) -> gpd.GeoDataFrame:
    """Calls whose local month lies in ``[start, end]``, with a ``month`` column.

    Parameters
    ----------
    calls
        Calls with a tz-aware ``time``.
    start, end
        First and last month "YYYY-MM" (inclusive); None = open.

    Returns
    -------
    geopandas.GeoDataFrame
        The selected calls.
    """
    t = pd.to_datetime(calls["time"])
    if t.dt.tz is not None:
        t = t.dt.tz_convert("Europe/London")
    month = t.dt.strftime("%Y-%m")
    out = calls.assign(month=month.to_numpy())
    m = np.ones(len(out), dtype=bool)
    if start:
        m &= (month >= str(start)[:7]).to_numpy()
    if end:
        m &= (month <= str(end)[:7]).to_numpy()
    return out.loc[m]


def call_xy(calls: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Point coordinates of the calls.

    Parameters
    ----------
    calls
        Calls (EPSG:27700 points).

    Returns
    -------
    tuple of numpy.ndarray
        ``(x, y)``.
    """
    g = calls.geometry
    return g.x.to_numpy(dtype="float64"), g.y.to_numpy(dtype="float64")


def cell_calls(grid, calls: gpd.GeoDataFrame) -> np.ndarray:
    """Calls per kept cell of a grid (calls outside every cell are not counted).

    Parameters
    ----------
    grid
        :class:`planner.hotspots.grid.Grid`.
    calls
        Calls (EPSG:27700 points).

    Returns
    -------
    numpy.ndarray
        int64 count per cell.
    """
    x, y = call_xy(calls)
    pos = grid.locate(x, y)
    return np.bincount(pos[pos >= 0], minlength=grid.n).astype("int64")


def combined_points(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None,
    calls: gpd.GeoDataFrame,
    weight: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crime points and call points in one weighted set (a call weighs ``weight``).

    Parameters
    ----------
    x, y
        Crime coordinates.
    w
        Crime weights (harm), or None for 1 each.
    calls
        The calls.
    weight
        Weight of one call.

    Returns
    -------
    tuple of numpy.ndarray
        ``(x, y, weights)``: crimes first, then calls.
    """
    if weight < 0:
        raise PlannerError("--demand-weight must not be negative")
    cx, cy = call_xy(calls)
    cw = np.ones(len(x)) if w is None else np.asarray(w, dtype="float64")
    return np.r_[x, cx], np.r_[y, cy], np.r_[cw, np.full(len(cx), float(weight))]


@dataclass(frozen=True)
class DemandPoints:
    """Calls for service as weighted points for the ``--rules none`` TGP objective.

    ``x``/``y`` (EPSG:27700), ``month`` ("YYYY-MM", local) per call and the weight of one call
    against one offence (or one unit of harm under ``rank_by="harm"``). A plain value object:
    it pickles to a Dask worker with the rest of a derivation's inputs.
    """

    x: np.ndarray
    y: np.ndarray
    month: np.ndarray
    weight: float = 1.0

    @classmethod
    def from_calls(cls, calls: gpd.GeoDataFrame, weight: float = 1.0) -> DemandPoints:
        """The demand points of a calls table (as :func:`workspace_calls` returns it).

        Parameters
        ----------
        calls
            Calls with ``month`` and EPSG:27700 point geometry.
        weight
            Weight of one call; must not be negative.

        Returns
        -------
        DemandPoints
            The calls as points.
        """
        if weight < 0:
            raise PlannerError("--demand-weight must not be negative")
        x, y = call_xy(calls)
        return cls(x, y, calls["month"].astype(str).to_numpy(dtype=object), float(weight))

    def window(self, first: str, last: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The calls of months ``first``..``last`` (inclusive) as ``(x, y, weights)``.

        Parameters
        ----------
        first, last
            The derivation window's first and last month "YYYY-MM".

        Returns
        -------
        tuple of numpy.ndarray
            Coordinates and the weight of each call in the window.
        """
        m = (self.month >= first) & (self.month <= last)
        return self.x[m], self.y[m], np.full(int(m.sum()), self.weight)


@dataclass
class CallsHeld:
    """Calls inside each TGP and inside the layer.

    A call in two overlapping TGPs counts once for the layer.
    """

    by_tgp: pd.DataFrame
    summary: dict


def calls_held(tgps: gpd.GeoDataFrame, calls: gpd.GeoDataFrame, area=None) -> CallsHeld:
    """How many of the calls each TGP, and the whole layer, holds.

    Parameters
    ----------
    tgps
        TGP layer (``tgp_id``, EPSG:27700 polygons).
    calls
        Calls (EPSG:27700 points) of the window.
    area
        Force area: only calls inside it count towards the total (default: all calls).

    Returns
    -------
    CallsHeld
        ``by_tgp`` (tgp_id, calls) and ``summary`` (calls, calls_in_tgps, calls_share).
    """
    pts = calls.geometry.to_numpy()
    if area is not None and len(pts):
        shapely.prepare(area)
        pts = pts[shapely.contains(area, pts) | shapely.touches(area, pts)]
    polys = tgps.geometry.to_numpy()
    counts = np.zeros(len(polys), dtype=np.int64)
    inside = np.zeros(len(pts), dtype=bool)
    if len(pts) and len(polys):
        pi, ci = shapely.STRtree(pts).query(polys, predicate="covers")
        np.add.at(counts, pi, 1)
        inside[ci] = True
    n = int(len(pts))
    held = int(inside.sum())
    by = pd.DataFrame({"tgp_id": tgps["tgp_id"].astype(str).to_numpy(), "calls": counts})
    return CallsHeld(
        by_tgp=by,
        summary={
            "calls": n,
            "calls_in_tgps": held,
            "calls_share": held / n if n else None,
        },
    )

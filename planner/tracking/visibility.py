"""Visibility: the share of officers' duty time spent out in the community.

Per officer, all as unions of time intervals (nothing counted twice), within duty time:

* **custody**: custody episodes (booking in a prisoner, waiting at the custody suite);
* **investigation**: investigation episodes (interviews, CCTV, statements) not already custody;
* **station**: GPS time inside a station or custody-suite geofence (the ``stations`` layer)
  not already custody or investigation;
* **community** = duty - custody - investigation - station.

Time is attributed to the local calendar month it falls in (intervals are split at local
midnights). Officers' duty time with no GPS counts as community time unless an episode says
otherwise: the figure is an upper bound where GPS coverage is partial (stated in the summary).
Rolled up per officer, team, LPA and force.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.tracking.intervals import NS, TZ, Intervals, difference, split_days, union

CATEGORIES = ("custody", "investigation", "station")
#: the LPA label of officers without one (force-wide teams such as the Guardian Taskforce)
FORCE_WIDE = "force-wide"


def _sec(ts) -> np.ndarray:
    s = pd.Series(ts)
    if s.dt.tz is None:
        s = s.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
    return (
        s.dt.tz_convert("UTC")
        .astype("datetime64[ns, UTC]")
        .to_numpy(dtype="datetime64[ns]")
        .astype(np.int64)
        / NS
    )


def intersect(a: Intervals, b: Intervals) -> Intervals:
    """Per key, return the parts of ``a`` inside ``b``.

    Parameters
    ----------
    a, b : Intervals
        The intervals.

    Returns
    -------
    Intervals
        The intersection.
    """
    return difference(a, difference(a, b))


def _month_hours(iv: Intervals, tz: str) -> pd.DataFrame:
    """Hours per (key, month) of disjoint intervals."""
    if len(iv) == 0:
        return pd.DataFrame(
            {
                "key": pd.Series(dtype="int64"),
                "month": pd.Series(dtype="string"),
                "hours": pd.Series(dtype="float64"),
            }
        )
    row, day, lo, hi = split_days(iv.start, iv.end, tz)
    month = pd.DatetimeIndex(day).strftime("%Y-%m")
    df = pd.DataFrame({"key": iv.key[row], "month": month, "hours": (hi - lo) / 3600.0})
    return df.groupby(["key", "month"], as_index=False).agg(hours=("hours", "sum"))


def visibility(
    duty: pd.DataFrame,
    episodes: pd.DataFrame | None = None,
    station_time: pd.DataFrame | None = None,
    officers: pd.DataFrame | None = None,
    *,
    month: str | None = None,
    tz: str = TZ,
) -> pd.DataFrame:
    """Per officer and month: duty, custody, investigation, station and community hours.

    Parameters
    ----------
    duty : pandas.DataFrame
        ``officer_id, start, end`` duty periods.
    episodes : pandas.DataFrame, optional
        ``officer_id, start, end, kind`` with kind ``custody`` or ``investigation``.
    station_time : pandas.DataFrame, optional
        ``officer_id, start, end`` GPS time inside stations/custody suites.
    officers : pandas.DataFrame, optional
        ``officer_id, team_id, lpa`` to label the rows.
    month : str, optional
        Keep only this month ("YYYY-MM").
    tz : str
        Time zone of the months.

    Returns
    -------
    pandas.DataFrame
        One row per officer and month with the hours and ``community_share``.
    """
    ids = pd.Index(
        pd.unique(
            pd.concat(
                [duty["officer_id"].astype(str)]
                + ([] if episodes is None else [episodes["officer_id"].astype(str)])
                + ([] if station_time is None else [station_time["officer_id"].astype(str)])
            )
        )
    )

    def iv(df):
        return Intervals(
            ids.get_indexer(df["officer_id"].astype(str)).astype(np.int64),
            _sec(df["start"]),
            _sec(df["end"]),
        )

    d = union(iv(duty))
    taken = Intervals(np.empty(0, np.int64), np.empty(0), np.empty(0))
    parts = {"duty": d}
    for cat in CATEGORIES:
        if cat == "station":
            src = station_time
        else:
            src = None if episodes is None else episodes[episodes["kind"] == cat]
        if src is None or len(src) == 0:
            parts[cat] = Intervals(np.empty(0, np.int64), np.empty(0), np.empty(0))
            continue
        inside = intersect(union(iv(src)), d)
        own = difference(inside, taken) if len(taken) else inside
        parts[cat] = own
        taken = union(
            Intervals(
                np.r_[taken.key, own.key], np.r_[taken.start, own.start], np.r_[taken.end, own.end]
            )
        )
    parts["community"] = difference(d, taken) if len(taken) else d
    frames = []
    for name, v in parts.items():
        h = _month_hours(v, tz).rename(columns={"hours": f"{name}_hours"})
        frames.append(h.set_index(["key", "month"]))
    out = pd.concat(frames, axis=1).fillna(0.0).reset_index()
    out = out[out["duty_hours"] > 0]
    if month is not None:
        out = out[out["month"] == month]
    out.insert(0, "officer_id", pd.array(ids.to_numpy()[out.pop("key").to_numpy()], dtype="string"))
    if officers is not None:
        o = officers.drop_duplicates("officer_id").set_index("officer_id")
        out["team_id"] = out["officer_id"].map(o["team_id"]) if "team_id" in o else pd.NA
        out["lpa"] = (
            out["officer_id"].map(o["lpa"]).fillna(FORCE_WIDE) if "lpa" in o else FORCE_WIDE
        )
    else:  # no officers table (a force's own workspace before it imports one): force-wide rows
        out["team_id"] = pd.NA
        out["lpa"] = FORCE_WIDE
    out["community_share"] = out["community_hours"] / out["duty_hours"]
    return out.sort_values(["month", "officer_id"]).reset_index(drop=True)


def roll_up(per_officer: pd.DataFrame, level: str | list[str]) -> pd.DataFrame:
    """Sum hours to a level with the share and the hours that explain the gap.

    Parameters
    ----------
    per_officer : pandas.DataFrame
        :func:`visibility` output.
    level : str or list of str
        E.g. ``team_id``, ``lpa``, ``["lpa", "month"]``.

    Returns
    -------
    pandas.DataFrame
        Hours, ``community_share`` and the custody/investigation/station hours per level.
    """
    keys = [level] if isinstance(level, str) else list(level)
    cols = ["duty_hours", *[f"{c}_hours" for c in CATEGORIES], "community_hours"]
    g = per_officer.groupby(keys, dropna=False)[cols].sum()
    g["officers"] = per_officer.groupby(keys, dropna=False)["officer_id"].nunique()
    g["community_share"] = g["community_hours"] / g["duty_hours"]
    gap = g["duty_hours"] - g["community_hours"]
    for c in CATEGORIES:
        g[f"{c}_share_of_gap"] = np.where(gap > 0, g[f"{c}_hours"] / gap.where(gap > 0, 1), 0.0)
    return g.reset_index()


@dataclass
class VisibilityReport:
    """Visibility for one month per officer, team, LPA and force (``force`` is one row)."""

    month: str
    by_officer: pd.DataFrame
    by_team: pd.DataFrame
    by_lpa: pd.DataFrame
    force: pd.Series
    synthetic: bool
    gps_officers: int

    def summary(self) -> dict:
        """Return the report's figures (the ``planner visibility --json`` object).

        Returns
        -------
        dict
            Month, force figures, per-LPA figures and the number of officers with GPS.
        """

        def rec(r):
            return {
                "duty_hours": round(float(r["duty_hours"]), 3),
                "community_hours": round(float(r["community_hours"]), 3),
                "custody_hours": round(float(r["custody_hours"]), 3),
                "investigation_hours": round(float(r["investigation_hours"]), 3),
                "station_hours": round(float(r["station_hours"]), 3),
                "community_share": round(float(r["community_share"]), 4),
                "officers": int(r["officers"]),
            }

        return {
            "month": self.month,
            "synthetic": self.synthetic,
            "officers": int(len(self.by_officer)),
            "officers_with_gps": self.gps_officers,
            "force": rec(self.force),
            "by_lpa": {str(r["lpa"]): rec(r) for _, r in self.by_lpa.iterrows()},
            "by_team": {str(r["team_id"]): rec(r) for _, r in self.by_team.iterrows()},
            "note": "duty time without GPS counts as community time unless a custody or investigation episode covers it",
        }


def report(
    per_officer: pd.DataFrame, month: str, *, synthetic: bool = False, gps_officers: int = 0
) -> VisibilityReport:
    """Assemble a visibility report for a month.

    Parameters
    ----------
    per_officer : pandas.DataFrame
        :func:`visibility` output.
    month : str
        "YYYY-MM".
    synthetic : bool
        Label the report synthetic.
    gps_officers : int
        Officers whose station time came from GPS.

    Returns
    -------
    VisibilityReport
        Per officer, team, LPA and force.

    Raises
    ------
    PlannerError
        When there are no duty periods in the month.
    """
    if len(per_officer) == 0:
        raise PlannerError(f"no duty periods in {month}")
    f = roll_up(per_officer.assign(_all="force"), "_all").iloc[0]
    return VisibilityReport(
        month=month,
        by_officer=per_officer,
        by_team=roll_up(per_officer, "team_id"),
        by_lpa=roll_up(per_officer, "lpa"),
        force=f,
        synthetic=synthetic,
        gps_officers=gps_officers,
    )


#: geofence radius (m) around a station or custody suite given as a point (the demo's 60 m)
STATION_RADIUS_M = 60.0


def station_intervals(pings: pd.DataFrame, stations, cfg=None) -> pd.DataFrame:
    """GPS time inside stations/custody suites (``officer_id, start, end, station_id``).

    Parameters
    ----------
    pings : pandas.DataFrame
        Canonical pings.
    stations : geopandas.GeoDataFrame
        Station and custody-suite polygons (points get a geofence of
        :data:`STATION_RADIUS_M` metres).
    cfg : DwellConfig, optional
        Geofencing settings.

    Returns
    -------
    pandas.DataFrame
        One row per continuous stay.
    """
    from planner.tracking.dwell import DwellConfig, TGPIndex, dwell

    cfg = cfg or DwellConfig()
    st = (
        stations.rename(columns={"station_id": "tgp_id"})
        if "station_id" in stations.columns
        else stations
    )
    pts = st.geometry.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    if pts.any():  # a station given as a point (planner import stations): its geofence
        st = st.copy()
        st.loc[pts, st.geometry.name] = st.geometry[pts].buffer(STATION_RADIUS_M)
    res = dwell(pings, TGPIndex.from_frame(st, cell_m=cfg.cell_m), cfg)
    v = res.visits
    return pd.DataFrame(
        {
            "officer_id": v["officer_id"],
            "start": v["start"],
            "end": v["end"],
            "station_id": v["tgp_id"],
        }
    )


def workspace_visibility(ws, month: str) -> VisibilityReport:
    """Compute visibility for a month from a workspace.

    Reads the ``duty_periods``, ``custody_episodes``, ``stations`` and ``pings`` tables.

    Parameters
    ----------
    ws : Workspace
        The workspace.
    month : str
        "YYYY-MM".

    Returns
    -------
    VisibilityReport
        The month's report (synthetic when any input table is).
    """
    try:
        m0 = pd.Timestamp(month + "-01")
    except ValueError:
        raise PlannerError(f"month '{month}' is not YYYY-MM") from None
    if not ws.has_table("duty_periods"):
        raise PlannerError(
            f"workspace {ws.root} has no duty_periods table (build the demo or import duty data)"
        )
    lo = m0.tz_localize(TZ)
    hi = (m0 + pd.offsets.MonthBegin(1)).tz_localize(TZ)
    duty = pd.read_parquet(ws.table_path("duty_periods"))
    duty = duty[(duty["end"] > lo) & (duty["start"] < hi)]
    if len(duty) == 0:
        raise PlannerError(f"no duty periods in {month}")
    eps = None
    if ws.has_table("custody_episodes"):
        eps = pd.read_parquet(ws.table_path("custody_episodes"))
        eps = eps[(eps["end"] > lo) & (eps["start"] < hi)]
    stime = None
    gps_officers = 0
    if ws.has_table("stations") and ws.has_table("pings"):
        import geopandas as gpd

        stations = gpd.read_parquet(ws.table_path("stations"))
        pings = read_workspace_pings(ws, lo - pd.Timedelta(days=1), hi + pd.Timedelta(days=1))
        if len(pings):
            gps_officers = int(pings["officer_id"].nunique())
            stime = station_intervals(pings, stations)
    per = visibility(
        duty, eps, stime, ws.officers() if ws.has_table("officers") else None, month=month
    )
    synthetic = any(
        ws.is_synthetic(t) for t in ("duty_periods", "custody_episodes", "pings") if ws.has_table(t)
    )
    return report(per, month, synthetic=synthetic, gps_officers=gps_officers)


def read_workspace_pings(ws, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Read the workspace's pings between two times (``pings`` table: a folder of monthly files).

    Parameters
    ----------
    ws : Workspace
        The workspace.
    start, end : pandas.Timestamp
        Timezone-aware bounds (start inclusive, end exclusive).

    Returns
    -------
    pandas.DataFrame
        Canonical pings.
    """
    from pathlib import Path

    p = Path(ws.table_path("pings"))
    files = sorted(p.glob("*.parquet")) if p.is_dir() else [p]
    months = set(
        pd.period_range(
            start.tz_convert(TZ).tz_localize(None), end.tz_convert(TZ).tz_localize(None), freq="M"
        ).strftime("%Y-%m")
    )
    keep = [f for f in files if f.stem in months] if all(len(f.stem) == 7 for f in files) else files
    if not keep:
        from planner.io.pings import empty_pings

        return empty_pings()
    df = pd.concat([pd.read_parquet(f) for f in keep], ignore_index=True)
    return df[(df["timestamp"] >= start) & (df["timestamp"] < end)].reset_index(drop=True)

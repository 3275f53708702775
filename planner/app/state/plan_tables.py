"""Layouts of the Patrol plan page's tables and week calendar (pure functions, no Panel).

Each takes plan visits (rows of ``plan_visits`` tables, :mod:`planner.planning`) and returns
the frame a table or the calendar shows; :class:`planner.app.state.plan.PlanState` selects the
visits and calls them.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from planner.schema import TZ

if TYPE_CHECKING:
    from planner.app.data import AppData

#: calendar layout: blank share at each side of a day column, and gap between lanes (share of a
#: lane), in day-column units
DAY_PAD = 0.04
LANE_GAP = 0.12
SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86_400


@functools.lru_cache(maxsize=16)
def visit_index(data: AppData, name: str) -> pd.DataFrame:
    """Per visit of a plan table: its TGP's LPA and its date.

    Computed once and shared by every session (the plan tables are read-only).

    Parameters
    ----------
    data : AppData
        The workspace's shared data.
    name : str
        A plan table (``plan_visits``, ``plan_visits_<quarter>``).

    Returns
    -------
    pandas.DataFrame
        ``lpa`` (str) and ``day`` (datetime64), in the table's row order.
    """
    v = data.table(name)
    lpa_of = data.layer("tgps").set_index("tgp_id")["lpa"]
    return pd.DataFrame(
        {
            "lpa": v["tgp_id"].map(lpa_of).astype(str).to_numpy(),
            "day": pd.to_datetime(v["date"]).to_numpy(),
        }
    )


def local_hours(t: pd.Series) -> np.ndarray:
    """Hours since local midnight (Europe/London) of tz-aware times.

    Parameters
    ----------
    t : pandas.Series
        Timezone-aware datetimes.

    Returns
    -------
    numpy.ndarray
        Floats, e.g. 13.5 for 13:30 local time.

    Examples
    --------
    >>> local_hours(pd.Series(pd.to_datetime(["2025-07-01 12:30"], utc=True))).tolist()
    [13.5]
    """
    loc = pd.Series(pd.DatetimeIndex(t).tz_convert(TZ))
    return (loc.dt.hour + loc.dt.minute / 60.0 + loc.dt.second / 3600.0).to_numpy(dtype=float)


def calendar_lanes(day: np.ndarray, start_h: np.ndarray, end_h: np.ndarray) -> np.ndarray:
    """Side-by-side lane of each block in a day column (vectorised).

    In each day the blocks are taken in start order and dealt round-robin over ``M`` lanes,
    ``M`` being the most blocks running at once that day. When a day's blocks have equal
    lengths (planned patrol visits do) the blocks running at a block's start are the ones just
    before it in start order, fewer than ``M``, so no two overlapping blocks share a lane;
    blocks of unequal lengths may occasionally share one.

    Parameters
    ----------
    day : numpy.ndarray
        Day column of each block (0 = Monday).
    start_h, end_h : numpy.ndarray
        Start and end of each block, hours since midnight.

    Returns
    -------
    numpy.ndarray
        The lanes (int64, from 0) in input order.

    Examples
    --------
    >>> calendar_lanes(np.array([0, 0, 0]), np.array([9.0, 9.5, 11.0]), np.array([10.0, 10.5, 12.0])).tolist()
    [0, 1, 0]
    """
    n = len(day)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # one time axis for the week in whole seconds (no float ties where blocks touch)
    span = 2 * SECONDS_PER_DAY
    base = np.asarray(day, dtype=np.int64) * span
    s = base + np.rint(np.asarray(start_h) * SECONDS_PER_HOUR).astype(np.int64)
    e = base + np.rint(np.asarray(end_h) * SECONDS_PER_HOUR).astype(np.int64)
    order = np.argsort(s, kind="stable")
    ss, dd = s[order], base[order] // span
    i = np.arange(n)
    running = i - np.searchsorted(np.sort(e), ss, side="right") + 1  # itself included
    rank = i - np.searchsorted(ss, dd * span, side="left")
    most = pd.Series(running).groupby(dd).transform("max").to_numpy()
    lanes = np.empty(n, dtype=np.int64)
    lanes[order] = rank % most
    return lanes


def day_labels(week: str) -> list[str]:
    """The seven column labels of a week.

    Parameters
    ----------
    week : str
        The week's Monday (YYYY-MM-DD).

    Returns
    -------
    list of str
        "Mon 22 Dec" ... "Sun 28 Dec".

    Examples
    --------
    >>> day_labels("2025-12-22")[:2]
    ['Mon 22 Dec', 'Tue 23 Dec']
    """
    w0 = pd.Timestamp(week)
    return [(w0 + pd.Timedelta(days=i)).strftime("%a %d %b") for i in range(7)]


def calendar_layout(v: pd.DataFrame, week: str, colour_by: str) -> pd.DataFrame:
    """One block per visit of a week, laid out for a 7-day calendar.

    Parameters
    ----------
    v : pandas.DataFrame
        Plan visits of the week (``visit_id, date, start, end, tgp_id, team_id, method, crew``).
    week : str
        The week's Monday (YYYY-MM-DD).
    colour_by : str
        ``"method"`` or ``"team"``: what the blocks are coloured by.

    Returns
    -------
    pandas.DataFrame
        ``day`` (0 = Monday), ``start_h``/``end_h`` (local hours since midnight, the end capped
        at 24), ``lane``/``lanes`` (side-by-side position in the day column), ``left``/``right``
        (x in day-column units) and ``key`` (method or team), plus the visit's fields and
        ``time`` ("HH:MM-HH:MM"), in start order.
    """
    v = v.sort_values(["start", "visit_id"], kind="stable")
    day = (pd.to_datetime(v["date"]) - pd.Timestamp(week)).dt.days.to_numpy(dtype=np.int64)
    start_h = local_hours(v["start"])
    gap = cast("pd.Series[pd.Timedelta]", v["end"] - v["start"])  # datetime columns
    dur_h = (gap / pd.Timedelta(hours=1)).to_numpy(dtype=float)
    end_h = np.minimum(start_h + dur_h, 24.0)
    lane = calendar_lanes(day, start_h, end_h)
    lanes = (
        pd.Series(lane).groupby(day).transform("max").to_numpy(dtype=np.int64) + 1
        if len(lane)
        else lane
    )
    width = (1.0 - 2 * DAY_PAD) / np.maximum(lanes, 1)
    left = day + DAY_PAD + lane * width
    key = v["method"] if colour_by == "method" else v["team_id"]
    return pd.DataFrame(
        {
            "visit_id": v["visit_id"].to_numpy(),
            "day": day,
            "start_h": start_h,
            "end_h": end_h,
            "lane": lane,
            "lanes": lanes,
            "left": left,
            "right": left + width * (1.0 - LANE_GAP),
            "tgp_id": v["tgp_id"].astype(str).to_numpy(),
            "team_id": v["team_id"].astype(str).to_numpy(),
            "method": v["method"].astype(str).to_numpy(),
            "crew": v["crew"].to_numpy(dtype=np.int64),
            "time": (v["start"].dt.strftime("%H:%M") + "-" + v["end"].dt.strftime("%H:%M"))
            .astype(str)
            .to_numpy(),
            "key": key.astype(str).to_numpy(),
        }
    )


def week_table(v: pd.DataFrame) -> pd.DataFrame:
    """A week's visits for display, by date and start time (Mon..Sun, not by day name).

    Parameters
    ----------
    v : pandas.DataFrame
        Plan visits.

    Returns
    -------
    pandas.DataFrame
        ``day`` ("Mon 22 Dec"), ``start``, ``end`` ("HH:MM"), ``tgp_id, team_id, method, crew``.
    """
    date = pd.to_datetime(v["date"])
    # sorted by date and start time (Mon..Sun), not by the day's name (issue 17)
    order = np.lexsort((v["start"].to_numpy(), date.to_numpy()))
    v, date = v.iloc[order], date.iloc[order]
    out = pd.DataFrame(
        {
            "day": date.dt.strftime("%a %d %b"),
            "start": v["start"].dt.strftime("%H:%M"),
            "end": v["end"].dt.strftime("%H:%M"),
            "tgp_id": v["tgp_id"],
            "team_id": v["team_id"],
            "method": v["method"],
            "crew": v["crew"],
        }
    )
    return out.reset_index(drop=True)


def by_team(v: pd.DataFrame) -> pd.DataFrame:
    """Visits and planned hours per team and method.

    Parameters
    ----------
    v : pandas.DataFrame
        Plan visits (``minutes``, ``officer_minutes``).

    Returns
    -------
    pandas.DataFrame
        ``team_id, method, visits, patrol_hours, officer_hours`` (hours to 0.1).
    """
    g = v.groupby(["team_id", "method"]).agg(
        visits=("visit_id", "size"),
        patrol_hours=("minutes", "sum"),
        officer_hours=("officer_minutes", "sum"),
    )
    g[["patrol_hours", "officer_hours"]] = g[["patrol_hours", "officer_hours"]] / 60.0
    return g.round(1).reset_index()


def timetable(v: pd.DataFrame) -> pd.DataFrame:
    """Visits for a timetable, in time order.

    Parameters
    ----------
    v : pandas.DataFrame
        Plan visits.

    Returns
    -------
    pandas.DataFrame
        ``date`` ("Mon 2025-12-22"), ``start``, ``end`` ("HH:MM"), ``tgp_id, team_id, method,
        crew, minutes``.
    """
    v = v.sort_values(["start", "visit_id"], kind="stable")
    return pd.DataFrame(
        {
            "date": pd.to_datetime(v["date"]).dt.strftime("%a %Y-%m-%d").to_numpy(),
            "start": v["start"].dt.strftime("%H:%M").to_numpy(),
            "end": v["end"].dt.strftime("%H:%M").to_numpy(),
            "tgp_id": v["tgp_id"].astype(str).to_numpy(),
            "team_id": v["team_id"].astype(str).to_numpy(),
            "method": v["method"].astype(str).to_numpy(),
            "crew": v["crew"].to_numpy(dtype=np.int64),
            "minutes": v["minutes"].to_numpy(dtype=float),
        }
    )


def totals(v: pd.DataFrame, by: str, total_label: str) -> pd.DataFrame:
    """Visits and planned hours per ``by`` with a total row first.

    Parameters
    ----------
    v : pandas.DataFrame
        Plan visits (``minutes``, ``officer_minutes``).
    by : str
        The column grouped by (e.g. ``team_id``).
    total_label : str
        The total row's label in that column.

    Returns
    -------
    pandas.DataFrame
        ``<by>, visits, patrol_hours, officer_hours`` (hours to 0.01), the total first.
    """
    g = v.groupby(by, sort=True).agg(
        visits=("visit_id", "size"),
        patrol_hours=("minutes", "sum"),
        officer_hours=("officer_minutes", "sum"),
    )
    total = pd.DataFrame(
        {
            "visits": [len(v)],
            "patrol_hours": [float(v["minutes"].sum())],
            "officer_hours": [float(v["officer_minutes"].sum())],
        },
        index=pd.Index([total_label], name=by),
    )
    out = pd.concat([total, g])
    out[["patrol_hours", "officer_hours"]] = out[["patrol_hours", "officer_hours"]] / 60.0
    out["visits"] = out["visits"].astype("int64")
    return out.round(2).reset_index()

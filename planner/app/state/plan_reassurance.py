"""Reassurance visits beside the patrols of the plan's week (issue 19 item 5).

A mixin of :class:`planner.app.state.plan.PlanState`: per day of the week shown, the patrol
visits and hours planned to the chosen LPA's TGPs beside the reassurance visits planned to its
vulnerable and repeat victims, and how many of those were delivered. Counts only: the plan page
shows no victim; the read goes through :func:`planner.tasking.people.reassurance_by_day`, which
checks the ``nominals`` capability on the server and audits the view with the user's name.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from planner.app.state.common import ALL_LPAS
from planner.tasking.people import REASSURANCE_DAY_COLUMNS

#: columns of :meth:`ReassuranceWeek.reassurance_week`: the day, its patrols, then the
#: library's per-day reassurance counts
WEEK_COLUMNS = [
    "day",
    "patrol_visits",
    "patrol_hours",
    "officer_hours",
    *REASSURANCE_DAY_COLUMNS[1:],
]


def patrols_by_day(v: pd.DataFrame, dates: list) -> pd.DataFrame:
    """Patrol visits, patrol-hours and officer-hours of plan visits ``v`` per day of ``dates``.

    Parameters
    ----------
    v : pandas.DataFrame
        Plan visits (``date, minutes, officer_minutes``).
    dates : list of datetime.date
        The days (each gets a row, zero when nothing is planned).

    Returns
    -------
    pandas.DataFrame
        ``date, patrol_visits, patrol_hours, officer_hours``.
    """
    d = pd.to_datetime(v["date"]).dt.date
    g = (
        pd.DataFrame({"date": d, "minutes": v["minutes"], "officer_minutes": v["officer_minutes"]})
        .groupby("date")
        .agg(
            patrol_visits=("minutes", "size"),
            patrol_hours=("minutes", "sum"),
            officer_hours=("officer_minutes", "sum"),
        )
        .reindex(dates, fill_value=0)
    )
    g["patrol_visits"] = g["patrol_visits"].astype(int)
    g["patrol_hours"] = (g["patrol_hours"] / 60).round(2)
    g["officer_hours"] = (g["officer_hours"] / 60).round(2)
    return g.rename_axis("date").reset_index()


class ReassuranceWeek:
    """The week's reassurance visits per day beside its patrols (counts only).

    Mixed into :class:`~planner.app.state.plan.PlanState`, whose ``store``, ``lpa``, ``week``,
    ``principal`` and ``_week_rows`` it reads.
    """

    def reassurance_week(self) -> pd.DataFrame:
        """Per day of the week shown: patrols planned and reassurance visits (counts only).

        Returns
        -------
        pandas.DataFrame
            :data:`WEEK_COLUMNS`; the reassurance columns are absent when the workspace has
            no records store.

        Raises
        ------
        planner.errors.AccessDenied
            When the role may not see nominals (the refusal is audited).
        """
        from planner.tasking.people import reassurance_by_day

        s: Any = self
        start = pd.Timestamp(s.week).date()
        dates = [start + pd.Timedelta(days=i).to_pytimedelta() for i in range(7)]
        out = patrols_by_day(s._week_rows(), dates)  # PlanState's, checked for scope
        if s.store is not None:
            lpa = None if s.lpa == ALL_LPAS else s.lpa
            rv = reassurance_by_day(s.store, s.principal, start=start, days=7, lpa=lpa)
            out = out.merge(rv, on="date", how="left")
        out.insert(0, "day", pd.to_datetime(out.pop("date")).dt.strftime("%a %d %b"))
        return out[[c for c in WEEK_COLUMNS if c in out.columns]]

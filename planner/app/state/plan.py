"""State of the Patrol plan page (``param.Parameterized``, no Panel import).

Everything the page shows comes from the plan tables (``plan_visits``, ``plan_visits_<quarter>``
written by :mod:`planner.planning`) and from :mod:`planner.planning.servator` /
:mod:`planner.planning.export`; this module only selects.
:mod:`planner.app.state.plan_tables` reshapes and lays out for display, and
:mod:`planner.app.state.plan_servator` does so for Op Servator (their public names are
importable from here too).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import param

from planner.access import scope
from planner.app.data import AppData
from planner.app.state import plan_servator as ps
from planner.app.state import plan_tables as pt
from planner.app.state.common import ALL_LPAS, Scoped, ScopedLPA, scope_lpas
from planner.app.state.plan_reassurance import ReassuranceWeek
from planner.app.state.plan_tables import (
    DAY_PAD,
    LANE_GAP,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    calendar_lanes,
)

__all__ = [
    "ALL_TEAMS",
    "COLOUR_BY",
    "DAY_PAD",
    "LANE_GAP",
    "SECONDS_PER_DAY",
    "SECONDS_PER_HOUR",
    "SERVATOR_MAX_DAYS",
    "SERVATOR_MEMO",
    "PlanState",
    "calendar_lanes",
]

ALL_TEAMS = "All teams"
#: longest Op Servator plan the page draws (days)
SERVATOR_MAX_DAYS = 92
#: what the week calendar's blocks are coloured by
COLOUR_BY = ("method", "team")
#: Op Servator plans kept per session (start, days, seed)
SERVATOR_MEMO = 8


_row_index = pt.visit_index


class PlanState(Scoped, ReassuranceWeek):
    """The patrol plan: week calendar, per-TGP and per-team timetables, exports, Op Servator.

    With a ``principal`` every table, export and the Op Servator plan hold only the visits
    and sites of its LPAs (:func:`planner.access.scope.filter_rows`), and an LPA outside them
    is refused (:class:`~planner.app.state.common.ScopedLPA`).

    Parameters
    ----------
    data : AppData
        The workspace's shared data.
    **params
        Parameter values (``principal``, ``lpa``, ``quarter``, ``week``, ``tgp``, ``team``, ...);
        those whose choices depend on the data are applied once the choices are known.
    """

    data = cast("param.ClassSelector[AppData]", param.ClassSelector(class_=AppData, constant=True))
    lpa: param.Selector[str] = ScopedLPA(default=ALL_LPAS, objects=[ALL_LPAS])
    week: param.Selector[str | None] = param.Selector(
        default=None, objects=[], doc="Monday of the week shown (YYYY-MM-DD)."
    )
    calendar_team: param.Selector[str] = param.Selector(
        default=ALL_TEAMS, objects=[ALL_TEAMS], doc="Team drawn in the week calendar."
    )
    colour_by: param.Selector[str] = param.Selector(default="method", objects=list(COLOUR_BY))

    quarter: param.Selector[str | None] = param.Selector(
        default=None, objects=[], doc="Plan quarter (timetables, exports)."
    )
    team: param.Selector[str | None] = param.Selector(
        default=None, objects=[], doc="Team: timetable and calendar (.ics)."
    )
    tgp: param.Selector[str | None] = param.Selector(
        default=None, objects=[], doc="TGP whose quarter timetable is shown."
    )
    store = param.Parameter(default=None, doc="Records store (reassurance visits), or None.")
    servator_start = param.String(default="", doc="First day of the Op Servator plan (YYYY-MM-DD).")
    servator_days = param.Integer(default=7, bounds=(1, SERVATOR_MAX_DAYS), doc="Days planned.")
    servator_seed = param.Integer(
        default=0, bounds=(0, None), doc="Random seed of the Servator draw (same seed, same plan)."
    )

    _CHOICES = ("lpa", "quarter", "week", "tgp", "team", "calendar_team")

    def __init__(self, data: AppData, **params):
        # selections whose choices depend on the data are applied once the choices are known
        chosen = {k: params.pop(k) for k in self._CHOICES if k in params}
        super().__init__(data=data, **params)
        self._servator = functools.lru_cache(maxsize=SERVATOR_MEMO)(self._plan_servator)
        scope_lpas(self, self.principal, data.lpa_names(), chosen=chosen.pop("lpa", None))
        quarters = sorted(
            t.removeprefix("plan_visits_")
            for t in data.ws.meta.get("tables", {})
            if t.startswith("plan_visits_")
        )
        self.param.quarter.objects = quarters
        if "quarter" in chosen:
            self.quarter = chosen.pop("quarter")
        elif quarters and self.quarter is None:
            self.quarter = quarters[-1]
        self._update_choices()
        if not self.servator_start:
            self.servator_start = str(data.ws.today)
        d = pd.Series(_row_index(data, "plan_visits")["day"])
        mondays = sorted(
            {str(x.date()) for x in (d - pd.to_timedelta(d.dt.day_of_week, unit="D")).unique()}
        )
        self.param.week.objects = mondays
        if self.week is None:
            today = pd.Timestamp(data.ws.today)
            this = str((today - pd.Timedelta(days=today.day_of_week)).date())
            self.week = this if this in mondays else (mondays[-1] if mondays else None)
        self.param.update(**chosen)

    # ---- selections ---------------------------------------------------------------------
    def _quarter_table(self) -> str:
        name = f"plan_visits_{self.quarter}" if self.quarter else "plan_visits"
        return name if self.data.has(name) else "plan_visits"

    def _in_lpa(self, name: str) -> pd.DataFrame:
        """Visits of plan table ``name`` to TGPs of the chosen LPA."""
        v = self.data.table(name)
        if self.lpa == ALL_LPAS:
            return self._in_scope(name)
        return v[_row_index(self.data, name)["lpa"].to_numpy() == self.lpa]

    def _in_scope(self, name: str) -> pd.DataFrame:
        """Visits of plan table ``name`` to TGPs of the principal's LPAs (all without one)."""
        v = self.data.table(name)
        p = self.principal
        if p is None or p.all_lpas:
            return v
        lpas = list(p.lpas) if p.role == "inspector" else []
        return v[np.isin(_row_index(self.data, name)["lpa"].to_numpy(), lpas)]

    @param.depends("lpa", "quarter", watch=True)
    def _update_choices(self) -> None:
        """TGP and team choices: those of the chosen LPA with visits in the quarter."""
        v = self._in_lpa(self._quarter_table())
        tgps = sorted(v["tgp_id"].astype(str).unique())
        teams = sorted(v["team_id"].astype(str).unique())
        week_teams = sorted(self._in_lpa("plan_visits")["team_id"].unique())
        for name, objs in (("tgp", tgps), ("team", teams)):
            self.param[name].objects = objs
            self.param[name].check_on_set = True  # a TGP or team outside them is refused
            if getattr(self, name) not in objs:
                setattr(self, name, objs[0] if objs else None)
        self.param.calendar_team.objects = [ALL_TEAMS, *map(str, week_teams)]
        if self.calendar_team not in self.param.calendar_team.objects:
            self.calendar_team = ALL_TEAMS

    def visits(self) -> pd.DataFrame:
        """The whole plan's visits in the chosen LPA.

        Returns
        -------
        pandas.DataFrame
            Rows of ``plan_visits`` (in scope of the principal for "All LPAs").
        """
        return self._in_lpa("plan_visits")

    @param.depends("lpa")
    def by_team(self) -> pd.DataFrame:
        """Visits and planned hours of the whole plan per team and method (chosen LPA).

        Returns
        -------
        pandas.DataFrame
            :func:`planner.app.state.plan_tables.by_team` of :meth:`visits`.
        """
        return pt.by_team(self.visits())

    def _week_rows(self) -> pd.DataFrame:
        v = self.data.table("plan_visits")
        idx = _row_index(self.data, "plan_visits")
        d = idx["day"].to_numpy()
        w0 = np.datetime64(pd.Timestamp(self.week).date(), "ns")
        keep = (d >= w0) & (d < w0 + np.timedelta64(7, "D"))
        if self.lpa != ALL_LPAS:
            keep &= idx["lpa"].to_numpy() == self.lpa
        scope.check_lpa(self.principal, self.lpa, all_label=ALL_LPAS)
        return v[keep]

    @param.depends("lpa", "week")
    def week_visits(self) -> pd.DataFrame:
        """The visits of the week shown (chosen LPA), by date and start time.

        Returns
        -------
        pandas.DataFrame
            :func:`planner.app.state.plan_tables.week_table` of the week's visits.
        """
        return pt.week_table(self._week_rows())

    # ---- week calendar ------------------------------------------------------------------
    def day_labels(self) -> list[str]:
        """The seven column labels of the week shown.

        Returns
        -------
        list of str
            "Mon 22 Dec" ... (:func:`planner.app.state.plan_tables.day_labels`).
        """
        return pt.day_labels(self.week)

    @param.depends("lpa", "week", "calendar_team", "colour_by")
    def calendar_blocks(self) -> pd.DataFrame:
        """One block per planned visit of the week (chosen LPA and team), for a 7-day calendar.

        Returns
        -------
        pandas.DataFrame
            :func:`planner.app.state.plan_tables.calendar_layout`: ``day``, ``start_h``,
            ``end_h``, ``lane``, ``lanes``, ``left``, ``right``, ``key`` and the visit's fields.
        """
        v = self._week_rows()
        if self.calendar_team != ALL_TEAMS:
            v = v[v["team_id"] == self.calendar_team]
        return pt.calendar_layout(v, self.week, self.colour_by)

    # ---- the quarter: per TGP and per team ---------------------------------------------------
    @param.depends("quarter")
    def quarter_visits(self) -> pd.DataFrame:
        """The chosen quarter's visits, to TGPs of the principal's LPAs.

        Returns
        -------
        pandas.DataFrame
            Rows of ``plan_visits_<quarter>`` (the whole plan if there is none).
        """
        return self._in_scope(self._quarter_table())

    _timetable = staticmethod(pt.timetable)
    _totals = staticmethod(pt.totals)

    @param.depends("quarter", "tgp")
    def tgp_timetable(self) -> pd.DataFrame:
        """The chosen TGP's visits in the quarter, in time order.

        Returns
        -------
        pandas.DataFrame
            :func:`planner.app.state.plan_tables.timetable` without ``tgp_id``.
        """
        v = self.quarter_visits()
        return self._timetable(v[v["tgp_id"] == self.tgp]).drop(columns="tgp_id")

    @param.depends("quarter", "tgp")
    def tgp_totals(self) -> pd.DataFrame:
        """The chosen TGP's planned visits and hours in the quarter, in total and per team.

        Returns
        -------
        pandas.DataFrame
            :func:`planner.app.state.plan_tables.totals` by ``team_id``.
        """
        v = self.quarter_visits()
        return self._totals(v[v["tgp_id"] == self.tgp], "team_id", ALL_TEAMS)

    @param.depends("quarter", "team", "lpa")
    def team_timetable(self) -> pd.DataFrame:
        """The chosen team's visits in the quarter (to TGPs of the chosen LPA), in time order.

        Returns
        -------
        pandas.DataFrame
            :func:`planner.app.state.plan_tables.timetable` without ``team_id``.
        """
        v = self._in_lpa(self._quarter_table())
        return self._timetable(v[v["team_id"] == self.team]).drop(columns="team_id")

    @param.depends("quarter", "team", "lpa")
    def team_totals(self) -> pd.DataFrame:
        """The chosen team's planned visits and hours in the quarter, in total and per TGP.

        Returns
        -------
        pandas.DataFrame
            :func:`planner.app.state.plan_tables.totals` by ``tgp_id``.
        """
        v = self._in_lpa(self._quarter_table())
        return self._totals(v[v["team_id"] == self.team], "tgp_id", "All TGPs")

    # ---- exports (planner.planning.export) ---------------------------------------------
    @property
    def synthetic(self) -> bool:
        """Whether the plan is synthetic (every export is labelled so)."""
        return self.data.is_synthetic("plan_visits")

    def visits_csv(self) -> str:
        """The quarter's visits as CSV.

        Returns
        -------
        str
            The text of :func:`planner.planning.export.write_csv` of :meth:`quarter_visits`.
        """
        from planner.planning.export import write_csv

        with tempfile.TemporaryDirectory() as tmp:
            return write_csv(self.quarter_visits(), Path(tmp) / "visits.csv").read_text()

    def team_ics(self) -> str:
        """The chosen team's calendar for the quarter.

        Returns
        -------
        str
            iCalendar text (:func:`planner.planning.export.ics_text`).
        """
        from planner.planning.export import ics_text

        return ics_text(self.quarter_visits(), self.team, synthetic=self.synthetic)

    def briefing_html(self) -> str:
        """Printable briefing for the week shown and the LPA's TGPs.

        Returns
        -------
        str
            HTML (:func:`planner.planning.export.briefing_html`).
        """
        from planner.planning.export import briefing_html

        ws = self.data.ws
        return briefing_html(
            self.visits(),
            self.data.tgps_bng,
            start=self.week,
            days=7,
            outline=self.data.table("lpas") if self.data.has("lpas") else None,
            synthetic=self.synthetic,
            title=f"Patrol briefing, {self.lpa}, week of {self.week} ({ws.name})",
        )

    # ---- Op Servator (planner.planning.servator) -------------------------------------------
    @property
    def servator_synthetic(self) -> bool:
        """The Servator sites are the TGPs: synthetic when the TGP layer is."""
        return self.data.is_synthetic("tgps")

    @functools.cached_property
    def _sites(self) -> gpd.GeoDataFrame:
        from planner.planning.servator import sites_from_tgps

        return sites_from_tgps(self.data.tgps_bng)

    @functools.cached_property
    def _sites_web(self) -> pd.DataFrame:
        """Each site's LPA and location ``x``/``y`` in EPSG:3857, indexed by ``site_id``."""
        return ps.sites_web(self._sites)

    @param.depends("servator_start", "servator_days", "servator_seed")
    def servator(self):
        """The Op Servator plan over the TGPs as sites (kept per start, days and seed).

        Returns
        -------
        object
            :func:`planner.planning.servator.plan_servator` of the chosen start, days and seed.

        Raises
        ------
        PlannerError
            When the start is not a date.
        """
        from planner.errors import PlannerError

        try:
            start = pd.Timestamp(self.servator_start).date()
        except ValueError:
            raise PlannerError(
                f"start '{self.servator_start}' is not a date (YYYY-MM-DD)"
            ) from None
        return self._servator(start, self.servator_days, self.servator_seed)

    def _plan_servator(self, start, days: int, seed: int):
        from planner.planning.servator import plan_servator

        return plan_servator(self._sites, start, days, seed=seed)

    def deployments(self) -> pd.DataFrame:
        """The Servator plan's deployments at sites of the principal's LPAs (all without one).

        Returns
        -------
        pandas.DataFrame
            Rows of the plan's ``deployments``.
        """
        d = self.servator().deployments
        p = self.principal
        if p is None or p.all_lpas:
            return d
        lpa = d["site_id"].map(self._sites_web["lpa"])
        return d[lpa.isin(p.lpas if p.role == "inspector" else ()).to_numpy()]

    def servator_table(self) -> pd.DataFrame:
        """Deployments for display: date, local times, site, LPA, minutes and assets.

        Returns
        -------
        pandas.DataFrame
            :func:`planner.app.state.plan_servator.deployments_table` of :meth:`deployments`.
        """
        return ps.deployments_table(
            self.deployments(), self.data.tgps_bng.set_index("tgp_id")["lpa"]
        )

    def servator_sites(self) -> pd.DataFrame:
        """Sites used by the Servator plan for the map.

        Returns
        -------
        pandas.DataFrame
            Per-site deployments and hours (:func:`planner.planning.servator.deployments_by_site`)
            with the site's LPA and its location ``x``/``y`` in EPSG:3857.
        """
        from planner.planning.servator import deployments_by_site

        by = deployments_by_site(self.deployments())
        out = by.join(self._sites_web, on="site_id")
        out["first"] = out["first"].astype(str)
        out["last"] = out["last"].astype(str)
        return out

    def servator_csv(self) -> str:
        """The deployments as CSV.

        Returns
        -------
        str
            The text of :func:`planner.planning.export.write_csv` (ISO local times).
        """
        from planner.planning.export import write_csv

        with tempfile.TemporaryDirectory() as tmp:
            p = write_csv(self.deployments(), Path(tmp) / "servator.csv")
            return p.read_text()

    def servator_ics(self) -> str:
        """The deployments as iCalendar.

        Returns
        -------
        str
            :func:`planner.planning.servator.deployments_ics` text.
        """
        from planner.planning.servator import deployments_ics

        return deployments_ics(self.deployments(), synthetic=self.servator_synthetic)

    def servator_filename(self, ext: str) -> str:
        """The download name of the Servator plan shown.

        Parameters
        ----------
        ext : str
            File extension (``csv``, ``ics``).

        Returns
        -------
        str
            :func:`planner.app.state.plan_servator.servator_filename`.
        """
        return ps.servator_filename(
            self.servator_start,
            self.servator_days,
            self.servator_seed,
            self.servator_synthetic,
            ext,
        )

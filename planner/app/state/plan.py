"""State of the Patrol plan page (``param.Parameterized``, no Panel import).

Everything the page shows comes from the plan tables (``plan_visits``, ``plan_visits_<quarter>``
written by :mod:`planner.planning`) and from :mod:`planner.planning.servator` /
:mod:`planner.planning.export`; this module only selects, reshapes and lays out for display.
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
from planner.app.state.common import ALL_LPAS, Scoped, ScopedLPA, scope_lpas
from planner.schema import TZ

ALL_TEAMS = "All teams"
#: longest Op Servator plan the page draws (days)
SERVATOR_MAX_DAYS = 92
#: what the week calendar's blocks are coloured by
COLOUR_BY = ("method", "team")
#: calendar layout: blank share at each side of a day column, and gap between lanes (share of a
#: lane), in day-column units
DAY_PAD = 0.04
LANE_GAP = 0.12
SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86_400
#: Op Servator plans kept per session (start, days, seed)
SERVATOR_MEMO = 8


def _local_hours(t: pd.Series) -> np.ndarray:
    """Hours since local midnight (Europe/London) of tz-aware times, as floats."""
    loc = pd.Series(pd.DatetimeIndex(t).tz_convert(TZ))
    return (loc.dt.hour + loc.dt.minute / 60.0 + loc.dt.second / 3600.0).to_numpy(dtype=float)


def calendar_lanes(day: np.ndarray, start_h: np.ndarray, end_h: np.ndarray) -> np.ndarray:
    """Side-by-side lane of each block in a day column (vectorised).

    In each day the blocks are taken in start order and dealt round-robin over ``M`` lanes,
    ``M`` being the most blocks running at once that day. When a day's blocks have equal
    lengths (planned patrol visits do) the blocks running at a block's start are the ones just
    before it in start order, fewer than ``M``, so no two overlapping blocks share a lane;
    blocks of unequal lengths may occasionally share one. Returns the lanes in input order.
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


@functools.lru_cache(maxsize=16)
def _row_index(data: AppData, name: str) -> pd.DataFrame:
    """Per visit of table ``name``: its TGP's LPA and its date (datetime64), computed once and
    shared by every session (the plan tables are read-only)."""
    v = data.table(name)
    lpa_of = data.layer("tgps").set_index("tgp_id")["lpa"]
    return pd.DataFrame(
        {
            "lpa": v["tgp_id"].map(lpa_of).astype(str).to_numpy(),
            "day": pd.to_datetime(v["date"]).to_numpy(),
        }
    )


class PlanState(Scoped):
    """The patrol plan: week calendar, per-TGP and per-team timetables, exports, Op Servator.

    With a ``principal`` every table, export and the Op Servator plan hold only the visits
    and sites of its LPAs (:func:`planner.access.scope.filter_rows`), and an LPA outside them
    is refused (:class:`~planner.app.state.common.ScopedLPA`)."""

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
        """The whole plan's visits in the chosen LPA."""
        return self._in_lpa("plan_visits")

    @param.depends("lpa")
    def by_team(self) -> pd.DataFrame:
        v = self.visits()
        g = v.groupby(["team_id", "method"]).agg(
            visits=("visit_id", "size"),
            patrol_hours=("minutes", "sum"),
            officer_hours=("officer_minutes", "sum"),
        )
        g[["patrol_hours", "officer_hours"]] = g[["patrol_hours", "officer_hours"]] / 60.0
        return g.round(1).reset_index()

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
        v = self._week_rows()
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

    # ---- week calendar ------------------------------------------------------------------
    def day_labels(self) -> list[str]:
        """The seven column labels of the week shown ("Mon 22 Dec")."""
        w0 = pd.Timestamp(self.week)
        return [(w0 + pd.Timedelta(days=i)).strftime("%a %d %b") for i in range(7)]

    @param.depends("lpa", "week", "calendar_team", "colour_by")
    def calendar_blocks(self) -> pd.DataFrame:
        """One block per planned visit of the week (chosen LPA and team), laid out for a 7-day
        calendar: ``day`` (0 = Monday), ``start_h``/``end_h`` (local hours since midnight, the
        end capped at 24), ``lane``/``lanes`` (side-by-side position in the day column),
        ``left``/``right`` (x in day-column units) and ``key`` (method or team, what the block
        is coloured by), plus the visit's fields and ``time`` ("HH:MM-HH:MM")."""
        v = self._week_rows()
        if self.calendar_team != ALL_TEAMS:
            v = v[v["team_id"] == self.calendar_team]
        v = v.sort_values(["start", "visit_id"], kind="stable")
        day = (pd.to_datetime(v["date"]) - pd.Timestamp(self.week)).dt.days.to_numpy(dtype=np.int64)
        start_h = _local_hours(v["start"])
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
        key = v["method"] if self.colour_by == "method" else v["team_id"]
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

    # ---- the quarter: per TGP and per team ---------------------------------------------------
    @param.depends("quarter")
    def quarter_visits(self) -> pd.DataFrame:
        """The chosen quarter's visits (``plan_visits_<quarter>``; the whole plan if none), to
        TGPs of the principal's LPAs."""
        return self._in_scope(self._quarter_table())

    @staticmethod
    def _timetable(v: pd.DataFrame) -> pd.DataFrame:
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

    @staticmethod
    def _totals(v: pd.DataFrame, by: str, total_label: str) -> pd.DataFrame:
        """Visits and planned hours per ``by`` with a total row first."""
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

    @param.depends("quarter", "tgp")
    def tgp_timetable(self) -> pd.DataFrame:
        """The chosen TGP's visits in the quarter, in time order."""
        v = self.quarter_visits()
        return self._timetable(v[v["tgp_id"] == self.tgp]).drop(columns="tgp_id")

    @param.depends("quarter", "tgp")
    def tgp_totals(self) -> pd.DataFrame:
        """The chosen TGP's planned visits and hours in the quarter, in total and per team."""
        v = self.quarter_visits()
        return self._totals(v[v["tgp_id"] == self.tgp], "team_id", ALL_TEAMS)

    @param.depends("quarter", "team", "lpa")
    def team_timetable(self) -> pd.DataFrame:
        """The chosen team's visits in the quarter (to TGPs of the chosen LPA), in time order."""
        v = self._in_lpa(self._quarter_table())
        return self._timetable(v[v["team_id"] == self.team]).drop(columns="team_id")

    @param.depends("quarter", "team", "lpa")
    def team_totals(self) -> pd.DataFrame:
        """The chosen team's planned visits and hours in the quarter, in total and per TGP."""
        v = self._in_lpa(self._quarter_table())
        return self._totals(v[v["team_id"] == self.team], "tgp_id", "All TGPs")

    # ---- exports (planner.planning.export) ---------------------------------------------
    @property
    def synthetic(self) -> bool:
        return self.data.is_synthetic("plan_visits")

    def visits_csv(self) -> str:
        """The quarter's visits as CSV, written by :func:`planner.planning.export.write_csv`."""
        from planner.planning.export import write_csv

        with tempfile.TemporaryDirectory() as tmp:
            return write_csv(self.quarter_visits(), Path(tmp) / "visits.csv").read_text()

    def team_ics(self) -> str:
        """The chosen team's calendar for the quarter (:func:`planner.planning.export.ics_text`)."""
        from planner.planning.export import ics_text

        return ics_text(self.quarter_visits(), self.team, synthetic=self.synthetic)

    def briefing_html(self) -> str:
        """Printable briefing for the week shown and the LPA's TGPs
        (:func:`planner.planning.export.briefing_html`)."""
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
        s = self._sites
        web = s.geometry.to_crs(3857)
        return pd.DataFrame(
            {"lpa": s["lpa"].to_numpy(), "x": web.x.to_numpy(), "y": web.y.to_numpy()},
            index=pd.Index(s["site_id"].to_numpy(), name="site_id"),
        )

    @param.depends("servator_start", "servator_days", "servator_seed")
    def servator(self):
        """:func:`planner.planning.servator.plan_servator` over the TGPs as sites."""
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
        """The Servator plan's deployments at sites of the principal's LPAs (all without one)."""
        d = self.servator().deployments
        p = self.principal
        if p is None or p.all_lpas:
            return d
        lpa = d["site_id"].map(self._sites_web["lpa"])
        return d[lpa.isin(p.lpas if p.role == "inspector" else ()).to_numpy()]

    def servator_table(self) -> pd.DataFrame:
        """Deployments for display: date, local times, site, LPA, minutes and assets."""
        from planner.planning.servator import ASSETS

        d = self.deployments()
        lpa = self.data.tgps_bng.set_index("tgp_id")["lpa"]
        out = pd.DataFrame(
            {
                "date": d["date"].astype(str),
                "start": pd.DatetimeIndex(d["start"]).tz_convert(TZ).strftime("%H:%M"),
                "end": pd.DatetimeIndex(d["end"]).tz_convert(TZ).strftime("%H:%M"),
                "site": d["site_id"],
                "lpa": d["site_id"].map(lpa),
                "minutes": d["minutes"],
            }
        )
        names = pd.Series("", index=d.index, dtype="string")
        for a in ASSETS:  # five asset columns, not rows
            names = names + d[a].map({True: a + " ", False: ""}).astype("string")
        out["assets"] = names.str.strip().str.replace(" ", ", ").to_numpy()
        return out.reset_index(drop=True)

    def servator_sites(self) -> pd.DataFrame:
        """Sites used by the Servator plan for the map: per-site deployments and hours
        (:func:`planner.planning.servator.deployments_by_site`) with the site's LPA and its
        location ``x``/``y`` in EPSG:3857."""
        from planner.planning.servator import deployments_by_site

        by = deployments_by_site(self.deployments())
        out = by.join(self._sites_web, on="site_id")
        out["first"] = out["first"].astype(str)
        out["last"] = out["last"].astype(str)
        return out

    def servator_csv(self) -> str:
        """The deployments as CSV (:func:`planner.planning.export.write_csv`: ISO local times)."""
        from planner.planning.export import write_csv

        with tempfile.TemporaryDirectory() as tmp:
            p = write_csv(self.deployments(), Path(tmp) / "servator.csv")
            return p.read_text()

    def servator_ics(self) -> str:
        """The deployments as iCalendar (:func:`planner.planning.servator.deployments_ics`)."""
        from planner.planning.servator import deployments_ics

        return deployments_ics(self.deployments(), synthetic=self.servator_synthetic)

    def servator_filename(self, ext: str) -> str:
        tag = "_SYNTHETIC" if self.servator_synthetic else ""
        return f"servator_{self.servator_start}_{self.servator_days}d_seed{self.servator_seed}{tag}.{ext}"

"""State of the Commitments page (no Panel import): the paper's neighbourhood commitments.

State of the Commitments page (no Panel import): the paper's neighbourhood commitments
(issue 18) over the records store - any period, breakdowns at every level, engagement gaps,
abstraction click-through and by-type, commanders' objectives, tenure fills, NPP1/NPP2
trajectories, visibility two months side by side, the Guarantee and the community report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd
import param

from planner.app.data import AppData
from planner.app.state.common import Scoped

LEVELS: tuple[str, ...] = ("lpa", "sector", "team", "officer")
BREAKDOWNS: tuple[str, ...] = (
    "engagement_type",
    "method",
    "priority_group",
    "minority_group",
)


@dataclass(frozen=True)
class CommitmentsConfig:
    """Choices of the Commitments page (documented defaults).

    Attributes
    ----------
    benchmark
        The abstraction benchmark period (the demo's: the first quarter of FY2025).
    objectives
        Each LPA commander's objective: fractional reduction of abstraction hours per week.
    """

    benchmark: str = "2025-04-01:2025-06-30"
    objectives: dict[str, float] = field(
        default_factory=lambda: {"Birmingham": 0.25, "Sandwell": 0.2, "Wolverhampton": 0.1}
    )


#: the engagement drill-down's levels (keys of ``engagement_counts``), top first
DRILL_LEVELS: tuple[str, ...] = ("lpa", "sector", "team", "officer")
#: the abstraction drill-down's levels (keys of ``abstraction_summary``), top first
ABSTRACTION_LEVELS: tuple[str, ...] = ("lpa", "team", "officer")
#: the key column of each level
LEVEL_KEYS: dict[str, str] = {
    "lpa": "lpa",
    "sector": "sector_code",
    "team": "team_id",
    "officer": "officer_id",
}


class CommitmentsState(Scoped):
    """The Commitments page's choices and the frames it shows (all from the library).

    The engagement breakdown follows the engagement drill-down (:attr:`eng_drill`: LPA >
    sector > neighbourhood team > officer); the abstractions listed follow the abstraction
    drill-down (:attr:`abs_drill`), down to the officer whose bar was clicked
    (:attr:`officer`). Below the LPA level, frames hold only what :attr:`principal` may see.
    """

    data = cast("param.ClassSelector[AppData]", param.ClassSelector(class_=AppData, constant=True))
    period: param.Selector[str | None] = param.Selector(
        default=None, objects=[], doc="A period in the paper's words."
    )
    level: param.Selector[str] = param.Selector(default="lpa", objects=list(LEVELS))
    by: param.Selector[str] = param.Selector(default="engagement_type", objects=list(BREAKDOWNS))
    officer = param.String(default="", doc="Officer whose abstractions are listed.")
    version = param.Integer(default=0, doc="Bumped after a record is saved.")
    principal = param.Parameter(
        default=None,
        constant=True,
        doc="The signed-in planner.access.roles.Principal (None: no sign-in). Drilling below "
        "the LPA level is limited to its LPAs; officer-level rows to its scope "
        "(planner.access.scope.officer_rows); downloads are audited with its user.",
    )

    def __init__(
        self, data: AppData, store: Any, config: CommitmentsConfig | None = None, **params
    ):
        super().__init__(data=data, **params)
        from planner.access.scope import require
        from planner.app.state.commitments_drill import AbstractionDrill, EngagementDrill
        from planner.records.periods import period_choices

        require(self.principal, "commitments")
        self.store = store
        self.config = config or CommitmentsConfig()
        self.periods = period_choices(self.today)
        labels = list(self.periods)
        self.param.period.objects = labels
        if self.period not in labels:
            self.period = next((x for x in labels if x.startswith("since ")), labels[0])
        self._memo = functools.lru_cache(maxsize=64)(self._compute)
        self.eng_drill = EngagementDrill(commitments=self)
        self.abs_drill = AbstractionDrill(commitments=self)

    @property
    def today(self):
        """The workspace's today (periods in words are read against it)."""
        return self.data.ws.today

    def add_period(self, text: str) -> str:
        """Offer and choose a period typed in the paper's words.

        For example "since 3 July 2025", "week commencing 29 September", "October 2025",
        "FY2024" or "2025-07-01:2025-09-30".

        Parameters
        ----------
        text
            The period as :func:`planner.records.periods.parse_period` reads it.

        Returns
        -------
        str
            The label chosen (the text as typed, trimmed).

        Raises
        ------
        planner.errors.PlannerError
            When the text is not a period (the message says which forms are read).
        """
        from planner.records.periods import parse_period

        label = " ".join(str(text).split())
        span = parse_period(label, self.today)
        if label not in self.periods:
            self.periods[label] = span
            self.param.period.objects = [*self.param.period.objects, label]
        self.period = label
        return label

    @property
    def span(self):
        """The chosen period as a :class:`planner.records.periods.Period`."""
        return self.periods[self.period]

    def _compute(self, what: str, period: str, version: int, *args: Any) -> pd.DataFrame:
        from planner.records import analytics as ra
        from planner.records import guarantee as gu
        from planner.records import neighbourhood as nb

        p = self.periods[period]
        s = self.store
        if what == "breakdown":
            level, by, path = args
            lpa, sector, team = (list(path) + [None, None, None])[:3]
            frame = self._get_for(period, version, "engagements")
            return ra.engagement_counts(
                s, p, level=level, by=by, lpa=lpa, sector=sector, team_id=team, frame=frame
            )
        if what == "engagements":  # the period's engagements, shared by the breakdowns
            return ra.engagements_frame(s, p)
        if what == "abs_counts":
            level, path = args
            c = ra.abstraction_summary(s, p, by=level)
            for col, key in zip(("lpa", "team_id"), path):
                c = c[c[col] == key]
            return c.reset_index(drop=True)
        if what == "gaps":
            return nb.engagement_gaps_by(s, p, level=args[0])
        if what == "by_type":
            return ra.abstraction_summary(s, p, by="abstraction_type")
        if what == "details":
            officer, path = args
            lpa, team = (list(path) + [None, None])[:2]
            return nb.abstraction_details(s, p, officer_id=officer or None, lpa=lpa, team_id=team)
        if what == "tgp":
            return nb.engagement_by_tgp(s, self.data.tgps_bng, p, by=args[0])
        if what == "objectives":
            return nb.objectives_by_month(
                s, self.config.benchmark, p, self.config.objectives, today=self.today
            )
        if what == "fills":
            return nb.vacancy_fills(s, p)
        if what == "training":
            return nb.training_trajectory(s, p, nb.TrainingTarget(course=args[0]))
        if what == "soh":
            return gu.soh_by_month(s, p)
        if what == "milestones":
            return gu.milestone_status(s, p.end)
        raise ValueError(what)  # pragma: no cover

    def _get(self, what: str, *args: Any) -> pd.DataFrame:
        return self._memo(what, self.period, self.version, *args)

    def _get_for(self, period: str, version: int, what: str, *args: Any) -> pd.DataFrame:
        return self._memo(what, period, version, *args)

    # ---- scope --------------------------------------------------------------------------
    def check_path(self, path: list[str] | tuple[str, ...]) -> None:
        """Refuse a drill path below an LPA outside the principal's scope.

        Parameters
        ----------
        path
            Keys chosen so far (an LPA first).

        Raises
        ------
        planner.errors.AccessDenied
            When the principal may not see officer-level data of ``path[0]``.
        """
        p = self.principal
        if path and p is not None and not p.sees_lpa(path[0]):
            from planner.access.scope import refuse

            raise refuse(
                p,
                f"{p.user} ({p.role}) may not see team or officer data of {path[0]}",
                {"attempt": "drill", "lpa": str(path[0])},
            )

    def scoped(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df``'s officer-level rows within the principal's scope.

        A frame without an ``officer_id`` column (aggregates) is returned as it is.

        Parameters
        ----------
        df
            A frame with ``lpa`` (and ``officer_id`` when officer-level).

        Returns
        -------
        pandas.DataFrame
        """
        if "officer_id" not in df.columns or self.principal is None:
            return df
        from planner.access.scope import officer_rows

        return officer_rows(df, self.principal).reset_index(drop=True)

    # ---- engagement -----------------------------------------------------------------------
    def breakdown(self) -> pd.DataFrame:
        """Engagements at the level below the engagement drill path, within it, by :attr:`by`.

        Returns
        -------
        pandas.DataFrame
            ``engagement_counts`` rows with ``lpa``/``sector``/``team_id`` from the path.
        """
        return self.breakdown_at(list(self.eng_drill.path), self.by)

    def breakdown_at(self, path: list[str], by: str | None) -> pd.DataFrame:
        """Engagements at the level below ``path`` (LPA > sector > team > officer).

        Parameters
        ----------
        path
            LPA, sector code, team id chosen so far (top first).
        by
            A breakdown column (:data:`BREAKDOWNS`) or None (totals only).

        Returns
        -------
        pandas.DataFrame
            ``engagement_counts`` rows (key columns, a column per category, ``engagements``).
        """
        self.check_path(path)
        level = DRILL_LEVELS[len(path)]
        return self.scoped(self._get("breakdown", level, by, tuple(path)))

    def gaps(self) -> pd.DataFrame:
        """Engagement gaps at the chosen level (wards when "officer" or "team").

        Returns
        -------
        pandas.DataFrame
            As :func:`planner.records.neighbourhood.engagement_gaps_by`.
        """
        level = {"lpa": "lpa", "sector": "sector"}.get(self.level, "ward")
        t = self._get("gaps", level)
        if level == "lpa" or self.principal is None:
            return t
        if level == "sector":
            from planner.records import analytics as ra

            sec = ra.sectors(self.store).drop_duplicates("sector_code")
            w = self.store.frame("wards")
            lpa = sec["ward_code"].map(dict(zip(w["ward_code"], w["lpa"])))
            of = dict(zip(sec["sector_code"], lpa))
            t = t.assign(lpa=t["sector_code"].map(of).to_numpy())
            return self.rows(t).drop(columns="lpa").reset_index(drop=True)
        return self.rows(t).reset_index(drop=True)

    def ward_gaps(self) -> pd.DataFrame:
        """Engagement gaps per ward (for the map).

        Returns
        -------
        pandas.DataFrame
            ``ward_code, population, engagements, expected, ratio, gap``.
        """
        return self._get("gaps", "ward")

    def tgp_engagements(self) -> pd.DataFrame | None:
        """Engagements inside each TGP broken down :attr:`by`.

        Returns
        -------
        pandas.DataFrame or None
            A row per TGP; None without a TGP layer.
        """
        if not self.data.has("tgps"):
            return None
        return self._get("tgp", self.by)

    # ---- abstractions ---------------------------------------------------------------------
    def abstraction_counts(self, path: list[str]) -> pd.DataFrame:
        """Abstraction hours at the level below ``path`` (LPA > team > officer).

        Parameters
        ----------
        path
            LPA and team id chosen so far.

        Returns
        -------
        pandas.DataFrame
            ``abstraction_summary`` rows (``lpa``, ``team_id``, ``officer_id``, ``hours`` ...).
        """
        self.check_path(path)
        level = ABSTRACTION_LEVELS[len(path)]
        return self.scoped(self._get("abs_counts", level, tuple(path)))

    def abstraction_by_type(self) -> pd.DataFrame:
        """Abstractions and hours lost by abstraction type in the period.

        Returns
        -------
        pandas.DataFrame
            As :func:`planner.records.analytics.abstraction_summary`.
        """
        return self._get("by_type")

    def abstraction_details(self, officer_id: str | None = None) -> pd.DataFrame:
        """The specific abstractions behind a bar.

        Those of the clicked officer (:attr:`officer`), else those within the abstraction
        drill path (all at the top).

        Parameters
        ----------
        officer_id
            An officer whose abstractions to list instead of :attr:`officer`.

        Returns
        -------
        pandas.DataFrame
            One row per abstraction, within the principal's scope.
        """
        path = tuple(self.abs_drill.path)
        self.check_path(path)
        oid = officer_id if officer_id is not None else self.officer
        return self.scoped(self._get("details", oid or "", path))

    def objectives(self) -> pd.DataFrame:
        """Each LPA's abstraction objective month by month against the benchmark.

        Returns
        -------
        pandas.DataFrame
            As :func:`planner.records.neighbourhood.objectives_by_month`.
        """
        return self._get("objectives")

    def vacancy_fills(self) -> pd.DataFrame:
        """DNO vacancies of the period and who filled them.

        Returns
        -------
        pandas.DataFrame
            One row per vacancy; the filler is shown only within scope (rows are filtered
            as officer-level rows of ``filled_by``).
        """
        f = self._get("fills")
        if self.principal is None:
            return f
        from planner.access.scope import officer_rows

        return officer_rows(f, self.principal, officer_col="filled_by").reset_index(drop=True)

    def training(self, course: str = "NPP1") -> pd.DataFrame:
        """Completion of a course month by month against its target.

        Parameters
        ----------
        course : str
            The course (``NPP1``, ``NPP2``).

        Returns
        -------
        pandas.DataFrame
            As :func:`planner.records.neighbourhood.training_trajectory`.
        """
        return self._get("training", course)

    def soh(self) -> pd.DataFrame:
        """Single Online Home compliance per month and LPA in the period.

        Returns
        -------
        pandas.DataFrame
            As :func:`planner.records.guarantee.soh_by_month`.
        """
        return self._get("soh")

    def milestones(self) -> pd.DataFrame:
        """Action plan milestones with their status on the period's last day.

        Returns
        -------
        pandas.DataFrame
            As :func:`planner.records.guarantee.milestone_status`.
        """
        return self._get("milestones")

    def visibility(self) -> pd.DataFrame:
        """The last two full months before today side by side per LPA.

        Returns
        -------
        pandas.DataFrame
            One row per LPA (computed once per workspace: the months follow today, not the
            period; :attr:`planner.app.data.AppData.visibility_two_months`).
        """
        return self.data.visibility_two_months

    def report_html(self, area: str) -> str:
        """The public community report for ``area`` and the chosen period (HTML text).

        Each call is audited first (:func:`planner.access.scope.audited`, "download").

        Parameters
        ----------
        area
            A ward, neighbourhood team, sector or LPA code (:meth:`areas`).

        Returns
        -------
        str
            The report page (synthetic data labelled by the report itself).
        """
        from planner.access.audit import log_event
        from planner.access.scope import audited, refuse
        from planner.reports.community import build_community_report, render_html

        if area not in set(self.areas().values()):  # the principal's LPAs' areas only
            who = self.principal.user if self.principal else "?"
            detail = {"attempt": "report", "area": str(area)}
            raise refuse(self.principal, f"{who} may not report on area {area!r}", detail)

        def make() -> str:
            rep = build_community_report(self.store, area, self.span, ws=self.data.ws)
            return render_html(rep, produced=self.today)

        run = audited(
            make,
            audit=functools.partial(log_event, self.store),
            principal=self.principal,
            what="community_report",
            detail={"area": area, "period": self.period},
            action="download",
        )
        return run()

    def areas(self) -> dict[str, str]:
        """Report areas: label -> code (wards, teams, sectors, LPAs).

        Returns
        -------
        dict of str to str
            ``{"LPA: name": name, "Sector: ...": code, ...}``.
        """
        from planner.records import analytics as ra

        w = self.rows(self.store.frame("wards").sort_values("ward_code"))
        out = {f"LPA: {x}": str(x) for x in sorted(w["lpa"].dropna().unique())}
        sec = ra.sectors(self.store)
        sec = sec[sec["ward_code"].isin(w["ward_code"])]
        for code, name in sorted(set(zip(sec["sector_code"], sec["sector_name"]))):
            out[f"Sector: {name or code}"] = str(code)
        t = self.rows(self.store.frame("teams"))
        t = t[t["kind"] == "neighbourhood"] if "kind" in t else t
        for tid, name in zip(t["team_id"], t["name"]):
            out[f"Team: {name or tid}"] = str(tid)
        for code, name in zip(w["ward_code"], w["ward"]):
            out[f"Ward: {name} ({code})"] = str(code)
        return out

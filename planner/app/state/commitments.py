"""State of the Commitments page (no Panel import): the paper's neighbourhood commitments
(issue 18) over the records store - any period, breakdowns at every level, engagement gaps,
abstraction click-through and by-type, commanders' objectives, tenure fills, NPP1/NPP2
trajectories, visibility two months side by side, the Guarantee and the community report."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

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


class CommitmentsState(Scoped):
    """The Commitments page's choices and the frames it shows (all from the library).

    With a ``principal`` (intelligence or inspector) team, sector, ward and officer rows, the
    abstractions behind a bar, vacancy fills and the community report areas are those of its
    LPAs; per-LPA and force figures stay as aggregates."""

    data = param.ClassSelector(class_=AppData, constant=True)
    period = param.Selector(default=None, objects=[], doc="A period in the paper's words.")
    level = param.Selector(default="lpa", objects=list(LEVELS))
    by = param.Selector(default="engagement_type", objects=list(BREAKDOWNS))
    officer = param.String(default="", doc="Officer whose abstractions are listed.")
    version = param.Integer(default=0, doc="Bumped after a record is saved.")

    def __init__(
        self, data: AppData, store: Any, config: CommitmentsConfig | None = None, **params
    ):
        super().__init__(data=data, **params)
        from planner.access.scope import require
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

    @property
    def today(self):
        return self.data.ws.today

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
            level, by = args
            return ra.engagement_counts(s, p, level=level, by=by)
        if what == "gaps":
            return nb.engagement_gaps_by(s, p, level=args[0])
        if what == "by_type":
            return ra.abstraction_summary(s, p, by="abstraction_type")
        if what == "details":
            return nb.abstraction_details(s, p, officer_id=args[0] or None)
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

    def breakdown(self) -> pd.DataFrame:
        """Engagements at :attr:`level` broken down :attr:`by` (``engagement_counts``)."""
        t = self._get("breakdown", self.level, self.by)
        if self.level == "lpa":
            return t  # per-LPA aggregates
        return self.rows(t, officer_col="officer_id" if self.level == "officer" else None)

    def gaps(self) -> pd.DataFrame:
        """Engagement gaps at the chosen level (wards when "officer" or "team")."""
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

    def abstraction_by_type(self) -> pd.DataFrame:
        return self._get("by_type")

    def abstraction_details(self, officer_id: str | None = None) -> pd.DataFrame:
        """The specific abstractions behind an officer's bar (all when none is chosen), of
        officers in the principal's scope."""
        t = self._get("details", officer_id if officer_id is not None else self.officer)
        return self.rows(t, officer_col="officer_id").reset_index(drop=True)

    def objectives(self) -> pd.DataFrame:
        return self._get("objectives")

    def vacancy_fills(self) -> pd.DataFrame:
        """DNO vacancies and the officers who filled them, in the principal's LPAs."""
        return self.rows(self._get("fills")).reset_index(drop=True)

    def training(self, course: str = "NPP1") -> pd.DataFrame:
        return self._get("training", course)

    def soh(self) -> pd.DataFrame:
        return self._get("soh")

    def milestones(self) -> pd.DataFrame:
        return self._get("milestones")

    def visibility(self) -> pd.DataFrame:
        """The last two full months before today side by side per LPA."""
        from planner.records.neighbourhood import visibility_two_months

        return visibility_two_months(self.data.ws, self.today)

    def report_html(self, area: str) -> str:
        """The public community report for ``area`` and the chosen period (HTML text); an
        area outside :meth:`areas` (the principal's LPAs) is refused."""
        from planner.errors import AccessDenied
        from planner.reports.community import build_community_report, render_html

        if area not in set(self.areas().values()):
            who = self.principal.user if self.principal else "?"
            raise AccessDenied(f"{who} may not report on area {area!r}")

        rep = build_community_report(self.store, area, self.span, ws=self.data.ws)
        return render_html(rep, produced=self.today)

    def areas(self) -> dict[str, str]:
        """Report areas: label -> code (wards, teams, sectors, LPAs)."""
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

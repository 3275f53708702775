"""State of the Tasking page (no Panel import): targeting by need (issue 19).

Sections, each shown only to the roles whose capability allows it (and checked again in the
library, where the data is read, whatever a client asks for):

* tasking meetings and their review (``tasking``: intelligence, inspectors - own LPAs -, advance);
* people: offenders ranked by harm, repeat and vulnerable victims, reassurance visits
  (``nominals``: intelligence and inspectors of the LPA; every view audited with the user);
* Op Advance: the rotation calendar, the LPA's days of action, and a day's wanted suspects
  (``advance`` / ``wanted_on_day``);
* problem solving and money: SYV POP plans and the grant spend (``plans``).

Hours are stated in the unit of the target (:mod:`planner.units`).
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
import param

from planner.access.scope import lpa_choices, may
from planner.app.data import AppData
from planner.app.state.common import Scoped
from planner.errors import PlannerError
from planner.units import PATROL_HOURS, UNITS

#: section -> (label, capability)
SECTIONS: dict[str, tuple[str, str]] = {
    "tasking": ("Tasking and review", "tasking"),
    "people": ("People by need", "nominals"),
    "advance": ("Op Advance calendar and days", "advance"),
    "wanted": ("Wanted on the day", "wanted_on_day"),
    "pop": ("POP plans and grant spend", "plans"),
}


class TaskingState(Scoped):
    """The Tasking page's choices and the frames it shows (all from :mod:`planner.tasking`)."""

    data = cast("param.ClassSelector[AppData]", param.ClassSelector(class_=AppData, constant=True))
    lpa: param.Selector[str | None] = param.Selector(default=None, objects=[])
    unit: param.Selector[str] = param.Selector(default=PATROL_HOURS, objects=list(UNITS))
    grant_gbp = param.Number(default=3_700_000.0, bounds=(1, None), doc="The grant (GBP).")
    day_id: param.Selector[str | None] = param.Selector(default=None, objects=[], allow_None=True)
    version = param.Integer(default=0, doc="Bumped after a change.")
    principal = param.Parameter(default=None, constant=True, doc="The signed-in principal.")

    def __init__(self, data: AppData, store: Any, **params):
        super().__init__(data=data, **params)
        self.store = store
        self.param.lpa.objects = lpa_choices(self.principal, data.lpa_names()) or [None]
        self.param.lpa.check_on_set = True  # an LPA outside the principal's is refused
        if self.lpa is None:
            self.lpa = self.param.lpa.objects[0]
        self._days()

    @property
    def today(self):
        """The workspace's today (upcoming days and overdue actions are read against it)."""
        return self.data.ws.today

    def synthetic(self) -> bool:
        """Whether the store's tasking, calendar, POP or spend rows are synthetic (the demo).

        Returns
        -------
        bool
            True when any of those tables holds a synthetic row.
        """
        return any(
            bool(self.store.frame(t)["synthetic"].any())
            for t in ("tasking_items", "advance_calendar", "pop_plans", "grant_spend")
        )

    def sections(self) -> list[str]:
        """The sections this principal may see, in page order.

        Returns
        -------
        list of str
            Keys of :data:`SECTIONS` whose capability the principal has.
        """
        return [k for k, (_l, cap) in SECTIONS.items() if may(self.principal, cap)]

    def _table(self, name: str) -> pd.DataFrame | None:
        return self.data.table(name) if self.data.has(name) else None

    @param.depends("lpa", "version")
    def items(self) -> pd.DataFrame:
        """The LPA's tasking items (person targets masked without the nominals capability).

        Returns
        -------
        pandas.DataFrame
            :func:`planner.tasking.meetings.tasking_items` for the selected LPA.
        """
        from planner.tasking.meetings import tasking_items

        return tasking_items(self.store, self.principal, lpa=self.lpa, today=self.today)

    @param.depends("lpa", "unit", "version")
    def review(self) -> dict[str, Any]:
        """:func:`planner.tasking.meetings.tasking_review` for the LPA in the chosen unit.

        Returns
        -------
        dict of str to Any
            The review: ``lpa``, ``unit``, ``actions`` by status and ``places``.
        """
        from planner.tasking.meetings import tasking_review

        return tasking_review(
            self.store,
            self.principal,
            lpa=self.lpa,
            plan=self._table("plan_visits"),
            delivered=self._table("delivered_place_days"),
            unit=self.unit,
            today=self.today,
        )

    def review_places(self) -> pd.DataFrame:
        """The review's place targets as a table (hours in the chosen unit).

        Returns
        -------
        pandas.DataFrame
            One row per place target, hours columns named with the unit.
        """
        rep = self.review()
        df = pd.DataFrame(rep["places"])
        if len(df):
            df = df.rename(
                columns={
                    "planned_hours": f"planned {rep['unit']}",
                    "delivered_hours": f"delivered {rep['unit']}",
                }
            )
        return df

    def review_line(self) -> str:
        """One line: the LPA's actions by status, and the unit of the hours.

        Returns
        -------
        str
            The summary line shown above the review.
        """
        rep = self.review()
        a = rep["actions"]
        return (
            f"{rep['lpa']}: {a['total']} actions (open {a['open']}, in progress "
            f"{a['in_progress']}, done {a['done']}, dropped {a['dropped']}; overdue "
            f"{a['overdue']}). Delivery at place targets in {rep['unit']}."
        )

    @param.depends("lpa", "version")
    def offenders(self) -> pd.DataFrame:
        """The LPA's offenders ranked by harm (top 20; the view is audited).

        Returns
        -------
        pandas.DataFrame
            :func:`planner.tasking.people.offender_ranking`, top 20.
        """
        from planner.tasking.people import offender_ranking

        return offender_ranking(self.store, self.principal, lpa=self.lpa, top=20)

    @param.depends("lpa", "version")
    def victims(self) -> pd.DataFrame:
        """The LPA's repeat, high-risk and vulnerable victims (audited).

        Returns
        -------
        pandas.DataFrame
            :func:`planner.tasking.people.repeat_victims` without the home location.
        """
        from planner.tasking.people import repeat_victims

        v = repeat_victims(self.store, self.principal, lpa=self.lpa)
        return v.drop(columns=["home_x", "home_y"])

    @param.depends("lpa", "version")
    def reassurance(self) -> pd.DataFrame:
        """The LPA's reassurance visits with their delivery (audited).

        Returns
        -------
        pandas.DataFrame
            :func:`planner.tasking.people.reassurance_plan` for the selected LPA.
        """
        from planner.tasking.people import reassurance_plan

        return reassurance_plan(self.store, self.principal, lpa=self.lpa)

    def plan_reassurance(self, days: int = 7, per_day: int = 2) -> int:
        """Plan the next ``days`` days of reassurance visits for the LPA (audited).

        Parameters
        ----------
        days : int
            How many days, from the workspace's tomorrow.
        per_day : int
            Visits planned per day.

        Returns
        -------
        int
            The number of visits planned.
        """
        from datetime import timedelta

        from planner.tasking.people import plan_reassurance

        out = plan_reassurance(
            self.store,
            self.principal,
            lpa=self.lpa,
            start=self.today + timedelta(days=1),
            days=days,
            per_day=per_day,
        )
        self.version += 1
        return len(out)

    @param.depends("version")
    def calendar(self) -> pd.DataFrame:
        """The Op Advance rotation calendar.

        Returns
        -------
        pandas.DataFrame
            ``month, lpa, edited`` (edited: the month was set by hand).
        """
        from planner.tasking.advance import calendar

        c = calendar(self.store)
        return c.assign(edited=c["edited_by"].notna())[["month", "lpa", "edited"]]

    def generate_calendar(self, start: str | None = None, months: int = 12) -> None:
        """Generate the year ahead (edited months kept; audited).

        Parameters
        ----------
        start : str or None
            First month (YYYY-MM); None: the month after the workspace's today.
        months : int
            How many months to generate.
        """
        from planner.tasking.advance import generate_calendar

        start = start or str(pd.Period(self.today, freq="M") + 1)
        generate_calendar(
            self.store, self.data.lpa_names(), start, months, principal=self.principal
        )
        self.version += 1

    def set_month(self, month: str, lpa: str) -> None:
        """Edit one month by hand (audited).

        Parameters
        ----------
        month : str
            The month (YYYY-MM).
        lpa : str
            The LPA whose month of action it becomes.
        """
        from planner.tasking.advance import set_month

        set_month(self.store, month, lpa, principal=self.principal, lpas=self.data.lpa_names())
        self.version += 1

    def _days(self) -> None:
        from planner.tasking.advance import days

        ids = list(days(self.store, self.lpa)["day_id"]) if self.lpa else []
        self.param.day_id.objects = [None, *ids]
        self.param.day_id.check_on_set = True  # a day of another LPA is refused
        if self.day_id not in ids:
            self.day_id = ids[-1] if ids else None

    @param.depends("lpa", "version", watch=True)
    def _refresh_days(self) -> None:
        self._days()

    @param.depends("lpa", "version")
    def advance_days(self) -> pd.DataFrame:
        """The LPA's days of action (locations, wanted count, checklist, results).

        Returns
        -------
        pandas.DataFrame
            :func:`planner.tasking.advance.days` for the selected LPA.
        """
        from planner.tasking.advance import days

        return days(self.store, self.lpa)

    def plan_day(
        self, day: str, resources: dict[str, int], checklist: dict[str, bool]
    ) -> dict[str, Any]:
        """Plan (or update) the LPA's day of action from its Op Advance briefing (audited).

        The locations are the top targets of the LPA's briefing on the workspace's today; the
        LPA's wanted suspects are attached (for roles that may see them: checked in the
        library).

        Parameters
        ----------
        day : str
            The date (YYYY-MM-DD).
        resources : dict
            ``{resource: count}`` (:data:`planner.tasking.advance.RESOURCE_KEYS`).
        checklist : dict
            ``{item: done}`` of the communications checklist.

        Returns
        -------
        dict
            The day (:func:`planner.tasking.advance.day_record`).
        """
        from datetime import date

        from planner.tasking.advance import locations_from_targets, plan_day

        try:
            when = date.fromisoformat(str(day).strip())
        except ValueError:
            raise PlannerError(f"day {day!r} is not a date (use YYYY-MM-DD)") from None
        if not self.lpa:
            raise PlannerError("choose an LPA first")
        ws = self.data.ws
        b = self.data.advance(self.lpa, str(self.today))
        rec = plan_day(
            self.store,
            self.lpa,
            when,
            locations=locations_from_targets(b.targets),
            resources=resources,
            checklist=checklist,
            principal=self.principal,
            synthetic=bool(ws.series_table and ws.is_synthetic(ws.series_table)),
        )
        self.version += 1
        self.day_id = rec["day_id"]
        return rec

    def record_results(self, results: dict[str, int]) -> dict[str, Any]:
        """Record the chosen day's results (arrests, visits, engagements; audited).

        Parameters
        ----------
        results : dict
            ``{result: count}`` (:data:`planner.tasking.advance.RESULT_KEYS`).

        Returns
        -------
        dict
            The day (:func:`planner.tasking.advance.day_record`).
        """
        from planner.tasking.advance import record_results

        if not self.day_id:
            raise PlannerError("choose a day of action first (or plan one)")
        rec = record_results(self.store, self.day_id, results, principal=self.principal)
        self.version += 1
        return rec

    @param.depends("day_id", "version")
    def wanted(self) -> pd.DataFrame:
        """The wanted suspects of the chosen day of action (audited; none chosen: empty).

        Returns
        -------
        pandas.DataFrame
            :func:`planner.tasking.people.wanted_for_day` without the home location.
        """
        from planner.tasking.people import wanted_for_day

        if not self.day_id:
            return pd.DataFrame(columns=["nominal_id", "lpa", "wanted_since", "offences", "harm"])
        return wanted_for_day(self.store, self.principal, self.day_id).drop(
            columns=["home_x", "home_y"]
        )

    @param.depends("version")
    def pop(self) -> pd.DataFrame:
        """The SYV POP plans (SARA stage, status) per TGP.

        Returns
        -------
        pandas.DataFrame
            ``plan_id, tgp_id, title, stage, status, owner, updated_on``.
        """
        from planner.tasking.pop import pop_plans

        cols = ["plan_id", "tgp_id", "title", "stage", "status", "owner", "updated_on"]
        return pop_plans(self.store, self.principal)[cols]

    @param.depends("unit", "grant_gbp", "version")
    def spend(self) -> dict[str, Any]:
        """:func:`planner.tasking.pop.spend_report` in the chosen unit.

        Returns
        -------
        dict of str to Any
            Spend against the grant, delivered hours and cost per hour, by method.
        """
        from planner.tasking.pop import spend_report

        return spend_report(
            self.store,
            self.principal,
            grant_gbp=self.grant_gbp,
            delivered=self._table("delivered_place_days"),
            unit=self.unit,
        )

    def spend_line(self) -> str:
        """One line: spend against the grant and the cost per hour in the unit.

        Returns
        -------
        str
            The summary line shown above the spend table.
        """
        r = self.spend()
        cph = "-" if r["cost_per_hour"] is None else f"GBP {r['cost_per_hour']:,.2f}"
        hrs = "-" if r["delivered_hours"] is None else f"{r['delivered_hours']:,.1f}"
        return (
            f"Spent GBP {r['spent_gbp']:,.2f} of GBP {r['grant_gbp']:,.0f} "
            f"({r['spent_share']:.1%}); delivered {hrs} {r['unit']}; cost per "
            f"{r['unit'][:-1]}: {cph}"
        )

    def spend_by_method(self) -> pd.DataFrame:
        """Spend by delivery method with the cost per hour in the unit.

        Returns
        -------
        pandas.DataFrame
            One row per method, columns named with the unit.
        """
        r = self.spend()
        df = pd.DataFrame(r["by_method"])
        if len(df):
            df = df.rename(
                columns={
                    "delivered_hours": f"delivered {r['unit']}",
                    "cost_per_hour": f"GBP per {r['unit'][:-1]}",
                }
            )
        return df

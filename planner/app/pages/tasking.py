"""The Tasking page (issue 19).

Tasking meetings and their review, people by need, the Op Advance calendar and days, SYV POP
plans and the grant spend - each section only for the roles that may see it (checked again in
the library on every read).
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui
import param

from planner.app.cache import get_store
from planner.app.components.tables import table
from planner.app.pages.base import Page
from planner.app.state.tasking import SECTIONS, TaskingState
from planner.errors import PlannerError

SENSITIVE = (
    "OFFICIAL-SENSITIVE: pseudonymised nominal records. Every view is written to the audit "
    "trail with your user name."
)


class TaskingPage(Page):
    """Targeting by need: tasking and review, people, Op Advance days, POP and spend."""

    title = "Tasking"
    slug = "tasking"
    records_url = param.String(default=None, allow_None=True)

    def __init__(self, **params):
        super().__init__(**params)
        from planner.records import default_store_path

        url = self.records_url or str(default_store_path(self.data.ws))
        self.state = TaskingState(self.data, get_store(url), principal=self.principal)
        self.message = pmui.Typography("", variant="body2", css_classes=["tasking-message"])

    def _guard(self, fn):
        """A table callback that shows a refusal or an input problem as text, not a trace."""

        def run(*_):
            try:
                return fn()
            except PlannerError as e:
                return pd.DataFrame({"note": [str(e)]})

        return run

    def _say(self, fn) -> None:
        """Run a change and show its message, or the refusal or input problem, as text."""
        try:
            self.message.object = fn()
        except PlannerError as e:
            self.message.object = str(e)

    def _bound(self, fn, *deps):
        return table(pn.bind(self._guard(fn), *deps), height=260)

    def _tasking(self) -> list:
        p = self.state.param

        def heading(unit: str) -> str:
            return f"Review of targeted activity at place targets ({unit})"

        return [
            pmui.Typography(
                pn.bind(lambda *_: self.state.review_line(), p.lpa, p.unit, p.version),
                variant="body1",
                css_classes=["tasking-review-line"],
            ),
            pmui.Typography("Actions (target, owner, due, outcome)", variant="h6"),
            self._bound(self.state.items, p.lpa, p.version),
            pmui.Typography(
                pn.bind(heading, p.unit),
                variant="h6",
            ),
            self._bound(self.state.review_places, p.lpa, p.unit, p.version),
        ]

    def _people(self) -> list:
        p = self.state.param

        def plan(_event=None):
            self._say(
                lambda: f"{self.state.plan_reassurance()} reassurance visits planned (audited)"
            )

        btn = pmui.Button(label="Plan reassurance visits (next 7 days)", css_classes=["plan-rv"])
        btn.on_click(plan)
        return [
            pmui.Alert(object=SENSITIVE, severity="warning"),
            pmui.Typography(
                "Offenders ranked by harm (harm-table days: CCHI per offence code when imported)",
                variant="h6",
            ),
            self._bound(self.state.offenders, p.lpa, p.version),
            pmui.Typography("Repeat, high-risk and vulnerable victims", variant="h6"),
            self._bound(self.state.victims, p.lpa, p.version),
            pmui.Typography("Reassurance visits beside the patrols", variant="h6"),
            pn.Row(btn, self.message),
            self._bound(self.state.reassurance, p.lpa, p.version),
        ]

    def _advance(self) -> list:
        p = self.state.param
        month = pmui.TextInput(label="Month (YYYY-MM)", width=160, css_classes=["cal-month"])
        lpa = pmui.Select(
            label="LPA", options=list(self.data.lpa_names()), width=200, css_classes=["cal-lpa"]
        )

        def gen(_e=None):
            def run():
                self.state.generate_calendar()
                return "calendar generated for the year ahead (edits kept)"

            self._say(run)

        def edit(_e=None):
            def run():
                self.state.set_month(month.value, lpa.value)
                return f"{month.value}: {lpa.value} (edited, audited)"

            self._say(run)

        g = pmui.Button(label="Generate the year ahead", css_classes=["cal-generate"])
        g.on_click(gen)
        e = pmui.Button(label="Set month", css_classes=["cal-set"])
        e.on_click(edit)
        return [
            pmui.Typography("Rotation: one LPA a month", variant="h6"),
            pn.Row(g, month, lpa, e, self.message),
            self._bound(self.state.calendar, p.version),
            pmui.Typography("Days of action", variant="h6"),
            self._bound(self.state.advance_days, p.lpa, p.version),
            *self._day_form(),
        ]

    def _day_form(self) -> list:
        """The day-of-action plan (locations from the briefing) and results forms."""
        from planner.tasking.advance import DEFAULT_CHECKLIST, RESOURCE_KEYS, RESULT_KEYS

        day = pmui.TextInput(label="Day (YYYY-MM-DD)", width=160, css_classes=["day-date"])
        res = {k: pmui.IntInput(label=k, value=0, start=0, width=100) for k in RESOURCE_KEYS}
        chk = {k: pmui.Checkbox(label=k, value=False) for k in DEFAULT_CHECKLIST}
        out = {k: pmui.IntInput(label=k, value=0, start=0, width=120) for k in RESULT_KEYS}

        def planned() -> str:
            rec = self.state.plan_day(
                day.value,
                {k: int(w.value or 0) for k, w in res.items()},
                {k: bool(w.value) for k, w in chk.items()},
            )
            return (
                f"{rec['day_id']}: {len(rec['locations'])} locations from the briefing, "
                f"{rec['wanted_count']} wanted (audited)"
            )

        def recorded() -> str:
            rec = self.state.record_results({k: int(w.value or 0) for k, w in out.items()})
            got = ", ".join(f"{k} {rec[k]}" for k in RESULT_KEYS)
            return f"{rec['day_id']}: {got} (audited)"

        pb = pmui.Button(label="Plan the day from the briefing", css_classes=["day-plan"])
        pb.on_click(lambda _e: self._say(planned))
        rb = pmui.Button(label="Record results", css_classes=["day-results"])
        rb.on_click(lambda _e: self._say(recorded))
        return [
            pmui.Typography("Plan a day of action (resources, communications)", variant="h6"),
            pn.Row(day, *res.values(), css_classes=["day-resources"]),
            pn.Column(*chk.values(), css_classes=["day-checklist"]),
            pb,
            pmui.Typography("Results of the chosen day", variant="h6"),
            pn.Row(
                pmui.Select.from_param(self.state.param.day_id, label="Day of action", width=320),
                *out.values(),
                rb,
                css_classes=["day-results-form"],
            ),
        ]

    def _wanted(self) -> list:
        p = self.state.param
        return [
            pmui.Alert(object=SENSITIVE, severity="warning"),
            pmui.Select.from_param(
                p.day_id, label="Day of action", width=320, css_classes=["tasking-day"]
            ),
            self._bound(self.state.wanted, p.day_id, p.version),
        ]

    def _pop(self) -> list:
        p = self.state.param
        return [
            pmui.Typography("SYV POP plans per TGP (SARA)", variant="h6"),
            self._bound(self.state.pop, p.version),
            pmui.Typography(
                pn.bind(lambda *_: self.state.spend_line(), p.unit, p.grant_gbp, p.version),
                variant="body1",
                css_classes=["spend-line"],
            ),
            self._bound(self.state.spend_by_method, p.unit, p.grant_gbp, p.version),
        ]

    def __panel__(self):
        p = self.state.param
        build = {
            "tasking": self._tasking,
            "people": self._people,
            "advance": self._advance,
            "wanted": self._wanted,
            "pop": self._pop,
        }
        secs = self.state.sections()
        if not secs:
            body: pn.viewable.Viewable = pmui.Alert(
                object="Your role has no tasking or targeting data.", severity="info"
            )
        else:
            body = pn.Tabs(
                *[(SECTIONS[s][0], pn.Column(*build[s]())) for s in secs],
                css_classes=["tasking-tabs"],
            )
        return pn.Column(
            *self.header(self.state.synthetic()),
            pn.Row(
                pmui.Select.from_param(p.lpa, label="LPA", width=240, css_classes=["tasking-lpa"]),
                pmui.Select.from_param(p.unit, label="Hours unit", width=200),
                pmui.FloatInput.from_param(p.grant_gbp, label="Grant (GBP)", width=200),
            ),
            body,
            sizing_mode="stretch_width",
            css_classes=["page-tasking"],
        )

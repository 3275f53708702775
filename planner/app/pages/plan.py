"""The Patrol plan page: week calendar, quarter timetables, exports and Op Servator on a map.

Plain Bokeh figures (no HoloViews) whose ``ColumnDataSource`` is updated in place when a
selection changes, and dynamic tabs so only the visible section is rendered. The week calendar
is in :mod:`planner.app.pages.plan_calendar`, the Op Servator tab in
:mod:`planner.app.pages.plan_servator`; their names are importable from here too.
"""

from __future__ import annotations

from io import StringIO

import panel as pn
import panel_material_ui as pmui
import param

from planner.app.components.tables import table
from planner.app.pages.base import Page
from planner.app.pages.plan_calendar import (
    CALENDAR_COLUMNS,
    CALENDAR_HEIGHT,
    HOUR_TICK,
    MAX_LEGEND,
    CalendarSection,
    palette,
)
from planner.app.pages.plan_servator import (
    MARKER_BASE,
    MARKER_PER_SQRT,
    SERVATOR_MAP_HEIGHT,
    SITE_COLUMNS,
    ServatorSection,
    outline_xy,
)
from planner.app.state.plan import PlanState

__all__ = [
    "CALENDAR_COLUMNS",
    "CALENDAR_HEIGHT",
    "HOUR_TICK",
    "MARKER_BASE",
    "MARKER_PER_SQRT",
    "MAX_LEGEND",
    "SERVATOR_MAP_HEIGHT",
    "SITE_COLUMNS",
    "CalendarSection",
    "PlanPage",
    "ServatorSection",
]

_palette = palette
_outline_xy = outline_xy


def records_store(page):
    """The page's records store (reassurance visits), or None when the workspace has none.

    Parameters
    ----------
    page : PlanPage
        The page (its ``records_url`` and workspace).

    Returns
    -------
    planner.records.store.RecordStore or None
        The shared store, or None without a ``records_url`` or a workspace store.
    """
    from planner.app.cache import get_store
    from planner.app.pages.commitments import store_url
    from planner.records import default_store_path

    if not page.records_url and not default_store_path(page.data.ws).exists():
        return None
    return get_store(store_url(page))


class PlanPage(CalendarSection, ServatorSection, Page):
    """The patrol plan: week calendar, quarter timetables per TGP and team, exports, Op Servator.

    Parameters
    ----------
    **params
        :class:`~planner.app.pages.base.Page` parameters (``data``, ``principal``, ...).
    """

    title = "Patrol plan"
    slug = "plan"
    records_url = param.String(default=None, allow_None=True)

    def __init__(self, **params):
        super().__init__(**params)
        self.state = PlanState(self.data, principal=self.principal, store=records_store(self))
        v = self.data.table("plan_visits")
        self._colours = {
            "method": palette(sorted(v["method"].astype(str).unique())),
            "team": palette(sorted(v["team_id"].astype(str).unique())),
        }

    # ---- timetables -----------------------------------------------------------------------
    def timetables(self) -> pn.viewable.Viewable:
        """The quarter's timetable of one TGP (with hours per team) and of one team (per TGP).

        Returns
        -------
        panel.viewable.Viewable
            The quarter, TGP and team selectors over the two timetables.
        """
        sp = self.state.param
        q = pmui.Select.from_param(sp.quarter, label="Quarter", width=160)
        return pn.Column(
            pn.Row(
                q,
                pmui.Select.from_param(sp.tgp, label="TGP", width=200),
                pmui.Select.from_param(sp.team, label="Team", width=220),
            ),
            pn.Row(
                pn.Column(
                    pmui.Typography(
                        # param's bind overloads cannot type a lambda
                        pn.bind(lambda t, qq: f"{t}: planned visits in {qq}", sp.tgp, sp.quarter),  # type: ignore[arg-type, misc]
                        variant="h6",
                    ),
                    pmui.Typography(
                        "Totals per team (patrol_hours: presence; officer_hours: x crew)",
                        variant="subtitle2",
                    ),
                    table(self.state.tgp_totals, height=242, css_classes=["tgp-totals"]),
                    table(self.state.tgp_timetable, height=424, css_classes=["tgp-timetable"]),
                    sizing_mode="stretch_width",
                ),
                pn.Column(
                    pmui.Typography(
                        # param's bind overloads cannot type a lambda
                        pn.bind(
                            lambda t, qq, lpa: f"{t}: planned visits in {qq} ({lpa})",  # type: ignore[arg-type, misc]
                            sp.team,
                            sp.quarter,
                            sp.lpa,
                        ),
                        variant="h6",
                    ),
                    pmui.Typography(
                        "Totals per TGP (patrol_hours: presence; officer_hours: x crew)",
                        variant="subtitle2",
                    ),
                    table(self.state.team_totals, height=242, css_classes=["team-totals"]),
                    table(self.state.team_timetable, height=424, css_classes=["team-timetable"]),
                    sizing_mode="stretch_width",
                ),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )

    def summary(self) -> pn.viewable.Viewable:
        """The Plan summary tab: hours per team and method, and this week's visits.

        Returns
        -------
        panel.viewable.Viewable
            Two tables side by side.
        """
        from planner.units import MEANING, OFFICER_HOURS, PATROL_HOURS

        units = (  # issue 19 item 4: the unit of every hours figure is stated
            f"patrol_hours = {MEANING[PATROL_HOURS]}; officer_hours = {MEANING[OFFICER_HOURS]}."
        )
        return pn.Row(
            pn.Column(
                pmui.Typography("Plan by team and method (whole plan)", variant="h6"),
                pmui.Typography(units, variant="body2", css_classes=["plan-units"]),
                table(self.state.by_team),
                sizing_mode="stretch_width",
            ),
            pn.Column(
                pmui.Typography("This week's visits", variant="h6"),
                table(self.state.week_visits, height=424, css_classes=["week-visits"]),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )

    def reassurance(self) -> pn.viewable.Viewable:
        """The Reassurance visits tab, redrawn when the LPA or week changes.

        Returns
        -------
        panel.viewable.Viewable
            A bound :meth:`reassurance_view`.
        """
        sp = self.state.param
        return pn.panel(pn.bind(lambda *_: self.reassurance_view(), sp.lpa, sp.week))  # type: ignore[return-value]

    def reassurance_view(self) -> pn.viewable.Viewable:
        """Reassurance visits beside the week's patrols, per day (counts only, audited).

        Returns
        -------
        panel.viewable.Viewable
            The week's table, or the refusal / missing-store message in its place.
        """
        from planner.errors import PlannerError

        try:
            t = self.state.reassurance_week()
        except PlannerError as e:  # refused on the server (audited), shown as text
            return pmui.Alert(object=str(e), severity="warning", css_classes=["plan-rv-note"])
        note = (
            "Reassurance visits to vulnerable and repeat victims planned beside the patrols "
            "(counts only; the victims are on the Tasking page). Hours: patrol_hours = "
            "presence, officer_hours = x crew."
        )
        if "reassurance_visits" not in t.columns:
            note = "This workspace has no records store: no reassurance visits are planned."
        if self.data.any_synthetic("plan_visits", "targeting_victims"):
            note += " SYNTHETIC data."
        return pn.Column(
            pmui.Typography(note, variant="body2", css_classes=["plan-rv-note"]),
            table(t, height=300, css_classes=["plan-reassurance"]),
            sizing_mode="stretch_width",
        )

    # ---- exports ---------------------------------------------------------------------------
    def exports(self) -> pn.viewable.Viewable:
        """Downloads written by planner.planning.export (labelled synthetic when they are).

        Returns
        -------
        panel.viewable.Viewable
            A collapsed card with the quarter and team selectors and three downloads.
        """
        p = self.state.param
        tag = "_SYNTHETIC" if self.state.synthetic else ""
        csv = pmui.FileDownload(
            callback=lambda: StringIO(self.state.visits_csv()),
            filename=f"visits_{self.state.quarter}{tag}.csv",
            label="Quarter's visits (CSV)",
            css_classes=["export-csv"],
        )
        ics = pmui.FileDownload(
            callback=lambda: StringIO(self.state.team_ics()),
            filename=f"{self.state.team}_{self.state.quarter}{tag}.ics",
            label="Team calendar (.ics)",
            css_classes=["export-ics"],
        )
        brief = pmui.FileDownload(
            callback=lambda: StringIO(self.state.briefing_html()),
            filename=f"briefing_{self.state.week}{tag}.html",
            label="Week's briefing (HTML, printable)",
            css_classes=["export-briefing"],
        )

        def names(*_):
            csv.filename = f"visits_{self.state.quarter}{tag}.csv"
            ics.filename = f"{self.state.team}_{self.state.quarter}{tag}.ics"
            brief.filename = f"briefing_{self.state.week}{tag}.html"

        self.state.param.watch(names, ["quarter", "team", "week"])
        return pmui.Card(
            pn.Row(  # type: ignore[arg-type]  # panel types *items as lists
                pmui.Select.from_param(p.quarter, label="Quarter", width=160),
                pmui.Select.from_param(p.team, label="Team", width=200),
            ),
            pn.Row(csv, ics, brief),  # type: ignore[arg-type]  # panel types *items as lists
            title="Exports",
            collapsed=True,
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        p = self.state.param
        # dynamic: only the visible tab is rendered (pmui.Tabs(dynamic=True) raised a Bokeh
        # layout error in the browser when a tab holding a figure was hidden; pn.Tabs does not)
        self.tabs = pn.Tabs(
            ("Week calendar", self.calendar()),
            ("Quarter timetables", pn.param.ParamMethod(self.timetables, lazy=True)),
            ("Op Servator", pn.param.ParamMethod(self.servator, lazy=True)),
            ("Plan summary", pn.param.ParamMethod(self.summary, lazy=True)),
            ("Reassurance visits", pn.param.ParamMethod(self.reassurance, lazy=True)),
            dynamic=True,
            sizing_mode="stretch_width",
            css_classes=["plan-tabs"],
        )
        return pn.Column(
            *self.header(self.data.any_synthetic("plan_visits", "tgps", "teams")),
            pn.Row(
                pmui.Select.from_param(p.lpa, label="LPA", width=240, css_classes=["plan-lpa"]),
                pmui.Select.from_param(
                    p.week, label="Week commencing", width=240, css_classes=["plan-week"]
                ),
            ),
            self.exports(),
            self.tabs,
            sizing_mode="stretch_width",
        )

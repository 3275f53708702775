"""The Patrol plan page: week calendar, the quarter's timetable per TGP and team, exports and
the Op Servator plan on a map.

Plain Bokeh figures (no HoloViews) whose ``ColumnDataSource`` is updated in place when a
selection changes, and dynamic tabs so only the visible section is rendered.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import numpy as np
import pandas as pd
import panel as pn
import panel_material_ui as pmui
from bokeh.core.properties import field
from bokeh.models import (  # type: ignore[attr-defined]  # bokeh's stubs miss ColorBar, Legend
    ColorBar,
    ColumnDataSource,
    FixedTicker,
    HoverTool,
    Legend,
    LegendItem,
    LinearColorMapper,
    Range1d,
)
from bokeh.palettes import Category10_10, Category20_20, YlOrRd9
from bokeh.plotting import figure

from planner.app.components.tables import table
from planner.app.data import AppData
from planner.app.pages.base import Page
from planner.app.state.plan import ALL_TEAMS, PlanState

#: calendar figure height (px) and hour tick spacing
CALENDAR_HEIGHT = 640
HOUR_TICK = 2
#: legend shown only when this few keys are coloured (a 42-team legend hides the calendar)
MAX_LEGEND = 12
#: Servator map: figure height (px), marker size (px) = base + per_sqrt * sqrt(deployments)
SERVATOR_MAP_HEIGHT = 520
MARKER_BASE, MARKER_PER_SQRT = 6.0, 6.0

CALENDAR_COLUMNS = (
    "left",
    "right",
    "start_h",
    "end_h",
    "tgp_id",
    "team_id",
    "method",
    "crew",
    "time",
    "key",
    "day_label",
    "color",
)
SITE_COLUMNS = (
    "site_id",
    "lpa",
    "deployments",
    "hours",
    "first",
    "last",
    "x",
    "y",
    "size",
    "assets",
)


def _palette(keys: list[str]) -> dict[str, str]:
    pal = Category10_10 if len(keys) <= len(Category10_10) else Category20_20
    return {k: pal[i % len(pal)] for i, k in enumerate(keys)}


def _outline_xy(data: AppData) -> dict[str, Any]:
    """LPA outlines (EPSG:3857, simplified) in Bokeh ``multi_polygons`` form (shared)."""
    xs, ys = data.multipolygons("LPAs")
    return {"xs": xs, "ys": ys, "lpa": data.layer("LPAs")["lpa"].astype(str).tolist()}


class PlanPage(Page):
    """The patrol plan: week calendar, quarter timetables per TGP and team, exports and the
    Op Servator plan."""

    title = "Patrol plan"
    slug = "plan"

    def __init__(self, **params):
        super().__init__(**params)
        self.state = PlanState(self.data, principal=self.principal)
        v = self.data.table("plan_visits")
        self._colours = {
            "method": _palette(sorted(v["method"].astype(str).unique())),
            "team": _palette(sorted(v["team_id"].astype(str).unique())),
        }

    # ---- week calendar ------------------------------------------------------------------
    def _calendar_data(self) -> dict:
        b = self.state.calendar_blocks()
        labels = np.array(self.state.day_labels())
        colours = self._colours[self.state.colour_by]
        b = b.assign(
            day_label=labels[b["day"].to_numpy()] if len(b) else np.array([], dtype=str),
            color=b["key"].map(colours).fillna("#888888").astype(str),
        )
        return {c: b[c].to_numpy() for c in CALENDAR_COLUMNS}

    def _calendar_title(self) -> str:
        s = self.state
        n = len(self.calendar_source.data["left"])
        who = s.lpa if s.calendar_team == ALL_TEAMS else f"{s.lpa}, {s.calendar_team}"
        tag = " (SYNTHETIC)" if s.synthetic else ""
        return (
            f"Planned visits, week of {s.week}: {who}, {n} visits, coloured by {s.colour_by}{tag}"
        )

    def calendar(self) -> pn.viewable.Viewable:
        """Seven day columns by the hours of the day; each visit a block at its start-end time."""
        self.calendar_source = ColumnDataSource(self._calendar_data())
        p = figure(  # type: ignore[call-arg]  # figure's stub omits its FigureOptions keywords
            height=CALENDAR_HEIGHT,
            sizing_mode="stretch_width",
            x_range=Range1d(start=0, end=7),
            y_range=Range1d(start=24, end=0),
            tools="pan,wheel_zoom,box_zoom,reset,save",
            toolbar_location="above",
        )
        r = p.quad(
            left="left",
            right="right",
            top="start_h",
            bottom="end_h",
            fill_color="color",
            line_color="color",
            fill_alpha=0.85,
            source=self.calendar_source,
        )
        # an explicit legend beside the plot, its items grouped by key in the browser
        legend = Legend(
            items=[LegendItem(label=field("key"), renderers=[r])],
            location="top_left",
            label_text_font_size="9pt",
        )
        p.add_layout(legend, "right")
        p.add_tools(
            HoverTool(
                renderers=[r],
                tooltips=[
                    ("", "@day_label @time"),
                    ("TGP", "@tgp_id"),
                    ("team", "@team_id"),
                    ("method", "@method"),
                    ("crew", "@crew"),
                ],
            )
        )
        p.xaxis.ticker = FixedTicker(ticks=[i + 0.5 for i in range(7)])
        p.xgrid.ticker = FixedTicker(ticks=list(range(8)))
        p.xaxis.major_tick_line_color = None
        p.yaxis.ticker = FixedTicker(ticks=list(range(0, 25, HOUR_TICK)))
        p.yaxis.major_label_overrides = {h: f"{h:02d}:00" for h in range(0, 25, HOUR_TICK)}
        p.yaxis.axis_label = "time of day (local)"
        self.calendar_figure = p

        # the title again as page text, readable by browser tests (the figure's is canvas)
        self.calendar_caption = pmui.Typography(
            "", variant="subtitle2", css_classes=["plan-calendar-title"]
        )

        def decorate():
            labels = self.state.day_labels()
            p.xaxis.major_label_overrides = {i + 0.5: lab for i, lab in enumerate(labels)}
            p.title.text = self.calendar_caption.object = self._calendar_title()
            legend.visible = len(set(self.calendar_source.data["key"])) <= MAX_LEGEND

        def update(*_):
            self.calendar_source.data = self._calendar_data()
            decorate()

        decorate()
        self.state.param.watch(update, ["lpa", "week", "calendar_team", "colour_by"])
        sp = self.state.param
        return pn.Column(
            pn.Row(
                pmui.Select.from_param(sp.calendar_team, label="Team", width=220),
                pmui.RadioButtonGroup.from_param(sp.colour_by, label="Colour by"),
            ),
            self.calendar_caption,
            # css class on a wrapping Column: a Bokeh pane's own classes do not reach the page
            pn.Column(
                pn.pane.Bokeh(p, sizing_mode="stretch_width"),
                css_classes=["plan-calendar"],
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )

    # ---- timetables -----------------------------------------------------------------------
    def timetables(self) -> pn.viewable.Viewable:
        """The quarter's timetable of one TGP (with hours per team) and of one team (with hours
        per TGP)."""
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

    # ---- exports ---------------------------------------------------------------------------
    def exports(self) -> pn.viewable.Viewable:
        """Downloads written by planner.planning.export (labelled synthetic when they are)."""
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

    # ---- Op Servator -----------------------------------------------------------------------
    def _sites_data(self) -> dict:
        from planner.planning.servator import ASSETS

        s = self.state.servator_sites()
        assets = pd.Series("", index=s.index, dtype="string")
        for a in ASSETS:
            assets = assets + np.where(s[a] > 0, a + " " + s[a].astype(str) + "  ", "")
        s = s.assign(
            size=MARKER_BASE + MARKER_PER_SQRT * np.sqrt(s["deployments"].to_numpy(dtype=float)),
            assets=assets.str.strip().astype(str),
        )
        return {c: s[c].to_numpy() for c in SITE_COLUMNS}

    def servator_map(self) -> pn.viewable.Viewable:
        """LPA outlines and the deployment sites sized and coloured by deployments."""
        out = _outline_xy(self.data)
        self.sites_source = ColumnDataSource(self._sites_data())
        tag = " (SYNTHETIC sites)" if self.state.servator_synthetic else ""
        p = figure(  # type: ignore[call-arg]  # figure's stub omits its FigureOptions keywords
            height=SERVATOR_MAP_HEIGHT,
            sizing_mode="stretch_width",
            match_aspect=True,
            tools="pan,wheel_zoom,box_zoom,reset,save",
            toolbar_location="above",
            title=f"Op Servator deployments per site{tag}",
        )
        p.axis.visible = False
        p.grid.visible = False
        p.multi_polygons(
            xs="xs",
            ys="ys",
            source=ColumnDataSource(out),
            fill_color="#f2f2f2",
            fill_alpha=0.6,
            line_color="#444444",
            line_width=1,
        )
        self.sites_mapper = LinearColorMapper(
            palette=list(reversed(YlOrRd9)),
            low=1,
            high=max(2, int(max(self.sites_source.data["deployments"], default=1))),
        )
        p.add_layout(
            ColorBar(color_mapper=self.sites_mapper, title="deployments", width=10), "right"
        )
        r = p.scatter(
            x="x",
            y="y",
            size="size",
            source=self.sites_source,
            fill_color={"field": "deployments", "transform": self.sites_mapper},
            line_color="black",
            fill_alpha=0.85,
        )
        p.add_tools(
            HoverTool(
                renderers=[r],
                tooltips=[
                    ("site", "@site_id (@lpa)"),
                    ("deployments", "@deployments (@hours{0.0} h)"),
                    ("dates", "@first to @last"),
                    ("assets", "@assets"),
                ],
            )
        )
        self.servator_figure = p

        def update(*_):
            self.sites_source.data = self._sites_data()
            self.sites_mapper.high = max(2, int(max(self.sites_source.data["deployments"])))

        self.state.param.watch(update, ["servator_start", "servator_days", "servator_seed"])
        return pn.Column(
            pn.pane.Bokeh(p, sizing_mode="stretch_width"),
            css_classes=["servator-map"],
            sizing_mode="stretch_width",
        )

    def servator_exports(self) -> pn.viewable.Viewable:
        csv = pmui.FileDownload(
            callback=lambda: StringIO(self.state.servator_csv()),
            filename=self.state.servator_filename("csv"),
            label="Deployments (CSV)",
            css_classes=["servator-export", "servator-export-csv"],
        )
        ics = pmui.FileDownload(
            callback=lambda: StringIO(self.state.servator_ics()),
            filename=self.state.servator_filename("ics"),
            label="Deployments calendar (.ics)",
            css_classes=["servator-export", "servator-export-ics"],
        )

        def names(*_):
            csv.filename = self.state.servator_filename("csv")
            ics.filename = self.state.servator_filename("ics")

        self.state.param.watch(names, ["servator_start", "servator_days", "servator_seed"])
        return pn.Row(csv, ics)

    def servator(self) -> pn.viewable.Viewable:
        p = self.state.param

        def summary(*_):
            s = self.state.servator().summary()
            return (
                f"{s['deployments']} deployments over {s['days']} days at {s['sites_used']} TGPs, "
                f"{s['hours']:,.0f} deployment hours (seed {s['seed']}; planner.planning.servator, TGPs as sites"
                f"{', SYNTHETIC' if self.state.servator_synthetic else ''})."
            )

        deps = p.servator_start, p.servator_days, p.servator_seed
        return pn.Column(
            pn.Row(
                pmui.TextInput.from_param(p.servator_start, label="Start (YYYY-MM-DD)", width=180),
                pmui.IntInput.from_param(p.servator_days, label="Days", width=120),
                pmui.IntInput.from_param(p.servator_seed, label="Seed", width=120),
                self.servator_exports(),
            ),
            pmui.Typography(
                pn.bind(summary, *deps), variant="body2", css_classes=["servator-summary"]
            ),
            pn.Row(
                self.servator_map(),
                table(
                    pn.bind(lambda *_: self.state.servator_table(), *deps),
                    height=346,
                    css_classes=["servator-table"],
                ),
                sizing_mode="stretch_width",
            ),
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

"""The week calendar section of the Patrol plan page (:class:`planner.app.pages.plan.PlanPage`).

Seven day columns by the hours of the day, one block per planned visit; a plain Bokeh figure
whose ``ColumnDataSource`` is updated in place when a selection changes.
"""

from __future__ import annotations

import numpy as np
import panel as pn
import panel_material_ui as pmui
from bokeh.core.properties import field
from bokeh.models import (  # type: ignore[attr-defined]  # bokeh's stubs miss Legend
    ColumnDataSource,
    FixedTicker,
    HoverTool,
    Legend,
    LegendItem,
    Range1d,
)
from bokeh.palettes import Category10_10, Category20_20
from bokeh.plotting import figure

from planner.app.state.plan import ALL_TEAMS, PlanState

#: calendar figure height (px) and hour tick spacing
CALENDAR_HEIGHT = 640
HOUR_TICK = 2
#: legend shown only when this few keys are coloured (a 42-team legend hides the calendar)
MAX_LEGEND = 12

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


def palette(keys: list[str]) -> dict[str, str]:
    """A colour per key: Category10 for up to ten keys, Category20 (repeating) beyond.

    Parameters
    ----------
    keys : list of str
        The keys (methods or teams), in order.

    Returns
    -------
    dict of str to str
        Key -> hex colour.

    Examples
    --------
    >>> palette(["foot", "vehicle"])
    {'foot': '#1f77b4', 'vehicle': '#ff7f0e'}
    """
    pal = Category10_10 if len(keys) <= len(Category10_10) else Category20_20
    return {k: pal[i % len(pal)] for i, k in enumerate(keys)}


class CalendarSection:
    """The week calendar of the plan page (mixed into :class:`~planner.app.pages.plan.PlanPage`).

    Expects ``state`` (a :class:`~planner.app.state.plan.PlanState`) and ``_colours`` (key ->
    colour per ``colour_by`` choice) on the instance.
    """

    state: PlanState
    _colours: dict[str, dict[str, str]]

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
        """Seven day columns by the hours of the day; each visit a block at its start-end time.

        Returns
        -------
        panel.viewable.Viewable
            The team and colour selectors, the caption and the figure (updated in place).
        """
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

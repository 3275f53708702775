"""The Op Servator section of the Patrol plan page (:class:`planner.app.pages.plan.PlanPage`).

The plan's start, days and seed, its downloads, a summary, a map of the sites sized and
coloured by deployments, and the deployments' table.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import numpy as np
import pandas as pd
import panel as pn
import panel_material_ui as pmui
from bokeh.models import (  # type: ignore[attr-defined]  # bokeh's stubs miss ColorBar
    ColorBar,
    ColumnDataSource,
    HoverTool,
    LinearColorMapper,
)
from bokeh.palettes import YlOrRd9
from bokeh.plotting import figure

from planner.app.components.tables import table
from planner.app.data import AppData
from planner.app.state.plan import PlanState

#: Servator map: figure height (px), marker size (px) = base + per_sqrt * sqrt(deployments)
SERVATOR_MAP_HEIGHT = 520
MARKER_BASE, MARKER_PER_SQRT = 6.0, 6.0

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


def outline_xy(data: AppData) -> dict[str, Any]:
    """LPA outlines (EPSG:3857, simplified) in Bokeh ``multi_polygons`` form (shared).

    Parameters
    ----------
    data : AppData
        The workspace's shared data.

    Returns
    -------
    dict
        ``xs``, ``ys`` and ``lpa`` columns for a ``ColumnDataSource``.
    """
    xs, ys = data.multipolygons("LPAs")
    return {"xs": xs, "ys": ys, "lpa": data.layer("LPAs")["lpa"].astype(str).tolist()}


class ServatorSection:
    """The Op Servator tab of the plan page (mixed into :class:`~planner.app.pages.plan.PlanPage`).

    Expects ``data`` (:class:`~planner.app.data.AppData`) and ``state`` (a
    :class:`~planner.app.state.plan.PlanState`) on the instance.
    """

    data: AppData
    state: PlanState

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
        """LPA outlines and the deployment sites sized and coloured by deployments.

        Returns
        -------
        panel.viewable.Viewable
            The map (its sources updated in place when the plan changes).
        """
        out = outline_xy(self.data)
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
        """Downloads of the Servator plan (CSV and iCalendar), named after its start and seed.

        Returns
        -------
        panel.viewable.Viewable
            A row of two downloads.
        """
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
        """The Op Servator tab: start, days and seed, downloads, summary, map and table.

        Returns
        -------
        panel.viewable.Viewable
            The tab's content.
        """
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

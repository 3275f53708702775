"""Click-to-drill-down bars: a ``pn.viewable.Viewer`` over a :class:`DrillState`."""

from __future__ import annotations

from typing import cast

import pandas as pd
import panel as pn
import panel_material_ui as pmui
import param

from planner.app import bokeh_views as bv
from planner.app.state.common import DrillState


class DrillBars(pn.viewable.Viewer):
    """A bar chart where clicking a bar drills one level down; a button goes back up."""

    state = cast("param.ClassSelector[DrillState]", param.ClassSelector(class_=DrillState))
    title = param.String(default="")
    ylabel = param.String(default="value", allow_refs=True)

    def __init__(self, **params):
        super().__init__(**params)
        self._up = pmui.Button(
            label="Up one level", variant="outlined", size="small", css_classes=["drill-up"]
        )
        self._up.on_click(lambda _e: self.state.up())
        self._crumb = pmui.Typography(css_classes=["drill-crumb"])
        self._fig, self._source, bars = bv.bar_figure(height=380, ylabel=self.ylabel)
        self._fig.title.text = self.title
        self._fig.css_classes = ["drill-figure"]
        bv.tap_selection(bars, self._on_tap)
        self.param.watch(self._on_ylabel, "ylabel")
        self.state.param.watch(self._draw, ["path", "version"])
        self._draw()

    def _on_ylabel(self, event) -> None:
        self._fig.yaxis[0].axis_label = event.new
        self._set_hover()

    def _set_hover(self) -> None:
        # the hover names the level shown (it kept the previous one: issue 17)
        for tool in self._fig.tools:
            if isinstance(tool, bv.HoverTool):
                tool.tooltips = bv.bar_tooltips(self.state.level, self.ylabel)

    def _update_crumb(self, *_):
        self._crumb.object = f"{self.title}: {self.state.breadcrumb()} ({self.state.level})"
        self._up.disabled = not self.state.path

    def _frame(self) -> pd.DataFrame:
        return self.state.frame()

    def _draw(self, *_events) -> None:
        st = self.state
        f = self._frame()
        labels = list(f["label"].astype(str))
        self._source.selected.indices = []
        self._fig.x_range.factors = labels
        self._source.data = {
            "label": labels,
            "value": f["value"].to_numpy(dtype="float64"),
            "key": list(f["key"].astype(str)),
        }
        self._fig.title.text = f"{self.title}: {st.breadcrumb()}"
        self._fig.xaxis.axis_label = st.level
        self._set_hover()
        # the breadcrumb last, so that it never runs ahead of the chart
        self._update_crumb()

    def _on_tap(self, index: int) -> None:
        keys = self._source.data["key"]
        if index >= len(keys):
            return
        if self.state.can_drill:
            self.state.drill(str(keys[index]))
        elif hasattr(self.state, "select"):  # the bottom level: the bar's own records
            self.state.select(str(keys[index]))

    def __panel__(self):
        return pn.Column(
            pn.Row(self._crumb, self._up),
            pn.Column(
                pn.pane.Bokeh(self._fig, sizing_mode="stretch_width"),
                css_classes=["drill-chart"],
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )

"""Figures of the Commitments page.

The engagement gaps map, abstraction hours by type, the NPP1/NPP2 trajectories against their
target and the commanders' objectives by month.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
import panel as pn
import param

from planner.app import bokeh_views as bv
from planner.app.state.commitments import CommitmentsState

#: the gaps map's frame (pixels)
GAP_MAP_FRAME = (520, 420)
#: engagement ratio shown at the top of the colour bar (1 = as much as the ward's share)
GAP_RATIO_HIGH = 2.0


def gap_columns(wards: pd.DataFrame, gaps: pd.DataFrame) -> dict[str, np.ndarray]:
    """The gaps map's columns for the display ward layer's rows.

    Parameters
    ----------
    wards
        The display ward layer (``ward_code``, ``ward``, ``lpa``), in its row order.
    gaps
        :meth:`CommitmentsState.ward_gaps` (``ward_code, engagements, expected, ratio, gap``).

    Returns
    -------
    dict
        ``ward, lpa, engagements, expected, value`` (the ratio, NaN where nothing was expected)
        and ``gap`` ("gap" / "") aligned with ``wards``.
    """
    g = gaps.set_index("ward_code")
    codes = wards["ward_code"].astype(str)
    ratio = codes.map(g["ratio"]).astype(float)
    gap = codes.map(g["gap"]).fillna(False).astype(bool)
    return {
        "ward": wards["ward"].astype(str).to_numpy(),
        "lpa": wards["lpa"].astype(str).to_numpy(),
        "engagements": codes.map(g["engagements"]).fillna(0).astype(float).to_numpy(),
        "expected": codes.map(g["expected"]).astype(float).round(1).to_numpy(),
        "value": ratio.to_numpy(),
        "gap": np.where(gap, "gap", ""),
        "line": np.where(gap, 2.0, 0.3),
    }


class GapMap(pn.viewable.Viewer):
    """Wards coloured by engagements against their expected share (population and demand).

    Gap wards (below the threshold) are outlined in black.
    """

    state = cast(
        "param.ClassSelector[CommitmentsState]", param.ClassSelector(class_=CommitmentsState)
    )

    def __init__(self, **params):
        super().__init__(**params)
        data = self.state.data
        self._wards = data.layer("wards")
        self.fig = bv.map_figure(data.extent(), GAP_MAP_FRAME, title="Engagement gaps by ward")
        self.fig.css_classes = ["gap-figure"]
        xs, ys = data.multipolygons("wards")
        self._src = bv.polygon_source(xs, ys, self._columns())
        self._areas, _m, _b = bv.area_layer(
            self.fig,
            self._src,
            bv.RATIO_PALETTE,
            clabel="engagements / expected",
            low=0.0,
            high=GAP_RATIO_HIGH,
            tooltips=[
                ("ward", "@ward (@lpa)"),
                ("engagements", "@engagements{0,0}"),
                ("expected", "@expected{0,0.0}"),
                ("ratio", "@value{0.00}"),
                ("", "@gap"),
            ],
            name="gap_wards",
        )
        self._areas.glyph.line_width = "line"
        self._areas.glyph.line_color = "black"
        lx, ly = data.multipolygons("LPAs")
        bv.outline_layer(self.fig, lx, ly, color="#555555", width=1.0, name="lpa_outline")
        self.state.param.watch(self._redraw, ["period", "version"])

    def _columns(self) -> dict[str, np.ndarray]:
        return gap_columns(self._wards, self.state.ward_gaps())

    def _redraw(self, *_events) -> None:
        cols = self._columns()
        self._src.data = {**dict(self._src.data), **{k: list(v) for k, v in cols.items()}}

    def __panel__(self):
        return pn.pane.Bokeh(self.fig, css_classes=["gap-map"])


class ByTypeBars(pn.viewable.Viewer):
    """Abstraction hours by type (``abstraction_summary(by="abstraction_type")``)."""

    state = cast(
        "param.ClassSelector[CommitmentsState]", param.ClassSelector(class_=CommitmentsState)
    )

    def __init__(self, **params):
        super().__init__(**params)
        self.fig, self._src, _r = bv.bar_figure(height=300, ylabel="hours", color="#4575b4")
        self.fig.title.text = "Abstraction hours by type"
        self.fig.css_classes = ["bytype-figure"]
        self.state.param.watch(self._draw, ["period", "version"])
        self._draw()

    def _draw(self, *_events) -> None:
        f = self.state.abstraction_by_type()
        labels = list(f["abstraction_type"].astype(str))
        self.fig.x_range.factors = labels
        self._src.data = {
            "label": labels,
            "value": f["hours"].to_numpy(dtype="float64"),
            "key": labels,
        }

    def __panel__(self):
        return pn.pane.Bokeh(self.fig, sizing_mode="stretch_width", css_classes=["bytype-chart"])


def trajectory_figure(frame: pd.DataFrame, course: str):
    """A training course's completion share against its target trajectory (percent).

    Parameters
    ----------
    frame
        :meth:`CommitmentsState.training` (``on, share, target_share``).
    course
        The course's name (NPP1, NPP2) for the title.

    Returns
    -------
    bokeh.plotting.figure
    """
    f = frame.assign(
        done=(frame["share"].astype(float) * 100).round(1),
        target=(frame["target_share"].astype(float) * 100).round(1),
    )
    return bv.time_lines(
        f,
        "on",
        {
            "done": (f"{course} completed (%)", "#1f77b4", "solid"),
            "target": ("target trajectory (%)", "#d62728", "dashed"),
        },
        title=f"{course} completion against the target",
        ylabel="% of neighbourhood officers",
        height=260,
    )


def objectives_figure(frame: pd.DataFrame):
    """Abstraction hours per week by month for each LPA with an objective, against its target.

    The target is the benchmark less the objective.

    Parameters
    ----------
    frame
        :meth:`CommitmentsState.objectives` (``month, lpa, hours_pw, target_hours_pw``).

    Returns
    -------
    bokeh.plotting.figure
    """
    from bokeh.models import FactorRange, HoverTool
    from bokeh.palettes import Category10_10
    from bokeh.plotting import figure

    f = frame[frame["target_hours_pw"].notna()]
    months = sorted(f["month"].astype(str).unique())
    fig = figure(  # type: ignore[call-arg]  # figure's stub omits its FigureOptions keywords
        x_range=FactorRange(factors=months),
        height=280,
        sizing_mode="stretch_width",
        tools="pan,wheel_zoom,reset",
        title="Commanders' objectives: abstraction hours per week against the target",
        y_axis_label="hours per week",
    )
    for i, (key, g) in enumerate(f.groupby("lpa", sort=True)):
        lpa, c = str(key), Category10_10[i % 10]
        g = g.sort_values("month")
        x = list(g["month"].astype(str))
        r = fig.line(x, g["hours_pw"].to_numpy(float), color=c, line_width=2, legend_label=lpa)
        fig.line(x, g["target_hours_pw"].to_numpy(float), color=c, line_dash="dashed", line_width=1)
        fig.add_tools(HoverTool(renderers=[r], tooltips=[("LPA", lpa), ("hours/week", "@y{0,0}")]))
    fig.y_range.start = 0  # type: ignore[attr-defined]  # a DataRange1d; the stub types the base Range
    if fig.legend:
        fig.legend.location = "top_right"
    return fig

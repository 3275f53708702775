"""Plain Bokeh charts: drill-down bars, month lines and time lines, updated in place.

A click on a drill-down bar sends the new bars' labels and values instead of re-rendering a
HoloViews plot. Importable from :mod:`planner.app.bokeh_views` too.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, TapTool
from bokeh.plotting import figure

if TYPE_CHECKING:
    from bokeh.models.renderers import DataRenderer


def value_format(label: str) -> str:
    """Bokeh number format of a measure: harm and counts as whole numbers, others one decimal.

    Parameters
    ----------
    label : str
        The measure's name ("crimes", "harm", "hours", ...).

    Returns
    -------
    str
        A Bokeh tooltip/numeral format such as ``"0,0"``.
    """
    low = str(label).lower()
    return "0,0" if any(w in low for w in ("harm", "crimes", "count", "engagements")) else "0,0.0"


def bar_tooltips(level: str, ylabel: str) -> list[tuple[str, str]]:
    """Hover of a drill-down bar: the level's name and the value in the measure's format.

    Parameters
    ----------
    level : str
        What a bar is (e.g. "ward"; "item" when empty).
    ylabel : str
        The measure (e.g. "crimes"; "value" when empty).

    Returns
    -------
    list of (str, str)
        Bokeh tooltips.

    Examples
    --------
    >>> bar_tooltips("ward", "crimes")
    [('ward', '@label'), ('crimes', '@value{0,0}')]
    """
    return [(level or "item", "@label"), (ylabel or "value", f"@value{{{value_format(ylabel)}}}")]


def bar_figure(*, height: int, ylabel: str, color: str = "#b2182b"):
    """A categorical bar chart with a tap tool, for bars updated in place.

    Parameters
    ----------
    height : int
        Figure height (px).
    ylabel : str
        The measure (y axis label and hover format).
    color : str
        Bar colour.

    Returns
    -------
    tuple
        ``(figure, source, renderer)``; the source (``label, value, key``) starts empty.
    """
    fig = figure(  # type: ignore[call-arg]  # figure's stub omits its FigureOptions keywords
        x_range=FactorRange(factors=[]),
        height=height,
        sizing_mode="stretch_width",
        tools=[TapTool()],
        toolbar_location=None,
        y_axis_label=ylabel,
    )
    source = ColumnDataSource({"label": [], "value": [], "key": []})
    r = fig.vbar(
        x="label",
        top="value",
        width=0.8,
        source=source,
        color=color,
        nonselection_fill_alpha=1.0,
        nonselection_line_alpha=1.0,
        selection_fill_alpha=1.0,
    )
    fig.add_tools(HoverTool(renderers=[r], tooltips=bar_tooltips("", ylabel)))
    fig.xaxis.major_label_orientation = math.pi / 4
    fig.xgrid.visible = False
    fig.y_range.start = 0  # type: ignore[attr-defined]  # a DataRange1d; the stub types the base Range
    return fig, source, r


def line_figure(*, height: int, ylabel: str, series: dict[str, str]):
    """A line chart over categorical x (e.g. months) for data updated in place.

    Parameters
    ----------
    height : int
        Figure height (px).
    ylabel : str
        The y axis label.
    series : dict of str to str
        Source column -> label; the first is drawn as the line, every one is in the hover.

    Returns
    -------
    tuple
        ``(figure, source)``; set ``source.data`` to ``{"x": [...], col: ...}`` and
        ``figure.x_range.factors`` to the x values.
    """
    fig = figure(  # type: ignore[call-arg]  # figure's stub omits its FigureOptions keywords
        x_range=FactorRange(factors=[]),
        height=height,
        sizing_mode="stretch_width",
        tools="pan,wheel_zoom,reset",
        toolbar_location="right",
        y_axis_label=ylabel,
    )
    source = ColumnDataSource({"x": [], **{c: [] for c in series}})
    first = next(iter(series))
    r = fig.line("x", first, source=source, line_width=2, color="#1f77b4")
    fig.scatter("x", first, source=source, size=4, color="#1f77b4")
    fig.add_tools(
        HoverTool(
            renderers=[r],
            mode="vline",
            tooltips=[("", "@x"), *[(label, f"@{{{c}}}{{0,0}}") for c, label in series.items()]],
        )
    )
    fig.xaxis.major_label_orientation = math.pi / 3
    fig.xgrid.visible = False
    fig.y_range.start = 0  # type: ignore[attr-defined]  # a DataRange1d; the stub types the base Range
    return fig, source


def time_lines(
    frame: pd.DataFrame,
    x: str,
    series: dict[str, tuple[str, str, str]],
    *,
    title: str,
    ylabel: str,
    height: int = 300,
):
    """A static line chart over a datetime column, every series in the hover.

    Plain Bokeh rather than a HoloViews overlay: the app then does not load the HoloViews
    plotting backend (and matplotlib with it), which the first session paid for (docs/app.md).

    Parameters
    ----------
    frame : pandas.DataFrame
        The data.
    x : str
        Its datetime column.
    series : dict of str to (str, str, str)
        Column -> (legend label, colour, dash).
    title : str
        The figure's title.
    ylabel : str
        The y axis label.
    height : int
        Figure height (px).

    Returns
    -------
    bokeh.plotting.figure
        The chart.
    """
    fig = figure(  # type: ignore[call-arg]  # figure's stub omits its FigureOptions keywords
        x_axis_type="datetime",
        height=height,
        sizing_mode="stretch_width",
        tools="pan,wheel_zoom,box_zoom,reset",
        toolbar_location="right",
        title=title,
        y_axis_label=ylabel,
    )
    source = ColumnDataSource(
        {x: pd.to_datetime(frame[x]).to_numpy(), **{c: frame[c].to_numpy() for c in series}}
    )
    lines: list[DataRenderer] = [
        fig.line(x, c, source=source, legend_label=label, color=color, line_dash=dash, line_width=2)
        for c, (label, color, dash) in series.items()
    ]
    fig.add_tools(
        HoverTool(
            renderers=lines[:1],
            mode="vline",
            formatters={f"@{x}": "datetime"},
            tooltips=[
                ("date", f"@{x}{{%F}}"),
                *[(label, f"@{{{c}}}{{0,0}}") for c, (label, _, _) in series.items()],
            ],
        )
    )
    fig.legend.location = "top_left"
    fig.y_range.start = 0  # type: ignore[attr-defined]  # a DataRange1d; the stub types the base Range
    return fig

"""Plain Bokeh figures for the app's hot paths: built once per session, then updated in place.

A filter change on a map sends one ``value`` column to the browser (the polygons stay where
they are) and a click on a drill-down bar sends the new bars' labels and values, instead of
re-rendering a HoloViews plot. Polygon coordinates are converted to Bokeh's MultiPolygons layout
once per workspace (:func:`planner.app.data.AppData.multipolygons`) and shared by every session.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from bokeh.models import (  # type: ignore[attr-defined]  # bokeh's stubs miss ColorBar's re-export
    BoxZoomTool,
    CategoricalColorMapper,
    ColorBar,
    ColumnDataSource,
    EqHistColorMapper,
    FactorRange,
    HoverTool,
    LinearColorMapper,
    NumeralTickFormatter,
    PanTool,
    Range1d,
    ResetTool,
    TapTool,
    WheelZoomTool,
    WMTSTileSource,
)
from bokeh.palettes import Blues9, Category20_20, Inferno256, RdBu11, RdYlGn11, Reds9, YlOrRd9
from bokeh.plotting import figure

if TYPE_CHECKING:
    from bokeh.models.renderers import DataRenderer

#: earth radius of the Web Mercator projection (m)
MERCATOR_R = 6378137.0
#: grey for areas without a value (outside the selected LPA)
NAN_COLOR = "#e6e6e6"
#: map frame (pixels) of the Coverage and delivery and the Op Advance pages
PAGE_MAP_FRAME = (640, 480)


def fit_aspect(
    extent: tuple[float, float, float, float], frame: tuple[int, int]
) -> tuple[float, float, float, float]:
    """Widen the shorter side of ``extent`` so that it fills ``frame`` with square metres."""
    x0, y0, x1, y1 = extent
    aspect = frame[0] / frame[1]
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def mercator_scale(y: np.ndarray) -> np.ndarray:
    """Web Mercator scale factor (map metres per ground metre) at northings ``y`` (EPSG:3857)."""
    lat = 2.0 * np.arctan(np.exp(np.asarray(y, dtype="float64") / MERCATOR_R)) - math.pi / 2
    return 1.0 / np.cos(lat)


def map_figure(
    extent: tuple[float, float, float, float],
    frame: tuple[int, int],
    *,
    tiles: str | None = None,
    title: str | None = None,
) -> figure:
    """An axis-free map figure in EPSG:3857 with a fixed frame and square metres."""
    x0, y0, x1, y1 = fit_aspect(extent, frame)
    wheel = WheelZoomTool()
    fig = figure(  # type: ignore[call-arg]  # figure's stub omits its FigureOptions keywords
        frame_width=frame[0],
        frame_height=frame[1],
        x_range=Range1d(start=x0, end=x1),
        y_range=Range1d(start=y0, end=y1),
        x_axis_type=None,
        y_axis_type=None,
        tools=[PanTool(), wheel, BoxZoomTool(match_aspect=True), ResetTool()],
        active_scroll=wheel,
        toolbar_location="above",
        match_aspect=True,
        title=title,
    )
    fig.grid.visible = False
    fig.outline_line_color = None
    if tiles:
        fig.add_tile(WMTSTileSource(url=tiles), render_parents=False)
    return fig


def zoom_to(fig: figure, extent: tuple[float, float, float, float], frame: tuple[int, int]) -> None:
    x0, y0, x1, y1 = fit_aspect(extent, frame)
    fig.x_range.update(start=x0, end=x1)
    fig.y_range.update(start=y0, end=y1)


def polygon_source(xs: list, ys: list, columns: Mapping[str, Iterable[Any]]) -> ColumnDataSource:
    return ColumnDataSource({"xs": xs, "ys": ys, **{k: list(v) for k, v in columns.items()}})


def value_range(values: np.ndarray) -> tuple[float, float]:
    """(0, max) of the finite values, (0, 1) when there are none."""
    v = np.asarray(values, dtype="float64")
    v = v[np.isfinite(v)]
    hi = float(v.max()) if v.size else 0.0
    return 0.0, hi if hi > 0 else 1.0


# ---- palettes (light = low) -------------------------------------------------------------------
AREA_PALETTE = tuple(reversed(YlOrRd9))
KDE_PALETTE = tuple(reversed(Inferno256))
GISTAR_PALETTE = tuple(reversed(Reds9))
POINTS_PALETTE = tuple(reversed(Blues9))[2:]
DELIVERY_PALETTE = tuple(reversed(RdYlGn11))
CATEGORY_PALETTE = Category20_20
#: diverging around 1 (blue = fewer crimes than expected, red = more)
RATIO_PALETTE = tuple(RdBu11)


def area_layer(
    fig: figure,
    source: ColumnDataSource,
    palette,
    *,
    clabel: str,
    low: float = 0.0,
    high: float = 1.0,
    tooltips: list[tuple[str, str]] | None = None,
    name: str = "areas",
    line_color: str = "white",
    line_width: float = 0.4,
    fill_alpha: float = 0.85,
):
    """Polygons filled by ``value`` through a linear colour map, with a colour bar; returns
    (renderer, colour mapper, colour bar)."""
    mapper = LinearColorMapper(palette=list(palette), low=low, high=high, nan_color=NAN_COLOR)
    r = fig.multi_polygons(
        "xs",
        "ys",
        source=source,
        fill_color={"field": "value", "transform": mapper},
        fill_alpha=fill_alpha,
        line_color=line_color,
        line_width=line_width,
        name=name,
    )
    bar = colour_bar(fig, mapper, clabel)
    if tooltips:
        fig.add_tools(HoverTool(renderers=[r], tooltips=tooltips))
    return r, mapper, bar


#: colour bar labels: thousands separators, at most two decimals, never scientific notation
BAR_FORMAT = "0,0.[00]"


def colour_bar(fig: figure, mapper, title: str, *, visible: bool = True) -> ColorBar:
    """A colour bar right of ``fig`` for ``mapper``, labelled in plain numbers (issue 17: the
    default formatter switched to scientific notation).

    Parameters
    ----------
    fig : bokeh.plotting.figure
        The map.
    mapper : bokeh.models.LinearColorMapper
        The colour mapper the bar shows.
    title : str
        The bar's title (what the colours measure, with its unit).
    visible : bool
        Whether the bar shows at first.

    Returns
    -------
    bokeh.models.ColorBar
    """
    bar = ColorBar(
        color_mapper=mapper,
        title=title,
        width=12,
        location=(0, 0),
        formatter=NumeralTickFormatter(format=BAR_FORMAT),
        visible=visible,
    )
    fig.add_layout(bar, "right")
    return bar


def outline_layer(
    fig: figure, xs: list, ys: list, *, color: str = "black", width: float = 1.2, name: str = ""
):
    return fig.multi_polygons(
        "xs",
        "ys",
        source=ColumnDataSource({"xs": xs, "ys": ys}),
        fill_alpha=0,
        line_color=color,
        line_width=width,
        name=name,
    )


def points_image_data(
    x: np.ndarray,
    y: np.ndarray,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    size: tuple[int, int],
) -> dict[str, list]:
    """Datashader count aggregate of points over a viewport, as Image glyph data (0 -> NaN so
    that empty pixels are transparent)."""
    import datashader as ds

    frame = pd.DataFrame({"x": x, "y": y})
    cvs = ds.Canvas(plot_width=size[0], plot_height=size[1], x_range=x_range, y_range=y_range)
    agg = cvs.points(frame, "x", "y", agg=ds.count()).to_numpy().astype("float32")
    agg[agg == 0] = np.nan
    return {
        "image": [agg],
        "x": [x_range[0]],
        "y": [y_range[0]],
        "dw": [x_range[1] - x_range[0]],
        "dh": [y_range[1] - y_range[0]],
    }


def points_layer(fig: figure, data: dict[str, Any]):
    mapper = EqHistColorMapper(palette=list(POINTS_PALETTE), nan_color=(0, 0, 0, 0))
    source = ColumnDataSource(data)
    r = fig.image(  # type: ignore[call-arg]  # image() takes color_mapper; the stub omits it
        image="image", x="x", y="y", dw="dw", dh="dh", source=source, color_mapper=mapper, alpha=0.8
    )
    return r, source


def _cell_rects(fig: figure, source: ColumnDataSource, fill_color, fill_alpha: float, **kw):
    """Square grid cells centred on ``x, y`` with side ``w`` (map units), no outline."""
    return fig.rect(
        "x",
        "y",
        "w",
        "w",
        source=source,
        fill_color=fill_color,
        fill_alpha=fill_alpha,
        line_color=None,
        **kw,
    )


def cells_layer(fig: figure, palette, *, tooltips: list[tuple[str, str]]):
    """Grid cells (surface) as rectangles coloured by ``value``; returns (renderer, mapper)."""
    mapper = LinearColorMapper(palette=list(palette), low=0, high=1)
    source = ColumnDataSource({"x": [], "y": [], "w": [], "value": []})
    r = _cell_rects(fig, source, {"field": "value", "transform": mapper}, 0.75)
    fig.add_tools(HoverTool(renderers=[r], tooltips=tooltips))
    return r, mapper


def categories_layer(fig: figure, categories: list[str]):
    """Grid cells coloured by category (e.g. emerging hotspot categories), with a legend."""
    mapper = CategoricalColorMapper(
        factors=list(categories),
        palette=list(CATEGORY_PALETTE)[: len(categories)],
    )
    source = ColumnDataSource({"x": [], "y": [], "w": [], "category": [], "trend_z": []})
    r = _cell_rects(
        fig, source, {"field": "category", "transform": mapper}, 0.85, legend_field="category"
    )
    fig.legend.location = "top_left"
    fig.legend.label_text_font_size = "8pt"
    fig.legend.background_fill_alpha = 0.7
    fig.add_tools(
        HoverTool(
            renderers=[r], tooltips=[("category", "@category"), ("trend z", "@trend_z{0.00}")]
        )
    )
    return r, source


def tap_selection(renderer, callback: Callable[[int], None]) -> None:
    """Call ``callback(index)`` when a glyph of ``renderer`` is tapped (server-side)."""

    def changed(_attr, _old, new):
        if new:
            callback(int(new[0]))

    renderer.data_source.selected.on_change("indices", changed)


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
    """Hover of a drill-down bar: the level's name and the value in the measure's format."""
    return [(level or "item", "@label"), (ylabel or "value", f"@value{{{value_format(ylabel)}}}")]


def bar_figure(*, height: int, ylabel: str, color: str = "#b2182b"):
    """A categorical bar chart with a tap tool; returns (figure, source, renderer)."""
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

    ``series`` maps a source column to its legend label; the first is drawn as the line, every
    one is in the hover. Returns (figure, source); set ``source.data`` to ``{"x": [...], col: ...}``
    and ``figure.x_range.factors`` to the x values.
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
    """A static line chart over a datetime column: ``series`` maps a column to (legend label,
    colour, dash); every series is in the hover. Returns the figure.

    Plain Bokeh rather than a HoloViews overlay: the app then does not load the HoloViews
    plotting backend (and matplotlib with it), which the first session paid for (docs/app.md).
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

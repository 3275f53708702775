"""Plain Bokeh map figures and their layers: areas, outlines, points, grid cells, colour bars.

A filter change on a map sends one ``value`` column to the browser (the polygons stay where
they are). Polygon coordinates are converted to Bokeh's MultiPolygons layout once per workspace
(:func:`planner.app.data.AppData.multipolygons`) and shared by every session. Importable from
:mod:`planner.app.bokeh_views` too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from bokeh.models import (  # type: ignore[attr-defined]  # bokeh's stubs miss ColorBar's re-export
    BoxZoomTool,
    CategoricalColorMapper,
    ColorBar,
    ColumnDataSource,
    EqHistColorMapper,
    HoverTool,
    LinearColorMapper,
    NumeralTickFormatter,
    PanTool,
    Range1d,
    ResetTool,
    WheelZoomTool,
    WMTSTileSource,
)
from bokeh.palettes import Blues9, Category20_20, Inferno256, RdBu11, RdYlGn11, Reds9, YlOrRd9
from bokeh.plotting import figure

#: earth radius of the Web Mercator projection (m)
MERCATOR_R = 6378137.0
#: grey for areas without a value (outside the selected LPA)
NAN_COLOR = "#e6e6e6"
#: map frame (pixels) of the Coverage and delivery and the Op Advance pages
PAGE_MAP_FRAME = (640, 480)


def fit_aspect(
    extent: tuple[float, float, float, float], frame: tuple[int, int]
) -> tuple[float, float, float, float]:
    """Widen the shorter side of ``extent`` so that it fills ``frame`` with square metres.

    Parameters
    ----------
    extent : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in map units.
    frame : tuple of int
        ``(width, height)`` of the plot frame in pixels.

    Returns
    -------
    tuple of float
        The widened extent, same centre, aspect ratio of ``frame``.

    Examples
    --------
    >>> fit_aspect((0.0, 0.0, 100.0, 100.0), (200, 100))
    (-50.0, 0.0, 150.0, 100.0)
    """
    x0, y0, x1, y1 = extent
    aspect = frame[0] / frame[1]
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def mercator_scale(y: np.ndarray) -> np.ndarray:
    """Web Mercator scale factor (map metres per ground metre) at northings ``y``.

    Parameters
    ----------
    y : numpy.ndarray
        Northings in EPSG:3857 (m).

    Returns
    -------
    numpy.ndarray
        ``1 / cos(latitude)`` at each northing (1 on the equator).

    Examples
    --------
    >>> float(mercator_scale(np.array([0.0]))[0])
    1.0
    """
    lat = 2.0 * np.arctan(np.exp(np.asarray(y, dtype="float64") / MERCATOR_R)) - math.pi / 2
    return 1.0 / np.cos(lat)


def map_figure(
    extent: tuple[float, float, float, float],
    frame: tuple[int, int],
    *,
    tiles: str | None = None,
    title: str | None = None,
) -> figure:
    """An axis-free map figure in EPSG:3857 with a fixed frame and square metres.

    Parameters
    ----------
    extent : tuple of float
        ``(xmin, ymin, xmax, ymax)`` to show (widened by :func:`fit_aspect`).
    frame : tuple of int
        ``(width, height)`` of the plot frame in pixels.
    tiles : str, optional
        A WMTS tile URL template drawn under the data (default no tiles, offline).
    title : str, optional
        The figure's title.

    Returns
    -------
    bokeh.plotting.figure
        With pan, wheel zoom (active), box zoom and reset tools.
    """
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
    """Set the ranges of a map figure to show ``extent`` (widened by :func:`fit_aspect`).

    Parameters
    ----------
    fig : bokeh.plotting.figure
        A figure from :func:`map_figure`.
    extent : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in EPSG:3857.
    frame : tuple of int
        ``(width, height)`` of the figure's frame in pixels.
    """
    x0, y0, x1, y1 = fit_aspect(extent, frame)
    fig.x_range.update(start=x0, end=x1)
    fig.y_range.update(start=y0, end=y1)


def polygon_source(xs: list, ys: list, columns: Mapping[str, Iterable[Any]]) -> ColumnDataSource:
    """A data source of polygons (``multi_polygons`` layout) with extra columns.

    Parameters
    ----------
    xs, ys : list
        Coordinates in Bokeh's ``MultiPolygons`` layout
        (:meth:`planner.app.data.AppData.multipolygons`).
    columns : mapping of str to iterable
        Further columns, one value per polygon.

    Returns
    -------
    bokeh.models.ColumnDataSource
        Columns ``xs``, ``ys`` and those of ``columns``.
    """
    return ColumnDataSource({"xs": xs, "ys": ys, **{k: list(v) for k, v in columns.items()}})


def value_range(values: np.ndarray) -> tuple[float, float]:
    """The colour range of a set of values: from 0 to their largest finite value.

    Parameters
    ----------
    values : numpy.ndarray
        Values (NaN and infinities are ignored).

    Returns
    -------
    tuple of float
        ``(0, max)``; ``(0, 1)`` when no value is finite and positive.

    Examples
    --------
    >>> value_range(np.array([2.0, np.nan, 5.0]))
    (0.0, 5.0)
    >>> value_range(np.array([np.nan]))
    (0.0, 1.0)
    """
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
    """Polygons filled by ``value`` through a linear colour map, with a colour bar.

    Parameters
    ----------
    fig : bokeh.plotting.figure
        The map.
    source : bokeh.models.ColumnDataSource
        Polygons (:func:`polygon_source`) with a ``value`` column.
    palette : sequence of str
        Colours from low to high.
    clabel : str
        The colour bar's title.
    low, high : float
        The colour mapper's range.
    tooltips : list of (str, str), optional
        Hover tooltips (default no hover).
    name : str
        The renderer's name.
    line_color : str
        Outline colour.
    line_width : float
        Outline width (px).
    fill_alpha : float
        Fill opacity.

    Returns
    -------
    tuple
        ``(renderer, colour mapper, colour bar)``.
    """
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
    """A colour bar right of ``fig`` for ``mapper``, labelled in plain numbers.

    Issue 17: the default formatter switched to scientific notation.

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
    """Unfilled polygon outlines (e.g. LPA boundaries) drawn over a map.

    Parameters
    ----------
    fig : bokeh.plotting.figure
        The map.
    xs, ys : list
        Coordinates in Bokeh's ``MultiPolygons`` layout.
    color : str
        Line colour.
    width : float
        Line width (px).
    name : str
        The renderer's name.

    Returns
    -------
    bokeh.models.GlyphRenderer
        The outlines' renderer.
    """
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
    """Datashader count aggregate of points over a viewport, as Image glyph data.

    Parameters
    ----------
    x, y : numpy.ndarray
        Point coordinates (map units).
    x_range, y_range : tuple of float
        The viewport.
    size : tuple of int
        ``(width, height)`` of the image in pixels.

    Returns
    -------
    dict of str to list
        ``image, x, y, dw, dh`` for :func:`points_layer`; empty pixels are NaN (transparent).
    """
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


def points_layer(fig: figure, data: dict[str, Any], palette=POINTS_PALETTE):
    """An image of point counts (:func:`points_image_data`) coloured by histogram equalisation.

    Parameters
    ----------
    fig : bokeh.plotting.figure
        The map.
    data : dict
        Image glyph data from :func:`points_image_data`.
    palette : sequence of str
        Colours, fewest to most points (default :data:`POINTS_PALETTE`).

    Returns
    -------
    tuple
        ``(renderer, source)``; set ``source.data`` to a new aggregate to redraw.
    """
    mapper = EqHistColorMapper(palette=list(palette), nan_color=(0, 0, 0, 0))
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
    """Grid cells (a hotspot surface) as rectangles coloured by ``value``.

    Parameters
    ----------
    fig : bokeh.plotting.figure
        The map.
    palette : sequence of str
        Colours from low to high.
    tooltips : list of (str, str)
        Hover tooltips.

    Returns
    -------
    tuple
        ``(renderer, mapper)``; the source (``x, y, w, value``) starts empty.
    """
    mapper = LinearColorMapper(palette=list(palette), low=0, high=1)
    source = ColumnDataSource({"x": [], "y": [], "w": [], "value": []})
    r = _cell_rects(fig, source, {"field": "value", "transform": mapper}, 0.75)
    fig.add_tools(HoverTool(renderers=[r], tooltips=tooltips))
    return r, mapper


def categories_layer(fig: figure, categories: list[str]):
    """Grid cells coloured by category (e.g. emerging hotspot categories), with a legend.

    Parameters
    ----------
    fig : bokeh.plotting.figure
        The map.
    categories : list of str
        The categories, in legend order.

    Returns
    -------
    tuple
        ``(renderer, source)``; the source (``x, y, w, category, trend_z``) starts empty.
    """
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
    """Call ``callback(index)`` when a glyph of ``renderer`` is tapped (server-side).

    Parameters
    ----------
    renderer : bokeh.models.GlyphRenderer
        The tappable glyphs.
    callback : callable
        Called with the index of the first selected glyph.
    """

    def changed(_attr, _old, new):
        if new:
            callback(int(new[0]))

    renderer.data_source.selected.on_change("indices", changed)

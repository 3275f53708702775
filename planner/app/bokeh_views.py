"""Plain Bokeh figures for the app's hot paths: built once per session, then updated in place.

A filter change on a map sends one ``value`` column to the browser (the polygons stay where
they are) and a click on a drill-down bar sends the new bars' labels and values, instead of
re-rendering a HoloViews plot. Polygon coordinates are converted to Bokeh's MultiPolygons layout
once per workspace (:func:`planner.app.data.AppData.multipolygons`) and shared by every session.

The figures live in :mod:`planner.app.bokeh_maps` (maps and their layers) and
:mod:`planner.app.bokeh_charts` (bars and lines); this module gathers them under one name
(``from planner.app import bokeh_views as bv``), with the Bokeh models the pages use beside them.
"""

from __future__ import annotations

from bokeh.models import ColumnDataSource, HoverTool, TapTool

from planner.app.bokeh_charts import (
    bar_figure,
    bar_tooltips,
    line_figure,
    time_lines,
    value_format,
)
from planner.app.bokeh_maps import (
    AREA_PALETTE,
    BAR_FORMAT,
    CATEGORY_PALETTE,
    DELIVERY_PALETTE,
    GISTAR_PALETTE,
    KDE_PALETTE,
    MERCATOR_R,
    NAN_COLOR,
    PAGE_MAP_FRAME,
    POINTS_PALETTE,
    RATIO_PALETTE,
    area_layer,
    categories_layer,
    cells_layer,
    colour_bar,
    fit_aspect,
    map_figure,
    mercator_scale,
    outline_layer,
    points_image_data,
    points_layer,
    polygon_source,
    tap_selection,
    value_range,
    zoom_to,
)

__all__ = [
    "AREA_PALETTE",
    "BAR_FORMAT",
    "CATEGORY_PALETTE",
    "DELIVERY_PALETTE",
    "GISTAR_PALETTE",
    "KDE_PALETTE",
    "MERCATOR_R",
    "NAN_COLOR",
    "PAGE_MAP_FRAME",
    "POINTS_PALETTE",
    "RATIO_PALETTE",
    "ColumnDataSource",
    "HoverTool",
    "TapTool",
    "area_layer",
    "bar_figure",
    "bar_tooltips",
    "categories_layer",
    "cells_layer",
    "colour_bar",
    "fit_aspect",
    "line_figure",
    "map_figure",
    "mercator_scale",
    "outline_layer",
    "points_image_data",
    "points_layer",
    "polygon_source",
    "tap_selection",
    "time_lines",
    "value_format",
    "value_range",
    "zoom_to",
]

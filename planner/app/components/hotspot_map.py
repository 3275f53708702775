"""The Hotspots page's map: a ``pn.viewable.Viewer`` drawing a :class:`MapState`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import panel as pn
import panel_material_ui as pmui
import param
from bokeh.palettes import Purples9

from planner.app import bokeh_views as bv
from planner.app.components.map_labels import add_map_labels, tgp_label_points
from planner.app.data import LEVELS
from planner.app.state.hotspots import MapState
from planner.hotspots.emerging import CATEGORIES as EMERGING_CATEGORIES

#: map frame (plot area) in pixels; fixed so that the zoom keeps metres square
MAP_FRAME = (760, 560)
#: datashader raster of the crime points (pixels), re-aggregated to the visible range
POINTS_PX = (760, 560)
#: calls for service: purples, distinct from the crime points' blues
CALLS_PALETTE = tuple(reversed(Purples9))[2:]


class HotspotMap(pn.viewable.Viewer):
    """The hotspots map: areas, outlines, TGPs, surfaces and crime points in one Bokeh figure.

    Areas coloured by crime count or harm, LPA outlines, TGPs, a hotspot surface or emerging
    categories, and datashaded crime points and calls for service: one plain Bokeh figure per session, updated in
    place (a filter change sends only the new ``value`` column to the browser).
    """

    state = cast("param.ClassSelector[MapState]", param.ClassSelector(class_=MapState))
    tiles = param.String(
        default=None, allow_None=True, doc="Basemap tile URL; None = no basemap (offline)."
    )

    def __init__(self, **params):
        super().__init__(**params)
        st, data = self.state, self.state.data
        self._level = st.level
        self.fig = bv.map_figure(st.extent(), MAP_FRAME, tiles=self.tiles)
        self.fig.css_classes = ["hotspot-figure"]
        xs, ys = data.multipolygons(st.level)
        self._src = bv.polygon_source(xs, ys, self._columns())
        self._areas, self._mapper, self._bar = bv.area_layer(
            self.fig,
            self._src,
            bv.AREA_PALETTE,
            clabel=st.measure,
            tooltips=self._tooltips(),
        )
        self._set_values()
        lx, ly = data.multipolygons("LPAs")
        bv.outline_layer(self.fig, lx, ly, name="lpa_outline")
        self._tgps = None
        if data.has("tgps"):
            tx, ty = data.multipolygons("tgps")
            self._tgp_renderer(tx, ty, data.layer("tgps"))
        self._labels = add_map_labels(self.fig, data)
        self._cells = {
            "KDE": bv.cells_layer(
                self.fig, bv.KDE_PALETTE, tooltips=[("KDE per km²", "@value{0,0.0}")]
            ),
            "Gi*": bv.cells_layer(
                self.fig, bv.GISTAR_PALETTE, tooltips=[("Gi* z", "@value{0.00}")]
            ),
        }
        for r, _m in self._cells.values():
            r.visible = False
        # a legend for each surface (Gi* had none: issue 17), shown with its layer
        self._cell_bars = {
            "KDE": bv.colour_bar(
                self.fig, self._cells["KDE"][1], "KDE, crimes per km²", visible=False
            ),
            "Gi*": bv.colour_bar(
                self.fig,
                self._cells["Gi*"][1],
                "Gi* z-score (hot spots: z > 1.96 is significant at 5%)",
                visible=False,
            ),
        }
        self._emerging, self._emerging_src = bv.categories_layer(
            self.fig, list(EMERGING_CATEGORIES)
        )
        self._emerging.visible = False
        self.fig.legend.visible = False
        self._points, self._points_src = bv.points_layer(self.fig, self._empty_image())
        self._points.visible = False
        self._calls, self._calls_src = bv.points_layer(
            self.fig, self._empty_image(), palette=CALLS_PALETTE
        )
        self._calls.visible = False
        self._set_surface()
        self._set_points()
        self._set_calls()
        st.param.watch(self._on_values, ["start", "end", "measure", "crime_types", "lpa"])
        st.param.watch(self._on_level, ["level"])
        st.param.watch(self._on_lpa, ["lpa"])
        st.param.watch(
            lambda e: setattr(self._tgps, "visible", e.new) if self._tgps else None, ["show_tgps"]
        )
        st.param.watch(
            lambda *_: self._set_surface(), ["surface", "start", "end", "measure", "crime_types"]
        )
        st.param.watch(
            lambda *_: self._set_points(), ["show_points", "start", "end", "crime_types", "lpa"]
        )
        st.param.watch(lambda *_: self._set_calls(), ["show_calls", "start", "end", "lpa"])
        self.fig.on_event("rangesupdate", lambda _e: self._on_viewport())

    # ---- TGPs ----------------------------------------------------------------------------------
    @staticmethod
    def _tgp_columns(t) -> dict[str, list[str]]:
        return {
            c: list(t[c].astype(str)) if c in t.columns else [""] * len(t)
            for c in ("tgp_id", "driver", "lpa")
        }

    def _tgp_renderer(self, xs: list, ys: list, t):
        """The TGP outline layer (made once; later layers replace its data)."""
        if self._tgps is None:
            self._tgps = self.fig.multi_polygons(
                "xs",
                "ys",
                source=bv.polygon_source(xs, ys, self._tgp_columns(t)),
                fill_alpha=0,
                line_color="#2b8cbe",
                line_width=2,
                name="tgps",
                visible=self.state.show_tgps,
            )
            self.fig.add_tools(
                bv.HoverTool(
                    renderers=[self._tgps],
                    tooltips=[("TGP", "@tgp_id"), ("driver", "@driver"), ("LPA", "@lpa")],
                )
            )
        else:
            self._tgps.data_source.data = {"xs": xs, "ys": ys, **self._tgp_columns(t)}
        return self._tgps

    def show_tgp_layer(self, tgps) -> None:
        """Draw ``tgps`` as the map's TGP layer in place of the workspace's, and switch it on.

        ``tgps`` is a TGP GeoDataFrame in any CRS, e.g. a re-derived layer.

        Parameters
        ----------
        tgps : geopandas.GeoDataFrame
            TGP polygons with ``tgp_id`` (and ``driver``, ``lpa`` when known).
        """
        from planner.app.layers import bokeh_multipolygons
        from planner.crs import WEB

        t = tgps.to_crs(WEB)
        xs, ys = bokeh_multipolygons(t.geometry.to_numpy())
        self._tgp_renderer(xs, ys, t)
        lx, ly, text = tgp_label_points(t, self.state.data.street_labels(tgps))
        self._labels["tgps"].source.data = {"x": list(lx), "y": list(ly), "text": text}
        self.state.show_tgps = True
        self._tgps.visible = True

    # ---- areas -------------------------------------------------------------------------------
    def _columns(self) -> dict[str, Iterable[Any]]:
        key, label = LEVELS[self.state.level]
        a = self.state.data.layer(self.state.level)
        cols = {"name": a[label].astype(str), "lpa": a["lpa"].astype(str)}
        return {**cols, "value": np.zeros(len(a))}

    def _tooltips(self) -> list[tuple[str, str]]:
        label = LEVELS[self.state.level][1]
        m = self.state.measure
        return [(label, "@name"), ("LPA", "@lpa"), (m, f"@value{{{bv.value_format(m)}}}")]

    def _set_values(self) -> None:
        v = self.state.map_areas()["value"].to_numpy(dtype="float64")
        self._src.data["value"] = v
        self._mapper.update(low=0.0, high=bv.value_range(v)[1])
        self._bar.title = self.state.measure

    def _on_values(self, *_events) -> None:
        self._set_values()
        for t in self.fig.tools:
            if isinstance(t, bv.HoverTool) and self._areas in t.renderers:
                t.tooltips = self._tooltips()

    def _on_level(self, *_events) -> None:
        xs, ys = self.state.data.multipolygons(self.state.level)
        self._src.data = {"xs": xs, "ys": ys, **{k: list(v) for k, v in self._columns().items()}}
        self._set_values()
        hover = [
            t for t in self.fig.tools if isinstance(t, bv.HoverTool) and self._areas in t.renderers
        ]
        for t in hover:
            t.tooltips = self._tooltips()

    def _on_lpa(self, *_events) -> None:
        bv.zoom_to(self.fig, self.state.extent(), MAP_FRAME)

    # ---- surfaces ----------------------------------------------------------------------------
    def _cell_width(self, y: np.ndarray) -> np.ndarray:
        return self.state.data.config.surface_cell_m * bv.mercator_scale(y)

    def _set_surface(self) -> None:
        kind = self.state.surface
        for name, (r, _m) in self._cells.items():
            r.visible = name == kind
            self._cell_bars[name].visible = name == kind
        self._emerging.visible = kind == "Emerging"
        self.fig.legend.visible = kind == "Emerging"
        if kind == "none":
            return
        f = self.state.surface_frame()
        y = f["y"].to_numpy(dtype="float64")
        if kind == "Emerging":
            self._emerging_src.data = {
                "x": f["x"].to_numpy(dtype="float64"),
                "y": y,
                "w": self._cell_width(y),
                "category": list(f["category"].astype(str)),
                "trend_z": f["trend_z"].to_numpy(dtype="float64"),
            }
            return
        r, mapper = self._cells[kind]
        v = f["value"].to_numpy(dtype="float64")
        r.data_source.data = {
            "x": f["x"].to_numpy(dtype="float64"),
            "y": y,
            "w": self._cell_width(y),
            "value": v,
        }
        lo = float(np.nanmin(v)) if kind == "Gi*" and v.size else 0.0
        mapper.update(low=lo, high=max(bv.value_range(v)[1], lo + 1e-9))

    # ---- points --------------------------------------------------------------------------------
    def _empty_image(self) -> dict[str, list]:
        return {
            "image": [np.full((1, 1), np.nan, dtype="float32")],
            "x": [0],
            "y": [0],
            "dw": [1],
            "dh": [1],
        }

    def _shade(self, renderer, source, on: bool, frame, viewport: bool) -> None:
        """Datashade the points of ``frame()`` into ``source`` over the viewport (when ``on``)."""
        renderer.visible = on
        if not on:
            return
        xr, yr = self.fig.x_range, self.fig.y_range
        if viewport and (xr.start is None or yr.start is None):
            return
        p = frame()
        source.data = bv.points_image_data(
            p["x"].to_numpy(), p["y"].to_numpy(), (xr.start, xr.end), (yr.start, yr.end), POINTS_PX
        )

    def _set_points(self, viewport: bool = False) -> None:
        st = self.state
        self._shade(self._points, self._points_src, st.show_points, st.points, viewport)

    def _set_calls(self, viewport: bool = False) -> None:
        st = self.state
        self._shade(self._calls, self._calls_src, st.show_calls, st.calls_points, viewport)

    def _on_viewport(self) -> None:
        self._set_points(viewport=True)
        self._set_calls(viewport=True)

    def __panel__(self):
        st = self.state
        p = st.param
        title = pmui.Typography(
            pn.bind(
                lambda *_: st.title(), p.start, p.end, p.measure, p.level, p.lpa, p.crime_types
            ),
            variant="subtitle1",
            css_classes=["map-title"],
        )
        plot = pn.pane.Bokeh(self.fig, css_classes=["hotspot-map"])
        return pn.Column(title, plot, sizing_mode="stretch_width")

"""Views: ``pn.viewable.Viewer`` components that draw a state object and build widgets from it."""

from __future__ import annotations

import geoviews  # noqa: F401  (registers the GeoPandas interface for hv.Polygons)
import holoviews as hv
import panel as pn
import panel_material_ui as pmui
import param
from holoviews.operation.datashader import rasterize

from planner.app.data import LEVELS
from planner.app.state import DrillState, MapState

#: colour map for counts and harm (light = low, dark red = high)
CMAP = "YlOrRd"
MAP_HEIGHT = 620
#: map frame (plot area) in pixels; fixed so that the zoom keeps metres square
MAP_FRAME = (760, 560)


def synthetic_banner(text: str = "") -> pmui.Alert:
    """The label every page that shows synthetic data carries."""
    msg = text or (
        "SYNTHETIC DEMO DATA: crimes, people and patrols shown here are simulated by planner.demo "
        "and are NOT real West Midlands Police data. Boundaries are real (ONS, OGL v3.0)."
    )
    return pmui.Alert(
        object=msg, severity="warning", sizing_mode="stretch_width", css_classes=["synthetic-label"]
    )


def unavailable(what: str, module: str) -> pmui.Alert:
    """The message a page shows when the library it needs is not in this build."""
    return pmui.Alert(
        object=f"{what} is not available in this build: the `{module}` library functions it calls are missing.",
        severity="info",
        sizing_mode="stretch_width",
        css_classes=["unavailable"],
    )


def tiles_element(tiles: str | None) -> hv.Element | None:
    """A basemap from a tile URL template (``{Z}/{X}/{Y}``), or None when tiles are off."""
    return hv.Tiles(tiles, name="basemap") if tiles else None


class HotspotMap(pn.viewable.Viewer):
    """Areas coloured by crime count or harm, LPA outlines, optional datashaded crime points."""

    state = param.ClassSelector(class_=MapState)
    tiles = param.String(
        default=None, allow_None=True, doc="Basemap tile URL; None = no basemap (offline)."
    )

    @param.depends("state.start", "state.end", "state.measure", "state.lpa", "state.crime_types")
    def _areas(self):
        st = self.state
        key, label = LEVELS[st.level]
        a = st.map_areas()
        vdims = ["value", label] + (["lpa"] if label != "lpa" else [])
        polys = hv.Polygons(a, vdims=vdims, label="areas").opts(
            color="value",
            cmap=CMAP,
            colorbar=True,
            clabel=st.measure,
            line_color="white",
            line_width=0.4,
            fill_alpha=0.85,
            clipping_colors={"NaN": "#e6e6e6"},
            hooks=[self._zoom_hook],
            tools=["hover"],
            hover_tooltips=[
                (label, f"@{{{label}}}"),
                ("LPA", "@lpa"),
                (st.measure, "@value{0,0.0}"),
            ]
            if label != "lpa"
            else [("LPA", "@lpa"), (st.measure, "@value{0,0.0}")],
        )
        return polys

    def _outline(self):
        # static: LPA boundaries never change, so they are sent to the browser once
        lpas = self.state.data.layer("LPAs")
        return hv.Polygons(lpas, vdims=["lpa"], label="lpa_outline").opts(
            fill_alpha=0, line_color="black", line_width=1.2, tools=[]
        )

    def _zoom_hook(self, plot, element) -> None:
        """Zoom the figure to the selected LPA (or the force) whenever the frame changes."""
        x0, y0, x1, y1 = self.state.extent()
        # keep the fixed frame's aspect (1 m across = 1 m up): widen the shorter side
        aspect = MAP_FRAME[0] / MAP_FRAME[1]
        cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
        if w / h < aspect:
            w = h * aspect
        else:
            h = w / aspect
        x0, x1, y0, y1 = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
        fig = plot.state
        if self._zoomed_to != self.state.lpa:
            fig.x_range.update(start=x0, end=x1)
            fig.y_range.update(start=y0, end=y1)
        self._zoomed_to = self.state.lpa

    @param.depends("state.start", "state.end", "state.lpa", "state.crime_types")
    def _points(self):
        return hv.Points(self.state.points(), kdims=["x", "y"], vdims=["harm"])

    def _tgps(self, show: bool):
        # all TGPs are drawn (the map zooms to the LPA), so the layer never changes shape
        if not show or not self.state.data.has("tgps"):
            return None
        t = self.state.data.layer("tgps")
        cols = [c for c in ("tgp_id", "driver", "lpa", "crimes", "harm") if c in t.columns]
        return hv.Polygons(t, vdims=cols, label="tgps").opts(
            fill_alpha=0,
            line_color="#2b8cbe",
            line_width=2,
            tools=["hover"],
            hover_tooltips=[("TGP", "@tgp_id"), ("driver", "@driver"), ("LPA", "@lpa")],
        )

    @param.depends("state.start", "state.end", "state.measure", "state.crime_types")
    def _surface(self):
        return hv.Points(self.state.surface_frame(), kdims=["x", "y"], vdims=["value"])

    def _overlay(
        self, show_points: bool, level: str, show_tgps: bool = False, surface: str = "none"
    ):
        self._zoomed_to = None
        # a new figure when the level changes (other columns); a DynamicMap update otherwise
        layers = [hv.DynamicMap(self._areas), self._outline()]
        tg = self._tgps(show_tgps)
        if tg is not None:
            layers.append(tg)
        base = tiles_element(self.tiles)
        if base is not None:
            layers.insert(0, base)
        if surface != "none":
            import datashader as ds
            from holoviews.operation.datashader import spread

            raster = rasterize(hv.DynamicMap(self._surface), aggregator=ds.max("value"))
            layers.append(
                spread(raster, px=2).opts(
                    cmap="inferno_r" if surface == "KDE" else "Reds",
                    alpha=0.75,
                    colorbar=False,
                    apply_ranges=False,
                    tools=["hover"],
                )
            )
        if show_points:
            # datashader re-aggregates on zoom; the raster never widens the map's ranges
            layers.append(
                rasterize(hv.DynamicMap(self._points), aggregator="count").opts(
                    cmap="Blues", cnorm="eq_hist", alpha=0.8, colorbar=False, apply_ranges=False
                )
            )
        overlay = layers[0]
        for el in layers[1:]:
            overlay = overlay * el
        return overlay.opts(
            hv.opts.Overlay(
                frame_width=MAP_FRAME[0],
                frame_height=MAP_FRAME[1],
                xaxis=None,
                yaxis=None,
                framewise=True,
                active_tools=["wheel_zoom"],
                toolbar="above",
            )
        )

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
        plot = pn.pane.HoloViews(
            pn.bind(self._overlay, p.show_points, p.level, p.show_tgps, p.surface),
            sizing_mode="stretch_width",
            min_height=MAP_HEIGHT,
            linked_axes=False,
            css_classes=["hotspot-map"],
        )
        return pn.Column(title, plot, sizing_mode="stretch_width")


class DrillBars(pn.viewable.Viewer):
    """A bar chart where clicking a bar drills one level down; a button goes back up."""

    state = param.ClassSelector(class_=DrillState)
    title = param.String(default="")
    ylabel = param.String(default="value")

    def __init__(self, **params):
        super().__init__(**params)
        self._up = pmui.Button(
            label="Up one level", variant="outlined", size="small", css_classes=["drill-up"]
        )
        self._up.on_click(lambda _e: self.state.up())
        self._crumb = pmui.Typography(css_classes=["drill-crumb"])
        self.state.param.watch(self._update_crumb, "path")
        self._update_crumb()

    def _update_crumb(self, *_):
        self._crumb.object = f"{self.title}: {self.state.breadcrumb()} ({self.state.level})"
        self._up.disabled = not self.state.path

    def _on_select(self, frame, index):
        if index and index[0] < len(frame) and self.state.can_drill:
            self.state.drill(str(frame["key"].iloc[index[0]]))

    def _bars(self, *_):
        st = self.state
        f = st.frame()
        bars = hv.Bars(
            f,
            kdims=[hv.Dimension("label", label=st.level)],
            vdims=[hv.Dimension("value", label=self.ylabel)],
        )
        bars = bars.opts(
            title=f"{self.title}: {st.breadcrumb()}",
            responsive=True,
            height=380,
            xrotation=45,
            color="#b2182b",
            tools=["tap", "hover"],
            nonselection_alpha=1.0,
            default_tools=[],
            toolbar=None,
        )
        sel = hv.streams.Selection1D(source=bars)
        sel.add_subscriber(lambda index: self._on_select(f, index))
        return bars

    def __panel__(self):
        plot = pn.pane.HoloViews(
            pn.bind(self._bars, self.state.param.path, self.state.param.version),
            sizing_mode="stretch_width",
            min_height=380,
            css_classes=["drill-chart"],
        )
        return pn.Column(pn.Row(self._crumb, self._up), plot, sizing_mode="stretch_width")

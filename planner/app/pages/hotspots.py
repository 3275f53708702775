"""The Hotspots and TGPs page: crime maps, hotspot surfaces, drill-down and TGPs.

The Hotspots and TGPs page: areas coloured by crime or harm, hotspot surfaces, drill-down,
TGP coverage, emerging hotspot categories and the TGP re-derivation.
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from planner.access.scope import may
from planner.app.components.drill import DrillBars
from planner.app.components.hotspot_map import HotspotMap
from planner.app.components.tables import html_table, table
from planner.app.pages.base import Page
from planner.app.state.hotspots import CrimeDrillState, MapState, TGPDeriveState
from planner.errors import PlannerError


def out_of_range(obj, values: dict, labels: dict | None = None) -> str | None:
    """The first of ``values`` outside its parameter's bounds on ``obj``, as a sentence.

    Parameters
    ----------
    obj : param.Parameterized
        The state whose parameters bound the values.
    values : dict
        Parameter name -> value typed by the user.
    labels : dict, optional
        Parameter name -> the label the user sees (default the name).

    Returns
    -------
    str or None
        E.g. "Radius (m) 1500 is out of range: 25 to 1000.", or None when every value fits.
    """
    for name, value in values.items():
        label = (labels or {}).get(name, name)
        if value is None:
            return f"{label} is empty."
        lo, hi = obj.param[name].bounds or (None, None)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return f"{label} {value:g} is out of range: {lo:g} to {hi:g}."
    return None


def gpd_to_geojson(tgps) -> str:
    """A TGP layer as GeoJSON (EPSG:4326).

    Parameters
    ----------
    tgps : geopandas.GeoDataFrame
        The layer.

    Returns
    -------
    str
    """
    import geopandas as gpd

    return gpd.GeoDataFrame(tgps).to_crs(4326).to_json()


def derivation_geopackage(tgps) -> bytes:
    """A TGP layer as a GeoPackage (layer ``tgps``, EPSG:27700 as derived).

    Parameters
    ----------
    tgps : geopandas.GeoDataFrame
        The layer.

    Returns
    -------
    bytes
    """
    import tempfile
    from pathlib import Path

    import geopandas as gpd

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tgps.gpkg"
        gpd.GeoDataFrame(tgps).to_file(path, layer="tgps", driver="GPKG")
        return path.read_bytes()


class HotspotsPage(Page):
    """Intelligence team: where crime and harm are, by area, with points and a drill-down."""

    title = "Hotspots and TGPs"
    slug = "hotspots"
    #: in a served session, build the sections below the drill-down (coverage, emerging
    #: categories, re-derive) once the browser has drawn the rest: fewer panel-material-ui
    #: components to render first. First page load, median of five fresh servers each with
    #: the figures visible: 4.32 -> 3.80 s (docs/app.md)
    defer_lower = True

    def __init__(self, **params):
        super().__init__(**params)
        self.state = MapState(self.data, principal=self.principal)
        self.drill = CrimeDrillState(map=self.state)
        self._map: HotspotMap | None = None

    def controls(self) -> pn.viewable.Viewable:
        """The map's filters: period, measure, level, LPA, crime types and layers.

        Returns
        -------
        panel.viewable.Viewable
            The controls column.
        """
        p = self.state.param
        return pn.Column(
            pmui.Select.from_param(
                p.lpa, label="LPA", css_classes=["lpa-select"], sizing_mode="stretch_width"
            ),
            pmui.Row(
                pmui.Select.from_param(p.start, label="From", sizing_mode="stretch_width"),
                pmui.Select.from_param(p.end, label="To", sizing_mode="stretch_width"),
            ),
            pmui.RadioButtonGroup.from_param(p.measure, label="Colour by", size="small"),
            pmui.RadioButtonGroup.from_param(p.level, label="Areas", size="small"),
            pmui.Card(
                pmui.CheckBoxGroup.from_param(p.crime_types, label="", sizing_mode="stretch_width"),  # type: ignore[arg-type]  # panel types *items as lists
                title="Crime types",
                collapsed=True,
                sizing_mode="stretch_width",
            ),
            pmui.RadioButtonGroup.from_param(
                p.surface, label="Hotspot surface (250 m grid)", size="small"
            ),
            pmui.Switch.from_param(p.show_points, label="Crime points (datashader)"),
            pmui.Switch.from_param(
                p.show_tgps, label="TGP layer", disabled=not self.data.has("tgps")
            ),
            pmui.Switch.from_param(
                p.show_calls,
                label="Calls for service (datashader)",
                disabled=not self.state.has_calls(),
                css_classes=["calls-switch"],
            ),
            sizing_mode="stretch_width",
            css_classes=["map-controls"],
        )

    def emerging_panel(self) -> pn.viewable.Viewable:
        """Emerging hotspot categories for the map's period and crime types.

        Emerging hotspot categories (planner.hotspots.emerging) for the map's period and crime
        types: cells per category; the cells themselves are a layer of the map above.

        Returns
        -------
        panel.viewable.Viewable
            A switch, a caption and the counts per category.
        """
        synth = " (SYNTHETIC)" if self.data.is_synthetic(self.data.crime_table) else ""

        def counts(*_):
            e = self.state.emerging()
            return e["category"].value_counts().rename_axis("category").reset_index()

        def caption(*_):
            s, e = self.state.period
            return (
                f"250 m cells per emerging hotspot category, monthly steps, {s} to {e}{synth}. "
                "Choose 'Emerging' under Hotspot surface to see them on the map."
            )

        p = self.state.param
        deps = (p.start, p.end, p.crime_types)
        show = pmui.Switch(label="Count emerging hotspot categories (about half a second)")
        return pn.Column(
            show,
            pmui.Typography(pn.bind(caption, *deps), variant="body2"),
            # computed only while the switch is on
            table(
                pn.bind(lambda on, *_: counts() if on else None, show, *deps),
                css_classes=["emerging-counts"],
                height=300,
            ),
            sizing_mode="stretch_width",
        )

    def demand_panel(self) -> list:
        """Calls for service held by the TGPs, and the force's ASB areas against violent TGPs.

        Returns
        -------
        list
            Headings, captions and tables; empty when the workspace has neither calls nor
            ASB areas of the force's own.
        """
        st = self.state
        out: list = []
        if st.has_calls():
            p = st.param
            deps = (p.start, p.end, p.lpa)
            out += [
                pmui.Typography("Calls for service (demand)", variant="h6"),
                pmui.Typography(
                    pn.bind(lambda *_: st.calls_line(), *deps),
                    variant="body2",
                    css_classes=["calls-line"],
                ),
                table(
                    pn.bind(lambda *_: st.calls_by_tgp(), *deps),
                    height=300,
                    css_classes=["calls-by-tgp"],
                ),
            ]
        asb = st.asb_overlap_table()
        if asb is not None:
            by, text = asb
            if self.data.is_synthetic("tgps"):
                text += " (SYNTHETIC TGPs)"
            out += [
                pmui.Typography("The force's ASB areas against the violent TGPs", variant="h6"),
                pmui.Typography(text, variant="body2", css_classes=["asb-overlap-text"]),
                table(by, height=300, css_classes=["asb-overlap"]),
            ]
        return out

    def derive_panel(self) -> pn.viewable.Viewable:
        """Re-derive TGPs with chosen parameters; the new layer is drawn on the map.

        Its coverage is shown, and the downloads give that layer (the last one derived).

        Returns
        -------
        panel.viewable.Viewable
            The re-derivation card.
        """
        from io import BytesIO, StringIO

        st = TGPDeriveState(self.data, principal=self.principal)
        p = st.param
        run = pmui.Button(label="Re-derive TGPs", variant="contained", css_classes=["derive-run"])
        tag = "_SYNTHETIC" if self.data.is_synthetic(self.data.crime_table) else ""
        last: dict = {}  # the last successful derivation: its layer and window

        def layer_name() -> str:
            s, e = last.get("window", st.window)
            return f"tgps_{s}_{e}{tag}"

        def need_layer():
            if "derivation" not in last:
                raise PlannerError("re-derive the TGPs first")
            return last["derivation"]

        gpkg = pmui.FileDownload(
            callback=lambda: BytesIO(derivation_geopackage(need_layer().tgps)),
            filename=f"tgps{tag}.gpkg",
            label="GeoPackage",
            css_classes=["derive-gpkg"],
            disabled=True,
        )
        gjson = pmui.FileDownload(
            callback=lambda: StringIO(gpd_to_geojson(need_layer().tgps)),
            filename=f"tgps{tag}.geojson",
            label="GeoJSON",
            css_classes=["derive-geojson"],
            disabled=True,
        )
        # plain inputs, checked on a click: a value outside a parameter's bounds gets a message
        # instead of a server traceback and a silent revert (issue 17)
        inputs = {
            "area_share": pmui.FloatInput(
                value=st.area_share, label="Area share", step=0.002, width=130
            ),
            "count": pmui.IntInput(value=st.count, label="Count", width=110),
            "radius": pmui.FloatInput(
                value=st.radius, label="Radius (m)", width=120, css_classes=["derive-radius"]
            ),
            "min_separation": pmui.FloatInput(
                value=st.min_separation, label="Min separation (m)", width=150
            ),
        }
        summary = pmui.Typography(
            "Choose a window and parameters, then re-derive (about 5 s).",
            variant="body2",
            css_classes=["derive-summary"],
        )
        coverage = table(pd.DataFrame({"area": []}), css_classes=["derive-coverage"])

        def on_run(_event) -> None:
            values = {k: w.value for k, w in inputs.items()}
            problem = out_of_range(st, values, {k: w.label for k, w in inputs.items()})
            if problem:
                summary.object = f"Not derived: {problem}"
                return
            try:
                st.param.update(**values)
                d = st.derive()
                cov = st.coverage()
            except PlannerError as e:
                summary.object = f"Not derived: {e}."
                return
            s = d.summary
            start, end = st.window
            last.update(derivation=d, window=(start, end))
            summary.object = (
                f"{s['n_tgps']} TGPs ({s['n_violent']} violent, {s['n_asb']} ASB) covering "
                f"{100 * s['area_share']:.2f}% of the force area, from the violence and ASB of "
                f"{start} to {end}{' (SYNTHETIC crimes)' if tag else ''}. Drawn on the map above."
            )
            coverage.object = html_table(cov, height=320, fixed=True)
            for w, ext in ((gpkg, "gpkg"), (gjson, "geojson")):
                w.filename = f"{layer_name()}.{ext}"
                w.disabled = False
            if self._map is not None:
                self._map.show_tgp_layer(d.tgps)

        run.on_click(on_run)
        return pmui.Card(
            pn.Row(  # type: ignore[arg-type]  # panel types *items as lists
                pmui.Select.from_param(
                    p.start, label="From", width=120, css_classes=["derive-start"]
                ),
                pmui.Select.from_param(p.end, label="To", width=120, css_classes=["derive-end"]),
                *inputs.values(),
                run,
            ),
            summary,  # type: ignore[arg-type]  # panel types *items as lists
            coverage,  # type: ignore[arg-type]  # panel types *items as lists
            pn.Row(gpkg, gjson),  # type: ignore[arg-type]  # panel types *items as lists
            title="Re-derive TGPs (planner.hotspots.tgps)",
            collapsed=False,
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        synthetic = self.data.is_synthetic(self.data.crime_table)
        self._map = HotspotMap(state=self.state, tiles=self.tiles)
        area_table = table(
            pn.bind(
                lambda *_: self.state.table(),
                *[
                    self.state.param[k]
                    for k in ("start", "end", "measure", "level", "lpa", "crime_types")
                ],
            ),
            height=346,
            css_classes=["area-table"],
        )
        cov = self.state.coverage()
        coverage = (
            [
                pmui.Typography(
                    "TGP coverage (planner.hotspots): share of area, offences and harm inside TGPs",
                    variant="h6",
                ),
                table(cov, css_classes=["coverage-table"]),
            ]
            if cov is not None
            else []
        )
        drill = pn.Row(
            pn.Column(
                DrillBars(state=self.drill, title="Drill down", ylabel=self.state.param.measure),
                sizing_mode="stretch_width",
            ),
            pn.Column(
                pmui.Typography("Areas ranked", variant="h6"),
                area_table,
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )

        def lower():
            return [
                *coverage,
                *self.demand_panel(),
                pmui.Typography("Emerging hotspot categories", variant="h6"),
                self.emerging_panel(),
                *([self.derive_panel()] if may(self.principal, "derive_tgps") else []),
            ]

        below = pn.Column(sizing_mode="stretch_width")
        doc = pn.state.curdoc
        if self.defer_lower and doc is not None and doc.session_context is not None:
            pn.state.onload(lambda: setattr(below, "objects", lower()))
        else:
            below.objects = lower()
        return pn.Column(
            *self.header(synthetic),
            pn.Row(
                pn.Column(self.controls(), width=330),
                self._map,
                sizing_mode="stretch_width",
            ),
            drill,
            below,
            sizing_mode="stretch_width",
        )

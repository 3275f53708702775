"""The Hotspots and TGPs page: crime maps, hotspot surfaces, drill-down and TGPs.

The Hotspots and TGPs page: areas coloured by crime or harm, hotspot surfaces, drill-down,
TGP coverage, emerging hotspot categories and the TGP re-derivation.
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from planner.app.components.drill import DrillBars
from planner.app.components.hotspot_map import HotspotMap
from planner.app.components.tables import table
from planner.app.pages.base import Page
from planner.app.state.hotspots import CrimeDrillState, MapState, TGPDeriveState
from planner.errors import PlannerError


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
        self.state = MapState(self.data)
        self.drill = CrimeDrillState(map=self.state)

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

    def derive_panel(self) -> pn.viewable.Viewable:
        """Re-derive TGPs with chosen parameters; coverage table and layer downloads.

        Returns
        -------
        panel.viewable.Viewable
            The re-derivation card.
        """
        from io import BytesIO, StringIO

        st = TGPDeriveState(self.data)
        p = st.param
        run = pmui.Button(label="Re-derive TGPs", variant="contained", css_classes=["derive-run"])
        tag = "_SYNTHETIC" if self.data.is_synthetic(self.data.crime_table) else ""
        gpkg = pmui.FileDownload(
            callback=lambda: BytesIO(st.geopackage()),
            filename=f"tgps{tag}.gpkg",
            label="GeoPackage",
        )
        gjson = pmui.FileDownload(
            callback=lambda: StringIO(st.geojson()),
            filename=f"tgps{tag}.geojson",
            label="GeoJSON",
        )

        def summary(clicks):
            if not clicks:
                return "Choose a window and parameters, then re-derive (about 5 s)."
            try:
                s = st.derive().summary
            except PlannerError as e:
                return f"Not derived: {e}."
            start, end = st.window
            return (
                f"{s['n_tgps']} TGPs ({s['n_violent']} violent, {s['n_asb']} ASB) covering "
                f"{100 * s['area_share']:.2f}% of the force area, from the violence and ASB of "
                f"{start} to {end}{' (SYNTHETIC crimes)' if tag else ''}."
            )

        def coverage(clicks):
            try:
                return st.coverage() if clicks else pd.DataFrame({"area": []})
            except PlannerError:
                return pd.DataFrame({"area": []})  # the summary says why

        return pmui.Card(
            pn.Row(  # type: ignore[arg-type]  # panel types *items as lists
                pmui.Select.from_param(
                    p.start, label="From", width=120, css_classes=["derive-start"]
                ),
                pmui.Select.from_param(p.end, label="To", width=120, css_classes=["derive-end"]),
                pmui.FloatInput.from_param(p.area_share, label="Area share", step=0.002, width=130),
                pmui.IntInput.from_param(p.count, label="Count", width=110),
                pmui.FloatInput.from_param(p.radius, label="Radius (m)", width=120),
                pmui.FloatInput.from_param(p.min_separation, label="Min separation (m)", width=150),
                run,
            ),
            pmui.Typography(  # type: ignore[arg-type]  # panel types *items as lists
                pn.bind(summary, run.param.clicks), variant="body2", css_classes=["derive-summary"]
            ),
            table(pn.bind(coverage, run.param.clicks), css_classes=["derive-coverage"]),  # type: ignore[arg-type]  # panel types *items as lists
            pn.Row(gpkg, gjson),  # type: ignore[arg-type]  # panel types *items as lists
            title="Re-derive TGPs (planner.hotspots.tgps)",
            collapsed=False,
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        synthetic = self.data.is_synthetic(self.data.crime_table)
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
                pmui.Typography("Emerging hotspot categories", variant="h6"),
                self.emerging_panel(),
                self.derive_panel(),
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
                HotspotMap(state=self.state, tiles=self.tiles),
                sizing_mode="stretch_width",
            ),
            drill,
            below,
            sizing_mode="stretch_width",
        )

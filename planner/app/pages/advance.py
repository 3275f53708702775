"""The Op Advance page: an LPA's recent-against-baseline changes, target list and briefing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import panel as pn
import panel_material_ui as pmui

from planner.app import bokeh_views as bv
from planner.app.components.background import in_background
from planner.app.components.tables import table
from planner.app.layers import bokeh_multipolygons
from planner.app.pages.base import Page
from planner.app.state.advance import AdvanceState
from planner.errors import PlannerError


def briefing_filename(lpa: str, as_of: str, synthetic: bool) -> str:
    """The download name of an Op Advance briefing: its LPA, date and the synthetic tag.

    Parameters
    ----------
    lpa : str
        The briefing's LPA (spaces and other non-word characters become ``_``).
    as_of : str
        The briefing date (YYYY-MM-DD).
    synthetic : bool
        Whether the crimes are synthetic (adds ``_SYNTHETIC``).

    Returns
    -------
    str
        E.g. ``op_advance_Coventry_2025-12-31_SYNTHETIC.html``.
    """
    import re

    safe = re.sub(r"[^\w-]+", "_", str(lpa)).strip("_")
    day = re.sub(r"[^\w-]+", "_", str(as_of)).strip("_")
    return f"op_advance_{safe}_{day}{'_SYNTHETIC' if synthetic else ''}.html"


class AdvancePage(Page):
    """Op Advance: an LPA's recent-against-baseline changes, target list and briefing export."""

    title = "Op Advance"
    slug = "advance"

    def __init__(self, **params):
        super().__init__(**params)
        self.state = AdvanceState(self.data, principal=self.principal)

    def _map(self) -> pn.viewable.Viewable:
        """The LPA's wards coloured by the recent-against-baseline rate ratio, targets on top.

        The LPA's wards coloured by the recent-against-baseline rate ratio (shortest window)
        with the target cells on top: a plain Bokeh figure.
        """
        br, data = self.state.briefing(), self.data
        wards = data.layer("wards")
        in_lpa = (wards["lpa"] == self.state.lpa).to_numpy()
        xs, ys = data.multipolygons("wards")
        w = br.wards[br.wards["window"] == br.wards["window"].min()].set_index("ward_code")
        codes = wards["ward_code"].astype(str)[in_lpa]
        idx = np.flatnonzero(in_lpa)
        synth = " (SYNTHETIC)" if self.data.is_synthetic(self.data.crime_table) else ""
        fig = bv.map_figure(
            data.extent(self.state.lpa),
            bv.PAGE_MAP_FRAME,
            tiles=self.tiles,
            title=f"Rate ratio, last {int(w['window'].iloc[0]) if len(w) else 28} days against "
            f"baseline{synth}",
        )
        src = bv.ColumnDataSource(
            {
                "xs": [xs[i] for i in idx],
                "ys": [ys[i] for i in idx],
                "value": codes.map(w["rate_ratio"]).to_numpy(dtype="float64"),
                "ward": list(wards["ward"].astype(str)[in_lpa]),
                "recent": codes.map(w["recent"]).to_numpy(dtype="float64"),
                "expected": codes.map(w["expected"]).to_numpy(dtype="float64"),
                "change": list(codes.map(w["change"]).fillna("").astype(str)),
            }
        )
        bv.area_layer(
            fig,
            src,
            bv.RATIO_PALETTE,
            clabel="rate ratio (recent / expected)",
            low=0.0,
            high=2.0,
            line_color="white",
            tooltips=[
                ("ward", "@ward"),
                ("rate ratio", "@value{0.00}"),
                ("recent", "@recent{0,0}"),
                ("expected", "@expected{0,0.0}"),
                ("significant change", "@change"),
            ],
        )
        lx, ly = data.multipolygons("LPAs")
        bv.outline_layer(fig, lx, ly)
        t = br.targets.to_crs(3857)
        tx, ty = bokeh_multipolygons(t.geometry.to_numpy())
        r = fig.multi_polygons(
            "xs",
            "ys",
            source=bv.ColumnDataSource(
                {
                    "xs": tx,
                    "ys": ty,
                    "rank": t["rank"].to_numpy(),
                    "status": list(t["status"].astype(str)),
                    "location": list(t["location"].astype(str)),
                }
            ),
            fill_color="#d7301f",
            fill_alpha=0.7,
            line_color="black",
            name="targets",
        )
        fig.add_tools(
            bv.HoverTool(
                renderers=[r],
                tooltips=[("target", "#@rank"), ("status", "@status"), ("where", "@location")],
            )
        )
        return pn.Column(pn.pane.Bokeh(fig), css_classes=["advance-map"])

    def _download(self):
        from io import StringIO

        return StringIO(self.state.briefing().html())

    def _content(self) -> list:
        """Map, target list and tables of the current (already computed) briefing."""
        br = self.state.briefing()
        wards = br.wards[br.wards["significant"]] if "significant" in br.wards else br.wards
        return [
            pn.Row(
                self._map(),
                pn.Column(
                    pmui.Typography("Target list", variant="h6"),
                    table(
                        pd.DataFrame(br.targets.drop(columns="geometry")),
                        css_classes=["advance-targets"],
                    ),
                    # the rest of the row, not a fixed 560 px (cut off on the right: issue 17)
                    sizing_mode="stretch_width",
                    min_width=300,
                ),
                sizing_mode="stretch_width",
            ),
            pmui.Typography("Recent against baseline (rate ratios)", variant="h6"),
            table(br.rates),
            pmui.Typography("Wards with a significant change", variant="h6"),
            table(wards),
        ]

    def __panel__(self):
        p = self.state.param
        synthetic = self.data.any_synthetic("crimes")

        def filename(*_):
            return briefing_filename(self.state.lpa, self.state.as_of, synthetic)

        download = pmui.FileDownload(
            callback=self._download,
            filename=filename(),
            label="Download briefing (HTML)",
            css_classes=["advance-download"],
        )
        p.watch(lambda *_: setattr(download, "filename", filename()), ["lpa", "as_of"])
        body = pn.Column(sizing_mode="stretch_width", css_classes=["advance-body"])

        def show(arg=None):
            # called by the LPA/date watcher (an event), or after the background work with the
            # error it raised (None when it succeeded)
            if isinstance(arg, Exception):
                body.objects = [pmui.Alert(object=str(arg), severity="error")]
                return
            lpa, as_of = self.state.lpa, self.state.as_of
            if self.data.advance_ready(lpa, as_of):
                try:
                    body.objects = self._content()
                except PlannerError as e:
                    body.objects = [pmui.Alert(object=str(e), severity="error")]
                return
            body.objects = [
                pmui.Typography(
                    f"Computing the Op Advance briefing for {lpa} as of {as_of} "
                    "(planner.hotspots.advance, a few seconds; kept for every session)...",
                    variant="body2",
                    css_classes=["advance-wait"],
                ),
                pmui.LinearProgress(variant="indeterminate", sizing_mode="stretch_width"),
            ]
            in_background(lambda: self.data.advance(lpa, as_of), show)

        p.watch(show, ["lpa", "as_of"])
        show()
        return pn.Column(
            *self.header(self.data.any_synthetic("crimes")),
            pn.Row(
                pmui.Select.from_param(p.lpa, label="LPA", width=240),
                pmui.TextInput.from_param(p.as_of, label="As of", width=160),
                download,
            ),
            body,
            sizing_mode="stretch_width",
        )

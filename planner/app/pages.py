"""Pages of the planner app. Each page is a ``pn.viewable.Viewer`` over the shared data."""

from __future__ import annotations

import panel as pn
import panel_material_ui as pmui
import param

from planner.app.data import AppData
from planner.app.state import CrimeDrillState, MapState
from planner.app.views import DrillBars, HotspotMap, synthetic_banner, unavailable


class Page(pn.viewable.Viewer):
    """Base page: a title, the synthetic label where needed, and content."""

    data = param.ClassSelector(class_=AppData)
    tiles = param.String(default=None, allow_None=True)
    title: str = ""
    slug: str = ""

    def header(self, synthetic: bool = True) -> list:
        items: list = [pmui.Typography(self.title, variant="h5", css_classes=["page-title"])]
        if synthetic:
            items.append(synthetic_banner())
        return items


class HotspotsPage(Page):
    """Intelligence team: where crime and harm are, by area, with points and a drill-down."""

    title = "Hotspots and TGPs"
    slug = "hotspots"

    def __init__(self, **params):
        super().__init__(**params)
        self.state = MapState(self.data)
        self.drill = CrimeDrillState(map=self.state)

    def controls(self) -> pn.viewable.Viewable:
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
                pmui.CheckBoxGroup.from_param(p.crime_types, label="", sizing_mode="stretch_width"),
                title="Crime types",
                collapsed=True,
                sizing_mode="stretch_width",
            ),
            pmui.Switch.from_param(p.show_points, label="Crime points (datashader)"),
            sizing_mode="stretch_width",
            css_classes=["map-controls"],
        )

    def __panel__(self):
        synthetic = self.data.is_synthetic(self.data.crime_table)
        table = pn.widgets.Tabulator(
            pn.bind(self.state.table),
            pagination="local",
            page_size=12,
            disabled=True,
            show_index=False,
            sizing_mode="stretch_width",
            css_classes=["area-table"],
        )
        return pn.Column(
            *self.header(synthetic),
            pn.Row(
                pn.Column(self.controls(), width=330),
                HotspotMap(state=self.state, tiles=self.tiles),
                sizing_mode="stretch_width",
            ),
            pn.Row(
                pn.Column(
                    DrillBars(state=self.drill, title="Drill down", ylabel=self.state.measure),
                    sizing_mode="stretch_width",
                ),
                pn.Column(
                    pmui.Typography("Areas ranked", variant="h6"),
                    table,
                    sizing_mode="stretch_width",
                ),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )


class UnavailablePage(Page):
    """A page whose library is not in this build yet: says so instead of faking data."""

    module = param.String(default="")

    def __panel__(self):
        return pn.Column(
            *self.header(False), unavailable(self.title, self.module), sizing_mode="stretch_width"
        )


#: (slug, menu label, factory) in menu order; a factory gets ``data=`` and ``tiles=``
PAGES: tuple[tuple[str, str, type[Page] | None, str], ...] = (
    ("hotspots", "Hotspots and TGPs", HotspotsPage, "planner.hotspots"),
    ("plan", "Patrol plan", None, "planner.planning"),
    ("delivery", "Coverage and delivery", None, "planner.tracking"),
    ("advance", "Op Advance", None, "planner.hotspots"),
    ("neighbourhoods", "Neighbourhoods", None, "planner.records"),
)


def build_page(slug: str, data: AppData, tiles: str | None = None) -> Page:
    """Instantiate the page ``slug`` (an unavailable-page notice when its library is missing)."""
    for s, label, cls, module in PAGES:
        if s == slug:
            if cls is None:
                page = UnavailablePage(data=data, tiles=tiles, module=module)
                page.title = label
                return page
            return cls(data=data, tiles=tiles)
    raise KeyError(slug)

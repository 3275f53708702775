"""Pages of the planner app. Each page is a ``pn.viewable.Viewer`` over the shared data."""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui
import param

from planner.app.data import AppData
from planner.app.state import CrimeDrillState, MapState, RecordsDrillState, RecordsState
from planner.app.views import DrillBars, HotspotMap, synthetic_banner, unavailable
from planner.errors import PlannerError


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
    ("neighbourhoods", "Neighbourhoods", "NeighbourhoodsPage", "planner.records"),
)


def build_page(slug: str, data: AppData, tiles: str | None = None, **kw) -> Page:
    """Instantiate the page ``slug`` (an unavailable-page notice when its library is missing)."""
    for s, label, cls, module in PAGES:
        if s == slug:
            cls = globals()[cls] if isinstance(cls, str) else cls
            if cls is None or not module_available(module):
                page = UnavailablePage(data=data, tiles=tiles, module=module)
                page.title = label
                return page
            extra = {k: v for k, v in kw.items() if k in cls.param}
            return cls(data=data, tiles=tiles, **extra)
    raise KeyError(slug)


def module_available(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def get_store(url: str):
    """The records store at ``url``, shared by all sessions."""
    from planner.records import open_store

    return pn.state.as_cached(f"planner-records:{url}", open_store, url=url)


class NeighbourhoodsPage(Page):
    """Engagement and abstraction dashboards with drill-down, vacancies and the recording form."""

    title = "Neighbourhoods"
    slug = "neighbourhoods"
    records_url = param.String(default=None, allow_None=True)

    def __init__(self, **params):
        super().__init__(**params)
        from planner.records import default_store_path

        url = self.records_url or str(default_store_path(self.data.ws))
        self.state = RecordsState(self.data, get_store(url))
        self.drill = RecordsDrillState(records=self.state)

    def _total(self, *_):
        st = self.state
        unit = (
            "engagements"
            if st.measure == "engagements"
            else f"hours abstracted ({st.perspective} view)"
        )
        return f"Force total, {st.period}: {st.total():,.0f} {unit}"

    def form(self) -> pn.viewable.Viewable:
        from planner.records import form_options

        opts = form_options(self.state.store)
        officers = {v: k for k, v in opts["officers"].items()}
        wards = {v: k for k, v in opts["wards"].items()}
        w = {
            "officer_id": pmui.AutocompleteInput(
                label="Officer",
                options=officers,
                value=next(iter(officers.values()), None),
                css_classes=["form-officer"],
            ),
            "ward_code": pmui.AutocompleteInput(
                label="Ward",
                options=wards,
                value=next(iter(wards.values()), None),
                css_classes=["form-ward"],
            ),
            "engagement_type": pmui.Select(label="Type", options=opts["engagement_types"]),
            "method": pmui.Select(label="Method", options=opts["methods"]),
            "priority_group": pmui.Select(label="Priority group", options=opts["priority_groups"]),
            "occurred_at": pmui.DatetimePicker(
                label="When", value=pd.Timestamp(self.state.today).to_pydatetime().replace(hour=10)
            ),
        }
        msg = pmui.Alert(
            object="",
            severity="info",
            visible=False,
            css_classes=["form-message"],
            sizing_mode="stretch_width",
        )
        submit = pmui.Button(
            label="Record engagement", variant="contained", css_classes=["form-submit"]
        )

        def save(_event):
            try:
                rid = self.state.save_engagement(**{k: v.value for k, v in w.items()})
            except PlannerError as exc:
                msg.severity, msg.object = "error", str(exc)
            else:
                msg.severity, msg.object = "success", f"Saved engagement {rid}."
            msg.visible = True

        submit.on_click(save)
        return pmui.Card(
            *w.values(),
            submit,
            msg,
            title="Record an engagement",
            sizing_mode="stretch_width",
            collapsed=False,
        )

    def __panel__(self):
        p = self.state.param
        controls = pn.Row(
            pmui.Select.from_param(p.period, label="Period", width=200),
            pmui.RadioButtonGroup.from_param(p.measure, label="Show", size="small"),
            pmui.RadioButtonGroup.from_param(
                p.perspective, label="Abstractions counted against", size="small"
            ),
            css_classes=["records-controls"],
        )
        total = pmui.Typography(
            pn.bind(self._total, p.period, p.measure, p.perspective, p.version),
            variant="subtitle1",
            css_classes=["records-total"],
        )
        vac = pn.widgets.Tabulator(
            pn.bind(lambda *_: self.state.vacancies(), p.version),
            disabled=True,
            show_index=False,
            pagination="local",
            page_size=8,
            sizing_mode="stretch_width",
        )
        return pn.Column(
            *self.header(True),
            controls,
            total,
            pn.Row(
                pn.Column(
                    DrillBars(state=self.drill, title="Records", ylabel="value"),
                    sizing_mode="stretch_width",
                ),
                pn.Column(self.form(), width=380),
                sizing_mode="stretch_width",
            ),
            pmui.Typography("DNO vacancies today", variant="h6"),
            vac,
            sizing_mode="stretch_width",
        )

"""Pages of the planner app. Each page is a ``pn.viewable.Viewer`` over the shared data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import panel as pn
import panel_material_ui as pmui
import param

from planner.app import bokeh_views as bv
from planner.app.data import AppData, bokeh_multipolygons
from planner.app.state import (
    ALL_LPAS,
    AdvanceState,
    CrimeDrillState,
    DeliveryState,
    MapState,
    RecordsDrillState,
    RecordsState,
    TGPDeriveState,
)
from planner.app.tables import table
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
        """Emerging hotspot categories (planner.hotspots.emerging) for the map's period and crime
        types: cells per category; the cells themselves are a layer of the map above."""
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
        """Re-derive TGPs with chosen parameters; coverage table and layer downloads."""
        from io import BytesIO, StringIO

        st = TGPDeriveState(self.data)
        p = st.param
        run = pmui.Button(label="Re-derive TGPs", variant="contained", css_classes=["derive-run"])
        tag = "_SYNTHETIC" if self.data.is_synthetic("crimes_synthetic") else ""
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
            pn.Row(
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
            pmui.Typography(
                pn.bind(summary, run.param.clicks), variant="body2", css_classes=["derive-summary"]
            ),
            table(pn.bind(coverage, run.param.clicks), css_classes=["derive-coverage"]),
            pn.Row(gpkg, gjson),
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
    ("plan", "Patrol plan", "planner.app.plan_page:PlanPage", "planner.planning"),
    ("delivery", "Coverage and delivery", "DeliveryPage", "planner.tracking.delivery"),
    ("advance", "Op Advance", "AdvancePage", "planner.hotspots.advance"),
    ("neighbourhoods", "Neighbourhoods", "NeighbourhoodsPage", "planner.records"),
)


#: workspace tables each page reads (the page says so when one is missing)
REQUIRES: dict[str, tuple[str, ...]] = {
    "plan": ("plan_visits",),
    "delivery": ("plan_visits", "place_days", "tgps"),
    "advance": ("crimes_synthetic",),
    "neighbourhoods": ("records_store",),
}


def build_page(slug: str, data: AppData, tiles: str | None = None, **kw) -> Page:
    """Instantiate the page ``slug`` (an unavailable-page notice when its library is missing)."""
    for s, label, cls, module in PAGES:
        if s == slug:
            cls = _resolve(cls)
            missing = [t for t in REQUIRES.get(slug, ()) if not data.has(t)]
            if cls is None or not module_available(module) or missing:
                page = UnavailablePage(
                    data=data, tiles=tiles, module=module, missing_tables=missing
                )
                page.title = label
                return page
            extra = {k: v for k, v in kw.items() if k in cls.param}
            return cls(data=data, tiles=tiles, **extra)
    raise KeyError(slug)


def _resolve(cls):
    """A page class from ``PAGES``: a class, a name in this module, or ``"module:Class"``."""
    if not isinstance(cls, str):
        return cls
    if ":" in cls:
        import importlib

        mod, name = cls.split(":")
        return getattr(importlib.import_module(mod), name)
    return globals()[cls]


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
        return _record_form(w, self.state.save_engagement, "engagement", "form")

    def abstraction_form(self) -> pn.viewable.Viewable:
        """Record an abstraction (planner.records.forms.record_abstraction); the dashboard
        (abstraction hours) updates at once."""
        from planner.records import form_options

        opts = form_options(self.state.store)
        officers = {v: k for k, v in opts["officers"].items()}
        authorisers = {v: k for k, v in opts["authorisers"].items()}
        w = {
            "officer_id": pmui.AutocompleteInput(
                label="Officer abstracted",
                options=officers,
                value=next(iter(officers.values()), None),
                css_classes=["abs-officer"],
            ),
            "authorised_by": pmui.AutocompleteInput(
                label="Authorised by",
                options=authorisers,
                value=next(iter(authorisers.values()), None),
                css_classes=["abs-authoriser"],
            ),
            "authoriser_level": pmui.Select(
                label="Authoriser level", options=opts["authoriser_levels"]
            ),
            "abstraction_type": pmui.Select(label="Reason", options=opts["abstraction_types"]),
            "destination": pmui.TextInput(
                label="Where to", value="LPA response", css_classes=["abs-where"]
            ),
            "start": pmui.DatetimePicker(
                label="Start", value=pd.Timestamp(self.state.today).to_pydatetime().replace(hour=9)
            ),
            "hours": pmui.FloatInput(
                label="Hours", value=8.0, start=0.25, step=0.25, css_classes=["abs-hours"]
            ),
        }
        return _record_form(w, self.state.save_abstraction, "abstraction", "abs")

    def tenure(self) -> pn.viewable.Viewable:
        """Postings-based tables (a saved engagement or abstraction does not change them, so
        they are built once, not re-bound to the record version). They take a second or two to
        compute, so the page shows first and the tables follow (computed in the background)."""
        st = self.state
        tables: dict[str, pd.DataFrame] = {}
        body = pn.Column(
            pmui.Typography(
                "Computing the tenure and vacancy tables...",
                variant="body2",
                css_classes=["tenure-wait"],
            ),
            sizing_mode="stretch_width",
        )

        def work():
            tables["DNO vacancies today"] = st.vacancies()
            tables["Tenure under two years"] = st.short_tenures()
            tables["Missing handovers (last year)"] = st.missing_handovers()
            tables[f"Tenure: {st.tenure_baseline} against today"] = st.tenure_comparison()
            tables["NPP1 completion"] = st.npp1_completion()

        def show(error=None):
            if error is not None:
                body.objects = [
                    pmui.Alert(
                        object=f"The tenure tables could not be computed: {error}",
                        severity="error",
                    )
                ]
                return
            body.objects = [
                pn.Tabs(
                    *[(name, table(t, height=242)) for name, t in tables.items()],
                    sizing_mode="stretch_width",
                    css_classes=["tenure-tabs"],
                )
            ]

        in_background(work, show)
        return body

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
            pmui.Typography("Tenure and vacancies (planner.records.analytics)", variant="h6"),
            self.tenure(),
            pn.Column(self.abstraction_form(), width=480),
            sizing_mode="stretch_width",
        )


def _record_form(widgets: dict, save, what: str, css: str) -> pmui.Card:
    """A recording form: the ``widgets`` (field name -> widget), a submit button calling
    ``save(**values)`` (which returns the new record's id or raises PlannerError naming the
    field), and a message saying what happened. CSS classes ``<css>-submit``/``<css>-message``."""
    msg = pmui.Alert(
        object="",
        severity="info",
        visible=False,
        css_classes=[f"{css}-message"],
        sizing_mode="stretch_width",
    )
    submit = pmui.Button(label=f"Record {what}", variant="contained", css_classes=[f"{css}-submit"])

    def on_submit(_event):
        try:
            rid = save(**{k: v.value for k, v in widgets.items()})
        except PlannerError as exc:
            msg.severity, msg.object = "error", str(exc)
        else:
            msg.severity, msg.object = "success", f"Saved {what} {rid}."
        msg.visible = True

    submit.on_click(on_submit)
    article = "an" if what[0] in "aeiou" else "a"
    return pmui.Card(
        *widgets.values(),
        submit,
        msg,
        title=f"Record {article} {what}",
        sizing_mode="stretch_width",
        collapsed=False,
    )


def in_background(work, then) -> None:
    """Run ``work()`` in a thread, then ``then(error)`` on the session's event loop, ``error``
    being the exception ``work`` raised or None (both at once when there is no served session,
    e.g. a notebook or a test rendering into a Document)."""
    import functools
    import threading

    def attempt():
        try:
            work()
        except Exception as e:  # noqa: BLE001  (shown on the page rather than lost in a thread)
            return e
        return None

    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        then(attempt())
        return

    def run():
        doc.add_next_tick_callback(functools.partial(then, attempt()))

    threading.Thread(target=run, daemon=True).start()


#: delivery and Op Advance map frame (pixels)
DELIVERY_FRAME = (640, 480)


class DeliveryPage(Page):
    """LPA inspectors: which TGPs are getting their hours (planned against tracked presence)."""

    title = "Coverage and delivery"
    slug = "delivery"

    def __init__(self, **params):
        super().__init__(**params)
        self.state = DeliveryState(self.data)

    def _map(self) -> pn.viewable.Viewable:
        """TGPs coloured by delivered against planned hours: a plain Bokeh figure whose source is
        replaced when the LPA changes; tapping a TGP selects it for the detail below."""
        st, data = self.state, self.data
        xs, ys = data.multipolygons("tgps")
        pos = pd.Series(range(len(xs)), index=data.layer("tgps")["tgp_id"].astype(str))

        def columns() -> dict:
            t = st.per_tgp()
            idx = pos.reindex(t["tgp_id"].astype(str)).to_numpy()
            return {
                "xs": [xs[i] for i in idx],
                "ys": [ys[i] for i in idx],
                "value": t["delivered_pct"].to_numpy(dtype="float64"),
                "tgp_id": list(t["tgp_id"].astype(str)),
                "lpa": list(t["lpa"].astype(str)),
                "planned_hours": t["planned_hours"].to_numpy(dtype="float64"),
                "delivered_hours": t["delivered_hours"].to_numpy(dtype="float64"),
            }

        def extent():
            return data.extent(None if st.lpa == ALL_LPAS else st.lpa)

        fig = bv.map_figure(extent(), DELIVERY_FRAME)
        lx, ly = data.multipolygons("LPAs")
        bv.outline_layer(fig, lx, ly)
        src = bv.ColumnDataSource(columns())
        r, _mapper, _bar = bv.area_layer(
            fig,
            src,
            bv.DELIVERY_PALETTE,
            clabel="% of planned hours delivered",
            low=0.0,
            high=120.0,
            line_color="black",
            line_width=0.5,
            fill_alpha=0.9,
            name="tgps",
            tooltips=[
                ("TGP", "@tgp_id"),
                ("LPA", "@lpa"),
                ("planned (h)", "@planned_hours{0,0.0}"),
                ("delivered (h)", "@delivered_hours{0,0.0}"),
                ("delivered", "@value{0.0}%"),
            ],
        )
        fig.add_tools(bv.TapTool(renderers=[r]))
        bv.tap_selection(r, st.select_tgp)

        def on_lpa(*_):
            src.selected.indices = []
            src.data = columns()
            bv.zoom_to(fig, extent(), DELIVERY_FRAME)

        st.param.watch(on_lpa, "lpa")
        return pn.Column(pn.pane.Bokeh(fig), css_classes=["delivery-map"])

    def _tgp_text(self, *_):
        s = self.state.tgp_summary()
        pct = "n/a" if s["delivered_pct"] is None else f"{s['delivered_pct']:.1f}%"
        return (
            f"{s['tgp_id']} ({s['lpa']}, {s['driver']}): {s['delivered_hours']:,.1f} h delivered of "
            f"{s['planned_hours']:,.1f} h planned ({pct}); {s['delivered_visits']:,} tracked visits "
            f"against {s['planned_visits']:,} planned, up to {self.data.ws.today}."
        )

    def _tgp_trend(self) -> pn.viewable.Viewable:
        """Harm and crimes per month inside the chosen TGP: one Bokeh figure whose data change
        in place (a new figure per TGP made the browser lay out every page again: 1.6-2.2 s
        per tap)."""
        synth = " (SYNTHETIC)" if self.data.is_synthetic(self.data.crime_table) else ""
        fig, source = bv.line_figure(
            height=260, ylabel="crime harm", series={"harm": "harm", "crimes": "crimes"}
        )
        # a fixed title (the TGP is named in the line above): a title of another length
        # would re-lay the figure out
        fig.title.text = f"Harm per month inside the chosen TGP{synth}"
        fig.css_classes = ["tgp-trend"]

        def draw(*_):
            t = self.state.tgp_harm_trend()
            months = list(t["month"].astype(str))
            if list(fig.x_range.factors) != months:
                fig.x_range.factors = months
            source.data = {
                "x": months,
                "harm": t["harm"].to_numpy(dtype="float64"),
                "crimes": t["crimes"].to_numpy(dtype="float64"),
            }

        self.state.param.watch(draw, "tgp")
        draw()
        return pn.pane.Bokeh(fig, sizing_mode="stretch_width")

    def tgp_detail(self) -> pn.viewable.Viewable:
        p = self.state.param
        return pn.Column(
            pmui.Typography(
                "One TGP (tap it on the map or choose it)", variant="h6", css_classes=["tgp-detail"]
            ),
            pmui.Select.from_param(p.tgp, label="TGP", width=200, css_classes=["delivery-tgp"]),
            pmui.Typography(
                pn.bind(self._tgp_text, p.tgp), variant="body2", css_classes=["tgp-summary"]
            ),
            self._tgp_trend(),
            sizing_mode="stretch_width",
        )

    def visibility(self) -> list:
        st = self.state
        if st.month is None:
            return []
        p = st.param
        r = st.visibility()
        note = (
            "Community share of duty time, and the custody, investigation and station time that "
            "explains the gap (planner.tracking.visibility; duty time without GPS counts as "
            f"community time unless an episode covers it){' - SYNTHETIC duty data' if r.synthetic else ''}."
        )
        return [
            pmui.Typography("Visibility", variant="h6"),
            pmui.Select.from_param(p.month, label="Month", width=160, css_classes=["vis-month"]),
            pmui.Typography(note, variant="body2"),
            pn.Row(
                pn.Column(
                    pmui.Typography("By LPA", variant="subtitle1"),
                    table(st.visibility_by_lpa, css_classes=["vis-lpa"]),
                    sizing_mode="stretch_width",
                ),
                pn.Column(
                    pmui.Typography("By team (selected LPA)", variant="subtitle1"),
                    table(st.visibility_by_team, css_classes=["vis-team"]),
                    sizing_mode="stretch_width",
                ),
                sizing_mode="stretch_width",
            ),
        ]

    def _trajectory(self) -> list:
        tr = self.state.trajectory()
        if tr is None:
            return []
        plot = bv.time_lines(
            tr.daily,
            "date",
            {
                "cumulative_hours": ("delivered (cumulative)", "#2b8cbe", "solid"),
                "pro_rata_target_hours": ("pro-rata annual target", "black", "dashed"),
            },
            title=f"Year to date against the annual target of {tr.target_hours:,.0f} h",
            ylabel="officer-hours",
        )
        s = tr.summary()
        text = (
            f"Delivered {s['delivered_hours']:,.0f} h against {s['pro_rata_hours']:,.0f} h pro rata; "
            f"forecast {s['forecast_hours']:,.0f} h by year end, shortfall {s['shortfall_hours']:,.0f} h; "
            f"{s['required_hours_per_day']:,.1f} h a day needed from now."
        )
        alert = pmui.Alert(
            object=text,
            severity="error" if tr.alert else "success",
            css_classes=["trajectory-note"],
        )
        return [
            pn.pane.Bokeh(plot, sizing_mode="stretch_width", css_classes=["trajectory"]),
            alert,
        ]

    def __panel__(self):
        p = self.state.param
        rep = self.state.report()
        source = (
            "planned hours against delivered presence hours per method (planner.tracking.delivery_report)"
            if rep is not None
            else "planned patrol hours (plan) against tracked presence hours (GPS, all methods)"
        )
        extra = []
        if rep is not None:
            extra = [
                *self._trajectory(),
                pn.Row(
                    pn.Column(
                        pmui.Typography("By delivery method", variant="h6"),
                        table(self.state.by_method()),
                        sizing_mode="stretch_width",
                    ),
                    pn.Column(
                        pmui.Typography("Place-day compliance", variant="h6"),
                        table(self.state.place_day_share()),
                        sizing_mode="stretch_width",
                    ),
                    sizing_mode="stretch_width",
                ),
            ]
        return pn.Column(
            *self.header(True),
            pmui.Typography(f"Per TGP, {source}, up to {self.data.ws.today}.", variant="body2"),
            pmui.Select.from_param(p.lpa, label="LPA", width=260, css_classes=["delivery-lpa"]),
            pn.Row(
                self._map(),
                pn.Column(
                    pmui.Typography("By LPA", variant="h6"),
                    table(pn.bind(lambda _l: self.state.by_lpa(), p.lpa)),
                    width=460,
                ),
                sizing_mode="stretch_width",
            ),
            self.tgp_detail(),
            pmui.Typography("TGPs, least delivered first", variant="h6"),
            table(pn.bind(lambda _l: self.state.table(), p.lpa)),
            *self.visibility(),
            *extra,
            sizing_mode="stretch_width",
        )


class AdvancePage(Page):
    """Op Advance: an LPA's recent-against-baseline changes, target list and briefing export."""

    title = "Op Advance"
    slug = "advance"

    def __init__(self, **params):
        super().__init__(**params)
        self.state = AdvanceState(self.data)

    def _map(self) -> pn.viewable.Viewable:
        """The LPA's wards coloured by the recent-against-baseline rate ratio (shortest window)
        with the target cells on top: a plain Bokeh figure."""
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
            DELIVERY_FRAME,
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
                    width=560,
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
        download = pmui.FileDownload(
            callback=self._download,
            filename="op_advance_briefing.html",
            label="Download briefing (HTML)",
        )
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
            *self.header(True),
            pn.Row(
                pmui.Select.from_param(p.lpa, label="LPA", width=240),
                pmui.TextInput.from_param(p.as_of, label="As of", width=160),
                download,
            ),
            body,
            sizing_mode="stretch_width",
        )

"""The Coverage and delivery page: which TGPs are getting their hours."""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from planner.app import bokeh_views as bv
from planner.app.components.map_labels import add_map_labels
from planner.app.components.tables import percent_columns, table
from planner.app.pages.base import Page
from planner.app.state.common import ALL_LPAS
from planner.app.state.delivery import DeliveryState
from planner.units import MEANING, label
from planner.units import PATROL_HOURS as PH  # per-TGP and per-method figures: presence

#: label of the figures the LPA selector does not filter (the delivery report's trajectory,
#: methods and place-days are force-wide: issue 17)
FORCE_WIDE = "force-wide (all LPAs; the LPA selector does not apply)"


class DeliveryPage(Page):
    """LPA inspectors: which TGPs are getting their hours (planned against tracked presence)."""

    title = "Coverage and delivery"
    slug = "delivery"

    def __init__(self, **params):
        super().__init__(**params)
        self.state = DeliveryState(self.data, principal=self.principal)

    def _map(self) -> pn.viewable.Viewable:
        """TGPs coloured by delivered against planned hours (tap one for its detail).

        TGPs coloured by delivered against planned hours: a plain Bokeh figure whose source is
        replaced when the LPA changes; tapping a TGP selects it for the detail below.
        """
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

        fig = bv.map_figure(extent(), bv.PAGE_MAP_FRAME, tiles=self.tiles)
        lx, ly = data.multipolygons("LPAs")
        bv.outline_layer(fig, lx, ly)
        add_map_labels(fig, data)
        src = bv.ColumnDataSource(columns())
        r, _mapper, _bar = bv.area_layer(
            fig,
            src,
            bv.DELIVERY_PALETTE,
            clabel=f"% of planned {PH} delivered",
            low=0.0,
            high=120.0,
            line_color="black",
            line_width=0.5,
            fill_alpha=0.9,
            name="tgps",
            tooltips=[
                ("TGP", "@tgp_id"),
                ("LPA", "@lpa"),
                (f"planned ({PH})", "@planned_hours{0,0.0}"),
                (f"delivered ({PH})", "@delivered_hours{0,0.0}"),
                ("delivered", "@value{0.0}%"),
            ],
        )
        fig.add_tools(bv.TapTool(renderers=[r]))
        bv.tap_selection(r, st.select_tgp)

        def on_lpa(*_):
            src.selected.indices = []
            src.data = columns()
            bv.zoom_to(fig, extent(), bv.PAGE_MAP_FRAME)

        st.param.watch(on_lpa, "lpa")
        return pn.Column(pn.pane.Bokeh(fig), css_classes=["delivery-map"])

    def _tgp_text(self, *_):
        s = self.state.tgp_summary()
        pct = "n/a" if s["delivered_pct"] is None else f"{s['delivered_pct']:.1f}%"
        return (
            f"{s['tgp_id']} ({s['lpa']}, {s['driver']}): {s['delivered_hours']:,.1f} {PH} delivered "
            f"of {s['planned_hours']:,.1f} {PH} planned ({pct}); {s['delivered_visits']:,} tracked visits "
            f"against {s['planned_visits']:,} planned, up to {self.data.ws.today}."
        )

    def _tgp_trend(self) -> pn.viewable.Viewable:
        """Harm and crimes per month inside the chosen TGP: one Bokeh figure updated in place.

        Harm and crimes per month inside the chosen TGP: one Bokeh figure whose data change
        in place (a new figure per TGP made the browser lay out every page again: 1.6-2.2 s
        per tap).
        """
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
        """The chosen TGP: its planned and delivered hours and visits and its harm trend.

        Returns
        -------
        panel.viewable.Viewable
            The TGP picker, summary and trend.
        """
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
        """The month's visibility per LPA and team (nothing without duty data).

        Returns
        -------
        list
            Panel objects (empty when no month is selected).
        """
        st = self.state
        if st.month is None:
            return []
        p = st.param
        r = st.visibility()

        def vis_lpa(_month) -> pd.DataFrame | None:
            return percent_columns(st.visibility_by_lpa())

        def vis_team(_month, _lpa) -> pd.DataFrame | None:
            return percent_columns(st.visibility_by_team())

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
                    table(
                        pn.bind(vis_lpa, p.month),  # type: ignore[arg-type]  # bind's overloads
                        css_classes=["vis-lpa"],
                    ),
                    sizing_mode="stretch_width",
                ),
                pn.Column(
                    pmui.Typography("By team (selected LPA)", variant="subtitle1"),
                    table(
                        pn.bind(vis_team, p.month, p.lpa),  # type: ignore[arg-type]  # bind's overloads
                        css_classes=["vis-team"],
                    ),
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
            title=f"Year to date against the annual target of "
            f"{label(tr.target_hours, tr.unit, 0)}, {FORCE_WIDE}",
            ylabel=tr.unit,
        )
        s, u = tr.summary(), tr.unit
        text = (
            f"{FORCE_WIDE.capitalize()}: delivered {label(s['delivered_hours'], u, 0)} against "
            f"{label(s['pro_rata_hours'], u, 0)} pro rata; forecast "
            f"{label(s['forecast_hours'], u, 0)} by year end, shortfall "
            f"{label(s['shortfall_hours'], u, 0)}; {label(s['required_hours_per_day'], u)} a day "
            f"needed from now ({MEANING[u]})."
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
            f"planned against delivered {PH} of presence per method (planner.tracking.delivery_report)"
            if rep is not None
            else f"planned {PH} (plan) against tracked presence in {PH} (GPS, all methods)"
        )
        extra = []
        if rep is not None:
            extra = [
                *self._trajectory(),
                pn.Row(
                    pn.Column(
                        pmui.Typography(f"By delivery method ({PH}), {FORCE_WIDE}", variant="h6"),
                        table(percent_columns(self.state.by_method()), css_classes=["by-method"]),
                        sizing_mode="stretch_width",
                    ),
                    pn.Column(
                        pmui.Typography(f"Place-day compliance, {FORCE_WIDE}", variant="h6"),
                        table(percent_columns(self.state.place_day_share())),
                        sizing_mode="stretch_width",
                    ),
                    sizing_mode="stretch_width",
                ),
            ]
        return pn.Column(
            *self.header(self.data.any_synthetic("plan_visits", "place_days", "tgps")),
            pmui.Typography(f"Per TGP, {source}, up to {self.data.ws.today}.", variant="body2"),
            pmui.Select.from_param(p.lpa, label="LPA", width=260, css_classes=["delivery-lpa"]),
            pn.Row(
                self._map(),
                pn.Column(
                    pmui.Typography("By LPA", variant="h6"),
                    table(pn.bind(lambda _l: percent_columns(self.state.by_lpa()), p.lpa)),
                    width=460,
                ),
                sizing_mode="stretch_width",
            ),
            self.tgp_detail(),
            pmui.Typography("TGPs, least delivered first", variant="h6"),
            table(
                pn.bind(lambda _l: percent_columns(self.state.table()), p.lpa),
                css_classes=["delivery-tgps"],
            ),
            *self.visibility(),
            *extra,
            sizing_mode="stretch_width",
        )

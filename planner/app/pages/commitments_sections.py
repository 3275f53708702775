"""Sections of the Commitments page (issue 18).

Engagement (drill-down with its breakdown, gaps on the map and per TGP), abstractions
(drill-down to the records behind an officer's bar, by type), the slower tables with their
charts, and the community report download.
"""

from __future__ import annotations

import io

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from planner.app.components.background import in_background
from planner.app.components.commitments_views import (
    ByTypeBars,
    GapMap,
    objectives_figure,
    trajectory_figure,
)
from planner.app.components.drill import DrillBars
from planner.app.components.tables import table
from planner.app.state.commitments import CommitmentsState
from planner.errors import PlannerError


def period_picker(st: CommitmentsState) -> pn.viewable.Viewable:
    """The period drop-down and a box to type any other period in the paper's words.

    Parameters
    ----------
    st : CommitmentsState
        The page's state.

    Returns
    -------
    panel.viewable.Viewable
        A row of the period, typed-period and breakdown controls.
    """
    p = st.param
    typed = pmui.TextInput(
        label="Or type a period",
        placeholder="since 3 July 2025, week commencing 29 September, FY2024",
        width=320,
        css_classes=["commit-period-text"],
    )
    go = pmui.Button(label="Use", variant="outlined", css_classes=["commit-period-use"])
    msg = pmui.Typography("", variant="caption", css_classes=["commit-period-msg"])

    def use(_e=None):
        try:
            label = st.add_period(typed.value_input or typed.value)
        except PlannerError as exc:
            msg.object = str(exc)
        else:
            sp = st.span
            msg.object = f"{label}: {sp.start} to {sp.end}"

    go.on_click(use)
    return pn.Row(
        pmui.Select.from_param(p.period, label="Period", width=260),
        typed,
        go,
        msg,
        pmui.Select.from_param(p.by, label="Broken down by", width=200),
        css_classes=["commit-controls"],
    )


def engagement_section(st: CommitmentsState) -> pn.viewable.Viewable:
    """Engagement drill-down bars (LPA > sector > team > officer) beside their tables.

    The tabs hold the breakdown at the level shown, the gaps (map and table) and the
    engagements inside each TGP.

    Parameters
    ----------
    st : CommitmentsState
        The page's state.

    Returns
    -------
    panel.viewable.Viewable
        The section.
    """
    p, d = st.param, st.eng_drill.param
    dep = (p.period, p.by, p.version, d.path)
    breakdown = table(pn.bind(lambda *_: st.breakdown(), *dep), height=320)
    level = pn.bind(
        lambda *_: (
            f"Engagements by {st.by.replace('_', ' ')} at the {st.eng_drill.level} "
            f"level: {st.eng_drill.breadcrumb()}"
        ),
        *dep,
    )
    gaps = table(pn.bind(lambda *_: st.gaps(), p.period, p.level, p.version), height=320)
    tabs = [
        ("Breakdown", pn.Column(pmui.Typography(level, variant="body2"), breakdown)),
        ("Gaps on the map", GapMap(state=st)),
        (
            "Gaps (table)",
            pn.Column(pmui.Select.from_param(p.level, label="Gaps at", width=160), gaps),
        ),
    ]
    if st.data.has("tgps"):
        tgp = table(pn.bind(lambda *_: st.tgp_engagements(), p.period, p.by, p.version), height=320)
        tabs.append(("Inside TGPs", tgp))
    return pn.Row(
        pn.Column(
            DrillBars(state=st.eng_drill, title="Engagements", ylabel="engagements"),
            width=520,
        ),
        pn.Tabs(*tabs, sizing_mode="stretch_width", css_classes=["engagement-tabs"]),
        sizing_mode="stretch_width",
    )


def abstraction_section(st: CommitmentsState) -> pn.viewable.Viewable:
    """Abstraction hours LPA > team > officer, with hours by type beside them.

    A click on an officer's bar lists that officer's abstractions for the period.

    Parameters
    ----------
    st : CommitmentsState
        The page's state.

    Returns
    -------
    panel.viewable.Viewable
        The section.
    """
    p, d = st.param, st.abs_drill.param
    details = table(
        pn.bind(lambda *_: st.abstraction_details(), p.period, p.officer, p.version, d.path),
        height=300,
    )

    def caption(*_):
        if st.officer:
            return f"The abstractions behind {st.officer}'s bar ({st.period})"
        return (
            f"Abstractions within {st.abs_drill.breadcrumb()} ({st.period}); "
            "click an officer's bar for theirs"
        )

    title = pmui.Typography(
        pn.bind(caption, p.period, p.officer, d.path),
        variant="subtitle2",
        css_classes=["abs-details-title"],
    )
    return pn.Column(
        pn.Row(
            pn.Column(
                DrillBars(state=st.abs_drill, title="Abstraction hours", ylabel="hours"),
                width=520,
            ),
            pn.Column(ByTypeBars(state=st), sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        ),
        title,
        pn.Column(details, css_classes=["abs-details"], sizing_mode="stretch_width"),
        sizing_mode="stretch_width",
    )


def slow_section(st: CommitmentsState) -> pn.viewable.Viewable:
    """Objectives, tenure fills, NPP1/NPP2 trajectories, visibility and the Guarantee.

    Visibility shows two months side by side. The tables are computed in the background after
    the page shows, and again when the period changes.

    Parameters
    ----------
    st : CommitmentsState
        The page's state.

    Returns
    -------
    panel.viewable.Viewable
        A column showing "Computing..." until the tables are ready.
    """
    body = pn.Column(
        pmui.Typography("Computing...", variant="body2", css_classes=["commit-wait"]),
        sizing_mode="stretch_width",
    )

    def refresh(*_events):
        tables: dict[str, pd.DataFrame] = {}

        def work():
            tables["Objectives by month"] = st.objectives()
            tables["DNO vacancies and who filled them"] = st.vacancy_fills()
            tables["NPP1 trajectory"] = st.training("NPP1")
            tables["NPP2 trajectory"] = st.training("NPP2")
            tables["Visibility: last two full months"] = st.visibility()
            tables["Single Online Home compliance"] = st.soh()
            tables["Town-centre and ASB plan milestones"] = st.milestones()

        def show(error=None):
            if error is not None:
                body.objects = [pmui.Alert(object=f"Could not compute: {error}", severity="error")]
                return
            charts = {
                "Objectives by month": objectives_figure(tables["Objectives by month"]),
                "NPP1 trajectory": trajectory_figure(tables["NPP1 trajectory"], "NPP1"),
                "NPP2 trajectory": trajectory_figure(tables["NPP2 trajectory"], "NPP2"),
            }
            tabs = []
            for k, v in tables.items():
                parts = [table(v, height=300)]
                if k in charts:
                    parts.insert(0, pn.pane.Bokeh(charts[k], sizing_mode="stretch_width"))
                tabs.append((k, pn.Column(*parts, sizing_mode="stretch_width")))
            body.objects = [
                pmui.Typography(f"Period: {st.period}", variant="caption"),
                pn.Tabs(*tabs, sizing_mode="stretch_width", css_classes=["commit-tabs"]),
            ]

        in_background(work, show)

    st.param.watch(refresh, ["period"])
    refresh()
    return body


def report_download(st: CommitmentsState) -> pn.viewable.Viewable:
    """The public community report for a chosen area and the period (audited download).

    Parameters
    ----------
    st : CommitmentsState
        The page's state.

    Returns
    -------
    panel.viewable.Viewable
        The area picker, the download button and a note on what the report holds.
    """
    areas = st.areas()
    pick = pmui.AutocompleteInput(
        label="Area", options=areas, value=next(iter(areas.values())), css_classes=["rep-area"]
    )

    def make(area: str) -> io.StringIO:
        return io.StringIO(st.report_html(area))

    dl = pn.widgets.FileDownload(
        callback=pn.bind(make, pick),
        filename="community_report.html",
        label="Download the community report (HTML)",
        css_classes=["rep-download"],
    )

    def name(*_):
        tag = "_synthetic" if st.data.any_synthetic("records_store") else ""
        dl.filename = f"community_report_{pick.value}_{st.span.start}_{st.span.end}{tag}.html"

    pick.param.watch(name, "value")
    st.param.watch(name, "period")
    name()
    note = pmui.Typography(
        "Public report: named officers (name and role), engagement and visibility for the "
        "period, local priorities. No officer-level figures, no abstractions, no records. "
        "Each download is in the audit trail.",
        variant="body2",
    )
    return pn.Column(pick, dl, note, width=420)

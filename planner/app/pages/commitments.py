"""The Commitments page (issue 18): any period, engagement breakdowns at every level and gaps,
abstractions by type with the specific abstractions behind an officer's bar, commanders'
objectives, tenure fills, NPP1/NPP2 trajectories, visibility two months side by side, the
Guarantee, and the community report to download."""

from __future__ import annotations

import io

import pandas as pd
import panel as pn
import panel_material_ui as pmui
import param

from planner.app.cache import get_store
from planner.app.components.background import in_background
from planner.app.components.tables import table
from planner.app.pages.base import Page
from planner.app.state.commitments import CommitmentsState


def store_url(page) -> str:
    """The records store URL of a page (its ``records_url``, else the workspace's store)."""
    from planner.records import default_store_path

    return page.records_url or str(default_store_path(page.data.ws))


class CommitmentsPage(Page):
    """The paper's neighbourhood commitments from the records store."""

    title = "Commitments"
    slug = "commitments"
    records_url = param.String(default=None, allow_None=True)

    def __init__(self, **params):
        super().__init__(**params)
        self.state = CommitmentsState(
            self.data, get_store(store_url(self)), principal=self.principal
        )

    def _report(self, area: str) -> io.StringIO:
        return io.StringIO(self.state.report_html(area))

    def report_download(self) -> pn.viewable.Viewable:
        areas = self.state.areas()
        pick = pmui.AutocompleteInput(
            label="Area", options=areas, value=next(iter(areas.values())), css_classes=["rep-area"]
        )
        dl = pn.widgets.FileDownload(
            callback=pn.bind(self._report, pick),
            filename="community_report.html",
            label="Download the community report (HTML)",
            css_classes=["rep-download"],
        )
        note = pmui.Typography(
            "Public report: named officers (name and role), engagement and visibility for the "
            "period, local priorities. No officer-level figures, no abstractions, no records.",
            variant="body2",
        )
        return pn.Column(pick, dl, note, width=420)

    def slow_tables(self) -> pn.viewable.Viewable:
        """Tables that take a moment (tenure, training, visibility, the Guarantee), computed
        in the background after the page shows."""
        st = self.state
        body = pn.Column(
            pmui.Typography("Computing...", variant="body2", css_classes=["commit-wait"]),
            sizing_mode="stretch_width",
        )
        tables: dict[str, pd.DataFrame] = {}

        def work():
            tables["Objectives by month"] = st.objectives()
            tables["DNO vacancies and who filled them"] = st.vacancy_fills()
            tables["NPP1 trajectory"] = st.training("NPP1")
            tables["NPP2 trajectory"] = st.training("NPP2")
            tables["Visibility: last two months"] = st.visibility()
            tables["Single Online Home compliance"] = st.soh()
            tables["Town-centre and ASB plan milestones"] = st.milestones()

        def show(error=None):
            if error is not None:
                body.objects = [pmui.Alert(object=f"Could not compute: {error}", severity="error")]
                return
            body.objects = [
                pn.Tabs(
                    *[(k, table(v, height=300)) for k, v in tables.items()],
                    sizing_mode="stretch_width",
                    css_classes=["commit-tabs"],
                )
            ]

        in_background(work, show)
        return body

    def __panel__(self):
        p = self.state.param
        controls = pn.Row(
            pmui.Select.from_param(p.period, label="Period", width=260),
            pmui.Select.from_param(p.level, label="Level", width=160),
            pmui.Select.from_param(p.by, label="Broken down by", width=200),
            css_classes=["commit-controls"],
        )
        dep = (p.period, p.level, p.by, p.version)
        breakdown = table(pn.bind(lambda *_: self.state.breakdown(), *dep), height=300)
        gaps = table(pn.bind(lambda *_: self.state.gaps(), *dep), height=300)
        by_type = table(pn.bind(lambda *_: self.state.abstraction_by_type(), p.period), height=240)
        officer = pmui.TextInput.from_param(
            p.officer, label="Officer id (the abstractions behind the bar)", width=300
        )
        details = table(
            pn.bind(lambda *_: self.state.abstraction_details(), p.period, p.officer), height=260
        )
        return pn.Column(
            *self.header(True),
            controls,
            pmui.Typography("Engagement", variant="h6"),
            pn.Tabs(("Breakdown", breakdown), ("Gaps", gaps), sizing_mode="stretch_width"),
            pmui.Typography("Abstractions", variant="h6"),
            pn.Row(
                pn.Column("By type", by_type, width=480),
                pn.Column(officer, details, sizing_mode="stretch_width"),
                sizing_mode="stretch_width",
            ),
            pmui.Typography("Objectives, tenure, visibility and the Guarantee", variant="h6"),
            self.slow_tables(),
            pmui.Typography("Community report", variant="h6"),
            self.report_download(),
            sizing_mode="stretch_width",
        )

"""The Commitments page (issue 18).

Any period, engagement drill-down LPA > sector > team > officer with breakdowns, gaps on the
map and per TGP, abstraction hours down to the records behind an officer's bar and by type,
commanders' objectives, tenure fills, NPP1/NPP2 trajectories, visibility two months side by
side, the Guarantee, and the community report to download (sections in
:mod:`planner.app.pages.commitments_sections`).
"""

from __future__ import annotations

import panel as pn
import panel_material_ui as pmui
import param

from planner.app.cache import get_store
from planner.app.pages.base import Page
from planner.app.pages.commitments_sections import (
    abstraction_section,
    engagement_section,
    period_picker,
    report_download,
    slow_section,
)
from planner.app.state.commitments import CommitmentsState


def store_url(page) -> str:
    """The records store URL of a page (its ``records_url``, else the workspace's store).

    Parameters
    ----------
    page : Page
        A page with ``records_url`` and ``data``.

    Returns
    -------
    str
        A URL or path for :func:`planner.records.open_store`.
    """
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

    def __panel__(self):
        st = self.state
        return pn.Column(
            *self.header(self.data.any_synthetic("records_store")),
            period_picker(st),
            pmui.Typography("Engagement", variant="h6"),
            engagement_section(st),
            pmui.Typography("Abstractions", variant="h6"),
            abstraction_section(st),
            pmui.Typography("Objectives, tenure, visibility and the Guarantee", variant="h6"),
            slow_section(st),
            pmui.Typography("Community report", variant="h6"),
            report_download(st),
            sizing_mode="stretch_width",
        )

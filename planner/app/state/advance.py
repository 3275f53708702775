"""State of the Op Advance page (no Panel import)."""

from __future__ import annotations

from typing import cast

import param

from planner.access.scope import require
from planner.app.data import AppData
from planner.app.state.common import Scoped, ScopedLPA, scope_lpas


class AdvanceState(Scoped):
    """Op Advance: an LPA's recent-against-baseline briefing (``planner.hotspots.advance``).

    Only for principals with the ``advance`` capability (intelligence, advance: any LPA).
    """

    data = cast("param.ClassSelector[AppData]", param.ClassSelector(class_=AppData, constant=True))
    lpa: param.Selector[str | None] = ScopedLPA(default=None, objects=[])
    as_of = param.String(
        default="", doc="Briefing date (YYYY-MM-DD); default the workspace's today."
    )

    def __init__(self, data: AppData, **params):
        lpa = params.pop("lpa", None)
        super().__init__(data=data, **params)
        require(self.principal, "advance")
        scope_lpas(self, self.principal, data.lpa_names(), chosen=lpa, all_label=None)
        self.param.lpa.check_on_set = True
        if not self.as_of:
            self.as_of = str(data.ws.today)

    @param.depends("lpa", "as_of")
    def briefing(self):
        """The Op Advance briefing of the selected LPA on the briefing date.

        Returns
        -------
        object
            :meth:`planner.app.data.AppData.advance` (recent against baseline, per area).
        """
        return self.data.advance(self.lpa, self.as_of)

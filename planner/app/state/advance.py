"""State of the Op Advance page (no Panel import)."""

from __future__ import annotations

from typing import cast

import param

from planner.app.data import AppData


class AdvanceState(param.Parameterized):
    """Op Advance: an LPA's recent-against-baseline briefing (``planner.hotspots.advance``)."""

    data = cast("param.ClassSelector[AppData]", param.ClassSelector(class_=AppData, constant=True))
    lpa: param.Selector[str | None] = param.Selector(default=None, objects=[])
    as_of = param.String(
        default="", doc="Briefing date (YYYY-MM-DD); default the workspace's today."
    )

    def __init__(self, data: AppData, **params):
        super().__init__(data=data, **params)
        self.param.lpa.objects = data.lpa_names()
        if self.lpa is None:
            self.lpa = self.param.lpa.objects[0]
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

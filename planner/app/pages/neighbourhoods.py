"""The Neighbourhoods page: engagement and abstraction dashboards and the recording forms.

The Neighbourhoods page: engagement and abstraction dashboards with drill-down, tenure and
vacancies, and the recording forms.
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui
import param

from planner.app.cache import get_store
from planner.app.components.background import in_background
from planner.app.components.drill import DrillBars
from planner.app.components.forms import record_form
from planner.app.components.tables import table
from planner.app.pages.base import Page
from planner.app.state.neighbourhoods import RecordsDrillState, RecordsState


class NeighbourhoodsPage(Page):
    """Engagement and abstraction dashboards with drill-down, vacancies and the recording form."""

    title = "Neighbourhoods"
    slug = "neighbourhoods"
    records_url = param.String(default=None, allow_None=True)

    def __init__(self, **params):
        super().__init__(**params)
        from planner.records import default_store_path

        url = self.records_url or str(default_store_path(self.data.ws))
        self.state = RecordsState(self.data, get_store(url), principal=self.principal)
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
        """Record an engagement (:func:`planner.records.forms.record_engagement`).

        Returns
        -------
        panel.viewable.Viewable
            The engagement form (the dashboard updates when it saves).
        """
        from planner.records import form_options

        opts = form_options(self.state.store, principal=self.principal)
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
            "minority_group": pmui.Select(
                label="Minority group reached",
                options=opts["minority_groups"],
                value="none",
                css_classes=["form-minority"],
            ),
            "location": pmui.TextInput(
                label="Location",
                value="",
                placeholder="street or place",
                css_classes=["form-where"],
            ),
            "occurred_at": pmui.DatetimePicker(
                label="When", value=pd.Timestamp(self.state.today).to_pydatetime().replace(hour=10)
            ),
        }
        return record_form(w, self.state.save_engagement, "engagement", "form")

    def abstraction_form(self) -> pn.viewable.Viewable:
        """Record an abstraction (planner.records.forms.record_abstraction).

        Record an abstraction (planner.records.forms.record_abstraction); the dashboard
        (abstraction hours) updates at once.

        Returns
        -------
        panel.viewable.Viewable
            The abstraction form.
        """
        from planner.records import form_options

        opts = form_options(self.state.store, principal=self.principal)
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
        return record_form(w, self.state.record_abstraction, "abstraction", "abs")

    def tenure(self) -> pn.viewable.Viewable:
        """Postings-based tables (tenure, vacancies, handovers, NPP1), built once.

        Postings-based tables (a saved engagement or abstraction does not change them, so
        they are built once, not re-bound to the record version). They take a second or two to
        compute, so the page shows first and the tables follow (computed in the background).

        Returns
        -------
        panel.viewable.Viewable
            A column filled in when the tables are ready.
        """
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
            *self.header(self.data.any_synthetic("records_store")),
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

"""The phone recording page (issue 18): the engagement and abstraction forms for a phone.

The phone recording page (issue 18): the engagement and abstraction forms laid out for a
390 x 844 screen, reachable by its own link (``?page=record``).
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui
import param

from planner.app.cache import get_store
from planner.app.components.forms import record_form
from planner.app.components.tables import table
from planner.app.pages.base import Page
from planner.app.pages.commitments import store_url
from planner.app.state.record import RecordState


def engagement_widgets(opts: dict, today) -> dict:
    """The engagement form's fields (minority group and location included).

    Parameters
    ----------
    opts : dict
        :func:`planner.records.forms.form_options` of the store.
    today : datetime.date
        The default date of the engagement.

    Returns
    -------
    dict
        Field name -> widget.
    """
    officers = {v: k for k, v in opts["officers"].items()}
    wards = {v: k for k, v in opts["wards"].items()}
    return {
        "officer_id": pmui.AutocompleteInput(
            label="Officer",
            options=officers,
            value=next(iter(officers.values()), None),
            css_classes=["m-eng-officer"],
        ),
        "ward_code": pmui.AutocompleteInput(
            label="Ward",
            options=wards,
            value=next(iter(wards.values()), None),
            css_classes=["m-eng-ward"],
        ),
        "engagement_type": pmui.Select(label="Type", options=opts["engagement_types"]),
        "method": pmui.Select(label="Method", options=opts["methods"]),
        "priority_group": pmui.Select(label="Priority group", options=opts["priority_groups"]),
        "minority_group": pmui.Select(
            label="Minority group reached",
            options=opts["minority_groups"],
            value="none",
            css_classes=["m-eng-minority"],
        ),
        "location": pmui.TextInput(
            label="Location", value="", placeholder="street or place", css_classes=["m-eng-where"]
        ),
        "occurred_at": pmui.DatetimePicker(
            label="When", value=pd.Timestamp(today).to_pydatetime().replace(hour=10)
        ),
    }


class RecordPage(Page):
    """Recording on the street: the engagement and abstraction forms laid out for a phone.

    Recording on the street: the engagement and abstraction forms laid out for a phone
    (390 x 844), reachable by its own link (``?page=record``).
    """

    title = "Record"
    slug = "record"
    records_url = param.String(default=None, allow_None=True)

    def __init__(self, **params):
        super().__init__(**params)
        self.state = RecordState(self.data, get_store(store_url(self)), principal=self.principal)

    def __panel__(self):
        opts = self.state.form_options()
        eng = record_form(
            engagement_widgets(opts, self.state.today),
            self.state.save_engagement,
            "engagement",
            "m-eng",
        )
        officers = {v: k for k, v in opts["officers"].items()}
        auth = {v: k for k, v in opts["authorisers"].items()}
        abs_w = {
            "officer_id": pmui.AutocompleteInput(
                label="Officer abstracted",
                options=officers,
                value=next(iter(officers.values()), None),
                css_classes=["m-abs-officer"],
            ),
            "authorised_by": pmui.AutocompleteInput(
                label="Authorised by",
                options=auth,
                value=next(iter(auth.values()), None),
                css_classes=["m-abs-authoriser"],
            ),
            "authoriser_level": pmui.Select(
                label="Authoriser level",
                options=opts["authoriser_levels"],
                css_classes=["m-abs-level"],
            ),
            "abstraction_type": pmui.Select(label="Reason", options=opts["abstraction_types"]),
            "destination": pmui.TextInput(
                label="Where to", value="LPA response", css_classes=["m-abs-where"]
            ),
            "start": pmui.DatetimePicker(
                label="Start", value=pd.Timestamp(self.state.today).to_pydatetime().replace(hour=9)
            ),
            "hours": pmui.FloatInput(
                label="Hours", value=8.0, start=0.25, step=0.25, css_classes=["m-abs-hours"]
            ),
        }
        abs_ = record_form(abs_w, self.state.record_abstraction, "abstraction", "m-abs")
        mine = table(
            pn.bind(lambda _v: self.state.own_records(), self.state.param.version),
            height=300,
            css_classes=["m-own-records"],
        )
        return pn.Column(
            *self.header(True),
            eng,
            abs_,
            pmui.Typography("Records (yours, or those in your scope)", variant="h6"),
            mine,
            max_width=390,
            sizing_mode="stretch_width",
            css_classes=["record-mobile"],
        )

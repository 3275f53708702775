"""State of the phone recording page (no Panel import): the records store's forms."""

from __future__ import annotations

from planner.app.state.neighbourhoods import RecordsState


class RecordState(RecordsState):
    """The recording forms' state: saves through :mod:`planner.records.forms`.

    The recording forms' state: saves through :mod:`planner.records.forms` (validation and
    the abstraction policy) and bumps ``version`` so dashboards in the session update.
    """

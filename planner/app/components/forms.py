"""Recording forms (a card of widgets, a submit button and a message).

Every save is confirmed on the page, and a second identical submission is recognised as a
duplicate instead of being stored twice (issue 17: a save right after typing in a field stored
the record but showed no confirmation, so users resubmitted and doubled the hours).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import panel as pn
import panel_material_ui as pmui

from planner.errors import PlannerError


def _value(widget):
    """A widget's value, with text typed but not yet committed (no blur/enter) included."""
    if isinstance(widget, pmui.TextInput) and isinstance(widget.value_input, str):
        return widget.value_input  # free text only: a choice's typed text is not its value
    return widget.value


def submission_key(values: dict[str, Any]) -> tuple:
    """A hashable key of a form's values: two submissions with equal keys are duplicates.

    Parameters
    ----------
    values : dict
        Field name -> value as the widgets hold them (dates, numbers, text, None).

    Returns
    -------
    tuple
        ``(name, normalised value)`` pairs sorted by name: text stripped and case-folded,
        numbers as floats, datetimes to the minute.
    """

    def norm(v: Any) -> Any:
        if isinstance(v, str):
            return " ".join(v.split()).casefold()
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, int | float):
            return float(v)
        if isinstance(v, dt.datetime):
            return v.replace(second=0, microsecond=0).isoformat()
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, list | tuple):
            return tuple(norm(x) for x in v)
        return str(v)

    return tuple(sorted((k, norm(v)) for k, v in values.items()))


class FormSubmitter:
    """The submit logic of a recording form, without Panel: saves, confirms, spots duplicates.

    Parameters
    ----------
    save : callable
        ``save(**values)`` stores the record and returns its id (or a
        :class:`planner.records.forms.Recorded` whose policy warnings are shown), or raises
        :class:`~planner.errors.PlannerError` naming the field.
    what : str
        What the form records ("engagement", "abstraction").
    find_duplicate : callable, optional
        ``find_duplicate(**values)`` returns the id of an identical record already stored (e.g.
        by another session or before a reload), or None. Without it only the submissions of this
        form are compared.
    """

    def __init__(
        self,
        save: Callable[..., Any],
        what: str,
        find_duplicate: Callable[..., Any] | None = None,
    ) -> None:
        self.save = save
        self.what = what
        self.find_duplicate = find_duplicate
        self.saved: dict[tuple, str] = {}

    def submit(self, values: dict[str, Any]) -> tuple[str, str]:
        """Save ``values`` unless they duplicate a record already saved.

        Parameters
        ----------
        values : dict
            Field name -> value.

        Returns
        -------
        tuple of str
            ``(severity, message)``: ``("success", "Saved abstraction 12.")``, ``("warning",
            "Not saved: ... duplicate ...")`` or ``("error", <the save's reason>)``.
        """
        key = submission_key(values)
        rid = self.saved.get(key)
        if rid is None and self.find_duplicate is not None:
            found = self.find_duplicate(**values)
            rid = None if found is None else str(found)
        if rid is not None:
            return (
                "warning",
                f"Not saved: this {self.what} is identical to {self.what} {rid}, already saved "
                "(a duplicate submission). Change a field to record another.",
            )
        try:
            res = self.save(**values)
        except PlannerError as exc:
            return "error", str(exc)
        # save returns the id, or a planner.records.forms.Recorded with the policy's warnings
        rid = str(getattr(res, "record_id", res))
        warnings = tuple(getattr(res, "warnings", ()))
        self.saved[key] = rid
        if warnings:  # saved, but the abstraction policy asks for a check
            return "warning", f"Saved {self.what} {rid}. Please check: {'; '.join(warnings)}."
        return "success", f"Saved {self.what} {rid}."


def record_form(
    widgets: dict,
    save,
    what: str,
    css: str,
    *,
    find_duplicate: Callable[..., Any] | None = None,
) -> pmui.Card:
    """A recording form: the widgets, a submit button and a message saying what happened.

    ``save(**values)`` returns the new record's id (or a Recorded with policy warnings, shown
    in the message) or raises PlannerError naming the field. CSS classes
    ``<css>-submit``/``<css>-message``.

    Parameters
    ----------
    widgets : dict
        Field name -> widget; the values are passed to ``save`` by these names.
    save : callable
        Stores the record, returns its id.
    what : str
        What is recorded (used in the button, title and messages).
    css : str
        CSS class prefix of the submit button and the message.
    find_duplicate : callable, optional
        See :class:`FormSubmitter`.

    Returns
    -------
    panel_material_ui.Card
    """
    msg = pmui.Alert(
        object="",
        severity="info",
        visible=False,
        css_classes=[f"{css}-message"],
        sizing_mode="stretch_width",
    )
    submit = pmui.Button(label=f"Record {what}", variant="contained", css_classes=[f"{css}-submit"])
    submitter = FormSubmitter(save, what, find_duplicate)

    def finish(values: dict[str, Any]) -> None:
        severity, msg.object = submitter.submit(values)
        msg.severity = severity  # type: ignore[assignment]  # one of success/warning/error
        msg.visible = True

    def on_submit(_event):
        values = {k: _value(v) for k, v in widgets.items()}
        doc = pn.state.curdoc
        if doc is None or doc.session_context is None:
            finish(values)
            return
        # A click that arrives with a field's pending change (typed, then clicked at once) is
        # handled by Panel outside the document lock, and every change made to the page then
        # fails ("_pending_writes should be non-None"): the record was stored with no
        # confirmation. Save on the next tick instead, which Bokeh runs with the lock held
        # (nothing on the page is changed here: that would fail the same way).
        doc.add_next_tick_callback(lambda: finish(values))

    submit.on_click(on_submit)
    article = "an" if what[0] in "aeiou" else "a"
    return pmui.Card(
        *widgets.values(),
        submit,  # type: ignore[arg-type]  # panel types *items as lists
        msg,  # type: ignore[arg-type]  # panel types *items as lists
        title=f"Record {article} {what}",
        sizing_mode="stretch_width",
        collapsed=False,
    )

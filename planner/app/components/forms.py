"""Recording forms (a card of widgets, a submit button and a message)."""

from __future__ import annotations

import panel_material_ui as pmui

from planner.errors import PlannerError


def _value(widget):
    """A widget's value, with text typed but not yet committed (no blur/enter) included."""
    if isinstance(widget, pmui.TextInput) and isinstance(widget.value_input, str):
        return widget.value_input  # free text only: a choice's typed text is not its value
    return widget.value


def record_form(widgets: dict, save, what: str, css: str) -> pmui.Card:
    """A recording form: the widgets, a submit button and a message saying what happened.

    The message's severity is success, warning (saved, with the policy's warnings) or error.

    Parameters
    ----------
    widgets : dict
        Field name -> widget, in the form's order.
    save : callable
        Called as ``save(**values)``; returns the new record's id or a
        :class:`planner.records.forms.Recorded` (whose policy warnings are shown), or raises
        PlannerError naming the field.
    what : str
        What is recorded ("engagement", "abstraction"), for the button, title and message.
    css : str
        CSS class prefix: ``<css>-submit`` and ``<css>-message``.

    Returns
    -------
    panel_material_ui.Card
        The form.
    """
    msg = pmui.Alert(
        object="",
        severity="info",
        visible=False,
        css_classes=[f"{css}-message"],
        sizing_mode="stretch_width",
    )
    submit = pmui.Button(label=f"Record {what}", variant="contained", css_classes=[f"{css}-submit"])

    def on_submit(_event):
        try:
            res = save(**{k: _value(v) for k, v in widgets.items()})
        except PlannerError as exc:
            msg.severity, msg.object = "error", str(exc)
        else:
            warnings = tuple(getattr(res, "warnings", ()))
            rid = getattr(res, "record_id", res)
            if warnings:  # saved, but the policy asks for a check
                msg.severity = "warning"
                msg.object = f"Saved {what} {rid}. Please check: {'; '.join(warnings)}."
            else:
                msg.severity, msg.object = "success", f"Saved {what} {rid}."
        msg.visible = True

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

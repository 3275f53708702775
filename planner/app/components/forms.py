"""Recording forms (a card of widgets, a submit button and a message)."""

from __future__ import annotations

import panel_material_ui as pmui

from planner.errors import PlannerError


def record_form(widgets: dict, save, what: str, css: str) -> pmui.Card:
    """A recording form: the widgets, a submit button and a message saying what happened.

    A recording form: the ``widgets`` (field name -> widget), a submit button calling
    ``save(**values)`` (which returns the new record's id or raises PlannerError naming the
    field), and a message saying what happened. CSS classes ``<css>-submit``/``<css>-message``.

    Parameters
    ----------
    widgets : dict
        Field name -> widget.
    save : callable
        ``save(**values)``: returns the new record's id or raises PlannerError naming the field.
    what : str
        The record kind, in the form's title (``engagement``, ``abstraction``).
    css : str
        Prefix of the CSS classes ``<css>-submit`` and ``<css>-message``.

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
            rid = save(**{k: v.value for k, v in widgets.items()})
        except PlannerError as exc:
            msg.severity, msg.object = "error", str(exc)
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

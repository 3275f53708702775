"""Notices a page shows: the synthetic-data label and the library-missing message."""

from __future__ import annotations

import panel_material_ui as pmui


def synthetic_banner(text: str = "") -> pmui.Alert:
    """The label every page that shows synthetic data carries."""
    msg = text or (
        "SYNTHETIC DEMO DATA: crimes, people and patrols shown here are simulated by planner.demo "
        "and are NOT real West Midlands Police data. Boundaries are real (ONS, OGL v3.0)."
    )
    return pmui.Alert(
        object=msg, severity="warning", sizing_mode="stretch_width", css_classes=["synthetic-label"]
    )


def unavailable(what: str, module: str) -> pmui.Alert:
    """The message a page shows when the library it needs is not in this build."""
    return pmui.Alert(
        object=f"{what} is not available in this build: the `{module}` library functions it calls are missing.",
        severity="info",
        sizing_mode="stretch_width",
        css_classes=["unavailable"],
    )

"""Notices a page shows: the synthetic-data label and the library-missing message."""

from __future__ import annotations

import panel_material_ui as pmui


def synthetic_banner(text: str = "") -> pmui.Alert:
    """The label every page that shows synthetic data carries.

    Parameters
    ----------
    text : str
        The label's text (default: the demo data notice).

    Returns
    -------
    panel_material_ui.Alert
        A warning with CSS class ``synthetic-label``.
    """
    msg = text or (
        "SYNTHETIC DEMO DATA: crimes, people and patrols shown here are simulated by planner.demo "
        "and are NOT real West Midlands Police data. Boundaries are real (ONS, OGL v3.0)."
    )
    return pmui.Alert(
        object=msg, severity="warning", sizing_mode="stretch_width", css_classes=["synthetic-label"]
    )


def missing_tables(what: str, missing: list[dict[str, str]]) -> pmui.Alert:
    """The notice of a page whose workspace lacks tables, with the commands that fill them.

    The notice of a page whose workspace lacks tables: each table and the exact command
    that fills it (``planner.ownforce.status.missing_notice``).

    Parameters
    ----------
    what : str
        The page or view.
    missing : list of dict
        ``{"table", "command"}`` per missing table (:func:`planner.ownforce.status.missing_notice`).

    Returns
    -------
    panel_material_ui.Alert
        An info notice with CSS class ``missing-tables``.
    """
    lines = "\n".join(f"- **{m['table']}**: `{m['command']}`" for m in missing)
    return pmui.Alert(
        object=f"{what} needs table(s) this workspace does not have yet. Fill them with:\n\n{lines}\n\n"
        "`planner status --workspace DIR` lists what every page and command can do.",
        severity="info",
        sizing_mode="stretch_width",
        css_classes=["missing-tables"],
    )


def unavailable(what: str, module: str) -> pmui.Alert:
    """The message a page shows when the library it needs is not in this build.

    Parameters
    ----------
    what : str
        The page or view.
    module : str
        The library module it needs.

    Returns
    -------
    panel_material_ui.Alert
        An info notice with CSS class ``unavailable``.
    """
    return pmui.Alert(
        object=f"{what} is not available in this build: the `{module}` library functions it calls are missing.",
        severity="info",
        sizing_mode="stretch_width",
        css_classes=["unavailable"],
    )

"""The page base class: a title, the synthetic label where needed, and content."""

from __future__ import annotations

from typing import cast

import panel as pn
import panel_material_ui as pmui
import param

from planner.app.components.notices import missing_tables, synthetic_banner, unavailable
from planner.app.data import AppData


class Page(pn.viewable.Viewer):
    """Base page: a title, the synthetic label where needed, and content."""

    data = cast("param.ClassSelector[AppData]", param.ClassSelector(class_=AppData))
    tiles = param.String(default=None, allow_None=True)
    principal = param.Parameter(
        default=None,
        constant=True,
        doc="The signed-in planner.access.roles.Principal whose scope the page's state reads "
        "(default: the session's, planner.access.server.principal_of; None: no sign-in).",
    )
    title: str = ""
    slug: str = ""

    def __init__(self, **params):
        if params.get("principal") is None:
            from planner.access.server import principal_of

            params["principal"] = principal_of(pn.state.curdoc)
        super().__init__(**params)

    def header(self, synthetic: bool = True) -> list:
        """The page's title and, when its data is synthetic, the synthetic banner.

        Parameters
        ----------
        synthetic : bool
            Add the banner.

        Returns
        -------
        list
            Panel objects, title first.
        """
        items: list = [pmui.Typography(self.title, variant="h5", css_classes=["page-title"])]
        if synthetic:
            items.append(synthetic_banner())
        return items


class UnavailablePage(Page):
    """A page whose library is not in this build yet: says so instead of faking data."""

    module = param.String(default="", doc="The library the page would call.")
    missing_tables = param.List(default=[], doc="Workspace tables the page needs and lacks.")

    def __panel__(self):
        import importlib.util

        notices = []
        if self.missing_tables:
            notices.append(
                missing_tables(self.title, self.data.missing_notice(self.missing_tables))
            )
        if not self.module or importlib.util.find_spec(self.module) is None:
            notices.append(unavailable(self.title, self.module))
        return pn.Column(*self.header(False), *notices, sizing_mode="stretch_width")

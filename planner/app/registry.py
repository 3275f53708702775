"""The app's pages in menu order, and :func:`build_page`, which makes one for a session."""

from __future__ import annotations

import importlib.util
from typing import Any, NamedTuple

from planner.app.data import AppData
from planner.app.pages.advance import AdvancePage
from planner.app.pages.base import Page, UnavailablePage
from planner.app.pages.commitments import CommitmentsPage
from planner.app.pages.delivery import DeliveryPage
from planner.app.pages.hotspots import HotspotsPage
from planner.app.pages.neighbourhoods import NeighbourhoodsPage
from planner.app.pages.plan import PlanPage
from planner.app.pages.record import RecordPage
from planner.app.pages.tasking import TaskingPage


class PageEntry(NamedTuple):
    """One page of the menu.

    Attributes
    ----------
    slug : str
        Name in the URL (``?page=``) and in CSS classes (``page-<slug>``).
    label : str
        Menu label and page title.
    cls : type of Page
        The page class; it gets ``data=``, ``tiles=`` and those keywords of
        :func:`build_page` that it has as parameters.
    module : str
        The library the page calls (the page says so when it is missing).
    requires : tuple of str
        Workspace tables the page reads (the page says so when one is missing).
    """

    slug: str
    label: str
    cls: type[Page]
    module: str
    requires: tuple[str, ...] = ()


#: the pages in menu order
PAGES: tuple[PageEntry, ...] = (
    PageEntry("hotspots", "Hotspots and TGPs", HotspotsPage, "planner.hotspots", ("crimes",)),
    PageEntry("plan", "Patrol plan", PlanPage, "planner.planning", ("plan_visits",)),
    PageEntry(
        "delivery",
        "Coverage and delivery",
        DeliveryPage,
        "planner.tracking.delivery",
        ("plan_visits", "place_days", "tgps"),
    ),
    PageEntry("advance", "Op Advance", AdvancePage, "planner.hotspots.advance", ("crimes",)),
    PageEntry(
        "neighbourhoods",
        "Neighbourhoods",
        NeighbourhoodsPage,
        "planner.records",
        ("records_store",),
    ),
    PageEntry(
        "commitments",
        "Commitments",
        CommitmentsPage,
        "planner.reports",
        ("records_store",),
    ),
    PageEntry("record", "Record", RecordPage, "planner.records", ("records_store",)),
    PageEntry("tasking", "Tasking", TaskingPage, "planner.tasking", ("records_store",)),
)


#: pages laid out for a phone (390 x 844): the app opens them with the menu drawer closed and
#: builds no other page in the background (``?page=record`` is the phone recording view)
PHONE_PAGES: frozenset[str] = frozenset({"record"})


def module_available(module: str) -> bool:
    """Whether the library ``module`` can be imported in this build.

    Parameters
    ----------
    module : str
        Dotted module name.

    Returns
    -------
    bool
    """
    return importlib.util.find_spec(module) is not None


def build_page(slug: str, data: AppData, tiles: str | None = None, **kw: Any) -> Page:
    """Instantiate the page ``slug`` for one session.

    Parameters
    ----------
    slug : str
        A slug of :data:`PAGES`.
    data : AppData
        The workspace's shared data.
    tiles : str, optional
        Basemap tile URL template (None: no basemap).
    **kw
        Further page parameters (e.g. ``records_url``), passed to the pages that have them.

    Returns
    -------
    Page
        The page, or an :class:`UnavailablePage` saying why when its library or one of its
        tables is missing.

    Raises
    ------
    KeyError
        When ``slug`` names no page.
    """
    for entry in PAGES:
        if entry.slug != slug:
            continue
        missing = [t for t in entry.requires if not data.has(t)]
        if not module_available(entry.module) or missing:
            page = UnavailablePage(
                data=data, tiles=tiles, module=entry.module, missing_tables=missing
            )
            page.title = entry.label
            return page
        extra = {k: v for k, v in kw.items() if k in entry.cls.param}
        return entry.cls(data=data, tiles=tiles, **extra)
    raise KeyError(slug)

"""The app's pages, one module each (a ``pn.viewable.Viewer`` over the shared data).

The app's pages, one module each (a ``pn.viewable.Viewer`` over the shared data); each page's
state is the module of the same name in :mod:`planner.app.state`. The menu order is
:data:`planner.app.registry.PAGES`.
"""

from __future__ import annotations

from planner.app.pages.advance import AdvancePage
from planner.app.pages.base import Page, UnavailablePage
from planner.app.pages.commitments import CommitmentsPage
from planner.app.pages.delivery import DeliveryPage
from planner.app.pages.hotspots import HotspotsPage
from planner.app.pages.neighbourhoods import NeighbourhoodsPage
from planner.app.pages.plan import PlanPage
from planner.app.pages.record import RecordPage
from planner.app.pages.tasking import TaskingPage

__all__ = [
    "AdvancePage",
    "CommitmentsPage",
    "DeliveryPage",
    "HotspotsPage",
    "NeighbourhoodsPage",
    "Page",
    "PlanPage",
    "RecordPage",
    "TaskingPage",
    "UnavailablePage",
]

"""The planner app (Panel): pages over one workspace, shared across sessions.

``create_app(workspace=None)`` (:mod:`planner.app.main`) returns the servable; ``planner serve``
and ``panel serve apps/planner_app.py`` both call it. The layout, one file per idea:

- ``pages/<page>.py``: one ``pn.viewable.Viewer`` per page; :mod:`planner.app.registry` lists
  them in menu order.
- ``state/<page>.py``: each page's state, ``param.Parameterized`` with no Panel import.
- ``components/``: shared Panel components (tables, forms, notices, drill-down bars, the hotspot
  map, background work); :mod:`planner.app.bokeh_views`: the plain Bokeh figures.
- :mod:`planner.app.data` (with :mod:`~planner.app.crime_index` and :mod:`~planner.app.layers`):
  the workspace's display-ready frames, no Panel import; :mod:`planner.app.cache`: what all
  sessions share (``pn.state.as_cached``).

``create_app`` is imported on first use, so that ``import planner.app.state.hotspots`` (and
the data modules) do not import Panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.app.main import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from planner.app.main import create_app

        return create_app
    raise AttributeError(f"module 'planner.app' has no attribute {name!r}")

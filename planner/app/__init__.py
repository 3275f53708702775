"""The planner app (Panel): pages over one workspace, shared across sessions.

``create_app(workspace=None)`` returns the servable; ``planner serve`` and
``panel serve apps/planner.py`` both call it. State lives in :mod:`planner.app.state`
(no Panel import), views in :mod:`planner.app.views`, pages in :mod:`planner.app.pages`.
"""

from __future__ import annotations

from planner.app.main import create_app

__all__ = ["create_app"]

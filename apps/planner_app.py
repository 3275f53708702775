"""``panel serve apps/planner_app.py``: the planner app on ``PLANNER_WORKSPACE`` (default: the demo).

Named ``planner_app`` rather than ``planner``: ``panel serve`` puts this folder on ``sys.path``,
where a ``planner.py`` would shadow the ``planner`` package.
"""

from planner.app import create_app

create_app().servable(title="Hotspot and patrol planner")

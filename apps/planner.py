"""``panel serve apps/planner.py``: the planner app on ``PLANNER_WORKSPACE`` (default: the demo)."""

from planner.app import create_app

create_app().servable(title="Hotspot and patrol planner")

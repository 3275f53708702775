"""``panel serve apps/planner.py``: the planner app on ``PLANNER_WORKSPACE`` (default: the demo)."""

import sys
from pathlib import Path

# `panel serve` puts this folder on sys.path, where this file would shadow the `planner` package
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if "planner" in sys.modules and not hasattr(sys.modules["planner"], "__path__"):
    del sys.modules["planner"]

from planner.app import create_app  # noqa: E402

create_app().servable(title="Hotspot and patrol planner")

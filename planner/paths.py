"""Where bundled data lives. ``PLANNER_GEODATA`` overrides the bundled ``geodata/`` folder."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEODATA = Path(os.environ.get("PLANNER_GEODATA", REPO / "geodata"))
CONFIG = Path(__file__).resolve().parent / "config"
DEFAULT_WORKSPACE = Path(os.environ.get("PLANNER_WORKSPACE", REPO / "workspace" / "demo"))

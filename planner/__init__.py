"""Hotspot and patrol planner for UK neighbourhood policing.

The library is split by job: ``planner.io`` reads files, ``planner.geography`` holds the
force hierarchy, ``planner.hotspots`` finds where harm concentrates, ``planner.planning``
plans patrols, ``planner.tracking`` measures delivery, ``planner.records`` keeps the
neighbourhood records and ``planner.app`` shows it all.
"""

from __future__ import annotations

__version__ = "0.1.0"

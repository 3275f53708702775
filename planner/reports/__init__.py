"""Public-facing reports (issue 18): the community report for an area.

The report for a ward, neighbourhood, sector or LPA is safe to hand to a community meeting (no
officer-level performance, no abstraction data, no individual records).
"""

from __future__ import annotations

from planner.reports.community import (
    CommunityReport,
    build_community_report,
    render_html,
    render_pdf,
)

__all__ = ["CommunityReport", "build_community_report", "render_html", "render_pdf"]

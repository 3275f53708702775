"""Patrol planning: exact hours, harm profiles, staffing, timetables, Op Servator, exports.

Exact hours allocation, harm profiles, capacity-constrained staffing (a HiGHS MILP),
unpredictable timetables, Op Servator deployments and exports.

The entry points are :func:`planner.planning.schedule.plan_quarter` (library) and
:func:`planner.planning.schedule.plan_workspace_quarter` (from a workspace); the configuration
is :class:`planner.planning.config.PlanConfig`.
"""

from __future__ import annotations

"""Delivery tracking: GPS pings to patrol minutes, plan against delivery, visibility, effect.

Modules, by job: :mod:`~planner.tracking.dwell` (exact geofencing of GPS tracks: officer
visits and TGP place-days), :mod:`~planner.tracking.logs` (patrol logs without GPS, reconciled
so nothing is counted twice), :mod:`~planner.tracking.delivery` (plan against delivery, the
95% place-day share and the funding-year trajectory), :mod:`~planner.tracking.visibility`
(share of duty time out in the community), :mod:`~planner.tracking.effect` (patrolled against
non-patrolled place-days, weighted displacement difference), :mod:`~planner.tracking.intervals`
(interval arithmetic in epoch seconds) and :mod:`~planner.tracking.simulate` (synthetic traces).

The main entry points are importable from the top: ``planner.dwell``,
``planner.delivery_report``, ``planner.workspace_visibility``, ``planner.within_tgp_effect``.
"""

from __future__ import annotations

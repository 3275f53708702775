"""Access control: who may sign in, what each role may see and do, and the audit trail.

* :mod:`planner.access.roles`: the roles (``intelligence``, ``inspector``, ``advance``,
  ``officer``, ``admin``) and a signed-in :class:`~planner.access.roles.Principal`;
  the OIDC claim -> role mapping.
* :mod:`planner.access.users`: the users file (salted argon2 hashes only).
* :mod:`planner.access.audit`: the append-only audit trail in the records store.
* :mod:`planner.access.server`: sign-in for ``planner serve`` (Panel's login form backed by the
  users file, or OpenID Connect through Panel's OAuth), enforced on every route.
"""

from __future__ import annotations

from planner.access.roles import ROLES, Principal

__all__ = ["ROLES", "Principal"]

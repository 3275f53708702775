"""What a principal may read and do: capabilities, LPA choices, and row filters (Panel-free).

The app's state objects call these where they read data, so that a session never holds a row
or a name outside its principal's scope, whatever the client asks for; exports and downloads
are wrapped by :func:`audited` so that each one is in the audit trail with the user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import pandas as pd

from planner.access.roles import Principal
from planner.errors import AccessDenied

T = TypeVar("T")

#: capability -> roles that have it (issue 15)
CAPABILITIES: dict[str, frozenset[str]] = {
    "hotspots": frozenset({"intelligence", "inspector", "advance"}),
    "derive_tgps": frozenset({"intelligence"}),
    "plans": frozenset({"intelligence", "inspector"}),
    "exports": frozenset({"intelligence", "inspector", "advance"}),
    "delivery": frozenset({"intelligence", "inspector"}),
    "records": frozenset({"intelligence", "inspector", "officer"}),
    "officer_data": frozenset({"intelligence", "inspector", "officer"}),
    "advance": frozenset({"intelligence", "advance"}),
    "record": frozenset({"intelligence", "inspector", "officer"}),
    "manage_users": frozenset({"admin"}),
    # issue 19: nominal lists (offenders, victims) - the most sensitive data; inspectors see
    # their own LPAs' people only; advance sees only the wanted suspects of a day of action
    "nominals": frozenset({"intelligence", "inspector"}),
    "wanted_on_day": frozenset({"intelligence", "inspector", "advance"}),
    "tasking": frozenset({"intelligence", "inspector", "advance"}),
}


def may(principal: Principal | None, capability: str) -> bool:
    """Whether ``principal`` has ``capability``.

    Whether ``principal`` has ``capability`` (None = an unauthenticated local session,
    which has every capability but user management).

    Parameters
    ----------
    principal
        The signed-in principal, or None when the server runs without sign-in.
    capability
        A key of :data:`CAPABILITIES`.

    Returns
    -------
    bool
        True when allowed.
    """
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    if principal is None:
        return capability != "manage_users"
    return principal.role in CAPABILITIES[capability]


def require(principal: Principal | None, capability: str) -> None:
    """Raise :class:`~planner.errors.AccessDenied` unless ``principal`` has ``capability``.

    Parameters
    ----------
    principal : Principal or None
        The signed-in principal (None: the server runs without sign-in).
    capability : str
        A key of :data:`CAPABILITIES`.
    """
    if not may(principal, capability):
        who = principal.user if principal else "?"
        role = principal.role if principal else "?"
        raise AccessDenied(f"{who} ({role}) may not use {capability.replace('_', ' ')}")


def lpa_choices(
    principal: Principal | None, lpas: Iterable[str], *, officer_lpa: str | None = None
) -> list[str]:
    """The LPAs a principal may select (inspectors: theirs; officers: their own LPA).

    Parameters
    ----------
    principal
        The principal (None: no sign-in, every LPA).
    lpas
        Every LPA of the workspace.
    officer_lpa
        An officer's own LPA.

    Returns
    -------
    list of str
        The LPAs, in the given order.
    """
    every = sorted(dict.fromkeys(str(x) for x in lpas))
    if principal is None or principal.role in ("intelligence", "advance"):
        return every
    if principal.role == "inspector":
        return [x for x in every if x in principal.lpas]
    if principal.role == "officer" and officer_lpa is not None:
        return [x for x in every if x == officer_lpa]
    return []


def officer_rows(
    df: pd.DataFrame,
    principal: Principal | None,
    *,
    lpa_col: str = "lpa",
    officer_col: str = "officer_id",
) -> pd.DataFrame:
    """The officer-level rows of ``df`` within scope.

    intelligence (and no sign-in): all; inspector: rows whose ``lpa_col`` is one of their LPAs;
    officer: rows whose ``officer_col`` is their own id; advance and admin: none.

    Parameters
    ----------
    df : pandas.DataFrame
        Officer-level rows.
    principal : Principal or None
        The signed-in principal (None: the server runs without sign-in).
    lpa_col : str
        The LPA column.
    officer_col : str
        The officer id column.

    Returns
    -------
    pandas.DataFrame
        A filtered copy (same columns; an empty frame when nothing is in scope).
    """
    if principal is None or principal.role == "intelligence":
        return df.copy()
    if principal.role == "inspector":
        if lpa_col not in df:
            raise KeyError(f"cannot scope rows without an {lpa_col!r} column")
        return df[df[lpa_col].isin(principal.lpas)].copy()
    if principal.role == "officer":
        if officer_col not in df:
            raise KeyError(f"cannot scope rows without an {officer_col!r} column")
        return df[df[officer_col] == principal.recorder_id].copy()
    return df.iloc[0:0].copy()


def officer_options(
    labels: Mapping[str, str],
    officer_lpas: Mapping[str, str | None],
    principal: Principal | None,
) -> dict[str, str]:
    """Officer drop-down choices ``{officer_id: label}`` within scope.

    Parameters
    ----------
    labels
        Every officer's label (e.g. ``form_options(store)["officers"]``).
    officer_lpas
        ``{officer_id: lpa}`` for the officers in ``labels``.
    principal
        The principal (see :func:`officer_rows` for who sees whom).

    Returns
    -------
    dict of str to str
        The choices within scope.
    """
    frame = pd.DataFrame(
        {
            "officer_id": list(labels),
            "lpa": [officer_lpas.get(o) for o in labels],
        }
    )
    keep = officer_rows(frame, principal)["officer_id"]
    return {o: labels[o] for o in keep}


def audited(
    callback: Callable[[], T],
    *,
    audit: Callable[..., None],
    principal: Principal | None,
    what: str,
    detail: Mapping[str, Any] | None = None,
    action: str = "export",
) -> Callable[[], T]:
    """Wrap an export or download callback so each call is in the audit trail first.

    ``audit(user, action, role=..., table_name=..., detail=..., source=...)`` is
    :func:`planner.access.audit.log_event` bound to the store.

    Parameters
    ----------
    callback : callable
        The export or download callback (no arguments).
    audit : callable
        ``audit(user, action, **kwargs)`` writing to the audit trail.
    principal : Principal or None
        The signed-in principal (None: the server runs without sign-in).
    what : str
        The table or file exported (``table_name`` of the audit row).
    detail : mapping, optional
        Further detail for the audit row.
    action : str
        The audit action.

    Returns
    -------
    callable
        The wrapped callback (same result).
    """

    def run() -> T:
        user = principal.user if principal else "(no sign-in)"
        role = principal.role if principal else None
        audit(
            user, action, role=role, table_name=what[:40], detail=dict(detail or {}), source="app"
        )
        return callback()

    return run

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
    "neighbourhoods": frozenset({"intelligence", "inspector"}),
    "commitments": frozenset({"intelligence", "inspector"}),
}

#: app page (slug of planner.app.registry.PAGES) -> the capability that opens it
PAGE_CAPABILITY: dict[str, str] = {
    "hotspots": "hotspots",
    "plan": "plans",
    "delivery": "delivery",
    "advance": "advance",
    "neighbourhoods": "neighbourhoods",
    "commitments": "commitments",
    "record": "record",
    "tasking": "tasking",
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
        _denied(principal, {"attempt": "capability", "capability": capability})
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


def page_allowed(principal: Principal | None, slug: str) -> bool:
    """Whether ``principal`` may open the app page ``slug``.

    Parameters
    ----------
    principal
        The signed-in principal (None: no sign-in, every page).
    slug
        A key of :data:`PAGE_CAPABILITY`; an unknown page is never allowed.

    Returns
    -------
    bool
    """
    cap = PAGE_CAPABILITY.get(slug)
    return cap is not None and may(principal, cap)


def allowed_pages(principal: Principal | None, slugs: Iterable[str]) -> list[str]:
    """The pages of ``slugs`` (in their order) that ``principal`` may open.

    Parameters
    ----------
    principal
        The signed-in principal (None: no sign-in).
    slugs
        Page slugs, menu order.

    Returns
    -------
    list[str]
    """
    return [s for s in slugs if page_allowed(principal, s)]


def lpa_allowed(
    principal: Principal | None, lpa: str | None, *, all_label: str | None = None
) -> bool:
    """Whether a page state of ``principal`` may show ``lpa`` (``all_label``: the whole force).

    No sign-in, intelligence and advance: any LPA and the whole force; an inspector: one of
    their LPAs only (the whole force is outside their scope); officer and admin: none.

    Parameters
    ----------
    principal
        The principal.
    lpa
        The LPA chosen (or ``all_label``).
    all_label
        The selector's "all LPAs" value.

    Returns
    -------
    bool
    """
    if principal is None or principal.all_lpas:
        return True
    if principal.role == "inspector":
        return lpa is not None and lpa != all_label and lpa in principal.lpas
    return False


def lpa_options(
    principal: Principal | None, lpas: Iterable[str], *, all_label: str | None = None
) -> list[str]:
    """The values an LPA selector offers ``principal``.

    ``all_label`` (when given) and every LPA for roles that see the force; an inspector's own
    LPAs only.

    Parameters
    ----------
    principal
        The principal.
    lpas
        Every LPA of the workspace (their order is kept).
    all_label
        The "all LPAs" value, offered only to roles that see every LPA.

    Returns
    -------
    list[str]
    """
    every = list(dict.fromkeys(str(x) for x in lpas))
    head = [all_label] if all_label is not None else []
    if principal is None or principal.all_lpas:
        return [*head, *every]
    return [x for x in every if lpa_allowed(principal, x, all_label=all_label)]


def check_lpa(
    principal: Principal | None, lpa: str | None, *, all_label: str | None = None
) -> None:
    """Raise :class:`~planner.errors.AccessDenied` unless :func:`lpa_allowed`.

    Parameters
    ----------
    principal
        The principal.
    lpa
        The LPA asked for.
    all_label
        The selector's "all LPAs" value.
    """
    if not lpa_allowed(principal, lpa, all_label=all_label):
        _denied(principal, {"attempt": "lpa", "lpa": str(lpa)})
        who = principal.user if principal else "?"
        role = principal.role if principal else "?"
        raise AccessDenied(f"{who} ({role}) may not see data of {lpa!r}")


def filter_rows(
    principal: Principal | None,
    df: pd.DataFrame,
    *,
    lpa_col: str = "lpa",
    officer_col: str | None = None,
) -> pd.DataFrame:
    """The rows of ``df`` within ``principal``'s scope.

    With ``officer_col`` the frame is officer-level (:func:`officer_rows`: advance and admin
    get none). Without it the rows are aggregates keyed by LPA: no sign-in, intelligence and
    advance get all; an inspector the rows of their LPAs; officer and admin none.

    Parameters
    ----------
    principal
        The principal.
    df
        The frame.
    lpa_col
        Its LPA column.
    officer_col
        Its officer id column, for officer-level frames.

    Returns
    -------
    pandas.DataFrame
        A filtered copy (same columns, index reset only when rows were dropped).
    """
    if officer_col is not None:
        return officer_rows(df, principal, lpa_col=lpa_col, officer_col=officer_col)
    if principal is None or principal.all_lpas:
        return df.copy()
    if principal.role == "inspector":
        if lpa_col not in df:
            raise KeyError(f"cannot scope rows without an {lpa_col!r} column")
        return df[df[lpa_col].isin(principal.lpas)].copy()
    return df.iloc[0:0].copy()


def refuse(principal: Principal | None, message: str, detail: Mapping[str, Any]) -> AccessDenied:
    """Audit a refusal as ``denied`` with the user and return the exception to raise.

    Every refusal of a request outside the principal's scope goes through here (an LPA, a
    drill-down, a TGP, team or day outside the principal's choices, a report area), so that
    each one is in the audit trail: ``raise refuse(principal, "...", {"attempt": ...})``.

    Parameters
    ----------
    principal
        The principal refused (None: no sign-in, nothing is audited).
    message
        The one-line reason (the exception's message).
    detail
        What was asked for (JSON-serialisable), the ``detail`` of the audit row.

    Returns
    -------
    planner.errors.AccessDenied
        The exception, for the caller to raise.
    """
    _denied(principal, dict(detail))
    return AccessDenied(message)


def _denied(principal: Principal | None, detail: dict[str, Any]) -> None:
    """Audit a refusal in a served session (:func:`planner.access.server.audit_denied`)."""
    from planner.access.server import audit_denied

    audit_denied(principal, detail)

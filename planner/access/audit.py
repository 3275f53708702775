"""The audit trail: an append-only table (``audit_trail``) in the records store.

Every sign-in and sign-out, every insert, update and delete of a record with the signed-in
user's identity, every export or download and every change of a user's role is one row.
The database refuses UPDATE and DELETE on the table (triggers of migration ``0002_audit``).
Times are stored as naive UTC.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from planner.records import models as m
from planner.records.store import RecordStore

#: actions written to the trail
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "denied",
    "insert",
    "update",
    "delete",
    "export",
    "download",
    "user_add",
    "user_remove",
    "role_change",
    "password_change",
    "view",  # issue 19: a view of nominal (offender or victim) records
)

COLUMNS = ["id", "at", "user", "role", "action", "table_name", "record_id", "detail", "source"]


def os_user() -> str:
    """The identity of a command-line run: ``os:<login name>``.

    Returns
    -------
    str
        ``os:<login name>``.
    """
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):  # pragma: no cover - no login name (containers)
        return "os:unknown"


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def event_row(
    user: str,
    action: str,
    *,
    role: str | None = None,
    table_name: str | None = None,
    record_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    source: str = "app",
    at: datetime | None = None,
) -> dict[str, Any]:
    """One audit row as a dict (for :func:`write_events`).

    Parameters
    ----------
    user : str
        Who (a sign-in name, or ``os:<login>`` from the command line).
    action : str
        What was done (``sign_in``, ``insert``, ``update``, ``export``, ...).
    role : str, optional
        The user's role.
    table_name : str, optional
        The table changed or exported.
    record_id : str, optional
        The record changed.
    detail : mapping, optional
        Further detail (stored as JSON; e.g. ``{field: [old, new]}``).
    source : str
        Where it happened (``app``, ``web``, ``form``, or a command such as ``planner users``).
    at : datetime.datetime, optional
        When (naive UTC; default now).

    Returns
    -------
    dict
        The audit row's columns.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return {
        "at": at or _utcnow(),
        "user": str(user)[:255],
        "role": role,
        "action": action,
        "table_name": table_name,
        "record_id": None if record_id is None else str(record_id)[:80],
        "detail": json.dumps(dict(detail or {}), default=str, sort_keys=True),
        "source": str(source)[:255],
    }


def write_events(session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Append audit rows inside an open transaction (the caller's unit of work).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        An open session (inside the caller's transaction).
    rows : iterable of mapping
        Rows from :func:`event_row`.

    Returns
    -------
    int
        Rows written.
    """
    rows = list(rows)
    if rows:
        session.execute(insert(m.AuditEvent), rows)
    return len(rows)


def log_event(store: RecordStore, user: str, action: str, **kwargs: Any) -> None:
    """Append one audit row in its own transaction.

    Parameters
    ----------
    store
        The records store.
    user
        The signed-in user's identity.
    action
        One of :data:`ACTIONS`.
    **kwargs
        ``role``, ``table_name``, ``record_id``, ``detail`` (a dict), ``source`` of
        :func:`event_row`.
    """
    row = event_row(user, action, **kwargs)
    store.run(lambda s: write_events(s, [row]))


def read_events(
    store: RecordStore,
    *,
    since: datetime | None = None,
    user: str | None = None,
    action: str | None = None,
) -> pd.DataFrame:
    """The audit trail (oldest first), optionally from ``since`` (naive UTC) and for one user.

    Parameters
    ----------
    store : RecordStore
        The records store.
    since : datetime.datetime, optional
        Only events from then on (naive UTC).
    user : str, optional
        Only this user's events.
    action : str, optional
        Only this action.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``detail`` decoded from JSON to dicts.
    """
    t = m.AuditEvent.__table__
    stmt = select(t).order_by(t.c.at, t.c.id)
    if since is not None:
        stmt = stmt.where(t.c.at >= since)
    if user is not None:
        stmt = stmt.where(t.c.user == user)
    if action is not None:
        stmt = stmt.where(t.c.action == action)
    with store.session() as s:
        rows = [tuple(r) for r in s.execute(stmt).all()]
    df = pd.DataFrame.from_records(rows, columns=COLUMNS).astype(object)
    df = df.where(pd.notna(df), None)
    df["detail"] = [json.loads(d) for d in df["detail"]]
    return df

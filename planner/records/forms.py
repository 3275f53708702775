"""Server-side validation and writes for the recording forms (one record per submission).

The Panel forms call :func:`record_engagement` / :func:`record_abstraction` with the field
values the user entered; a :class:`~planner.errors.PlannerError` carries a message to show
next to the form. Each submission is one transaction retried on conflicts, so concurrent
submissions from many phones lose nothing; a record appears in the analytics as soon as the
call returns. Only officers already in the store may record (imports, by contrast, add
unknown officers as unverified).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from planner.access.roles import Principal
from planner.errors import AccessDenied, PlannerError
from planner.records.imports import COLUMNS, Kind, apply_records, content_hash, validate
from planner.records.policy import DEFAULT_POLICY, AbstractionPolicy, check_abstraction
from planner.records.store import RecordStore
from planner.records.vocab import DEFAULT_VOCABULARY, Vocabulary

#: aliases the forms may use for canonical field names
ALIASES = {
    "duration_hours": "hours",
    "authorising_officer": "authorised_by",
    "authorising_level": "authoriser_level",
    "reason": "abstraction_type",
    "where_to": "destination",
}


def _as_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime | date | pd.Timestamp):
        return v.isoformat()
    return str(v)


def _check_recorder(store: RecordStore, principal: Principal, fields: dict[str, Any]) -> None:
    """Refuse a record the principal may not save (officers record only for themselves).

    An officer's empty ``officer_id`` is filled with their own id; any other officer id is
    refused, as is a record about an officer outside an inspector's LPAs.
    """
    if principal.role == "officer" and not _as_text(fields.get("officer_id")).strip():
        fields["officer_id"] = principal.recorder_id
    officer_id = _as_text(fields.get("officer_id")).strip()
    from sqlalchemy import select

    from planner.records import models as m

    with store.session() as s:
        lpa = s.scalar(select(m.Officer.lpa).where(m.Officer.officer_id == officer_id))
    if not principal.may_record_for(officer_id, lpa):
        from planner.access.audit import log_event

        who = "themselves" if principal.role == "officer" else "officers in their scope"
        log_event(
            store,
            principal.user,
            "denied",
            role=principal.role,
            detail={"attempt": "record", "officer_id": officer_id},
            source="form",
        )
        raise AccessDenied(
            f"not saved: {principal.user} ({principal.role}) may record only for {who}, "
            f"not for officer {officer_id!r}"
        )


def _record(
    store: RecordStore,
    kind: Kind,
    fields: dict[str, Any],
    *,
    source: str,
    vocabulary: Vocabulary,
    now: datetime | None,
    synthetic: bool,
    principal: Principal | None = None,
) -> str:
    fields = {ALIASES.get(k, k): v for k, v in fields.items()}
    if principal is not None:
        _check_recorder(store, principal, fields)
    required, optional = COLUMNS[kind]
    unknown = sorted(set(fields) - set(required) - set(optional))
    if unknown:
        raise PlannerError(f"unknown field(s) for {kind[:-1]}: {', '.join(unknown)}")
    if not _as_text(fields.get("record_id")).strip():
        fields["record_id"] = f"{'ENG' if kind == 'engagements' else 'ABS'}-{uuid.uuid4().hex[:16]}"
    if kind == "abstractions" and isinstance(fields.get("hours"), timedelta):
        fields["hours"] = fields["hours"].total_seconds() / 3600
    raw = pd.DataFrame([{c: _as_text(fields.get(c)) for c in (*required, *optional)}])
    wards = set(store.frame("wards")["ward_code"]) if kind == "engagements" else None
    clean, reasons = validate(raw, kind, vocabulary=vocabulary, wards=wards or None, now=now)
    if reasons.iloc[0]:
        raise PlannerError(f"{kind[:-1]} not saved: {reasons.iloc[0]}")
    clean["content_hash"] = content_hash(clean, kind)

    def work(s: Session) -> None:
        apply_records(
            s,
            clean,
            kind,
            source=source,
            synthetic=synthetic,
            allow_new_officers=False,
            user=None if principal is None else principal.user,
            role=None if principal is None else principal.role,
        )

    store.run(work)
    return str(clean["record_id"].iloc[0])


def record_engagement(
    store: RecordStore,
    *,
    source: str = "form",
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
    now: datetime | None = None,
    synthetic: bool = False,
    principal: Principal | None = None,
    **fields: Any,
) -> str:
    """Validate and store one engagement; returns its ``record_id``.

    Fields: ``occurred_at`` (datetime or text; naive = Europe/London), ``officer_id``,
    ``ward_code``, ``engagement_type``, ``method``, ``priority_group``, ``minority_group``
    (optional), ``longitude``/``latitude`` (optional, together), ``location``, ``notes``,
    ``record_id`` (optional; generated when absent; resubmitting the same id with changed
    values updates the record and writes an audit row).

    With ``principal`` (the signed-in user, :class:`planner.access.roles.Principal`) the
    record is checked against their role (an officer records only for themselves; an empty
    ``officer_id`` is theirs) and the save is written to the audit trail with their name.

    Parameters
    ----------
    store : RecordStore
        The records store.
    source : str
        Where the record came from (``form``, an import file, ...), stored with it.
    vocabulary : Vocabulary
        The allowed categories.
    now : datetime.datetime, optional
        Reference time for "in the future" (default: the current time).
    synthetic : bool
        Flag the records as synthetic (demo data).
    principal : Principal, optional
        The signed-in user (:class:`planner.access.roles.Principal`): the record is checked
        against their role and the save is audited with their name.
    **fields
        The record's fields (see above).

    Returns
    -------
    str
        The stored ``record_id``.

    Raises
    ------
    PlannerError
        With every problem found, e.g. ``"engagement not saved: unknown method 'fax' ..."``.

    Examples
    --------
    >>> record_engagement(store, occurred_at="2025-09-29T10:00", officer_id="WM-0001",
    ...                   ward_code="E05001218", engagement_type="street briefing",
    ...                   method="face to face", priority_group="residents")   # doctest: +SKIP
    """
    return _record(
        store,
        "engagements",
        fields,
        source=source,
        vocabulary=vocabulary,
        now=now,
        synthetic=synthetic,
        principal=principal,
    )


@dataclass(frozen=True)
class Recorded:
    """A saved record's id and the policy warnings to show beside the form."""

    record_id: str
    warnings: tuple[str, ...] = ()


def _officer_lpa(store: RecordStore, officer_id: str) -> str | None:
    off = store.frame("officers")
    row = off[off["officer_id"] == officer_id]
    if row.empty:
        return None
    team, lpa = row["team_id"].iloc[0], row["lpa"].iloc[0]
    if isinstance(team, str):
        teams = store.frame("teams").set_index("team_id")["lpa"]
        if isinstance(teams.get(team), str):
            return str(teams[team])
    return str(lpa) if isinstance(lpa, str) else None


def record_abstraction_checked(
    store: RecordStore,
    *,
    policy: AbstractionPolicy = DEFAULT_POLICY,
    source: str = "form",
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
    now: datetime | None = None,
    synthetic: bool = False,
    principal: Principal | None = None,
    **fields: Any,
) -> Recorded:
    """Check one abstraction against the abstraction ``policy``, then validate and store it.

    Parameters
    ----------
    policy
        What counts, the maximum hours, the authorising rank by duration and the same-LPA rule
        (:class:`planner.records.policy.AbstractionPolicy`).
    fields
        As for :func:`record_abstraction`.
    store : RecordStore
        The records store.
    source : str
        Where the record came from (``form``, an import file, ...), stored with it.
    vocabulary : Vocabulary
        The allowed categories.
    now : datetime.datetime, optional
        Reference time for "in the future" (default: the current time).
    synthetic : bool
        Flag the records as synthetic (demo data).
    principal : Principal, optional
        The signed-in user (:class:`planner.access.roles.Principal`): the record is checked
        against their role and the save is audited with their name.
    **fields
        The record's fields (see above).

    Returns
    -------
    Recorded
        The record id and the policy's warnings (e.g. an authoriser of another LPA).

    Raises
    ------
    PlannerError
        ``"abstraction not saved: ..."`` with the policy's refusals or the validation problems.
    """
    f = {ALIASES.get(k, k): v for k, v in fields.items()}
    hours = f.get("hours")
    if isinstance(hours, timedelta):
        hours = hours.total_seconds() / 3600
    try:
        h = float(hours) if hours is not None and str(hours).strip() else None
    except ValueError:
        h = None
    warnings: tuple[str, ...] = ()
    if h is not None and _as_text(f.get("abstraction_type")).strip():
        chk = check_abstraction(
            policy,
            reason=_as_text(f.get("abstraction_type")),
            hours=h,
            authoriser_level=_as_text(f.get("authoriser_level")),
            officer_lpa=_officer_lpa(store, _as_text(f.get("officer_id")).strip()),
            authoriser_lpa=_officer_lpa(store, _as_text(f.get("authorised_by")).strip()),
        )
        if not chk.ok:
            raise PlannerError("abstraction not saved: " + "; ".join(chk.refusals))
        warnings = chk.warnings
    rid = _record(
        store,
        "abstractions",
        fields,
        source=source,
        vocabulary=vocabulary,
        now=now,
        synthetic=synthetic,
        principal=principal,
    )
    return Recorded(rid, warnings)


def record_abstraction(
    store: RecordStore,
    *,
    source: str = "form",
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
    now: datetime | None = None,
    synthetic: bool = False,
    policy: AbstractionPolicy = DEFAULT_POLICY,
    **fields: Any,
) -> str:
    """Validate and store one abstraction; returns its ``record_id``.

    Fields: ``officer_id`` (abstracted officer), ``authorised_by`` (alias
    ``authorising_officer``), ``authoriser_level`` (SGT, INSP, CI, SUPT, ...),
    ``abstraction_type`` (alias ``reason``), ``destination`` (alias ``where_to``), ``start``,
    ``hours`` (alias ``duration_hours``; a timedelta is accepted), ``notes``, ``record_id``.
    The abstraction ``policy`` is applied first (refusals raise; use
    :func:`record_abstraction_checked` to get its warnings too).

    Parameters
    ----------
    store : RecordStore
        The records store.
    source : str
        Where the record came from (``form``, an import file, ...), stored with it.
    vocabulary : Vocabulary
        The allowed categories.
    now : datetime.datetime, optional
        Reference time for "in the future" (default: the current time).
    synthetic : bool
        Flag the records as synthetic (demo data).
    policy : AbstractionPolicy
        The abstraction policy (:class:`planner.records.policy.AbstractionPolicy`).
    **fields
        The record's fields (see above).

    Returns
    -------
    str
        The stored ``record_id``.
    """
    return record_abstraction_checked(
        store,
        policy=policy,
        source=source,
        vocabulary=vocabulary,
        now=now,
        synthetic=synthetic,
        **fields,
    ).record_id


def form_options(
    store: RecordStore,
    *,
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
    principal: Principal | None = None,
) -> dict[str, Any]:
    """Choices for the recording forms' drop-downs, straight from the store.

    With ``principal`` the officer and authoriser choices hold only officers in their scope
    (:func:`planner.access.scope.officer_options`): an inspector's LPAs, an officer
    themselves (and the authorisers of their LPA), nobody for advance and admin.

    Parameters
    ----------
    store : RecordStore
        The records store.
    vocabulary : Vocabulary
        The allowed categories.
    principal : Principal, optional
        The signed-in user (:class:`planner.access.roles.Principal`): the record is checked
        against their role and the save is audited with their name.

    Returns
    -------
    dict
        ``officers``: verified officers as ``{officer_id: "Name (ROLE, team)"}``;
        ``authorisers``: sergeants and above (roles SGT, INSP) in the same form;
        ``wards``: ``{ward_code: "Ward (LPA)"}``; and the vocabulary lists
        ``engagement_types, methods, priority_groups, minority_groups, abstraction_types,
        authoriser_levels``.
    """
    off = store.frame("officers")
    off = off[off["verified"].astype(bool)].sort_values("officer_id")

    def label(df: pd.DataFrame) -> dict[str, str]:
        name = df["name"].fillna(df["officer_id"])
        extra = df["role"].fillna("?") + df["team_id"].map(
            lambda t: f", {t}" if isinstance(t, str) else ""
        )
        return dict(zip(df["officer_id"], name + " (" + extra + ")"))

    wards = store.frame("wards").sort_values("ward_code")
    officers, authorisers = label(off), label(off[off["role"].isin(["SGT", "INSP"])])
    if principal is not None:
        from planner.access.scope import officer_options

        lpas = dict(zip(off["officer_id"], off["lpa"]))
        officers = officer_options(officers, lpas, principal)
        if principal.role == "officer":  # who may authorise them: their LPA's supervisors
            own = lpas.get(principal.recorder_id or "")
            authorisers = {o: v for o, v in authorisers.items() if own and lpas.get(o) == own}
        else:
            authorisers = officer_options(authorisers, lpas, principal)
    return {
        "officers": officers,
        "authorisers": authorisers,
        "wards": dict(
            zip(
                wards["ward_code"],
                wards["ward"].fillna(wards["ward_code"]) + " (" + wards["lpa"].fillna("?") + ")",
            )
        ),
        "engagement_types": list(vocabulary.engagement_types),
        "methods": list(vocabulary.methods),
        "priority_groups": list(vocabulary.priority_groups),
        "minority_groups": list(vocabulary.minority_groups),
        "abstraction_types": list(vocabulary.abstraction_types),
        "authoriser_levels": list(vocabulary.authoriser_levels),
    }

"""SQLAlchemy 2 ORM models of the records store.

All timestamps are stored as naive UTC (``occurred_at``, ``start``, ``changed_at``); analytics
convert to Europe/London for dates and periods. Dates (posting start/end) are calendar dates.
The schema is created and upgraded by the Alembic migrations in ``planner/records/migrations``;
:data:`Base.metadata` is the reference the migrations are checked against in the tests.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every records table."""

    #: every model here is mapped to one Table (SQLAlchemy types it as the wider FromClause)
    __table__: ClassVar[Table]


class Ward(Base):
    """Wards with their LPA, neighbourhood and population (for gaps and vacancies)."""

    __tablename__ = "wards"
    ward_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    ward: Mapped[str | None] = mapped_column(String(120))
    lpa: Mapped[str | None] = mapped_column(String(80), index=True)
    nbh_code: Mapped[str | None] = mapped_column(String(40))
    population: Mapped[float | None] = mapped_column(Float)


class Team(Base):
    """A team: neighbourhood, taskforce, patrol or council warden team, in an LPA."""

    __tablename__ = "teams"
    team_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str | None] = mapped_column(String(20))
    lpa: Mapped[str | None] = mapped_column(String(80), index=True)
    nbh_code: Mapped[str | None] = mapped_column(String(40))
    start_date: Mapped[date | None] = mapped_column(Date)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Officer(Base):
    """An officer or member of staff. ``verified=False``: first seen in an import, to be checked."""

    __tablename__ = "officers"
    officer_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(20))
    team_id: Mapped[str | None] = mapped_column(String(40))
    lpa: Mapped[str | None] = mapped_column(String(80))
    ward_code: Mapped[str | None] = mapped_column(String(16))
    start_date: Mapped[date | None] = mapped_column(Date)
    npp1_trained: Mapped[bool | None] = mapped_column(Boolean)
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen: Mapped[str | None] = mapped_column(String(255))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Posting(Base):
    """An officer in a role (and ward, for DNOs/PCSOs) from ``start`` to ``end`` (None = current).

    ``handover_date`` is when the officer received a handover from their predecessor in the
    ward (None = no handover recorded).
    """

    __tablename__ = "postings"
    __table_args__ = (UniqueConstraint("officer_id", "role", "start", name="uq_posting"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    ward_code: Mapped[str | None] = mapped_column(String(16), index=True)
    team_id: Mapped[str | None] = mapped_column(String(40))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    handover_date: Mapped[date | None] = mapped_column(Date)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Engagement(Base):
    """One engagement record (an officer meeting the public), with its ward and categories."""

    __tablename__ = "engagements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(80), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"), index=True)
    ward_code: Mapped[str] = mapped_column(String(16), index=True)
    engagement_type: Mapped[str] = mapped_column(String(60))
    method: Mapped[str] = mapped_column(String(60))
    priority_group: Mapped[str] = mapped_column(String(60))
    minority_group: Mapped[str | None] = mapped_column(String(60))
    location: Mapped[str | None] = mapped_column(String(255))
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Abstraction(Base):
    """A neighbourhood officer or PCSO taken off their area: who authorised it, why, where, how long."""

    __tablename__ = "abstractions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(80), unique=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"), index=True)
    authorised_by: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"), index=True)
    authoriser_level: Mapped[str] = mapped_column(String(10))
    abstraction_type: Mapped[str] = mapped_column(String(60))
    destination: Mapped[str] = mapped_column(String(255))
    start: Mapped[datetime] = mapped_column(DateTime, index=True)
    hours: Mapped[float] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class PatrolLog(Base):
    """A patrol recorded by an officer (place, start, minutes); complements GPS tracking."""

    __tablename__ = "patrol_logs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(80), unique=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"), index=True)
    team_id: Mapped[str | None] = mapped_column(String(40))
    ward_code: Mapped[str | None] = mapped_column(String(16))
    tgp_id: Mapped[str | None] = mapped_column(String(40))
    start: Mapped[datetime] = mapped_column(DateTime, index=True)
    minutes: Mapped[float] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """One change to a stored record: what changed, from what to what, when and from where."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_record", "table_name", "record_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[str] = mapped_column(Text)  # JSON {field: [old, new]}
    source: Mapped[str] = mapped_column(String(255))
    changed_at: Mapped[datetime] = mapped_column(DateTime)


# --- 18: neighbourhood commitments (sectors, training, the Guarantee) ---
class WardSector(Base):
    """The optional sector level between LPA and neighbourhood: one row per ward in a sector.

    Wards without a row have no sector (a force without sectors has no rows at all).
    """

    __tablename__ = "ward_sectors"
    ward_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    sector_code: Mapped[str] = mapped_column(String(40), index=True)
    sector_name: Mapped[str | None] = mapped_column(String(120))


class TrainingRecord(Base):
    """An officer's completion of an accredited course (``NPP1``, ``NPP2``) on a date."""

    __tablename__ = "training_records"
    __table_args__ = (UniqueConstraint("officer_id", "course", name="uq_training"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    officer_id: Mapped[str] = mapped_column(String(40), index=True)
    course: Mapped[str] = mapped_column(String(20))
    completed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(255))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class SohCompliance(Base):
    """Single Online Home compliance per LPA and month: wards whose page names their officers."""

    __tablename__ = "soh_compliance"
    __table_args__ = (UniqueConstraint("month", "lpa", name="uq_soh"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7))
    lpa: Mapped[str] = mapped_column(String(80))
    wards: Mapped[int] = mapped_column(Integer)
    compliant: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(255))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class PlanMilestone(Base):
    """A milestone of a town-centre plan or the ASB action plan: owner, due date, done date."""

    __tablename__ = "plan_milestones"
    __table_args__ = (UniqueConstraint("plan", "milestone", name="uq_milestone"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    area: Mapped[str | None] = mapped_column(String(80))
    milestone: Mapped[str] = mapped_column(String(255))
    owner: Mapped[str] = mapped_column(String(120))
    due: Mapped[date] = mapped_column(Date)
    done: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(255))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


# --- 15: access control (audit trail) ---
class AuditEvent(Base):
    """One entry of the append-only audit trail: who did what, when, from where.

    ``action`` is one of :data:`planner.access.audit.ACTIONS` (``sign_in``, ``sign_out``,
    ``insert``, ``update``, ``delete``, ``export``, ``role_change`` ...). ``user`` is the signed-in
    user's identity (``os:<login>`` for command-line runs). ``detail`` is JSON. Rows are never
    updated or deleted: database triggers refuse both (migration ``0002_audit``).
    """

    __tablename__ = "audit_trail"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    user: Mapped[str] = mapped_column(String(255), index=True)
    role: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    table_name: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(255))


# --- 19: targeting by need (people, tasking, Op Advance days, POP plans, grant spend) ---
class Nominal(Base):
    """A pseudonymised person from a force system: an offender or a victim (never a name).

    ``kind`` is ``offender`` or ``victim``. Locations are EPSG:27700 metres (home and one
    frequent location, both optional). ``repeat_victim`` / ``high_risk`` / ``vulnerable`` are
    the force's flags; ``wanted`` marks a wanted suspect (since ``wanted_since``).
    """

    __tablename__ = "nominals"
    nominal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    lpa: Mapped[str] = mapped_column(String(80), index=True)
    home_x: Mapped[float | None] = mapped_column(Float)
    home_y: Mapped[float | None] = mapped_column(Float)
    frequent_x: Mapped[float | None] = mapped_column(Float)
    frequent_y: Mapped[float | None] = mapped_column(Float)
    repeat_victim: Mapped[bool] = mapped_column(Boolean, default=False)
    high_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    wanted: Mapped[bool] = mapped_column(Boolean, default=False)
    wanted_since: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(255))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class NominalOffence(Base):
    """One offence of an offender (or victimisation of a victim) with its CCHI harm (days)."""

    __tablename__ = "nominal_offences"
    __table_args__ = (UniqueConstraint("nominal_id", "record_id", name="uq_nominal_offence"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nominal_id: Mapped[str] = mapped_column(ForeignKey("nominals.nominal_id"), index=True)
    record_id: Mapped[str] = mapped_column(String(80))
    occurred_on: Mapped[date] = mapped_column(Date)
    crime_type: Mapped[str] = mapped_column(String(60))
    ho_code: Mapped[str | None] = mapped_column(String(16))
    harm: Mapped[float] = mapped_column(Float)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class ReassuranceVisit(Base):
    """A reassurance visit to a vulnerable victim planned beside the patrols, and its delivery.

    ``delivered_minutes`` is filled by tracking (GPS dwell at the home, else patrol logs);
    ``status`` is ``planned``, ``delivered`` or ``missed``.
    """

    __tablename__ = "reassurance_visits"
    visit_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    nominal_id: Mapped[str] = mapped_column(ForeignKey("nominals.nominal_id"), index=True)
    lpa: Mapped[str] = mapped_column(String(80), index=True)
    planned_on: Mapped[date] = mapped_column(Date, index=True)
    team_id: Mapped[str | None] = mapped_column(String(40))
    minutes: Mapped[float] = mapped_column(Float)
    delivered_minutes: Mapped[float | None] = mapped_column(Float)
    tracked_by: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class TaskingItem(Base):
    """One target of an LPA's multi-agency tasking meeting: the action, owner, due date, outcome.

    ``target_kind`` is ``place`` (``target_id`` a TGP id) or ``person`` (a nominal id).
    """

    __tablename__ = "tasking_items"
    item_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(String(80), index=True)
    lpa: Mapped[str] = mapped_column(String(80), index=True)
    meeting_date: Mapped[date] = mapped_column(Date)
    target_kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(255))
    owner: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str | None] = mapped_column(String(80))
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(255))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class AdvanceMonth(Base):
    """The Op Advance rotation: which LPA holds the day of action in a month (``YYYY-MM``)."""

    __tablename__ = "advance_calendar"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    lpa: Mapped[str] = mapped_column(String(80))
    edited_by: Mapped[str | None] = mapped_column(String(255))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class AdvanceDay(Base):
    """An Op Advance day of action: plan (locations, resources, comms checklist) and results.

    ``locations``, ``resources``, ``checklist`` and ``wanted`` are JSON (lists / objects).
    """

    __tablename__ = "advance_days"
    day_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    lpa: Mapped[str] = mapped_column(String(80), index=True)
    day: Mapped[date] = mapped_column(Date)
    locations: Mapped[str] = mapped_column(Text)
    resources: Mapped[str] = mapped_column(Text)
    checklist: Mapped[str] = mapped_column(Text)
    wanted: Mapped[str] = mapped_column(Text)
    arrests: Mapped[int | None] = mapped_column(Integer)
    visits: Mapped[int | None] = mapped_column(Integer)
    engagements: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(255))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class PopPlan(Base):
    """A serious-youth-violence problem-oriented policing (SYV POP) plan for a TGP (SARA)."""

    __tablename__ = "pop_plans"
    plan_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    tgp_id: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(255))
    stage: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    owner: Mapped[str] = mapped_column(String(120))
    scanning: Mapped[str | None] = mapped_column(Text)
    analysis: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    assessment: Mapped[str | None] = mapped_column(Text)
    updated_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(255))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class GrantSpend(Base):
    """One line of Home Office hotspot grant spend: method, TGP (optional), amount in GBP."""

    __tablename__ = "grant_spend"
    spend_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    spent_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20), index=True)
    tgp_id: Mapped[str | None] = mapped_column(String(40))
    amount_gbp: Mapped[float] = mapped_column(Float)
    description: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(255))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)

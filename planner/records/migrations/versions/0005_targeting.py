"""issue 19: targeting by need

Revision ID: 0005_targeting
Revises: 0004_neighbourhood
Create Date: 2026-12-02 04:04:50.959563
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_targeting"
down_revision = "0004_neighbourhood"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "advance_calendar",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("lpa", sa.String(length=80), nullable=False),
        sa.Column("edited_by", sa.String(length=255), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )
    op.create_table(
        "advance_days",
        sa.Column("day_id", sa.String(length=40), nullable=False),
        sa.Column("lpa", sa.String(length=80), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("locations", sa.Text(), nullable=False),
        sa.Column("resources", sa.Text(), nullable=False),
        sa.Column("checklist", sa.Text(), nullable=False),
        sa.Column("wanted", sa.Text(), nullable=False),
        sa.Column("arrests", sa.Integer(), nullable=True),
        sa.Column("visits", sa.Integer(), nullable=True),
        sa.Column("engagements", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=255), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("day_id"),
    )
    with op.batch_alter_table("advance_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_advance_days_lpa"), ["lpa"], unique=False)

    op.create_table(
        "grant_spend",
        sa.Column("spend_id", sa.String(length=80), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("tgp_id", sa.String(length=40), nullable=True),
        sa.Column("amount_gbp", sa.Float(), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("spend_id"),
    )
    with op.batch_alter_table("grant_spend", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grant_spend_method"), ["method"], unique=False)

    op.create_table(
        "nominals",
        sa.Column("nominal_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("lpa", sa.String(length=80), nullable=False),
        sa.Column("home_x", sa.Float(), nullable=True),
        sa.Column("home_y", sa.Float(), nullable=True),
        sa.Column("frequent_x", sa.Float(), nullable=True),
        sa.Column("frequent_y", sa.Float(), nullable=True),
        sa.Column("repeat_victim", sa.Boolean(), nullable=False),
        sa.Column("high_risk", sa.Boolean(), nullable=False),
        sa.Column("vulnerable", sa.Boolean(), nullable=False),
        sa.Column("wanted", sa.Boolean(), nullable=False),
        sa.Column("wanted_since", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("nominal_id"),
    )
    with op.batch_alter_table("nominals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nominals_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_nominals_lpa"), ["lpa"], unique=False)

    op.create_table(
        "pop_plans",
        sa.Column("plan_id", sa.String(length=80), nullable=False),
        sa.Column("tgp_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("scanning", sa.Text(), nullable=True),
        sa.Column("analysis", sa.Text(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("assessment", sa.Text(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id"),
    )
    with op.batch_alter_table("pop_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pop_plans_tgp_id"), ["tgp_id"], unique=False)

    op.create_table(
        "tasking_items",
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("meeting_id", sa.String(length=80), nullable=False),
        sa.Column("lpa", sa.String(length=80), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("agency", sa.String(length=80), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("item_id"),
    )
    with op.batch_alter_table("tasking_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasking_items_lpa"), ["lpa"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_tasking_items_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "nominal_offences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nominal_id", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=80), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("crime_type", sa.String(length=60), nullable=False),
        sa.Column("ho_code", sa.String(length=16), nullable=True),
        sa.Column("harm", sa.Float(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nominal_id"],
            ["nominals.nominal_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nominal_id", "record_id", name="uq_nominal_offence"),
    )
    with op.batch_alter_table("nominal_offences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nominal_offences_nominal_id"), ["nominal_id"], unique=False
        )

    op.create_table(
        "reassurance_visits",
        sa.Column("visit_id", sa.String(length=80), nullable=False),
        sa.Column("nominal_id", sa.String(length=64), nullable=False),
        sa.Column("lpa", sa.String(length=80), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=True),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("delivered_minutes", sa.Float(), nullable=True),
        sa.Column("tracked_by", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nominal_id"],
            ["nominals.nominal_id"],
        ),
        sa.PrimaryKeyConstraint("visit_id"),
    )
    with op.batch_alter_table("reassurance_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reassurance_visits_lpa"), ["lpa"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reassurance_visits_nominal_id"), ["nominal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reassurance_visits_planned_on"), ["planned_on"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("reassurance_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reassurance_visits_planned_on"))
        batch_op.drop_index(batch_op.f("ix_reassurance_visits_nominal_id"))
        batch_op.drop_index(batch_op.f("ix_reassurance_visits_lpa"))

    op.drop_table("reassurance_visits")
    with op.batch_alter_table("nominal_offences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominal_offences_nominal_id"))

    op.drop_table("nominal_offences")
    with op.batch_alter_table("tasking_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasking_items_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_tasking_items_lpa"))

    op.drop_table("tasking_items")
    with op.batch_alter_table("pop_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pop_plans_tgp_id"))

    op.drop_table("pop_plans")
    with op.batch_alter_table("nominals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominals_lpa"))
        batch_op.drop_index(batch_op.f("ix_nominals_kind"))

    op.drop_table("nominals")
    with op.batch_alter_table("grant_spend", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_spend_method"))

    op.drop_table("grant_spend")
    with op.batch_alter_table("advance_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advance_days_lpa"))

    op.drop_table("advance_days")
    op.drop_table("advance_calendar")

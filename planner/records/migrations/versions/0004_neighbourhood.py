"""issue 18: sectors, training completions, Single Online Home compliance, plan milestones

Revision ID: 0004_neighbourhood
Revises: 0001
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_neighbourhood"
down_revision = "0002_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ward_sectors",
        sa.Column("ward_code", sa.String(length=16), nullable=False),
        sa.Column("sector_code", sa.String(length=40), nullable=False),
        sa.Column("sector_name", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("ward_code"),
    )
    with op.batch_alter_table("ward_sectors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ward_sectors_sector_code"), ["sector_code"], unique=False
        )
    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("officer_id", sa.String(length=40), nullable=False),
        sa.Column("course", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("officer_id", "course", name="uq_training"),
    )
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_records_officer_id"), ["officer_id"], unique=False
        )
    op.create_table(
        "soh_compliance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("lpa", sa.String(length=80), nullable=False),
        sa.Column("wards", sa.Integer(), nullable=False),
        sa.Column("compliant", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "lpa", name="uq_soh"),
    )
    op.create_table(
        "plan_milestones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("area", sa.String(length=80), nullable=True),
        sa.Column("milestone", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("done", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan", "milestone", name="uq_milestone"),
    )


def downgrade() -> None:
    op.drop_table("plan_milestones")
    op.drop_table("soh_compliance")
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_records_officer_id"))
    op.drop_table("training_records")
    with op.batch_alter_table("ward_sectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ward_sectors_sector_code"))
    op.drop_table("ward_sectors")

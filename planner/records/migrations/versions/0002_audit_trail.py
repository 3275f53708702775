"""audit trail: append-only table of sign-ins, record changes, exports and role changes (issue 15)

Revision ID: 0002_audit
Revises: 0001
Create Date: 2026-12-01 22:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_audit"
down_revision = "0001"
branch_labels = None
depends_on = None

_MESSAGE = "audit_trail is append-only"


def upgrade() -> None:
    op.create_table(
        "audit_trail",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=True),
        sa.Column("record_id", sa.String(length=80), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_trail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_trail_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_trail_user"), ["user"], unique=False)
    # append-only: the database itself refuses UPDATE and DELETE on the table
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_trail_no_{verb.lower()} BEFORE {verb} ON audit_trail "
                "FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only()"
            )
        op.execute(
            "CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_trail_no_{verb.lower()} BEFORE {verb} ON audit_trail "
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_trail_no_{name} ON audit_trail")
        op.execute("DROP FUNCTION IF EXISTS audit_trail_append_only()")
    else:
        for name in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_trail_no_{name}")
    with op.batch_alter_table("audit_trail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_trail_user"))
        batch_op.drop_index(batch_op.f("ix_audit_trail_at"))
    op.drop_table("audit_trail")

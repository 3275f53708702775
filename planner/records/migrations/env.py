"""Alembic environment for the records store.

Run by :func:`planner.records.store.upgrade` with a live connection in
``config.attributes["connection"]``; from the command line with ``-x url=...`` or the ini URL.
On PostgreSQL an advisory lock serialises concurrent upgrades (several app workers opening the
same store at once); on SQLite the store's ``BEGIN IMMEDIATE`` does the same.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from planner.records.models import Base

#: arbitrary constant key for pg_advisory_xact_lock
_PG_LOCK_KEY = 604_2025

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database URL: pass -x url=... or set sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

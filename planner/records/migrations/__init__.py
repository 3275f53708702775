"""Alembic migrations of the records store (applied by :func:`planner.records.open_store`)."""

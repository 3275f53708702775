"""Neighbourhood policing records: engagements, abstractions, postings and DNO tenure.

A real store (SQLAlchemy 2 + Alembic; SQLite file by default, PostgreSQL by URL), idempotent
imports of tracker and abstraction-app exports, server-side validated single-record writes for
the recording forms, and the analytics leadership reviews (drill-down, gaps, abstractions,
tenure, Neighbourhood Policing Guarantee indicators).

Main entry points::

    from planner.records import open_store, import_engagements, record_engagement
    store = open_store("records.sqlite")            # or "postgresql+psycopg://..."
    result = import_engagements(store, "tracker.csv")
    record_engagement(store, officer_id="WM-0001", ward_code="E05001218", ...)
"""

from __future__ import annotations

from planner.records.forms import form_options, record_abstraction, record_engagement
from planner.records.imports import ImportResult, import_abstractions, import_engagements
from planner.records.store import RecordStore, default_store_path, load_reference, open_store
from planner.records.vocab import DEFAULT_VOCABULARY, Vocabulary

__all__ = [
    "DEFAULT_VOCABULARY",
    "ImportResult",
    "RecordStore",
    "Vocabulary",
    "default_store_path",
    "form_options",
    "import_abstractions",
    "import_engagements",
    "load_reference",
    "open_store",
    "record_abstraction",
    "record_engagement",
]

"""The store: migrations to head on both backends, reference loading, URLs."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from planner.errors import PlannerError
from planner.records import models as m
from planner.records.store import default_store_path, load_reference, normalise_url, open_store


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from planner.records.store import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_migrations_upgrade_empty_database_to_head(db_url):
    s = open_store(db_url, upgrade=False)
    assert s.revision() is None
    s.upgrade()
    assert s.revision() == _head() is not None
    insp = inspect(s.engine)
    for name, table in m.Base.metadata.tables.items():
        assert insp.has_table(name), name
        assert {c["name"] for c in insp.get_columns(name)} == {c.name for c in table.columns}, name
    uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("engagements")}
    assert ("record_id",) in uniques
    # the migrated schema matches the models: alembic autogenerate finds nothing to do
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with s.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), m.Base.metadata)
    assert diff == []
    s.upgrade()  # a second upgrade is a no-op
    assert s.revision() == _head()
    s.close()


def test_reopen_and_load_reference_is_idempotent(db_url, people):
    s = open_store(db_url)
    counts = load_reference(s, **people)
    assert counts == {"wards": 5, "teams": 3, "officers": 11, "postings": 9}
    load_reference(s, **people)
    assert [s.count(t) for t in ("wards", "teams", "officers", "postings")] == [5, 3, 11, 9]
    off = s.frame("officers").set_index("officer_id")
    assert off["verified"].astype(bool).all()
    s.close()
    s2 = open_store(db_url)  # reopening keeps everything
    assert s2.count("postings") == 9
    s2.close()


def test_urls_and_default_path(tmp_path):
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url(tmp_path / "a.sqlite") == f"sqlite:///{(tmp_path / 'a.sqlite').resolve()}"
    assert default_store_path(tmp_path) == tmp_path / "records.sqlite"
    with pytest.raises(PlannerError, match="folder .* does not exist"):
        open_store(tmp_path / "missing" / "r.sqlite")
    with pytest.raises(PlannerError, match="--db"):
        open_store()


def test_sqlite_uses_wal(tmp_path):
    s = open_store(tmp_path / "r.sqlite")
    with s.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    s.close()


def test_audit_trail_is_append_only_on_both_backends(db_url):
    """Issue 15: the database refuses UPDATE and DELETE on audit_trail (triggers of 0002_audit)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from planner.access.audit import log_event, read_events

    s = open_store(db_url)
    log_event(s, "alice", "sign_in", role="intelligence")
    for stmt in ("UPDATE audit_trail SET \"user\" = 'x'", "DELETE FROM audit_trail"):
        with pytest.raises(DBAPIError, match="audit_trail is append-only"), s.transaction() as t:
            t.execute(text(stmt))
    assert read_events(s)["user"].tolist() == ["alice"]
    s.close()

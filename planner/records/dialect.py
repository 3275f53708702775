"""Dialect-aware SQL shared by the records store and the imports.

Dialect-aware SQL shared by the records store and the imports: INSERT ... ON CONFLICT DO
NOTHING on SQLite and PostgreSQL, and a bulk insert through the driver's executemany.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

#: rows per IN (...) lookup / executemany batch
BATCH = 500
#: rows per executemany insert
INSERT_BATCH = 5000
#: how SQLAlchemy stores DateTime on SQLite (kept identical so comparisons in SQL work)
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def _insert_ignore(
    session: Session, table, rows: list[dict[str, Any]], keys: list[str]
) -> list[Any]:
    """INSERT ... ON CONFLICT DO NOTHING; returns the first key of the rows actually inserted."""
    if not rows:
        return []
    ins = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    done: list[Any] = []
    for i in range(0, len(rows), BATCH):
        stmt = ins(table).values(rows[i : i + BATCH]).on_conflict_do_nothing(index_elements=keys)
        done += list(session.execute(stmt.returning(table.c[keys[0]])).scalars())
    return done


def _py(v: Any) -> Any:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.generic):
        return v.item()
    return v


_SQL_CACHE: dict[tuple, tuple[str, tuple[str, ...] | None]] = {}


def _insert_sql(table, dialect, cols: tuple[str, ...]) -> tuple[str, tuple[str, ...] | None]:
    """(INSERT statement text, positional parameter order or None), compiled once per shape."""
    key = (table.name, dialect.name, dialect.paramstyle, cols)
    if key not in _SQL_CACHE:
        compiled = table.insert().compile(dialect=dialect, column_keys=list(cols))
        pos = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        _SQL_CACHE[key] = (str(compiled), pos)
    return _SQL_CACHE[key]


def bulk_insert(session: Session, table, df: pd.DataFrame) -> None:
    """Insert a frame with the driver's executemany (bypassing per-row ORM processing).

    Values are converted column by column: None for missing, datetimes in SQLAlchemy's SQLite
    text format on SQLite (native on PostgreSQL), booleans as 0/1 on SQLite.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        An open session (inside a transaction).
    table : sqlalchemy.Table
        The table inserted into.
    df : pandas.DataFrame
        Rows, with the table's column names.
    """
    if df.empty:
        return
    conn = session.connection()
    sqlite_ = conn.dialect.name == "sqlite"
    cols = list(df.columns)
    sql, positions = _insert_sql(table, conn.dialect, tuple(cols))
    arrays = []
    for c in cols:
        v = df[c]
        if pd.api.types.is_datetime64_any_dtype(v):
            if sqlite_:
                arr = (
                    v.dt.strftime(SQLITE_DATETIME)
                    .astype(object)
                    .where(v.notna(), None)
                    .to_numpy(dtype=object)
                )
            else:
                arr = np.array(v.dt.to_pydatetime(), dtype=object)
                arr[v.isna().to_numpy()] = None
        elif pd.api.types.is_bool_dtype(v) and sqlite_:
            arr = v.astype(int).to_numpy(dtype=object)
        else:
            arr = v.astype(object).where(v.notna(), None).to_numpy(dtype=object)
        arrays.append(arr.tolist())
    if positions is not None:  # qmark / numeric / format: positional tuples
        order = [cols.index(k) for k in positions]
        params: list[Any] = [tuple(row[i] for i in order) for row in zip(*arrays)]
    else:
        params = [dict(zip(cols, row)) for row in zip(*arrays)]
    for i in range(0, len(params), INSERT_BATCH):
        conn.exec_driver_sql(sql, params[i : i + INSERT_BATCH])


def _rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (None for missing), converted column by column."""
    cols = []
    for c in df.columns:
        v = df[c]
        if pd.api.types.is_datetime64_any_dtype(v):
            arr = np.array(v.dt.to_pydatetime(), dtype=object)
            arr[v.isna().to_numpy()] = None
        else:
            arr = v.astype(object).where(v.notna(), None).to_numpy(dtype=object)
        cols.append(arr.tolist())
    names = list(df.columns)
    return [dict(zip(names, vals)) for vals in zip(*cols)]

"""Idempotent imports of engagement-tracker and abstraction-app exports.

Default columns (other names through a declared ``mapping`` {source name: canonical name}):

* engagements: ``record_id, occurred_at, officer_id, ward_code, engagement_type, method,
  priority_group, minority_group``; optional ``longitude, latitude, location, notes``.
* abstractions: ``record_id, officer_id, authorised_by, authoriser_level, abstraction_type,
  destination, start, hours``; optional ``notes``.

Every row ends in exactly one of: inserted, updated (same ``record_id``, corrected content;
the old and new values go to the audit trail), duplicate (same ``record_id`` and content, in
the store or earlier in the file) or rejected (with a reason, written to the rejects file), so
``read == inserted + updated + duplicates + rejected``. An officer first seen in an import is
added to the store with ``verified=False`` rather than losing the record.

Times without a UTC offset are local (Europe/London); ``DD/MM/YYYY HH:MM`` is accepted too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from planner.errors import InputError, PlannerError
from planner.records import models as m
from planner.records.dialect import (  # noqa: F401 - re-exported for callers of this module
    BATCH,
    INSERT_BATCH,
    SQLITE_DATETIME,
    _insert_ignore,
    _insert_sql,
    _py,
    _rows,
    bulk_insert,
)
from planner.records.store import RecordStore
from planner.records.validation import (  # noqa: F401 - re-exported for callers of this module
    DAYFIRST_FORMATS,
    LOCAL_TZ,
    _normalise,
    _number,
    _optional_text,
    _Reasons,
    _required_text,
    _text,
    _vocab_field,
    parse_local_times,
    utc_naive,
)
from planner.records.vocab import DEFAULT_VOCABULARY, Vocabulary

Kind = Literal["engagements", "abstractions"]


ENGAGEMENT_REQUIRED: tuple[str, ...] = (
    "record_id",
    "occurred_at",
    "officer_id",
    "ward_code",
    "engagement_type",
    "method",
    "priority_group",
    "minority_group",
)
ENGAGEMENT_OPTIONAL: tuple[str, ...] = ("longitude", "latitude", "location", "notes")
ABSTRACTION_REQUIRED: tuple[str, ...] = (
    "record_id",
    "officer_id",
    "authorised_by",
    "authoriser_level",
    "abstraction_type",
    "destination",
    "start",
    "hours",
)
ABSTRACTION_OPTIONAL: tuple[str, ...] = ("notes",)

#: the fields whose values make up a record's content (its hash); source/timestamps excluded
CONTENT = {
    "engagements": (
        "occurred_at",
        "officer_id",
        "ward_code",
        "engagement_type",
        "method",
        "priority_group",
        "minority_group",
        "longitude",
        "latitude",
        "location",
        "notes",
    ),
    "abstractions": (
        "officer_id",
        "authorised_by",
        "authoriser_level",
        "abstraction_type",
        "destination",
        "start",
        "hours",
        "notes",
    ),
}
COLUMNS = {
    "engagements": (ENGAGEMENT_REQUIRED, ENGAGEMENT_OPTIONAL),
    "abstractions": (ABSTRACTION_REQUIRED, ABSTRACTION_OPTIONAL),
}
MODELS = {"engagements": m.Engagement, "abstractions": m.Abstraction}
#: look existing ids up by one scan when the batch is at least 1/SCAN_FACTOR of the table
SCAN_FACTOR = 4


@dataclass
class ImportResult:
    """Counts of one import (``read == inserted + updated + duplicates + rejected``)."""

    kind: str
    source: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    new_officers: list[str] = field(default_factory=list)
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    rejects_path: str | None = None

    def counts(self) -> dict[str, Any]:
        """The JSON summary printed by ``planner import --json``.

        Returns
        -------
        dict
            Counts, reasons and the rejects file.
        """
        return {
            "kind": self.kind,
            "source": self.source,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "new_officers": len(self.new_officers),
            "rejects_file": self.rejects_path,
        }

    @property
    def reconciled(self) -> bool:
        """Whether ``read == inserted + updated + duplicates + rejected``."""
        return self.read == self.inserted + self.updated + self.duplicates + self.rejected


# ---- validation and dialect SQL live in planner.records.validation / .dialect ----------


def validate(
    df: pd.DataFrame,
    kind: Kind,
    *,
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
    wards: set[str] | None = None,
    now: datetime | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Validate raw rows (strings, canonical column names) of an engagement or abstraction export.

    Returns ``(clean, reasons)``: the canonical typed values and one reason string per row
    ("" for a valid row; several reasons are joined with "; ").
    ``wards``: known ward codes (None = do not check).

    Parameters
    ----------
    df : pandas.DataFrame
        Raw rows (strings, canonical column names).
    kind : str
        ``"engagements"`` or ``"abstractions"``.
    vocabulary : Vocabulary
        The allowed categories.
    wards : set of str, optional
        Known ward codes (None = do not check).
    now : datetime.datetime, optional
        Reference time for "in the future" (default: the current time).

    Returns
    -------
    tuple of (pandas.DataFrame, pandas.Series)
        ``(clean, reasons)``: the canonical typed values and one reason string per row
        ("" for a valid row; several reasons are joined with "; ").
    """
    r = _Reasons(df.index)
    df = _normalise(df)
    out: dict[str, pd.Series] = {}
    out["record_id"] = _required_text(df, "record_id", r)
    out["officer_id"] = _required_text(df, "officer_id", r)
    out["notes"] = _optional_text(df, "notes")
    if kind == "engagements":
        out["occurred_at"] = parse_local_times(
            _text(df, "occurred_at"), field="occurred_at", reasons=r, now=now
        )
        ward = _required_text(df, "ward_code", r)
        if wards:
            r.add((ward != "") & ~ward.isin(wards), "unknown ward_code {v}", value=ward)
        out["ward_code"] = ward
        out["engagement_type"] = _vocab_field(
            df, "engagement_type", vocabulary.lookup("engagement_types"), r
        )
        out["method"] = _vocab_field(df, "method", vocabulary.lookup("methods"), r)
        out["priority_group"] = _vocab_field(
            df, "priority_group", vocabulary.lookup("priority_groups"), r
        )
        out["minority_group"] = _vocab_field(
            df, "minority_group", vocabulary.lookup("minority_groups"), r, optional=True
        )
        lon = _number(df, "longitude", r, required=False)
        lat = _number(df, "latitude", r, required=False)
        lon_blank, lat_blank = _text(df, "longitude") == "", _text(df, "latitude") == ""
        r.add(lon_blank != lat_blank, "longitude and latitude must be given together")
        x0, y0, x1, y1 = vocabulary.bbox_wgs84
        outside = lon.notna() & lat.notna() & ~(lon.between(x0, x1) & lat.between(y0, y1))
        r.add(
            outside,
            f"location outside the allowed area (longitude {x0}..{x1}, latitude {y0}..{y1}); check the order of longitude and latitude",
        )
        out["longitude"], out["latitude"] = lon, lat
        out["location"] = _optional_text(df, "location")
    else:
        out["authorised_by"] = _required_text(df, "authorised_by", r)
        r.add(
            (out["authorised_by"] != "") & (out["authorised_by"] == out["officer_id"]),
            "authorised_by is the abstracted officer (an officer cannot authorise their own abstraction)",
        )
        out["authoriser_level"] = _vocab_field(
            df,
            "authoriser_level",
            {k.lower(): v for k, v in vocabulary.lookup("authoriser_levels").items()},
            r,
        )
        out["abstraction_type"] = _vocab_field(
            df, "abstraction_type", vocabulary.lookup("abstraction_types"), r
        )
        out["destination"] = _required_text(df, "destination", r)
        out["start"] = parse_local_times(_text(df, "start"), field="start", reasons=r, now=now)
        hours = _number(df, "hours", r, required=True)
        r.add(hours.notna() & (hours <= 0), "hours must be more than 0")
        r.add(
            hours > vocabulary.max_abstraction_hours,
            f"hours exceed the maximum of {vocabulary.max_abstraction_hours:g} for one abstraction",
        )
        out["hours"] = hours
    for col, limit in store_limits(kind).items():
        n = _text(df, col).str.len()
        for length in sorted(set(n[n > limit])):
            r.add(
                n == length, f"{col} is {length} characters long; the store holds at most {limit}"
            )
    return pd.DataFrame(out, index=df.index), r.s


def store_limits(kind: Kind) -> dict[str, int]:
    """The longest text the records store holds in each field of ``kind`` (in characters).

    Parameters
    ----------
    kind
        ``engagements`` or ``abstractions``.

    Returns
    -------
    dict
        {field: maximum length} from the ORM model's ``String(n)`` columns (``notes`` is
        unlimited text). A longer value is rejected with its row, never truncated.
    """
    fields = ("record_id", *CONTENT[kind])
    table = MODELS[kind].__table__
    lengths = {c: getattr(table.c[c].type, "length", None) for c in fields}
    return {c: int(n) for c, n in lengths.items() if n is not None}


def content_hash(clean: pd.DataFrame, kind: Kind) -> pd.Series:
    """A stable 64-bit hash (16 hex digits) of each record's content fields.

    Fields are rendered as text (times to the second, numbers to 7 decimals, missing as "")
    and joined with a unit separator, then hashed with pandas' fixed-key SipHash.

    Parameters
    ----------
    clean : pandas.DataFrame
        Validated rows (:func:`validate`).
    kind : str
        ``"engagements"`` or ``"abstractions"``.

    Returns
    -------
    pandas.Series
        16 hex digits per row.
    """
    joined: np.ndarray | None = None
    for c in CONTENT[kind]:
        v = clean[c]
        if pd.api.types.is_datetime64_any_dtype(v):
            txt = np.datetime_as_string(v.to_numpy(dtype="datetime64[s]"), unit="s").astype(object)
            sv = pd.Series(txt, index=v.index).where(v.notna(), "")
        elif pd.api.types.is_float_dtype(v):
            sv = v.round(7).astype(str).astype(object).where(v.notna(), "")
        else:
            sv = v.astype(object).where(v.notna(), "").map(str)
        arr = sv.to_numpy(dtype=object)
        joined = arr if joined is None else joined + "\x1f" + arr
    assert joined is not None  # every kind has content fields
    h = pd.util.hash_array(joined)
    return pd.Series([f"{x:016x}" for x in h.tolist()], index=clean.index, dtype=object)


# ---- writing (one unit of work; retried as a whole by RecordStore.run) ------------------
# ---- writing (one unit of work; retried as a whole by RecordStore.run) ------------------
def _jsonable(v: Any) -> Any:
    v = _py(v)
    return v.isoformat() if isinstance(v, datetime) else v


def _trail_row(
    user: str,
    role: str | None,
    action: str,
    kind: str,
    record_id: Any,
    detail: dict[str, Any],
    source: str,
    now: datetime,
) -> dict[str, Any]:
    from planner.access.audit import event_row

    return event_row(
        user,
        action,
        role=role,
        table_name=kind,
        record_id=str(record_id),
        detail=detail,
        source=source,
        at=now,
    )


def apply_records(
    session: Session,
    clean: pd.DataFrame,
    kind: Kind,
    *,
    source: str,
    synthetic: bool = False,
    allow_new_officers: bool = True,
    user: str | None = None,
    role: str | None = None,
) -> dict[str, Any]:
    """Write validated, in-file-deduplicated rows; returns counts and the new officer ids.

    Rows whose ``record_id`` is stored with the same content hash are duplicates; with a
    different hash they are updated and an audit row records ``{field: [old, new]}``.
    With ``user`` (the signed-in user, or ``os:<login>`` for a command-line import) every
    inserted and updated record also gets a row in the audit trail naming them
    (:mod:`planner.access.audit`), in the same transaction.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        An open session (inside a transaction).
    clean : pandas.DataFrame
        Validated rows, deduplicated within the file.
    kind : str
        ``"engagements"`` or ``"abstractions"``.
    source : str
        Where the record came from (``form``, an import file, ...), stored with it.
    synthetic : bool
        Flag the records as synthetic (demo data).
    allow_new_officers : bool
        Unknown officer ids are added as unverified officers (False: they are an error).
    user : str, optional
        Who made the change (``os:<login>`` from the command line), named in the audit trail.
    role : str, optional
        Their role, stored with the audit row.

    Returns
    -------
    dict
        ``inserted``, ``updated``, ``duplicates`` and ``new_officers``.
    """
    model = MODELS[kind]
    table = model.__table__
    now = datetime.now(UTC).replace(tzinfo=None)
    res: dict[str, Any] = {"inserted": 0, "updated": 0, "duplicates": 0, "new_officers": []}
    if clean.empty:
        return res
    # officers first seen here -> unverified
    ids = pd.unique(
        pd.concat([clean["officer_id"], clean["authorised_by"]])
        if "authorised_by" in clean
        else clean["officer_id"]
    )
    known: set[str] = set()
    for i in range(0, len(ids), BATCH):
        chunk = [str(x) for x in ids[i : i + BATCH]]
        known |= set(
            session.scalars(select(m.Officer.officer_id).where(m.Officer.officer_id.in_(chunk)))
        )
    new = [str(x) for x in ids if x not in known]
    if new and not allow_new_officers:
        raise PlannerError(
            f"unknown officer {', '.join(new)}: only officers in the store can record; ask an administrator to add them"
        )
    if new:
        rows = [
            {"officer_id": o, "verified": False, "first_seen": source[:255], "synthetic": synthetic}
            for o in new
        ]
        # another writer may add the same officer at the same moment: only ours are audited
        added = sorted(_insert_ignore(session, m.Officer.__table__, rows, ["officer_id"]))
        if added:
            audit = [
                {
                    "table_name": "officers",
                    "record_id": o,
                    "action": "added_unverified",
                    "changes": json.dumps({"first_seen": source}),
                    "source": source[:255],
                    "changed_at": now,
                }
                for o in added
            ]
            session.execute(m.AuditEntry.__table__.insert(), audit)
        res["new_officers"] = added
    # existing records with these ids: small batches by IN (...), large ones by one scan
    content = list(CONTENT[kind])
    rids = clean["record_id"].tolist()
    stored = session.execute(select(func.count()).select_from(table)).scalar() or 0
    hashes: dict[str, str] = {}
    if stored and len(rids) * SCAN_FACTOR >= stored:
        hashes = dict(session.execute(select(table.c.record_id, table.c.content_hash)).all())
    elif stored:
        for i in range(0, len(rids), BATCH):
            q = select(table.c.record_id, table.c.content_hash).where(
                table.c.record_id.in_(rids[i : i + BATCH])
            )
            hashes.update(session.execute(q).all())
    stored_hash = clean["record_id"].map(hashes)
    is_new = stored_hash.isna()
    is_dup = ~is_new & (stored_hash == clean["content_hash"])
    is_upd = ~is_new & ~is_dup
    write_cols = ["record_id", *content, "content_hash"]
    trail: list[dict[str, Any]] = []
    if is_new.any():
        if user is not None:
            trail += [
                _trail_row(user, role, "insert", kind, rid, {"source": source}, source, now)
                for rid in clean.loc[is_new, "record_id"]
            ]
        extra: dict[str, Any] = {
            "source": source[:255],
            "created_at": now,
            "updated_at": now,
            "synthetic": synthetic,
        }
        bulk_insert(session, table, clean.loc[is_new, write_cols].assign(**extra))
    if is_upd.any():
        upd = clean.loc[is_upd, write_cols]
        existing: dict[str, dict[str, Any]] = {}
        cols = [table.c.record_id, *[table.c[c] for c in content]]
        ids_upd = upd["record_id"].tolist()
        for i in range(0, len(ids_upd), BATCH):
            for row in session.execute(
                select(*cols).where(table.c.record_id.in_(ids_upd[i : i + BATCH]))
            ):
                existing[row.record_id] = row._asdict()
        audit = []
        same = 0
        for r in _rows(upd):
            old = existing[r["record_id"]]
            changes = {
                c: [_jsonable(old[c]), _jsonable(r[c])]
                for c in content
                if _jsonable(old[c]) != _jsonable(r[c])
            }
            where = table.c.record_id == r["record_id"]
            if not changes:  # same content under an older hash scheme: a duplicate
                session.execute(update(table).where(where).values(content_hash=r["content_hash"]))
                same += 1
                continue
            values = {c: r[c] for c in content} | {
                "content_hash": r["content_hash"],
                "source": source[:255],
                "updated_at": now,
            }
            session.execute(update(table).where(where).values(**values))
            if user is not None:
                trail.append(
                    _trail_row(
                        user,
                        role,
                        "update",
                        kind,
                        r["record_id"],
                        {"changes": changes},
                        source,
                        now,
                    )
                )
            audit.append(
                {
                    "table_name": kind,
                    "record_id": r["record_id"],
                    "action": "updated",
                    "changes": json.dumps(changes, default=str),
                    "source": source[:255],
                    "changed_at": now,
                }
            )
        if audit:
            session.execute(m.AuditEntry.__table__.insert(), audit)
    else:
        same = 0
    if trail:
        from planner.access.audit import write_events

        write_events(session, trail)
    res["inserted"] = int(is_new.sum())
    res["updated"] = int(is_upd.sum()) - same
    res["duplicates"] = int(is_dup.sum()) + same
    return res


# ---- file imports -------------------------------------------------------------------
def read_export(
    path: str | Path, kind: Kind, mapping: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Read an export CSV as strings, rename by ``mapping`` and check the required columns.

    Rows with the wrong number of fields (and lines with a stray quote) are left out; use
    :func:`read_export_lines` to get them with their line numbers.

    Parameters
    ----------
    path : str or Path
        The export file.
    kind : str
        ``"engagements"`` or ``"abstractions"``.
    mapping : mapping of str to str, optional
        Export column -> canonical column.

    Returns
    -------
    pandas.DataFrame
        The rows as strings, canonical column names.
    """
    return read_export_lines(path, kind, mapping)[0]


def read_export_lines(
    path: str | Path, kind: Kind, mapping: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, np.ndarray, list[tuple[int, str, str]]]:
    """:func:`read_export` with each row's physical line and the malformed rows.

    Parameters
    ----------
    path
        The export CSV.
    kind
        ``engagements`` or ``abstractions`` (its required columns are checked).
    mapping
        {source column: canonical column}.

    Returns
    -------
    tuple
        (rows as strings with a RangeIndex, line number of each row (header = 1),
        [(line, problem, raw text)] of rows that could not be split into the header's fields).
    """
    from planner.io.csvtext import read_csv_text

    p = Path(path)
    if not p.is_file():
        raise PlannerError(f"{p}: no such file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(str(p), f"cannot read ({exc.__class__.__name__})") from None
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputError(str(p), "the file is empty (no header row)")
    frame, malformed = read_csv_text(str(p), data)
    lines = frame.pop("_line").to_numpy()
    df = frame.reset_index(drop=True)
    df.columns = [str(c).strip() for c in df.columns]
    if mapping:
        absent = [s for s in mapping if s not in df.columns]
        if absent:
            raise InputError(
                str(p), f"mapping names column(s) not in the file: {', '.join(absent)}"
            )
        df = df.rename(columns=dict(mapping))
    required, _ = COLUMNS[kind]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(
            str(p),
            f"missing column(s) {', '.join(missing)} for {kind}; found {', '.join(map(str, df.columns))}. "
            "Declare a mapping {source name: canonical name} (--map SOURCE=CANONICAL)",
            line=1,
        )
    return df, lines, malformed


def import_records(
    store: RecordStore,
    path: str | Path,
    kind: Kind,
    *,
    mapping: Mapping[str, str] | None = None,
    rejects_path: str | Path | None = None,
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
    now: datetime | None = None,
    synthetic: bool = False,
    wards: set[str] | None = None,
    translate: Mapping[str, Mapping[str, str]] | None = None,
    user: str | None = None,
) -> ImportResult:
    """Import one export file into the store (see the module docstring for the rules).

    Parameters
    ----------
    wards
        Known ward codes to check ``ward_code`` against (default: the store's wards).
    translate
        ``{field: {force value (lower case): our value}}`` applied before validation (a
        force's own categories, from ``planner import --vocabulary``); rejects keep the
        original values.
    user
        Who imports (``os:<login>`` from the command line): each inserted or updated record
        then gets a row in the audit trail naming them (None: no audit-trail rows).
    rejects_path
        Where to write the rejected rows (original columns + ``line`` + ``reason``);
        default ``<stem>.rejects.csv`` beside the input. Written on every run.
    now
        Reference time for "in the future" (default: the current time).
    store : RecordStore
        The records store.
    path : str or Path
        The export file.
    kind : str
        ``"engagements"`` or ``"abstractions"``.
    mapping : mapping of str to str, optional
        Export column -> canonical column.
    vocabulary : Vocabulary
        The allowed categories.
    synthetic : bool
        Flag the records as synthetic (demo data).

    Returns
    -------
    ImportResult
        Reconciled counts, reasons and the rejects file.
    """
    p = Path(path)
    raw, lines, malformed = read_export_lines(p, kind, mapping)
    result = ImportResult(kind=kind, source=str(p), read=len(raw) + len(malformed))
    if wards is None and kind == "engagements":
        wards = set(store.frame("wards")["ward_code"])
    src = raw
    if translate:
        src = raw.copy()
        for col, table in translate.items():
            if col in src:
                low = src[col].astype(str).str.strip().str.lower()
                src[col] = low.map(dict(table)).where(low.isin(set(table)), src[col])
    clean, reasons = validate(src, kind, vocabulary=vocabulary, wards=wards or None, now=now)
    ok = reasons == ""
    clean["content_hash"] = ""
    if ok.any():
        clean.loc[ok, "content_hash"] = content_hash(clean[ok], kind)
    # repeated record_ids within the file: identical copies are duplicates, conflicting ones rejected
    first = clean[ok].drop_duplicates("record_id")
    firsthash = clean["record_id"].map(first.set_index("record_id")["content_hash"])
    later = ok & clean.index.to_series().isin(clean[ok].index.difference(first.index))
    conflict = later & (clean["content_hash"] != firsthash)
    in_file_dup = later & ~conflict
    reasons = reasons.copy()
    reasons[conflict] = (
        "record_id repeated in this file with different values (the first occurrence is kept)"
    )
    good = clean[ok & ~later]

    def work(s: Session) -> dict[str, Any]:
        return apply_records(s, good, kind, source=p.name, synthetic=synthetic, user=user)

    out = store.run(work)
    result.inserted, result.updated = out["inserted"], out["updated"]
    result.duplicates = out["duplicates"] + int(in_file_dup.sum())
    result.new_officers = out["new_officers"]
    bad = reasons != ""
    result.rejected = int(bad.sum()) + len(malformed)
    rej = raw[bad].copy()
    rej.insert(0, "reason", reasons[bad])
    rej.insert(0, "line", lines[bad.to_numpy()].astype("int64"))
    if malformed:
        odd = pd.DataFrame(
            {
                "line": [ln for ln, _, _ in malformed],
                "reason": [f"malformed row: {why}" for _, why, _ in malformed],
                "raw": [text for _, _, text in malformed],
            }
        )
        rej = pd.concat([rej, odd], ignore_index=True).sort_values("line", kind="stable")
    result.rejects = rej.reset_index(drop=True)
    rp = Path(rejects_path) if rejects_path else p.with_name(p.stem + ".rejects.csv")
    result.rejects.to_csv(rp, index=False)
    result.rejects_path = str(rp)
    if not result.reconciled:  # pragma: no cover - an internal invariant
        raise AssertionError(f"import counts do not reconcile: {result.counts()}")
    return result


def import_engagements(store: RecordStore, path: str | Path, **kwargs: Any) -> ImportResult:
    """Import an engagement-tracker export (see :func:`import_records`).

    Parameters
    ----------
    store : RecordStore
        The records store.
    path : str or Path
        The engagement-tracker export (CSV).
    **kwargs
        As for :func:`import_records`.

    Returns
    -------
    ImportResult
        As :func:`import_records`.
    """
    return import_records(store, path, "engagements", **kwargs)


def import_abstractions(store: RecordStore, path: str | Path, **kwargs: Any) -> ImportResult:
    """Import an abstraction-app export (see :func:`import_records`).

    Parameters
    ----------
    store : RecordStore
        The records store.
    path : str or Path
        The abstraction-app export (CSV).
    **kwargs
        As for :func:`import_records`.

    Returns
    -------
    ImportResult
        As :func:`import_records`.
    """
    return import_records(store, path, "abstractions", **kwargs)

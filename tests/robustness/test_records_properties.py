"""Property-based test (hypothesis) of the records import reader: every generated row's fate
(inserted, duplicate, rejected with its reason at its line) is known and checked exactly."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.records.imports import import_engagements
from planner.records.store import load_reference, open_store

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HEADER = [
    "record_id", "occurred_at", "officer_id", "ward_code", "engagement_type", "method",
    "priority_group", "minority_group", "location",
]  # fmt: skip
KINDS = ("ok", "repeat", "missing_id", "bad_time", "unknown_ward", "long_location",
         "extra_field", "short_row", "blank_line")  # fmt: skip
_ids = itertools.count()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(tmp_path_factory.mktemp("props") / "records.sqlite")
    load_reference(
        s,
        wards=pd.DataFrame({"ward_code": ["W1", "W2"], "ward": ["A", "B"], "lpa": ["L", "L"]}),
    )
    yield s
    s.close()


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    kinds=st.lists(st.sampled_from(KINDS), max_size=15),
    location=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
        max_size=20,
    ),
)
def test_every_export_row_inserted_duplicate_or_rejected_at_its_line(store, kinds, location):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    line, expected, inserted, dups = 2, {}, 0, 0
    last_ok = None
    for k in kinds:
        start = out.tell()
        rid = f"P{next(_ids)}"
        row = [rid, "2025-09-29T10:00", "D1", "W1", "street briefing", "face to face",
               "residents", "none", location]  # fmt: skip
        if k == "repeat" and last_ok is not None:
            row = last_ok
        elif k == "repeat":
            k = "ok"
        if k == "missing_id":
            row[0] = ""
        elif k == "bad_time":
            row[1] = "yesterday"
        elif k == "unknown_ward":
            row[3] = "W9"
        elif k == "long_location":
            row[8] = "x" * 256
        if k == "blank_line":
            out.write("\n")
        elif k == "extra_field":
            w.writerow([*row, "surplus"])
        elif k == "short_row":
            w.writerow(row[:4])
        else:
            w.writerow(row)
        if k == "ok":
            inserted += 1
            last_ok = row
        elif k == "repeat":
            dups += 1
        elif k != "blank_line":
            expected[line] = k
        line += out.getvalue()[start:].count("\n")
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "export.csv"
        p.write_text(out.getvalue(), encoding="utf-8")
        res = import_engagements(store, p, now=NOW, rejects_path=Path(d) / "rej.csv")
    assert res.reconciled
    assert (res.inserted, res.duplicates, res.updated) == (inserted, dups, 0)
    got = dict(zip(res.rejects["line"].astype(int), res.rejects["reason"]))
    assert sorted(got) == sorted(expected)
    prefix = {
        "missing_id": "missing record_id",
        "bad_time": "occurred_at 'yesterday' is not a date/time",
        "unknown_ward": "unknown ward_code 'W9'",
        "long_location": "location is 256 characters long; the store holds at most 255",
        "extra_field": "malformed row: expected 9 fields, found 10",
        "short_row": "malformed row: expected 9 fields, found 4",
    }
    for ln, k in expected.items():
        assert got[ln].startswith(prefix[k]), (ln, got[ln])

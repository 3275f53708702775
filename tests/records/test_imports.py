"""Imports: every rejection reason, mappings, unknown officers, idempotency, corrections + audit."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from planner.errors import InputError, PlannerError
from planner.records.imports import import_abstractions, import_engagements

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ENG = {
    "record_id": "E1",
    "occurred_at": "2025-09-29T10:00",
    "officer_id": "D1",
    "ward_code": "W1",
    "engagement_type": "street briefing",
    "method": "face to face",
    "priority_group": "residents",
    "minority_group": "none",
    "longitude": "-1.9",
    "latitude": "52.48",
    "notes": "",
}
ABS = {
    "record_id": "A1",
    "officer_id": "D1",
    "authorised_by": "S1",
    "authoriser_level": "SGT",
    "abstraction_type": "response cover",
    "destination": "Response",
    "start": "2025-09-29T07:00",
    "hours": "8",
    "notes": "",
}


def write(tmp_path, rows, name="export.csv") -> str:
    p = tmp_path / name
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


ENG_REASONS = [
    ("record_id", "", "missing record_id"),
    ("occurred_at", "", "missing occurred_at"),
    ("occurred_at", "yesterday", "occurred_at 'yesterday' is not a date/time (use ISO 8601"),
    (
        "occurred_at",
        "2025-13-01T10:00+01:00",
        "occurred_at '2025-13-01T10:00+01:00' is not a date/time",
    ),
    (
        "occurred_at",
        "2025-10-26 01:30",
        "occurred_at '2025-10-26 01:30' is ambiguous (clocks went back); add a UTC offset",
    ),
    (
        "occurred_at",
        "2025-03-30 01:30",
        "occurred_at '2025-03-30 01:30' does not exist (clocks went forward)",
    ),
    ("occurred_at", "2026-01-02T09:00", "occurred_at '2026-01-02T09:00' is in the future"),
    ("officer_id", "", "missing officer_id"),
    ("ward_code", "", "missing ward_code"),
    ("ward_code", "W9", "unknown ward_code 'W9'"),
    ("engagement_type", "", "missing engagement_type"),
    ("engagement_type", "dancing", "unknown engagement_type 'dancing' (allowed: business visit, "),
    (
        "method",
        "fax",
        "unknown method 'fax' (allowed: face to face, leaflet, online, social media, telephone)",
    ),
    ("method", "", "missing method"),
    ("priority_group", "", "missing priority_group"),
    ("priority_group", "aliens", "unknown priority_group 'aliens'"),
    ("minority_group", "martians", "unknown minority_group 'martians'"),
    ("latitude", "", "longitude and latitude must be given together"),
    ("longitude", "abc", "longitude 'abc' is not a number"),
    ("longitude", "52.48", "location outside the allowed area"),
]


@pytest.mark.parametrize(
    ("col", "value", "reason"), ENG_REASONS, ids=[f"{c}={v!r}" for c, v, _ in ENG_REASONS]
)
def test_engagement_rejection_reasons(sqlite_store, tmp_path, col, value, reason):
    bad = {**ENG, "record_id": "E2", col: value}
    if col == "longitude" and value == "52.48":
        bad["latitude"] = "-1.9"
    res = import_engagements(sqlite_store, write(tmp_path, [ENG, bad]), now=NOW)
    assert (res.read, res.inserted, res.updated, res.duplicates, res.rejected) == (2, 1, 0, 0, 1)
    rej = pd.read_csv(res.rejects_path, dtype=str, keep_default_na=False)
    assert rej["line"].tolist() == ["3"]
    assert rej["reason"].iloc[0].startswith(reason), rej["reason"].iloc[0]
    assert rej["record_id"].iloc[0] == bad["record_id"]
    assert sqlite_store.count("engagements") == 1


ABS_REASONS = [
    ("officer_id", "", "missing officer_id"),
    ("authorised_by", "", "missing authorised_by"),
    (
        "authorised_by",
        "D1",
        "authorised_by is the abstracted officer (an officer cannot authorise their own abstraction)",
    ),
    ("authoriser_level", "", "missing authoriser_level"),
    (
        "authoriser_level",
        "PC",
        "unknown authoriser_level 'PC' (allowed: ACC, CI, CSUPT, INSP, SGT, SUPT)",
    ),
    ("abstraction_type", "golf", "unknown abstraction_type 'golf'"),
    ("destination", "", "missing destination"),
    ("start", "", "missing start"),
    ("start", "32/01/2025 08:00", "start '32/01/2025 08:00' is not a date/time"),
    ("hours", "", "missing hours"),
    ("hours", "eight", "hours 'eight' is not a number"),
    ("hours", "0", "hours must be more than 0"),
    ("hours", "800", "hours exceed the maximum of 744 for one abstraction"),
]


@pytest.mark.parametrize(
    ("col", "value", "reason"), ABS_REASONS, ids=[f"{c}={v!r}" for c, v, _ in ABS_REASONS]
)
def test_abstraction_rejection_reasons(sqlite_store, tmp_path, col, value, reason):
    bad = {**ABS, "record_id": "A2", col: value}
    res = import_abstractions(sqlite_store, write(tmp_path, [ABS, bad]), now=NOW)
    assert (res.read, res.inserted, res.rejected) == (2, 1, 1)
    assert res.rejects["reason"].iloc[0].startswith(reason), res.rejects["reason"].iloc[0]
    assert res.rejects["line"].tolist() == [3]


def test_several_reasons_are_joined(sqlite_store, tmp_path):
    bad = {**ENG, "record_id": "E2", "method": "fax", "ward_code": ""}
    res = import_engagements(sqlite_store, write(tmp_path, [bad]), now=NOW)
    assert res.rejects["reason"].iloc[0].startswith("missing ward_code; unknown method 'fax'")


def test_repeated_record_id_in_file(sqlite_store, tmp_path):
    same = dict(ENG)
    changed = {**ENG, "method": "online"}
    res = import_engagements(sqlite_store, write(tmp_path, [ENG, same, changed]), now=NOW)
    assert (res.read, res.inserted, res.duplicates, res.rejected) == (3, 1, 1, 1)
    assert res.rejects["reason"].tolist() == [
        "record_id repeated in this file with different values (the first occurrence is kept)"
    ]
    assert res.rejects["line"].tolist() == [4]
    assert sqlite_store.frame("engagements")["method"].tolist() == ["face to face"]


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2025-07-01T10:00", "2025-07-01 09:00:00"),  # BST
        ("01/12/2025 10:00", "2025-12-01 10:00:00"),  # GMT, day first
        ("2025-07-01T10:00+00:00", "2025-07-01 10:00:00"),
        ("2025-07-01T10:00Z", "2025-07-01 10:00:00"),
        ("2025-10-26 01:30+01:00", "2025-10-26 00:30:00"),
    ],
)
def test_times_are_local_and_stored_as_utc(sqlite_store, tmp_path, text, utc):
    import_engagements(sqlite_store, write(tmp_path, [{**ENG, "occurred_at": text}]), now=NOW)
    assert str(pd.Timestamp(sqlite_store.frame("engagements")["occurred_at"].iloc[0])) == utc


def test_file_level_errors(sqlite_store, tmp_path):
    with pytest.raises(PlannerError, match="no such file"):
        import_engagements(sqlite_store, tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="empty"):
        import_engagements(sqlite_store, tmp_path / "empty.csv")
    p = write(tmp_path, [{k: v for k, v in ENG.items() if k != "minority_group"}])
    with pytest.raises(
        InputError, match=r"line 1: missing column\(s\) minority_group for engagements"
    ):
        import_engagements(sqlite_store, p)
    with pytest.raises(InputError, match="mapping names column"):
        import_engagements(sqlite_store, write(tmp_path, [ENG]), mapping={"Officer": "officer_id"})


def test_declared_mapping(sqlite_store, tmp_path):
    tracker = {
        "Ref": "T-1",
        "Date/Time": "29/09/2025 14:30",
        "Officer": "D1",
        "Ward": "W1",
        "Type": "School visit",
        "Method": "Face to face",
        "Priority group": "Young people",
        "Minority group reached": "",
        "Location": "Ashby Primary",
    }
    mapping = {
        "Ref": "record_id",
        "Date/Time": "occurred_at",
        "Officer": "officer_id",
        "Ward": "ward_code",
        "Type": "engagement_type",
        "Method": "method",
        "Priority group": "priority_group",
        "Minority group reached": "minority_group",
        "Location": "location",
    }
    res = import_engagements(sqlite_store, write(tmp_path, [tracker]), mapping=mapping, now=NOW)
    assert (res.read, res.inserted) == (1, 1)
    row = sqlite_store.frame("engagements").iloc[0]
    assert (row["record_id"], row["engagement_type"], row["method"], row["priority_group"]) == (
        "T-1",
        "school visit",
        "face to face",
        "young people",
    )
    assert row["minority_group"] is None and row["location"] == "Ashby Primary"
    assert str(pd.Timestamp(row["occurred_at"])) == "2025-09-29 13:30:00"


def test_unknown_officers_added_unverified(store, tmp_path):
    rows = [{**ABS, "officer_id": "NEW1", "authorised_by": "SUPT-X", "authoriser_level": "supt"}]
    res = import_abstractions(store, write(tmp_path, rows), now=NOW)
    assert res.inserted == 1 and sorted(res.new_officers) == ["NEW1", "SUPT-X"]
    off = store.frame("officers").set_index("officer_id")
    assert not off.loc["NEW1", "verified"] and not off.loc["SUPT-X", "verified"]
    assert off.loc["NEW1", "first_seen"] == "export.csv"
    assert off.loc["D1", "verified"]
    audit = store.frame("audit_log")
    assert sorted(audit.loc[audit["action"] == "added_unverified", "record_id"]) == [
        "NEW1",
        "SUPT-X",
    ]
    assert store.frame("abstractions")["authoriser_level"].tolist() == ["SUPT"]
    # a second import does not add them again
    res2 = import_abstractions(store, write(tmp_path, rows), now=NOW)
    assert res2.new_officers == [] and res2.duplicates == 1


def test_reimport_is_idempotent(store, tmp_path):
    rows = [
        ENG,
        {**ENG, "record_id": "E2", "ward_code": "W2"},
        {**ENG, "record_id": "E3", "officer_id": "Z9"},
        {**ENG, "record_id": "E4", "method": "fax"},
    ]
    p = write(tmp_path, rows)
    first = import_engagements(store, p, now=NOW)
    assert first.counts() | {"source": None, "rejects_file": None} == {
        "kind": "engagements",
        "source": None,
        "read": 4,
        "inserted": 3,
        "updated": 0,
        "duplicates": 0,
        "rejected": 1,
        "new_officers": 1,
        "rejects_file": None,
    }
    counts = {t: store.count(t) for t in ("engagements", "officers", "audit_log")}
    second = import_engagements(store, p, now=NOW)
    assert (second.read, second.inserted, second.updated, second.duplicates, second.rejected) == (
        4,
        0,
        0,
        3,
        1,
    )
    assert {t: store.count(t) for t in ("engagements", "officers", "audit_log")} == counts
    assert first.reconciled and second.reconciled


def test_corrected_record_updates_with_audit(store, tmp_path):
    rows = [ENG, {**ENG, "record_id": "E2"}, {**ENG, "record_id": "E3"}]
    import_engagements(store, write(tmp_path, rows, "day1.csv"), now=NOW)
    before = store.frame("engagements").set_index("record_id")
    rows[1] = {**rows[1], "method": "online", "longitude": "", "latitude": ""}
    res = import_engagements(store, write(tmp_path, rows, "day2.csv"), now=NOW)
    assert (res.read, res.inserted, res.updated, res.duplicates, res.rejected) == (3, 0, 1, 2, 0)
    after = store.frame("engagements").set_index("record_id")
    assert store.count("engagements") == 3
    assert after.loc["E2", "method"] == "online" and pd.isna(after.loc["E2", "longitude"])
    assert after.loc["E2", "content_hash"] != before.loc["E2", "content_hash"]
    assert after.loc["E2", "source"] == "day2.csv" and after.loc["E1", "source"] == "day1.csv"
    audit = store.frame("audit_log")
    upd = audit[audit["action"] == "updated"]
    assert upd["record_id"].tolist() == ["E2"] and upd["table_name"].tolist() == ["engagements"]
    assert json.loads(upd["changes"].iloc[0]) == {
        "method": ["face to face", "online"],
        "longitude": [-1.9, None],
        "latitude": [52.48, None],
    }
    assert upd["source"].iloc[0] == "day2.csv"
    # importing the corrected file again changes nothing more
    again = import_engagements(store, write(tmp_path, rows, "day2.csv"), now=NOW)
    assert (again.updated, again.duplicates) == (0, 3)
    assert len(store.frame("audit_log").query("action == 'updated'")) == 1


def test_stale_hash_with_same_content_is_a_duplicate(sqlite_store, tmp_path):
    """A record stored under an older hash scheme but with identical content is not 'updated'."""
    from sqlalchemy import update

    from planner.records import models as m

    p = write(tmp_path, [ENG])
    import_engagements(sqlite_store, p, now=NOW)
    with sqlite_store.transaction() as s:
        s.execute(update(m.Engagement).values(content_hash="0000000000000000"))
    res = import_engagements(sqlite_store, p, now=NOW)
    assert (res.updated, res.duplicates) == (0, 1)
    assert sqlite_store.count("audit_log") == 0
    assert sqlite_store.frame("engagements")["content_hash"].iloc[0] != "0000000000000000"

"""Issue 17: malformed export rows and over-length values are per-row rejects on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from planner.records.imports import import_abstractions, import_engagements, store_limits

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ENG_HEADER = "record_id,occurred_at,officer_id,ward_code,engagement_type,method,priority_group,minority_group,location"


def eng(rid: str, location: str = "High St") -> str:
    return f"{rid},2025-09-29T10:00,D1,W1,street briefing,face to face,residents,none,{location}"


def test_store_limits_are_the_model_column_lengths():
    assert store_limits("engagements") == {
        "record_id": 80,
        "officer_id": 40,
        "ward_code": 16,
        "engagement_type": 60,
        "method": 60,
        "priority_group": 60,
        "minority_group": 60,
        "location": 255,
    }
    assert store_limits("abstractions") == {
        "record_id": 80,
        "officer_id": 40,
        "authorised_by": 40,
        "authoriser_level": 10,
        "abstraction_type": 60,
        "destination": 255,
    }


def test_first_data_row_with_extra_fields_is_a_reject(store, tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("\n".join([ENG_HEADER, eng("E1") + ",surplus", eng("E2"), eng("E3")]) + "\n")
    res = import_engagements(store, p, now=NOW)
    assert (res.read, res.inserted, res.rejected) == (3, 2, 1)
    assert res.rejects[["line", "reason"]].values.tolist() == [
        [2, "malformed row: expected 9 fields, found 10"]
    ]
    assert store.frame("engagements")["record_id"].sort_values().tolist() == ["E2", "E3"]


def test_stray_quote_and_blank_line_keep_physical_line_numbers(store, tmp_path):
    p = tmp_path / "e.csv"
    rows = [ENG_HEADER, eng("E1"), eng("E2", '"unclosed'), "", eng("E3"), eng("E4", "")]
    p.write_text("\n".join(rows) + "\n")
    res = import_engagements(store, p, now=NOW)
    assert (res.read, res.inserted, res.rejected) == (4, 3, 1)
    assert res.rejects["line"].tolist() == [3]
    assert res.rejects["reason"].iloc[0].startswith("malformed row: unclosed quote")
    assert res.reconciled


def test_over_length_values_rejected_per_row_never_abort(store, tmp_path):
    p = tmp_path / "e.csv"
    long_id = "R" * 81
    rows = [ENG_HEADER, eng("E1", "x" * 300), eng(long_id), eng("E3", "y" * 255), eng("E4")]
    p.write_text("\n".join(rows) + "\n")
    res = import_engagements(store, p, now=NOW)
    assert (res.read, res.inserted, res.rejected) == (4, 2, 2)
    assert res.rejects[["line", "reason"]].values.tolist() == [
        [2, "location is 300 characters long; the store holds at most 255"],
        [3, "record_id is 81 characters long; the store holds at most 80"],
    ]
    stored = store.frame("engagements").set_index("record_id")
    assert sorted(stored.index) == ["E3", "E4"]
    assert stored.loc["E3", "location"] == "y" * 255


def test_over_length_abstraction_destination_and_officer(store, tmp_path):
    base = {
        "record_id": "A1",
        "officer_id": "D1",
        "authorised_by": "S1",
        "authoriser_level": "SGT",
        "abstraction_type": "response cover",
        "destination": "Response",
        "start": "2025-09-29T07:00",
        "hours": "8",
    }
    rows = [
        base,
        base | {"record_id": "A2", "destination": "d" * 256},
        base | {"record_id": "A3", "officer_id": "O" * 41},
    ]
    p = tmp_path / "a.csv"
    pd.DataFrame(rows).to_csv(p, index=False)
    res = import_abstractions(store, p, now=NOW)
    assert (res.read, res.inserted, res.rejected) == (3, 1, 2)
    assert res.rejects["reason"].tolist() == [
        "destination is 256 characters long; the store holds at most 255",
        "officer_id is 41 characters long; the store holds at most 40",
    ]

"""`planner import` and `planner records` end to end (in process)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from planner.cli import main

ROWS = [
    {
        "record_id": f"E{i}",
        "occurred_at": f"2025-09-{10 + i}T10:00",
        "officer_id": "D1",
        "ward_code": "W1",
        "engagement_type": "meeting",
        "method": "face to face",
        "priority_group": "residents",
        "minority_group": "",
    }
    for i in range(5)
] + [
    {
        "record_id": "BAD",
        "occurred_at": "soon",
        "officer_id": "D1",
        "ward_code": "W1",
        "engagement_type": "meeting",
        "method": "face to face",
        "priority_group": "residents",
        "minority_group": "",
    }
]


def _json(capsys) -> dict:
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    return json.loads(out[0])


def _import_twice(db, tmp_path, capsys):
    p = tmp_path / "tracker.csv"
    pd.DataFrame(ROWS).to_csv(p, index=False)
    assert main(["import", "engagements", str(p), "--db", db, "--json"]) == 0
    first = _json(capsys)
    assert main(["import", "engagements", str(p), "--db", db, "--json"]) == 0
    second = _json(capsys)
    keys = ["read", "inserted", "updated", "duplicates", "rejected"]
    assert [first[k] for k in keys] == [6, 5, 0, 0, 1]
    assert [second[k] for k in keys] == [6, 0, 0, 5, 1]
    assert first["rejects_file"] == str(tmp_path / "tracker.rejects.csv")
    assert pd.read_csv(first["rejects_file"])["record_id"].tolist() == ["BAD"]


def test_import_twice_sqlite(tmp_path, capsys):
    _import_twice(str(tmp_path / "r.sqlite"), tmp_path, capsys)
    assert (
        main(
            [
                "records",
                "summary",
                "--db",
                str(tmp_path / "r.sqlite"),
                "--period",
                "2025-09-01:2025-09-30",
                "--json",
            ]
        )
        == 0
    )
    s = _json(capsys)
    assert s["engagements"] == {"total": 5, "by_lpa": {"(no LPA)": 5}}
    assert s["unverified_officers"] == 1
    assert main(["records", "migrate", "--db", str(tmp_path / "r.sqlite"), "--json"]) == 0
    from planner.records.store import open_store

    with open_store(tmp_path / "r.sqlite") as st:
        head = st.revision()
    assert head is not None and _json(capsys)["revision"] == head


@pytest.mark.postgres
def test_import_twice_postgresql(pg_url, tmp_path, capsys):
    _import_twice(pg_url, tmp_path, capsys)


def test_mapping_and_text_output(tmp_path, capsys):
    p = tmp_path / "t.csv"
    pd.DataFrame(ROWS[:2]).rename(
        columns={"occurred_at": "Date/Time", "officer_id": "Officer"}
    ).to_csv(p, index=False)
    db = str(tmp_path / "r.sqlite")
    (tmp_path / "m.json").write_text(json.dumps({"Officer": "officer_id"}))
    assert (
        main(
            [
                "import",
                "engagements",
                str(p),
                "--db",
                db,
                "--map",
                "Date/Time=occurred_at",
                "--mapping",
                str(tmp_path / "m.json"),
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    assert (
        out.out.strip()
        == "engagements: read 2 = inserted 2 + updated 0 + duplicates 0 + rejected 0"
    )
    assert "1 officer(s) first seen here, added as unverified" in out.err
    assert (
        main(
            [
                "records",
                "summary",
                "--db",
                db,
                "--period",
                "since September 2025",
                "--today",
                "2025-12-31",
            ]
        )
        == 0
    )
    assert "engagements: 2" in capsys.readouterr().out


def test_user_errors_exit_2(tmp_path, capsys):
    p = tmp_path / "t.csv"
    pd.DataFrame(ROWS[:1]).to_csv(p, index=False)
    assert main(["import", "engagements", str(p)]) == 2
    assert "give the records store with --db URL" in capsys.readouterr().err
    assert main(["import", "abstractions", str(p), "--db", str(tmp_path / "r.sqlite")]) == 2
    assert "missing column(s) authorised_by" in capsys.readouterr().err
    assert (
        main(
            [
                "records",
                "summary",
                "--db",
                str(tmp_path / "r.sqlite"),
                "--period",
                "whenever",
                "--today",
                "2025-12-31",
            ]
        )
        == 2
    )
    assert "cannot read the period 'whenever'" in capsys.readouterr().err

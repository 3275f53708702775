"""Issue 19 CLI: planner import nominals|victims|tasking|pop|spend, people, tasking, pop,
advance calendar|day (exit 2 with one line on bad input)."""

from __future__ import annotations

import json

import pytest

from planner.access.audit import os_user, read_events
from planner.cli import main
from planner.records.store import open_store
from planner.testing import error_lines


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_and_people_commands(tmp_path, files, capsys):
    db = tmp_path / "records.sqlite"
    code, out, err = _run(capsys, "import", "nominals", files["nominals"], "--db", db, "--json")
    assert code == 0, err
    res = json.loads(out)
    assert (res["read"], res["accepted"], res["rejected"]) == (11, 6, 5)
    assert res["people"] == 4 and res["offences"] == 5
    code, out, _ = _run(capsys, "import", "victims", files["victims"], "--db", db)
    assert code == 0 and out.strip() == "victims: read 6 = accepted 6 + rejected 0"
    code, out, _ = _run(capsys, "people", "rank", "--db", db, "--lpa", "North", "--json")
    rows = json.loads(out)["rows"]
    assert [(r["rank"], r["nominal_id"], r["harm"]) for r in rows] == [
        (1, "N1", 1449.25),
        (2, "N2", 1098.46),
        (3, "N4", 0.0),
    ]
    code, out, _ = _run(capsys, "people", "victims", "--db", db, "--json")
    assert [r["nominal_id"] for r in json.loads(out)["rows"]] == ["V4", "V1", "V2", "V5"]
    code, out, _ = _run(
        capsys, "people", "reassure", "--db", db, "--lpa", "North", "--start", "2025-07-01",
        "--days", "1", "--per-day", "2", "--json",
    )  # fmt: skip
    assert [r["visit_id"] for r in json.loads(out)["rows"]] == [
        "RV-V1-2025-07-01",
        "RV-V2-2025-07-01",
    ]
    logs = tmp_path / "logs.csv"
    logs.write_text("visit_id,minutes\nRV-V1-2025-07-01,11\nRV-V2-2025-07-01,6\n")
    code, out, _ = _run(capsys, "people", "track", "--db", db, "--logs", logs, "--json")
    assert json.loads(out)["by_status"] == {"delivered": 1, "missed": 1}
    with open_store(db) as s:
        ev = read_events(s)
    assert set(ev["user"]) == {os_user()}
    assert list(ev.loc[ev["action"] == "view", "table_name"]) == ["nominals"] * 3


def test_import_with_cchi_offence_weights(tmp_path, capsys):
    db = tmp_path / "records.sqlite"
    w = tmp_path / "cchi.csv"
    w.write_text("ho_code,weight\n008/01,730\n")
    p = tmp_path / "n.csv"
    p.write_text(
        "nominal_id,lpa,record_id,occurred_on,crime_type,ho_code\n"
        "N1,North,R1,2025-01-01,Violence and sexual offences,008/01\n"
        "N1,North,R2,2025-01-02,Robbery,\n"
    )
    code, _, err = _run(capsys, "import", "nominals", p, "--db", db, "--offence-weights", w)
    assert code == 0, err
    code, out, _ = _run(capsys, "people", "rank", "--db", db, "--json")
    assert [(r["nominal_id"], r["harm"]) for r in json.loads(out)["rows"]] == [("N1", 730 + 746)]


def test_name_like_field_exits_2_with_one_line(tmp_path, files, capsys):
    db = tmp_path / "records.sqlite"
    p = tmp_path / "names.csv"
    p.write_text("nominal_id,lpa,Forename\nN1,North,Jo\n")
    code, out, err = _run(capsys, "import", "nominals", p, "--db", db)
    assert code == 2 and out == ""
    assert (
        len(error_lines(err)) == 1
        and "field 'Forename'" in err
        and "Jo" not in err.replace("Jo ", "")
    )
    code, out, _ = _run(capsys, "import", "nominals", p, "--db", db, "--map", "Forename=-")
    assert code == 0 and "accepted 1" in out


def test_tasking_pop_and_advance_commands(tmp_path, files, capsys):
    db = tmp_path / "records.sqlite"
    for kind in ("nominals", "tasking", "pop", "spend"):
        code, _, err = _run(capsys, "import", kind, files[kind], "--db", db)
        assert code == 0, err
    code, out, _ = _run(
        capsys, "tasking", "list", "--db", db, "--lpa", "North", "--today", "2025-07-31", "--json"
    )
    assert [r["item_id"] for r in json.loads(out)["rows"]] == ["I1", "I2", "I3"]
    code, out, _ = _run(
        capsys, "tasking", "review", "--db", db, "--lpa", "North", "--today", "2025-07-31"
    )
    assert code == 0
    assert "actions: 3 (open 1, in progress 1, done 1, dropped 0; overdue 2)" in out
    assert "hours in patrol-hours" in out
    code, out, _ = _run(capsys, "pop", "list", "--db", db, "--json")
    assert json.loads(out)["by_stage"] == {
        "scanning": 0,
        "analysis": 1,
        "response": 1,
        "assessment": 1,
    }
    html = tmp_path / "spend.html"
    code, out, _ = _run(capsys, "pop", "spend", "--db", db, "--grant", "10000", "--out", html)
    assert code == 0 and "GBP 3,800.50 of GBP 10,000 (38.0%)" in out
    assert "GBP 3,800.50" in html.read_text() and "patrol-hours" in html.read_text()
    code, out, _ = _run(
        capsys, "advance", "calendar", "--db", db, "--lpas", "North,South", "--from", "2025-07",
        "--months", "4", "--json",
    )  # fmt: skip
    assert [(r["month"], r["lpa"]) for r in json.loads(out)["rows"]] == [
        ("2025-07", "North"),
        ("2025-08", "South"),
        ("2025-09", "North"),
        ("2025-10", "South"),
    ]
    code, out, _ = _run(
        capsys, "advance", "calendar", "--db", db, "--lpas", "North,South", "--set",
        "2025-09=South", "--json",
    )  # fmt: skip
    rows = json.loads(out)["rows"]
    assert [(r["lpa"], r["edited"]) for r in rows][2] == ("South", True)
    code, out, _ = _run(
        capsys, "advance", "day", "--db", db, "--lpa", "North", "--date", "2025-07-12",
        "--resource", "officers=20,vehicles=4", "--result", "arrests=3", "--json",
    )  # fmt: skip
    d = json.loads(out)
    assert d["on_rotation"] and d["resources"] == {"officers": 20, "vehicles": 4}
    assert d["arrests"] == 3 and d["wanted_count"] == 1
    code, out, _ = _run(capsys, "people", "wanted", "--db", db, "--day", d["day_id"], "--json")
    assert [r["nominal_id"] for r in json.loads(out)["rows"]] == ["N1"]


@pytest.mark.parametrize(
    ("argv", "msg"),
    [
        (["advance", "day", "--lpa", "North", "--date", "2025-07-12", "--result", "arrests=x"],
         "not a whole number"),
        (["advance", "calendar", "--lpas", "A", "--from", "2025-7"], "not YYYY-MM"),
        (["people", "reassure", "--lpa", "North", "--start", "tomorrow"], "not a date"),
        (["advance", "--as-of", "2025-07-01"], "the briefing needs --lpa and --out"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2(tmp_path, capsys, argv, msg):
    db = (
        [] if argv[0] == "advance" and argv[1].startswith("--") else ["--db", tmp_path / "r.sqlite"]
    )
    code, out, err = _run(capsys, *argv, *db)
    assert code == 2 and msg in err and err.count("\n") == 1


def test_track_reassurance_from_a_ping_file(tmp_path, files, capsys):
    import pandas as pd

    db = tmp_path / "records.sqlite"
    assert _run(capsys, "import", "victims", files["victims"], "--db", db)[0] == 0
    code, out, _ = _run(
        capsys, "people", "reassure", "--db", db, "--lpa", "North", "--start", "2025-07-01",
        "--days", "1", "--per-day", "1", "--json",
    )  # fmt: skip
    assert [r["visit_id"] for r in json.loads(out)["rows"]] == ["RV-V1-2025-07-01"]
    # 31 pings 30 s apart at V1's home (401000, 291000): 15 minutes of presence
    ts = pd.date_range("2025-07-01 10:00", periods=31, freq="30s", tz="Europe/London")
    pd.DataFrame(
        {
            "officer_id": "D1",
            "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "easting": 401000,
            "northing": 291000,
        }
    ).to_csv(tmp_path / "p.csv", index=False)
    code, out, err = _run(
        capsys, "people", "track", "--db", db, "--pings", tmp_path / "p.csv", "--json"
    )
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert [
        (r["visit_id"], r["delivered_minutes"], r["tracked_by"], r["status"]) for r in rows
    ] == [("RV-V1-2025-07-01", 15.0, "gps", "delivered")]

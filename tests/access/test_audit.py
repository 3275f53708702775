"""The audit trail: append-only, names the user of every save, import, denial; `planner audit`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from planner.access.audit import event_row, log_event, os_user, read_events, write_events
from planner.access.roles import Principal
from planner.cli import main
from planner.errors import AccessDenied
from planner.records.forms import record_abstraction, record_engagement
from planner.records.store import load_reference, open_store

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FORM = {
    "occurred_at": "2025-09-29T10:00",
    "ward_code": "W1",
    "engagement_type": "street briefing",
    "method": "face to face",
    "priority_group": "residents",
}


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "records.sqlite")
    load_reference(
        s,
        wards=pd.DataFrame(
            {"ward_code": ["W1", "W2"], "ward": ["A", "B"], "lpa": ["North", "South"]}
        ),
        officers=pd.DataFrame(
            {
                "officer_id": ["D1", "D2", "S1"],
                "name": ["Ann", "Bob", "Hal"],
                "role": ["DNO", "DNO", "SGT"],
                "lpa": ["North", "South", "North"],
            }
        ),
    )
    yield s
    s.close()


def test_the_trail_is_append_only(store):
    log_event(store, "alice", "sign_in", role="inspector", detail={"ip": "127.0.0.1"})
    for stmt in ("UPDATE audit_trail SET user = 'mallory'", "DELETE FROM audit_trail"):
        with (
            pytest.raises(DBAPIError, match="audit_trail is append-only"),
            store.transaction() as s,
        ):
            s.execute(text(stmt))
    ev = read_events(store)
    assert ev[["user", "role", "action"]].to_dict("records") == [
        {"user": "alice", "role": "inspector", "action": "sign_in"}
    ]
    assert ev["detail"].tolist() == [{"ip": "127.0.0.1"}]


def test_form_saves_name_the_user_and_an_update_records_the_change(store):
    insp = Principal("insp.north", "inspector", ("North",))
    rid = record_engagement(store, now=NOW, principal=insp, officer_id="D1", **FORM)
    record_engagement(
        store,
        now=NOW,
        principal=insp,
        officer_id="D1",
        record_id=rid,
        **{**FORM, "method": "online"},
    )
    ev = read_events(store)
    assert ev[["user", "role", "action", "table_name", "record_id"]].to_dict("records") == [
        {
            "user": "insp.north",
            "role": "inspector",
            "action": "insert",
            "table_name": "engagements",
            "record_id": rid,
        },
        {
            "user": "insp.north",
            "role": "inspector",
            "action": "update",
            "table_name": "engagements",
            "record_id": rid,
        },
    ]
    assert ev["detail"].iloc[1] == {"changes": {"method": ["face to face", "online"]}}


def test_an_officer_records_only_for_themselves(store):
    pc = Principal("ann", "officer", officer_id="D1")
    rid = record_engagement(store, now=NOW, principal=pc, **FORM)  # officer_id filled in: theirs
    assert store.frame("engagements").set_index("record_id").loc[rid, "officer_id"] == "D1"
    with pytest.raises(AccessDenied, match="may record only for themselves, not for officer 'D2'"):
        record_engagement(store, now=NOW, principal=pc, officer_id="D2", **FORM)
    with pytest.raises(AccessDenied, match="not for officer 'D2'"):
        record_abstraction(
            store,
            now=NOW,
            principal=pc,
            officer_id="D2",
            authorised_by="S1",
            authoriser_level="SGT",
            abstraction_type="response cover",
            destination="custody",
            start="2025-09-29T08:00",
            hours=4,
        )
    assert store.count("engagements") == 1 and store.count("abstractions") == 0
    ev = read_events(store)
    assert ev[["user", "action"]].values.tolist() == [
        ["ann", "insert"],
        ["ann", "denied"],
        ["ann", "denied"],
    ]
    assert ev["detail"].iloc[1] == {"attempt": "record", "officer_id": "D2"}


def test_an_inspector_cannot_record_for_another_lpa(store):
    insp = Principal("insp.north", "inspector", ("North",))
    with pytest.raises(AccessDenied, match="officers in their scope, not for officer 'D2'"):
        record_engagement(store, now=NOW, principal=insp, officer_id="D2", **FORM)
    adv = Principal("adv", "advance")
    with pytest.raises(AccessDenied):
        record_engagement(store, now=NOW, principal=adv, officer_id="D1", **FORM)
    assert store.count("engagements") == 0
    assert read_events(store)["action"].tolist() == ["denied", "denied"]


def test_cli_import_names_the_os_user(tmp_path, store, capsys):
    csv = tmp_path / "eng.csv"
    pd.DataFrame(
        [
            {**FORM, "officer_id": "D1", "record_id": "E-1", "minority_group": ""},
            {**FORM, "officer_id": "D2", "record_id": "E-2", "minority_group": ""},
        ]
    ).to_csv(csv, index=False)
    db = str(tmp_path / "records.sqlite")
    assert main(["import", "engagements", str(csv), "--db", db]) == 0
    capsys.readouterr()
    ev = read_events(store)
    assert ev[["user", "action", "record_id"]].values.tolist() == [
        [os_user(), "insert", "E-1"],
        [os_user(), "insert", "E-2"],
    ]
    assert ev["detail"].iloc[0] == {"source": "eng.csv"}


def test_audit_cli_filters_and_json(tmp_path, store, capsys):
    t0 = datetime(2026, 3, 1, 9, 0)  # naive UTC
    rows = [
        ("alice", "sign_in", datetime(2026, 3, 1, 9, 0)),
        ("bob", "sign_in", datetime(2026, 6, 1, 7, 30)),  # 08:30 BST
        ("alice", "export", datetime(2026, 6, 1, 8, 0)),
    ]
    store.run(
        lambda s: write_events(s, [event_row(u, a, at=t, detail={"n": 1}) for u, a, t in rows])
    )
    db = str(tmp_path / "records.sqlite")
    assert main(["audit", "--db", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(r["user"], r["action"], r["at"]) for r in out] == [
        ("alice", "sign_in", t0.isoformat() + "Z"),
        ("bob", "sign_in", "2026-06-01T07:30:00Z"),
        ("alice", "export", "2026-06-01T08:00:00Z"),
    ]
    assert out[0]["detail"] == {"n": 1}
    # naive --since is Europe/London: 08:45 BST = 07:45 UTC
    assert main(["audit", "--db", db, "--since", "2026-06-01T08:45", "--json"]) == 0
    assert [r["user"] for r in json.loads(capsys.readouterr().out)] == ["alice"]
    assert main(["audit", "--db", db, "--user", "alice", "--json"]) == 0
    assert [r["action"] for r in json.loads(capsys.readouterr().out)] == ["sign_in", "export"]
    assert main(["audit", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split("\t")[:4] == ["2026-06-01T07:30:00Z", "bob", "-", "sign_in"]


def test_audit_cli_bad_input_is_one_line(tmp_path, capsys):
    assert main(["audit"]) == 2
    assert "--workspace DIR or --db URL" in capsys.readouterr().err
    assert main(["audit", "--workspace", str(tmp_path)]) == 2
    assert "not a planner workspace" in capsys.readouterr().err
    db = str(tmp_path / "r.sqlite")
    assert main(["audit", "--db", db, "--since", "yesterday-ish"]) == 2
    assert "--since 'yesterday-ish': not an ISO date" in capsys.readouterr().err
    assert main(["audit", "--db", db, "--action", "hack"]) == 2
    assert "--action 'hack': one of sign_in" in capsys.readouterr().err


def test_users_cli_changes_are_audited_with_a_store(tmp_path, store, monkeypatch, capsys):
    import io

    class Stdin(io.StringIO):
        def isatty(self) -> bool:
            return False

    f, db = str(tmp_path / "u.json"), str(tmp_path / "records.sqlite")
    monkeypatch.setattr("sys.stdin", Stdin("long-password-1\n"))
    assert (
        main(
            ["users", "add", "x", "--role", "inspector", "--lpa", "North", "--users", f, "--db", db]
        )
        == 0
    )
    assert (
        main(
            [
                "users",
                "role",
                "x",
                "--role",
                "inspector",
                "--lpa",
                "South",
                "--users",
                f,
                "--db",
                db,
            ]
        )
        == 0
    )
    assert main(["users", "remove", "x", "--users", f, "--db", db]) == 0
    capsys.readouterr()
    ev = read_events(store)
    assert ev[["user", "action", "record_id"]].values.tolist() == [
        [os_user(), "user_add", "x"],
        [os_user(), "role_change", "x"],
        [os_user(), "user_remove", "x"],
    ]
    assert ev["detail"].iloc[1] == {
        "lpas": [["North"], ["South"]],
        "role": ["inspector", "inspector"],
    }
    assert "long-password-1" not in json.dumps(ev["detail"].tolist())


def test_form_options_hold_only_names_in_scope(store):
    from planner.records.forms import form_options

    every = form_options(store)
    assert set(every["officers"]) == {"D1", "D2", "S1"}
    insp = form_options(store, principal=Principal("i", "inspector", ("North",)))
    assert set(insp["officers"]) == {"D1", "S1"} and set(insp["authorisers"]) == {"S1"}
    assert "Bob" not in json.dumps(insp)
    pc = form_options(store, principal=Principal("ann", "officer", officer_id="D1"))
    assert pc["officers"] == {"D1": every["officers"]["D1"]}
    assert set(pc["authorisers"]) == {"S1"}
    pc_south = form_options(store, principal=Principal("bob", "officer", officer_id="D2"))
    assert set(pc_south["officers"]) == {"D2"} and pc_south["authorisers"] == {}
    adv = form_options(store, principal=Principal("a", "advance"))
    assert adv["officers"] == {} and adv["authorisers"] == {}
    assert form_options(store, principal=Principal("x", "intelligence")) == every

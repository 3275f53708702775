"""The users file and `planner users`: only salted argon2 hashes, passwords never from flags."""

from __future__ import annotations

import io
import json
import stat

import pytest
from argon2 import PasswordHasher

from planner.access.roles import Principal
from planner.access.users import (
    add_user,
    read_users,
    remove_user,
    set_password,
    set_role,
    verify,
)
from planner.cli import build_parser, main
from planner.cli.users import read_password
from planner.errors import InputError, PlannerError


class Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def _run(monkeypatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", Stdin(stdin))
    return main(argv)


def test_add_stores_a_salted_argon2_hash_only(tmp_path):
    path = tmp_path / "users.json"
    add_user(path, "alice", "correct horse", role="inspector", lpas=["Coventry", "Solihull"])
    add_user(path, "bob", "correct horse", role="intelligence")
    text = path.read_text()
    assert "correct horse" not in text
    users = read_users(path)
    ha, hb = users["alice"]["hash"], users["bob"]["hash"]
    assert ha.startswith("$argon2id$") and hb.startswith("$argon2id$")
    assert ha != hb  # same password, different salts
    assert PasswordHasher().verify(ha, "correct horse")
    assert users["alice"]["lpas"] == ["Coventry", "Solihull"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert verify(users, "alice", "correct horse") is True
    assert verify(users, "alice", "correct horsE") is False
    assert verify(users, "nobody", "correct horse") is False


def test_cli_add_list_passwd_role_remove(tmp_path, monkeypatch, capsys):
    f = str(tmp_path / "u.json")
    assert (
        _run(
            monkeypatch,
            ["users", "add", "insp1", "--role", "inspector", "--lpa", "Coventry", "--users", f],
            "s3cret-password\n",
        )
        == 0
    )
    assert capsys.readouterr().out == "added insp1: inspector (Coventry)\n"
    users = read_users(f)
    assert verify(users, "insp1", "s3cret-password")
    assert _run(monkeypatch, ["users", "list", "--users", f, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert set(listed) == {"insp1"} and "hash" not in listed["insp1"]
    assert (listed["insp1"]["role"], listed["insp1"]["lpas"]) == ("inspector", ["Coventry"])
    assert _run(monkeypatch, ["users", "passwd", "insp1", "--users", f], "another-password\n") == 0
    users = read_users(f)
    assert not verify(users, "insp1", "s3cret-password")
    assert verify(users, "insp1", "another-password")
    assert (
        _run(monkeypatch, ["users", "role", "insp1", "--role", "intelligence", "--users", f]) == 0
    )
    assert capsys.readouterr().out.endswith("insp1: inspector -> intelligence\n")
    assert read_users(f)["insp1"]["role"] == "intelligence"
    assert read_users(f)["insp1"]["lpas"] == []
    assert _run(monkeypatch, ["users", "remove", "insp1", "--users", f]) == 0
    assert read_users(f) == {}


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["--role", "inspector"], "long-enough-pw\n", "an inspector needs at least one LPA"),
        (["--role", "officer", "--lpa", "X"], "long-enough-pw\n", "takes no --lpa"),
        (["--role", "intelligence"], "short\n", "password too short: at least 8"),
        (["--role", "intelligence"], "", "no password given on standard input"),
        (["--role", "intelligence", "--officer-id", "WM-1"], "long-enough-pw\n", "--officer-id"),
    ],
)
def test_cli_add_refuses_bad_input_in_one_line(tmp_path, monkeypatch, capsys, argv, stdin, message):
    f = str(tmp_path / "u.json")
    assert _run(monkeypatch, ["users", "add", "x", *argv, "--users", f], stdin) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "u.json").exists()


def test_cli_has_no_password_flag(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(
            ["users", "add", "x", "--role", "admin", "--users", "f", "--password", "pw"]
        )
    assert exc.value.code == 2
    assert "unrecognized arguments: --password pw" in capsys.readouterr().err


def test_existing_and_missing_users_are_errors(tmp_path):
    f = tmp_path / "u.json"
    add_user(f, "a", "password-1", role="admin")
    with pytest.raises(PlannerError, match="user 'a' already exists"):
        add_user(f, "a", "password-2", role="admin")
    for fn in (lambda: remove_user(f, "b"), lambda: set_password(f, "b", "password-3")):
        with pytest.raises(PlannerError, match="no user 'b'"):
            fn()
    with pytest.raises(PlannerError, match="no user 'b'"):
        set_role(f, "b", role="admin")
    with pytest.raises(PlannerError, match="may not contain spaces"):
        add_user(f, "a b", "password-4", role="admin")


def test_a_file_that_is_not_a_users_file_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    f = tmp_path / "u.json"
    f.write_text('{"alice": "plain-text-password"}')
    with pytest.raises(InputError, match="not a planner users file"):
        read_users(f)
    f.write_text('{"format": "planner-users/1", "users": {"a": {"hash": "pw", "role": "admin"}}}')
    with pytest.raises(InputError, match="user 'a': no argon2 hash"):
        read_users(f)
    assert _run(monkeypatch, ["users", "list", "--users", str(f)]) == 2
    assert str(f) in capsys.readouterr().err


def test_prompt_asks_twice_at_a_terminal():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["pw-one-123", "pw-one-123"])
    assert read_password(Tty(), prompt=lambda _: next(answers)) == "pw-one-123"
    answers = iter(["pw-one-123", "pw-two-123"])
    with pytest.raises(PlannerError, match="the two passwords differ"):
        read_password(Tty(), prompt=lambda _: next(answers))


def test_principal_scopes():
    insp = Principal("i", "inspector", ("Coventry",))
    assert insp.sees_lpa("Coventry") and not insp.sees_lpa("Solihull")
    assert insp.may_record_for("WM-1", "Coventry") and not insp.may_record_for("WM-2", "Solihull")
    pc = Principal("pc1", "officer", officer_id="WM-7")
    assert pc.recorder_id == "WM-7"
    assert pc.may_record_for("WM-7", "Coventry") and not pc.may_record_for("WM-8", "Coventry")
    assert not pc.sees_lpa("Coventry")
    adv = Principal("a", "advance")
    assert adv.all_lpas and not adv.sees_lpa("Coventry") and not adv.may_record_for("WM-1", None)
    assert Principal("x", "intelligence").sees_lpa("anything")
    with pytest.raises(PlannerError, match="unknown role 'chief'"):
        Principal("x", "chief")


@pytest.mark.parametrize("cmd", ["add", "passwd"])
def test_cli_password_minimum_is_8_characters(tmp_path, monkeypatch, capsys, cmd):
    """7 characters are refused (exit 2, one line, nothing changed); 8 are accepted."""
    f = tmp_path / "u.json"
    add_user(f, "old", "old-password-1", role="intelligence")
    before = read_users(f)
    argv = (
        ["users", "add", "new", "--role", "advance", "--users", str(f)]
        if cmd == "add"
        else ["users", "passwd", "old", "--users", str(f)]
    )
    capsys.readouterr()
    assert _run(monkeypatch, argv, "1234567\n") == 2
    err = capsys.readouterr().err
    assert "password too short: at least 8 characters" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert read_users(f) == before
    assert _run(monkeypatch, argv, "12345678\n") == 0
    name = "new" if cmd == "add" else "old"
    assert verify(read_users(f), name, "12345678")

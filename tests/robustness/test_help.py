"""Help that teaches: every command's --help has an example that parses, and every option and
argument is described."""

from __future__ import annotations

import argparse
import shlex

import pytest

from planner.cli import build_parser, main
from planner.cli.examples import EXAMPLES, PREFIX


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(build_parser()))


def test_every_command_has_examples_and_no_example_is_orphaned():
    names = {" ".join(p) for p, _ in COMMANDS}
    assert names == set(EXAMPLES)


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p))
def test_help_shows_examples_that_parse_and_describes_every_option(path, capsys):
    sub = dict(COMMANDS)[path]
    with pytest.raises(SystemExit) as exc:
        main([*path, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert PREFIX.strip() in text
    for line in EXAMPLES[" ".join(path)]:
        assert line in text  # printed as written, not re-wrapped
        argv = shlex.split(line, comments=True)
        assert argv[0] == "planner"
        args = build_parser().parse_args(argv[1:])  # a usage error raises SystemExit
        assert args.command == path[0]
    undocumented = [
        a.option_strings or [a.dest]
        for a in sub._actions
        if not isinstance(a, argparse._HelpAction) and not a.help
    ]
    assert undocumented == []


def test_schedule_refuses_to_overwrite_the_plan_in_use(tmp_path, capsys):
    out = tmp_path / "plan"
    out.mkdir()
    (out / "visits.parquet").write_bytes(b"the plan the app shows")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "workspace.json").write_text("{}")
    rc = main(["schedule", "--workspace", str(ws), "--quarter", "2025Q3", "--out", str(out)])
    assert rc == 2
    err = capsys.readouterr().err
    assert "already holds a plan" in err and "--force" in err
    assert (out / "visits.parquet").read_bytes() == b"the plan the app shows"
    # the default output inside the workspace is guarded the same way
    (ws / "plan" / "2025Q3").mkdir(parents=True)
    (ws / "plan" / "2025Q3" / "visits.parquet").write_bytes(b"x")
    assert main(["schedule", "--workspace", str(ws), "--quarter", "2025q3"]) == 2
    assert "already holds a plan" in capsys.readouterr().err

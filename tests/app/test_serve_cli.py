"""`planner serve` argument handling (the server itself is exercised by the browser tests)."""

from __future__ import annotations

import pytest

from planner.cli import build_parser, main
from planner.cli.serve import DEFAULT_PORT, ensure_workspace
from planner.errors import PlannerError


def test_serve_defaults_and_options():
    args = build_parser().parse_args(["serve"])
    assert (args.workspace, args.port, args.address, args.tiles) == (
        None,
        DEFAULT_PORT,
        "localhost",
        None,
    )
    args = build_parser().parse_args(
        ["serve", "--workspace", "/x", "--port", "5010", "--address", "0.0.0.0"]
    )
    assert (str(args.workspace), args.port, args.address) == ("/x", 5010, "0.0.0.0")


def test_serve_rejects_a_folder_that_is_not_a_workspace(tmp_path, capsys):
    with pytest.raises(PlannerError, match="not a planner workspace"):
        ensure_workspace(tmp_path)
    assert main(["serve", "--workspace", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not a planner workspace" in err and len(err.strip().splitlines()) == 1


def test_serve_uses_an_existing_workspace(small_ws):
    assert ensure_workspace(small_ws.root) == small_ws.root

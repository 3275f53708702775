"""`planner CMD` registers only CMD's area (fast start-up); the command-to-area table must
name every command the areas register, and a command parsed through it is the same as
through the full parser."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

from planner.cli import AREAS, COMMAND_AREA, build_parser


def _registered() -> dict[str, str]:
    out = {}
    for area in AREAS:
        p = argparse.ArgumentParser()
        sub = p.add_subparsers()
        importlib.import_module(f"planner.cli.{area}").register(sub)
        out.update(dict.fromkeys(sub.choices, area))
    return out


def test_command_area_table_matches_the_registered_commands():
    assert _registered() == COMMAND_AREA


def test_one_area_parser_parses_like_the_full_parser():
    argv = ["load", "a.csv", "--out", "o.parquet", "--json"]
    one = build_parser(argv)
    sub = next(a for a in one._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == ["load"]
    a, b = one.parse_args(argv), build_parser().parse_args(argv)
    assert {k: v for k, v in vars(a).items() if k != "func"} == {
        k: v for k, v in vars(b).items() if k != "func"
    }
    assert a.func is b.func


def test_load_command_start_up_does_not_import_the_other_areas():
    code = (
        "import sys; from planner.cli import build_parser; "
        "build_parser(['load', 'x.csv', '--out', 'o.parquet']); "
        "print(sorted(m for m in ('sqlalchemy', 'planner.cli.ownforce', "
        "'planner.hotspots.grid', 'planner.access.server') if m in sys.modules))"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert p.stdout.strip() == "[]"

"""Every command on the malformed corpus (tests/data/malformed): no traceback, exit 0 or 2,
and wherever a command reports counts, they reconcile.

Commands run in-process through :func:`planner.cli.main`, so any exception other than the
one-line ``PlannerError`` path fails the test with its traceback. Outputs go to ``tmp_path``;
workspace inputs are read from the malformed folder (or a prebuilt demo workspace, read-only).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import pytest

from planner.cli import build_parser, main

CORPUS = Path(__file__).resolve().parents[1] / "data" / "malformed"
BAD_WS = "{c}/bad_workspace"
DEMO = os.environ.get("PLANNER_TEST_WORKSPACE")

CRIME_FILES = [
    "empty.csv",
    "header_only.csv",
    "binary.csv",
    "extra_fields_first_row.csv",
    "unclosed_quote.csv",
    "future_months.csv",
    "unknown_columns.csv",
    "bare_cr.csv",
    "latin1.csv",
    "non_object.json",
    "deep.json",
    "not_a_list.json",
    "truncated.json",
    "not_a_zip.zip",
    "truncated.csv.gz",
    "no_csv_inside.zip",
]
BOUNDARIES = [
    "boundary_bng_as_lonlat.geojson",
    "boundary_bowtie_27700.geojson",
    "boundary_points.geojson",
    "boundary_garbage.geojson",
    "missing.gpkg",
]
EXPORTS = [
    "engagements_extra_fields.csv",
    "engagements_overlong.csv",
    "engagements_wrong_columns.csv",
    "empty.csv",
    "binary.csv",
    "unclosed_quote.csv",
]


def _cases() -> list[tuple[str, list[str]]]:
    c = "{c}"
    out: list[tuple[str, list[str]]] = []
    for f in CRIME_FILES:
        out.append(("load", ["load", f"{c}/{f}", "--out", "{t}/o.parquet", "--json"]))
    for b in BOUNDARIES:
        out.append(
            (
                "load",
                [
                    "load",
                    f"{c}/unclosed_quote.csv",
                    "--boundary",
                    f"{c}/{b}",
                    "--out",
                    "{t}/o.parquet",
                    "--json",
                ],
            )
        )
    out += [
        (
            "load",
            [
                "load",
                f"{c}/header_only.csv",
                "--mapping",
                f"{c}/bad_mapping.json",
                "--out",
                "{t}/o.parquet",
            ],
        ),
        (
            "load",
            [
                "load",
                f"{c}/header_only.csv",
                "--mapping",
                f"{c}/not_json.json",
                "--out",
                "{t}/o.parquet",
            ],
        ),
        (
            "load",
            ["load", f"{c}/header_only.csv", "--harm", f"{c}/binary.csv", "--out", "{t}/o.parquet"],
        ),
        ("load", ["load", f"{c}/header_only.csv", "--out", "{t}/o.csv"]),
        (
            "load",
            ["load", f"{c}/header_only.csv", "--max-outside-share", "7", "--out", "{t}/o.parquet"],
        ),
    ]
    for f in ("unclosed_quote.csv", "non_object.json", "binary.csv"):
        for b in ("boundary_bowtie_27700.geojson", "boundary_garbage.geojson"):
            args = ["--crimes", f"{c}/{f}", "--boundary", f"{c}/{b}"]
            out.append(("hotspots", ["hotspots", *args, "--out", "{t}/h.parquet", "--json"]))
            out.append(("tgps", ["tgps", *args, "--out", "{t}/t.gpkg", "--json"]))
            out.append(("backtest", ["backtest", *args, "--json"]))
            out.append(("coverage", ["coverage", "--tgps", f"{c}/{b}", *args, "--json"]))
    out += [
        (
            "hotspots",
            [
                "hotspots",
                "--crimes",
                f"{c}/unclosed_quote.csv",
                "--boundary",
                f"{c}/boundary_bowtie_27700.geojson",
                "--cell",
                "-5",
                "--out",
                "{t}/h.parquet",
            ],
        ),
        (
            "hotspots",
            [
                "hotspots",
                "--crimes",
                f"{c}/unclosed_quote.csv",
                "--boundary",
                f"{c}/boundary_bowtie_27700.geojson",
                "--start",
                "2025-99",
                "--out",
                "{t}/h.parquet",
            ],
        ),
        ("advance", ["advance", "--lpa", "Nowhere", "--workspace", BAD_WS, "--out", "{t}/adv"]),
        (
            "advance",
            ["advance", "--lpa", "Nowhere", "--workspace", f"{c}/missing", "--out", "{t}/adv"],
        ),
        (
            "schedule",
            ["schedule", "--workspace", BAD_WS, "--quarter", "2025Q3", "--out", "{t}/plan"],
        ),
        ("schedule", ["schedule", "--workspace", BAD_WS, "--quarter", "Q9", "--out", "{t}/plan"]),
        (
            "servator",
            [
                "servator",
                "--workspace",
                BAD_WS,
                "--start",
                "2025-13-01",
                "--days",
                "3",
                "--out",
                "{t}/s",
            ],
        ),
        (
            "servator",
            [
                "servator",
                "--workspace",
                BAD_WS,
                "--start",
                "2025-10-01",
                "--days",
                "-3",
                "--out",
                "{t}/s",
            ],
        ),
        ("visibility", ["visibility", "--workspace", BAD_WS, "--month", "2025-13", "--json"]),
        ("serve", ["serve", "--workspace", f"{c}/missing"]),
        ("serve", ["serve", "--workspace", BAD_WS]),
        ("demo", ["demo", "--out", f"{c}/empty.csv"]),
        ("records", ["records", "summary", "--db", f"{c}/binary.csv", "--period", "FY2025"]),
        (
            "records",
            ["records", "summary", "--db", "sqlite:///{t}/r.sqlite", "--period", "gibberish"],
        ),
        ("records", ["records", "migrate", "--db", f"{c}/empty.csv"]),
        ("records", ["records", "migrate", "--db", "notadb://x"]),
    ]
    for f in EXPORTS:
        out.append(
            (
                "import",
                [
                    "import",
                    "engagements",
                    f"{c}/{f}",
                    "--db",
                    "sqlite:///{t}/r.sqlite",
                    "--rejects",
                    "{t}/rej.csv",
                    "--json",
                ],
            )
        )
    out += [
        (
            "import",
            [
                "import",
                "abstractions",
                f"{c}/engagements_overlong.csv",
                "--db",
                "sqlite:///{t}/r.sqlite",
                "--rejects",
                "{t}/rej.csv",
            ],
        ),
        (
            "import",
            [
                "import",
                "engagements",
                f"{c}/engagements_overlong.csv",
                "--db",
                "sqlite:///{t}/r.sqlite",
                "--mapping",
                f"{c}/deep.json",
                "--rejects",
                "{t}/rej.csv",
            ],
        ),
        (
            "import",
            [
                "import",
                "engagements",
                f"{c}/engagements_overlong.csv",
                "--db",
                "sqlite:///{t}/r.sqlite",
                "--map",
                "nonsense",
                "--rejects",
                "{t}/rej.csv",
            ],
        ),
    ]
    out += [
        (
            "init",
            [
                "init",
                "{t}/ws",
                "--name",
                "X",
                "--wards",
                f"{c}/boundary_garbage.geojson",
                "--crimes",
                f"{c}/unclosed_quote.csv",
            ],
        ),
        (
            "init",
            [
                "init",
                "{t}/ws",
                "--name",
                "X",
                "--wards",
                f"{c}/boundary_points.geojson",
                "--crimes",
                f"{c}/binary.csv",
            ],
        ),
        (
            "init",
            [
                "init",
                "{t}/ws",
                "--name",
                "X",
                "--wards",
                f"{c}/boundary_bowtie_27700.geojson",
                "--lpa-field",
                "nope",
                "--crimes",
                f"{c}/deep.json",
            ],
        ),
        ("status", ["status", "--workspace", BAD_WS, "--json"]),
        ("status", ["status", "--workspace", f"{c}/missing"]),
        ("report", ["report", "engagement", "--db", f"{c}/binary.csv", "--period", "FY2025"]),
        ("report", ["report", "gaps", "--workspace", BAD_WS, "--period", "gibberish"]),
        (
            "report",
            ["report", "import", "training", f"{c}/binary.csv", "--db", "sqlite:///{t}/r.sqlite"],
        ),
        (
            "report",
            [
                "report",
                "import",
                "soh",
                f"{c}/unclosed_quote.csv",
                "--db",
                "sqlite:///{t}/r.sqlite",
                "--rejects",
                "{t}/rej.csv",
                "--json",
            ],
        ),
        ("users", ["users", "list", "--users", f"{c}/deep.json"]),
        ("users", ["users", "list", "--users", f"{c}/binary.csv", "--json"]),
        ("users", ["users", "remove", "nobody", "--users", f"{c}/not_json.json"]),
        ("audit", ["audit", "--db", f"{c}/binary.csv"]),
        ("audit", ["audit", "--db", "sqlite:///{t}/r.sqlite", "--since", "yesterday-ish"]),
    ]
    tgps = f"{DEMO}/tgps.gpkg" if DEMO else f"{c}/boundary_bowtie_27700.geojson"
    for f in (
        "pings_garbage.csv",
        "pings_header_only.csv",
        "empty.csv",
        "binary.csv",
        "unclosed_quote.csv",
    ):
        out.append(
            (
                "track",
                ["track", "--pings", f"{c}/{f}", "--tgps", tgps, "--out", "{t}/track", "--json"],
            )
        )
    out.append(
        (
            "track",
            [
                "track",
                "--pings",
                f"{c}/pings_header_only.csv",
                "--tgps",
                f"{c}/boundary_garbage.geojson",
                "--out",
                "{t}/track",
            ],
        )
    )
    out.append(
        (
            "track",
            [
                "track",
                "--pings",
                f"{c}/pings_header_only.csv",
                "--tgps",
                tgps,
                "--plan",
                f"{c}/plan_garbage.csv",
                "--out",
                "{t}/track",
            ],
        )
    )
    # issue 19: nominal lists, tasking, POP and spend; the people/tasking/pop commands
    db = "{t}/r.sqlite"
    for kind in ("nominals", "victims", "tasking", "pop", "spend"):
        for f in ("empty.csv", "binary.csv", "unclosed_quote.csv", "header_only.csv"):
            out.append(("import", ["import", kind, f"{c}/{f}", "--db", db, "--json"]))
    out += [
        ("people", ["people", "rank", "--db", db, "--since", "2025-99-01"]),
        ("people", ["people", "reassure", "--db", db, "--lpa", "X", "--start", "2025-07-01",
                    "--days", "0"]),
        ("people", ["people", "track", "--db", db, "--logs", f"{c}/binary.csv"]),
        ("people", ["people", "wanted", "--db", db, "--day", "ADV-nope"]),
        ("tasking", ["tasking", "review", "--db", db, "--lpa", "X", "--today", "nope"]),
        ("tasking", ["tasking", "list", "--db", db, "--lpa", "X", "--json"]),
        ("pop", ["pop", "spend", "--db", db, "--grant", "-1"]),
        ("pop", ["pop", "spend", "--db", db, "--out", "{t}/missing/dir/r.html"]),
        ("advance", ["advance", "calendar", "--db", db, "--lpas", "A", "--from", "2025-13"]),
        ("advance", ["advance", "day", "--db", db, "--lpa", "A", "--date", "2025-07-01",
                     "--briefing", f"{c}/binary.csv"]),
    ]  # fmt: skip
    return out


CASES = _cases()


def _commands() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_the_corpus_exercises_every_command():
    assert {name for name, _ in CASES} == _commands()


def _reconciled(out: str) -> None:
    for line in out.splitlines():
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(d, dict) or "read" not in d:
            continue
        if "inserted" in d:
            assert d["read"] == d["inserted"] + d["updated"] + d["duplicates"] + d["rejected"]
        elif "accepted" in d:
            assert d["read"] == d["accepted"] + d["rejected"]


def _param(argv: list[str]):
    return pytest.param(argv, id=" ".join(argv)[:90])


@pytest.mark.parametrize("argv", [_param(a) for _, a in CASES])
def test_no_traceback_exit_0_or_2_counts_reconcile(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # each case gets its own copy of the corpus: a command may legitimately write to a file it
    # is given (records migrate makes an empty file a SQLite store), never to the repository
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    # serve must never start a server here: the workspaces given cannot be opened
    argv = [a.replace("{c}", str(corpus)).replace("{t}", str(tmp_path)) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    cap = capsys.readouterr()
    assert code in (0, 2), cap.err
    assert "Traceback" not in cap.err
    if code == 2:
        lines = [ln for ln in cap.err.strip().splitlines() if ln.strip()]
        assert lines, "exit 2 without a message"
        assert lines[-1].startswith(("planner ", "usage:")) or "error" in lines[-1]
    else:
        _reconciled(cap.out)
    # nothing half-written: a refused load leaves no output
    if argv[0] == "load" and code == 2:
        assert not (tmp_path / "o.parquet").exists()

"""An example for every command's ``--help`` (shown as the epilog, one command per line).

Kept in one table so that a new command without an example fails ``tests/robustness/
test_help.py``; the area modules stay as they are.
"""

from __future__ import annotations

import argparse

#: command path (``"records summary"``) -> example lines
EXAMPLES: dict[str, tuple[str, ...]] = {
    "demo": ("planner demo --out workspace/demo --seed 7",),
    "load": (
        "planner load downloads/2025-*-west-midlands-street.csv --boundary geodata/force_area.parquet --out crimes.parquet",
        "planner load extract.csv --mapping mapping.json --boundary force.shp --boundary-crs EPSG:27700 --out crimes.parquet --json",
    ),
    "serve": (
        "planner serve --workspace workspace/demo --port 5006",
        "planner serve --workspace workspace/demo --tiles 'http://tiles.force.local/{z}/{x}/{y}.png'",
    ),
    "hotspots": (
        "planner hotspots --crimes crimes.parquet --boundary force.gpkg --method kde --cell 100 --out kde.parquet",
        "planner hotspots --crimes crimes.parquet --boundary force.gpkg --method gistar --correction fdr_bh --alpha 0.05 --out gistar.gpkg",
    ),
    "tgps": (
        "planner tgps --crimes crimes.parquet --boundary force.gpkg --area-share 0.022 --count 84 --workspace workspace/demo --out tgps.gpkg",
    ),
    "coverage": (
        "planner coverage --workspace workspace/demo",
        "planner coverage --tgps tgps.gpkg --crimes crimes.parquet --boundary force.gpkg --csv coverage.csv",
    ),
    "backtest": (
        "planner backtest --crimes crimes.parquet --boundary force.gpkg --train-months 12 --test-months 3 --json",
    ),
    "advance": (
        "planner advance --workspace workspace/demo --lpa Birmingham --as-of 2025-09-30 --out briefing/",
    ),
    "schedule": (
        "planner schedule --workspace workspace/demo --quarter 2025Q3 --out plans/2025Q3",
        "planner schedule --workspace workspace/demo --quarter 2025Q3 --force   # replace the plan in use",
    ),
    "servator": (
        "planner servator --workspace workspace/demo --start 2025-10-01 --days 14 --per-day 2 --out servator/",
    ),
    "track": (
        "planner track --workspace workspace/demo --pings pings/2025-09.csv --tgps workspace/demo/tgps.gpkg --out track/",
    ),
    "visibility": ("planner visibility --workspace workspace/demo --month 2025-09 --json",),
    "import": (
        "planner import engagements tracker.csv --db records.sqlite --json",
        "planner import abstractions app.csv --db postgresql://planner@db/records --map 'Start time=start'",
    ),
    "records": ("planner records summary --workspace workspace/demo --period FY2025",),
    "records summary": (
        "planner records summary --workspace workspace/demo --period 'since July 2025'",
        "planner records summary --db records.sqlite --period 2025-07-01:2025-09-30 --json",
    ),
    "records migrate": ("planner records migrate --db postgresql://planner@db/records",),
}

PREFIX = "examples:\n"


class ExampleFormatter(argparse.HelpFormatter):
    """argparse's formatter, but the examples epilog keeps its lines (no re-wrapping)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(PREFIX):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def add_examples(parser: argparse.ArgumentParser, path: str = "") -> None:
    """Give every subcommand below ``parser`` its examples epilog.

    Parameters
    ----------
    parser
        The ``planner`` parser (or a command's parser).
    path
        The command path of ``parser`` ("" for the top level).
    """
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, sub in action.choices.items():
            key = f"{path} {name}".strip()
            lines = EXAMPLES.get(key)
            if lines and not sub.epilog:
                sub.epilog = PREFIX + "\n".join(f"  {ln}" for ln in lines)
                sub.formatter_class = ExampleFormatter
            add_examples(sub, key)

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
    "records": ("planner records summary --workspace workspace/demo --period FY2025",),
    "records summary": (
        "planner records summary --workspace workspace/demo --period 'since July 2025'",
        "planner records summary --db records.sqlite --period 2025-07-01:2025-09-30 --json",
    ),
    "records migrate": ("planner records migrate --db postgresql://planner@db/records",),
    "init": (
        "planner init workspace/leics --name Leicestershire --wards wards.gpkg --lpa-field LPA --crimes police-uk/",
        "planner init workspace/leics --name Leicestershire --wards wards.shp --lpa-lookup ward_lpa.csv --crimes extract.csv --mapping mapping.json --json",
    ),
    "import": (
        "planner import engagements tracker.csv --workspace workspace/demo",
        "planner import crimes police-uk/2025-09 --workspace workspace/demo --map 'Crime ID=crime_id'",
    ),
    "status": ("planner status --workspace workspace/demo --json",),
    "report": ("planner report engagement --workspace workspace/demo --period FY2025",),
    "report community": (
        "planner report community --workspace workspace/demo --area Ladywood --out ladywood.html",
    ),
    "report engagement": (
        "planner report engagement --workspace workspace/demo --period 'since July 2025' --level team --by method",
    ),
    "report gaps": (
        "planner report gaps --workspace workspace/demo --period FY2025 --level ward --demand harm --csv gaps.csv",
    ),
    "report tgps": ("planner report tgps --workspace workspace/demo --period FY2025 --by method",),
    "report abstractions": (
        "planner report abstractions --workspace workspace/demo --period FY2025 --by lpa --perspective authorising",
    ),
    "report policy": ("planner report policy --json",),
    "report objectives": (
        "planner report objectives --workspace workspace/demo --period FY2025 --benchmark 2025-04-01:2025-06-30 --objective Birmingham=0.25",
    ),
    "report vacancies": ("planner report vacancies --workspace workspace/demo --period FY2025",),
    "report training": (
        "planner report training --workspace workspace/demo --period FY2025 --course NPP1",
    ),
    "report visibility": ("planner report visibility --workspace workspace/demo --months 3",),
    "report guarantee": (
        "planner report guarantee --workspace workspace/demo --period FY2025 --json",
    ),
    "report import": ("planner report import training npp_records.csv --workspace workspace/demo",),
    "users": ("planner users list --users users.json",),
    "users add": (
        "planner users add jsmith --role inspector --lpa Birmingham --users users.json   # asks for a password",
    ),
    "users remove": ("planner users remove jsmith --users users.json",),
    "users list": ("planner users list --users users.json --json",),
    "users passwd": ("planner users passwd jsmith --users users.json",),
    "users role": ("planner users role jsmith --role admin --users users.json",),
    # issue 19: targeting by need
    "tasking": ("planner tasking review --workspace workspace/demo --lpa Coventry",),
    "tasking list": ("planner tasking list --workspace workspace/demo --lpa Coventry --json",),
    "tasking review": (
        "planner tasking review --workspace workspace/demo --lpa Coventry --unit officer-hours",
    ),
    "people": ("planner people rank --workspace workspace/demo --lpa Coventry --top 10",),
    "people rank": (
        "planner people rank --workspace workspace/demo --lpa Coventry --since 2025-01-01 --top 10",
    ),
    "people victims": ("planner people victims --workspace workspace/demo --lpa Coventry",),
    "people reassure": (
        "planner people reassure --workspace workspace/demo --lpa Coventry --start 2026-01-05 --days 7 --per-day 2",
    ),
    "people track": (
        "planner people track --workspace workspace/demo --pings pings/2026-01.csv --logs visit_logs.csv",
    ),
    "people wanted": (
        "planner people wanted --workspace workspace/demo --day ADV-2025-12-13-Birmingham",
    ),
    "pop": ("planner pop spend --workspace workspace/demo --grant 3700000",),
    "pop list": ("planner pop list --workspace workspace/demo --tgp TGP-001",),
    "pop spend": (
        "planner pop spend --workspace workspace/demo --grant 3700000 --unit patrol-hours --out spend.html",
    ),
    "advance calendar": (
        "planner advance calendar --workspace workspace/demo --from 2026-04 --months 12",
        "planner advance calendar --workspace workspace/demo --set 2026-06=Coventry",
    ),
    "advance day": (
        "planner advance day --workspace workspace/demo --lpa Coventry --date 2026-01-10 --briefing briefing/targets.csv --resource officers=40,vehicles=8",
        "planner advance day --workspace workspace/demo --lpa Coventry --date 2026-01-10 --result arrests=6,visits=35,engagements=210",
    ),
    "audit": (
        "planner audit --workspace workspace/demo --since 2026-12-01 --action sign_in --json",
    ),
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

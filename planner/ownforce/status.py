"""``planner status``: what a workspace holds and what each page and command can do with it.

For every table: present or not, rows, the months or date range it covers and whether it is
synthetic. For every page and command: ready, or the tables it lacks with the exact
``planner import`` command (or the command that derives them) that fills each one. Panel-free:
the app's notices use :func:`missing_notice` too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from planner.ownforce.tables import GEOGRAPHY_TABLES, import_command, kind_of_table
from planner.workspace import SERIES_TABLES, Workspace

#: any of these satisfies "crimes"
CRIME_ALTERNATIVES = SERIES_TABLES
#: tables made from others by a command (not imported): table -> command (DIR = workspace)
DERIVED: dict[str, str] = {
    "tgps": "planner tgps --workspace DIR  (or your own: planner import tgps TGPS.gpkg --workspace DIR)",
    "tgps_coverage": "planner tgps --workspace DIR",
    "place_days": "planner import pings PINGS.csv --workspace DIR  (place_days follow from the "
    "pings and patrol logs once the workspace has TGPs; planner track --workspace DIR rebuilds them)",
    "delivered_place_days": "planner schedule --workspace DIR --quarter YYYYQN  (or planner import "
    "plans PLANS.csv --workspace DIR; with pings or patrol logs the per-method place-days follow)",
    "plan_visits": "planner schedule --workspace DIR --quarter YYYYQN  (or your own: planner import "
    "plans PLANS.csv --workspace DIR)",
}

#: what each app page and command reads: (name, kind, tables); "crimes" = any crime series
USES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Hotspots and TGPs", "page", ("crimes", "tgps")),
    ("Patrol plan", "page", ("plan_visits",)),
    ("Coverage and delivery", "page", ("plan_visits", "place_days", "tgps")),
    ("Op Advance", "page", ("crimes",)),
    ("Neighbourhoods", "page", ("records_store",)),
    ("planner hotspots --workspace", "command", ("crimes",)),
    ("planner tgps --workspace", "command", ("crimes",)),
    ("planner coverage --workspace", "command", ("crimes", "tgps")),
    ("planner hotspots/tgps --workspace --demand calls", "command", ("crimes", "calls")),
    ("planner backtest --workspace", "command", ("crimes",)),
    ("planner advance --workspace", "command", ("crimes",)),
    ("planner schedule --workspace", "command", ("tgps",)),
    ("planner schedule (own capacity)", "command", ("tgps", "teams", "officers")),
    ("planner track --workspace", "command", ("pings", "tgps")),
    ("planner visibility --workspace", "command", ("duty_periods", "custody_episodes", "stations")),
    ("planner records summary --workspace", "command", ("records_store", "officers", "postings")),
)

#: every table status reports on, in this order
CATALOG: tuple[str, ...] = (
    *GEOGRAPHY_TABLES,
    "crimes_real",
    "tgps",
    "tgps_coverage",
    "officers",
    "teams",
    "postings",
    "duty_periods",
    "custody_episodes",
    "stations",
    "patrol_logs",
    "pings",
    "plan_visits",
    "place_days",
    "delivered_place_days",
    "calls",
    "records_store",
)


def fill_command(table: str, workspace: str = "DIR") -> str:
    """The command that fills a missing table.

    Parameters
    ----------
    table
        Workspace table name ("crimes" for any crime series).
    workspace
        Workspace folder as shown in the command.

    Returns
    -------
    str
        A ``planner import`` command, or the command that derives the table.
    """
    if table in DERIVED:
        return DERIVED[table].replace("DIR", workspace)
    if table == "records_store":
        return (
            f"{import_command('engagements', workspace)}  "
            f"(and {import_command('abstractions', workspace)})"
        )
    if table in GEOGRAPHY_TABLES:
        return f"planner init {workspace} --wards WARDS --lpa-field FIELD --crimes MONTHS ..."
    kind = kind_of_table(table) or table
    return import_command(kind, workspace)


def _has(ws: Workspace, table: str) -> bool:
    if table == "crimes":
        return ws.series_table is not None
    return ws.has_table(table)


def missing_tables(ws: Workspace, tables: tuple[str, ...] | list[str]) -> list[str]:
    """The tables of ``tables`` the workspace lacks ("crimes" = any crime series).

    Parameters
    ----------
    ws : Workspace
        The workspace.
    tables : sequence of str
        Table names.

    Returns
    -------
    list of str
        Those it does not hold, in the given order.
    """
    return [t for t in tables if not _has(ws, t)]


def missing_notice(ws: Workspace, tables: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """For each missing table: its name and the exact command that fills it.

    Parameters
    ----------
    ws
        The workspace.
    tables
        Tables a page or command reads.

    Returns
    -------
    list[dict]
        ``{"table": name, "command": command}`` per missing table (empty when none is missing).
    """
    return [
        {"table": t, "command": fill_command(t, str(ws.root))} for t in missing_tables(ws, tables)
    ]


def _coverage(ws: Workspace, name: str) -> dict[str, Any]:
    """Months or date range of a table (cheap: reads one or two columns)."""
    path = ws.table_path(name)
    try:
        if name in SERIES_TABLES:
            m = pd.read_parquet(path, columns=["month"])["month"].dropna()
            months = sorted(m.unique().tolist())
            return {"months": len(months), "first": months[0], "last": months[-1]} if months else {}
        if name == "pings":
            files = sorted(Path(path).glob("*.parquet")) if Path(path).is_dir() else [Path(path)]
            stems = [f.stem for f in files]
            return {"months": len(stems), "first": stems[0], "last": stems[-1]} if stems else {}
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            names = pq.ParquetFile(path).schema_arrow.names
            for col in ("start", "date", "start_date"):
                if col in names:
                    v = pd.to_datetime(pd.read_parquet(path, columns=[col])[col], errors="coerce")
                    v = v.dropna()
                    if len(v):
                        return {"first": str(v.min().date()), "last": str(v.max().date())}
    except (OSError, ValueError, KeyError):
        return {}
    return {}


def status_report(workspace: str | Path) -> dict[str, Any]:
    """Tables, pages and commands of a workspace (the ``planner status --json`` object).

    Parameters
    ----------
    workspace
        Workspace folder.

    Returns
    -------
    dict
        ``workspace, name, today, synthetic`` (any table synthetic), ``tables`` (one entry per
        table of :data:`CATALOG` and any other registered table: present, rows, synthetic,
        months/first/last, and ``fill`` for a missing one), ``uses`` (pages and commands:
        ready or the missing tables with their commands) and ``missing`` (table -> command).
    """
    ws = Workspace(workspace)
    meta = ws.meta
    registered = meta.get("tables", {})
    names = list(CATALOG)
    for extra in SERIES_TABLES:
        if extra in registered and extra not in names:
            names.insert(names.index("crimes_real"), extra)
    names += [n for n in sorted(registered) if n not in names]
    tables: dict[str, Any] = {}
    for n in names:
        if ws.has_table(n):
            t = registered[n]
            tables[n] = {
                "present": True,
                "rows": t.get("rows"),
                "synthetic": bool(t.get("synthetic")),
                "description": t.get("description", ""),
                **_coverage(ws, n),
            }
        else:
            tables[n] = {"present": False, "fill": fill_command(n, str(ws.root))}
    uses = []
    for name, kind, need in USES:
        miss = missing_notice(ws, need)
        uses.append(
            {
                "name": name,
                "kind": kind,
                "needs": list(need),
                "ready": not miss,
                "missing": miss,
            }
        )
    missing = {n: t["fill"] for n, t in tables.items() if not t["present"]}
    return {
        "workspace": str(ws.root),
        "name": ws.name,
        "today": str(ws.today),
        "complete": ws.complete,
        "crime_series": ws.series_table,
        "synthetic": any(t.get("synthetic") for t in tables.values() if t["present"]),
        "tables": tables,
        "uses": uses,
        "missing": missing,
    }


def status_text(rep: dict[str, Any]) -> str:
    """The terminal form of :func:`status_report`.

    Parameters
    ----------
    rep
        A status report.

    Returns
    -------
    str
        Tables, then pages and commands, then the commands that fill what is missing.
    """
    lines = [f"{rep['name']}  ({rep['workspace']}; today {rep['today']})", "", "tables:"]
    for n, t in rep["tables"].items():
        if t["present"]:
            span = ""
            if t.get("first"):
                span = f"{t['first']}..{t['last']}" + (
                    f" ({t['months']} months)" if t.get("months") else ""
                )
            rows = "" if t.get("rows") is None else f"{t['rows']:,}"
            flag = "SYNTHETIC" if t["synthetic"] else "real"
            lines.append(f"  {n:<20} {rows:>11}  {flag:<9} {span}")
        else:
            lines.append(f"  {n:<20} {'-':>11}  missing")
    lines += ["", "pages and commands:"]
    for u in rep["uses"]:
        state = "ready" if u["ready"] else "needs " + ", ".join(m["table"] for m in u["missing"])
        lines.append(f"  {u['kind']:<8} {u['name']:<38} {state}")
    if rep["missing"]:
        lines += ["", "to fill the missing tables:"]
        lines += [f"  {n:<20} {cmd}" for n, cmd in rep["missing"].items()]
    return "\n".join(lines)

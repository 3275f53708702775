"""`planner audit`: list the audit trail (sign-ins, record changes, exports, role changes)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def register(sub) -> None:
    """Add ``planner audit`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    p = sub.add_parser(
        "audit",
        help="list the audit trail of the records store",
        description="List the append-only audit trail: sign-in and sign-out, every insert, "
        "update and delete of a record with the user, every export or download, every change "
        "of a user's role. Times are UTC.",
    )
    p.add_argument("--workspace", type=Path, help="workspace whose records store to read")
    p.add_argument("--db", metavar="URL", help="records store URL or SQLite path")
    p.add_argument(
        "--since",
        help="from this date or time (ISO, e.g. 2026-12-01 or 2026-12-01T08:00; naive = "
        "Europe/London)",
    )
    p.add_argument("--user", help="only this user")
    p.add_argument("--action", help="only this action (sign_in, insert, export, ...)")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=run)


def parse_since(text: str):
    """``--since`` as naive UTC (a naive value is Europe/London time).

    Parameters
    ----------
    text : str
        An ISO date or time.

    Returns
    -------
    datetime.datetime
        Naive UTC; a :class:`~planner.errors.PlannerError` when unparseable.
    """
    import pandas as pd

    from planner.errors import PlannerError

    try:
        ts = pd.Timestamp(text)
    except ValueError:
        raise PlannerError(f"--since {text!r}: not an ISO date or time") from None
    if ts is pd.NaT:
        raise PlannerError(f"--since {text!r}: not an ISO date or time")
    if ts.tzinfo is None:
        ts = ts.tz_localize("Europe/London", ambiguous=False, nonexistent="shift_forward")
    return ts.tz_convert("UTC").tz_localize(None).to_pydatetime()


def run(args) -> int:
    """Run ``planner audit``: list the audit trail of the records store.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.access.audit import ACTIONS, read_events
    from planner.errors import PlannerError
    from planner.records.store import open_store

    if not args.workspace and not args.db:
        raise PlannerError("give the records store with --workspace DIR or --db URL")
    if args.workspace and not (Path(args.workspace) / "workspace.json").exists():
        raise PlannerError(f"{args.workspace} is not a planner workspace (no workspace.json)")
    if args.action and args.action not in ACTIONS:
        raise PlannerError(f"--action {args.action!r}: one of {', '.join(ACTIONS)}")
    since = parse_since(args.since) if args.since else None
    with open_store(args.db, workspace=args.workspace) as store:
        df = read_events(store, since=since, user=args.user, action=args.action)
    rows = [
        {
            "at": r["at"].isoformat() + "Z",
            "user": str(r["user"]),
            "role": r["role"],
            "action": str(r["action"]),
            "table": r["table_name"],
            "record_id": r["record_id"],
            "detail": r["detail"],
            "source": str(r["source"]),
        }
        for r in df.to_dict("records")
    ]
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
        return 0
    for r in rows:
        what = "/".join(str(x) for x in (r["table"], r["record_id"]) if x)
        detail = json.dumps(r["detail"], default=str) if r["detail"] else ""
        print(f"{r['at']}\t{r['user']}\t{r['role'] or '-'}\t{r['action']}\t{what}\t{detail}")
    print(f"{len(rows)} entries", file=sys.stderr)
    return 0

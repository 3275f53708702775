"""`planner records summary|migrate` (imports: ``planner import`` in planner/cli/ownforce.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path


def _db_args(p) -> None:
    p.add_argument(
        "--db",
        metavar="URL",
        help="records store: sqlite:///path, a .sqlite file path or postgresql://user@host/db "
        "(default: records.sqlite in --workspace)",
    )
    p.add_argument("--workspace", type=Path, help="workspace folder (default store and today)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def register(sub) -> None:
    """Add ``planner records`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    r = sub.add_parser("records", help="neighbourhood records: summary figures, migrations")
    rs = r.add_subparsers(
        dest="records_command",
        metavar="ACTION",
        help="summary (headline figures for a period) or migrate (create or upgrade the schema)",
    )
    s = rs.add_parser(
        "summary",
        help="engagements, abstractions, DNO tenure and NPG indicators for a period",
        description="Headline figures for a period: engagements and abstraction hours per LPA, "
        "DNO vacancies, DNOs under two years in post, missing handovers, named officers and NPP1.",
    )
    _db_args(s)
    s.add_argument(
        "--period",
        required=True,
        help="START:END (2025-07-01:2025-09-30), 'since July 2025', "
        "'week commencing 29 September', 'FY2025', 'last 28 days'",
    )
    s.add_argument("--today", help="today's date for periods in words (default: workspace today)")
    s.set_defaults(func=run_summary)
    mg = rs.add_parser("migrate", help="create or upgrade the store schema to the latest version")
    _db_args(mg)
    mg.set_defaults(func=run_migrate)
    r.set_defaults(func=lambda a: (r.print_help(), 0)[1])


def _open(args):
    from planner.errors import PlannerError
    from planner.records.store import open_store
    from planner.workspace import Workspace

    if not args.db and not args.workspace:
        raise PlannerError("give the records store with --db URL (or --workspace DIR)")
    ws = Workspace(args.workspace) if args.workspace else None
    return open_store(args.db, workspace=ws), ws


def run_summary(args) -> int:
    """Run ``planner records summary``.

    Engagements, abstractions, DNO tenure and NPG indicators for a period.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.records.analytics import summary

    store, ws = _open(args)
    today = date.fromisoformat(args.today) if args.today else (ws.today if ws else date.today())
    with store:
        out = summary(store, args.period, today=today)
    if args.json:
        print(json.dumps(out, default=str))
    else:
        tag = " (SYNTHETIC demo data)" if out["synthetic"] else ""
        p = out["period"]
        print(f"Records {p['start']} to {p['end']}{tag}")
        print(f"  engagements: {out['engagements']['total']}")
        for k, v in out["engagements"]["by_lpa"].items():
            print(f"    {k:<16} {v}")
        a = out["abstractions"]
        print(f"  abstractions: {a['total']} ({a['hours']:.0f} hours lost)")
        t = out["tenure"]
        print(
            f"  DNO vacancies on {t['on']}: {t['dno_vacancies']}; DNOs under 2 years: "
            f"{t['dnos_under_2_years']}; missing handovers: {t['missing_handovers']}"
        )
        n = out["npg"]
        print(
            f"  wards with a named DNO and PCSO: {n['wards_with_named_dno_and_pcso']}/{n['wards']}; NPP1: {n['npp1_completion']}"
        )
        nh = out["neighbourhood"]
        soh = nh["soh_compliance_last_month"]
        soh_txt = f"{soh['share']:.0%} ({soh['month']})" if soh else "not imported"
        print(
            f"  DNO vacancies in the period: {nh['dno_vacancies_in_period']} (filled not from LAT: "
            f"{nh['vacancies_filled_not_from_lat']}); NPP2: {nh['npp2_completion']}; "
            f"SOH compliance: {soh_txt}; plan milestones overdue: {nh['milestones_overdue']}"
        )
    return 0


def run_migrate(args) -> int:
    """Run ``planner records migrate``: create or upgrade the store schema to the latest version.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    store, _ws = _open(args)
    with store:
        rev = store.revision()
        if args.json:
            print(json.dumps({"url": repr(store), "revision": rev}))
        else:
            print(f"{store!r} at revision {rev}")
    return 0

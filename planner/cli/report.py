"""`planner report ...`: the paper's neighbourhood commitments (issue 18) from the records store.

``community`` writes the public community report (HTML); the other actions print tables
(``--json`` for one JSON object, ``--csv FILE`` to save the table): engagement by level and
breakdown, engagement gaps, engagement inside TGPs, abstractions (and the specific records
behind a bar), the abstraction policy, commanders' objectives month by month, DNO vacancies
and who filled them, NPP1/NPP2 trajectories, visibility two months side by side and the
Neighbourhood Policing Guarantee (Single Online Home compliance, plan milestones), plus the
imports for training, compliance and milestones.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

PERIOD_HELP = (
    "START:END (2025-07-01:2025-09-30), 'since July 2025', 'week commencing 29 September', "
    "'July 2025', 'FY2025', 'last 28 days'"
)


def _common(p, *, period: bool = True, default_period: str | None = None) -> None:
    p.add_argument(
        "--db",
        metavar="URL",
        help="records store URL or path (default: records.sqlite in --workspace)",
    )
    p.add_argument("--workspace", type=Path, help="workspace folder (default store and today)")
    p.add_argument("--today", help="today's date for periods in words (default: workspace today)")
    if period:
        p.add_argument(
            "--period",
            required=default_period is None,
            default=default_period,
            help=PERIOD_HELP + (f" (default: '{default_period}')" if default_period else ""),
        )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write the table to a CSV file")


def register(sub) -> None:
    """Add ``planner report`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    r = sub.add_parser(
        "report",
        help="neighbourhood commitments: community report, engagement, abstractions, tenure, NPG",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    rs = r.add_subparsers(
        dest="report_command", metavar="ACTION", help="the report to produce (see each --help)"
    )
    r.set_defaults(func=lambda a: (r.print_help(), 0)[1])

    c = rs.add_parser(
        "community",
        help="the public community report (HTML) for a ward, neighbourhood, sector or LPA",
        description="Named officers of the area's team (name and role), engagement and "
        "visibility for the period and local priorities. No officer-level performance, no "
        "abstraction data, no individual records; synthetic data labelled.",
    )
    _common(c, default_period="last month")
    c.add_argument("--area", required=True, help="ward code, team code, sector code or LPA name")
    c.add_argument(
        "--kind",
        choices=["ward", "neighbourhood", "sector", "lpa"],
        help="what --area names (default: found from the name)",
    )
    c.add_argument("--out", type=Path, required=True, help="output file (.html or .pdf)")
    c.set_defaults(func=run_community)

    e = rs.add_parser("engagement", help="engagement counts at a drill-down level, broken down")
    _common(e)
    e.add_argument(
        "--level",
        default="lpa",
        choices=["force", "lpa", "sector", "team", "officer"],
        help="one row per force, LPA, sector, team or officer (default %(default)s)",
    )
    e.add_argument(
        "--by",
        choices=["engagement_type", "method", "priority_group", "minority_group"],
        help="also break the figures down by this field",
    )
    e.add_argument("--lpa", help="only this LPA")
    e.add_argument("--sector", help="sector code")
    e.add_argument("--team", help="team id")
    e.set_defaults(func=run_engagement)

    g = rs.add_parser(
        "gaps", help="areas with less engagement than their share of population (and demand)"
    )
    _common(g)
    g.add_argument(
        "--level",
        default="ward",
        choices=["ward", "sector", "neighbourhood", "lpa"],
        help="one row per ward, sector, neighbourhood or LPA (default %(default)s)",
    )
    g.add_argument(
        "--demand",
        choices=["none", "harm"],
        default="none",
        help="weigh in demand: crime harm per ward in the period (needs --workspace)",
    )
    g.set_defaults(func=run_gaps)

    t = rs.add_parser("tgps", help="engagements inside each TGP (needs --workspace with tgps)")
    _common(t)
    t.add_argument(
        "--by",
        choices=["engagement_type", "method", "priority_group", "minority_group"],
        help="also break the figures down by this field",
    )
    t.set_defaults(func=run_tgps)

    a = rs.add_parser(
        "abstractions",
        help="abstractions and hours by type/LPA/team/officer, or the records behind one bar",
    )
    _common(a)
    a.add_argument(
        "--by",
        default="abstraction_type",
        choices=["abstraction_type", "authoriser_level", "lpa", "team", "officer"],
        help="one row per abstraction type, authoriser level, LPA, team or officer "
        "(default %(default)s)",
    )
    a.add_argument(
        "--perspective",
        default="abstracted",
        choices=["abstracted", "authorising"],
        help="count by the abstracted officer's or the authoriser's team/LPA (default %(default)s)",
    )
    a.add_argument("--details", action="store_true", help="list the specific abstractions")
    a.add_argument("--officer", help="with --details: this officer's")
    a.add_argument("--team", help="with --details: this team's")
    a.add_argument("--lpa", help="with --details: this LPA's")
    a.add_argument("--type", dest="abstraction_type", help="with --details: this reason")
    a.set_defaults(func=run_abstractions)

    pol = rs.add_parser("policy", help="print the abstraction policy checked at recording")
    pol.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    pol.set_defaults(func=run_policy)

    o = rs.add_parser(
        "objectives", help="LPA commanders' abstraction objectives month by month vs benchmark"
    )
    _common(o)
    o.add_argument(
        "--benchmark", required=True, help="benchmark period, e.g. 2025-04-01:2025-06-30"
    )
    o.add_argument(
        "--objective",
        action="append",
        default=[],
        metavar="LPA=FRACTION",
        help="an LPA's objective (repeatable), e.g. --objective Birmingham=0.25",
    )
    o.set_defaults(func=run_objectives)

    v = rs.add_parser("vacancies", help="DNO vacancies in the period and who filled them")
    _common(v)
    v.set_defaults(func=run_vacancies)

    tr = rs.add_parser("training", help="NPP1/NPP2 completion month by month against a target")
    _common(tr)
    tr.add_argument(
        "--course",
        default="NPP1",
        choices=["NPP1", "NPP2"],
        help="the training course (default %(default)s)",
    )
    tr.add_argument("--target-date", help="date all should have completed (default 2025-11-30)")
    tr.set_defaults(func=run_training)

    vis = rs.add_parser(
        "visibility", help="visibility per LPA, last two full months side by side, with reasons"
    )
    _common(vis, period=False)
    vis.add_argument("--months", help="two months to compare instead, e.g. 2025-10,2025-11")
    vis.set_defaults(func=run_visibility)

    gu = rs.add_parser(
        "guarantee",
        help="Neighbourhood Policing Guarantee: SOH compliance by month, plan milestones",
    )
    _common(gu)
    gu.set_defaults(func=run_guarantee)

    im = rs.add_parser(
        "import",
        help="import training completions, SOH compliance or plan milestones (CSV)",
        description="Validate every row (rejects with a reason beside the file), store each "
        "row once (re-imports update in place). Prints read = accepted + rejected.",
    )
    im.add_argument(
        "kind",
        choices=["training", "soh", "milestones"],
        help="training records, SOH (state of the neighbourhood) or milestones",
    )
    im.add_argument("path", type=Path, help="the CSV to import")
    im.add_argument("--db", metavar="URL", help="records store URL (default: the workspace's)")
    im.add_argument("--workspace", type=Path, help="workspace folder")
    im.add_argument("--rejects", type=Path, help="rejects CSV (default beside PATH)")
    im.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    im.set_defaults(func=run_import)


def _open(args):
    from planner.errors import PlannerError
    from planner.records.store import open_store
    from planner.workspace import Workspace

    if not args.db and not args.workspace:
        raise PlannerError("give the records store with --db URL (or --workspace DIR)")
    ws = Workspace(args.workspace) if args.workspace else None
    return open_store(args.db, workspace=ws), ws


def _today(args, ws) -> date:
    from planner.errors import PlannerError

    if getattr(args, "today", None):
        try:
            return date.fromisoformat(args.today)
        except ValueError:
            raise PlannerError(f"--today {args.today!r} is not a date (YYYY-MM-DD)") from None
    return ws.today if ws else date.today()


def _emit(args, df, title: str, extra: dict | None = None) -> int:
    import pandas as pd

    if args.csv:
        df.to_csv(args.csv, index=False)
    if args.json:
        out = dict(extra or {})
        out["rows"] = json.loads(df.to_json(orient="records", date_format="iso"))
        print(json.dumps(out, default=str))
    else:
        print(title)
        with pd.option_context("display.width", 200, "display.max_rows", 500):
            print(df.to_string(index=False) if len(df) else "(none)")
    return 0


def run_community(args) -> int:
    """Run ``planner report community``.

    The public community report (HTML) for a ward, neighbourhood, sector or LPA.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.errors import PlannerError
    from planner.reports.community import build_community_report, render_html, render_pdf

    suffix = args.out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise PlannerError(f"--out {args.out}: the community report is written as .html or .pdf")
    if not args.out.parent.exists():
        raise PlannerError(f"--out {args.out}: folder {args.out.parent} does not exist")
    store, ws = _open(args)
    today = _today(args, ws)
    with store:
        rep = build_community_report(
            store, args.area, args.period, today=today, ws=ws, kind=args.kind
        )
    if suffix == ".pdf":
        render_pdf(rep, args.out, produced=today)
    else:
        args.out.write_text(render_html(rep, produced=today), encoding="utf-8")
    if args.json:
        print(json.dumps({"out": str(args.out), "area": rep.area.name, "kind": rep.area.kind}))
    else:
        tag = " (SYNTHETIC demo data)" if rep.synthetic else ""
        print(f"community report for {rep.area.kind} {rep.area.name}{tag}: {args.out}")
    return 0


def run_engagement(args) -> int:
    """Run ``planner report engagement``: engagement counts at a drill-down level, broken down.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.records.analytics import engagement_counts

    store, ws = _open(args)
    with store:
        df = engagement_counts(
            store,
            args.period,
            today=_today(args, ws),
            level=args.level,
            by=args.by,
            lpa=args.lpa,
            sector=args.sector,
            team_id=args.team,
        )
    return _emit(args, df, f"engagements by {args.level} ({args.period})")


def run_gaps(args) -> int:
    """Run ``planner report gaps``.

    Areas with less engagement than their share of population (and demand).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.errors import PlannerError
    from planner.records.neighbourhood import engagement_gaps_by, ward_demand

    store, ws = _open(args)
    today = _today(args, ws)
    demand = None
    if args.demand == "harm":
        if ws is None:
            raise PlannerError("--demand harm needs --workspace (the crime series)")
        demand = ward_demand(ws, args.period, today=today)
    with store:
        df = engagement_gaps_by(store, args.period, level=args.level, demand=demand, today=today)
    return _emit(args, df, f"engagement gaps ({args.period}); gap = below half the expected")


def run_tgps(args) -> int:
    """Run ``planner report tgps``: engagements inside each TGP (needs --workspace with tgps).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.errors import PlannerError
    from planner.records.neighbourhood import engagement_by_tgp

    store, ws = _open(args)
    if ws is None or not ws.has_table("tgps"):
        raise PlannerError("engagement inside TGPs needs --workspace with a tgps table")
    with store:
        df = engagement_by_tgp(store, ws.tgps(), args.period, today=_today(args, ws), by=args.by)
    return _emit(args, df, f"engagements inside TGPs ({args.period})")


def run_abstractions(args) -> int:
    """Run ``planner report abstractions``.

    Abstractions and hours by type/LPA/team/officer, or the records behind one bar.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.records.analytics import abstraction_summary
    from planner.records.neighbourhood import abstraction_details

    store, ws = _open(args)
    today = _today(args, ws)
    with store:
        if args.details:
            df = abstraction_details(
                store,
                args.period,
                today=today,
                officer_id=args.officer,
                team_id=args.team,
                lpa=args.lpa,
                abstraction_type=args.abstraction_type,
                perspective=args.perspective,
            )
            title = f"abstractions ({args.period})"
        else:
            df = abstraction_summary(
                store, args.period, by=args.by, perspective=args.perspective, today=today
            )
            title = f"abstractions by {args.by} ({args.period}, {args.perspective})"
    return _emit(args, df, title)


def run_policy(args) -> int:
    """Run ``planner report policy``: print the abstraction policy checked at recording.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from dataclasses import asdict

    from planner.records.policy import DEFAULT_POLICY

    if args.json:
        print(json.dumps(asdict(DEFAULT_POLICY)))
    else:
        print("\n".join(DEFAULT_POLICY.describe()))
    return 0


def run_objectives(args) -> int:
    """Run ``planner report objectives``.

    LPA commanders' abstraction objectives month by month vs benchmark.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.errors import PlannerError
    from planner.records.neighbourhood import objectives_by_month

    obj: dict[str, float] = {}
    for item in args.objective:
        k, sep, v = item.partition("=")
        try:
            obj[k.strip()] = float(v)
        except ValueError:
            raise PlannerError(
                f"--objective {item!r}: use LPA=FRACTION, e.g. Birmingham=0.25"
            ) from None
        if not sep or not 0 <= obj[k.strip()] < 1:
            raise PlannerError(f"--objective {item!r}: the fraction must be in [0, 1)")
    store, ws = _open(args)
    with store:
        df = objectives_by_month(store, args.benchmark, args.period, obj, today=_today(args, ws))
    return _emit(args, df, f"abstraction hours per week by month against {args.benchmark}")


def run_vacancies(args) -> int:
    """Run ``planner report vacancies``: DNO vacancies in the period and who filled them.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.records.neighbourhood import vacancy_fills

    store, ws = _open(args)
    with store:
        df = vacancy_fills(store, args.period, today=_today(args, ws))
    flagged = int((df["lat_backfill"] == False).sum())  # noqa: E712
    return _emit(
        args,
        df,
        f"DNO vacancies ({args.period}): {len(df)}; filled not from LAT (flagged): {flagged}",
        {"vacancies": int(len(df)), "not_lat_backfill": flagged},
    )


def run_training(args) -> int:
    """Run ``planner report training``: NPP1/NPP2 completion month by month against a target.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.records.neighbourhood import TrainingTarget, training_trajectory

    store, ws = _open(args)
    tgt = TrainingTarget(course=args.course)
    if args.target_date:
        try:
            when = date.fromisoformat(args.target_date)
        except ValueError:
            from planner.errors import PlannerError

            raise PlannerError(
                f"--target-date {args.target_date!r} is not a date (YYYY-MM-DD)"
            ) from None
        tgt = TrainingTarget(course=args.course, target_date=when)
    with store:
        df = training_trajectory(store, args.period, tgt, today=_today(args, ws))
    return _emit(args, df, f"{args.course} completion against {tgt.target_date}")


def run_visibility(args) -> int:
    """Run ``planner report visibility``.

    Visibility per LPA, last two full months side by side, with reasons.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.errors import PlannerError
    from planner.records.neighbourhood import visibility_two_months

    if args.workspace is None:
        raise PlannerError("visibility needs --workspace (duty periods, episodes, pings)")
    from planner.workspace import Workspace

    ws = Workspace(args.workspace)
    months = args.months.split(",") if args.months else None
    df = visibility_two_months(ws, _today(args, ws), months=months)
    return _emit(args, df, "visibility per LPA, two months side by side")


def run_guarantee(args) -> int:
    """Run ``planner report guarantee``.

    Neighbourhood Policing Guarantee: SOH compliance by month, plan milestones.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.records.guarantee import milestone_status, soh_by_month

    store, ws = _open(args)
    today = _today(args, ws)
    with store:
        soh = soh_by_month(store, args.period, today=today)
        ms = milestone_status(store, today)
    if args.json:
        print(
            json.dumps(
                {
                    "soh": json.loads(soh.to_json(orient="records")),
                    "milestones": json.loads(ms.to_json(orient="records", date_format="iso")),
                },
                default=str,
            )
        )
        return 0
    if args.csv:
        soh.to_csv(args.csv, index=False)
    print("Single Online Home compliance by month")
    print(soh.to_string(index=False) if len(soh) else "(none imported)")
    print(f"\nTown-centre and ASB action plan milestones on {today}")
    print(ms.to_string(index=False) if len(ms) else "(none imported)")
    return 0


def run_import(args) -> int:
    """Run ``planner report import``.

    Import training completions, SOH compliance or plan milestones (CSV).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.records.guarantee import import_table

    store, _ws = _open(args)
    with store:
        res = import_table(store, args.path, args.kind, rejects_path=args.rejects)
    if args.json:
        print(json.dumps(res))
    else:
        print(
            f"{args.kind}: read {res['read']} = accepted {res['accepted']} + rejected {res['rejected']}"
        )
        if res["rejected"]:
            print(f"rejected rows with reasons: {res['rejects_path']}", file=sys.stderr)
    return 0

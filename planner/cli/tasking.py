"""`planner tasking | people | pop` and `planner advance calendar|day` (issue 19).

Thin: parse, call :mod:`planner.tasking`, print. ``--json`` prints one JSON object on stdout.
Every read of nominal records and every change is audited with the command-line user
(``os:<login>``). Imports: ``planner import nominals|victims|tasking|pop|spend``.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path


def _store_args(p) -> None:
    p.add_argument(
        "--db",
        metavar="URL",
        help="records store: sqlite:///path, a .sqlite file or postgresql://user@host/db "
        "(default: records.sqlite in --workspace)",
    )
    p.add_argument("--workspace", type=Path, help="workspace folder (store, LPAs, TGPs, delivery)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def _date(v: str | None, flag: str) -> date | None:
    from planner.errors import PlannerError

    if not v:
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise PlannerError(f"{flag} {v!r} is not a date (YYYY-MM-DD)") from None


def _pairs(items: list[str], flag: str) -> dict[str, str]:
    from planner.errors import PlannerError

    out = {}
    for it in items:
        for part in it.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise PlannerError(f"{flag} {part!r}: use NAME=VALUE")
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def _window(p) -> None:
    p.add_argument("--since", help="first day of the offences counted (YYYY-MM-DD)")
    p.add_argument("--until", help="last day of the offences counted (YYYY-MM-DD)")


def register(sub) -> None:
    """Add ``planner tasking``, ``planner people`` and ``planner pop`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    t = sub.add_parser("tasking", help="multi-agency tasking meetings: items and review")
    ts = t.add_subparsers(
        dest="tasking_command", metavar="ACTION", help="list (the items) or review (delivery)"
    )
    li = ts.add_parser("list", help="an LPA's tasking items: target, action, owner, due, outcome")
    rv = ts.add_parser(
        "review",
        help="review of targeted activity: actions by status, delivery at each place target",
    )
    for p in (li, rv):
        _store_args(p)
        p.add_argument("--lpa", required=True, help="LPA name")
        p.add_argument("--meeting", help="one meeting id")
        p.add_argument("--today", help="review date YYYY-MM-DD (default: workspace today)")
    rv.add_argument(
        "--unit",
        choices=["patrol-hours", "officer-hours"],
        default="patrol-hours",
        help="unit of the hours (default %(default)s)",
    )
    li.set_defaults(func=run_tasking_list)
    rv.set_defaults(func=run_tasking_review)
    t.set_defaults(func=lambda a: (t.print_help(), 0)[1])

    pe = sub.add_parser(
        "people",
        help="offenders ranked by harm, repeat/vulnerable victims, reassurance visits (sensitive)",
        description="Nominal records (pseudonymised) from planner import nominals|victims. "
        "Every view is written to the audit trail.",
    )
    ps = pe.add_subparsers(
        dest="people_command",
        metavar="ACTION",
        help="rank, victims, reassure (plan visits), track (their delivery), wanted (on a day)",
    )
    rk = ps.add_parser("rank", help="repeat and high-harm offenders ranked per LPA by CCHI harm")
    _store_args(rk)
    rk.add_argument("--lpa", help="one LPA (default all)")
    rk.add_argument("--top", type=int, help="the first N of each LPA")
    _window(rk)
    rk.set_defaults(func=run_people_rank)
    vi = ps.add_parser("victims", help="repeat, high-risk and vulnerable victims per LPA")
    _store_args(vi)
    vi.add_argument("--lpa", help="one LPA (default all)")
    vi.add_argument("--min-repeat", type=int, default=2, help="victimisations of a repeat victim")
    _window(vi)
    vi.set_defaults(func=run_people_victims)
    re_ = ps.add_parser("reassure", help="plan reassurance visits to an LPA's vulnerable victims")
    _store_args(re_)
    re_.add_argument("--lpa", required=True, help="LPA name")
    re_.add_argument("--start", required=True, help="first day YYYY-MM-DD")
    re_.add_argument("--days", type=int, default=7, help="days planned (default %(default)s)")
    re_.add_argument("--per-day", type=int, default=2, help="visits a day (default %(default)s)")
    re_.add_argument("--minutes", type=float, default=15.0, help="minutes a visit")
    re_.add_argument("--team", help="team that visits")
    _window(re_)
    re_.set_defaults(func=run_people_reassure)
    tr = ps.add_parser(
        "track", help="match reassurance visits with GPS presence at the home, else visit logs"
    )
    _store_args(tr)
    tr.add_argument("--pings", type=Path, nargs="+", help="GPS ping CSV/Parquet file(s)")
    tr.add_argument("--logs", type=Path, help="visit logs CSV: visit_id, minutes")
    tr.add_argument("--radius", type=float, default=50.0, help="geofence radius (m)")
    tr.add_argument("--min-minutes", type=float, default=10.0, help="minutes of a delivered visit")
    tr.set_defaults(func=run_people_track)
    wa = ps.add_parser("wanted", help="the wanted suspects attached to an Op Advance day")
    _store_args(wa)
    wa.add_argument("--day", required=True, help="day id (planner advance day prints it)")
    wa.set_defaults(func=run_people_wanted)
    pe.set_defaults(func=lambda a: (pe.print_help(), 0)[1])

    po = sub.add_parser("pop", help="SYV POP plans per TGP and the hotspot grant spend")
    pos = po.add_subparsers(
        dest="pop_command", metavar="ACTION", help="list (POP plans) or spend (grant report)"
    )
    pl = pos.add_parser("list", help="POP plans (SARA stage, status) per TGP")
    _store_args(pl)
    pl.add_argument("--tgp", help="one TGP id")
    pl.set_defaults(func=run_pop_list)
    sp = pos.add_parser(
        "spend", help="grant spend by method and TGP against the grant, cost per patrol-hour"
    )
    _store_args(sp)
    sp.add_argument(
        "--grant", type=float, default=3_700_000.0, help="the grant in GBP (default %(default).0f)"
    )
    sp.add_argument(
        "--unit", choices=["patrol-hours", "officer-hours"], default="patrol-hours", help="unit"
    )
    sp.add_argument("--start", help="first day YYYY-MM-DD")
    sp.add_argument("--end", help="last day YYYY-MM-DD")
    sp.add_argument("--out", type=Path, help="write the report as HTML to this file")
    sp.set_defaults(func=run_pop_spend)
    po.set_defaults(func=lambda a: (po.print_help(), 0)[1])


def add_advance_actions(p) -> None:
    """Add ``calendar`` and ``day`` to the ``planner advance`` parser.

    Its briefing stays the default action.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The ``advance`` argparse parser.
    """
    acts = p.add_subparsers(
        dest="advance_command",
        metavar="ACTION",
        help="calendar (the rotation) or day (a day of action); none: the briefing",
    )
    c = acts.add_parser(
        "calendar",
        help="the Op Advance rotation: one LPA a month, the year ahead (generated fairly, editable)",
    )
    _store_args(c)
    c.add_argument("--from", dest="start", help="first month YYYY-MM (default: next month)")
    c.add_argument("--months", type=int, default=12, help="months ahead (default %(default)s)")
    c.add_argument("--lpas", help="comma-separated LPAs (default: the workspace's)")
    c.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="YYYY-MM=LPA",
        help="edit a month by hand (repeatable; kept when the calendar is generated again)",
    )
    c.add_argument("--show", action="store_true", help="only print the stored calendar")
    c.set_defaults(func=run_advance_calendar)
    d = acts.add_parser(
        "day", help="plan an LPA's day of action (locations, resources, comms) and its results"
    )
    _store_args(d)
    d.add_argument("--lpa", dest="day_lpa", required=True, help="LPA name")
    d.add_argument("--date", required=True, help="the day YYYY-MM-DD")
    d.add_argument("--briefing", type=Path, help="targets.csv (or folder) of planner advance --out")
    d.add_argument("--top", type=int, default=10, help="locations taken from the briefing")
    d.add_argument(
        "--resource",
        action="append",
        default=[],
        metavar="NAME=N",
        help="resources (officers, pcsos, specials, vehicles, dogs, horses, partners)",
    )
    d.add_argument(
        "--done", action="append", default=[], metavar="ITEM", help="a checklist item done"
    )
    d.add_argument(
        "--result",
        action="append",
        default=[],
        metavar="NAME=N",
        help="results: arrests, visits, engagements",
    )
    d.set_defaults(func=run_advance_day)


def _open(args):
    from planner.errors import PlannerError
    from planner.records.store import open_store
    from planner.workspace import Workspace

    if not args.db and not args.workspace:
        raise PlannerError("give the records store with --db URL (or --workspace DIR)")
    ws = Workspace(args.workspace) if args.workspace else None
    return open_store(args.db, workspace=ws), ws


def _table(ws, name: str):
    return ws.read_table(name) if ws is not None and ws.has_table(name) else None


def _print_frame(args, df, title: str, extra: dict | None = None) -> int:
    import pandas as pd

    if args.json:
        out = dict(extra or {})
        out["rows"] = json.loads(df.to_json(orient="records", date_format="iso"))
        print(json.dumps(out, default=str))
    else:
        print(title)
        with pd.option_context("display.width", 200, "display.max_rows", 500):
            print(df.to_string(index=False) if len(df) else "(none)")
    return 0


def _today(args, ws) -> date:
    return _date(getattr(args, "today", None), "--today") or (ws.today if ws else date.today())


def run_tasking_list(args) -> int:
    """Run ``planner tasking list``: an LPA's tasking items (target, action, owner, due, outcome).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.tasking.meetings import tasking_items

    store, ws = _open(args)
    with store:
        df = tasking_items(store, lpa=args.lpa, meeting_id=args.meeting, today=_today(args, ws))
    return _print_frame(args, df, f"Tasking items, {args.lpa}", {"lpa": args.lpa})


def run_tasking_review(args) -> int:
    """Run ``planner tasking review``: actions by status and delivery at each place target.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    import pandas as pd

    from planner.tasking.meetings import tasking_review

    store, ws = _open(args)
    with store:
        rep = tasking_review(
            store,
            lpa=args.lpa,
            plan=_table(ws, "plan_visits"),
            delivered=_table(ws, "delivered_place_days"),
            unit=args.unit,
            today=_today(args, ws),
            meeting_id=args.meeting,
        )
    if args.json:
        print(json.dumps(rep, default=str))
        return 0
    a = rep["actions"]
    print(f"Tasking review, {rep['lpa']}, to {rep['today']} (hours in {rep['unit']})")
    print(
        f"  actions: {a['total']} (open {a['open']}, in progress {a['in_progress']}, done "
        f"{a['done']}, dropped {a['dropped']}; overdue {a['overdue']})"
    )
    places = pd.DataFrame(rep["places"])
    if len(places):
        cols = ["item_id", "tgp_id", "window_start", "window_end", "planned_hours"]
        cols += ["delivered_hours", "delivered_share", "visits", "compliant_visits", "status"]
        with pd.option_context("display.width", 200):
            print(places[cols].to_string(index=False))
    else:
        print("  no place targets")
    return 0


def run_people_rank(args) -> int:
    """Run ``planner people rank``: repeat and high-harm offenders ranked per LPA (audited).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.tasking.people import offender_ranking

    store, _ws = _open(args)
    with store:
        df = offender_ranking(
            store,
            lpa=args.lpa,
            since=_date(args.since, "--since"),
            until=_date(args.until, "--until"),
            top=args.top,
        )
    return _print_frame(
        args, df, "Offenders ranked per LPA by harm (harm-table days; OFFICIAL-SENSITIVE)"
    )


def run_people_victims(args) -> int:
    """Run ``planner people victims``: repeat, high-risk and vulnerable victims (audited).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.tasking.people import repeat_victims

    store, _ws = _open(args)
    with store:
        df = repeat_victims(
            store,
            lpa=args.lpa,
            since=_date(args.since, "--since"),
            until=_date(args.until, "--until"),
            min_repeat=args.min_repeat,
        )
    return _print_frame(args, df, "Repeat, high-risk and vulnerable victims (OFFICIAL-SENSITIVE)")


def run_people_reassure(args) -> int:
    """Run ``planner people reassure``: plan reassurance visits to an LPA's victims.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.tasking.people import plan_reassurance

    store, _ws = _open(args)
    with store:
        df = plan_reassurance(
            store,
            lpa=args.lpa,
            start=_date(args.start, "--start"),  # type: ignore[arg-type]
            days=args.days,
            per_day=args.per_day,
            minutes=args.minutes,
            since=_date(args.since, "--since"),
            until=_date(args.until, "--until"),
            team_id=args.team,
        )
    return _print_frame(args, df, f"Reassurance visits planned, {args.lpa}: {len(df)}")


def run_people_track(args) -> int:
    """Run ``planner people track``: the delivery of the reassurance visits.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    import pandas as pd

    from planner.errors import InputError, PlannerError
    from planner.tasking.people import track_reassurance

    if not args.pings and not args.logs:
        raise PlannerError("give --pings FILE and/or --logs FILE")
    pings = None
    if args.pings:
        from planner.io.pings import load_pings

        pings = load_pings(list(args.pings), progress=False).pings
    logs = None
    if args.logs:
        try:
            logs = pd.read_csv(args.logs)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(args.logs, f"not a readable CSV ({exc})") from None
        for c in ("visit_id", "minutes"):
            if c not in logs.columns:
                raise InputError(args.logs, "missing column", line=1, field=c)
        mins = pd.to_numeric(logs["minutes"], errors="coerce")
        if mins.isna().any():
            i = int(mins.isna().to_numpy().nonzero()[0][0])
            raise InputError(args.logs, "minutes is not a number", line=i + 2, field="minutes")
        logs = logs.assign(minutes=mins)
    store, _ws = _open(args)
    with store:
        df = track_reassurance(
            store, pings=pings, logs=logs, radius_m=args.radius, min_minutes=args.min_minutes
        )
    counts = df["status"].value_counts().to_dict()
    return _print_frame(
        args,
        df,
        f"Reassurance visits: {counts}",
        {"by_status": {str(k): int(v) for k, v in counts.items()}},
    )


def run_people_wanted(args) -> int:
    """Run ``planner people wanted``: the wanted suspects of an Op Advance day.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.tasking.people import wanted_for_day

    store, _ws = _open(args)
    with store:
        df = wanted_for_day(store, None, args.day)
    return _print_frame(args, df, f"Wanted suspects for {args.day} (OFFICIAL-SENSITIVE)")


def run_pop_list(args) -> int:
    """Run ``planner pop list``: SYV POP plans (SARA stage, status) per TGP.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.tasking.pop import pop_plans, pop_summary

    store, _ws = _open(args)
    with store:
        df = pop_plans(store, tgp_id=args.tgp)
    s = pop_summary(df)
    cols = ["plan_id", "tgp_id", "title", "stage", "status", "owner", "updated_on"]
    return _print_frame(
        args,
        df[cols],
        f"SYV POP plans: {s['plans']} in {s['tgps']} TGPs; by SARA stage {s['by_stage']}",
        s,
    )


def run_pop_spend(args) -> int:
    """Run ``planner pop spend``: grant spend by method and TGP, cost per hour.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.tasking.pop import spend_report
    from planner.tasking.report import spend_html

    store, ws = _open(args)
    with store:
        rep = spend_report(
            store,
            grant_gbp=args.grant,
            delivered=_table(ws, "delivered_place_days"),
            unit=args.unit,
            start=_date(args.start, "--start"),
            end=_date(args.end, "--end"),
        )
    if args.out:
        from planner.errors import PlannerError

        if not args.out.parent.exists():
            raise PlannerError(f"--out {args.out}: folder {args.out.parent} does not exist")
        args.out.write_text(spend_html(rep), encoding="utf-8")
    if args.json:
        print(json.dumps(rep, default=str))
        return 0
    tag = " (SYNTHETIC demo data)" if rep["synthetic"] else ""
    cph = rep["cost_per_hour"]
    print(
        f"Grant spend{tag}: GBP {rep['spent_gbp']:,.2f} of GBP {rep['grant_gbp']:,.0f} "
        f"({rep['spent_share']:.1%}); remaining GBP {rep['remaining_gbp']:,.2f}"
    )
    hrs = rep["delivered_hours"]
    print(
        f"  delivered: {'-' if hrs is None else f'{hrs:,.1f}'} {rep['unit']}; cost per "
        f"{rep['unit'][:-1]}: {'-' if cph is None else f'GBP {cph:,.2f}'}"
    )
    per = rep["unit"][:-1]
    for r in rep["by_method"]:
        c = r["cost_per_hour"]
        cost = "" if c is None else f"GBP {c:,.2f} per {per}"
        print(
            f"    {r['method']:<12} GBP {r['spent_gbp']:>12,.2f}  "
            f"{r['share_of_grant']:6.1%} of grant  {cost}"
        )
    if args.out:
        print(f"report: {args.out}", file=sys.stderr)
    return 0


def _lpas(args, ws) -> list[str]:
    import pandas as pd

    from planner.errors import PlannerError

    if args.lpas:
        return [x.strip() for x in args.lpas.split(",") if x.strip()]
    if ws is not None and ws.has_table("lpas"):
        return sorted(pd.read_parquet(ws.table_path("lpas"), columns=["lpa"])["lpa"].astype(str))
    raise PlannerError("give the LPAs with --lpas A,B,C (or --workspace DIR with an LPA layer)")


def run_advance_calendar(args) -> int:
    """Run ``planner advance calendar``: the Op Advance rotation, one LPA a month.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    import pandas as pd

    from planner.errors import PlannerError
    from planner.tasking.advance import calendar, generate_calendar, set_month

    store, ws = _open(args)
    with store:
        if not args.show:
            lpas = _lpas(args, ws)
            start = args.start or str(pd.Period(_today(args, ws), freq="M") + 1)
            edits = _pairs(args.set, "--set")
            for mo, lpa in edits.items():
                set_month(store, mo, lpa, lpas=lpas)
            if not edits or args.start:
                generate_calendar(store, lpas, start, args.months)
        df = calendar(store)
    if not len(df) and args.show:
        raise PlannerError("no Op Advance calendar yet: planner advance calendar --from YYYY-MM")
    df = df.assign(edited=df["edited_by"].notna())[["month", "lpa", "edited"]]
    return _print_frame(args, df, "Op Advance rotation (one LPA a month)")


def run_advance_day(args) -> int:
    """Run ``planner advance day``: plan an LPA's day of action and record its results.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.tasking.advance import locations_from_briefing, plan_day, record_results

    store, _ws = _open(args)
    day = _date(args.date, "--date")
    assert day is not None
    locs = locations_from_briefing(args.briefing, args.top) if args.briefing else None
    with store:
        rec = plan_day(
            store,
            args.day_lpa,
            day,
            locations=locs,
            resources=_pairs(args.resource, "--resource"),
            checklist=dict.fromkeys(args.done, True),
        )
        if args.result:
            rec = record_results(store, rec["day_id"], _pairs(args.result, "--result"))
    if args.json:
        print(json.dumps(rec, default=str))
        return 0
    rot = "on the rotation" if rec["on_rotation"] else f"rotation LPA: {rec['rotation_lpa']}"
    print(f"Op Advance day {rec['day_id']} ({rec['lpa']}, {rec['day']}; {rot})")
    print(f"  locations: {len(rec['locations'])}; resources: {rec['resources'] or '-'}")
    print(f"  wanted suspects attached: {rec['wanted_count']}; checklist {rec['checklist_done']}")
    res = {k: rec[k] for k in ("arrests", "visits", "engagements")}
    print(f"  results: {res}")
    return 0

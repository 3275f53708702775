"""`planner schedule` (a quarter's patrol plan) and `planner servator` (Op Servator deployments)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from planner.paths import DEFAULT_WORKSPACE

#: keys of the `schedule --json` object the issue names (more follow them)
SCHEDULE_KEYS = ("total_hours", "by_method", "by_lpa", "by_tgp", "unmet_hours", "predictability")


def register(sub) -> None:
    """Add ``planner schedule``, ``planner servator`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    p = sub.add_parser(
        "schedule",
        help="plan a calendar quarter of TGP patrols (exact hours, capacity, unpredictable timetable)",
        description="Plan a calendar quarter: split the funded hours exactly, staff them with the "
        "delivery methods' capacity (HiGHS MILP), draw an unpredictable timetable, and export "
        "visits.parquet, CSV, one .ics per team and a printable briefing.",
    )
    p.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE, help="workspace folder")
    p.add_argument(
        "--quarter", required=True, help="calendar quarter, e.g. 2025Q4 (October-December 2025)"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default WORKSPACE/plan/QUARTER)"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed for the timetable draw (default: a fresh random seed, recorded)",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="plan configuration JSON (default WORKSPACE/plan/config.json)",
    )
    p.add_argument(
        "--pins", type=Path, default=None, help="CSV of pinned visits: tgp_id,start,minutes,team_id"
    )
    p.add_argument(
        "--target-unit",
        choices=("patrol-hours", "officer-hours"),
        default=None,
        help="unit the annual target counts (default: the configuration's, patrol-hours)",
    )
    p.add_argument(
        "--target-hours",
        type=float,
        default=None,
        help="the force's annual patrol-hours target (default: the configuration's, "
        "33,323 h, the West Midlands figure)",
    )
    p.add_argument(
        "--lpa-officers",
        type=int,
        default=None,
        metavar="N",
        help="a workspace without teams/officers: assume one LPA patrol team and one "
        "neighbourhood team of N officers in every LPA (stated in the summary)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 3 when the quarterly floor cannot be met",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing plan in the output folder (by default the command refuses "
        "to overwrite the plan the app shows)",
    )
    p.add_argument(
        "--json", action="store_true", help="print the summary as one JSON object on stdout"
    )
    p.set_defaults(func=run_schedule)

    s = sub.add_parser(
        "servator",
        help="draw unpredictable Op Servator deployments across sites",
        description="Draw Op Servator deployments (sites sampled by risk, mixed assets) for a period.",
    )
    s.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE, help="workspace folder")
    s.add_argument("--start", required=True, help="first day (YYYY-MM-DD)")
    s.add_argument("--days", type=int, required=True, help="number of days")
    s.add_argument("--out", type=Path, required=True, help="output folder")
    s.add_argument(
        "--sites",
        type=Path,
        default=None,
        help="sites CSV (site_id,name,kind,risk,x,y in EPSG:27700) or layer; default the TGPs",
    )
    s.add_argument("--per-day", type=int, default=None, help="deployments a day (default 4)")
    s.add_argument("--seed", type=int, default=None, help="random seed (default fresh, recorded)")
    s.add_argument(
        "--json", action="store_true", help="print the summary as one JSON object on stdout"
    )
    s.set_defaults(func=run_servator)


def _refuse_overwrite(out, force: bool) -> None:
    """A plan already in ``out`` (the one the app shows) is replaced only with ``--force``."""
    from planner.errors import PlannerError

    if not force and (Path(out) / "visits.parquet").exists():
        raise PlannerError(
            f"{out} already holds a plan (visits.parquet), the one the app shows; pass --force "
            "to replace it or --out DIR to write elsewhere"
        )


def run_schedule(args) -> int:
    """Run ``planner schedule``.

    Plan a calendar quarter of TGP patrols (exact hours, capacity, unpredictable timetable).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from dataclasses import replace

    import pandas as pd

    from planner.errors import PlannerError
    from planner.ownforce.planning import assumed_config, has_people, no_people_message
    from planner.planning.config import PlanConfig
    from planner.planning.export import write_plan
    from planner.planning.schedule import load_workspace_config, plan_workspace_quarter
    from planner.workspace import Workspace

    ws = Workspace(args.workspace)
    _refuse_overwrite(args.out or ws.path(f"plan/{args.quarter.strip().upper()}"), args.force)
    cfg = PlanConfig.load(args.config) if args.config else None
    assumed = None
    if cfg is None and not has_people(ws):
        if args.lpa_officers is None:
            raise PlannerError(no_people_message(ws))
        cfg = assumed_config(ws, args.lpa_officers)
        assumed = (
            f"capacity assumed (--lpa-officers {args.lpa_officers}): one LPA patrol team and "
            f"one neighbourhood team of {args.lpa_officers} officers in each LPA; import the "
            "force's teams and officers to plan on its own"
        )
    if args.target_unit is not None:
        cfg = replace(cfg or load_workspace_config(ws), target_unit=args.target_unit)
    if args.target_hours is not None:
        if args.target_hours <= 0:
            raise PlannerError("--target-hours must be positive")
        cfg = replace(cfg or load_workspace_config(ws), annual_target_hours=args.target_hours)
    pins = None
    if args.pins:
        try:
            pins = pd.read_csv(args.pins)
        except (OSError, pd.errors.ParserError) as exc:
            raise PlannerError(f"{args.pins}: cannot read pinned visits ({exc})") from None
    t0 = time.perf_counter()
    _refuse_overwrite(args.out or ws.path(f"plan/{args.quarter.strip().upper()}"), args.force)
    print(f"planning {args.quarter} for {ws.root}", file=sys.stderr)
    plan = plan_workspace_quarter(ws, args.quarter, cfg=cfg, seed=args.seed, pins=pins)
    out = args.out or ws.path(f"plan/{plan.quarter}")
    _refuse_overwrite(out, args.force)
    outline = ws.read_table("lpas") if ws.has_table("lpas") else None
    synthetic = bool(plan.summary.get("synthetic_inputs"))
    write_plan(plan, out, synthetic=synthetic, outline=outline)
    try:  # a plan written inside the workspace is registered there (the app lists it)
        rel = Path(out).resolve().relative_to(ws.root.resolve())
    except ValueError:
        rel = None
    if rel is not None:
        ws.add_table(
            f"plan_visits_{plan.quarter}",
            str(rel / "visits.parquet"),
            synthetic=synthetic,
            description=f"{'SYNTHETIC ' if synthetic else ''}patrol plan {plan.quarter} (planner schedule, seed {plan.seed})",
            rows=len(plan.visits),
        )
        from planner.ownforce.delivery import auto_refresh, merge_quarter_plan, own_force

        if own_force(ws):  # the demo writes its own combined plan
            merge_quarter_plan(ws, plan.quarter, plan.visits, synthetic=synthetic)
            auto_refresh(ws)  # the delivered place-days per method follow the plan
    s = plan.summary
    if assumed:
        s["capacity_assumed"] = assumed
        print(f"note: {assumed}", file=sys.stderr)
    s["out"] = str(out)
    s["seconds"] = round(time.perf_counter() - t0, 2)
    ordered = {k: s[k] for k in SCHEDULE_KEYS} | {
        k: v for k, v in s.items() if k not in SCHEDULE_KEYS
    }
    (Path(out) / "summary.json").write_text(json.dumps(ordered, indent=2))
    if not s["feasible"]:
        print(f"warning: {s['message']}", file=sys.stderr)
    for w in s["predictability"]["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    if args.json:
        print(json.dumps(ordered))
    else:
        print(
            f"{plan.quarter}: {s['total_hours']:,.2f} patrol-hours planned of {s['target_hours']:,.2f} (unmet {s['unmet_hours']:,.2f}); {s['officer_hours']:,.2f} officer-hours; {s['visits']} visits"
        )
        print(
            f"target counted in {s['target_unit']}: {s['planned_target_unit_hours']:,.2f} planned of "
            f"{s['target_unit_hours']:,.2f}"
        )
        for n in s["unit_notes"]:
            print(f"  {n}")
        for k, v in s["by_method"].items():
            print(f"  {k:<12} {v:>10,.2f} patrol-hours")
        pr = s["predictability"]
        print(
            f"  predictability: mean entropy {pr['mean_entropy']}, mean repeat share {pr['mean_repeat_share']}"
        )
        print(f"  written to {out}")
    return 3 if (args.strict and not s["feasible"]) else 0


def run_servator(args) -> int:
    """Run ``planner servator``: draw unpredictable Op Servator deployments across sites.

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
    from planner.planning.servator import ServatorConfig, plan_servator, read_sites, sites_from_tgps
    from planner.workspace import Workspace

    ws = Workspace(args.workspace)
    if args.sites:
        sites = read_sites(args.sites)
    elif ws.has_table("tgps"):
        sites = sites_from_tgps(ws.tgps())
    else:
        raise PlannerError("no sites: pass --sites FILE or build the TGP layer first")
    try:
        start = pd.Timestamp(args.start).date()
    except ValueError:
        raise PlannerError(f"--start '{args.start}' is not a date (YYYY-MM-DD)") from None
    cfg = (
        ServatorConfig()
        if args.per_day is None
        else ServatorConfig(deployments_per_day=args.per_day)
    )
    plan = plan_servator(sites, start, args.days, cfg=cfg, seed=args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    d = plan.deployments.copy()
    d.to_parquet(out / "deployments.parquet", index=False)
    for c in ("start", "end"):
        d[c] = pd.DatetimeIndex(d[c]).strftime("%Y-%m-%dT%H:%M:%S%z")
    d.to_csv(out / "deployments.csv", index=False)
    plan.coverage.to_csv(out / "coverage.csv", index=False)
    plan.predictability.to_csv(out / "predictability.csv", index=False)
    summary = plan.summary() | {
        "start": str(start),
        "out": str(out),
        "synthetic_inputs": bool(not args.sites and ws.is_synthetic("tgps")),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"{summary['deployments']} deployments over {args.days} days at {summary['sites_used']} sites; written to {out}"
        )
    return 0

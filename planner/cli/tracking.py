"""`planner track` and `planner visibility`.

``planner track``: GPS pings -> patrol minutes per TGP, plan against delivery;
``planner visibility``: share of duty time out in the community.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def register(sub) -> None:
    """Add ``planner track``, ``planner visibility`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    p = sub.add_parser(
        "track",
        help="GPS pings to patrol minutes in each TGP (and plan against delivery)",
        description="Read radio/vehicle GPS pings (CSV or Parquet), geofence every officer's track "
        "against the TGP layer and write place-days (officer- and presence-minutes, visits, "
        "Koper-compliant visits per TGP and day). With --plan, compare with the plan's visits. "
        "Rejected pings go to a CSV with a reason; read = accepted + rejected.",
    )
    p.add_argument(
        "--pings",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="ping files or folders (default with --workspace: the workspace's own pings)",
    )
    p.add_argument(
        "--tgps",
        type=Path,
        help="TGP layer (GeoPackage, GeoParquet, GeoJSON; default with --workspace: its TGPs)",
    )
    p.add_argument("--plan", type=Path, help="plan folder (visits.parquet from `planner schedule`)")
    p.add_argument(
        "--logs", nargs="+", type=Path, default=[], help="patrol logs without GPS (CSV/Parquet)"
    )
    p.add_argument("--mapping", type=Path, help="JSON column mapping for the ping files")
    p.add_argument(
        "--workspace",
        type=Path,
        help="workspace for officers and teams (delivery by method); alone (no --pings/--tgps/"
        "--out) it tracks the workspace's own pings, patrol logs and plan and registers "
        "place_days (and delivered_place_days) in it for the Delivery page",
    )
    p.add_argument(
        "--gap-cap",
        type=float,
        default=2.0,
        help="longest gap between pings counted, minutes (default 2)",
    )
    p.add_argument(
        "--as-of", help="report delivery up to this date (YYYY-MM-DD; default: the plan's last day)"
    )
    p.add_argument(
        "--partitions", type=int, default=1, help="officer partitions run in parallel processes"
    )
    p.add_argument(
        "--out", type=Path, help="output folder (required unless --workspace tracks the workspace)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--stream",
        choices=("auto", "always", "never"),
        default="auto",
        help="spill the checked pings to officer buckets on disk and track one bucket at a "
        "time, so memory is bounded by a bucket, not the input (auto: above 20M pings)",
    )
    p.add_argument(
        "--spill-dir",
        type=Path,
        help="folder for the officer buckets of a streamed run (default: a temporary folder "
        "in --out, removed afterwards; on a cluster, a folder every worker sees)",
    )
    p.add_argument(
        "--target-unit",
        choices=("patrol-hours", "officer-hours"),
        default="patrol-hours",
        help="unit the annual target and its trajectory count (default patrol-hours: presence "
        "whatever the crew, the unit the plan is built in; officer-hours: x crew)",
    )
    from planner.cli.load import add_scheduler_argument

    add_scheduler_argument(p)
    p.set_defaults(func=run_track)

    v = sub.add_parser(
        "visibility",
        help="share of duty time out in the community per officer, team and LPA",
        description="From duty periods, custody/investigation episodes and GPS time inside stations "
        "and custody suites, the share of duty time officers spent out in the community in a month.",
    )
    v.add_argument(
        "--workspace",
        type=Path,
        required=True,
        help="workspace with duty_periods (and custody_episodes, stations, pings)",
    )
    v.add_argument("--month", required=True, help="YYYY-MM")
    v.add_argument("--json", action="store_true", help="print one JSON object")
    v.set_defaults(func=run_visibility)


def _track_streamed(args, out: Path, tgps, cfg, after: dict, client):
    """A streamed run in ``--spill-dir`` or a temporary folder inside ``--out``.

    :func:`planner.tracking.stream.track_streamed`; the temporary folder is removed afterwards.
    """
    import shutil
    import tempfile

    from planner.tracking.stream import track_streamed

    spill = Path(args.spill_dir) if args.spill_dir else Path(tempfile.mkdtemp(".spill", dir=out))
    try:
        return track_streamed(
            args.pings,
            tgps,
            cfg,
            spill,
            mapping=args.mapping,
            rejects_path=out / "pings_rejects.csv",
            progress=sys.stderr.isatty(),
            client=client,
            **after,
        )
    finally:
        if not args.spill_dir:
            shutil.rmtree(spill, ignore_errors=True)


def run_track(args) -> int:
    """Run ``planner track``: GPS pings to patrol minutes in each TGP (and plan against delivery).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from datetime import date

    import pandas as pd

    from planner.errors import PlannerError
    from planner.io.boundaries import read_layer
    from planner.io.pings import load_pings
    from planner.progress import step
    from planner.tracking.chain import track
    from planner.tracking.delivery import delivery_report, read_plan
    from planner.tracking.dwell import DwellConfig
    from planner.tracking.logs import read_logs

    if args.gap_cap <= 0:
        raise PlannerError("--gap-cap must be positive (minutes)")
    if args.workspace and not args.pings and not args.tgps and not args.out and not args.plan:
        return _track_workspace(args)
    if not args.pings or not args.tgps or not args.out:
        raise PlannerError(
            "give --pings PATH, --tgps FILE and --out DIR, or --workspace DIR alone to track "
            "the workspace's own pings"
        )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tgps, _ = read_layer(args.tgps)
    if "tgp_id" not in tgps.columns:
        raise PlannerError(f"{args.tgps}: the TGP layer has no 'tgp_id' column")
    cfg = DwellConfig(gap_cap_s=args.gap_cap * 60.0)
    logs = pd.concat([read_logs(p) for p in args.logs], ignore_index=True) if args.logs else None
    plan = read_plan(args.plan) if args.plan else None
    officer_team = team_kind = None
    if plan is not None and args.workspace:
        from planner.workspace import Workspace

        ws = Workspace(args.workspace)
        officer_team = ws.officers().set_index("officer_id")["team_id"]
        team_kind = ws.teams().set_index("team_id")["kind"]
    after: dict[str, Any] = {
        "logs": logs,
        "plan": plan,
        "officer_team": officer_team,
        "team_kind": team_kind,
    }
    from planner.cluster import connect, scheduler_address
    from planner.tracking.stream import STREAM_ABOVE, estimate_pings

    streamed = args.stream == "always" or (
        args.stream == "auto" and estimate_pings(args.pings) > STREAM_ABOVE
    )
    with connect(scheduler_address(args.scheduler)) as client:
        if streamed:
            loaded, tr = _track_streamed(args, out, tgps, cfg, after, client)
        else:
            with step(f"track: reading pings from {len(args.pings)} path(s)"):
                loaded = load_pings(
                    args.pings,
                    mapping=args.mapping,
                    rejects_path=out / "pings_rejects.csv",
                    progress=sys.stderr.isatty(),
                )
            print(
                f"track: {loaded.accepted:,} pings accepted of {loaded.read:,} read",
                file=sys.stderr,
            )
            with step("track: visits, dwell and place-days per officer"):
                tr = track(
                    loaded.pings, tgps, cfg, partitions=args.partitions, client=client, **after
                )
    res, pdays, log_stats = tr.dwell, tr.place_days, tr.log_stats
    pdays.to_parquet(out / "place_days.parquet", index=False)
    res.visits.to_parquet(out / "visits.parquet", index=False)
    by_tgp = pdays.groupby("tgp_id")[
        ["officer_minutes", "presence_minutes", "visits", "compliant_visits"]
    ].sum()
    summary = {
        "pings_read": loaded.read,
        "pings_accepted": loaded.accepted,
        "pings_rejected": loaded.rejected,
        "rejects_by_reason": loaded.summary()["by_reason"],
        "rejects_file": loaded.rejects_file,
        "pings_dropped_speed": res.stats.speed_dropped,
        "duplicate_pings": res.stats.duplicates,
        "officers": int(len(res.officers)),
        "officer_hours": round(float(pdays["officer_minutes"].sum()) / 60.0, 4),
        "presence_hours": round(float(pdays["presence_minutes"].sum()) / 60.0, 4),
        "by_tgp": {
            str(k): {
                "officer_minutes": round(float(r.officer_minutes), 4),
                "presence_minutes": round(float(r.presence_minutes), 4),
                "visits": int(r.visits),
                "compliant_visits": int(r.compliant_visits),
            }
            for k, r in by_tgp.iterrows()
        },
        "out": str(out),
    }
    if log_stats is not None:
        summary["logs"] = {k: round(v, 4) for k, v in log_stats.items()}
    if plan is not None:
        delivered = tr.delivered_place_days
        assert delivered is not None  # track() fills it when given a plan
        as_of = (
            date.fromisoformat(args.as_of)
            if args.as_of
            else (pd.to_datetime(plan["date"]).max().date() if len(plan) else None)
        )
        lpa_of = tgps.set_index("tgp_id")["lpa"] if "lpa" in tgps.columns else None
        from planner.tracking.delivery import DeliveryConfig

        rep = delivery_report(
            plan,
            delivered,
            lpa_of=lpa_of,
            as_of=as_of,
            cfg=DeliveryConfig(target_unit=args.target_unit),
        )
        summary["plan"] = rep.summary()
        planned = rep.by["tgp_id"].set_index("tgp_id")
        for k, r in planned.iterrows():
            e = summary["by_tgp"].setdefault(
                str(k),
                {
                    "officer_minutes": 0.0,
                    "presence_minutes": 0.0,
                    "visits": 0,
                    "compliant_visits": 0,
                },
            )
            e["planned_minutes"] = round(float(r.planned_hours) * 60, 4)
            e["planned_officer_minutes"] = round(float(r.planned_officer_hours) * 60, 4)
        for lvl, df in rep.by.items():
            df.to_csv(out / f"delivery_by_{lvl}.csv", index=False)
        rep.place_days.to_csv(out / "place_day_share.csv", index=False)
        if rep.trajectory is not None:
            rep.trajectory.daily.to_csv(out / "trajectory.csv", index=False)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"pings read {loaded.read:,}  accepted {loaded.accepted:,}  rejected {loaded.rejected:,}; "
            f"officer-hours {summary['officer_hours']:,.1f}  presence-hours {summary['presence_hours']:,.1f} "
            f"in {len(by_tgp)} TGP(s)"
        )
        if "plan" in summary:
            pl = summary["plan"]
            u = pl["target_unit"]
            print(
                f"plan: {pl['planned_target_unit_hours']:,.1f} {u} planned, {pl['delivered_target_unit_hours']:,.1f} {u} delivered; place-days delivered {pl['place_day_share']:.1%} (target {pl['place_day_target']:.0%})"
            )
            if pl.get("trajectory", {}).get("alert"):
                t = pl["trajectory"]
                print(
                    f"ALERT: year-end forecast {t['forecast_hours']:,.0f} {u}, {t['shortfall_hours']:,.0f} {u} short of {t['target_hours']:,.0f} {u}"
                )
        print(f"wrote {out}")
    return 0


def _track_workspace(args) -> int:
    """``planner track --workspace DIR``: the workspace's own delivery chain, registered."""
    from planner.errors import PlannerError
    from planner.ownforce.delivery import refresh_delivery
    from planner.tracking.dwell import DwellConfig
    from planner.workspace import Workspace

    ws = Workspace(args.workspace)
    d = refresh_delivery(ws, cfg=DwellConfig(gap_cap_s=args.gap_cap * 60.0))
    if d is None:
        need = [
            t
            for t, ok in (("tgps", ws.has_table("tgps")), ("pings", ws.has_table("pings")))
            if not ok
        ]
        raise PlannerError(
            f"workspace {ws.root} has nothing to track: missing {' and '.join(need)} "
            f"(planner import pings PINGS.csv --workspace {ws.root}; planner tgps --workspace "
            f"{ws.root})"
        )
    d["workspace"] = str(ws.root)
    if args.json:
        print(json.dumps(d))
    else:
        tables = ", ".join(f"{k} {v:,} rows" for k, v in d["tables"].items())
        print(
            f"tracked {d['pings']:,} pings and {d['logs']:,} patrol log rows: officer-hours "
            f"{d['officer_hours']:,.2f}, presence-hours {d['presence_hours']:,.2f}; registered "
            f"{tables} in {ws.root}"
        )
    return 0


def run_visibility(args) -> int:
    """Run ``planner visibility``.

    Share of duty time out in the community per officer, team and LPA.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.tracking.visibility import workspace_visibility
    from planner.workspace import Workspace

    ws = Workspace(args.workspace)
    rep = workspace_visibility(ws, args.month)
    s = rep.summary()
    if args.json:
        print(json.dumps(s))
    else:
        print(
            f"visibility {args.month} ({'SYNTHETIC demo data' if s['synthetic'] else 'workspace data'}): force {s['force']['community_share']:.1%} of duty time in the community"
        )
        for lpa, r in s["by_lpa"].items():
            print(
                f"  {lpa:<28} {r['community_share']:6.1%}  custody {r['custody_hours']:8.1f} h  investigation {r['investigation_hours']:8.1f} h  station {r['station_hours']:8.1f} h"
            )
    return 0

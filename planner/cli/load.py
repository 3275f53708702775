"""`planner load`: validate crime files and convert them to GeoParquet, with reconciliation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from planner.io.limits import LoadLimits


def register(sub) -> None:
    """Add ``planner load`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    p = sub.add_parser(
        "load",
        help="validate crime files and write them as GeoParquet (rejects to CSV)",
        description="Read police.uk street CSVs (.csv, .csv.gz, monthly .zip, folders), 2011-format "
        "files, police.uk API output or force extracts (with --mapping), validate every row and write "
        "the accepted rows as GeoParquet (EPSG:27700). Every rejected row goes to the rejects CSV "
        "with a reason; read = accepted + rejected.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="crime files or folders")
    p.add_argument(
        "--boundary", type=Path, help="force area (any polygon layer); points outside are rejected"
    )
    p.add_argument(
        "--boundary-crs",
        metavar="CRS",
        help="CRS of a --boundary file that declares none, e.g. EPSG:27700 (a shapefile "
        "without its .prj)",
    )
    p.add_argument(
        "--max-outside-share",
        type=float,
        default=LoadLimits.max_outside_share,
        metavar="SHARE",
        help="refuse the load when more than this share of rows falls outside --boundary "
        "(a wrong-CRS boundary); default %(default)s, 1 turns the check off",
    )
    p.add_argument(
        "--mapping", type=Path, help="JSON column mapping for force extracts (see docs/data.md)"
    )
    p.add_argument(
        "--harm", type=Path, help="harm weight table CSV (default: geodata/harm_weights.csv)"
    )
    p.add_argument(
        "--offence-weights",
        type=Path,
        help="per-offence CCHI/CSS weights (ho_code, weight) for extracts with Home Office codes",
    )
    p.add_argument("--out", type=Path, required=True, help="output GeoParquet file")
    p.add_argument("--rejects", type=Path, help="rejects CSV (default: OUT with _rejects.csv)")
    p.add_argument("--json", action="store_true", help="print the reconciliation as JSON")
    p.add_argument(
        "--by-force",
        action="store_true",
        help="the police.uk archive (one folder per month, YYYY-MM-<force>-street.csv files): "
        "one OUT/<force>.parquet and OUT/<force>_rejects.csv per force; --out is a folder and "
        "--boundary one layer for every force or a folder of <force> layers",
    )
    add_scheduler_argument(p)
    p.set_defaults(func=run)


def add_scheduler_argument(p) -> None:
    """``--scheduler ADDRESS`` (default ``$DASK_SCHEDULER_ADDRESS``): run on a Dask cluster.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The subcommand's parser.
    """
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler (tcp://HOST:PORT) to run the partitions on "
        "(default: $DASK_SCHEDULER_ADDRESS; neither: this machine)",
    )


def _harm(args):
    from planner.harm import HarmTable

    harm = HarmTable.from_csv(args.harm) if args.harm else HarmTable.default()
    if args.offence_weights:
        harm = HarmTable.from_offence_weights(args.offence_weights, harm)
    return harm


def _run_by_force(args) -> int:
    from planner.cluster import connect, scheduler_address
    from planner.errors import PlannerError
    from planner.national import load_by_force

    if args.out.suffix or args.rejects:
        raise PlannerError(
            "--by-force writes OUT/<force>.parquet and OUT/<force>_rejects.csv: give --out a "
            "folder (and no --rejects)"
        )
    with connect(scheduler_address(args.scheduler)) as client:
        res = load_by_force(
            args.paths,
            args.out,
            boundary=args.boundary,
            mapping=args.mapping,
            harm=_harm(args),
            progress=sys.stderr.isatty(),
            client=client,
            boundary_crs=args.boundary_crs,
            limits=LoadLimits(max_outside_share=args.max_outside_share),
        )
    forces = {r.force: {**r.summary, "out": r.out} for r in res}
    total = {
        k: sum(f[k] for f in forces.values()) for k in ("read", "accepted", "rejected", "files")
    }
    if args.json:
        print(json.dumps({**total, "out": str(args.out), "forces": forces}))
    else:
        for f, s in forces.items():
            print(
                f"{f:<28} read {s['read']:,}  accepted {s['accepted']:,}  rejected {s['rejected']:,}"
            )
        print(
            f"read {total['read']:,}  accepted {total['accepted']:,}  rejected "
            f"{total['rejected']:,} ({total['files']} file(s), {len(forces)} force(s)); wrote {args.out}"
        )
    return 0


def run(args) -> int:
    """Run ``planner load``: validate crime files and write them as GeoParquet (rejects to CSV).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.cluster import connect, scheduler_address
    from planner.errors import PlannerError
    from planner.io.crime_stream import load_to_parquet

    if not 0 <= args.max_outside_share <= 1:
        raise PlannerError(
            f"--max-outside-share must be between 0 and 1, not {args.max_outside_share}"
        )
    if args.by_force:
        return _run_by_force(args)
    if args.out.suffix != ".parquet":
        raise PlannerError(f"--out must be a .parquet file, not {args.out}")
    harm = _harm(args)
    rejects = args.rejects or args.out.with_name(args.out.stem + "_rejects.csv")
    from planner.progress import step

    with (
        step(f"load: reading, checking and writing crimes from {len(args.paths)} path(s)"),
        connect(scheduler_address(args.scheduler)) as client,
    ):
        res = load_to_parquet(
            args.paths,
            args.out,
            boundary=args.boundary,
            mapping=args.mapping,
            harm=harm,
            rejects_path=rejects,
            progress=sys.stderr.isatty(),
            client=client,
            boundary_crs=args.boundary_crs,
            limits=LoadLimits(max_outside_share=args.max_outside_share),
        )
    if res.boundary_report:
        print(f"boundary: {res.boundary_report}", file=sys.stderr)
    s = res.summary() | {"boundary": res.boundary_report}
    if args.json:
        print(json.dumps(s))
    else:
        print(
            f"read {s['read']:,}  accepted {s['accepted']:,}  rejected {s['rejected']:,}  ({s['files']} file(s))"
        )
        for reason, n in s["by_reason"].items():
            print(f"  rejected: {reason:<26} {n:,}")
        print(f"wrote {args.out}; rejects in {rejects}")
    return 0

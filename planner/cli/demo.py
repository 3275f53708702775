"""`planner demo`: build the seeded West Midlands demo workspace."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from planner.paths import DEFAULT_WORKSPACE


def register(sub) -> None:
    """Add ``planner demo`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    p = sub.add_parser(
        "demo",
        help="build the West Midlands demo workspace (real boundaries + synthetic records)",
        description="Build the seeded demo workspace: real WM boundaries and the real 2018-06 crime "
        "month, plus synthetic (clearly flagged) timestamped crime, officers, plans, pings and records.",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_WORKSPACE,
        help=f"workspace folder (default {DEFAULT_WORKSPACE})",
    )
    p.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the documented demo seed)"
    )
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.set_defaults(func=run)


def run(args) -> int:
    """Run ``planner demo``.

    Build the West Midlands demo workspace (real boundaries + synthetic records).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.demo import DEMO_SEED, build_demo

    seed = DEMO_SEED if args.seed is None else args.seed
    t0 = time.perf_counter()
    if Path(args.out).exists() and not Path(args.out).is_dir():
        from planner.errors import PlannerError

        raise PlannerError(f"--out {args.out} is a file; give a folder for the workspace")
    print(f"building demo workspace in {args.out} (seed {seed})", file=sys.stderr)
    ws = build_demo(args.out, seed=seed)
    tables = ws.meta["tables"]
    summary = {
        "workspace": str(args.out),
        "seed": seed,
        "today": str(ws.today),
        "seconds": round(time.perf_counter() - t0, 1),
        "tables": {
            k: {"rows": v["rows"], "synthetic": v["synthetic"]} for k, v in sorted(tables.items())
        },
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"demo workspace ready in {summary['seconds']} s: {len(tables)} tables", file=sys.stderr
        )
        for k, v in sorted(tables.items()):
            flag = "SYNTHETIC" if v["synthetic"] else "real"
            print(
                f"  {k:<22} {v['rows'] if v['rows'] is not None else '':>9}  {flag}",
                file=sys.stderr,
            )
    return 0

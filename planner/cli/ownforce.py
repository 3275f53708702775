"""`planner init | import | status`: a workspace from a force's own data, kept current.

Thin: parse, call :mod:`planner.ownforce`, print. ``--json`` prints one JSON object on stdout.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path


def _level_args(p, level: str, flag: str, layer_flag: str) -> None:
    p.add_argument(
        f"--{flag}-field", metavar="FIELD", help=f"ward field holding each ward's {level} code"
    )
    p.add_argument(f"--{flag}-name-field", metavar="FIELD", help=f"field holding the {level} name")
    p.add_argument(
        f"--{flag}-lookup",
        type=Path,
        metavar="CSV",
        help=f"CSV: ward code -> {level} ({flag}_code and/or {flag} columns)",
    )
    p.add_argument(
        f"--{layer_flag}",
        type=Path,
        metavar="FILE",
        help=f"{level} layer: each ward goes to the {level} it overlaps most",
    )
    p.add_argument(f"--{flag}-names", type=Path, metavar="CSV", help=f"CSV of {level} code -> name")


def register(sub) -> None:
    """Add ``planner init``, ``planner import``, ``planner status`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    p = sub.add_parser(
        "init",
        help="build a workspace from a force's own ward boundaries and police.uk crimes",
        description="Build a workspace from a force's wards (GeoJSON, GeoPackage, Shapefile or "
        "GeoParquet) with the LPA of each ward (a field, a lookup CSV or an LPA layer), optional "
        "sectors and neighbourhoods (a ward is its own neighbourhood when none are given), "
        "optional LSOAs, and the crimes (police.uk month folders, zips, CSVs, or a force extract "
        "with --mapping). Refuses duplicate ward codes, overlapping wards, a ward in no LPA, an "
        "empty layer, a layer without a CRS and crimes that fall outside the force. Built in a "
        "temporary folder and moved into place when complete.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="workspace folder to create")
    p.add_argument("--name", required=True, help="force name shown in the app")
    p.add_argument("--wards", type=Path, required=True, help="ward boundaries")
    p.add_argument("--ward-code-field", metavar="FIELD", help="ward code field (default: detected)")
    p.add_argument("--ward-name-field", metavar="FIELD", help="ward name field (default: detected)")
    _level_args(p, "LPA", "lpa", "lpas")
    _level_args(p, "sector", "sector", "sectors")
    _level_args(p, "neighbourhood", "nbh", "neighbourhoods")
    p.add_argument("--force", type=Path, help="force boundary (default: the union of the wards)")
    p.add_argument("--lsoas", type=Path, help="LSOA boundaries (optional)")
    p.add_argument(
        "--population", type=Path, help="CSV of LSOA code -> population (optional, with --lsoas)"
    )
    p.add_argument(
        "--crimes",
        nargs="+",
        type=Path,
        required=True,
        metavar="PATH",
        help="police.uk month folders, zips or CSVs, or a force extract (with --mapping)",
    )
    p.add_argument("--mapping", type=Path, help="JSON column mapping for a force extract")
    p.add_argument("--today", help="today's date YYYY-MM-DD (default: end of the latest month)")
    p.add_argument("--replace", action="store_true", help="replace an existing workspace at DIR")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.set_defaults(func=run_init)

    from planner.ownforce.tables import KINDS

    p = sub.add_parser(
        "import",
        help="import a table (crimes, tgps, officers, ... engagements) into a workspace",
        description="Validate every row, write rejected rows with a reason to a rejects CSV and "
        "store the accepted ones; read = accepted + rejected (records: inserted + updated + "
        "duplicates + rejected). Re-importing is idempotent: a crime month or GPS day replaces "
        "the stored one, a row with a stored key replaces it. Schemas: docs/data.md.",
    )
    p.add_argument("kind", choices=sorted(KINDS), help="table to import")
    p.add_argument("path", type=Path, metavar="PATH", nargs="+", help="file(s) or folder(s)")
    p.add_argument("--workspace", type=Path, help="workspace folder")
    p.add_argument(
        "--db",
        metavar="URL",
        help="records store for engagements/abstractions (default: records.sqlite in --workspace)",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="SOURCE=CANONICAL",
        help="declare a column mapping (repeatable), e.g. --map 'Officer=officer_id'",
    )
    p.add_argument(
        "--mapping",
        type=Path,
        help="JSON mapping: {source column: canonical column}; for crimes a crime mapping (docs/data.md)",
    )
    p.add_argument(
        "--vocabulary",
        type=Path,
        help="CSV field,value,maps_to: the force's categories and how they map to ours "
        "(maps_to empty = a new category of its own)",
    )
    p.add_argument("--asb", action="store_true", help="tgps: the layer's areas are ASB areas")
    p.add_argument("--driver", help="tgps: driver of every area (violence, robbery, asb ...)")
    p.add_argument(
        "--replace", action="store_true", help="replace the whole table instead of merging"
    )
    p.add_argument("--rejects", type=Path, help="rejects CSV (default: in the workspace)")
    p.add_argument("--synthetic", action="store_true", help="flag the table as synthetic")
    p.add_argument(
        "--offence-weights",
        type=Path,
        help="nominals/victims: per-offence CCHI weights CSV (ho_code, weight) for the harm",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run_import)

    p = sub.add_parser(
        "status",
        help="what a workspace holds, what each page and command can do, what to import",
    )
    p.add_argument("--workspace", type=Path, required=True, help="workspace folder")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run_status)


def run_init(args) -> int:
    """Run ``planner init``.

    Build a workspace from a force's own ward boundaries and police.uk crimes.

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
    from planner.ownforce.init import InitRequest, LevelSource, init_workspace

    def level(flag: str, layer_flag: str) -> LevelSource:
        return LevelSource(
            field=getattr(args, f"{flag}_field"),
            name_field=getattr(args, f"{flag}_name_field"),
            lookup=getattr(args, f"{flag}_lookup"),
            layer=getattr(args, layer_flag),
            names=getattr(args, f"{flag}_names"),
        )

    today = None
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            raise PlannerError(f"--today must be a date YYYY-MM-DD, not {args.today}") from None
    lpa = level("lpa", "lpas")
    if not lpa.given:
        raise PlannerError("give the LPA of each ward: --lpa-field, --lpa-lookup or --lpas")
    req = InitRequest(
        out=args.dir,
        name=args.name,
        wards=args.wards,
        crimes=list(args.crimes),
        lpa=lpa,
        neighbourhood=level("nbh", "neighbourhoods"),
        sector=level("sector", "sectors"),
        ward_code_field=args.ward_code_field,
        ward_name_field=args.ward_name_field,
        force=args.force,
        lsoas=args.lsoas,
        population=args.population,
        mapping=args.mapping,
        today=today,
        replace=args.replace,
    )
    print(f"building workspace {args.dir} for {args.name}", file=sys.stderr)
    _ws, s = init_workspace(req, progress=True)
    if args.json:
        print(json.dumps(s, default=str))
    else:
        c = s["crimes"]
        print(
            f"workspace ready: {args.dir} ({s['lpas']} LPAs, {s['neighbourhoods']} neighbourhoods, "
            f"{s['wards']} wards); crimes {c['first_month']}..{c['last_month']}: read {c['read']:,} "
            f"= accepted {c['accepted']:,} + rejected {c['rejected']:,} ({c['rejects_file']}); today {s['today']}"
        )
        print(f"next: planner tgps --workspace {args.dir}", file=sys.stderr)
    return 0


def _mapping(args) -> dict[str, str]:
    from planner.errors import PlannerError

    mapping: dict[str, str] = {}
    for item in args.map:
        if "=" not in item:
            raise PlannerError(f"--map {item!r}: use SOURCE=CANONICAL")
        src, dst = item.split("=", 1)
        mapping[src.strip()] = dst.strip()
    return mapping


def run_import(args) -> int:
    """Run ``planner import``.

    Import a table (crimes, tgps, officers, ... engagements) into a workspace.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.ownforce.importer import ImportOptions, import_table

    opts = ImportOptions(
        mapping=_mapping(args),
        mapping_file=args.mapping,
        vocabulary=args.vocabulary,
        asb=args.asb,
        driver=args.driver,
        replace=args.replace,
        rejects=args.rejects,
        synthetic=args.synthetic,
        db=args.db,
        offence_weights=args.offence_weights,
    )
    from planner.progress import step

    with step(f"import: {args.kind} from {len(args.path)} file(s)"):
        out = import_table(args.workspace, args.kind, list(args.path), opts)
    if args.json:
        print(json.dumps(out, default=str))
    else:
        parts = [
            f"{k} {out[k]:,}" for k in ("accepted", "inserted", "updated", "duplicates") if k in out
        ]
        print(
            f"{args.kind}: read {out['read']:,} = {' + '.join(parts)} + rejected {out['rejected']:,}"
        )
        if out.get("new_officers"):
            print(
                f"{out['new_officers']} officer(s) first seen here, added as unverified",
                file=sys.stderr,
            )
        if out.get("replaced"):
            print(f"  replaced: {out['replaced']}", file=sys.stderr)
        if out["rejected"]:
            print(f"  rejected rows with reasons: {out['rejects_file']}", file=sys.stderr)
        if out.get("asb_overlap"):
            print(out["asb_overlap"]["text"])
            print(f"  overlap table: {out['asb_overlap']['file']}", file=sys.stderr)
        _print_delivery(args, out)
    return 0


def _print_delivery(args, out: dict) -> None:
    """The tracked tables an import rebuilt (or why none were)."""
    from planner.ownforce.importer import DELIVERY_INPUTS

    if args.kind not in DELIVERY_INPUTS:
        return
    d = out.get("delivery")
    if d:
        tables = ", ".join(f"{k} {v:,} rows" for k, v in d["tables"].items())
        print(
            f"  tracked: {tables}; officer-hours {d['officer_hours']:,.2f}, "
            f"presence-hours {d['presence_hours']:,.2f}",
            file=sys.stderr,
        )
    elif args.kind in ("pings", "patrol_logs"):
        print(
            "  place_days not derived yet: the workspace has no TGP layer "
            f"(planner tgps --workspace {args.workspace}, or planner import tgps FILE)",
            file=sys.stderr,
        )


def run_status(args) -> int:
    """Run ``planner status``.

    What a workspace holds, what each page and command can do, what to import.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.ownforce.status import status_report, status_text

    rep = status_report(args.workspace)
    print(json.dumps(rep, default=str) if args.json else status_text(rep))
    return 0

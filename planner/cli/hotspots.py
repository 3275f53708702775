"""`planner hotspots | tgps | coverage | backtest | advance`: the hotspot engine's commands.

Thin: parse, load, call :mod:`planner.hotspots`, print. ``--json`` prints one JSON object on
stdout; progress goes to stderr. Crime paths accept files and folders (police.uk CSVs, zips,
force extracts via ``planner.io.crime.load_crimes``) or GeoParquet written by ``planner load``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from planner.hotspots.config import ANALYSIS_COLUMNS, TGP_WINDOW, TGPConfig
from planner.progress import step


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _jsonable(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, float) and not np.isfinite(o):
        return None
    return str(o)


def _dumps(obj) -> str:
    def clean(v):
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        if isinstance(v, float | np.floating):
            return float(v) if np.isfinite(v) else None
        return v

    return json.dumps(clean(obj), default=_jsonable)


#: the TGP options' defaults (one home: planner.hotspots.config.TGPConfig)
_TGP = TGPConfig()


def load_inputs(crime_paths, boundary_path, columns=None, boundary_crs=None):
    """(crimes, study-area polygon, load summary) from CLI paths.

    Read through :func:`planner.io.crime_table.read_crime_table`; a boundary repair is reported.

    Parameters
    ----------
    crime_paths : list of str or Path
        Crime files, folders or a GeoParquet crime table.
    boundary_path : str or Path
        The force boundary layer.
    columns : list of str, optional
        Crime columns needed (None: all).
    boundary_crs : str, optional
        CRS of a boundary file that declares none.

    Returns
    -------
    tuple
        The crime table, the study-area geometry and the load summary.
    """
    from planner.io.boundaries import read_study_area
    from planner.io.crime_table import read_crime_table

    with step(f"boundary: reading {boundary_path}"):
        area, rep = read_study_area(boundary_path, assume_crs=boundary_crs)
    if rep.repaired or rep.dropped_empty:
        _log(f"boundary: {rep.message()}")
    n = len(crime_paths) if isinstance(crime_paths, list | tuple) else 1
    with step(f"crimes: reading {n} path(s)"):
        t = read_crime_table(crime_paths, area, columns, progress=sys.stderr.isatty())
    _log(f"crimes: {len(t.crimes):,} inside the area")
    return t.crimes, t.area, t.summary


def _types(arg):
    if not arg:
        return None
    from planner.errors import PlannerError
    from planner.schema import CRIME_TYPES

    types = [t.strip() for t in arg.split(",") if t.strip()]
    bad = [t for t in types if t not in CRIME_TYPES]
    if bad:
        raise PlannerError(
            f"unknown crime type(s) {', '.join(bad)}; choose from {', '.join(CRIME_TYPES)}"
        )
    return types


def _geography(args):
    """ForceGeography from --workspace, or a light LPA/ward lookup from --lpas/--wards."""
    if getattr(args, "workspace", None):
        from types import SimpleNamespace

        import geopandas as gpd

        from planner.workspace import Workspace

        ws = Workspace(args.workspace)
        # labels need only the LPA and ward layers (ForceGeography reads every layer)
        return SimpleNamespace(
            lpas=gpd.read_parquet(ws.table_path("lpas")),
            wards=gpd.read_parquet(ws.table_path("wards")),
        )
    if getattr(args, "lpas", None) or getattr(args, "wards", None):
        from types import SimpleNamespace

        from planner.io.boundaries import read_layer

        out = SimpleNamespace(lpas=None, wards=None)
        if getattr(args, "lpas", None):
            lp, _ = read_layer(args.lpas)
            out.lpas = lp.assign(lpa=lp[_pick(lp, ("lpa", "name"), "NM")].astype(str))[
                ["lpa", "geometry"]
            ]
        if getattr(args, "wards", None):
            wd, _ = read_layer(args.wards)
            out.wards = wd.assign(ward_code=wd[_pick(wd, ("ward_code", "code"), "CD")].astype(str))[
                ["ward_code", "geometry"]
            ]
        return out
    return None


def _pick(df, names, suffix) -> str:
    from planner.errors import PlannerError

    for n in names:
        if n in df.columns:
            return n
    cand = [c for c in df.columns if str(c).upper().endswith(suffix)]
    if not cand:
        raise PlannerError(f"layer has no {names[0]} column (nor one ending in {suffix})")
    return cand[0]


def _common(p, *, workspace: bool = True) -> None:
    p.add_argument(
        "--crimes",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="crime files or folders (CSV, zip, GeoParquet); default: the workspace's crimes",
    )
    p.add_argument(
        "--boundary",
        type=Path,
        help="force area: any polygon layer (dissolved); default: the workspace's force area",
    )
    p.add_argument(
        "--boundary-crs",
        metavar="CRS",
        help="CRS of a --boundary file that declares none, e.g. EPSG:27700",
    )
    if workspace:
        p.add_argument(
            "--workspace",
            type=Path,
            help="workspace whose crimes and force area are used in place of --crimes/--boundary",
        )


def _demand_args(p, *, modes: bool) -> None:
    from planner.hotspots.demand import DEMAND_LAYERS, DEMAND_MODES

    p.add_argument(
        "--demand",
        choices=DEMAND_LAYERS,
        help="add a demand layer from the workspace: calls (planner import calls); "
        "docs/targeting.md",
    )
    p.add_argument(
        "--demand-weight",
        type=float,
        default=1.0,
        help="weight of one call against one crime (or one unit of harm) in the demand "
        + ("column and the weighted surface" if modes else "objective of --rules none")
        + " (default %(default)s)",
    )
    if modes:
        p.add_argument(
            "--demand-mode",
            choices=DEMAND_MODES,
            default="weighted",
            help="KDE/Gi* on crimes and calls together (weighted) or a second surface on the "
            "calls alone (separate; default %(default)s)",
        )


def _demand_calls(args):
    """The workspace's calls of ``--start/--end`` for ``--demand``.

    None without ``--demand calls``.
    """
    from planner.errors import PlannerError

    if not getattr(args, "demand", None):
        return None
    if args.workspace is None:
        raise PlannerError("--demand calls reads the workspace's calls: give --workspace DIR")
    from planner.hotspots.demand import workspace_calls
    from planner.workspace import Workspace

    calls = workspace_calls(Workspace(args.workspace), args.start, args.end)
    _log(f"demand: {len(calls):,} calls for service")
    return calls


def workspace_inputs(args) -> None:
    """Fill ``args.crimes``/``args.boundary`` from ``args.workspace`` where not given.

    Refuses when neither is given. Logs which crime table is read (and whether it is synthetic).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (updated in place).
    """
    from planner.errors import PlannerError

    ws_dir = getattr(args, "workspace", None)
    if ws_dir is not None and (args.crimes is None or args.boundary is None):
        from planner.workspace import Workspace

        ws = Workspace(ws_dir)
        if args.boundary is None:
            args.boundary = ws.table_path("force")
        if args.crimes is None:
            table = ws.series_table
            if table is None:
                from planner.ownforce.tables import import_command

                raise PlannerError(
                    f"workspace {ws.root} has no crimes; fill it with `{import_command('crimes', str(ws.root))}`"
                )
            args.crimes = [ws.table_path(table)]
            syn = " (SYNTHETIC)" if ws.is_synthetic(table) else ""
            _log(f"crimes: the workspace's '{table}' table{syn}")
    missing = [f"--{n}" for n in ("crimes", "boundary") if getattr(args, n) is None]
    if missing:
        raise PlannerError(f"give {' and '.join(missing)}, or --workspace DIR")


def _national_args(p, suffix: str) -> None:
    """``--by-force`` and ``--scheduler`` (national scale, a Dask cluster)."""
    from planner.cli.load import add_scheduler_argument

    p.add_argument(
        "--by-force",
        action="store_true",
        help="each force on its own: --crimes is a `planner load --by-force` folder (or the "
        "police.uk archive), --boundary one layer or a folder of <force> layers, --out a "
        f"folder for one <force>{suffix} each",
    )
    add_scheduler_argument(p)


def register(sub) -> None:
    """Add ``planner hotspots``, ``planner tgps``, ``planner coverage``, ``planner backtest``, ``planner advance`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    from planner.hotspots.config import RULES, TGPConfig

    p = sub.add_parser(
        "hotspots",
        help="per-cell counts, harm, KDE or Gi* on a grid clipped to the force",
        description="Grid the crimes (square or hex cells clipped to the boundary) and write one row per cell.",
    )
    _common(p)
    p.add_argument(
        "--method",
        choices=("count", "kde", "gistar"),
        default="count",
        help="count: crimes (and harm) per cell; kde: kernel density surface (--bandwidth); "
        "gistar: Getis-Ord Gi* z-scores and corrected p-values (--neighbours, --correction, "
        "--alpha); default %(default)s",
    )
    p.add_argument("--cell", type=float, default=100.0, help="cell size in metres (default 100)")
    p.add_argument(
        "--shape",
        choices=("square", "hex"),
        default="square",
        help="cell shape: square grid or hexagons of the same area (default %(default)s)",
    )
    p.add_argument("--types", help="comma-separated crime types (default all)")
    p.add_argument("--start", help="first month YYYY-MM")
    p.add_argument("--end", help="last month YYYY-MM")
    p.add_argument(
        "--weight", choices=("count", "harm"), default="count", help="KDE / Gi* on counts or harm"
    )
    p.add_argument("--bandwidth", type=float, help="KDE bandwidth in metres (default 2 cells)")
    p.add_argument(
        "--neighbours",
        choices=("queen", "distance"),
        default="queen",
        help="Gi* neighbours: queen (cells sharing an edge or corner) or every cell within "
        "--distance metres (default %(default)s)",
    )
    p.add_argument(
        "--distance", type=float, help="distance band in metres for --neighbours distance"
    )
    p.add_argument(
        "--correction",
        choices=("fdr_bh", "holm", "none"),
        default="fdr_bh",
        help="Gi* multiple-testing correction: fdr_bh (Benjamini-Hochberg false discovery "
        "rate), holm (family-wise) or none (default %(default)s)",
    )
    p.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        help="Gi* significance level for the corrected p-values (default %(default)s)",
    )
    p.add_argument(
        "--out", type=Path, required=True, help="output GeoParquet (.parquet) or GeoPackage"
    )
    _demand_args(p, modes=True)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    _national_args(p, ".parquet")
    p.set_defaults(func=run_hotspots)

    p = sub.add_parser(
        "tgps", help="derive the TGP layer (Op Savvy rules, area budget, stable IDs)"
    )
    _common(p, workspace=False)
    p.add_argument(
        "--area-share",
        type=float,
        default=_TGP.area_share,
        help="share of the force area the TGPs may cover together, 0-1 (default %(default)s, "
        "the Op Savvy 2.2%%)",
    )
    p.add_argument(
        "--count", type=int, default=_TGP.n_total, help=f"number of TGPs (default {_TGP.n_total})"
    )
    p.add_argument(
        "--violent",
        type=int,
        default=_TGP.n_violent,
        help=f"violence-driven TGPs among them (default {_TGP.n_violent})",
    )
    p.add_argument(
        "--min-per-year",
        type=float,
        default=_TGP.min_per_year,
        help=f"Op Savvy: fewest crimes a year in the radius ({_TGP.min_per_year:g})",
    )
    p.add_argument(
        "--max-per-year",
        type=float,
        default=_TGP.max_per_year,
        help=f"Op Savvy: most crimes a year in the radius ({_TGP.max_per_year:g})",
    )
    p.add_argument(
        "--radius",
        type=float,
        default=_TGP.radius,
        help=f"hotspot radius in metres ({_TGP.radius:g})",
    )
    p.add_argument(
        "--buffer",
        type=float,
        default=_TGP.buffer,
        help=f"buffer around the radius in metres ({_TGP.buffer:g})",
    )
    p.add_argument(
        "--separation",
        type=float,
        default=_TGP.min_separation,
        help=f"least distance between centres in metres ({_TGP.min_separation:g})",
    )
    p.add_argument(
        "--rules",
        choices=RULES,
        default=TGPConfig.rules,
        help="eligibility rules: op-savvy (36-150 a year, 150 m + 100 m discs, 500 m apart; the "
        "default) or none (cell-union areas holding the most relevant offences or harm)",
    )
    p.add_argument(
        "--rank-by",
        choices=("harm", "count"),
        default=TGPConfig.rank_by,
        help="rank (op-savvy) or maximise (none) by harm (default) or offence count",
    )
    p.add_argument("--start", help="first month of the derivation window YYYY-MM (default: all)")
    p.add_argument("--end", help="last month YYYY-MM")
    p.add_argument(
        "--rules-cost",
        type=Path,
        metavar="CSV",
        help="also derive with and without the rules (and greedy discs at the same area) and "
        "write what the rules cost (offences and harm held) to this CSV",
    )
    p.add_argument("--test-start", help="rules cost: first month of a later test window")
    p.add_argument("--test-end", help="rules cost: last month of the test window")
    p.add_argument(
        "--previous", type=Path, help="previous TGP layer whose IDs are kept where areas overlap"
    )
    p.add_argument(
        "--workspace",
        type=Path,
        help="workspace: its crimes and force area unless --crimes/--boundary, its geography labels "
        "LPA and wards; without --out the layer is registered as the workspace's TGPs (IDs kept "
        "from its previous layer) with its coverage report",
    )
    p.add_argument(
        "--lpas", type=Path, help="LPA layer (name column) for labels, instead of --workspace"
    )
    p.add_argument("--wards", type=Path, help="ward layer (code column) for labels")
    p.add_argument(
        "--out", type=Path, help="output layer (.gpkg); default with --workspace: its tgps.gpkg"
    )
    _demand_args(p, modes=False)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    _national_args(p, ".gpkg")
    p.set_defaults(func=run_tgps)

    p = sub.add_parser(
        "coverage", help="coverage report of a TGP layer: area, offence, harm, knife shares; PAI"
    )
    p.add_argument(
        "--tgps", type=Path, help="TGP layer with a tgp_id column (default: the workspace's)"
    )
    p.add_argument(
        "--crimes",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="crime files or folders (default: the workspace's series)",
    )
    p.add_argument(
        "--boundary", type=Path, help="force area: any polygon layer (default: the workspace's)"
    )
    p.add_argument(
        "--boundary-crs",
        metavar="CRS",
        help="CRS of a --boundary file that declares none, e.g. EPSG:27700",
    )
    p.add_argument("--start", help="first month YYYY-MM")
    p.add_argument("--end", help="last month YYYY-MM")
    p.add_argument(
        "--workspace",
        type=Path,
        help="workspace whose LPAs give the per-LPA rows; alone, it supplies the TGP layer, "
        "crimes (its derivation window unless --start/--end) and boundary: the paper's table in one command",
    )
    p.add_argument("--lpas", type=Path, help="LPA layer for the per-LPA rows")
    p.add_argument("--relevant", help="comma-separated crime types counted as relevant offences")
    p.add_argument("--csv", type=Path, help="write the table as CSV")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run_coverage)

    p = sub.add_parser(
        "backtest", help="rolling-origin backtest of hotspot methods (hit rate, PAI, PEI, RRI)"
    )
    _common(p)
    p.add_argument(
        "--train-months",
        type=int,
        default=12,
        help="months before each origin the methods learn from (default %(default)s)",
    )
    p.add_argument(
        "--test-months",
        type=int,
        default=3,
        help="months after each origin the predictions are scored on (default %(default)s)",
    )
    p.add_argument(
        "--area-share",
        type=float,
        default=0.022,
        help="share of the force area the TGPs may cover together, 0-1 (default %(default)s, "
        "the Op Savvy 2.2%%)",
    )
    p.add_argument(
        "--cell", type=float, default=250.0, help="cell size in metres (default %(default)s)"
    )
    p.add_argument("--origins", type=int, help="use at most this many origins, spread evenly")
    p.add_argument("--types", help="comma-separated crime types (default all)")
    p.add_argument("--curve", type=Path, help="write the 0-10%% area hit-rate curve as CSV")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run_backtest)

    p = sub.add_parser(
        "advance",
        help="Op Advance briefing for an LPA: recent trends, new hotspots, targets (CSV + HTML); "
        "'advance calendar' and 'advance day' for the rotation and the days of action",
    )
    p.add_argument("--lpa", help="LPA name (the briefing: required)")
    p.add_argument(
        "--as-of",
        help="date YYYY-MM-DD (default: the workspace's today, or the last day with data)",
    )
    p.add_argument(
        "--workspace",
        type=Path,
        help="workspace (geography and crimes; default the demo workspace)",
    )
    p.add_argument(
        "--crimes",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="crime files instead of the workspace's",
    )
    p.add_argument(
        "--out", type=Path, help="output folder for the briefing CSVs and HTML (required)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run_advance)
    from planner.cli.tasking import add_advance_actions  # issue 19: calendar, day

    add_advance_actions(p)


def _hotspot_options(args):
    from planner.national import HotspotOptions

    types = _types(args.types)
    return HotspotOptions(
        method=args.method,
        cell=args.cell,
        shape=args.shape,
        types=tuple(types) if types else None,
        start=args.start,
        end=args.end,
        weight=args.weight,
        bandwidth=args.bandwidth,
        neighbours=args.neighbours,
        distance=args.distance,
        alpha=args.alpha,
        correction=args.correction,
    )


def _write_cells(gdf, out: Path) -> None:
    from planner.errors import PlannerError

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        gdf.to_parquet(out)
    elif out.suffix in (".gpkg", ".geojson"):
        gdf.to_file(out)
    else:
        raise PlannerError(f"--out must end in .parquet or .gpkg, not {out.name}")


def _scheduler_client(args):
    from planner.cluster import connect, scheduler_address

    return connect(scheduler_address(getattr(args, "scheduler", None)))


def _one_force_job(args):
    """The single-force run as one partition (for a cluster run)."""
    from planner.national import ForceJob

    return ForceJob(
        "force",
        tuple(args.crimes),
        args.boundary,
        getattr(args, "boundary_crs", None),
    )


def _add_demand(args, gdf, crimes, area, opts) -> dict:
    """Add ``--demand calls`` to the cells ``gdf`` in place.

    Adds ``calls`` and ``demand`` per cell and, for KDE/Gi*, the surface of crimes and calls
    together (``weighted``, replacing the crimes' own) or of calls alone beside it
    (``separate``).

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments (``--demand``, ``--demand-weight``, ``--demand-mode`` ...).
    gdf : geopandas.GeoDataFrame
        The hotspot cells, changed in place.
    crimes : pandas.DataFrame
        The crimes the cells were counted from.
    area : shapely geometry
        The force area the grid covers.
    opts : planner.national.HotspotOptions
        The run's hotspot options (cell, shape, types, start, end).

    Returns
    -------
    dict
        The JSON's ``demand`` entry (and Gi*'s hot/cold cell counts when weighted); empty
        without ``--demand``.
    """
    from planner.errors import PlannerError
    from planner.hotspots.config import GiStarConfig, KDEConfig
    from planner.hotspots.grid import filter_crimes, make_grid, xy
    from planner.hotspots.surface import surface

    calls = _demand_calls(args)
    if calls is None:
        return {}
    from planner.hotspots.demand import call_xy, cell_calls, combined_points

    if args.demand_weight < 0:
        raise PlannerError("--demand-weight must not be negative")
    grid = make_grid(area, opts.cell, opts.shape)  # the same grid as hotspot_cells'
    base = gdf["harm"] if args.weight == "harm" else gdf["count"]
    gdf["calls"] = cell_calls(grid, calls)
    gdf["demand"] = base.to_numpy(dtype="float64") + args.demand_weight * gdf["calls"]
    demand = {
        "layer": "calls",
        "calls": int(len(calls)),
        "calls_in_cells": int(gdf["calls"].sum()),
        "weight": args.demand_weight,
        "of": args.weight,
        "mode": args.demand_mode,
    }
    if args.method not in ("kde", "gistar"):
        return {"demand": demand}
    cfgs: dict[str, Any] = {
        "kde": KDEConfig(bandwidth=args.bandwidth),
        "gistar": GiStarConfig(
            neighbours=args.neighbours,
            distance=args.distance,
            alpha=args.alpha,
            correction=args.correction,
        ),
    }
    if args.demand_mode == "weighted":
        types = list(opts.types) if opts.types else None
        c = filter_crimes(crimes, types, opts.start, opts.end)
        x, y = xy(c)
        w = c["harm"].to_numpy(dtype="float64", na_value=0.0) if args.weight == "harm" else None
        x, y, w = combined_points(x, y, w, calls, args.demand_weight)
        sf = surface(grid, x, y, args.method, w, **cfgs)
        if args.method == "kde":
            gdf["kde"] = sf.values
        else:
            res = sf.gistar
            assert res is not None  # surface() fills it for Gi*
            gdf["gi_z"], gdf["gi_p"], gdf["gi_q"] = res.z, res.p, res.q
            gdf["hot"], gdf["cold"] = res.hot, res.cold
            top = {"hot_cells": int(res.hot.sum()), "cold_cells": int(res.cold.sum())}
            return {**top, "demand": demand}
    elif args.demand_mode == "separate":
        cx, cy = call_xy(calls)
        cs = surface(grid, cx, cy, args.method, None, **cfgs)
        if args.method == "kde":
            gdf["calls_kde"] = cs.values
        else:
            cr = cs.gistar
            assert cr is not None
            gdf["calls_gi_z"], gdf["calls_hot"] = cr.z, cr.hot
            demand["calls_hot_cells"] = int(cr.hot.sum())
    return {"demand": demand}


def run_hotspots(args) -> int:
    """Run ``planner hotspots``: per-cell counts, harm, KDE or Gi* on a grid clipped to the force.

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
    from planner.national import hotspot_cells

    t0 = time.perf_counter()
    opts = _hotspot_options(args)
    if args.by_force:
        return _run_hotspots_by_force(args, opts, t0)
    if args.out.suffix not in (".parquet", ".gpkg", ".geojson"):
        raise PlannerError(f"--out must end in .parquet or .gpkg, not {args.out.name}")
    workspace_inputs(args)
    with _scheduler_client(args) as client:
        crimes, area, load = load_inputs(
            args.crimes, args.boundary, ANALYSIS_COLUMNS, getattr(args, "boundary_crs", None)
        )
        where = "" if client is None else " (month and tile partitions on the cluster)"
        with step(f"hotspots: cell counts and the {args.method} surface{where}"):
            gdf, s = hotspot_cells(crimes, area, opts, client)  # month and tile partitions
        extra = _add_demand(args, gdf, crimes, area, opts)
    _log(f"grid: {s['cells']:,} {args.shape} cells of {args.cell:g} m")
    _write_cells(gdf, args.out)
    out = {
        "out": str(args.out),
        "cells": s["cells"],
        "method": args.method,
        "cell": args.cell,
        "shape": args.shape,
        "crimes": s["crimes"],
        "partitions": s["partitions"],
        "load": load,
        **{k: v for k, v in s.items() if k in ("hot_cells", "cold_cells")},
        **extra,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    print(_dumps(out) if args.json else f"wrote {s['cells']:,} cells to {args.out}")
    return 0


def _by_force_out(args, suffix: str) -> Path:
    from planner.errors import PlannerError

    if args.out is None or args.out.suffix:
        raise PlannerError(
            f"--by-force writes one {suffix} per force: give --out a folder, not {args.out}"
        )
    if args.crimes is None or args.boundary is None:
        raise PlannerError(
            "--by-force needs --crimes (a `planner load --by-force` folder or the police.uk "
            "archive) and --boundary (one layer, or a folder of <force> layers)"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    return args.out


def _run_hotspots_by_force(args, opts, t0) -> int:
    from planner.national import force_hotspots, force_jobs, run_forces

    out = _by_force_out(args, ".parquet")
    jobs = force_jobs(args.crimes, args.boundary)
    forces = {}
    with _scheduler_client(args) as client:
        for force, gdf, s in run_forces(force_hotspots, jobs, client, opts=opts):
            path = out / f"{force}.parquet"
            gdf.to_parquet(path)
            forces[force] = {"out": str(path), **s}
            _log(f"{force}: {s['cells']:,} cells, {s['crimes']:,} crimes")
    res = {
        "out": str(out),
        "method": args.method,
        "cell": args.cell,
        "shape": args.shape,
        "forces": forces,
        "cells": sum(f["cells"] for f in forces.values()),
        "crimes": sum(f["crimes"] for f in forces.values()),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    print(_dumps(res) if args.json else f"wrote {len(forces)} forces' cells to {out}")
    return 0


def _tgp_config(args):
    from planner.hotspots.config import TGPConfig

    return TGPConfig(
        area_share=args.area_share,
        n_total=args.count,
        n_violent=min(args.violent, args.count),
        min_per_year=args.min_per_year,
        max_per_year=args.max_per_year,
        radius=args.radius,
        buffer=args.buffer,
        min_separation=args.separation,
        rules=args.rules,
        rank_by=args.rank_by,
    )


def _write_gpkg(tgps, out: Path) -> None:
    import geopandas as gpd

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".tmp.gpkg")
    if tmp.exists():
        tmp.unlink()
    gpd.GeoDataFrame(tgps).to_file(tmp, layer="tgps", driver="GPKG")
    tmp.replace(out)


def _run_tgps_by_force(args, t0) -> int:
    from planner.errors import PlannerError
    from planner.national import force_jobs, force_tgps, run_forces

    if args.rules_cost or args.previous or args.workspace or args.lpas or args.wards:
        raise PlannerError(
            "--by-force takes neither --rules-cost, --previous, --workspace, --lpas nor --wards"
        )
    out = _by_force_out(args, ".gpkg")
    jobs = force_jobs(args.crimes, args.boundary)
    cfg = _tgp_config(args)
    forces = {}
    with _scheduler_client(args) as client:
        for force, res, load in run_forces(
            force_tgps, jobs, client, cfg=cfg, start=args.start, end=args.end
        ):
            path = out / f"{force}.gpkg"
            _write_gpkg(res.tgps, path)
            forces[force] = {"out": str(path), **res.summary, "load": load}
            _log(f"{force}: {res.summary['n_tgps']} TGPs")
    s = {
        "out": str(out),
        "forces": forces,
        "n_tgps": sum(f["n_tgps"] for f in forces.values()),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    print(_dumps(s) if args.json else f"wrote {len(forces)} forces' TGP layers to {out}")
    return 0


def run_tgps(args) -> int:
    """Run ``planner tgps``: derive the TGP layer (Op Savvy rules, area budget, stable IDs).

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
    from planner.hotspots.coverage import KNIFE_NOTES, knife_source
    from planner.hotspots.tgps import derive_tgps, read_tgps
    from planner.national import force_tgps, run_forces

    t0 = time.perf_counter()
    if args.by_force:
        return _run_tgps_by_force(args, t0)
    register = args.workspace is not None and args.out is None
    if args.out is None:
        if args.workspace is None:
            raise PlannerError(
                "give --out FILE.gpkg, or --workspace DIR to register the layer there"
            )
        from planner.workspace import Workspace

        args.out = Workspace(args.workspace).path("tgps.gpkg")
    if args.out.suffix != ".gpkg":
        raise PlannerError(f"--out must be a GeoPackage (.gpkg), not {args.out.name}")
    workspace_inputs(args)
    cfg = _tgp_config(args)
    prev = read_tgps(args.previous) if args.previous else None
    if prev is None and register and args.out.exists():
        prev = read_tgps(args.out)  # keep the IDs of the workspace's previous layer
    geo = _geography(args)
    calls = _demand_calls(args)  # --demand calls of --start..--end, read once
    objective = None  # the calls in the --rules none objective (Op Savvy: only reported)
    if calls is not None and args.rules == "none":
        from planner.hotspots.demand import DemandPoints

        objective = DemandPoints.from_calls(calls, args.demand_weight)
    crimes = area = None
    with _scheduler_client(args) as client:
        if client is None:
            crimes, area, load = load_inputs(
                args.crimes, args.boundary, ANALYSIS_COLUMNS, getattr(args, "boundary_crs", None)
            )
            _log(f"read {len(crimes):,} crimes in {time.perf_counter() - t0:.1f} s")
            with step(f"tgps: deriving {cfg.n_total} TGPs"):
                res = derive_tgps(
                    crimes, area, geo, cfg, previous=prev, start=args.start, end=args.end,
                    demand=objective,
                )  # fmt: skip
        else:  # the force as one partition on the cluster (the same function)
            _log(f"tgps: deriving {cfg.n_total} TGPs on the cluster")
            ((_, res, load),) = run_forces(
                force_tgps, [_one_force_job(args)], client, cfg=cfg, start=args.start,
                end=args.end, geography=geo, previous=prev, demand=objective,
            )  # fmt: skip
    demand = bool(getattr(args, "demand", None))
    if crimes is None and (register or args.rules_cost or demand):  # these need them here
        crimes, area, load = load_inputs(
            args.crimes, args.boundary, ANALYSIS_COLUMNS, getattr(args, "boundary_crs", None)
        )
    if register:  # the force's own ASB areas (planner import tgps --asb) stay as they are
        from planner.ownforce.asb import keep_force_asb
        from planner.workspace import Workspace

        res = keep_force_asb(Workspace(args.workspace), res)
    _write_gpkg(res.tgps, args.out)
    knife_src = knife_source(crimes) if crimes is not None else res.summary["knife_source"]
    s = {
        "out": str(args.out),
        **res.summary,
        "knife_source": knife_src,  # what the knife driver label measured
        "knife_note": KNIFE_NOTES[knife_src],
        "load": load,
    }
    if calls is not None:
        from planner.hotspots.demand import calls_held, in_window

        held = calls_held(res.tgps, in_window(calls, *res.summary["window"]), area)
        s["demand"] = {
            "layer": "calls",
            "in_objective": objective is not None,
            "weight": args.demand_weight if objective is not None else None,
            **held.summary,
            "by_tgp": dict(zip(held.by_tgp["tgp_id"], held.by_tgp["calls"].astype(int).tolist())),
        }
    if register:
        from planner.ownforce.tgps import register_tgps

        assert crimes is not None  # loaded here for the registration
        with step("tgps: coverage and registering the layer in the workspace"):
            s["coverage"] = register_tgps(
                args.workspace, res, crimes, area, geo, start=args.start, end=args.end
            )
        s["registered"] = True
        from planner.ownforce.asb import overlap_report

        overlap = overlap_report(Workspace(args.workspace))
        if overlap is not None:
            s["asb_overlap"] = overlap
    cost = None
    if args.rules_cost:
        from planner.hotspots.targeting import rules_cost

        if args.rules_cost.suffix != ".csv":
            raise PlannerError(f"--rules-cost must be a .csv file, not {args.rules_cost.name}")
        _log("rules cost: deriving with and without the rules, and greedy discs")
        cost = rules_cost(
            crimes,
            area,
            cfg,
            start=args.start,
            end=args.end,
            test_start=args.test_start,
            test_end=args.test_end,
        )
        args.rules_cost.parent.mkdir(parents=True, exist_ok=True)
        cost.table.to_csv(args.rules_cost, index=False)
        s["rules_cost"] = {**cost.summary, "table": cost.table.to_dict("records")}
    s["seconds"] = round(time.perf_counter() - t0, 2)
    if args.json:
        print(_dumps(s))
    else:
        if cost is not None:
            print(cost.text())
        print(
            f"wrote {s['n_tgps']} TGPs ({s['n_violent']} violent, {s['n_asb']} ASB) covering {100 * s['area_share']:.2f}% of the area to {args.out}"
        )
        for sf in s["shortfall"]:
            print(f"  shortfall: {sf}")
        if s.get("asb_overlap"):
            print(s["asb_overlap"]["text"])
        if s.get("demand"):
            d = s["demand"]
            share = "n/a" if d["calls_share"] is None else f"{100 * d['calls_share']:.1f}%"
            print(f"calls for service held: {d['calls_in_tgps']:,} of {d['calls']:,} ({share})")
    return 0


def run_coverage(args) -> int:
    """Run ``planner coverage``.

    Coverage report of a TGP layer: area, offence, harm, knife shares; PAI.

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
    from planner.hotspots.config import CoverageConfig
    from planner.hotspots.coverage import SUMMARY_KEYS, coverage_report
    from planner.hotspots.grid import filter_crimes
    from planner.hotspots.tgps import read_tgps

    if args.workspace is not None:
        from planner.workspace import Workspace

        ws = Workspace(args.workspace)
        if args.tgps is None:
            args.tgps = ws.table_path("tgps")
        if args.boundary is None:
            args.boundary = ws.table_path("force")
        if args.crimes is None:
            table = ws.series_table
            if table is None:
                raise PlannerError(f"workspace {ws.root} has no crimes; pass --crimes")
            args.crimes = [ws.table_path(table)]
            if args.start is None and args.end is None:
                window = ws.meta.get("tgps_window")
                if window is None and table == "crimes_synthetic":
                    window = TGP_WINDOW
                if window:
                    args.start, args.end = window
            syn = " (SYNTHETIC)" if ws.is_synthetic(table) else ""
            _log(f"crimes: the workspace's '{table}' {args.start}..{args.end}{syn}")
    missing = [n for n in ("tgps", "crimes", "boundary") if getattr(args, n) is None]
    if missing:
        raise PlannerError(f"coverage needs --{', --'.join(missing)} (or --workspace)")
    tg = read_tgps(args.tgps)
    crimes, area, _ = load_inputs(
        args.crimes, args.boundary, ANALYSIS_COLUMNS, getattr(args, "boundary_crs", None)
    )
    crimes = filter_crimes(crimes, None, args.start, args.end)
    geo = _geography(args)
    cfg = (
        CoverageConfig(relevant_types=tuple(_types(args.relevant)))
        if args.relevant
        else CoverageConfig()
    )
    rep = coverage_report(
        tg, crimes, area, geo if geo is not None and geo.lpas is not None else None, cfg
    )
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        rep.table().to_csv(args.csv, index=False)
    if args.json:
        s = {k: rep.summary[k] for k in SUMMARY_KEYS}
        s.update({k: v for k, v in rep.summary.items() if k not in s})
        s["by_lpa"] = rep.by_lpa.to_dict("records")
        print(_dumps(s))
    else:
        print(rep.text())
    return 0


def run_backtest(args) -> int:
    """Run ``planner backtest``.

    Rolling-origin backtest of hotspot methods (hit rate, PAI, PEI, RRI).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    import dataclasses

    from planner.hotspots.config import BacktestConfig
    from planner.hotspots.evaluate import backtest
    from planner.hotspots.grid import make_grid

    t0 = time.perf_counter()
    workspace_inputs(args)
    crimes, area, _ = load_inputs(
        args.crimes, args.boundary, ANALYSIS_COLUMNS, getattr(args, "boundary_crs", None)
    )
    grid = make_grid(area, args.cell)
    cfg = dataclasses.replace(
        BacktestConfig(),
        n_origins=args.origins,
        types=tuple(_types(args.types)) if args.types else None,
    )
    res = backtest(
        grid,
        crimes,
        train_months=args.train_months,
        test_months=args.test_months,
        area_share=args.area_share,
        config=cfg,
    )
    if args.curve:
        args.curve.parent.mkdir(parents=True, exist_ok=True)
        res.curve.to_csv(args.curve, index=False)
    out = {
        **res.to_dict(),
        "cell": args.cell,
        "cells": grid.n,
        "area_share": args.area_share,
        "train_months": args.train_months,
        "test_months": args.test_months,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    if args.json:
        print(_dumps(out))
    else:
        print(
            f"backtest: {len(res.origins)} origins, {grid.n:,} cells of {args.cell:g} m, {100 * args.area_share:.1f}% of area"
        )
        print(f"{'method':<15}{'hit rate':>10}{'PAI':>8}{'harm PAI':>10}{'PEI':>7}{'RRI':>7}")
        for m, v in res.methods.items():
            print(
                f"{m:<15}{v['hit_rate']:>10.3f}{v['pai']:>8.2f}{v['harm_pai']:>10.2f}{v['pei']:>7.2f}{v['rri']:>7.2f}"
            )
        print(f"recommended: {res.recommended}")
    return 0


def run_advance(args) -> int:
    """Run ``planner advance``.

    Op Advance briefing for an LPA: recent trends, new hotspots, targets (CSV + HTML).

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
    from planner.hotspots.advance import advance_briefing, default_as_of, workspace_briefing
    from planner.paths import DEFAULT_WORKSPACE
    from planner.workspace import Workspace

    missing = [f for f, v in (("--lpa", args.lpa), ("--out", args.out)) if not v]
    if missing:
        raise PlannerError(f"the briefing needs {' and '.join(missing)} (or: advance calendar|day)")
    t0 = time.perf_counter()
    ws = Workspace(args.workspace or DEFAULT_WORKSPACE)
    if args.as_of:
        try:
            import pandas as pd

            pd.Timestamp(args.as_of)
        except ValueError:
            raise PlannerError(f"--as-of must be a date YYYY-MM-DD, not {args.as_of}") from None
    _log(f"advance: trends, new hotspots and targets for {args.lpa}")
    if args.crimes:
        crimes, _, _ = load_inputs(args.crimes, ws.table_path("force"))
        b = advance_briefing(
            crimes,
            ws.geography(),
            args.lpa,
            args.as_of or default_as_of(crimes),
            synthetic=False,
            source=", ".join(map(str, args.crimes)),
        )
    else:
        # default as-of: the workspace's "today", or the last day of its series if earlier
        b = workspace_briefing(ws, args.lpa, args.as_of)
    _log(f"advance: writing the briefing to {args.out} ({time.perf_counter() - t0:.1f} s)")
    files = b.write(args.out)
    _log(f"advance: done in {time.perf_counter() - t0:.1f} s")
    s = {**b.summary(), "files": files}
    if args.json:
        print(_dumps(s))
    else:
        print(f"Op Advance briefing for {args.lpa} as of {b.as_of}: {files['html']}")
    return 0

"""``planner init``: a workspace from a force's own ward boundaries and police.uk crimes.

The hierarchy is force -> LPA -> (sector) -> neighbourhood -> ward. Each level above the ward
comes from one of three sources: a field on the ward layer, a lookup CSV (ward code -> area)
or a layer of its own (each ward goes to the area it overlaps most). A ward is its own
neighbourhood when no neighbourhoods are given; the sector level is optional (the ward table
then has no ``sector_code``/``sector_name`` values). The force boundary is the union of the
wards unless a force layer is given. Nothing ``init`` makes is flagged synthetic.

The workspace is built in a temporary folder and moved into place only when complete
(:func:`planner.workspace.building`).
"""

from __future__ import annotations

import calendar
import contextlib
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.errors import InputError, PlannerError
from planner.geography import ForceGeography, largest_overlap
from planner.io.boundaries import read_layer
from planner.io.crime import R_OUTSIDE, ColumnMapping, load_crimes, save_crimes
from planner.workspace import Workspace, building, create_workspace

#: workspace table name and file of a force's own crimes
CRIMES_TABLE = "crimes_real"
CRIMES_FILE = "crime/crimes.parquet"
CRIMES_REJECTS = "crime/crimes_rejects.csv"


@dataclass(frozen=True)
class InitConfig:
    """Thresholds of the checks ``planner init`` makes (documented defaults).

    Attributes
    ----------
    max_overlap_share
        Two wards overlap when their intersection exceeds this share of the smaller ward's
        area (default 1%; generalised boundaries touch along shared edges).
    max_outside_share
        Refuse the crimes when more than this share of the located records fall outside the
        force (default 50%: another force's files, or boundaries of the wrong area). Fewer
        outside records are rejected row by row (police.uk snaps some records just over the
        border).
    fy_start_month
        First month of the funding year (April).
    """

    max_overlap_share: float = 0.01
    max_outside_share: float = 0.5
    fy_start_month: int = 4


@dataclass
class LevelSource:
    """Where one level of the hierarchy (LPA, neighbourhood or sector) comes from.

    Exactly one of ``field`` (a column on the ward layer), ``lookup`` (a CSV with a ward-code
    column and the area's code and/or name) or ``layer`` (a polygon layer) is set; ``name_field``
    names the area's name column (on the wards, in the lookup or on the layer; default: detected,
    else the code); ``names`` is an optional CSV of code -> name.
    """

    field: str | None = None
    name_field: str | None = None
    lookup: Path | None = None
    layer: Path | None = None
    names: Path | None = None

    @property
    def given(self) -> bool:
        """Whether any source (field, lookup or layer) was given for this level."""
        return any(v is not None for v in (self.field, self.lookup, self.layer))


@dataclass
class InitRequest:
    """Everything ``planner init`` is given (see :func:`init_workspace`)."""

    out: Path
    name: str
    wards: Path
    crimes: list[Path]
    lpa: LevelSource
    neighbourhood: LevelSource = field(default_factory=LevelSource)
    sector: LevelSource = field(default_factory=LevelSource)
    ward_code_field: str | None = None
    ward_name_field: str | None = None
    force: Path | None = None
    lsoas: Path | None = None
    population: Path | None = None
    mapping: Path | None = None
    today: date | None = None
    replace: bool = False
    config: InitConfig = field(default_factory=InitConfig)


# ---- field detection ------------------------------------------------------------------------
def detect_field(
    df: pd.DataFrame, kind: str, *, given: str | None = None, source: str = "layer"
) -> str:
    """The column holding ``kind`` ("ward code", "ward name", "LSOA code", ...).

    ``given`` is checked and returned; otherwise the canonical name, an ONS-style name
    (``WD24CD``, ``LSOA11NM``, ``LAD23CD``...) or the only column ending in ``CD``/``NM``.

    Parameters
    ----------
    df
        The layer's attribute table.
    kind
        One of the keys of :data:`_DETECT`.
    given
        A column named by the user.
    source
        File name for the error message.

    Returns
    -------
    str
        The column name.
    """
    cols = [c for c in df.columns if c != "geometry"]
    if given is not None:
        if given not in df.columns:
            raise InputError(
                source, f"no field '{given}' for the {kind}; fields: {', '.join(map(str, cols))}"
            )
        return given
    exact, pattern, flag = _DETECT[kind]
    for c in cols:
        if str(c).lower() in exact:
            return c
    hits = [c for c in cols if re.fullmatch(pattern, str(c), flags=re.IGNORECASE)]
    if hits:
        return hits[0]
    hint = _DETECT_HINT.get(kind, "")
    raise InputError(
        source,
        f"cannot tell which field holds the {kind}; fields: {', '.join(map(str, cols))}"
        + (f"; name it with {flag}" if flag else "")
        + hint,
    )


_DETECT: dict[str, tuple[tuple[str, ...], str, str]] = {
    "ward code": (("ward_code", "wardcode", "code"), r"WD\d{2}CD", "--ward-code-field"),
    "ward name": (("ward", "ward_name", "wardname", "name"), r"WD\d{2}NM", "--ward-name-field"),
    "LSOA code": (("lsoa_code", "lsoacode", "code", "mnemonic"), r"LSOA\d{2}CD", ""),
    "LSOA name": (("lsoa_name", "lsoaname", "name"), r"LSOA\d{2}NM", ""),
    "area code": (
        ("code", "area_code", "lpa_code", "nbh_code", "sector_code"),
        r"[A-Z]+\d{0,2}_?CD",
        "",
    ),
    "area name": (
        ("name", "area_name", "lpa", "lpa_name", "neighbourhood", "nbh_name", "sector_name"),
        r"[A-Z]+\d{0,2}_?NM",
        "",
    ),
}
_DETECT_HINT: dict[str, str] = {}


# ---- validation -----------------------------------------------------------------------------
def check_wards(wards: gpd.GeoDataFrame, source: str, config: InitConfig) -> None:
    """Refuse an empty ward layer, duplicate or blank ward codes, and overlapping wards.

    Parameters
    ----------
    wards
        Ward layer in EPSG:27700 with ``ward_code``.
    source
        File name for messages.
    config
        Overlap tolerance.
    """
    if len(wards) == 0:
        raise InputError(source, "the ward layer is empty (no features with a geometry)")
    code = wards["ward_code"]
    blank = code.isna() | (code.astype(str).str.strip() == "")
    if blank.any():
        raise InputError(
            source,
            f"{int(blank.sum())} ward(s) without a code (features {', '.join(str(i + 1) for i in np.flatnonzero(blank)[:5])})",
        )
    dup = code[code.duplicated(keep=False)]
    if len(dup):
        raise InputError(
            source,
            f"duplicate ward codes: {', '.join(sorted(set(dup.astype(str)))[:5])} "
            f"({dup.nunique()} code(s) on {len(dup)} features)",
        )
    g = wards.geometry.to_numpy()
    a, b = wards.sindex.query(g, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if len(a):
        inter = shapely.area(shapely.intersection(g[a], g[b]))
        smaller = np.minimum(shapely.area(g[a]), shapely.area(g[b]))
        bad = inter > config.max_overlap_share * smaller
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            share = inter[i] / smaller[i]
            raise InputError(
                source,
                f"overlapping wards: {code.iloc[a[i]]} and {code.iloc[b[i]]} share {inter[i] / 1e4:.1f} ha "
                f"({100 * share:.0f}% of the smaller); {int(bad.sum())} overlapping pair(s) in all "
                f"(tolerance {100 * config.max_overlap_share:g}%)",
            )


def _read_names(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    df = _read_csv(path)
    code = detect_field(df, "area code", source=str(path)) if "code" not in df else "code"
    name = detect_field(df, "area name", source=str(path)) if "name" not in df else "name"
    return dict(zip(df[code].astype(str).str.strip(), df[name].astype(str).str.strip()))


def _read_csv(path: Path) -> pd.DataFrame:
    if not Path(path).is_file():
        raise PlannerError(f"{path}: no such file")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(
            path, f"not a readable CSV file ({str(exc).splitlines()[0] if str(exc) else exc})"
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def assign_level(
    wards: gpd.GeoDataFrame,
    raw_wards: gpd.GeoDataFrame,
    src: LevelSource,
    level: str,
    wards_file: str,
) -> tuple[pd.Series, pd.Series]:
    """(code, name) of the ``level`` area of each ward, from a field, lookup CSV or layer.

    Parameters
    ----------
    wards
        Ward layer (``ward_code``, geometry in EPSG:27700).
    raw_wards
        The ward layer's original attributes (for ``src.field``), aligned with ``wards``.
    src
        Where the level comes from.
    level
        "LPA", "neighbourhood" or "sector" (for messages).
    wards_file
        Ward file name (for messages).

    Returns
    -------
    tuple[pandas.Series, pandas.Series]
        Code and name per ward (aligned with ``wards``).
    """
    n_given = sum(v is not None for v in (src.field, src.lookup, src.layer))
    if n_given != 1:
        raise PlannerError(
            f"give the {level} of each ward in one way: a field on the wards, a lookup CSV or a layer"
        )
    names = _read_names(src.names)
    if src.field is not None:
        if src.field not in raw_wards.columns:
            fields = ", ".join(str(c) for c in raw_wards.columns if c != "geometry")
            raise InputError(
                wards_file, f"no field '{src.field}' for the {level}; fields: {fields}"
            )
        code = raw_wards[src.field].astype(object)
        if src.name_field is not None:
            name = raw_wards[
                detect_field(raw_wards, level, given=src.name_field, source=wards_file)
            ]
        else:
            name = code
        where = f"field '{src.field}' of {wards_file}"
    elif src.lookup is not None:
        lk = _read_csv(src.lookup)
        wcol = detect_field(lk, "ward code", source=str(src.lookup))
        rest = [c for c in lk.columns if c != wcol]
        ccol = next((c for c in rest if c.lower() in (f"{level.lower()}_code", "code")), None)
        ncol = src.name_field or next(
            (c for c in rest if c.lower() in (level.lower(), f"{level.lower()}_name", "name")), None
        )
        if ccol is None and ncol is None:
            if len(rest) != 1:
                raise InputError(
                    src.lookup,
                    f"lookup needs a ward code column and a {level.lower()}_code or {level.lower()} column; found {', '.join(lk.columns)}",
                )
            ccol = rest[0]
        dup = lk[wcol][lk[wcol].duplicated()]
        if len(dup):
            raise InputError(src.lookup, f"ward code {dup.iloc[0]} appears twice", field=wcol)
        lk = lk.set_index(wcol)
        code = wards["ward_code"].map(lk[ccol or ncol])
        name = wards["ward_code"].map(lk[ncol]) if ncol else code
        where = f"lookup {src.lookup}"
    else:
        assert src.layer is not None
        layer, _ = read_layer(src.layer)
        if len(layer) == 0:
            raise InputError(src.layer, f"the {level} layer is empty")
        ccol = detect_field(layer, "area code", source=str(src.layer))
        try:
            ncol = detect_field(layer, "area name", given=src.name_field, source=str(src.layer))
        except InputError:
            if src.name_field is not None:
                raise
            ncol = ccol
        layer = layer.assign(_code=layer[ccol].astype(str), _name=layer[ncol].astype(str))
        best = largest_overlap(wards[["ward_code", "geometry"]], layer, "ward_code", "_code")
        code = pd.Series(best.to_numpy(), index=wards.index, dtype=object)
        name = code.map(layer.drop_duplicates("_code").set_index("_code")["_name"])
        where = f"layer {src.layer}"
    code = code.astype(object).where(code.notna(), None)
    blank = code.isna() | (code.astype(str).str.strip() == "")
    if blank.any():
        bad = wards.loc[blank.to_numpy(), "ward_code"].astype(str).tolist()
        raise InputError(
            wards_file,
            f"{len(bad)} ward(s) in no {level} ({where}): {', '.join(bad[:5])}",
        )
    code = code.astype(str).str.strip()
    name = pd.Series(name, index=wards.index).astype(object)
    name = name.where(name.notna() & (name.astype(str).str.strip() != ""), code).astype(str)
    if names:
        name = code.map(names).fillna(name)
    return code.reset_index(drop=True), name.str.strip().reset_index(drop=True)


# ---- the build ------------------------------------------------------------------------------
def month_end(month: str) -> date:
    """Last day of a "YYYY-MM" month.

    Parameters
    ----------
    month : str
        ``"YYYY-MM"``.

    Returns
    -------
    datetime.date
        The month's last day.

    Examples
    --------
    >>> month_end("2024-02")
    datetime.date(2024, 2, 29)
    """
    y, m = int(month[:4]), int(month[5:7])
    return date(y, m, calendar.monthrange(y, m)[1])


def _build_geography(req: InitRequest) -> tuple[ForceGeography, dict[str, Any]]:
    raw, rep = read_layer(req.wards)
    src = str(req.wards)
    code_f = detect_field(raw, "ward code", given=req.ward_code_field, source=src)
    name_f = detect_field(raw, "ward name", given=req.ward_name_field, source=src)
    wards = gpd.GeoDataFrame(
        {
            "ward_code": raw[code_f].astype(object).where(raw[code_f].notna(), None),
            "ward": raw[name_f].astype(str).str.strip(),
        },
        geometry=raw.geometry,
        crs=raw.crs,
    )
    check_wards(wards, src, req.config)
    wards["ward_code"] = wards["ward_code"].astype(str).str.strip()
    lpa_code, lpa_name = assign_level(wards, raw, req.lpa, "LPA", src)
    clash = pd.DataFrame({"c": lpa_code, "n": lpa_name}).drop_duplicates()
    if clash["n"].duplicated().any():
        n = clash.loc[clash["n"].duplicated(), "n"].iloc[0]
        raise InputError(src, f"two LPA codes share the name '{n}'")
    wards["lpa_code"], wards["lpa"] = lpa_code.to_numpy(), lpa_name.to_numpy()
    lpas = wards.dissolve(by="lpa_code", as_index=False, aggfunc={"lpa": "first"})[
        ["lpa_code", "lpa", "geometry"]
    ]
    if req.neighbourhood.given:
        nbh_code, nbh_name = assign_level(wards, raw, req.neighbourhood, "neighbourhood", src)
    else:
        nbh_code, nbh_name = wards["ward_code"], wards["ward"]
    wards["nbh_code"], wards["neighbourhood"] = nbh_code.to_numpy(), nbh_name.to_numpy()
    # a neighbourhood belongs to the LPA most of its wards are in
    nbh_lpa = wards.groupby("nbh_code")["lpa"].agg(lambda s: s.mode().iloc[0])
    nbhs = wards.dissolve(by="nbh_code", as_index=False, aggfunc={"neighbourhood": "first"})
    nbhs["lpa"] = nbhs["nbh_code"].map(nbh_lpa)
    force = (
        read_layer(req.force)[0]
        if req.force is not None
        else gpd.GeoDataFrame(geometry=[wards.geometry.union_all()], crs=wards.crs)
    )
    if len(force) == 0:
        raise InputError(req.force, "the force layer is empty")
    force = gpd.GeoDataFrame(
        {"force": [req.name]}, geometry=[force.geometry.union_all()], crs=wards.crs
    )
    lsoas = None
    if req.lsoas is not None:
        lraw, _ = read_layer(req.lsoas)
        if len(lraw) == 0:
            raise InputError(req.lsoas, "the LSOA layer is empty")
        lc = detect_field(lraw, "LSOA code", source=str(req.lsoas))
        ln = detect_field(lraw, "LSOA name", source=str(req.lsoas))
        lsoas = gpd.GeoDataFrame(
            {"lsoa_code": lraw[lc].astype(str), "lsoa_name": lraw[ln].astype(str)},
            geometry=lraw.geometry,
            crs=lraw.crs,
        )
        pop_col = next((c for c in lraw.columns if str(c).lower() == "population"), None)
        if pop_col is not None:
            lsoas["population"] = pd.to_numeric(lraw[pop_col], errors="coerce")
        if req.population is not None:
            pop = _read_csv(req.population)
            pc = detect_field(pop, "LSOA code", source=str(req.population))
            vc = next((c for c in pop.columns if c.lower() in ("population", "total")), None)
            if vc is None:
                raise InputError(
                    req.population, "needs a population (or total) column", field="population"
                )
            vals = pd.to_numeric(pop[vc].str.replace(",", ""), errors="coerce")
            lsoas["population"] = lsoas["lsoa_code"].map(dict(zip(pop[pc], vals)))
    geo = ForceGeography.build(
        force,
        lpas,
        wards[["ward_code", "ward", "geometry"]],
        lsoas,
        nbhs[["nbh_code", "neighbourhood", "lpa", "geometry"]],
    )
    if req.sector.given:
        s_code, s_name = assign_level(wards, raw, req.sector, "sector", src)
        sec = pd.DataFrame(
            {"sector_code": s_code.to_numpy(), "sector_name": s_name.to_numpy()},
            index=wards["ward_code"].to_numpy(),
        )
        gw = geo.wards
        gw["sector_code"] = gw["ward_code"].map(sec["sector_code"])
        gw["sector_name"] = gw["ward_code"].map(sec["sector_name"])
        geo.wards = gw[[c for c in gw.columns if c != "geometry"] + ["geometry"]]
    info = {"wards_file": src, "ward_code_field": code_f, "ward_name_field": name_f}
    info["layer_report"] = rep.message()
    return geo, info


def load_force_crimes(
    paths: list[Path],
    area: shapely.Geometry,
    *,
    mapping: Path | ColumnMapping | None,
    rejects_path: Path,
    config: InitConfig,
    source: str,
):
    """Load crimes through :func:`planner.io.crime.load_crimes`, refusing another area's files.

    Parameters
    ----------
    paths
        Crime files, folders or zips.
    area
        Force area (EPSG:27700).
    mapping
        Column mapping JSON for a force extract (or the mapping itself).
    rejects_path
        Where the rejects CSV goes.
    config
        The outside-the-force threshold.
    source
        What the area was made from (for the message).

    Returns
    -------
    planner.io.crime.LoadResult
        Accepted crimes, rejects and counts.
    """
    res = load_crimes(
        paths,
        boundary=area,
        mapping=(
            mapping
            if isinstance(mapping, ColumnMapping)
            else ColumnMapping.from_file(mapping)
            if mapping
            else None
        ),
        rejects_path=rejects_path,
        progress=sys.stderr.isatty(),
    )
    outside = int((res.rejects["reason"] == R_OUTSIDE).sum()) if res.rejected else 0
    located = res.accepted + outside
    if located == 0:
        raise PlannerError(
            f"no crime with coordinates in {', '.join(map(str, paths))} "
            f"(read {res.read}, rejected {res.rejected}; see {rejects_path})"
        )
    if outside > config.max_outside_share * located:
        raise PlannerError(
            f"{outside:,} of {located:,} located crimes fall outside the force area ({source}): "
            "are these this force's files and boundaries?"
        )
    return res


def init_workspace(req: InitRequest, *, progress: bool = False) -> tuple[Workspace, dict[str, Any]]:
    """Build a workspace from a force's wards and crimes (see the module docstring).

    Parameters
    ----------
    req
        Paths, hierarchy sources and options.
    progress : bool
        Say on stderr when each slow step (boundaries, crimes) starts and how long it took.

    Returns
    -------
    tuple[Workspace, dict]
        The finished workspace and a JSON-able summary (counts, months, today, tables).
    """
    out = Path(req.out)
    nonempty = out.exists() and (out.is_file() or any(out.iterdir()))
    if nonempty and not req.replace:
        raise PlannerError(
            f"{out} already exists and is not empty; choose another folder (or --replace a workspace)"
        )
    if nonempty and not (out / "workspace.json").exists():
        raise PlannerError(f"{out} is not a workspace; --replace only replaces a workspace")
    if not req.crimes:
        raise PlannerError("give the force's crimes with --crimes PATH...")
    from planner.progress import step

    def phase(what: str):
        return step(f"init: {what}") if progress else contextlib.nullcontext()

    with phase(f"boundaries from {req.wards}"):
        geo, info = _build_geography(req)
    with building(out) as stage:
        ws = create_workspace(
            stage,
            name=req.name,
            today=date(1970, 1, 1),
            seed=None,
            complete=False,
            extra={
                "created_by": "planner init",
                "force": req.name,
                "fy_start_month": req.config.fy_start_month,
                "notice": "",
                "sources": {
                    "wards": str(req.wards),
                    "crimes": [str(p) for p in req.crimes],
                    "ward_code_field": info["ward_code_field"],
                    "ward_name_field": info["ward_name_field"],
                },
            },
        )
        (stage / "boundaries").mkdir()
        layers: dict[str, tuple[gpd.GeoDataFrame | None, str]] = {
            "force": (
                geo.force,
                f"{req.name} force area ({'--force ' + str(req.force) if req.force else 'union of the wards'})",
            ),
            "lpas": (geo.lpas, f"{len(geo.lpas)} LPAs (wards dissolved by their LPA)"),
            "neighbourhoods": (
                geo.neighbourhoods,
                f"{len(geo.neighbourhoods)} neighbourhoods"
                + ("" if req.neighbourhood.given else " (each ward is its own neighbourhood)"),
            ),
            "wards": (geo.wards, f"{len(geo.wards)} wards from {req.wards}"),
            "lsoas": (geo.lsoas, f"LSOAs from {req.lsoas}"),
        }
        for name, (gdf, desc) in layers.items():
            if gdf is None:
                continue
            rel = f"boundaries/{name}.parquet"
            gdf.to_parquet(stage / rel, compression="zstd")
            ws.add_table(name, rel, synthetic=False, description=desc, rows=len(gdf))
        with phase(f"reading and checking crimes from {len(req.crimes)} path(s)"):
            res = load_force_crimes(
                req.crimes,
                geo.study_area,
                mapping=req.mapping,
                rejects_path=stage / CRIMES_REJECTS,
                config=req.config,
                source=f"wards {req.wards}" if req.force is None else f"force {req.force}",
            )
        with phase(f"writing {res.accepted:,} crimes"):
            save_crimes(res.crimes, stage / CRIMES_FILE)
        months = sorted(res.crimes["month"].dropna().unique().tolist())
        ws.add_table(
            CRIMES_TABLE,
            CRIMES_FILE,
            synthetic=False,
            description=f"the force's crimes {months[0]}..{months[-1]} ({len(months)} months; "
            f"read {res.read}, accepted {res.accepted}, rejected {res.rejected}, see {CRIMES_REJECTS})",
            rows=res.accepted,
        )
        meta = ws.meta
        meta["today"] = str(req.today or month_end(months[-1]))
        meta["series"] = [months[0], months[-1]]
        meta["imports"] = {
            CRIMES_TABLE: [
                {
                    "source": [str(p) for p in req.crimes],
                    "read": res.read,
                    "accepted": res.accepted,
                    "rejected": res.rejected,
                    "months": months,
                }
            ]
        }
        ws._write_meta(meta)
        today = meta["today"]
        tables = {k: v["rows"] for k, v in sorted(meta["tables"].items())}
    summary: dict[str, Any] = {
        "workspace": str(out),
        "name": req.name,
        "today": today,
        "lpas": len(geo.lpas),
        "neighbourhoods": len(geo.neighbourhoods),
        "sectors": int(geo.wards["sector_code"].nunique()) if "sector_code" in geo.wards else 0,
        "wards": len(geo.wards),
        "lsoas": 0 if geo.lsoas is None else len(geo.lsoas),
        "crimes": {
            **res.summary(),
            "rejects_file": str(out / CRIMES_REJECTS),
            "months": len(months),
            "first_month": months[0],
            "last_month": months[-1],
        },
        "tables": tables,
        "synthetic": False,
    }
    return Workspace(out), summary

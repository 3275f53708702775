"""``planner import KIND PATH --workspace DIR``: validate, reject row by row, store idempotently.

Every import reads the file(s), renames columns by the declared mapping, validates every row
(:func:`validate_rows` for the generic tables, the crime, ping and records loaders for theirs),
writes the rejected rows with a reason to a rejects CSV and merges the accepted rows into the
workspace table:

* generic tables (officers, teams, postings, duty periods, custody episodes, stations, patrol
  logs, plans): a row whose key is stored with the same values is a duplicate, with other values
  it replaces the stored row (updated), else it is inserted; ``read = inserted + updated +
  duplicates + rejected``;
* crimes: a month in the file replaces the stored month (never doubles it);
* pings: a day in the file replaces the stored day (files are kept one per month);
* tgps: the layer replaces the stored layer;
* engagements and abstractions go into the records store (:mod:`planner.records.imports`).

``--vocabulary FILE`` (CSV ``field,value,maps_to``) maps a force's own categories to ours
(``maps_to`` one of our values) or adds a category of its own (``maps_to`` empty).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.crs import BNG
from planner.errors import InputError, PlannerError
from planner.ownforce.tables import TGP_DRIVERS, Column, TableSpec, spec
from planner.records.validation import Reasons, normalise, parse_local_times, text
from planner.workspace import Workspace

#: reference time for "in the future" checks of the generic tables (plans and rosters may lie
#: ahead, so no time is refused as future)
NO_FUTURE_CHECK = datetime(2200, 1, 1)
TRUE = ("true", "yes", "y", "1", "t")
FALSE = ("false", "no", "n", "0", "f")
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
#: tables whose rows carry a ``synthetic`` column (as the demo writes them)
WITH_SYNTHETIC_COLUMN = ("officers", "teams", "postings")
#: kinds whose import rebuilds the tracked place-days (:mod:`planner.ownforce.delivery`)
DELIVERY_INPUTS = ("pings", "patrol_logs", "plans", "tgps")
#: records vocabulary fields: import field -> :class:`planner.records.vocab.Vocabulary` attribute
RECORD_FIELDS = {
    "engagement_type": "engagement_types",
    "method": "methods",
    "priority_group": "priority_groups",
    "minority_group": "minority_groups",
    "abstraction_type": "abstraction_types",
    "authoriser_level": "authoriser_levels",
}
#: the vocabulary fields of each records kind
RECORD_KIND_FIELDS = {
    "engagements": ("engagement_type", "method", "priority_group", "minority_group"),
    "abstractions": ("abstraction_type", "authoriser_level"),
}


@dataclass
class ImportOptions:
    """Options of one import (see ``planner import --help``)."""

    mapping: dict[str, str] = field(default_factory=dict)
    mapping_file: Path | None = None
    vocabulary: Path | None = None
    asb: bool = False
    driver: str | None = None
    replace: bool = False
    rejects: Path | None = None
    synthetic: bool = False
    db: str | None = None
    now: datetime | None = None
    #: nominals/victims: per-offence CCHI (or CSS) weights, ``ho_code, weight`` (issue 19)
    offence_weights: Path | None = None


@dataclass
class VocabularyFile:
    """A force's categories: translations to ours and categories of its own.

    A force's categories: ``translate[field][force value (lower case)] = our value``;
    ``added[field]`` = new categories of the force's own.
    """

    translate: dict[str, dict[str, str]] = field(default_factory=dict)
    added: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    #: first line of the file naming each field (for messages)
    lines: dict[str, int] = field(default_factory=dict)
    #: the rows as written: (field, value, maps_to, line)
    rows: list[tuple[str, str, str, int]] = field(default_factory=list)

    def check_fields(self, kind: str, fields: tuple[str, ...] | list[str]) -> None:
        """Refuse a field the table has no categories for (one line naming file, line, field).

        Parameters
        ----------
        kind
            The import kind (named in the message).
        fields
            The categorical fields of that table.
        """
        named = sorted(set(self.translate) | set(self.added), key=lambda f: self.lines.get(f, 0))
        unknown = [f for f in named if f not in fields]
        if not unknown:
            return
        f = unknown[0]
        hint = (
            f"{kind} has categorical field(s) {', '.join(fields)}"
            if fields
            else f"{kind} has no categorical field a vocabulary can map"
        )
        raise InputError(
            self.source,
            f"unknown vocabulary field '{f}' for {kind} ({hint})",
            line=self.lines.get(f),
            field="field",
        )

    def allowed(self, fld: str, ours: tuple[str, ...]) -> dict[str, str]:
        """Lower-case value -> canonical value for a field, the force's names included.

        Parameters
        ----------
        fld : str
            The field.
        ours : tuple of str
            Our categories of that field.

        Returns
        -------
        dict of str to str
            Every accepted spelling (lower case) to the value stored.
        """
        out = {v.strip().lower(): v for v in (*ours, *self.added.get(fld, ()))}
        canon = {v.strip().lower(): v for v in ours}
        for src, dst in self.translate.get(fld, {}).items():
            if dst.strip().lower() not in out:
                raise InputError(
                    self.source,
                    f"'{src}' maps to '{dst}', which is not a {fld} (allowed: {', '.join(ours)})",
                    field="maps_to",
                )
            out[src] = canon.get(dst.strip().lower(), out[dst.strip().lower()])
        return out


def read_vocabulary(path: Path | None) -> VocabularyFile:
    """Read a vocabulary CSV (``field,value,maps_to``; ``maps_to`` empty = a new category).

    Parameters
    ----------
    path
        The CSV, or None for no vocabulary.

    Returns
    -------
    VocabularyFile
        Translations and added categories per field.
    """
    if path is None:
        return VocabularyFile()
    df = _read_table_file(Path(path))
    miss = [c for c in ("field", "value", "maps_to") if c not in df.columns]
    if miss:
        raise InputError(
            path,
            f"vocabulary needs columns field, value, maps_to (missing {', '.join(miss)})",
            line=1,
        )
    out = VocabularyFile(source=str(path))
    added: dict[str, list[str]] = {}
    for i, r in enumerate(df.to_dict("records")):
        fld, val, to = (str(r[c]).strip() for c in ("field", "value", "maps_to"))
        if not fld or not val:
            raise InputError(path, "field and value must not be empty", line=i + 2)
        out.lines.setdefault(fld, i + 2)
        out.rows.append((fld, val, to, i + 2))
        if to:
            out.translate.setdefault(fld, {})[val.lower()] = to
        else:
            added.setdefault(fld, []).append(val)
    out.added = {k: tuple(v) for k, v in added.items()}
    return out


def crime_type_map(vocab: VocabularyFile) -> dict[str, str]:
    """A force extract's offence categories -> police.uk crime types, from a vocabulary file.

    Parameters
    ----------
    vocab
        The vocabulary (its ``crime_type`` rows; values as written in the extract).

    Returns
    -------
    dict
        ``type_map`` entries of a crime :class:`~planner.io.crime.ColumnMapping`.
    """
    from planner.io.crime import CRIME_TYPES

    vocab.check_fields("crimes", ["crime_type"])
    canon = {t.lower(): t for t in CRIME_TYPES}
    out: dict[str, str] = {}
    for _fld, val, to, line in vocab.rows:
        ours = canon.get(to.strip().lower())
        if ours is None:
            raise InputError(
                vocab.source,
                f"crime_type '{val}' maps to '{to}', which is not a police.uk crime type "
                "(a crime category must map to one of them; docs/data.md lists them)",
                line=line,
                field="maps_to",
            )
        out[val] = ours
    return out


# ---- reading ---------------------------------------------------------------------------------
def _read_table_file(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise PlannerError(f"{path}: no such file")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            df = pd.read_parquet(path)
            if "geometry" in df.columns:
                df = df.drop(columns="geometry")
            return df.astype(object).where(df.notna(), "").astype(str)
        df = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True
        )
    except pd.errors.EmptyDataError:
        raise InputError(path, "the file is empty (no header row)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise InputError(
            path, f"not a readable CSV or Parquet file ({str(exc).splitlines()[0]})"
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _mapping(opts: ImportOptions) -> dict[str, str]:
    import json

    m: dict[str, str] = {}
    if opts.mapping_file is not None:
        try:
            loaded = json.loads(Path(opts.mapping_file).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(opts.mapping_file, f"not a JSON mapping ({exc})") from None
        except RecursionError:
            raise InputError(opts.mapping_file, "not a JSON mapping (nested too deeply)") from None
        if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
            raise InputError(
                opts.mapping_file, "mapping must be a JSON object {source column: canonical column}"
            )
        m.update(loaded)
    m.update(opts.mapping)
    return m


def read_rows(path: Path, sp: TableSpec, mapping: dict[str, str]) -> pd.DataFrame:
    """Read a file as strings, rename by ``mapping`` and check the required columns.

    Parameters
    ----------
    path
        CSV or Parquet file.
    sp
        The table's spec.
    mapping
        {source column: canonical column}.

    Returns
    -------
    pandas.DataFrame
        Raw string values under canonical names.
    """
    df = _read_table_file(path)
    absent = [s for s in mapping if s not in df.columns]
    if absent:
        raise InputError(
            path, f"mapping names column(s) not in the file: {', '.join(absent)}", line=1
        )
    df = df.rename(columns=mapping)
    need = [c.name for c in sp.columns if c.required]
    if sp.points:
        has_xy = {"x", "y"} <= set(df.columns)
        has_ll = {"longitude", "latitude"} <= set(df.columns)
        if not (has_xy or has_ll):
            need += ["x, y (or longitude, latitude)"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(missing)} for {sp.kind}; found {', '.join(map(str, df.columns))}. "
            "Declare a mapping (--map SOURCE=CANONICAL or --mapping FILE.json)",
            line=1,
        )
    return df


# ---- validation ------------------------------------------------------------------------------
@dataclass
class Context:
    """What rows are checked against: the workspace's areas, TGPs and the vocabulary."""

    wards: set[str] = field(default_factory=set)
    lpas: dict[str, str] = field(default_factory=dict)
    nbhs: set[str] = field(default_factory=set)
    tgps: set[str] | None = None
    vocabulary: VocabularyFile = field(default_factory=VocabularyFile)

    @classmethod
    def of(cls, ws: Workspace, vocabulary: VocabularyFile) -> Context:
        """Context from a workspace's layers.

        Parameters
        ----------
        ws : Workspace
            The workspace (its wards, LPAs, neighbourhoods, TGPs, teams and officers).
        vocabulary : VocabularyFile
            The force's categories.

        Returns
        -------
        Context
            The known codes the rows are checked against.
        """
        ctx = cls(vocabulary=vocabulary)
        if ws.has_table("wards"):
            w = pd.read_parquet(ws.table_path("wards"), columns=["ward_code"])
            ctx.wards = set(w["ward_code"].astype(str))
        if ws.has_table("lpas"):
            lp = pd.read_parquet(ws.table_path("lpas"), columns=["lpa_code", "lpa"])
            ctx.lpas = {str(n).lower(): str(n) for n in lp["lpa"]}
            ctx.lpas.update({str(c).lower(): str(n) for c, n in zip(lp["lpa_code"], lp["lpa"])})
        if ws.has_table("neighbourhoods"):
            nb = pd.read_parquet(ws.table_path("neighbourhoods"), columns=["nbh_code"])
            ctx.nbhs = set(nb["nbh_code"].astype(str))
        if ws.has_table("tgps"):
            ctx.tgps = set(ws.tgps()["tgp_id"].astype(str))
        return ctx


def _dates(s: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ms]")
    todo = s != ""
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        t = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        ok = t.notna()
        out[t.index[ok]] = t[ok].astype("datetime64[ms]")
        todo = todo & out.isna()
    return out


def _column(col: Column, df: pd.DataFrame, r: Reasons, ctx: Context) -> pd.Series:
    s = text(df, col.name)
    blank = s == ""
    if col.required:
        r.add(blank, f"missing {col.name}")
    if col.type in ("text", "category"):
        v = s
        if col.type == "category":
            allowed = ctx.vocabulary.allowed(col.name, col.allowed)
            v = s.str.lower().map(allowed)
            shown = ", ".join(sorted(set(allowed.values())))
            r.add(~blank & v.isna(), f"unknown {col.name} {{v}} (allowed: {shown})", value=s)
        if col.ref == "ward_code" and ctx.wards:
            r.add(
                ~blank & ~s.isin(ctx.wards),
                "unknown ward_code {v} (not a ward of this workspace)",
                value=s,
            )
        elif col.ref == "lpa" and ctx.lpas:
            v = s.str.lower().map(ctx.lpas)
            r.add(
                ~blank & v.isna(),
                f"unknown lpa {{v}} (LPAs: {', '.join(sorted(set(ctx.lpas.values())))})",
                value=s,
            )
        elif col.ref == "nbh_code" and ctx.nbhs:
            r.add(
                ~blank & ~s.isin(ctx.nbhs),
                "unknown nbh_code {v} (not a neighbourhood of this workspace)",
                value=s,
            )
        elif col.ref == "tgp_id" and ctx.tgps is not None:
            r.add(
                ~blank & ~s.isin(ctx.tgps),
                "unknown tgp_id {v} (not in the workspace's TGP layer)",
                value=s,
            )
        return v.where(~blank, None).astype(object)
    if col.type in ("int", "float"):
        v = pd.to_numeric(s.where(~blank, None), errors="coerce").astype("float64")
        r.add(~blank & v.isna(), f"{col.name} {{v}} is not a number", value=s)
        if col.type == "int":
            frac = v.notna() & (v != np.round(v))
            r.add(frac, f"{col.name} {{v}} is not a whole number", value=s)
        return v
    if col.type == "bool":
        low = s.str.lower()
        v = pd.Series(np.where(low.isin(TRUE), True, False), index=s.index)
        r.add(
            ~blank & ~low.isin(TRUE + FALSE),
            f"{col.name} {{v}} is not true/false (yes/no, 1/0)",
            value=s,
        )
        return v
    if col.type == "date":
        v = _dates(s)
        r.add(
            ~blank & v.isna(), f"{col.name} {{v}} is not a date (YYYY-MM-DD or DD/MM/YYYY)", value=s
        )
        return v
    if col.type == "datetime":
        sub = Reasons(s.index)
        naive_utc = parse_local_times(
            s.where(~blank, ""), field=col.name, reasons=sub, now=NO_FUTURE_CHECK
        )
        # "missing" is the column's own rule (optional times may be blank)
        msg = sub.s.str.replace(rf"^missing {col.name}(; )?", "", regex=True)
        has = (msg != "").to_numpy()
        if has.any():
            idx = r.s.index[has]
            cur = r.s[idx]
            r.s[idx] = np.where(cur == "", msg[idx], cur + "; " + msg[idx])
        return (
            naive_utc.dt.tz_localize("UTC")
            .dt.tz_convert("Europe/London")
            .astype("datetime64[ns, Europe/London]")
        )
    raise PlannerError(f"internal: unknown column type {col.type}")  # pragma: no cover


def validate_rows(raw: pd.DataFrame, sp: TableSpec, ctx: Context) -> tuple[pd.DataFrame, pd.Series]:
    """Validate raw string rows of a generic table.

    Parameters
    ----------
    raw
        Rows as strings under canonical names (:func:`read_rows`).
    sp
        The table's spec.
    ctx
        Workspace areas, TGPs and vocabulary.

    Returns
    -------
    tuple[pandas.DataFrame, pandas.Series]
        Typed values and one reason string per row ("" = valid; several joined by "; ").
    """
    r = Reasons(raw.index)
    df = normalise(raw)
    out = {c.name: _column(c, df, r, ctx) for c in sp.columns}
    clean = pd.DataFrame(out, index=raw.index)
    if sp.intervals and "start" in clean and "end" in clean:
        both = clean["start"].notna() & clean["end"].notna()
        r.add(both & (clean["end"] < clean["start"]), "end is before start")
        if clean["start"].dtype != "datetime64[ms]":  # times, not days: a period has a length
            r.add(both & (clean["end"] == clean["start"]), "end equals start (an empty period)")
    if sp.points:
        if "x" in df.columns and "y" in df.columns:
            x = pd.to_numeric(text(df, "x"), errors="coerce")
            y = pd.to_numeric(text(df, "y"), errors="coerce")
            r.add(x.isna() | y.isna(), "missing or unparseable x/y")
            r.add(
                x.notna() & y.notna() & ~(x.between(0, 700_000) & y.between(0, 1_300_000)),
                "x/y outside British National Grid (EPSG:27700) range",
            )
        else:
            lon = pd.to_numeric(text(df, "longitude"), errors="coerce")
            lat = pd.to_numeric(text(df, "latitude"), errors="coerce")
            r.add(lon.isna() | lat.isna(), "missing or unparseable longitude/latitude")
            r.add(
                lon.notna() & lat.notna() & ~(lon.between(-9, 3) & lat.between(49, 61)),
                "longitude/latitude outside Great Britain",
            )
            from pyproj import Transformer

            tr = Transformer.from_crs("EPSG:4326", BNG, always_xy=True)
            xx, yy = tr.transform(lon.fillna(0).to_numpy(), lat.fillna(0).to_numpy())
            x, y = pd.Series(xx, index=df.index), pd.Series(yy, index=df.index)
        clean["_x"], clean["_y"] = x, y
    return clean, r.s


def _render(df: pd.DataFrame) -> pd.Series:
    """One string per row of the content (for duplicate/update detection)."""
    parts = []
    for c in df.columns:
        v = df[c]
        if pd.api.types.is_datetime64_any_dtype(v):
            sv = v.astype(str).where(v.notna(), "")
        elif pd.api.types.is_float_dtype(v):
            sv = v.round(7).astype(str).where(v.notna(), "")
        else:
            sv = v.astype(object).where(v.notna(), "").map(str)
        parts.append(sv.astype(str).to_numpy(dtype=object))
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + "\x1f" + p
    return pd.Series(joined, index=df.index)


def _typed(clean: pd.DataFrame, sp: TableSpec) -> pd.DataFrame:
    """Storage dtypes as the demo writes them (strings, Int64 -> int64 when complete ...)."""
    out = clean.copy()
    for c in sp.columns:
        v = out[c.name]
        if c.type == "int":
            out[c.name] = v.astype("Int64") if v.isna().any() else v.astype("int64")
        elif c.type == "date" and c.name not in ("start", "end"):
            out[c.name] = pd.Series(
                [d.date() if pd.notna(d) else None for d in v], index=v.index, dtype=object
            )
        elif c.type in ("text", "category"):
            out[c.name] = v.astype("string")
    return out


def _key_frame(df: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    return _render(df[list(key)])


def import_generic(
    ws: Workspace, sp: TableSpec, paths: list[Path], opts: ImportOptions
) -> dict[str, Any]:
    """Import a generic table (see the module docstring); returns the reconciled counts.

    Parameters
    ----------
    ws : Workspace
        The workspace imported into.
    sp : TableSpec
        The table's specification (:mod:`planner.ownforce.tables`).
    paths : list of Path
        The files to import.
    opts : ImportOptions
        Mapping, vocabulary, rejects path and replace/append choice.

    Returns
    -------
    dict
        The reconciled counts (read, accepted, rejected, ...) and where the rows went.
    """
    mapping = _mapping(opts)
    vocab = read_vocabulary(opts.vocabulary)
    vocab.check_fields(sp.kind, [c.name for c in sp.columns if c.type == "category"])
    ctx = Context.of(ws, vocab)
    raws = []
    for p in paths:
        raw = read_rows(Path(p), sp, mapping)
        raw.insert(0, "_line", np.arange(2, len(raw) + 2))
        raw.insert(0, "_file", str(p))
        raws.append(raw)
    raw = pd.concat(raws, ignore_index=True) if len(raws) > 1 else raws[0]
    body = raw.drop(columns=["_file", "_line"])
    clean, reasons = validate_rows(body, sp, ctx)
    reasons = reasons.copy()
    ok = reasons == ""
    cols = [c.name for c in sp.columns]
    typed = _typed(clean[ok], sp)
    if sp.points:
        typed = gpd.GeoDataFrame(
            typed[cols],
            geometry=gpd.points_from_xy(clean.loc[ok, "_x"], clean.loc[ok, "_y"]),
            crs=BNG,
        )
    else:
        typed = typed[cols]
    content = _render(typed.drop(columns="geometry") if sp.points else typed)
    keys = _key_frame(typed, sp.key)
    first = ~keys.duplicated(keep="first")
    same_as_first = content == content.groupby(keys).transform("first")
    in_file_dup = ~first & same_as_first
    conflict = ~first & ~same_as_first
    reasons.loc[conflict[conflict].index] = (
        f"key ({', '.join(sp.key)}) repeated in this file with different values (the first is kept)"
    )
    new = typed[first]
    new_content, new_keys = content[first], keys[first]
    inserted = updated = duplicates = 0
    target = ws.path(sp.path)
    old = None
    if ws.has_table(sp.table) and not opts.replace:
        old = ws.read_table(sp.table)
        old_keys = _key_frame(old, sp.key)
        old_content = _render(old[cols])
        stored = dict(zip(old_keys, old_content))
        st = new_keys.map(stored)
        is_new = st.isna()
        is_dup = ~is_new & (st == new_content)
        inserted, duplicates = int(is_new.sum()), int(is_dup.sum())
        updated = int((~is_new & ~is_dup).sum())
        keep_old = old[~old_keys.isin(set(new_keys)).to_numpy()]
        keep_old = keep_old[[*cols, "geometry"]] if sp.points else keep_old[cols]
        final = pd.concat([keep_old, new], ignore_index=True)
    else:
        inserted = len(new)
        final = new.reset_index(drop=True)
    duplicates += int(in_file_dup.sum())
    if sp.table in WITH_SYNTHETIC_COLUMN:
        final["synthetic"] = bool(opts.synthetic)
    final = final.sort_values(list(sp.key), kind="stable", na_position="first").reset_index(
        drop=True
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    final.to_parquet(tmp, index=False) if not sp.points else gpd.GeoDataFrame(final).to_parquet(tmp)
    tmp.replace(target)
    bad = reasons != ""
    rejects = raw.loc[bad, ["_file", "_line"]].rename(columns={"_file": "file", "_line": "line"})
    rejects.insert(2, "reason", reasons[bad])
    rejects = pd.concat([rejects, body[bad]], axis=1)
    rp = _write_rejects(ws, sp.kind, rejects, opts)
    out = {
        "kind": sp.kind,
        "table": sp.table,
        "read": len(raw),
        "inserted": inserted,
        "updated": updated,
        "duplicates": duplicates,
        "rejected": int(bad.sum()),
        "rows": len(final),
        "rejects_file": str(rp),
        "by_reason": _by_reason(reasons[bad]),
    }
    _register(ws, sp, opts, rows=len(final), paths=paths, counts=out)
    return out


def _by_reason(reasons: pd.Series) -> dict[str, int]:
    if reasons.empty:
        return {}
    each = reasons.str.split("; ").explode()
    return {str(k): int(v) for k, v in each.value_counts().items()}


def _write_rejects(ws: Workspace, kind: str, rejects: pd.DataFrame, opts: ImportOptions) -> Path:
    rp = Path(opts.rejects) if opts.rejects else ws.path(f"imports/{kind}_rejects.csv")
    rp.parent.mkdir(parents=True, exist_ok=True)
    rejects.to_csv(rp, index=False)
    return rp


def _register(
    ws: Workspace,
    sp: TableSpec,
    opts: ImportOptions,
    *,
    rows: int | None,
    paths,
    counts,
    description: str | None = None,
) -> None:
    ws.add_table(
        sp.table,
        sp.path,
        synthetic=opts.synthetic,
        description=description
        or f"{sp.kind} imported from {', '.join(Path(p).name for p in paths)}"
        + (" (SYNTHETIC)" if opts.synthetic else ""),
        rows=rows,
    )
    meta = ws.meta
    entry = {"source": [str(p) for p in paths], "at": datetime.now().isoformat(timespec="seconds")}
    entry.update({k: v for k, v in counts.items() if k not in ("by_reason",)})
    meta.setdefault("imports", {}).setdefault(sp.kind, []).append(entry)
    ws._write_meta(meta)


# ---- crimes ---------------------------------------------------------------------------------
def import_crimes(
    ws: Workspace, sp: TableSpec, paths: list[Path], opts: ImportOptions
) -> dict[str, Any]:
    """Import crime files: a month in the files replaces the stored month.

    Parameters
    ----------
    ws : Workspace
        The workspace imported into.
    sp : TableSpec
        The table's specification (:mod:`planner.ownforce.tables`).
    paths : list of Path
        The files to import.
    opts : ImportOptions
        Mapping, vocabulary, rejects path and replace/append choice.

    Returns
    -------
    dict
        The reconciled counts (read, accepted, rejected, ...) and where the rows went.
    """
    from planner.io.crime import save_crimes
    from planner.ownforce.init import CRIMES_REJECTS, InitConfig, load_force_crimes, month_end
    from planner.ownforce.mappings import crime_mapping

    rp = Path(opts.rejects) if opts.rejects else ws.path(CRIMES_REJECTS)
    mapping = crime_mapping(opts.mapping, opts.mapping_file)
    if opts.vocabulary is not None:
        types = crime_type_map(read_vocabulary(opts.vocabulary))
        if mapping is None:
            raise PlannerError(
                f"{opts.vocabulary}: a crime vocabulary maps a force extract's offence "
                "categories; give the extract's --mapping or --map (police.uk files carry "
                "police.uk crime types)"
            )
        mapping = dataclasses.replace(mapping, type_map={**mapping.type_map, **types})
    res = load_force_crimes(
        paths,
        ws.geography().study_area,
        mapping=mapping,
        rejects_path=rp,
        config=InitConfig(),
        source=f"workspace {ws.root}",
    )
    months = sorted(res.crimes["month"].dropna().unique().tolist())
    replaced: list[str] = []
    final = res.crimes
    if ws.has_table(sp.table) and not opts.replace:
        old = gpd.read_parquet(ws.table_path(sp.table))
        replaced = sorted(set(old["month"].unique()) & set(months))
        final = pd.concat([old[~old["month"].isin(months)], res.crimes], ignore_index=True)
        final = gpd.GeoDataFrame(final, geometry="geometry", crs=BNG)
    target = ws.path(sp.path)
    tmp = target.with_name(target.name + ".tmp.parquet")
    save_crimes(final, tmp)
    tmp.replace(target)
    all_months = sorted(final["month"].dropna().unique().tolist())
    out = {
        "kind": "crimes",
        "table": sp.table,
        **{k: v for k, v in res.summary().items() if k != "rejects_file"},
        "rejects_file": str(rp),
        "months": months,
        "replaced_months": replaced,
        "rows": len(final),
        "first_month": all_months[0] if all_months else None,
        "last_month": all_months[-1] if all_months else None,
    }
    _register(
        ws,
        sp,
        opts,
        rows=len(final),
        paths=paths,
        counts={k: v for k, v in out.items() if k != "months"},
        description=f"the force's crimes {all_months[0]}..{all_months[-1]} ({len(all_months)} months)"
        + (" (SYNTHETIC)" if opts.synthetic else ""),
    )
    meta = ws.meta
    if all_months and meta.get("created_by") == "planner init":
        meta["today"] = str(month_end(all_months[-1]))
        meta["series"] = [all_months[0], all_months[-1]]
        ws._write_meta(meta)
    return out


# ---- pings ---------------------------------------------------------------------------------
def import_pings(
    ws: Workspace, sp: TableSpec, paths: list[Path], opts: ImportOptions
) -> dict[str, Any]:
    """Import GPS pings: a (local) day in the files replaces the stored day.

    Parameters
    ----------
    ws : Workspace
        The workspace imported into.
    sp : TableSpec
        The table's specification (:mod:`planner.ownforce.tables`).
    paths : list of Path
        The files to import.
    opts : ImportOptions
        Mapping, vocabulary, rejects path and replace/append choice.

    Returns
    -------
    dict
        The reconciled counts (read, accepted, rejected, ...) and where the rows went.
    """
    from planner.io.pings import load_pings

    read_vocabulary(opts.vocabulary).check_fields("pings", [])
    rp = Path(opts.rejects) if opts.rejects else ws.path("imports/pings_rejects.csv")
    rp.parent.mkdir(parents=True, exist_ok=True)
    from planner.ownforce.mappings import ping_mapping

    m = ping_mapping(opts.mapping, opts.mapping_file, list(paths))
    res = load_pings(list(paths), mapping=m, rejects_path=rp, progress=False)
    pings = res.pings
    folder = ws.path(sp.path)
    if opts.replace and folder.exists():
        for f in folder.glob("*.parquet"):
            f.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    local = pings["timestamp"].dt.tz_convert("Europe/London")
    day = local.dt.strftime("%Y-%m-%d")
    days = sorted(day.unique().tolist())
    replaced: list[str] = []
    for month in sorted({d[:7] for d in days}):
        f = folder / f"{month}.parquet"
        part = pings[(day.str[:7] == month).to_numpy()]
        mdays = set(day[day.str[:7] == month])
        if f.exists():
            old = pd.read_parquet(f)
            oday = old["timestamp"].dt.tz_convert("Europe/London").dt.strftime("%Y-%m-%d")
            replaced += sorted(set(oday) & mdays)
            old = old[~oday.isin(mdays).to_numpy()]
            for c in ("source_file",):
                old[c] = old[c].astype(str)
            part = part.assign(source_file=part["source_file"].astype(str))
            part = pd.concat([old, part], ignore_index=True)
        part = part.sort_values(["officer_id", "timestamp"], kind="stable").reset_index(drop=True)
        part["source_file"] = part["source_file"].astype("category")
        tmp = f.with_name(f.name + ".tmp")
        part.to_parquet(tmp, index=False, row_group_size=500_000)
        tmp.replace(f)
    rows = sum(_parquet_rows(f) for f in folder.glob("*.parquet"))
    out = {
        "kind": "pings",
        "table": sp.table,
        **{k: v for k, v in res.summary().items() if k != "rejects_file"},
        "rejects_file": str(rp),
        "days": len(days),
        "replaced_days": replaced,
        "rows": rows,
    }
    _register(ws, sp, opts, rows=rows, paths=paths, counts=out)
    return out


def _parquet_rows(f: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(f).metadata.num_rows)


# ---- TGPs ----------------------------------------------------------------------------------
def import_tgps(
    ws: Workspace, sp: TableSpec, paths: list[Path], opts: ImportOptions
) -> dict[str, Any]:
    """Import a force's own TGP polygons (the layer replaces the stored one).

    Parameters
    ----------
    ws : Workspace
        The workspace imported into.
    sp : TableSpec
        The table's specification (:mod:`planner.ownforce.tables`).
    paths : list of Path
        The files to import.
    opts : ImportOptions
        Mapping, vocabulary, rejects path and replace/append choice.

    Returns
    -------
    dict
        The reconciled counts (read, accepted, rejected, ...) and where the rows went.
    """
    import shapely

    from planner.hotspots.tgps import label_areas
    from planner.io.boundaries import read_layer

    if len(paths) != 1:
        raise PlannerError("import tgps takes one layer file")
    path = Path(paths[0])
    layer, _ = read_layer(path)
    mapping = _mapping(opts)
    absent = [s for s in mapping if s not in layer.columns]
    if absent:
        raise InputError(path, f"mapping names column(s) not in the layer: {', '.join(absent)}")
    layer = layer.rename(columns=mapping).reset_index(drop=True)
    n = len(layer)
    r = Reasons(layer.index)
    vocab = read_vocabulary(opts.vocabulary)
    vocab.check_fields("tgps", ["driver"])
    allowed = vocab.allowed("driver", TGP_DRIVERS)
    if opts.asb:
        drv = pd.Series(["asb"] * n, index=layer.index, dtype=object)
    elif opts.driver:
        if opts.driver.strip().lower() not in allowed:
            raise PlannerError(
                f"--driver {opts.driver}: not one of {', '.join(sorted(set(allowed.values())))}"
            )
        drv = pd.Series([allowed[opts.driver.strip().lower()]] * n, index=layer.index, dtype=object)
    elif "driver" in layer.columns:
        s = (
            layer["driver"]
            .astype(object)
            .where(layer["driver"].notna(), "")
            .astype(str)
            .str.strip()
        )
        drv = s.str.lower().map(allowed)
        r.add(s == "", "missing driver (or pass --driver / --asb)")
        r.add(
            (s != "") & drv.isna(),
            f"unknown driver {{v}} (allowed: {', '.join(sorted(set(allowed.values())))})",
            value=s,
        )
    else:
        raise InputError(
            path,
            "the layer has no driver column; pass --driver (e.g. violence) or --asb",
            field="driver",
        )
    if "tgp_id" in layer.columns:
        ids = (
            layer["tgp_id"]
            .astype(object)
            .where(layer["tgp_id"].notna(), "")
            .astype(str)
            .str.strip()
        )
        r.add(ids == "", "missing tgp_id")
        r.add(
            (ids != "") & ids.duplicated(keep="first"),
            "tgp_id {v} repeated in this layer (the first is kept)",
            value=ids,
        )
    else:
        prefix = "ASB" if opts.asb else "TGP"
        ids = pd.Series([f"{prefix}-{i + 1:03d}" for i in range(n)], index=layer.index)
    kept = None  # --asb: the workspace's violent TGPs stay, its ASB areas are replaced
    if opts.asb and ws.has_table("tgps"):
        cur = ws.tgps()
        kept = cur[cur["kind"].astype(str) == "violent"]
        r.add(
            ids.isin(set(kept["tgp_id"].astype(str))),
            "tgp_id {v} is a violent TGP of the workspace (ASB areas need ids of their own)",
            value=ids,
        )
    area = ws.geography().study_area
    pts = layer.geometry.representative_point().to_numpy()
    shapely.prepare(area)
    inside = shapely.contains(area, pts)
    r.add(~inside, "outside force area (the polygon's inner point is not in the force)")
    ok = r.s == ""
    g = layer[ok.to_numpy()].copy()
    kinds = np.where(drv[ok] == "asb", "asb", "violent")
    lpa, wards = label_areas(g, ws.geography())
    cent = g.geometry.centroid
    tg = gpd.GeoDataFrame(
        {
            "tgp_id": ids[ok].to_numpy(),
            "driver": drv[ok].to_numpy(),
            "kind": kinds,
            "lpa": lpa,
            "wards": wards,
            "area_m2": g.geometry.area.to_numpy(),
            "rank": np.arange(1, len(g) + 1),
            "centre_x": cent.x.to_numpy(),
            "centre_y": cent.y.to_numpy(),
        },
        geometry=g.geometry.to_numpy(),
        crs=BNG,
    )
    if "name" in g.columns:
        tg.insert(1, "name", g["name"].astype(str).to_numpy())
    previous = len(ws.tgps()) if ws.has_table("tgps") else 0
    if opts.asb:
        from planner.ownforce.asb import with_violent

        previous -= 0 if kept is None else len(kept)
        tg = with_violent(tg, kept)
        kinds = tg["kind"].astype(str).to_numpy()
    target = ws.path(sp.path)
    tmp = target.with_name("tgps.tmp.gpkg")
    if tmp.exists():
        tmp.unlink()
    tg.to_file(tmp, layer="tgps", driver="GPKG")
    tmp.replace(target)
    bad = r.s != ""
    rej = pd.DataFrame(layer.drop(columns="geometry")[bad.to_numpy()])
    rej.insert(0, "reason", r.s[bad])
    rej.insert(0, "feature", (np.flatnonzero(bad.to_numpy()) + 1))
    rp = _write_rejects(ws, "tgps", rej, opts)
    out = {
        "kind": "tgps",
        "table": sp.table,
        "read": n,
        "accepted": int(ok.sum()),
        "rejected": int(bad.sum()),
        "replaced": previous,
        "rows": len(tg),
        "rejects_file": str(rp),
        "by_reason": _by_reason(r.s[bad]),
    }
    if opts.asb:
        out["kept_violent"] = 0 if kept is None else len(kept)
    _register(
        ws,
        sp,
        opts,
        rows=len(tg),
        paths=paths,
        counts=out,
        description=(
            f"{int((kinds == 'violent').sum())} violent TGPs kept + the force's own "
            f"{int((kinds == 'asb').sum())} ASB areas from {path.name}, as they are"
            if opts.asb
            else f"the force's own TGP layer from {path.name}: "
            f"{int((kinds == 'violent').sum())} violent + {int((kinds == 'asb').sum())} ASB areas"
        )
        + (" (SYNTHETIC)" if opts.synthetic else ""),
    )
    if opts.asb:
        from planner.ownforce.asb import overlap_report

        out["asb_overlap"] = overlap_report(ws, tg)
    return out


# ---- records ------------------------------------------------------------------------------
def import_records_kind(
    ws: Workspace | None, kind: str, paths: list[Path], opts: ImportOptions
) -> dict[str, Any]:
    """Engagement and abstraction exports into the records store (planner.records.imports).

    Parameters
    ----------
    ws : Workspace or None
        The workspace (None: the records store only).
    kind : str
        ``engagements`` or ``abstractions``.
    paths : list of Path
        The files to import.
    opts : ImportOptions
        Mapping, vocabulary, rejects path and replace/append choice.

    Returns
    -------
    dict
        The reconciled counts (read, accepted, rejected, ...) and where the rows went.
    """
    from planner.records.imports import import_records
    from planner.records.store import open_store
    from planner.records.vocab import DEFAULT_VOCABULARY

    vf = read_vocabulary(opts.vocabulary)
    vf.check_fields(kind, list(RECORD_KIND_FIELDS[kind]))
    vocab = DEFAULT_VOCABULARY
    translate: dict[str, dict[str, str]] = {}
    for fld, attr in RECORD_FIELDS.items():
        ours = getattr(DEFAULT_VOCABULARY, attr)
        if fld in vf.added:
            vocab = dataclasses.replace(vocab, **{attr: (*ours, *vf.added[fld])})  # type: ignore[arg-type]
        if fld in vf.translate:
            full = vf.allowed(fld, ours)
            translate[fld] = {k: full[k] for k in vf.translate[fld]}
    wards = None
    if ws is not None and ws.has_table("wards"):
        wards = set(
            pd.read_parquet(ws.table_path("wards"), columns=["ward_code"])["ward_code"].astype(str)
        )
    if ws is None and opts.db is None:
        raise PlannerError("give the records store with --db URL (or --workspace DIR)")
    store = open_store(opts.db, workspace=ws)
    totals: dict[str, Any] = {
        "kind": kind,
        "read": 0,
        "inserted": 0,
        "updated": 0,
        "duplicates": 0,
        "rejected": 0,
        "new_officers": 0,
    }
    files = []
    from planner.access.audit import os_user

    with store:
        for p in paths:
            rp = (
                opts.rejects
                if opts.rejects and len(paths) == 1
                else (
                    ws.path(f"imports/{kind}_{Path(p).stem}_rejects.csv")
                    if ws is not None
                    else None
                )
            )
            if rp is not None:
                Path(rp).parent.mkdir(parents=True, exist_ok=True)
            res = import_records(
                store,
                p,
                kind,  # type: ignore[arg-type]
                mapping=_mapping(opts) or None,
                rejects_path=rp,
                vocabulary=vocab,
                now=opts.now,
                synthetic=opts.synthetic,
                wards=wards,
                translate=translate or None,
                user=os_user(),
            )
            c = res.counts()
            for k in ("read", "inserted", "updated", "duplicates", "rejected", "new_officers"):
                totals[k] += c[k]
            files.append(c["rejects_file"])
    totals["rejects_file"] = files[0] if len(files) == 1 else files
    if ws is not None and opts.db is None:
        meta_sp = spec(kind)
        _register(
            ws,
            meta_sp,
            opts,
            rows=None,
            paths=paths,
            counts=totals,
            description="records store (SQLite): people, engagements, abstractions, audit trail",
        )
    return totals


# ---- entry point -----------------------------------------------------------------------------
def import_table(
    workspace: str | Path | None, kind: str, paths: list[Path], opts: ImportOptions | None = None
) -> dict[str, Any]:
    """Import files of one kind into a workspace (see the module docstring).

    Parameters
    ----------
    workspace
        Workspace folder (may be None for engagements/abstractions with ``opts.db``).
    kind
        One of :data:`planner.ownforce.tables.KINDS`.
    paths
        Files (or, for crimes and pings, folders).
    opts
        Mapping, vocabulary, flags.

    Returns
    -------
    dict
        Reconciled counts (``read``, ``rejected``, and ``inserted/updated/duplicates`` or
        ``accepted``), the rejects file and the table's row count.
    """
    opts = opts or ImportOptions()
    sp = spec(kind)
    if kind in ("engagements", "abstractions"):
        ws = Workspace(workspace) if workspace is not None else None
        return import_records_kind(ws, kind, paths, opts)
    if kind in ("nominals", "victims", "tasking", "pop", "spend"):  # issue 19
        from planner.tasking.imports import import_kind

        # these tables have no categorical field a vocabulary maps: refuse one, never ignore it
        read_vocabulary(opts.vocabulary).check_fields(kind, [])

        return import_kind(Workspace(workspace) if workspace else None, kind, paths, opts)
    if workspace is None:
        raise PlannerError(f"import {kind} needs --workspace DIR")
    ws = Workspace(workspace)
    for p in paths:
        if not Path(p).exists():
            raise PlannerError(f"{p}: no such file or folder")
    if kind == "crimes":
        return import_crimes(ws, sp, paths, opts)
    if kind == "pings":
        out = import_pings(ws, sp, paths, opts)
    elif kind == "tgps":
        out = import_tgps(ws, sp, paths, opts)
    else:
        out = import_generic(ws, sp, paths, opts)
    if kind in DELIVERY_INPUTS:
        from planner.ownforce.delivery import auto_refresh

        out["delivery"] = auto_refresh(ws)
    return out

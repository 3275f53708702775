"""Crime loaders: police.uk street CSVs, police.uk API output and mapped force extracts.

police.uk street CSVs come in the current and 2011 formats (.csv/.csv.gz/.zip/folders), API
output as JSON or its flattened CSV, force extracts through a declared column mapping. All
return the canonical schema (:mod:`planner.schema`) and never lose a row: every record is
either accepted or rejected with a reason, and ``read == accepted + rejected``.

Examples
--------
>>> from planner.io.crime import load_crimes
>>> res = load_crimes(["2020-01-leicestershire-street.csv.gz"], boundary="force.gpkg")  # doctest: +SKIP
>>> res.read == res.accepted + res.rejected                                              # doctest: +SKIP
True
"""

from __future__ import annotations

import gzip
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from planner.crs import BNG
from planner.errors import InputError, PlannerError
from planner.harm import HarmTable
from planner.io._result import Reconciled
from planner.io.csvtext import read_csv_text as _read_csv_text
from planner.io.limits import LoadLimits
from planner.paths import CONFIG
from planner.schema import CRIME_DTYPES, CRIME_TYPES, TZ, empty_crimes

# ---- formats ------------------------------------------------------------------------------
STREET_COLS = ("Crime ID", "Month", "Longitude", "Latitude", "Location", "LSOA code", "Crime type")
OLD_COLS = ("Month", "Easting", "Northing", "Location", "Crime type")
API_CSV_COLS = ("persistent_id", "month", "category", "latitude", "longitude")

#: rejection reasons (stable strings: scripts group by them)
R_NO_COORDS = "missing coordinates"
R_BAD_NUMBER = "unparseable number"
R_COORD_RANGE = "coordinates out of range"
R_OUTSIDE = "outside force area"
R_TYPE = "unknown crime type"
R_MONTH = "bad month"
R_TIME = "bad timestamp"
R_MALFORMED = "malformed row"
R_KNIFE = "bad knife flag"
#: knife-flag values of a force extract (case-insensitive); anything else is rejected
KNIFE_TRUE = ("1", "y", "yes", "true", "t")
KNIFE_FALSE = ("0", "n", "no", "false", "f", "")
R_FUTURE = "date in the future"
R_EARLY = "date too early"
REASONS = (
    R_NO_COORDS,
    R_BAD_NUMBER,
    R_COORD_RANGE,
    R_OUTSIDE,
    R_TYPE,
    R_MONTH,
    R_TIME,
    R_MALFORMED,
    R_FUTURE,
    R_EARLY,
)

_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: plausible British National Grid extent (metres) and lon/lat box for Great Britain
BNG_BOUNDS = (0.0, 0.0, 700_000.0, 1_300_000.0)
LONLAT_BOUNDS = (-9.0, 49.0, 3.0, 61.0)


@lru_cache(maxsize=1)
def category_map() -> dict[str, str]:
    """Source category -> police.uk crime type (``planner/config/category_map.csv``).

    Returns
    -------
    dict of str to str
        Every source category and every police.uk crime type (mapped to itself).
    """
    df = pd.read_csv(CONFIG / "category_map.csv")
    m = dict(zip(df["source"], df["crime_type"]))
    m.update({t: t for t in CRIME_TYPES})
    return m


@dataclass
class ColumnMapping:
    """How a force extract's columns map onto the canonical schema.

    ``columns`` maps canonical names (``crime_id, occurred_at, month, crime_type, lsoa_code,
    location, x, y, ho_code, knife_flag``) to the extract's column names. A mapped
    ``knife_flag`` (values in :data:`KNIFE_TRUE` / :data:`KNIFE_FALSE`) sets ``knife_weight`` to
    1 or 0 for those records instead of the police.uk proxy. ``coords`` is ``"bng"``
    (easting/northing, EPSG:27700) or ``"lonlat"`` (EPSG:4326). ``type_map`` maps the force's
    categories to police.uk crime types. ``datetime_format`` is a ``strptime`` format or None
    for ISO 8601. Naive timestamps are read as Europe/London.

    A mapping file is JSON with the same keys, e.g.::

        {"columns": {"crime_id": "URN", "occurred_at": "Committed", "crime_type": "Offence",
                     "x": "Easting", "y": "Northing"},
         "coords": "bng", "datetime_format": "%d/%m/%Y %H:%M",
         "type_map": {"ROBBERY OF PERSONAL PROPERTY": "Robbery"}}
    """

    columns: dict[str, str]
    coords: str = "bng"
    datetime_format: str | None = None
    type_map: dict[str, str] = field(default_factory=dict)

    REQUIRED = ("crime_type", "x", "y")

    def __post_init__(self):
        if self.coords not in ("bng", "lonlat"):
            raise PlannerError(f"mapping: coords must be 'bng' or 'lonlat', not {self.coords!r}")
        miss = [k for k in self.REQUIRED if k not in self.columns]
        if "occurred_at" not in self.columns and "month" not in self.columns:
            miss.append("occurred_at or month")
        if miss:
            raise PlannerError(f"mapping lacks canonical column(s): {', '.join(miss)}")
        bad = {v for v in self.type_map.values() if v not in CRIME_TYPES}
        if bad:
            raise PlannerError(
                f"mapping: type_map targets are not police.uk crime types: {', '.join(sorted(bad))}"
            )

    @classmethod
    def from_file(cls, path: str | Path) -> ColumnMapping:
        """Read a column mapping from a JSON file.

        Parameters
        ----------
        path : str or Path
            JSON object with a ``columns`` object and optionally ``coords``, ``datetime_format``
            and ``type_map``.

        Returns
        -------
        ColumnMapping
            The mapping; an :class:`~planner.errors.InputError` naming the file and field if invalid.
        """
        path = Path(path)
        try:
            d = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(path, f"cannot read mapping ({exc})") from None
        except RecursionError:
            raise InputError(path, "mapping JSON nested too deeply") from None
        if not isinstance(d, dict) or not isinstance(d.get("columns"), dict):
            raise InputError(
                path, "mapping must be a JSON object with a 'columns' object", field="columns"
            )
        known = ("columns", "coords", "datetime_format", "type_map")
        for key in d:
            if key not in known:
                raise InputError(
                    path, f"unknown mapping key (allowed: {', '.join(known)})", field=str(key)
                )
        for key in ("columns", "type_map"):
            v = d.get(key, {})
            if not isinstance(v, dict) or not all(
                isinstance(a, str) and isinstance(b, str) for a, b in v.items()
            ):
                raise InputError(path, "must be an object of text to text", field=key)
        for key in ("coords", "datetime_format"):
            if d.get(key) is not None and not isinstance(d[key], str):
                raise InputError(path, "must be text", field=key)
        try:
            return cls(**d)
        except PlannerError as exc:
            raise InputError(path, str(exc).removeprefix("mapping: ")) from None


@dataclass(kw_only=True)
class LoadResult(Reconciled):
    """Accepted records (canonical schema), rejects with reasons, and reconciled counts."""

    crimes: gpd.GeoDataFrame
    boundary_report: str | None = None
    accepted_table = "crimes"


REJECT_COLUMNS = ("source_file", "source_row", "reason", "field", "value", "raw")


# ---- file discovery and reading -----------------------------------------------------------
def expand_paths(paths) -> list[Path]:
    """Files, folders (recursively) and zip archives -> a sorted list of crime files.

    In a folder of police.uk downloads only ``*-street.csv[.gz]`` files are taken when any
    exist (outcomes and stop-and-search files sit beside them).

    Parameters
    ----------
    paths : str, Path or list of them
        Files, folders or zip archives.

    Returns
    -------
    list of Path
        The crime files, sorted; a :class:`~planner.errors.PlannerError` for a missing path.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise PlannerError(f"{p}: no such file or folder")
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and _is_crime_name(q.name))
            street = [q for q in found if "-street." in q.name or q.suffix == ".zip"]
            found = street or found
            if not found:
                raise PlannerError(f"{p}: folder holds no .csv, .csv.gz, .json or .zip files")
            out.extend(found)
        else:
            out.append(p)
    return out


def _is_crime_name(name: str) -> bool:
    n = name.lower()
    return n.endswith((".csv", ".csv.gz", ".zip", ".json"))


def _open_members(path: Path) -> list[tuple[str, bytes]]:
    """(display name, bytes) for a file, or each street CSV inside a police.uk zip."""
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as z:
                names = sorted(n for n in z.namelist() if n.lower().endswith(".csv"))
                street = [n for n in names if "-street" in n.lower()] or names
                if not street:
                    raise InputError(path, "zip archive holds no CSV files")
                return [(f"{path}!{n}", z.read(n)) for n in street]
        data = path.read_bytes()
        if path.suffix.lower() == ".gz" or data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        return [(str(path), data)]
    except (zipfile.BadZipFile, gzip.BadGzipFile, EOFError, OSError) as exc:
        raise InputError(path, f"cannot open ({exc.__class__.__name__}: {exc})") from None


API_JSON_COLS = (
    "persistent_id",
    "month",
    "category",
    "latitude",
    "longitude",
    "street_name",
    "outcome_category",
    "context",
)


def _cell(v) -> str:
    """A JSON value as the text a CSV cell would hold ("" for null; objects as JSON)."""
    if v is None:
        return ""
    return v if isinstance(v, str) else json.dumps(v)[:200]


def _obj(v) -> dict:
    return v if isinstance(v, dict) else {}


def _read_api_json(name: str, data: bytes) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """police.uk API ``crimes-street`` JSON (a list of crime objects) -> flat string frame.

    A list element that is not an object is a malformed record (returned separately, like a
    CSV row with the wrong field count). A JSON list has no lines: records are numbered from 1.
    """
    try:
        recs = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(name, f"invalid JSON ({exc.msg})", line=exc.lineno) from None
    except RecursionError:
        raise InputError(
            name, "JSON nested too deeply to be police.uk API output", line=1
        ) from None
    except UnicodeDecodeError:
        raise InputError(name, "not a UTF-8 JSON file", line=1) from None
    if not isinstance(recs, list):
        raise InputError(name, "expected a JSON list of police.uk API crime records", line=1)
    rows, lines, bad = [], [], []
    for i, r in enumerate(recs, start=1):
        if not isinstance(r, dict):
            bad.append((i, f"expected a JSON object, found {type(r).__name__}", _cell(r)))
            continue
        loc = _obj(r.get("location"))
        rows.append(
            (
                _cell(r.get("persistent_id")),
                _cell(r.get("month")),
                _cell(r.get("category")),
                _cell(loc.get("latitude")),
                _cell(loc.get("longitude")),
                _cell(_obj(loc.get("street")).get("name")),
                _cell(_obj(r.get("outcome_status")).get("category")),
                _cell(r.get("context")),
            )
        )
        lines.append(i)
    df = pd.DataFrame(rows, columns=list(API_JSON_COLS), dtype=str)
    df.insert(0, "_line", np.asarray(lines, dtype="int64"))
    return df, bad


def detect_format(columns) -> str:
    """Which layout a header has.

    Parameters
    ----------
    columns : iterable of str
        The column names.

    Returns
    -------
    str
        ``"street"`` (police.uk street CSV), ``"street2011"`` (its 2011 layout), ``"api"``
        (flattened police.uk API CSV) or ``"unknown"``.

    Examples
    --------
    >>> detect_format(["Month", "Crime type"])
    'unknown'
    """
    cols = set(columns)
    if set(STREET_COLS) <= cols:
        return "street"
    if set(OLD_COLS) <= cols:
        return "street2011"
    if set(API_CSV_COLS) <= cols:
        return "api"
    return "unknown"


# ---- normalisation ------------------------------------------------------------------------
class _Batch:
    """Collects rejects for one file while columns are normalised."""

    def __init__(self, name: str, raw: pd.DataFrame):
        self.name = name
        self.raw = raw
        self.keep = np.ones(len(raw), dtype=bool)
        self.rejects: list[pd.DataFrame] = []

    def reject(
        self, mask: np.ndarray, reason: str, field: str, values: pd.Series | None = None
    ) -> None:
        mask = mask & self.keep
        if not mask.any():
            return
        sub = self.raw.loc[mask]
        raw_json = (
            sub.drop(columns="_line").to_json(orient="records", lines=True).splitlines()
            if len(sub)
            else []
        )
        self.rejects.append(
            pd.DataFrame(
                {
                    "source_file": self.name,
                    "source_row": sub["_line"].to_numpy(),
                    "reason": reason,
                    "field": field,
                    "value": (
                        values[mask] if values is not None else pd.Series("", index=sub.index)
                    )
                    .astype(str)
                    .to_numpy(),
                    "raw": raw_json,
                }
            )
        )
        self.keep &= ~mask


def _num(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Parse numbers: (values, blank mask, unparseable mask)."""
    st = s.astype(str).str.strip()
    blank = (st == "").to_numpy()
    v = pd.to_numeric(st.where(~blank), errors="coerce")
    bad = v.isna().to_numpy() & ~blank
    return v, blank, bad


@lru_cache(maxsize=4)
def _transformer(src: str) -> Transformer:
    return Transformer.from_crs(src, BNG, always_xy=True)


def _normalise(
    name: str,
    raw: pd.DataFrame,
    fmt: str,
    mapping: ColumnMapping | None,
    limits: LoadLimits | None = None,
    today: date | None = None,
) -> tuple[pd.DataFrame, _Batch]:
    """Map a raw string frame to canonical columns (+x, y in BNG), rejecting bad rows."""
    limits = limits or LoadLimits()
    today = today or date.today()
    b = _Batch(name, raw)
    n = len(raw)

    def col(column: str) -> pd.Series:  # the format's (or mapping's) columns are all present
        return raw[column]

    blank = pd.Series([""] * n, index=raw.index, dtype=str)
    month: pd.Series | None
    if fmt == "street":
        crime_id, month, ctype = col("Crime ID"), col("Month"), col("Crime type")
        lsoa, loc = col("LSOA code"), col("Location")
        xs, ys, coords, fx, fy = (
            col("Longitude"),
            col("Latitude"),
            "lonlat",
            "Longitude",
            "Latitude",
        )
        occurred, ho = None, None
    elif fmt == "street2011":
        crime_id, month, ctype = blank, col("Month"), col("Crime type")
        lsoa, loc = blank, col("Location")
        xs, ys, coords, fx, fy = col("Easting"), col("Northing"), "bng", "Easting", "Northing"
        occurred, ho = None, None
    elif fmt == "api":
        crime_id, month, ctype = col("persistent_id"), col("month"), col("category")
        lsoa = col("derived_lsoa21cd") if "derived_lsoa21cd" in raw else blank
        loc = col("street_name") if "street_name" in raw else blank
        xs, ys, coords, fx, fy = (
            col("longitude"),
            col("latitude"),
            "lonlat",
            "longitude",
            "latitude",
        )
        occurred, ho = None, None
    else:  # force extract through a mapping
        assert mapping is not None
        m = mapping.columns
        missing = [src for src in m.values() if src not in raw.columns]
        if missing:
            raise InputError(
                name,
                f"column(s) {', '.join(repr(c) for c in missing)} named in the mapping are not in the file",
                line=1,
                field=missing[0],
            )
        crime_id = col(m["crime_id"]) if "crime_id" in m else blank
        ctype = col(m["crime_type"])
        if mapping.type_map:
            ctype = ctype.map(lambda v: mapping.type_map.get(v.strip(), v))
        lsoa = col(m["lsoa_code"]) if "lsoa_code" in m else blank
        loc = col(m["location"]) if "location" in m else blank
        xs, ys, fx, fy = col(m["x"]), col(m["y"]), m["x"], m["y"]
        coords = mapping.coords
        occurred = col(m["occurred_at"]) if "occurred_at" in m else None
        month = col(m["month"]) if "month" in m else None
        ho = col(m["ho_code"]) if "ho_code" in m else None
    knife = None
    extract = fmt not in ("street", "street2011", "api") and mapping is not None
    if extract and mapping is not None and "knife_flag" in mapping.columns:
        kv = col(mapping.columns["knife_flag"]).astype(str).str.strip().str.lower()
        ok_t, ok_f = kv.isin(KNIFE_TRUE), kv.isin(KNIFE_FALSE)
        b.reject((~(ok_t | ok_f)).to_numpy(), R_KNIFE, mapping.columns["knife_flag"], kv)
        knife = np.where(ok_t.to_numpy(), 1.0, 0.0)

    # timestamps (force extracts)
    occ = pd.Series(pd.NaT, index=raw.index, dtype=CRIME_DTYPES["occurred_at"])
    if occurred is not None:
        st = occurred.astype(str).str.strip()
        fmt_ = mapping.datetime_format if mapping else None
        if fmt_:
            t = pd.to_datetime(st, format=fmt_, errors="coerce")
            t = (
                t.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
                if t.dt.tz is None
                else t.dt.tz_convert(TZ)
            )
        else:
            t = _parse_iso(st)
        ofield = mapping.columns["occurred_at"] if mapping else ""
        b.reject(t.isna().to_numpy(), R_TIME, ofield, st)
        end = pd.Timestamp(today, tz=TZ) + pd.Timedelta(days=1)
        with np.errstate(invalid="ignore"):
            b.reject((t >= end).to_numpy(), R_FUTURE, ofield, st)
        occ = t.astype(CRIME_DTYPES["occurred_at"])
        if month is None:
            month = occ.dt.strftime("%Y-%m").fillna("")
    assert month is not None  # every format has a month; a mapping month or occurred_at
    # month
    mon = month.astype(str).str.strip()
    mfield = "Month" if fmt.startswith("street") else "month"
    if mapping is not None and "month" not in mapping.columns:
        mfield = mapping.columns["occurred_at"]
    elif mapping is not None:
        mfield = mapping.columns["month"]
    b.reject(~mon.str.match(_MONTH_RE).to_numpy(), R_MONTH, mfield, mon)
    # police.uk months are YYYY-MM strings: compared as text they order as dates
    b.reject((mon > today.strftime("%Y-%m")).to_numpy(), R_FUTURE, mfield, mon)
    b.reject((mon < limits.earliest_month).to_numpy(), R_EARLY, mfield, mon)
    # coordinates
    xv, xblank, xbad = _num(xs)
    yv, yblank, ybad = _num(ys)
    b.reject(xblank | yblank, R_NO_COORDS, f"{fx}/{fy}", xs.astype(str) + "," + ys.astype(str))
    b.reject(xbad, R_BAD_NUMBER, fx, xs)
    b.reject(ybad, R_BAD_NUMBER, fy, ys)
    x = xv.to_numpy(dtype="float64", na_value=np.nan)
    y = yv.to_numpy(dtype="float64", na_value=np.nan)
    lo = LONLAT_BOUNDS if coords == "lonlat" else BNG_BOUNDS
    with np.errstate(invalid="ignore"):
        out_range = ~((x >= lo[0]) & (x <= lo[2]) & (y >= lo[1]) & (y <= lo[3]))
    b.reject(out_range, R_COORD_RANGE, f"{fx}/{fy}", xs.astype(str) + "," + ys.astype(str))
    if coords == "lonlat":
        ok = b.keep
        ex, ny = np.full(n, np.nan), np.full(n, np.nan)
        if ok.any():
            ex[ok], ny[ok] = _transformer("EPSG:4326").transform(x[ok], y[ok])
        x, y = ex, ny
    # crime type
    cmap = category_map()
    # map the (few) distinct values, not every row
    codes, uniques = pd.factorize(ctype.astype(str).str.strip())
    mapped = np.array([cmap.get(v, cmap.get(v.lower())) for v in uniques] + [None], dtype=object)
    ct = pd.Series(mapped[codes], index=raw.index)
    b.reject(
        ct.isna().to_numpy(),
        R_TYPE,
        "Crime type" if fmt.startswith("street") else "crime_type",
        ctype,
    )

    def s(v):
        v = v.astype(str).str.strip()
        return v.mask(v == "").astype("string")

    out = pd.DataFrame(
        {
            "crime_id": s(crime_id),
            "month": mon.astype("string"),
            "occurred_at": occ,
            "crime_type": ct.astype("string"),
            "lsoa_code": s(lsoa),
            "location": s(loc),
            "source_file": pd.Series(name, index=raw.index, dtype="string"),
            "source_row": raw["_line"].to_numpy(),
            "_x": x,
            "_y": y,
        }
    )
    if ho is not None:
        out["_ho_code"] = ho.astype(str).str.strip()
    out["_knife"] = np.nan if knife is None else knife
    return out, b


def _parse_iso(st: pd.Series) -> pd.Series:
    """ISO 8601 timestamps, with or without offsets, mixed in one column."""
    has_off = st.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True, na=False)
    out = pd.Series(pd.NaT, index=st.index, dtype=f"datetime64[ns, {TZ}]")
    if has_off.any():
        t = pd.to_datetime(st[has_off], format="ISO8601", errors="coerce", utc=True)
        out[has_off] = t.dt.tz_convert(TZ)
    if (~has_off).any():
        t = pd.to_datetime(st[~has_off], format="ISO8601", errors="coerce")
        out[~has_off] = t.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
    return out


def _boundary_area(boundary, assume_crs: str | None = None):
    """The force area as an :class:`~planner.io.area.AreaTest` (None when no boundary)."""
    return _boundary_area_report(boundary, assume_crs)[0]


def _boundary_area_report(boundary, assume_crs: str | None = None):
    """(:class:`~planner.io.area.AreaTest` or None, the boundary file's LayerReport or None).

    The report names geometries repaired or dropped on reading; ``assume_crs`` is the CRS
    of a file that declares none (``--boundary-crs``).
    """
    if boundary is None:
        return None, None
    from planner.io.area import AreaTest

    rep = None
    if isinstance(boundary, str | Path):
        from planner.io.boundaries import read_layer

        layer, rep = read_layer(boundary, assume_crs=assume_crs)
        boundary = layer
    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        g = boundary.to_crs(BNG) if boundary.crs is not None else boundary
        geoms = np.asarray(g.geometry.values if isinstance(g, gpd.GeoDataFrame) else g.values)
    else:  # a shapely geometry in EPSG:27700
        geoms = np.array([boundary], dtype=object)
    if len(geoms) == 0 or shapely.is_empty(geoms).all():
        raise PlannerError("boundary layer is empty")
    return AreaTest(geoms), rep


def check_outside_share(boundary, report, outside: int, accepted: int, limits: LoadLimits) -> None:
    """Refuse a load whose rows nearly all fall outside the boundary (a wrong-CRS boundary).

    Parameters
    ----------
    boundary
        The boundary as given (a path is named in the message).
    report
        Its :class:`~planner.io.boundaries.LayerReport` (for the CRS it was read as), or None.
    outside, accepted
        Rows rejected as outside the force area, and rows accepted (together: every row with
        valid coordinates that reached the boundary test).
    limits
        ``max_outside_share`` is the largest share of those rows allowed outside.

    Raises
    ------
    InputError
        Naming the boundary file, when the share is exceeded.
    """
    checked = outside + accepted
    if not checked or outside <= limits.max_outside_share * checked:
        return
    where = str(boundary) if isinstance(boundary, str | Path) else "the boundary"
    crs = f" (read as {report.source_crs})" if report is not None else ""
    raise InputError(
        where,
        f"{outside:,} of {checked:,} rows with valid coordinates "
        f"({outside / checked:.0%}) fall outside this boundary{crs}: it is probably in "
        "the wrong CRS or for another force; check its .prj or pass --boundary-crs "
        "(nothing written)",
    )


# ---- public API ---------------------------------------------------------------------------
def load_crimes(
    paths,
    *,
    boundary=None,
    mapping: ColumnMapping | str | Path | None = None,
    harm: HarmTable | None = None,
    rejects_path: str | Path | None = None,
    progress: bool = False,
    boundary_crs: str | None = None,
    limits: LoadLimits | None = None,
    today: date | None = None,
    engine: str = "auto",
) -> LoadResult:
    """Load crime files into the canonical schema, rejecting (never dropping) bad rows.

    Parameters
    ----------
    paths
        Files, folders or police.uk zip archives (``.csv``, ``.csv.gz``, ``.zip``, ``.json``).
    boundary
        Force area (path to any polygon layer, GeoDataFrame or shapely geometry in EPSG:27700);
        points outside it are rejected with reason "outside force area".
    mapping
        :class:`ColumnMapping` (or a JSON file) for force extracts with other column names.
    harm
        Harm table; defaults to the bundled one.
    rejects_path
        Where to write the rejects CSV (written even when empty).
    progress
        Show a progress bar over files on stderr.
    boundary_crs
        CRS of a boundary file that declares none (a shapefile without its ``.prj``).
    limits
        Plausibility limits (earliest month, largest share outside the boundary).
    today
        Reference date for "in the future" (default: today).
    engine
        ``"auto"`` reads well-formed police.uk CSVs through the Arrow fast path
        (:mod:`planner.io.crime_fast`) and everything else with pandas; ``"pandas"`` reads
        every file with pandas (the reference the fast path is tested against).

    Returns
    -------
    LoadResult
        Accepted crimes, rejects and counts; ``boundary_report`` says what reading the
        boundary found (repaired or dropped geometries).

    Raises
    ------
    InputError
        For a malformed file (unreadable, empty, binary, missing columns): names file, line, field;
        for a boundary that nearly every row falls outside (wrong CRS), naming the boundary.
    """
    if engine not in ("auto", "pandas"):
        raise PlannerError(f"engine must be 'auto' or 'pandas', not {engine!r}")
    if isinstance(mapping, str | Path):
        mapping = ColumnMapping.from_file(mapping)
    harm = harm or HarmTable.default()
    files = expand_paths(paths)
    limits = limits or LoadLimits()
    today = today or date.today()
    area, brep = _boundary_area_report(boundary, boundary_crs)
    parts, rejects, read, names = [], [], 0, []
    it = files
    if progress:
        from tqdm import tqdm

        it = tqdm(files, desc="reading crime files", unit="file", leave=False)
    for path in it:
        parts_ = load_file(
            path, area=area, mapping=mapping, engine=engine, limits=limits, today=today
        )
        for part in parts_:
            names.append(part.name)
            read += part.read
            parts.append(part.frame)
            rejects.extend(part.rejects)
    n_outside = sum(int((r["reason"] == R_OUTSIDE).sum()) for r in rejects if len(r))
    check_outside_share(boundary, brep, n_outside, sum(len(p) for p in parts), limits)
    if parts and sum(len(p) for p in parts):
        df = pd.concat([p for p in parts if len(p)], ignore_index=True)
        ho = df.pop("_ho_code") if "_ho_code" in df.columns else None
        df["harm"] = harm.weights_for(df["crime_type"], ho)
        flag = (
            df.pop("_knife").to_numpy(dtype="float64")
            if "_knife" in df.columns  # parts read by a path without knife flags lack it
            else np.full(len(df), np.nan)
        )
        # a force extract's knife flag where it has one; the proxy only where it has not
        df["knife_weight"] = np.where(np.isnan(flag), harm.knife_for(df["crime_type"]), flag)
        x, y = df.pop("_x").to_numpy(), df.pop("_y").to_numpy()
        df = df[list(CRIME_DTYPES)].astype(CRIME_DTYPES)
        crimes = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(x, y), crs=BNG)
    else:
        crimes = empty_crimes()
    rej = (
        pd.concat(rejects, ignore_index=True)
        if rejects
        else pd.DataFrame(columns=list(REJECT_COLUMNS))
    )
    rej = rej[list(REJECT_COLUMNS)]
    res = LoadResult(
        crimes=crimes,
        rejects=rej,
        read=read,
        files=names,
        boundary_report=brep.message() if brep is not None else None,
    )
    if (
        res.accepted + res.rejected != res.read
    ):  # pragma: no cover - an invariant, not an input error
        raise AssertionError(
            f"reconciliation failed: {res.accepted} + {res.rejected} != {res.read}"
        )
    if rejects_path is not None:
        res.write_rejects(rejects_path)
    return res


@dataclass
class FilePart:
    """One crime file (or zip member) after validation: the partition unit of a load."""

    name: str
    read: int
    crimes: Any  #: canonical columns of the rows kept, ``_x, _y`` in BNG (pandas or Arrow)
    rejects: list[pd.DataFrame]

    @property
    def frame(self) -> pd.DataFrame:
        """The kept rows as a pandas frame."""
        if isinstance(self.crimes, pd.DataFrame):
            return self.crimes
        from planner.io.crime_fast import to_frame

        return to_frame(self.crimes)


def read_members(path: Path, engine: str = "auto") -> list[tuple[str, bytes, Any]]:
    """The I/O half of :func:`load_file`: each member's bytes and, for the fast path, its table.

    Thread-safe (decompression and pyarrow's CSV reader release the GIL), so the next file can be
    read while this one is validated.

    Parameters
    ----------
    path : Path
        A crime file or zip archive.
    engine : str
        ``"auto"`` also parses CSV members into Arrow tables; ``"pandas"`` reads bytes only.

    Returns
    -------
    list of tuple
        ``(member name, bytes, Arrow table or None)``; None means the pandas path reads it.
    """
    out = []
    for name, data in _open_members(Path(path)):
        table = None
        if engine == "auto" and not name.lower().endswith(".json"):
            from planner.io import crime_fast

            table = crime_fast.read_table(data)
        out.append((name, data, table))
    return out


def load_file(
    path: Path,
    *,
    area=None,
    mapping=None,
    engine: str = "auto",
    members=None,
    limits: LoadLimits | None = None,
    today: date | None = None,
) -> list[FilePart]:
    """Validate one file (each member of a police.uk zip): the pure partition step of a load.

    The result depends on nothing but the arguments, so files can be validated in any order, or
    on other machines.

    Parameters
    ----------
    path : Path
        The crime file.
    area : AreaTest, optional
        Study-area test (:class:`~planner.io.area.AreaTest`); None keeps every located row.
    mapping : ColumnMapping, optional
        Column mapping of a force extract; None detects a police.uk layout.
    engine : str
        ``"auto"`` (Arrow fast path where it applies) or ``"pandas"``.
    members : list, optional
        What :func:`read_members` read for this file, when read ahead.
    limits : LoadLimits, optional
        Plausibility limits (defaults when None).
    today : datetime.date, optional
        Reference date for "in the future" (pass it for a reproducible result).

    Returns
    -------
    list of FilePart
        One part per member: rows read, accepted rows and rejects with reasons.
    """
    out = []
    for name, data, table in members if members is not None else read_members(path, engine):
        fast = _read_fast(name, data, area, limits, today, table) if engine == "auto" else None
        if fast is not None:
            norm, b, nrows = fast
            out.append(FilePart(name, nrows, norm, b.rejects))
            continue
        rejects: list[pd.DataFrame] = []
        if name.lower().endswith(".json"):
            raw, bad = _read_api_json(name, data)
            fmt = "api"
        else:
            raw, bad = _read_csv_text(name, data)
            fmt = detect_format(raw.columns)
        if fmt == "unknown" and mapping is None:
            raise InputError(
                name,
                "unrecognised columns (not a police.uk street, 2011 or API file); "
                f"found {', '.join(c for c in raw.columns if c != '_line')[:200]}; "
                "pass a column mapping (--mapping FILE.json) for a force extract",
                line=1,
            )
        for line, detail, text in bad:
            rejects.append(
                pd.DataFrame(
                    [
                        {
                            "source_file": name,
                            "source_row": line,
                            "reason": R_MALFORMED,
                            "field": "",
                            "value": detail,
                            "raw": text,
                        }
                    ]
                )
            )
        norm, b = _normalise(name, raw, fmt, mapping, limits, today)
        if area is not None:
            ok = b.keep
            inside = np.zeros(len(norm), dtype=bool)
            inside[ok] = shapely.contains_xy(
                area.union, norm["_x"].to_numpy()[ok], norm["_y"].to_numpy()[ok]
            )
            b.reject(
                ~inside,
                R_OUTSIDE,
                "Longitude/Latitude" if fmt != "street2011" else "Easting/Northing",
                norm["_x"].round(1).astype(str) + "," + norm["_y"].round(1).astype(str),
            )
        rejects.extend(b.rejects)
        out.append(FilePart(name, len(raw) + len(bad), norm.loc[b.keep], rejects))
    return out


def _read_fast(name: str, data: bytes, area, limits=None, today=None, table=None):
    """(kept rows, batch, rows read) through the Arrow fast path, or None for the pandas path."""
    if name.lower().endswith(".json"):
        return None
    from planner.io import crime_fast

    if table is None:
        table = crime_fast.read_table(data)
    if table is None:
        return None
    fmt = detect_format(table.column_names)
    if fmt not in crime_fast.FAST_FORMATS:
        return None
    norm, b = crime_fast.normalise(name, table, fmt, area, limits=limits, today=today)
    return norm, b, table.num_rows


def save_crimes(crimes: gpd.GeoDataFrame, path: str | Path) -> None:
    """Write a canonical crime table as GeoParquet, sorted by month (row groups prune by month).

    Parameters
    ----------
    crimes : geopandas.GeoDataFrame
        Canonical crime table.
    path : str or Path
        Output file (parent folders are created).
    """
    crimes = crimes.sort_values(["month", "crime_type"], kind="stable").reset_index(drop=True)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    crimes.to_parquet(path, compression="zstd", row_group_size=50_000, write_covering_bbox=False)

"""GPS ping ingest (radio and vehicle AVL): CSV or Parquet, streamed in chunks, with rejects.

Default columns: ``officer_id, timestamp, longitude, latitude`` or ``officer_id, timestamp,
easting, northing`` (or ``x, y`` in EPSG:27700, as the canonical frame below is written;
``callsign`` is accepted for ``officer_id``), optional ``speed`` (m/s)
and ``device`` (e.g. "radio", "vehicle"). Other names through a :class:`PingMapping`.

Timestamps are ISO 8601. With an offset (``Z``, ``+01:00``) they are exact; naive ones are
Europe/London wall-clock time. A naive time in the hour the clocks go back happens twice: the
first pass is read as BST and, for each officer, every ping after the clock visibly goes back
(a later ping with an earlier wall-clock time in that hour) as GMT. A naive time in the hour
the clocks skip does not exist and is rejected.

Every data row is accepted or rejected with a reason (``read == accepted + rejected``); a
file that cannot be parsed at all (missing columns, wrong number of fields, not a Parquet
file) raises :class:`~planner.errors.InputError` naming the file, line and field.

The accepted pings form the canonical ping frame (not a GeoDataFrame: 10 million point
objects cost more than the analysis):

===============  ==================================  ====================================
column           dtype                               meaning
===============  ==================================  ====================================
officer_id       string                              officer or callsign
timestamp        datetime64[ns, Europe/London]       ping time
x, y             float64                             EPSG:27700 metres
speed            float64                             reported speed, m/s (NaN if none)
device           string                              device type (<NA> if none)
source_file      category                            file the row came from
source_row       int64                               line (CSV, header = 1) or row (Parquet, first = 1)
===============  ==================================  ====================================
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.crs import BNG
from planner.errors import InputError, PlannerError
from planner.io._result import Reconciled
from planner.timeutil import TZ

#: rows per chunk when streaming a file
CHUNK_ROWS = 500_000
#: plausible coordinate ranges (Great Britain and a margin)
LON_RANGE, LAT_RANGE = (-9.0, 3.0), (49.0, 61.5)
E_RANGE, N_RANGE = (0.0, 700_000.0), (0.0, 1_300_000.0)
#: speed unit -> factor to m/s
SPEED_UNITS = {"m/s": 1.0, "km/h": 1 / 3.6, "mph": 0.44704, "knots": 0.514444}


@dataclass(frozen=True)
class PingRules:
    """Plausibility rules applied to every ping."""

    #: pings before this UTC time are device errors (1970 = epoch zero, 1980 = GPS epoch,
    #: week-number rollovers put pings 19.6 years back)
    earliest: str = "2000-01-01"
    #: pings from this UTC time on are device errors
    latest: str = "2100-01-01"


RULES = PingRules()
R_IMPLAUSIBLE = f"implausible timestamp (before {RULES.earliest[:4]} or from {RULES.latest[:4]})"
_EARLIEST_NS = int(pd.Timestamp(RULES.earliest, tz="UTC").value)
_LATEST_NS = int(pd.Timestamp(RULES.latest, tz="UTC").value)


def _implausible(ns: np.ndarray) -> np.ndarray:
    """UTC nanoseconds outside the plausible range (NaT, the int64 minimum, is left alone)."""
    nat = ns == np.iinfo(np.int64).min
    return ~nat & ((ns < _EARLIEST_NS) | (ns >= _LATEST_NS))


PING_DTYPES: dict[str, Any] = {  # dtype strings (pandas-stubs types astype() by literal)
    "officer_id": "string",
    "timestamp": f"datetime64[ns, {TZ}]",
    "x": "float64",
    "y": "float64",
    "speed": "float64",
    "device": "string",
    "source_file": "category",
    "source_row": "int64",
}
REJECT_COLUMNS = ("source_file", "source_row", "reason", "field", "value")


@dataclass(frozen=True)
class PingMapping:
    """Declared column names of a ping file.

    ``columns`` maps canonical names (``officer_id, timestamp, x, y, speed, device``) to the
    file's names; ``coords`` is ``"lonlat"`` (x = longitude, y = latitude, EPSG:4326) or
    ``"bng"`` (x = easting, y = northing); ``speed_unit`` one of m/s, km/h, mph, knots;
    ``datetime_format`` a ``strptime`` format or None for ISO 8601. A mapping file is JSON::

        {"columns": {"officer_id": "CallSign", "timestamp": "FixTime",
                     "x": "Lon", "y": "Lat", "speed": "SpeedKmh"},
         "coords": "lonlat", "speed_unit": "km/h"}
    """

    columns: dict[str, str]
    coords: str = "lonlat"
    speed_unit: str = "m/s"
    datetime_format: str | None = None

    REQUIRED = ("officer_id", "timestamp", "x", "y")

    def __post_init__(self):
        if self.coords not in ("lonlat", "bng"):
            raise PlannerError(
                f"ping mapping: coords must be 'lonlat' or 'bng', not {self.coords!r}"
            )
        if self.speed_unit not in SPEED_UNITS:
            raise PlannerError(f"ping mapping: speed_unit must be one of {', '.join(SPEED_UNITS)}")
        miss = [k for k in self.REQUIRED if k not in self.columns]
        if miss:
            raise PlannerError(f"ping mapping lacks canonical column(s): {', '.join(miss)}")

    @classmethod
    def from_file(cls, path: str | Path) -> PingMapping:
        """Read a ping column mapping from a JSON file.

        Parameters
        ----------
        path : str or Path
            JSON object with a ``columns`` object.

        Returns
        -------
        PingMapping
            The mapping; an :class:`~planner.errors.InputError` naming the file if invalid.
        """
        path = Path(path)
        try:
            d = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(path, f"cannot read mapping ({exc})") from None
        if not isinstance(d, dict) or "columns" not in d:
            raise InputError(
                path, "mapping must be a JSON object with a 'columns' object", field="columns"
            )
        return cls(**d)


def detect_mapping(columns, file: str = "<input>") -> PingMapping:
    """The default mapping for a header, or an InputError naming the missing field.

    Parameters
    ----------
    columns : list of str
        The header.
    file : str
        File name used in the error message.

    Returns
    -------
    PingMapping
        The columns found (``officer_id`` or ``callsign``, ``timestamp``, coordinates, ...).
    """
    cols = {c.strip().lower(): c for c in columns}
    m: dict[str, str] = {}
    for canon, names in (("officer_id", ("officer_id", "callsign")), ("timestamp", ("timestamp",))):
        hit = next((cols[n] for n in names if n in cols), None)
        if hit is None:
            raise InputError(
                file,
                f"missing column '{names[0]}' (header: {', '.join(map(str, columns))})",
                line=1,
                field=names[0],
            )
        m[canon] = hit
    if "longitude" in cols and "latitude" in cols:
        m["x"], m["y"], coords = cols["longitude"], cols["latitude"], "lonlat"
    elif "easting" in cols and "northing" in cols:
        m["x"], m["y"], coords = cols["easting"], cols["northing"], "bng"
    elif "x" in cols and "y" in cols:  # the canonical ping frame (EPSG:27700)
        m["x"], m["y"], coords = cols["x"], cols["y"], "bng"
    else:
        raise InputError(
            file,
            "needs longitude and latitude, or easting and northing columns",
            line=1,
            field="longitude",
        )
    for opt in ("speed", "device"):
        if opt in cols:
            m[opt] = cols[opt]
    return PingMapping(columns=m, coords=coords)


@dataclass(kw_only=True)
class PingLoadResult(Reconciled):
    """Accepted pings (canonical frame), rejects with reasons, and reconciled counts."""

    pings: pd.DataFrame
    accepted_table = "pings"


def empty_pings() -> pd.DataFrame:
    """An empty canonical ping frame.

    Returns
    -------
    pandas.DataFrame
        No rows, the canonical ping columns and dtypes.
    """
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in PING_DTYPES.items()})


def empty_rejects() -> pd.DataFrame:
    """An empty rejects frame.

    Returns
    -------
    pandas.DataFrame
        No rows, the reject columns (``source_row`` int64, the rest strings).
    """
    return pd.DataFrame(
        {c: pd.Series(dtype="int64" if c == "source_row" else "string") for c in REJECT_COLUMNS}
    )


@lru_cache(maxsize=2)
def _to_bng():
    from pyproj import Transformer  # only lon/lat input needs it

    return Transformer.from_crs("EPSG:4326", BNG, always_xy=True)


# ---- chunk normalisation ---------------------------------------------------------------
class _Chunk:
    def __init__(self, name: str, rows: np.ndarray):
        self.name = name
        self.rows = rows
        self.keep = np.ones(len(rows), bool)
        self.rejects: list[pd.DataFrame] = []

    def reject(self, mask, reason: str, fld: str, values) -> None:
        mask = np.asarray(mask, bool) & self.keep
        if not mask.any():
            return
        self.rejects.append(
            pd.DataFrame(
                {
                    "source_file": self.name,
                    "source_row": self.rows[mask],
                    "reason": reason,
                    "field": fld,
                    "value": (
                        values.take(np.flatnonzero(mask))
                        if isinstance(values, _LazyValues)
                        else pd.Series(values).iloc[np.flatnonzero(mask)]
                    )
                    .astype(str)
                    .to_numpy(),
                }
            )
        )
        self.keep &= ~mask


def _as_str(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip()


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, blank, unparseable) for a text or numeric column."""
    if pd.api.types.is_numeric_dtype(s.dtype):
        v = s.to_numpy(np.float64, na_value=np.nan)
        blank = np.isnan(v)
        return v, blank, np.zeros(len(v), bool)
    st = _as_str(s).fillna("")
    blank = (st == "").to_numpy()
    v = pd.to_numeric(st.where(~(st == "")), errors="coerce").to_numpy(np.float64, na_value=np.nan)
    return v, blank, np.isnan(v) & ~blank


_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


def _timestamps(s: pd.Series, fmt: str | None):
    """Parse a timestamp column.

    Returns (exact UTC times, naive wall-clock times, naive mask, unparseable mask); a row is
    either exact (had an offset or a tz-aware type) or naive.
    """
    n = len(s)
    utc = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    naive = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        utc = s.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
        return utc, naive, np.zeros(n, bool), utc.isna().to_numpy()
    if pd.api.types.is_datetime64_dtype(s.dtype):
        naive = s.astype("datetime64[ns]")
        return utc, naive, np.ones(n, bool), naive.isna().to_numpy()
    st = _as_str(s).fillna("")
    if fmt:
        t = pd.to_datetime(st, format=fmt, errors="coerce")
        if isinstance(t.dtype, pd.DatetimeTZDtype):
            utc = t.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
            return utc, naive, np.zeros(n, bool), utc.isna().to_numpy()
        naive = t.astype("datetime64[ns]")
        return utc, naive, np.ones(n, bool), naive.isna().to_numpy()
    has_off = st.str.contains(_OFFSET, regex=True).to_numpy(bool)
    if has_off.any():
        utc[has_off] = pd.to_datetime(st[has_off], format="ISO8601", errors="coerce", utc=True)
    if (~has_off).any():
        naive[~has_off] = pd.to_datetime(st[~has_off], format="ISO8601", errors="coerce")
    bad = np.where(has_off, utc.isna().to_numpy(), naive.isna().to_numpy())
    return utc, naive, ~has_off, bad


def _localise(naive: pd.Series, officer: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Naive Europe/London wall-clock times -> UTC; (times, nonexistent mask)."""
    as_bst = naive.dt.tz_localize(TZ, ambiguous=np.ones(len(naive), bool), nonexistent="NaT")
    as_gmt = naive.dt.tz_localize(TZ, ambiguous=np.zeros(len(naive), bool), nonexistent="NaT")
    nonexist = (as_bst.isna() & naive.notna()).to_numpy()
    amb = (as_bst != as_gmt).fillna(False).to_numpy(bool)
    second = np.zeros(len(naive), bool)
    if amb.any():
        idx = np.flatnonzero(amb)
        t = naive.to_numpy()[idx].astype("datetime64[ns]").astype(np.int64)
        o = pd.factorize(officer.to_numpy()[idx])[0]
        df = pd.DataFrame({"o": o, "t": t})
        back = (df.groupby("o")["t"].diff() < 0).to_numpy()
        jumped = pd.Series(back).groupby(o).cummax().to_numpy(bool)
        second[idx] = jumped
    out = as_bst.where(~pd.Series(second, index=naive.index), as_gmt)
    return out.dt.tz_convert("UTC"), nonexist


def _normalise(
    raw: pd.DataFrame, rows: np.ndarray, name: str, m: PingMapping
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    c = _Chunk(name, rows)
    col = m.columns
    off = _as_str(raw[col["officer_id"]])
    c.reject(
        off.isna().to_numpy() | (off == "").fillna(False).to_numpy(bool),
        "missing officer",
        "officer_id",
        off.fillna(""),
    )
    ts_raw = raw[col["timestamp"]]
    utc, naive, naive_mask, bad_t = _timestamps(ts_raw, m.datetime_format)
    blank_t = ts_raw.isna().to_numpy().copy()
    if not pd.api.types.is_datetime64_any_dtype(ts_raw.dtype):
        blank_t |= (_as_str(ts_raw).fillna("") == "").to_numpy(bool)
    c.reject(blank_t, "missing timestamp", "timestamp", ts_raw)
    c.reject(bad_t, "unparseable timestamp", "timestamp", ts_raw)
    if naive_mask.any():
        loc, nonexist = _localise(
            naive.where(pd.Series(naive_mask & c.keep, index=raw.index)), off.fillna("")
        )
        c.reject(nonexist, "nonexistent local time (clocks went forward)", "timestamp", ts_raw)
        utc = utc.where(~pd.Series(naive_mask, index=raw.index), loc)
    ns = utc.to_numpy("datetime64[ns]").astype(np.int64)
    c.reject(_implausible(ns), R_IMPLAUSIBLE, "timestamp", ts_raw)
    xv, xb, xbad = _numbers(raw[col["x"]])
    yv, yb, ybad = _numbers(raw[col["y"]])
    xn, yn = ("longitude", "latitude") if m.coords == "lonlat" else ("easting", "northing")
    c.reject(xb, f"missing {xn}", col["x"], raw[col["x"]])
    c.reject(yb, f"missing {yn}", col["y"], raw[col["y"]])
    c.reject(xbad, f"unparseable {xn}", col["x"], raw[col["x"]])
    c.reject(ybad, f"unparseable {yn}", col["y"], raw[col["y"]])
    xr, yr = (LON_RANGE, LAT_RANGE) if m.coords == "lonlat" else (E_RANGE, N_RANGE)
    c.reject(~((xv >= xr[0]) & (xv <= xr[1])), f"{xn} out of range", col["x"], raw[col["x"]])
    c.reject(~((yv >= yr[0]) & (yv <= yr[1])), f"{yn} out of range", col["y"], raw[col["y"]])
    sp = np.full(len(raw), np.nan)
    if "speed" in col:
        sv, sb, sbad = _numbers(raw[col["speed"]])
        c.reject(sbad, "unparseable speed", col["speed"], raw[col["speed"]])
        c.reject(~sb & ~sbad & (sv < 0), "negative speed", col["speed"], raw[col["speed"]])
        sp = sv * SPEED_UNITS[m.speed_unit]
    k = c.keep
    x, y = xv[k], yv[k]
    if m.coords == "lonlat" and len(x):
        x, y = _to_bng().transform(x, y)
    out = pd.DataFrame(
        {
            "officer_id": pd.array(off.to_numpy()[k], dtype="string"),
            "timestamp": utc[k].dt.tz_convert(TZ).array,
            "x": np.asarray(x, np.float64),
            "y": np.asarray(y, np.float64),
            "speed": sp[k],
            "device": pd.array(_as_str(raw[col["device"]]).to_numpy()[k], dtype="string")
            if "device" in col
            else pd.array([pd.NA] * int(k.sum()), dtype="string"),
            "source_row": rows[k],
        }
    )
    out["timestamp"] = out["timestamp"].astype(PING_DTYPES["timestamp"])
    return out, c.rejects


# ---- the Arrow fast path (typed Parquet) -------------------------------------------------
def _arrow_ok(schema, m: PingMapping) -> bool:
    """Whether the fast path reads this Parquet chunk.

    It does for a string officer, a tz-aware timestamp and numeric coordinates and speed
    (anything else goes through :func:`_normalise`).
    """
    import pyarrow as pa

    col = m.columns

    def typ(c):
        t = schema.field(col[c]).type
        return t.value_type if pa.types.is_dictionary(t) else t

    def is_str(t):
        return pa.types.is_string(t) or pa.types.is_large_string(t)

    def is_num(t):
        return pa.types.is_floating(t) or pa.types.is_integer(t)

    t = typ("timestamp")
    return (
        is_str(typ("officer_id"))
        and pa.types.is_timestamp(t)
        and t.tz is not None
        and is_num(typ("x"))
        and is_num(typ("y"))
        and ("speed" not in col or is_num(typ("speed")))
        and ("device" not in col or is_str(typ("device")))
    )


_UNIT_NS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def _column(batch, name: str):
    """A batch column by name, dictionary columns decoded."""
    import pyarrow as pa

    a = batch.column(batch.schema.get_field_index(name))
    return a.dictionary_decode() if pa.types.is_dictionary(a.type) else a


def _trimmed_officers(o):
    """Officer ids trimmed, and the trimmed values to test for blanks.

    A dictionary column (how the ids are read) is trimmed once per id: the ids stay a
    dictionary over the trimmed values, which are what is tested.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(o.type):
        d = pc.utf8_trim_whitespace(o.dictionary)
        return pa.DictionaryArray.from_arrays(o.indices, d), d
    off = pc.utf8_trim_whitespace(o)
    return off, off


def _clean_arrow(batch, rows: np.ndarray, m: PingMapping):
    """The accepted table of a chunk that passes every check, or None when any row fails one.

    The common case, checked with Arrow's reductions (bitmaps and min/max, no row-sized numpy
    temporaries); a chunk with a rejected row goes through :func:`_normalise_arrow`'s masks.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    col = m.columns

    def arr(k):
        return _column(batch, col[k])

    o = batch.column(batch.schema.get_field_index(col["officer_id"]))
    if o.null_count:
        return None
    off, values = _trimmed_officers(o)
    if pc.any(pc.equal(values, "")).as_py():
        return None
    ts = arr("timestamp")
    if ts.null_count or len(ts) == 0:
        return None
    f = _UNIT_NS[ts.type.unit]
    mm = pc.min_max(ts)
    if mm["min"].value * f < _EARLIEST_NS or mm["max"].value * f >= _LATEST_NS:
        return None
    xr, yr = (LON_RANGE, LAT_RANGE) if m.coords == "lonlat" else (E_RANGE, N_RANGE)
    xy = []
    for k, (lo, hi) in (("x", xr), ("y", yr)):
        a = pc.cast(arr(k), pa.float64())
        if a.null_count or pc.any(pc.is_nan(a)).as_py():
            return None
        r = pc.min_max(a)
        if r["min"].as_py() < lo or r["max"].as_py() > hi:
            return None
        xy.append(a)
    n = len(rows)
    if "speed" in col:
        sp = pc.cast(arr("speed"), pa.float64())
        if pc.any(pc.less(sp, 0.0)).as_py():
            return None
        sp = pc.fill_null(sp, float("nan"))
        unit = SPEED_UNITS[m.speed_unit]
        sp = sp if unit == 1.0 else pc.multiply(sp, unit)
    else:
        sp = pa.array(np.full(n, np.nan))
    x, y = xy
    if m.coords == "lonlat":
        bx, by = _to_bng().transform(x.to_numpy(), y.to_numpy())
        x, y = pa.array(np.asarray(bx, np.float64)), pa.array(np.asarray(by, np.float64))
    dev = (
        pc.utf8_trim_whitespace(arr("device")).cast(pa.string())
        if "device" in col
        else pa.nulls(n, pa.string())
    )
    return pa.table(
        {
            "officer_id": off.cast(pa.string()),
            "timestamp": pc.cast(ts, pa.timestamp("ns", tz=TZ)),
            "x": x,
            "y": y,
            "speed": sp,
            "device": dev,
            "source_row": pa.array(rows),
        }
    )


def _normalise_arrow(batch, rows: np.ndarray, name: str, m: PingMapping):
    """:func:`_normalise` for a typed Arrow batch.

    The same checks, order and reject values, column-wise in Arrow and numpy (no Python strings
    but for rejected rows).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    clean = _clean_arrow(batch, rows, m)
    if clean is not None:
        return clean, []
    col = m.columns
    c = _Chunk(name, rows)

    def arr(k):
        return _column(batch, col[k])

    def vals(k):
        return _LazyValues(batch, col[k])

    o = batch.column(batch.schema.get_field_index(col["officer_id"]))
    off, values = _trimmed_officers(o)
    blank = pc.fill_null(pc.equal(values, ""), True)
    if values is not off:  # tested per id: each ping takes its id's answer (null ids: blank)
        blank = pc.fill_null(pc.take(blank, o.indices), True)
    off_bad = blank.to_numpy(zero_copy_only=False)
    ts = arr("timestamp")
    ns = pc.cast(ts, pa.timestamp("ns", tz="UTC")).cast(pa.int64())
    ns_np = pc.fill_null(ns, np.iinfo(np.int64).min).to_numpy(zero_copy_only=False)
    tnull = ts.is_null().to_numpy(zero_copy_only=False)
    implausible = _implausible(ns_np)

    def num(k):
        v = np.asarray(pc.cast(arr(k), pa.float64()).to_numpy(zero_copy_only=False), np.float64)
        return v, np.isnan(v)

    xv, xb = num("x")
    yv, yb = num("y")
    xn, yn = ("longitude", "latitude") if m.coords == "lonlat" else ("easting", "northing")
    xr, yr = (LON_RANGE, LAT_RANGE) if m.coords == "lonlat" else (E_RANGE, N_RANGE)
    with np.errstate(invalid="ignore"):
        xout = ~((xv >= xr[0]) & (xv <= xr[1]))  # NaN too
        yout = ~((yv >= yr[0]) & (yv <= yr[1]))
    n = len(rows)
    bad = off_bad | tnull | implausible | xout | yout
    if "speed" in col:
        sv, sb = num("speed")
        with np.errstate(invalid="ignore"):
            neg = ~sb & (sv < 0)
        bad |= neg
        f = SPEED_UNITS[m.speed_unit]
        sp = sv if f == 1.0 else sv * f
    else:
        sp = np.full(n, np.nan)
    # the rejects (in the pandas path's order) only when there are any
    if bad.any():
        strip = _LazyValues(batch, col["officer_id"], strip=True)
        c.reject(off_bad, "missing officer", "officer_id", strip)
        c.reject(tnull, "missing timestamp", "timestamp", vals("timestamp"))
        c.reject(implausible, R_IMPLAUSIBLE, "timestamp", vals("timestamp"))
        c.reject(xb, f"missing {xn}", col["x"], vals("x"))
        c.reject(yb, f"missing {yn}", col["y"], vals("y"))
        c.reject(xout, f"{xn} out of range", col["x"], vals("x"))
        c.reject(yout, f"{yn} out of range", col["y"], vals("y"))
        if "speed" in col:
            c.reject(neg, "negative speed", col["speed"], vals("speed"))
    k = c.keep
    every = not c.rejects
    km = pa.array(k)
    x, y = (xv, yv) if every else (xv[k], yv[k])
    if m.coords == "lonlat" and len(x):
        x, y = _to_bng().transform(x, y)
    nk = int(k.sum())
    tk = (
        pc.cast(ts, pa.timestamp("ns", tz=TZ))  # no row dropped: the instants as they are
        if every
        else pa.array(ns_np[k], pa.int64())
        .cast(pa.timestamp("ns", tz="UTC"))
        .cast(pa.timestamp("ns", tz=TZ))
    )
    dev = (
        (
            pc.utf8_trim_whitespace(arr("device"))
            if every
            else pc.filter(pc.utf8_trim_whitespace(arr("device")), km)
        ).cast(pa.string())
        if "device" in col
        else pa.nulls(nk, pa.string())
    )
    out = pa.table(
        {
            "officer_id": (off if every else pc.filter(off, km)).cast(pa.string()),
            "timestamp": tk,
            "x": pa.array(np.asarray(x, np.float64)),
            "y": pa.array(np.asarray(y, np.float64)),
            "speed": pa.array(sp if every else sp[k]),
            "device": dev,
            "source_row": pa.array(rows if every else rows[k]),
        }
    )
    return out, c.rejects


def _frames(parts: list) -> pd.DataFrame:
    """Concatenate chunk results: Arrow tables are joined in Arrow and converted once."""
    import pyarrow as pa

    if all(isinstance(p, pa.Table) for p in parts):
        t = pa.concat_tables(parts)
        strings = pd.StringDtype("pyarrow")
        return t.to_pandas(types_mapper={pa.string(): strings}.get)
    return pd.concat(
        [_frames([p]) if isinstance(p, pa.Table) else p for p in parts], ignore_index=True
    )


class _LazyValues:
    """A batch column turned into pandas values only at the rows asked for.

    These are the reject values, as :func:`_normalise` shows them.
    """

    def __init__(self, batch, name: str, strip: bool = False):
        self.batch, self.name, self.strip = batch, name, strip

    def take(self, idx: np.ndarray) -> pd.Series:
        import pyarrow as pa

        a = self.batch.column(self.batch.schema.get_field_index(self.name)).take(pa.array(idx))
        if pa.types.is_dictionary(a.type):
            a = a.dictionary_decode()
        s = a.to_pandas()
        if self.strip:
            s = _as_str(pd.Series(s)).fillna("")
        return pd.Series(s)


# ---- file readers ----------------------------------------------------------------------
_PANDAS_LINE = re.compile(r"line (\d+)")


def _csv_chunks(path: Path, chunk_rows: int, bar):
    """(frame of strings, first line number) chunks; malformed files -> InputError."""
    fh = path.open("rb")
    try:
        head = fh.read(4096)
        if b"\x00" in head:
            raise InputError(path, "not a text CSV file (binary content)", line=1)
        if not head.strip():
            raise InputError(path, "file is empty", line=1)
        fh.seek(0)
        reader = pd.read_csv(
            fh,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            chunksize=chunk_rows,
            encoding="utf-8-sig",
        )
        line = 2
        last = 0
        try:
            for chunk in reader:
                yield chunk, line
                line += len(chunk)
                pos = fh.tell()
                bar.update(pos - last)
                last = pos
        except pd.errors.ParserError as exc:
            msg = str(exc)
            mm = _PANDAS_LINE.search(msg)
            ln = int(mm.group(1)) if mm else None
            detail = msg.split(". ", 1)[-1] if "Expected" in msg else msg
            raise InputError(
                path, f"malformed CSV row ({detail.strip()})", line=ln, field="(row)"
            ) from None
        except UnicodeDecodeError as exc:
            raise InputError(path, f"not UTF-8 text ({exc.reason})", line=line) from None
    finally:
        fh.close()


def _plain(batch):
    """A Parquet batch with its dictionary columns decoded (the pandas path reads plain text)."""
    import pyarrow as pa

    cols = [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c for c in batch.columns]
    return pa.RecordBatch.from_arrays(cols, names=batch.schema.names)


def _parquet_chunks(path: Path, chunk_rows: int, bar, columns=None, dictionary=None):
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path, read_dictionary=dictionary)
    except Exception as exc:  # pyarrow raises several types for a non-Parquet file
        raise InputError(
            path, f"not a readable Parquet file ({exc.__class__.__name__}: {exc})"
        ) from None
    row = 1
    batches = pf.iter_batches(batch_size=chunk_rows, columns=columns, use_threads=True)
    for batch in _read_ahead(batches):
        yield batch, row
        row += batch.num_rows
        bar.update(batch.num_rows)


def _read_ahead(it):
    """Items of ``it``, the next one read in a background thread while the caller works.

    Parquet decoding releases the GIL, so reading the next chunk overlaps checking this one.
    An exception raised by ``it`` is raised here, at the item it replaces.
    """
    from concurrent.futures import ThreadPoolExecutor

    done = object()
    with ThreadPoolExecutor(max_workers=1) as ex:
        nxt = ex.submit(next, it, done)
        while True:
            item = nxt.result()
            if item is done:
                return
            nxt = ex.submit(next, it, done)
            yield item


def _bar(total, desc, unit, progress):
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=True,
        file=sys.stderr,
        disable=not progress,
        leave=False,
    )


@dataclass
class PingPart:
    """One chunk of one file, checked: its accepted rows and its rejects.

    ``accepted`` is a :class:`pyarrow.Table` (the Arrow path) or a pandas frame (the pandas
    path), both with the canonical columns but ``source_file``.
    """

    file: int  #: position of the file in the list read
    read: int  #: data rows in the chunk
    accepted: Any
    rejects: list

    @property
    def n_accepted(self) -> int:
        """Accepted rows of the chunk."""
        a = self.accepted
        return a.num_rows if hasattr(a, "num_rows") else len(a)


def iter_ping_parts(
    files: list[Path],
    mapping: PingMapping | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: bool = True,
    engine: str = "auto",
):
    """Check ping files chunk by chunk (the streaming step of :func:`load_pings`).

    Parameters
    ----------
    files : list of Path
        The ping files (see :func:`load_pings` for folders).
    mapping : PingMapping, optional
        Column mapping; None detects the default columns per file.
    chunk_rows, progress, engine
        As :func:`load_pings`.

    Yields
    ------
    PingPart
        Each chunk's accepted rows and rejects, in file and row order.
    """
    for fi, path in enumerate(files):
        name = str(path)
        is_pq = path.suffix.lower() in (".parquet", ".pq", ".geoparquet")
        if is_pq:
            import pyarrow.parquet as pq

            try:
                meta = pq.ParquetFile(path)
                header, total = meta.schema_arrow.names, meta.metadata.num_rows
            except Exception as exc:
                raise InputError(
                    path, f"not a readable Parquet file ({exc.__class__.__name__}: {exc})"
                ) from None
        else:
            header, total = _csv_header(path), path.stat().st_size
        m = mapping or detect_mapping(header, name)
        missing = [v for v in m.columns.values() if v not in header]
        if missing:
            raise InputError(
                path,
                f"missing column '{missing[0]}' declared in the mapping",
                line=1,
                field=missing[0],
            )
        with _bar(total, f"pings {path.name}", "row" if is_pq else "B", progress) as bar:
            chunks = (
                _parquet_chunks(
                    path, chunk_rows, bar, list(m.columns.values()), [m.columns["officer_id"]]
                )
                if is_pq
                else _csv_chunks(path, chunk_rows, bar)
            )
            for raw, first in chunks:
                nraw = raw.num_rows if is_pq else len(raw)
                rows = np.arange(first, first + nraw, dtype=np.int64)
                if is_pq and engine == "auto" and _arrow_ok(raw.schema, m):
                    ok, rej = _normalise_arrow(raw, rows, name, m)
                else:
                    ok, rej = _normalise(_plain(raw).to_pandas() if is_pq else raw, rows, name, m)
                yield PingPart(fi, nraw, ok, rej)


def load_pings(
    paths: str | Path | list[str | Path],
    *,
    mapping: PingMapping | str | Path | None = None,
    rejects_path: str | Path | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: bool = True,
    engine: str = "auto",
) -> PingLoadResult:
    """Read ping files (CSV or Parquet) in chunks into the canonical ping frame.

    Parameters
    ----------
    paths : str, Path or list of them
        File(s) or folder(s) (``*.csv``, ``*.parquet`` inside a folder).
    mapping : PingMapping, str or Path, optional
        A :class:`PingMapping`, or a JSON mapping file; None detects the default columns.
    rejects_path : str or Path, optional
        Where to write the rejects CSV (written even when empty).
    chunk_rows : int
        Rows per streamed chunk.
    progress : bool
        Show a tqdm progress bar on stderr.
    engine : str
        ``"auto"`` reads typed Parquet (string officer, tz-aware timestamp, numeric
        coordinates) column-wise in Arrow; ``"pandas"`` reads every chunk through pandas (the
        reference the fast path is tested against).

    Returns
    -------
    PingLoadResult
        Accepted pings, rejects with reasons, and counts with ``read == accepted + rejected``.

    Examples
    --------
    >>> res = load_pings("pings/2025-10.csv")  # doctest: +SKIP
    >>> res.read == res.accepted + res.rejected  # doctest: +SKIP
    True
    """
    if isinstance(mapping, (str, Path)):
        mapping = PingMapping.from_file(mapping)
    files = _expand(paths)
    parts, rejects, read = [], [], 0
    part_files: list[int] = []  # rows of each part
    part_file: list[int] = []  # file of each part
    for part in iter_ping_parts(
        files, mapping, chunk_rows=chunk_rows, progress=progress, engine=engine
    ):
        read += part.read
        parts.append(part.accepted)
        part_files.append(part.n_accepted)
        part_file.append(part.file)
        rejects.extend(part.rejects)
    pings = _frames(parts) if parts else empty_pings()
    if parts:
        names = [str(f) for f in files]
        codes = np.repeat(np.asarray(part_file, np.int32), part_files)
        cats = sorted({names[i] for i in set(part_file)})  # as astype("category") orders them
        rank = np.array([cats.index(n) if n in cats else -1 for n in names], np.int32)
        pings["source_file"] = pd.Categorical.from_codes(rank[codes], pd.Index(cats))
    pings["source_file"] = pings["source_file"].astype("category")
    pings = pings[list(PING_DTYPES)]
    rejected = pd.concat(rejects, ignore_index=True) if rejects else empty_rejects()
    res = PingLoadResult(pings=pings, rejects=rejected, read=read, files=[str(f) for f in files])
    if res.read != res.accepted + res.rejected:  # pragma: no cover - an internal invariant
        raise PlannerError(
            f"ping counts do not reconcile: read {res.read}, accepted {res.accepted}, rejected {res.rejected}"
        )
    if rejects_path is not None:
        res.write_rejects(rejects_path)
    return res


def _csv_header(path: Path) -> list[str]:
    import csv

    try:
        with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline()
    except OSError as exc:
        raise InputError(path, f"cannot open ({exc})") from None
    if not first.strip():
        raise InputError(path, "file is empty", line=1)
    if "\x00" in first:
        raise InputError(path, "not a text CSV file (binary content)", line=1)
    return [c.strip() for c in next(csv.reader([first]))]


def _expand(paths) -> list[Path]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix.lower() in (".csv", ".parquet")))
        elif p.exists():
            out.append(p)
        else:
            raise PlannerError(f"{p}: no such file or folder")
    if not out:
        raise PlannerError("no ping files given (CSV or Parquet)")
    return out


def save_pings(pings: pd.DataFrame, path: str | Path) -> None:
    """Write a canonical ping frame as Parquet (row groups of 1M for streaming reads).

    Parameters
    ----------
    pings : pandas.DataFrame
        Canonical ping frame.
    path : str or Path
        Output file (parent folders are created).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pings.to_parquet(path, index=False, row_group_size=1_000_000)


__all__ = [
    "PING_DTYPES",
    "PingLoadResult",
    "PingMapping",
    "detect_mapping",
    "empty_pings",
    "load_pings",
    "save_pings",
]

"""The fast path of the crime loader: police.uk CSVs read with pyarrow, normalised in Arrow.

police.uk street, 2011 and API CSVs are normalised column-wise in Arrow (the same checks,
reasons and rejects as the pandas path in :mod:`planner.io.crime`, which stays the reference
and handles everything this path declines).

A file takes this path when it is well-formed UTF-8 CSV with a recognised police.uk header and
no duplicate column names; any other file (a malformed row, a force extract through a mapping,
JSON, latin-1 text, an odd number) is read by the pandas path, so the fast path only ever
returns what the reference would. ``tests/foundation/test_crime_fast.py`` checks both paths
give identical accepted rows and rejects on the test corpus and on the real data.

The cost is one pass of pyarrow's multi-threaded CSV reader, a few Arrow compute kernels per
column, one coordinate transform and one point-in-boundary test of the rows still accepted;
rejected rows (usually a few per cent) are the only ones turned into Python objects.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from planner.timeutil import TZ

#: a plain decimal number: pyarrow's cast and pandas.to_numeric agree on these bit for bit
_DECIMAL = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
#: formats this path reads (force extracts need a mapping: pandas path)
FAST_FORMATS = ("street", "street2011", "api")


@dataclass(frozen=True)
class Columns:
    """The source columns of one police.uk format (None = not in this format)."""

    crime_id: str | None
    month: str
    crime_type: str
    lsoa: str | None
    location: str | None
    x: str
    y: str
    coords: str  #: "lonlat" or "bng"


def format_columns(fmt: str, names) -> Columns:
    """Which source column feeds which canonical one, as :func:`planner.io.crime._normalise`.

    Parameters
    ----------
    fmt : str
        ``"street"``, ``"street2011"`` or ``"api"`` (:func:`planner.io.crime.detect_format`).
    names : iterable of str
        The file's column names.

    Returns
    -------
    Columns
        Source column names (None where the format has none) and the coordinate system.
    """
    names = set(names)
    if fmt == "street":
        return Columns(
            "Crime ID", "Month", "Crime type", "LSOA code", "Location", "Longitude", "Latitude",
            "lonlat",
        )  # fmt: skip
    if fmt == "street2011":
        return Columns(None, "Month", "Crime type", None, "Location", "Easting", "Northing", "bng")
    return Columns(
        "persistent_id",
        "month",
        "category",
        "derived_lsoa21cd" if "derived_lsoa21cd" in names else None,
        "street_name" if "street_name" in names else None,
        "longitude",
        "latitude",
        "lonlat",
    )


def read_table(data: bytes) -> pa.Table | None:
    """All columns as strings (never null), or None when the pandas path must read the file.

    None for: no header, duplicate or empty header names, invalid UTF-8, a row with the wrong
    number of fields, a NUL byte near the start (the pandas path raises the right error).

    Parameters
    ----------
    data : bytes
        The CSV file's bytes.

    Returns
    -------
    pyarrow.Table or None
        Every column as strings, or None.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip() or b"\x00" in data[:4096]:
        return None
    if b"\n\n" in data or b"\n\r\n" in data or data.count(b"\r") != data.count(b"\r\n"):
        return None  # blank lines (skipped by Arrow: line numbers would shift) or bare CRs
    if b'"' in data and not _quotes_balanced_per_line(data):
        return None  # a stray quote: Arrow would take the line as it stands
    end = data.find(b"\n")
    first = data[: end if end >= 0 else len(data)]
    try:
        header = next(csv.reader([first.decode("utf-8").rstrip("\r")]))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return None
    if not header or len(set(header)) != len(header) or "" in header or "_line" in header:
        return None
    try:
        return pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None


def _quotes_balanced_per_line(data: bytes) -> bool:
    """Every line holds an even number of double quotes (one record per line, none open)."""
    buf = np.frombuffer(data, np.uint8)
    quotes = np.flatnonzero(buf == ord('"'))
    newlines = np.flatnonzero(buf == ord("\n"))
    per_line = np.bincount(np.searchsorted(newlines, quotes), minlength=1)
    return not (per_line % 2).any()


def _strip(a: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.utf8_trim_whitespace(a)


def numbers(raw: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, blank mask, unparseable mask), exactly as the pandas path's ``_num``.

    Parameters
    ----------
    raw : pyarrow.ChunkedArray
        A string column.

    Returns
    -------
    tuple of numpy.ndarray
        float64 values (NaN where blank or unparseable), blank flags, unparseable flags.
    """
    st = _strip(raw)
    blank = pc.equal(st, "").to_numpy(zero_copy_only=False)
    plain = pc.match_substring_regex(st, _DECIMAL).to_numpy(zero_copy_only=False)
    if (plain | blank).all():
        v = pc.cast(pc.if_else(pc.equal(st, ""), pa.scalar(None, pa.string()), st), pa.float64())
        vals = v.to_numpy(zero_copy_only=False).astype(np.float64)
        return vals, blank, np.zeros(len(vals), bool)
    s = pd.Series(st.to_numpy(zero_copy_only=False), dtype=object)
    v = pd.to_numeric(s.where(~blank), errors="coerce").to_numpy(np.float64, na_value=np.nan)
    return v, blank, np.isnan(v) & ~blank


def dict_map(a: pa.ChunkedArray, fn, arrow: bool = False):
    """``fn`` over the distinct values of ``a`` only, spread back to every row.

    Parameters
    ----------
    a : pyarrow.ChunkedArray
        A string column.
    fn : callable
        Applied to each distinct value.
    arrow : bool
        Also return the (string) results as an Arrow array.

    Returns
    -------
    numpy.ndarray or tuple
        The results per row (object array); with ``arrow``, ``(that, pyarrow.Array)``.
    """
    d = pc.dictionary_encode(a).combine_chunks()
    uniq = d.dictionary.to_pylist()
    res = [fn(v) for v in uniq]
    idx = d.indices.to_numpy(zero_copy_only=False)
    mapped = np.array(res + [None], dtype=object)[idx]
    if not arrow:
        return mapped
    return mapped, pa.DictionaryArray.from_arrays(d.indices, pa.array(res, pa.string())).cast(
        pa.string()
    )


def repeat(value: str, n: int) -> pa.Array:
    """``value`` ``n`` times as an Arrow string array (no Python list).

    Parameters
    ----------
    value : str
        The string.
    n : int
        How many times.

    Returns
    -------
    pyarrow.Array
        A string array of length ``n``.
    """
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, np.int32)), pa.array([value], pa.string())
    ).cast(pa.string())


def month_ok(mon: pa.ChunkedArray, pattern: re.Pattern) -> np.ndarray:
    """Rows whose (stripped) month matches ``pattern``, tested on the distinct values only.

    Parameters
    ----------
    mon : pyarrow.ChunkedArray
        Month column (stripped text).
    pattern : re.Pattern
        The accepted month layout.

    Returns
    -------
    numpy.ndarray of bool
        One flag per row.
    """
    return dict_map(mon, lambda v: bool(pattern.match(v))).astype(bool)


def month_cmp(mon: pa.ChunkedArray, op: str, bound: str) -> np.ndarray:
    """Rows whose month text is after (``>``) or before (``<``) ``bound``.

    Parameters
    ----------
    mon : pyarrow.ChunkedArray
        Month column (``YYYY-MM`` text).
    op : str
        ``">"`` or ``"<"``.
    bound : str
        The month compared with.

    Returns
    -------
    numpy.ndarray of bool
        One flag per row.
    """
    fn = pc.greater if op == ">" else pc.less
    return fn(mon, bound).to_numpy(zero_copy_only=False).astype(bool)


def nullable_strings(a: pa.ChunkedArray) -> pd.Series:
    """Stripped strings with empty -> <NA>, as the canonical ``string`` dtype.

    Parameters
    ----------
    a : pyarrow.ChunkedArray
        A string column.

    Returns
    -------
    pandas.Series
        ``string`` dtype.
    """
    st = _strip(a)
    st = pc.if_else(pc.equal(st, ""), pa.scalar(None, pa.string()), st)
    return pd.Series(pd.array(st, dtype="string"))


def raw_rows(table: pa.Table, idx: np.ndarray) -> pd.DataFrame:
    """The source rows at ``idx`` as a string frame (as the pandas path's raw frame).

    Parameters
    ----------
    table : pyarrow.Table
        The file read by :func:`read_table`.
    idx : numpy.ndarray
        Row positions.

    Returns
    -------
    pandas.DataFrame
        Those rows, every column a string.
    """
    sub = table.take(pa.array(idx, pa.int64()))
    str_dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return sub.to_pandas(types_mapper={pa.string(): str_dtype}.get)


def _json_text(a: pa.ChunkedArray | pa.Array) -> pa.Array:
    """ASCII text without control characters as a quoted JSON string.

    Escaped as pandas' ``to_json`` (ujson) escapes it: backslash, double quote and forward slash.
    """
    for old, new in (("\\", "\\\\"), ('"', '\\"'), ("/", "\\/")):
        a = pc.replace_substring(a, old, new)
    return pc.binary_join_element_wise('"', a, '"', "")


def json_lines(table: pa.Table, idx: np.ndarray, sub: pd.DataFrame | None = None) -> list[str]:
    """The rows ``idx`` of an all-text table as ``to_json(orient="records", lines=True)`` lines.

    Built in Arrow; rows with non-ASCII or control characters go through pandas.

    Parameters
    ----------
    table
        The source table (string columns, no nulls: :func:`read_table`).
    idx
        Row positions.
    sub
        ``raw_rows(table, idx)`` if already made (for the pandas rows).

    Returns
    -------
    list of str
        One JSON object per row.
    """
    if len(idx) == 0:
        return []
    t = table.take(pa.array(idx, pa.int64()))
    names = t.column_names
    plain = all(n.isascii() and n.isprintable() for n in names)
    ok = np.ones(len(idx), bool)
    parts = []
    for i, n in enumerate(names):
        a = t[n]
        if a.null_count or not pa.types.is_string(a.type):
            plain = False
            break
        ok &= pc.and_(
            pc.string_is_ascii(a), pc.invert(pc.match_substring_regex(a, "[\\x00-\\x1f\\x7f]"))
        ).to_numpy(zero_copy_only=False)
        key = json.dumps(n).replace("/", "\\/")
        parts.append(
            pc.binary_join_element_wise(("{" if i == 0 else ",") + key + ":", _json_text(a), "")
        )
    if not plain:
        sub = raw_rows(table, idx) if sub is None else sub
        return sub.to_json(orient="records", lines=True).splitlines()
    line = pc.binary_join_element_wise(*parts, "}", "")
    out = (line.combine_chunks() if isinstance(line, pa.ChunkedArray) else line).to_pylist()
    if not ok.all():
        bad = np.flatnonzero(~ok)
        sub = raw_rows(table, idx) if sub is None else sub
        ref = sub.iloc[bad].to_json(orient="records", lines=True).splitlines()
        for j, r in zip(bad, ref, strict=True):
            out[j] = r
    return out


class PointCache:
    """Source coordinates -> BNG and inside-the-area flags, each distinct point done once.

    police.uk anonymises locations to a fixed set of map points, so a year of a force's
    crimes has a few tens of thousands of distinct coordinates (35 Leicestershire months:
    21,204 for 301,838 rows). The transform and the area test are point by point, so the
    result is bit for bit the one of doing every row.

    Parameters
    ----------
    coords
        ``"lonlat"`` (transformed to EPSG:27700 with pyproj) or ``"bng"`` (taken as they are).
    area
        An :class:`~planner.io.area.AreaTest` or None (every point inside).
    """

    #: forget the cache beyond this many points (bounds its memory)
    MAX_POINTS = 5_000_000

    def __init__(self, coords: str, area=None) -> None:
        self.coords = coords
        self.area = area
        self.clear()

    def clear(self) -> None:
        """Forget every cached point."""
        self.keys = np.empty(0, np.complex128)
        self.ex = np.empty(0)
        self.ny = np.empty(0)
        self.inside = np.empty(0, bool)

    def _compute(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self.coords == "lonlat":
            from planner.io.crime import _transformer

            ex, ny = _transformer("EPSG:4326").transform(u.real, u.imag)
            ex, ny = np.asarray(ex, np.float64), np.asarray(ny, np.float64)
        else:
            ex, ny = u.real.copy(), u.imag.copy()
        inside = np.ones(len(u), bool) if self.area is None else self.area.contains_xy(ex, ny)
        return ex, ny, inside

    def locate(self, sx: np.ndarray, sy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, y, inside) for finite source coordinates.

        Parameters
        ----------
        sx, sy : numpy.ndarray
            Source coordinates (longitude/latitude or easting/northing).

        Returns
        -------
        tuple of numpy.ndarray
            BNG x, BNG y and whether each point is inside the area (True when there is no area).
        """
        z = np.asarray(sx, np.float64) + 1j * np.asarray(sy, np.float64)
        u, inv = np.unique(z, return_inverse=True)
        pos = np.searchsorted(self.keys, u)
        hit = pos < len(self.keys)
        hit[hit] = self.keys[pos[hit]] == u[hit]
        ux, uy, ui = np.empty(len(u)), np.empty(len(u)), np.empty(len(u), bool)
        ux[hit], uy[hit], ui[hit] = self.ex[pos[hit]], self.ny[pos[hit]], self.inside[pos[hit]]
        miss = ~hit
        if miss.any():
            mx, my, mi = self._compute(u[miss])
            ux[miss], uy[miss], ui[miss] = mx, my, mi
            if len(self.keys) + int(miss.sum()) > self.MAX_POINTS:
                self.clear()
            keys = np.concatenate([self.keys, u[miss]])
            order = np.argsort(keys, kind="stable")
            self.keys = keys[order]
            self.ex = np.concatenate([self.ex, mx])[order]
            self.ny = np.concatenate([self.ny, my])[order]
            self.inside = np.concatenate([self.inside, mi])[order]
        inv = inv.reshape(-1)
        return ux[inv], uy[inv], ui[inv]


_CACHES: dict[tuple[str, int], PointCache] = {}


def point_cache(coords: str, area=None) -> PointCache:
    """The process's cache for these source coordinates and this area.

    Each Dask worker has its own; at most four are kept.

    Parameters
    ----------
    coords : str
        ``"lonlat"`` or ``"bng"``.
    area : AreaTest, optional
        The study-area test.

    Returns
    -------
    PointCache
        A cache shared by the files of this process.
    """
    key = (coords, id(area))
    c = _CACHES.get(key)
    if c is None or c.area is not area:
        if len(_CACHES) >= 4:
            _CACHES.clear()
        c = _CACHES[key] = PointCache(coords, area)
    return c


class FastBatch:
    """Rejects of one file on the fast path (the pandas path's ``_Batch``).

    Each check's rows are noted, and the raw source rows of all of them are turned into text
    once, at the end.
    """

    def __init__(self, name: str, table: pa.Table, lines: np.ndarray):
        self.name = name
        self.table = table
        self.lines = lines
        self.keep = np.ones(table.num_rows, dtype=bool)
        self._checks: list[tuple[np.ndarray, str, str, np.ndarray]] = []
        self._rejects: list[pd.DataFrame] | None = None

    def reject(self, mask: np.ndarray, reason: str, field: str, values) -> None:
        """Reject ``mask`` rows still kept; ``values(idx)`` gives their reject values.

        Parameters
        ----------
        mask : numpy.ndarray of bool
            Rows failing the check.
        reason : str
            The reject reason.
        field : str
            The field checked.
        values : callable
            Row positions -> the values shown in the rejects file.
        """
        mask = mask & self.keep
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        self._checks.append((idx, reason, field, pd.Series(values(idx)).astype(str).to_numpy()))
        self.keep &= ~mask

    @property
    def rejects(self) -> list[pd.DataFrame]:
        """The rejects as one frame (in check order), as the pandas path lists them."""
        if self._rejects is None:
            if not self._checks:
                self._rejects = []
                return self._rejects
            idx = np.concatenate([c[0] for c in self._checks])
            self._rejects = [
                pd.DataFrame(
                    {
                        "source_file": self.name,
                        "source_row": self.lines[idx],
                        "reason": np.repeat(
                            [c[1] for c in self._checks], [len(c[0]) for c in self._checks]
                        ),
                        "field": np.repeat(
                            [c[2] for c in self._checks], [len(c[0]) for c in self._checks]
                        ),
                        "value": np.concatenate([c[3] for c in self._checks]),
                        "raw": json_lines(self.table, idx),
                    }
                )
            ]
        return self._rejects


def normalise(
    name: str, table: pa.Table, fmt: str, area=None, *, limits=None, today=None
) -> tuple[pa.Table, FastBatch]:
    """Canonical columns of the rows kept (Arrow; ``_x, _y`` in BNG) and the file's rejects.

    The same checks in the same order as :func:`planner.io.crime._normalise` followed by the
    boundary test of :func:`planner.io.crime.load_crimes`.

    Parameters
    ----------
    name : str
        File name (for rejects).
    table : pyarrow.Table
        The file read by :func:`read_table`.
    fmt : str
        Its format (:func:`planner.io.crime.detect_format`).
    area : AreaTest, optional
        :class:`~planner.io.area.AreaTest` in EPSG:27700, or None.
    limits : LoadLimits, optional
        Plausibility limits.
    today : datetime.date, optional
        Reference date for "in the future".

    Returns
    -------
    tuple of (pyarrow.Table, FastBatch)
        The kept rows and the rejects.
    """
    from planner.io import crime as C

    n = table.num_rows
    lines = np.arange(2, n + 2, dtype="int64")
    b = FastBatch(name, table, lines)
    cols = format_columns(fmt, table.column_names)
    street = fmt.startswith("street")

    def col(c):
        return table[c]

    def text(a):
        return lambda idx: a.take(pa.array(idx)).to_numpy(zero_copy_only=False)

    # month
    mon = _strip(col(cols.month))
    mfield = "Month" if street else "month"
    b.reject(~month_ok(mon, C._MONTH_RE), C.R_MONTH, mfield, text(mon))
    # impossible months (YYYY-MM text orders as dates), as the pandas path
    limits = limits or C.LoadLimits()
    today = today or date.today()
    b.reject(month_cmp(mon, ">", today.strftime("%Y-%m")), C.R_FUTURE, mfield, text(mon))
    b.reject(month_cmp(mon, "<", limits.earliest_month), C.R_EARLY, mfield, text(mon))
    # coordinates
    xs, ys = col(cols.x), col(cols.y)
    xv, xblank, xbad = numbers(xs)
    yv, yblank, ybad = numbers(ys)

    def pair(idx):
        a = pa.array(idx)
        return np.char.add(
            np.char.add(xs.take(a).to_numpy(zero_copy_only=False).astype(str), ","),
            ys.take(a).to_numpy(zero_copy_only=False).astype(str),
        )

    fxy = f"{cols.x}/{cols.y}"
    b.reject(xblank | yblank, C.R_NO_COORDS, fxy, pair)
    b.reject(xbad, C.R_BAD_NUMBER, cols.x, text(xs))
    b.reject(ybad, C.R_BAD_NUMBER, cols.y, text(ys))
    lo = C.LONLAT_BOUNDS if cols.coords == "lonlat" else C.BNG_BOUNDS
    with np.errstate(invalid="ignore"):
        out_range = ~((xv >= lo[0]) & (xv <= lo[2]) & (yv >= lo[1]) & (yv <= lo[3]))
    b.reject(out_range, C.R_COORD_RANGE, fxy, pair)
    ok = b.keep
    x, y = (np.full(n, np.nan), np.full(n, np.nan)) if cols.coords == "lonlat" else (xv, yv)
    inside = np.zeros(n, dtype=bool)
    if ok.any():
        x[ok], y[ok], inside[ok] = point_cache(cols.coords, area).locate(xv[ok], yv[ok])
    # crime type (mapped on the distinct values)
    cmap = C.category_map()
    ctype = col(cols.crime_type)
    ct, ct_arrow = dict_map(
        _strip(ctype), lambda v: cmap.get(v, cmap.get(v.lower())), arrow=True
    )  # fmt: skip
    b.reject(
        pd.isna(ct), C.R_TYPE, "Crime type" if street else "crime_type", text(ctype)
    )  # fmt: skip
    # boundary
    if area is not None:

        def rounded(idx):
            # numpy's float text is Python's (shortest round trip), as pandas' astype(str);
            # the points tested against the area are finite
            rx, ry = np.round(x[idx], 1).astype(str), np.round(y[idx], 1).astype(str)
            return np.char.add(np.char.add(rx, ","), ry).astype(object)

        b.reject(
            ~inside,
            C.R_OUTSIDE,
            "Longitude/Latitude" if fmt != "street2011" else "Easting/Northing",
            rounded,
        )
    k = b.keep
    kmask = pa.array(k)
    nk = int(k.sum())

    def kept(a):
        return a if nk == n else pc.filter(a, kmask)

    def opt(c):
        if c is None:
            return pa.nulls(nk, pa.large_string())
        return _nullable(kept(table[c]))

    out = pa.table(
        {
            "crime_id": opt(cols.crime_id),
            "month": kept(mon).cast(pa.large_string()),
            "occurred_at": pa.nulls(nk, pa.timestamp("ns", tz=TZ)),
            "crime_type": kept(ct_arrow).cast(pa.large_string()),
            "lsoa_code": opt(cols.lsoa),
            "location": opt(cols.location),
            "source_file": repeat(name, nk).cast(pa.large_string()),
            "source_row": pa.array(lines[k]),
            "_x": pa.array(x[k]),
            "_y": pa.array(y[k]),
        }
    )
    return out, b


def _nullable(a: pa.ChunkedArray) -> pa.ChunkedArray:
    st = _strip(a)
    return pc.if_else(pc.equal(st, ""), pa.scalar(None, pa.string()), st).cast(pa.large_string())


def to_frame(t: pa.Table) -> pd.DataFrame:
    """An Arrow part (canonical columns, ``_x, _y``) as the pandas path's frame.

    Parameters
    ----------
    t : pyarrow.Table
        A part from :func:`normalise`.

    Returns
    -------
    pandas.DataFrame
        The same rows and columns.
    """
    out = {}
    for c in t.column_names:
        a = t[c]
        if pa.types.is_large_string(a.type) or pa.types.is_string(a.type):
            out[c] = pd.Series(pd.array(a, dtype="string"))
        elif pa.types.is_timestamp(a.type):
            out[c] = pd.Series(
                pd.NaT, index=range(t.num_rows), dtype=f"datetime64[ns, {a.type.tz}]"
            )
        else:
            out[c] = a.to_numpy()
    return pd.DataFrame(out)

"""`planner load` streamed: validate crime files one at a time, writing as it goes.

Each file's accepted rows go straight to the GeoParquet output and its rejects to the rejects
CSV. Memory is bounded by one file (a police.uk monthly file: tens of thousands of rows), not by
the input: no table of every crime is ever built. Files are the partitions
(:func:`planner.io.crime.load_file`, a pure function); with a Dask client they are validated on
the cluster's workers and the results written here, in file order, so the output is the same
as a local run.

The GeoParquet written is what :func:`planner.io.crime.save_crimes` writes for the same rows
(canonical columns, WKB points in EPSG:27700), in file order and, within a file, sorted by
month and crime type (police.uk files hold one month each, so row groups still prune by
month).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from planner.harm import HarmTable
from planner.io.crime import (
    R_OUTSIDE,
    REJECT_COLUMNS,
    ColumnMapping,
    FilePart,
    _boundary_area_report,
    check_outside_share,
    expand_paths,
    load_file,
)
from planner.io.limits import LoadLimits
from planner.schema import CRIME_DTYPES

#: rows per Parquet row group (as save_crimes)
ROW_GROUP = 50_000


@dataclass
class StreamedLoad:
    """Counts of a streamed load (the rows themselves are in the files written)."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    files: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    rejects_file: str | None = None
    out: str | None = None
    boundary_report: str | None = None

    def summary(self) -> dict[str, Any]:
        """The same keys as :meth:`planner.io._result.Reconciled.summary`.

        Returns
        -------
        dict
            ``read``, ``accepted``, ``rejected``, ``rejects_file``, ``by_reason`` and ``files``.
        """
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rejects_file": self.rejects_file,
            "by_reason": {k: int(v) for k, v in self.reasons.most_common()},
            "files": len(self.files),
        }


def point_wkb(x: np.ndarray, y: np.ndarray) -> pa.Array:
    """Little-endian WKB points built in numpy (21 bytes each; no shapely objects).

    Parameters
    ----------
    x, y : numpy.ndarray
        Point coordinates (float64), of equal length.

    Returns
    -------
    pyarrow.Array
        A binary array of WKB points.
    """
    n = len(x)
    rec = np.empty(n, dtype=[("bo", "u1"), ("t", "<u4"), ("x", "<f8"), ("y", "<f8")])
    rec["bo"], rec["t"], rec["x"], rec["y"] = 1, 1, x, y
    offsets = np.arange(0, 21 * (n + 1), 21, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(rec.tobytes())]
    )


def _geo_metadata() -> bytes:
    from pyproj import CRS

    return json.dumps(
        {
            "primary_column": "geometry",
            "columns": {
                "geometry": {
                    "encoding": "WKB",
                    "crs": CRS.from_epsg(27700).to_json_dict(),
                    "geometry_types": ["Point"],
                }
            },
            "version": "1.0.0",
            "creator": {"library": "planner"},
        }
    ).encode()


@lru_cache(maxsize=1)
def canonical_schema() -> pa.Schema:
    """The Arrow schema of the canonical crime table (with pandas metadata and GeoParquet).

    Returns
    -------
    pyarrow.Schema
        Canonical columns plus a WKB ``geometry`` column.
    """
    df = pd.DataFrame({c: pd.Series(dtype=t) for c, t in CRIME_DTYPES.items()})
    t = pa.Table.from_pandas(df, preserve_index=False)
    sch = t.schema.append(pa.field("geometry", pa.binary()))
    return sch.with_metadata({**(t.schema.metadata or {}), b"geo": _geo_metadata()})


def part_table(part, harm: HarmTable) -> pa.Table:
    """One file's kept rows (pandas or Arrow) -> the canonical Arrow table.

    Adds harm, knife weight and WKB points, and sorts by month and crime type.

    Parameters
    ----------
    part : pandas.DataFrame or pyarrow.Table
        The rows one file kept (with ``_x``, ``_y`` and optionally ``_ho_code``).
    harm : HarmTable
        Harm weights.

    Returns
    -------
    pyarrow.Table
        Rows in :func:`canonical_schema`.
    """
    sch = canonical_schema()
    if isinstance(part, pd.DataFrame):
        df = part.sort_values(["month", "crime_type"], kind="stable")
        ho = df["_ho_code"] if "_ho_code" in df.columns else None
        attrs = df[[c for c in CRIME_DTYPES if c not in ("harm", "knife_weight")]].copy()
        attrs["harm"] = harm.weights_for(df["crime_type"], ho)
        attrs["knife_weight"] = harm.knife_for(df["crime_type"])
        attrs = attrs[list(CRIME_DTYPES)].astype(CRIME_DTYPES).reset_index(drop=True)
        cols = dict(zip(attrs.columns, pa.Table.from_pandas(attrs, preserve_index=False).columns))
        x, y = df["_x"].to_numpy(np.float64), df["_y"].to_numpy(np.float64)
    else:
        order = pc.sort_indices(
            part, sort_keys=[("month", "ascending"), ("crime_type", "ascending")]
        )
        t = part.take(order)
        cols = {c: t[c] for c in t.column_names}
        d = pc.dictionary_encode(t["crime_type"]).combine_chunks()
        types = d.dictionary.to_pylist()
        idx = d.indices.to_numpy(zero_copy_only=False)
        w, k = _type_weights(harm, tuple(types))
        cols["harm"] = pa.array(np.asarray(w, np.float64)[idx])
        cols["knife_weight"] = pa.array(np.asarray(k, np.float64)[idx])
        x = t["_x"].to_numpy()
        y = t["_y"].to_numpy()
    arrays = [cols[f.name] for f in sch if f.name != "geometry"] + [point_wkb(x, y)]
    return pa.Table.from_arrays(
        [a.cast(f.type) if a.type != f.type else a for a, f in zip(arrays, sch)], schema=sch
    )


_WEIGHTS: dict[tuple[int, tuple[str, ...]], tuple[np.ndarray, np.ndarray]] = {}


def _type_weights(harm: HarmTable, types: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(harm, knife) weights of these crime types, as ``weights_for``/``knife_for`` give them."""
    key = (id(harm), types)
    hit = _WEIGHTS.get(key)
    if hit is None or len(_WEIGHTS) > 10_000:
        if len(_WEIGHTS) > 10_000:
            _WEIGHTS.clear()
        ser = pd.Series(list(types), dtype="string")
        hit = _WEIGHTS[key] = (
            np.asarray(harm.weights_for(ser), np.float64),
            np.asarray(harm.knife_for(ser), np.float64),
        )
    return hit


def csv_field_py(v: str) -> str:
    r"""One CSV field as pandas' ``to_csv`` writes it.

    QUOTE_MINIMAL with "\n" line ends: a field is quoted for a comma, a quote or a newline,
    not for a bare carriage return.

    Parameters
    ----------
    v : str
        The field's text.

    Returns
    -------
    str
        The field as written (quoted, with doubled quotes, when it must be).
    """
    return '"' + v.replace('"', '""') + '"' if any(ch in v for ch in ',"\n') else v


def _csv_column(a: pa.Array) -> pa.Array:
    a = pc.fill_null(pc.cast(a, pa.string()), "")
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(a, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(a, '[,"\n]'), quoted, a)


def csv_text(df: pd.DataFrame) -> str | None:
    """The rows of ``df`` as ``DataFrame.to_csv(index=False, header=False)`` writes them.

    Built column-wise in Arrow (text columns and int64 columns only; None for any other frame).

    Parameters
    ----------
    df
        Text (str or pandas string) and int64 columns; missing text is written empty.

    Returns
    -------
    str or None
        The CSV lines (each ending in a newline), or None when a column is of another type.
    """
    if len(df) == 0:
        return ""
    cols = []
    for c in df.columns:
        s = df[c]
        if s.dtype == np.int64:
            cols.append(_csv_column(pa.array(s.to_numpy())))
            continue
        if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
            return None
        try:
            a = pa.array(s, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
        if not (pa.types.is_string(a.type) or pa.types.is_large_string(a.type)) and not (
            pa.types.is_null(a.type)
        ):
            return None
        cols.append(_csv_column(a))
    line = pc.binary_join_element_wise(*cols, ",") if len(cols) > 1 else cols[0]
    line = pc.binary_join_element_wise(line, "", "\n")
    if isinstance(line, pa.ChunkedArray):
        line = pa.concat_arrays(line.chunks)
    off = np.frombuffer(line.buffers()[1], np.int32)[line.offset : line.offset + len(line) + 1]
    data = line.buffers()[2]
    return data.to_pybytes()[int(off[0]) : int(off[-1])].decode("utf-8")


class _Writer:
    def __init__(self, out: Path, rejects: Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        rejects.parent.mkdir(parents=True, exist_ok=True)
        self.out, self.rejects = out, rejects
        self.pq: pq.ParquetWriter | None = None
        self.rej = rejects.open("w", newline="")
        self.rej_header = True

    def crimes(self, t: pa.Table) -> None:
        if self.pq is None:
            self.pq = pq.ParquetWriter(self.out, t.schema, compression="zstd")
        self.pq.write_table(t, row_group_size=ROW_GROUP)

    def reject_rows(self, frames: list[pd.DataFrame]) -> None:
        if not frames:
            return
        df = pd.concat(frames, ignore_index=True)[list(REJECT_COLUMNS)]
        text = csv_text(df)
        if text is None:  # a column Arrow cannot take as text as it stands: pandas writes it
            df.to_csv(self.rej, index=False, header=self.rej_header)
        else:
            if self.rej_header:
                self.rej.write(",".join(csv_field_py(c) for c in df.columns) + "\n")
            self.rej.write(text)
        self.rej_header = False

    def close(self) -> None:
        if self.pq is None:  # nothing accepted: an empty table with the canonical schema
            self.crimes(canonical_schema().empty_table())
        assert self.pq is not None
        self.pq.close()
        if self.rej_header:  # no rejects: the header alone, as write_rejects does
            pd.DataFrame(columns=list(REJECT_COLUMNS)).to_csv(self.rej, index=False)
        self.rej.close()


def load_to_parquet(
    paths,
    out: str | Path,
    *,
    boundary=None,
    mapping: ColumnMapping | str | Path | None = None,
    harm: HarmTable | None = None,
    rejects_path: str | Path | None = None,
    progress: bool = False,
    client: Any = None,
    engine: str = "auto",
    boundary_crs: str | None = None,
    limits: LoadLimits | None = None,
    today: date | None = None,
) -> StreamedLoad:
    """Validate crime files and stream accepted rows to GeoParquet, rejects to CSV.

    Parameters
    ----------
    paths
        Files, folders (e.g. the police.uk archive: one folder per month, one file per force)
        or zip archives, as :func:`planner.io.crime.load_crimes`.
    out
        The GeoParquet file to write.
    boundary, mapping, harm, engine
        As :func:`planner.io.crime.load_crimes`.
    rejects_path
        The rejects CSV (default: ``OUT`` with ``_rejects.csv``).
    progress
        A progress bar over files on stderr.
    client
        A ``distributed.Client``: files are validated on its workers.
    boundary_crs, limits, today
        As :func:`planner.io.crime.load_crimes` (a wrong-CRS boundary is refused and
        nothing is written).

    Returns
    -------
    StreamedLoad
        The reconciled counts (``read == accepted + rejected``).
    """
    from planner.cluster import map_ordered

    if isinstance(mapping, str | Path):
        mapping = ColumnMapping.from_file(mapping)
    harm = harm or HarmTable.default()
    out = Path(out)
    rejects = Path(rejects_path) if rejects_path else out.with_name(out.stem + "_rejects.csv")
    files = expand_paths(paths)
    limits = limits or LoadLimits()
    today = today or date.today()  # one reference date for every partition
    area, brep = _boundary_area_report(boundary, boundary_crs)
    res = StreamedLoad(
        rejects_file=str(rejects),
        out=str(out),
        boundary_report=brep.message() if brep is not None else None,
    )
    # written beside the targets and moved into place at the end: a refused or failed load
    # leaves no half-written output (and an earlier run's output untouched)
    tmp_out, tmp_rej = (
        out.with_name(out.name + ".partial"),
        rejects.with_name(rejects.name + ".partial"),
    )
    w = _Writer(tmp_out, tmp_rej)
    done = False
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), desc="crime files", unit="file", leave=False)
    try:
        if client is not None:
            results = map_ordered(
                load_file, files, client, area=area, mapping=mapping, engine=engine,
                limits=limits, today=today,
            )  # fmt: skip
        else:
            results = _read_ahead(
                files, area=area, mapping=mapping, engine=engine, limits=limits, today=today
            )
        for parts in results:
            for p in parts:
                _take(res, w, p, harm)
            if bar is not None:
                bar.update(1)
        check_outside_share(
            boundary, brep, res.reasons.get(R_OUTSIDE, 0), res.accepted, limits
        )  # fmt: skip
        done = True
    finally:
        if bar is not None:
            bar.close()
        w.close()
        if done:
            tmp_out.replace(out)
            tmp_rej.replace(rejects)
        else:
            tmp_out.unlink(missing_ok=True)
            tmp_rej.unlink(missing_ok=True)
    if res.accepted + res.rejected != res.read:  # pragma: no cover - an invariant
        raise AssertionError(
            f"reconciliation failed: {res.accepted} + {res.rejected} != {res.read}"
        )
    return res


#: files read ahead (decompressed and parsed) while the current one is validated
READ_AHEAD = 2


def _read_ahead(files, *, area, mapping, engine, limits=None, today=None):
    """:func:`load_file` per file in order, the next files' I/O in a background thread."""
    from concurrent.futures import ThreadPoolExecutor

    from planner.io.crime import read_members

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crime-read") as ex:
        pending = [ex.submit(read_members, f, engine) for f in files[:READ_AHEAD]]
        for i, f in enumerate(files):
            members = pending.pop(0).result()
            if i + READ_AHEAD < len(files):
                pending.append(ex.submit(read_members, files[i + READ_AHEAD], engine))
            yield load_file(
                f,
                area=area,
                mapping=mapping,
                engine=engine,
                members=members,
                limits=limits,
                today=today,
            )


def _take(res: StreamedLoad, w: _Writer, p: FilePart, harm: HarmTable) -> None:
    res.files.append(p.name)
    res.read += p.read
    if len(p.crimes) if isinstance(p.crimes, pd.DataFrame) else p.crimes.num_rows:
        w.crimes(part_table(p.crimes, harm))
        res.accepted += len(p.crimes) if isinstance(p.crimes, pd.DataFrame) else p.crimes.num_rows
    for r in p.rejects:
        res.rejected += len(r)
        res.reasons.update(r["reason"].tolist())
    w.reject_rows(p.rejects)

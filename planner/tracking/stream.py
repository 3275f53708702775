"""Streamed tracking: pings spilled to officer buckets on disk, then one bucket at a time.

A force's GPS is about a billion pings a year: more than a machine holds. ``planner track``
therefore streams a large input (more than :data:`STREAM_ABOVE` pings, or ``--stream``):

1. **Spill.** The files are read and checked chunk by chunk (:func:`planner.io.pings.
   iter_ping_parts`, the same checks, rejects and reasons as :func:`~planner.io.pings.
   load_pings`); each chunk's accepted pings go to one of ``B`` Parquet files by a stable hash
   of the officer id (CRC-32), so every officer's whole trace lands in one bucket.
2. **Dwell per bucket.** Each bucket is a partition of whole officers: it is read alone and run
   through the dwell kernel (:func:`bucket_visits`, a pure function of the bucket's path, the
   TGP index and the rules), on this machine or on a Dask cluster (the workers must see the
   spill folder: ``--spill-dir`` on a shared file system).
3. **Combine.** The buckets' visit-day rows get officer codes in the order of all officers' ids
   and are put in officer order; place-days and officer visits are then computed exactly as in
   one pass (officer partitions are exact), so the result equals the in-memory run's.

Memory is bounded by a bucket (about :data:`BUCKET_PINGS` pings) plus the write buffers, not by
the input.
"""

from __future__ import annotations

import math
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.io._result import Reconciled
from planner.io.pings import CHUNK_ROWS, PingMapping, _expand, iter_ping_parts
from planner.tracking.dwell import (
    DwellConfig,
    DwellResult,
    TGPIndex,
    TraceStats,
    dwell_result,
    empty_visit_rows,
    ping_arrays,
)

#: inputs with more pings than this are streamed by ``planner track`` (``--stream`` forces it)
STREAM_ABOVE = 20_000_000
#: pings per bucket the spill aims at (a bucket is read whole by the dwell step)
BUCKET_PINGS = 2_000_000
#: rows a bucket buffers before it writes a row group
FLUSH_ROWS = 250_000
#: the columns a bucket keeps (all the dwell step reads)
BUCKET_COLUMNS = ("officer_id", "timestamp", "x", "y", "speed")
#: bytes per ping of a CSV, to estimate a CSV's pings from its size
CSV_BYTES_PER_PING = 60


def estimate_pings(paths) -> int:
    """Pings in the inputs: Parquet row counts from the metadata, CSV rows estimated by size.

    Parameters
    ----------
    paths : str, Path or list of them
        Files or folders, as :func:`planner.io.pings.load_pings` takes them.

    Returns
    -------
    int
        The count (estimate for CSV).
    """
    import pyarrow.parquet as pq

    n = 0
    for p in _expand(paths):
        if p.suffix.lower() in (".parquet", ".pq", ".geoparquet"):
            try:
                n += pq.ParquetFile(p).metadata.num_rows
            except Exception:  # unreadable: load_pings names it with its reason
                continue
        else:
            n += p.stat().st_size // CSV_BYTES_PER_PING
    return int(n)


@dataclass(kw_only=True)
class SpilledPings(Reconciled):
    """Pings checked and spilled to officer buckets; counts reconcile like a load result."""

    buckets: list[str] = field(default_factory=list)
    n_accepted: int = 0
    accepted_table = ""

    @property
    def accepted(self) -> int:  # a count, not a table's length
        """Number of accepted pings (in the buckets)."""
        return self.n_accepted


def _bucket_schema():
    import pyarrow as pa

    from planner.timeutil import TZ

    return pa.schema(
        [
            ("officer_id", pa.string()),
            ("timestamp", pa.timestamp("ns", tz=TZ)),
            ("x", pa.float64()),
            ("y", pa.float64()),
            ("speed", pa.float64()),
        ]
    )


def _as_arrow(accepted, schema):
    """A checked chunk (Arrow table or pandas frame) as an Arrow table of the bucket columns."""
    import pyarrow as pa

    if isinstance(accepted, pa.Table):
        t = accepted.select(list(BUCKET_COLUMNS))
    else:
        df = pd.DataFrame(accepted)[list(BUCKET_COLUMNS)]
        t = pa.Table.from_pandas(df, preserve_index=False)
    return t.cast(schema)


def _bucket_path(folder: Path, k: int) -> Path:
    return folder / f"bucket{k:04d}.parquet"


def bucket_of(officer_ids, buckets: int) -> np.ndarray:
    """The bucket of each ping: CRC-32 of its officer id modulo ``buckets`` (stable anywhere).

    Parameters
    ----------
    officer_ids : pyarrow.Array or pyarrow.ChunkedArray
        Officer ids (strings).
    buckets : int
        Number of buckets.

    Returns
    -------
    numpy.ndarray
        int64 bucket per ping.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(officer_ids, pa.ChunkedArray):
        officer_ids = officer_ids.combine_chunks()
    enc = pc.dictionary_encode(officer_ids)
    names = enc.dictionary.to_pylist()
    per_name = np.array([zlib.crc32(str(s).encode()) % buckets for s in names], np.int64)
    idx = enc.indices.to_numpy(zero_copy_only=False)
    return per_name[idx] if len(per_name) else np.zeros(len(idx), np.int64)


def spill_pings(
    paths,
    folder: str | Path,
    *,
    buckets: int | None = None,
    mapping: PingMapping | str | Path | None = None,
    rejects_path: str | Path | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: bool = True,
) -> SpilledPings:
    """Check ping files chunk by chunk and write the accepted pings to officer buckets.

    Parameters
    ----------
    paths : str, Path or list of them
        Ping files or folders (as :func:`planner.io.pings.load_pings`).
    folder : str or Path
        Where the bucket files go (created).
    buckets : int, optional
        Number of buckets (default: about :data:`BUCKET_PINGS` pings each).
    mapping, rejects_path, chunk_rows, progress
        As :func:`~planner.io.pings.load_pings`.

    Returns
    -------
    SpilledPings
        The bucket files (those with pings), rejects and reconciled counts.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if isinstance(mapping, (str, Path)):
        mapping = PingMapping.from_file(mapping)
    files = _expand(paths)
    b = buckets or max(1, math.ceil(estimate_pings(files) / BUCKET_PINGS))
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlannerError(f"spill folder {folder}: cannot create it ({exc.strerror})") from None
    schema = _bucket_schema()
    writers: dict[int, pq.ParquetWriter] = {}
    pending: dict[int, list] = {}
    pending_rows = np.zeros(b, np.int64)
    read = accepted = 0
    rejects: list = []

    def flush(k: int) -> None:
        if not pending.get(k):
            return
        path = _bucket_path(folder, k)
        try:
            if k not in writers:
                writers[k] = pq.ParquetWriter(path, schema)
            writers[k].write_table(pa.concat_tables(pending.pop(k)))
        except OSError as exc:  # a full disk, a folder gone: one line, not a traceback
            raise PlannerError(f"spill folder {folder}: cannot write {path.name} ({exc})") from None
        pending_rows[k] = 0

    try:
        for part in iter_ping_parts(files, mapping, chunk_rows=chunk_rows, progress=progress):
            read += part.read
            rejects.extend(part.rejects)
            if part.n_accepted == 0:
                continue
            t = _as_arrow(part.accepted, schema)
            accepted += t.num_rows
            which = bucket_of(t.column("officer_id"), b)
            order = np.argsort(which, kind="stable")
            t = t.take(pa.array(order))
            counts = np.bincount(which, minlength=b)
            starts = np.r_[0, np.cumsum(counts)[:-1]]
            for k in np.flatnonzero(counts).tolist():
                pending.setdefault(k, []).append(t.slice(int(starts[k]), int(counts[k])))
                pending_rows[k] += counts[k]
                if pending_rows[k] >= FLUSH_ROWS:
                    flush(k)
        for k in list(pending):
            flush(k)
    except BaseException:  # a refused file, a full disk, an interrupt: leave no partial buckets
        for k, w in writers.items():
            w.close()
            _bucket_path(folder, k).unlink(missing_ok=True)
        writers.clear()
        raise
    finally:
        for w in writers.values():
            w.close()
    from planner.io.pings import empty_rejects

    rej = pd.concat(rejects, ignore_index=True) if rejects else empty_rejects()
    res = SpilledPings(
        rejects=rej,
        read=read,
        files=[str(f) for f in files],
        buckets=[str(_bucket_path(folder, k)) for k in sorted(writers)],
        n_accepted=accepted,
    )
    if res.read != res.accepted + res.rejected:  # pragma: no cover - an internal invariant
        raise PlannerError(
            f"ping counts do not reconcile: read {res.read}, accepted {res.accepted}, "
            f"rejected {res.rejected}"
        )
    if rejects_path is not None:
        res.write_rejects(rejects_path)
    return res


def bucket_visits(
    path: str, index: TGPIndex, cfg: DwellConfig
) -> tuple[pd.DataFrame, np.ndarray, TraceStats]:
    """The partition step of a streamed run: one bucket's pings -> visit-day rows (pure).

    Parameters
    ----------
    path : str
        A bucket file written by :func:`spill_pings`.
    index : TGPIndex
        The TGP index.
    cfg : DwellConfig
        Dwell rules.

    Returns
    -------
    tuple
        Visit-day rows (officer codes local to the bucket), ``officer_id`` per local code
        (in id order) and the trace statistics.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from planner.tracking.dwell_runner import blocked_visits

    t = pq.read_table(path)
    pings = t.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    del t
    codes, officers, tt, x, y, sp = ping_arrays(pings)
    del pings
    rows, st = blocked_visits(codes, tt, x, y, sp, index, cfg)
    return rows, officers, st


def streamed_dwell(
    buckets: list[str], index: TGPIndex, cfg: DwellConfig | None = None, *, client=None
) -> DwellResult:
    """Dwell over spilled buckets, one at a time (or on a Dask cluster); the in-memory result.

    Parameters
    ----------
    buckets : list of str
        Bucket files (:attr:`SpilledPings.buckets`).
    index : TGPIndex
        The TGP index.
    cfg : DwellConfig, optional
        Dwell rules.
    client : distributed.Client, optional
        Run :func:`bucket_visits` per bucket on this cluster (the workers read the files).

    Returns
    -------
    DwellResult
        Equal to :func:`planner.tracking.dwell.dwell` on the same pings.
    """
    from planner.tracking.dwell_runner import _sum_stats

    cfg = cfg or DwellConfig()
    if client is not None and buckets:
        futures = client.map(bucket_visits, buckets, index=index, cfg=cfg, pure=False)
        parts = client.gather(futures)
    else:
        parts = [bucket_visits(p, index, cfg) for p in buckets]
    if not parts:
        return dwell_result(
            empty_visit_rows(), np.asarray([], dtype=object), TraceStats(), index, cfg
        )
    officers = np.sort(np.concatenate([p[1] for p in parts]).astype(object))
    if len(officers) > 1 and np.any(officers[1:] == officers[:-1]):  # pragma: no cover
        raise PlannerError("an officer's pings were spilled to two buckets")
    rows = []
    for r, off, _st in parts:
        glob = np.searchsorted(officers, off).astype(np.int64)
        rows.append(r.assign(officer=glob[r["officer"].to_numpy()]) if len(r) else r)
    all_rows = pd.concat(rows, ignore_index=True)
    order = np.argsort(all_rows["officer"].to_numpy(), kind="stable")
    all_rows = all_rows.take(order).reset_index(drop=True)
    stats = _sum_stats([p[2] for p in parts])
    return dwell_result(all_rows, officers, stats, index, cfg)


def track_streamed(
    paths,
    tgps,
    cfg: DwellConfig,
    folder: str | Path,
    *,
    mapping=None,
    rejects_path=None,
    progress: bool = True,
    client=None,
    **after,
):
    """:func:`planner.tracking.chain.track` for pings that do not fit in memory.

    Spills the pings to officer buckets, runs the dwell step bucket by bucket and finishes the
    chain; the bucket files are removed afterwards.

    Parameters
    ----------
    paths : str, Path or list of them
        Ping files or folders.
    tgps : geopandas.GeoDataFrame
        The TGP layer (``tgp_id``).
    cfg : DwellConfig
        Dwell rules.
    folder : str or Path
        Where the buckets go while the run lasts (the folder itself is kept).
    mapping, rejects_path, progress
        As :func:`spill_pings`.
    client : distributed.Client, optional
        Run the buckets on this cluster (:func:`streamed_dwell`).
    **after
        ``logs``, ``plan``, ``officer_team``, ``team_kind``: as
        :func:`~planner.tracking.chain.track_dwell`.

    Returns
    -------
    tuple of (SpilledPings, TrackResult)
        The counts and rejects, and the chain's result (equal to the in-memory run's).
    """
    from planner.progress import step
    from planner.tracking.chain import track_dwell

    n = len(_expand(paths))
    with step(f"track: checking pings from {n} file(s) into officer buckets"):
        sp = spill_pings(
            paths, folder, mapping=mapping, rejects_path=rejects_path, progress=progress
        )
    try:
        print(
            f"track: {sp.accepted:,} pings accepted of {sp.read:,} read, in "
            f"{len(sp.buckets)} officer bucket(s)",
            file=sys.stderr,
        )
        index = TGPIndex.from_frame(tgps, cell_m=cfg.cell_m)
        with step("track: visits, dwell and place-days, one bucket at a time"):
            res = streamed_dwell(sp.buckets, index, cfg, client=client)
            return sp, track_dwell(res, index, cfg, **after)
    finally:
        for b in sp.buckets:
            Path(b).unlink(missing_ok=True)

"""Benchmark inputs for the whole `planner track` command at scale: simulated pings written
as Parquet (the canonical ping frame) and the 84-TGP layer of bench_tracking.py, plus the
baseline the issue names (plain Parquet read + ``geopandas.sjoin`` + groupby) as a script.

    python benchmarks/bench_track_scale.py make --pings 10000000 --out /tmp/track
    python benchmarks/bench_track_scale.py baseline /tmp/track/pings_10000000.parquet /tmp/track/tgps.parquet
    python benchmarks/bench_track_scale.py read /tmp/track/pings_10000000.parquet   # bare read
    python benchmarks/bench_track_scale.py ingest /tmp/track/pings_10000000  # in-process ratio
    python benchmarks/bench_track_scale.py load DIR          # whole-process ingest ...
    python benchmarks/bench_track_scale.py read-pandas DIR   # ... against a bare read to pandas

Time the commands from outside (``/usr/bin/time -v``), e.g. ``planner track --pings
FILE --tgps FILE --out DIR --json`` against ``baseline``; results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def make(n: int, out: Path) -> None:
    import numpy as np
    from bench_tracking import make_pings, make_tgps

    from planner.io.pings import save_pings

    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(5)
    tgps = make_tgps(rng)
    tgps.to_parquet(out / "tgps.parquet")
    done = 0
    part = 0
    while done < n:  # in pieces of at most 10M (bounded memory while generating)
        k = min(10_000_000, n - done)
        p = make_pings(np.random.default_rng(100 + part), tgps, k)
        p["officer_id"] = p["officer_id"].astype(str) + f"-{part}"
        save_pings(p, out / f"pings_{n}" / f"part{part:03d}.parquet")
        done += k
        part += 1
    print(out / f"pings_{n}")


def baseline(pings: str, tgps_path: str) -> None:
    """Plain read + sjoin + groupby: each ping's TGP for the time to the next ping (capped)."""
    import geopandas as gpd
    import pandas as pd
    from bench_tracking import baseline_sjoin

    from planner.tracking.dwell import DwellConfig

    p = pd.read_parquet(pings)
    tgps = gpd.read_parquet(tgps_path)
    r = baseline_sjoin(p, tgps, DwellConfig())
    print(len(r), round(float(r["officer_minutes"].sum()), 1))


def read(pings: str) -> None:
    import pyarrow.parquet as pq

    print(pq.read_table(pings).num_rows)


def read_pandas(pings: str) -> None:
    """The bare read the ingest is measured against: Parquet to a pandas frame, no checks."""
    import pyarrow.parquet as pq

    print(len(pq.read_table(pings).to_pandas()))


def load(pings: str) -> None:
    """The ping ingest as ``planner track`` runs it (every check, rejects, canonical frame;
    Arrow's batch memory pool, as the command sets it)."""
    from planner.arrowpool import use_batch_pool
    from planner.io.pings import load_pings

    use_batch_pool("track")
    res = load_pings(pings, progress=False)
    print(res.read, res.accepted, res.rejected)


def ingest(pings: str, repeat: int) -> None:
    """Ping ingest (validation included) against a bare Parquet read to pandas, in turn."""
    import statistics
    import time

    import pyarrow.parquet as pq

    from planner.io.pings import load_pings

    ours, bare = [], []
    load_pings(pings, progress=False)  # warm the page cache
    for _ in range(repeat):
        t = time.perf_counter()
        res = load_pings(pings, progress=False)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        pq.read_table(pings).to_pandas()
        bare.append(time.perf_counter() - t)
    ratio = statistics.median(a / b for a, b in zip(ours, bare))
    print(
        f"{res.read:,} pings: load_pings median {statistics.median(ours):.2f} s, bare "
        f"read+to_pandas {statistics.median(bare):.2f} s, paired ratio median {ratio:.2f}"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--pings", type=int, default=10_000_000)
    m.add_argument("--out", type=Path, required=True)
    b = sub.add_parser("baseline")
    b.add_argument("pings")
    b.add_argument("tgps")
    r = sub.add_parser("read")
    r.add_argument("pings")
    sub.add_parser("read-pandas").add_argument("pings")
    sub.add_parser("load").add_argument("pings")
    g = sub.add_parser("ingest")
    g.add_argument("pings")
    g.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)
    if a.cmd == "make":
        make(a.pings, a.out)
    elif a.cmd == "baseline":
        baseline(a.pings, a.tgps)
    elif a.cmd == "read-pandas":
        read_pandas(a.pings)
    elif a.cmd == "load":
        load(a.pings)
    elif a.cmd == "ingest":
        ingest(a.pings, a.repeat)
    else:
        read(a.pings)
    return 0


if __name__ == "__main__":
    sys.exit(main())

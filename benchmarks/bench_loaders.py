"""Benchmark: loading the real 35-month Leicestershire police.uk series (301,838 rows) with full
validation, against a bare ``pandas.read_csv`` of the same files measured in the same run.

Run: ``python benchmarks/bench_loaders.py`` (needs ../shared/data/real). Writes
docs/benchmarks/loaders.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_info, peak_rss_mb, timed  # noqa: E402

from planner.io.crime import load_crimes  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "real"


def main() -> None:
    folder = SHARED / "crime" / "leicestershire"
    boundary = SHARED / "boundaries" / "leicestershire" / "lsoa_2011_leicestershire.geojson"
    if not folder.is_dir():
        sys.exit(f"needs {folder}")
    files = sorted(folder.glob("*.csv.gz"))
    base, base_runs = timed(lambda: [pd.read_csv(f, dtype=str) for f in files], repeat=3)
    res = load_crimes(folder, boundary=boundary)
    full, full_runs = timed(lambda: load_crimes(folder, boundary=boundary), repeat=3)
    out = f"""# Crime loader benchmark

Machine: {machine_info()}

Input: the real Leicestershire police.uk series, 35 monthly `.csv.gz` files, {res.read:,} rows
(accepted {res.accepted:,}, rejected {res.rejected:,}).

| step | median of 3 (s) | runs (s) |
|---|---|---|
| baseline: `pandas.read_csv(dtype=str)` of the 35 files | {base:.2f} | {", ".join(f"{r:.2f}" for r in base_runs)} |
| `load_crimes` with validation, reprojection, boundary test, harm | {full:.2f} | {", ".join(f"{r:.2f}" for r in full_runs)} |

Ratio full load / bare read: **{full / base:.1f}x**; throughput {res.read / full:,.0f} rows/s;
peak RSS of the benchmark process {peak_rss_mb():.0f} MB.
"""
    (REPO / "docs" / "benchmarks").mkdir(parents=True, exist_ok=True)
    (REPO / "docs" / "benchmarks" / "loaders.md").write_text(out)
    print(out)


if __name__ == "__main__":
    main()

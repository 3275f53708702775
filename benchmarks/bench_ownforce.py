"""Benchmark: a force's own workspace from the real Leicestershire series (35 police.uk months,
171 wards): ``planner init`` and the monthly refresh (``planner import crimes`` of one month),
against the bare crime load of the same files (``load_crimes``) measured in the same run.

Run: ``python benchmarks/bench_ownforce.py`` (needs ../shared/data/real). Writes
docs/benchmarks/ownforce.md. Kept short: 2 repeats.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_info, peak_rss_mb, timed  # noqa: E402

from planner.io.crime import load_crimes  # noqa: E402
from planner.ownforce.importer import import_table  # noqa: E402
from planner.ownforce.init import InitRequest, LevelSource, init_workspace  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "real"


def main() -> None:
    crimes = SHARED / "crime" / "leicestershire"
    wards = SHARED / "boundaries" / "leicestershire" / "wards_2013_leicestershire.geojson"
    if not crimes.is_dir():
        sys.exit(f"needs {crimes}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-ownforce-"))
    try:
        base, base_runs = timed(lambda: load_crimes(crimes), repeat=2)
        req = InitRequest(
            out=tmp / "ws", name="Leicestershire Police", wards=wards, crimes=[crimes],
            lpa=LevelSource(field="LAD_CD"), replace=True,
        )  # fmt: skip
        init, init_runs = timed(lambda: init_workspace(req), repeat=2)
        month = sorted(crimes.glob("2022-10-*.csv.gz"))
        refresh, refresh_runs = timed(lambda: import_table(tmp / "ws", "crimes", month), repeat=2)
        last = import_table(tmp / "ws", "crimes", month)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = f"""# Own-force workspace benchmark

Machine: {machine_info()}

Input: the real Leicestershire police.uk series (35 months, 301,838 rows) and 171 wards
(2013, with the district code as LPA).

| step | median of 2 (s) | runs (s) |
|---|---|---|
| baseline: `load_crimes` of the 35 files (validation, no boundary) | {base:.2f} | {", ".join(f"{r:.2f}" for r in base_runs)} |
| `planner init` (wards, checks, hierarchy, crimes with the force test, write) | {init:.2f} | {", ".join(f"{r:.2f}" for r in init_runs)} |
| monthly refresh: `planner import crimes` of 2022-10 (replaces the month; {last["read"]:,} rows, table {last["rows"]:,}) | {refresh:.2f} | {", ".join(f"{r:.2f}" for r in refresh_runs)} |

Ratio init / bare load: **{init / base:.1f}x**; peak RSS of the benchmark process {peak_rss_mb():.0f} MB.
"""
    (REPO / "docs" / "benchmarks").mkdir(parents=True, exist_ok=True)
    (REPO / "docs" / "benchmarks" / "ownforce.md").write_text(out)
    print(out)


if __name__ == "__main__":
    main()

"""Benchmark: how long ``import planner`` takes with the lazy public API (issue 13).

Each measurement is a fresh interpreter (``python -c``), median of ``--repeat`` runs:

* ``import planner``: the package with its lazy ``__getattr__`` API (nothing heavy imported);
* baseline: importing every module the API names up front, what an eager ``__init__`` with
  ``from planner.x import y`` lines would cost;
* the first use of one name (``planner.derive_tgps``), which imports only its own module.

    python benchmarks/bench_import.py [--repeat 5]

Writes ``docs/benchmarks/import.md``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_info  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

CASES = {
    "import planner (lazy API)": "import planner",
    "import planner; planner.derive_tgps (first use of one name)": (
        "import planner\nplanner.derive_tgps"
    ),
    "baseline: every API module imported up front (an eager __init__)": (
        "import importlib, planner\n"
        "for m in sorted({m for m, _ in planner._API.values()}): importlib.import_module(m)"
    ),
}


def _time(code: str) -> float:
    wrapped = "import time\nt0 = time.perf_counter()\n" + code + "\nprint(time.perf_counter() - t0)"
    out = subprocess.run(
        [sys.executable, "-c", wrapped], capture_output=True, text=True, check=True, cwd=REPO
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rows = []
    for label, code in CASES.items():
        runs = [_time(code) for _ in range(args.repeat)]
        rows.append((label, statistics.median(runs), runs))
    base = rows[-1][1]
    lines = [
        "# Import time of the public API",
        "",
        f"`benchmarks/bench_import.py`, median of {args.repeat} fresh interpreters. "
        f"Machine: {machine_info()}.",
        "",
        "| what | median | vs baseline | runs (s) |",
        "|---|---:|---:|---|",
    ]
    for label, med, runs in rows:
        lines.append(
            f"| {label} | {med * 1000:,.0f} ms | {med / base:.3f} | "
            + ", ".join(f"{r:.3f}" for r in runs)
            + " |"
        )
    lines += [
        "",
        "`import planner` imports neither Panel, Bokeh, pandas nor geopandas "
        "(`tests/foundation/test_api.py`); a name's module loads on first use.",
        "",
    ]
    out = REPO / "docs" / "benchmarks" / "import.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

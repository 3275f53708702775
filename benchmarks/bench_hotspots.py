"""Hotspot engine benchmarks; writes docs/benchmarks/hotspots.md.

1. Gi* (sparse, analytic) against PySAL esda ``G_Local(star=True, transform="B")`` on the
   100 m grid of the West Midlands force area (~92,000 cells), same weights, same z.
2. Quartic KDE (binning + FFT) against exact evaluation: scikit-learn ``KernelDensity``
   (``atol=rtol=0``; sklearn has no quartic kernel, so the timing baseline is its exact
   Epanechnikov, the same compact-support cost) and our exact quartic sum (the error reference).
3. ``planner tgps`` end to end on the 24-month demo series (2023-04..2025-03, ~700,000 points)
   against reading the same points from their file, both as fresh processes; peak RSS.

Points for 1-2: the real police.uk month 2018-06 (bundled, OGL) inside the force. Part 3 needs
the demo workspace (``PLANNER_WORKSPACE`` or ``workspace/demo``; ``planner demo`` builds it).
Run: ``.venv/bin/python benchmarks/bench_hotspots.py``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from _machine import machine_info, timed  # noqa: E402


def bench_gistar(grid, counts, lines):
    import esda
    from libpysal.weights import WSP

    from planner.hotspots.gistar import gistar_z

    w = grid.neighbours("queen")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        W = WSP(w).to_W(silence_warnings=True)
        ours_t, ours_runs = timed(lambda: gistar_z(counts, w), repeat=5)
        esda_t, esda_runs = timed(
            lambda: esda.G_Local(counts, W, transform="B", star=True, permutations=0), repeat=3
        )
        ref = esda.G_Local(counts, W, transform="B", star=True, permutations=0).Zs
    z = gistar_z(counts, w)
    wt, _ = timed(lambda: grid.neighbours("queen"), repeat=3)
    diff = float(np.abs(z - ref).max())
    lines += [
        "## Gi* against esda",
        "",
        f"Grid: {grid.n:,} cells of 100 m clipped to the WMP force area; queen contiguity plus self "
        f"({w.nnz:,} weights); values: counts of the real 2018-06 month ({int(counts.sum()):,} crimes).",
        "",
        "| step | median (s) | runs (s) |",
        "|---|---|---|",
        f"| esda `G_Local(y, w, transform='B', star=True, permutations=0)` | {esda_t:.3f} | {', '.join(f'{r:.3f}' for r in esda_runs)} |",
        f"| planner `gistar_z(y, w)` (sparse analytic) | {ours_t:.4f} | {', '.join(f'{r:.4f}' for r in ours_runs)} |",
        f"| (planner: building the weights from the grid, not in either figure above) | {wt:.3f} | |",
        "",
        f"Speed-up: **{esda_t / ours_t:.0f}x** (target >= 20x). Largest |z difference|: {diff:.1e} (same z).",
        "",
    ]
    return esda_t / ours_t, diff


def bench_kde(grid, x, y, lines, label="real 2018-06 month", oversample_table=True):
    from sklearn.neighbors import KernelDensity

    from planner.hotspots.config import KDEConfig
    from planner.hotspots.kde import kde_exact, kde_grid

    h = 2 * grid.cell
    cx, cy = grid.centres()
    ours_t, ours_runs = timed(lambda: kde_grid(grid, x, y), repeat=5)
    fast = kde_grid(grid, x, y)
    from planner.hotspots.kde import snap_bin

    n_loc = len(
        snap_bin(np.asarray(x), np.asarray(y), np.ones(len(x)), KDEConfig().snap_resolution)[0]
    )
    path = (
        f"exact sums from the {n_loc:,} distinct snap locations"
        if n_loc <= KDEConfig().snap_max_fraction * len(x)
        else "linear binning on a 3x finer raster, convolution at the cell centres"
    )
    bin_t, _ = timed(lambda: kde_grid(grid, x, y, config=KDEConfig(method="binned")), repeat=3)
    kd = KernelDensity(kernel="epanechnikov", bandwidth=h, atol=0, rtol=0).fit(
        np.column_stack([x, y])
    )
    sk_t, sk_runs = timed(lambda: kd.score_samples(np.column_stack([cx, cy])), repeat=3)
    sk = np.exp(kd.score_samples(np.column_stack([cx, cy]))) * len(x) * 1e6
    ex_t, _ = timed(lambda: kde_exact(cx, cy, x, y, bandwidth=h), repeat=3)
    exact = kde_exact(cx, cy, x, y, bandwidth=h)
    err = np.abs(fast - exact)
    ep_fast = kde_grid(grid, x, y, kernel="epanechnikov")
    ep_err = np.abs(ep_fast - sk)
    rows = []
    for k in (1, 3, 5) if oversample_table else ():
        cfg = KDEConfig(oversample=k, method="binned")
        t, _ = timed(lambda cfg=cfg: kde_grid(grid, x, y, config=cfg), repeat=3)
        e = np.abs(kde_grid(grid, x, y, config=cfg) - exact)
        rows.append(
            f"| {k} | {t:.3f} | {e.max() / exact.max():.2%} | {e.mean() / exact[exact > 0].mean():.3%} |"
        )
    lines += [
        f"## KDE against exact evaluation: {label}",
        "",
        f"Same grid ({grid.n:,} cells of 100 m), {len(x):,} points ({label}), bandwidth {h:g} m "
        "(the default rule: 2 cells), evaluated at every cell centre.",
        "",
        "| method | median (s) | runs (s) |",
        "|---|---|---|",
        f"| scikit-learn `KernelDensity(kernel='epanechnikov', atol=0, rtol=0).score_samples` (exact) | {sk_t:.3f} | {', '.join(f'{r:.3f}' for r in sk_runs)} |",
        f"| planner `kde_exact` (exact quartic sum, cKDTree) | {ex_t:.3f} | |",
        f"| planner `kde_grid(method='binned')` (3x finer raster, for data without snap points) | {bin_t:.4f} | |",
        f"| planner `kde_grid` (quartic; default `method='auto'`: {path}) | {ours_t:.4f} | {', '.join(f'{r:.4f}' for r in ours_runs)} |",
        "",
        f"Speed-up against scikit-learn's exact evaluation: **{sk_t / ours_t:.0f}x** (target >= 50x); "
        f"the binned path alone: {sk_t / bin_t:.0f}x.",
        "",
        "Error of the default fast quartic KDE against the exact quartic sum (scikit-learn has no quartic "
        f"kernel): max {err.max() / exact.max():.2%} of the peak density, mean absolute error "
        f"{err.mean() / exact[exact > 0].mean():.3%} of the mean non-zero density. The same FFT path "
        f"with the Epanechnikov kernel against scikit-learn: max {ep_err.max() / sk.max():.2%} of the peak.",
        "",
    ]
    if rows:
        lines += [
            "Error and time by oversampling (sub-cells per cell side used for binning):",
            "",
            "| oversample | median (s) | max error / peak | mean error / mean |",
            "|---|---|---|---|",
            *rows,
            "",
        ]
    return sk_t / ours_t, err.max() / exact.max()


def bench_tgps(lines):
    from planner.paths import DEFAULT_WORKSPACE
    from planner.workspace import Workspace

    root = Path(os.environ.get("PLANNER_WORKSPACE", DEFAULT_WORKSPACE))
    if not (root / "workspace.json").exists():
        lines += [
            "## `planner tgps` end to end",
            "",
            f"Skipped: no demo workspace at {root} (run `planner demo`).",
            "",
        ]
        return None
    ws = Workspace(root)
    with tempfile.TemporaryDirectory() as tmp:
        pts = Path(tmp) / "crimes_24m.parquet"
        c = ws.crimes("2023-04", "2025-03")
        c.to_parquet(pts)
        n = len(c)
        del c
        force = ws.table_path("force")
        py = sys.executable
        read = [py, "-c", f"import geopandas; geopandas.read_parquet({str(pts)!r})"]
        cmd = [
            py,
            "-m",
            "planner",
            "tgps",
            "--crimes",
            str(pts),
            "--boundary",
            str(force),
            "--workspace",
            str(root),
            "--out",
            str(Path(tmp) / "t.gpkg"),
        ]

        def run(argv):
            t0 = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            return time.perf_counter() - t0

        read_runs = [run(read) for _ in range(3)]
        tg_runs = [run(cmd) for _ in range(3)]
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rt, tt = float(np.median(read_runs)), float(np.median(tg_runs))
    lines += [
        "## `planner tgps` end to end",
        "",
        f"The 24-month demo series 2023-04..2025-03 (**synthetic**), {n:,} points, as one GeoParquet file; "
        "both commands run as fresh processes (interpreter start and imports included).",
        "",
        "| command | median (s) | runs (s) |",
        "|---|---|---|",
        f"| baseline: `geopandas.read_parquet(file)` (all columns) | {rt:.2f} | {', '.join(f'{r:.2f}' for r in read_runs)} |",
        f"| `planner tgps --crimes file --boundary force --workspace ws --out t.gpkg` | {tt:.2f} | {', '.join(f'{r:.2f}' for r in tg_runs)} |",
        "",
        f"`planner tgps`: **{tt:.1f} s** (target <= 15 s), **{tt / rt:.2f}x** the read (target <= 2x), "
        f"peak RSS of the largest child process **{peak:,.0f} MB** (target <= 2 GB).",
        "",
    ]
    return tt, tt / rt, peak


def main() -> int:
    from planner.hotspots.grid import make_grid, xy
    from planner.io.boundaries import study_area
    from planner.io.crime import load_crimes
    from planner.paths import GEODATA

    area = study_area(GEODATA / "force_area.parquet")
    real = load_crimes(
        GEODATA / "crime" / "policeuk_api_2018-06_wm_area.csv.gz", boundary=area
    ).crimes
    grid = make_grid(area, 100)
    x, y = xy(real)
    lines = [
        "# Hotspot engine",
        "",
        f"Machine: {machine_info()}; load average at start {', '.join(f'{v:.1f}' for v in os.getloadavg())} "
        "(a shared machine with other jobs running: absolute times are pessimistic; each ratio "
        "compares runs made side by side).",
        "",
        "Script: `benchmarks/bench_hotspots.py`.",
        "",
    ]
    rows = []
    for cell, kind in ((100, "square"), (100, "hex"), (50, "square")):
        t, runs = timed(lambda cell=cell, kind=kind: make_grid(area, cell, kind), repeat=3)
        g = make_grid(area, cell, kind)
        tl, _ = timed(lambda g=g: g.locate(x, y), repeat=3)
        rows.append(
            f"| {kind} {cell} m | {g.n:,} | {t:.2f} | {abs(g.total_area - area.area) / area.area:.1e} | {1e3 * tl:.1f} |"
        )
    lines += [
        "## Grids clipped to the force boundary",
        "",
        "Cells intersecting the force polygon (50,623 vertices), edge cells clipped to it; point "
        f"assignment by integer arithmetic ({len(x):,} points).",
        "",
        "| grid | cells | build, median (s) | clipped area vs force area (relative) | locate points (ms) |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]
    gi_ratio, _ = bench_gistar(grid, grid.aggregate(x, y), lines)
    kde_ratios = [bench_kde(grid, x, y, lines)[0]]
    from planner.paths import DEFAULT_WORKSPACE
    from planner.workspace import Workspace

    root = Path(os.environ.get("PLANNER_WORKSPACE", DEFAULT_WORKSPACE))
    if (root / "workspace.json").exists():
        from planner.schema import VIOLENT_TYPES

        v = Workspace(root).crimes(
            "2023-04", "2025-03", types=list(VIOLENT_TYPES), columns=["crime_type", "geometry"]
        )
        vx, vy = xy(v)
        del v
        kde_ratios.append(
            bench_kde(
                grid,
                vx,
                vy,
                lines,
                label="violent crime of the 24-month demo series, SYNTHETIC",
                oversample_table=False,
            )[0]
        )
    tg = bench_tgps(lines)
    lines += ["## Against the targets", ""]
    lines.append(
        f"- Gi* >= 20x esda with the same z: {'met' if gi_ratio >= 20 else 'NOT met'} ({gi_ratio:.0f}x)."
    )
    lines.append(
        f"- KDE >= 50x scikit-learn's exact evaluation: {'met' if min(kde_ratios) >= 50 else 'NOT met'} "
        f"({', '.join(f'{r:.0f}x' for r in kde_ratios)}) with the default path, which sums the kernel "
        "exactly from the distinct police.uk snap locations (error against the exact sum ~1e-5 of the "
        "peak, from the 1 cm binning lattice). Data with exact, distinct locations (force extracts) "
        "take the binned raster path, which is slower (ratios in the tables above) and about 1% off."
    )
    if tg:
        tt, ratio, peak = tg
        ok = tt <= 15 and ratio <= 2 and peak <= 2048
        lines.append(
            f"- `planner tgps` <= 15 s, <= 2x the read, <= 2 GB: {'met' if ok else 'NOT met'} ({tt:.1f} s, {ratio:.2f}x, {peak:,.0f} MB)."
        )
    lines.append("")
    text = "\n".join(lines)
    (REPO / "docs" / "benchmarks").mkdir(parents=True, exist_ok=True)
    (REPO / "docs" / "benchmarks" / "hotspots.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the public community report (issue 18) on a demo workspace, SYNTHETIC data.

Per area kind (a ward, a sector when the workspace has sectors, an LPA): building the
report's aggregates (``build_community_report``, which includes visibility from duty periods
and GPS and the local priorities from the crime series) and rendering HTML and PDF, median of
``--repeat`` runs. Baseline: the same report without the workspace (no visibility, no
priorities), i.e. the records-store part alone. Works on a copy of the workspace's store.

    python benchmarks/bench_community_report.py [--workspace /tmp/ws] [--repeat 3]

The workspace defaults to ``PLANNER_TEST_WORKSPACE`` (skipped when neither is given). Writes
``docs/benchmarks/community_report.md``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_info  # noqa: E402

from planner.records import analytics as an  # noqa: E402
from planner.records.store import open_store  # noqa: E402
from planner.reports.community import build_community_report, render_html, render_pdf  # noqa: E402
from planner.workspace import Workspace  # noqa: E402


def _median(f, repeat: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), runs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workspace", type=Path, default=os.environ.get("PLANNER_TEST_WORKSPACE"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--period", default="last month")
    a = ap.parse_args()
    if a.workspace is None:
        print("no workspace: pass --workspace or set PLANNER_TEST_WORKSPACE (skipped)")
        return
    ws = Workspace(a.workspace)
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    shutil.copyfile(ws.root / "records.sqlite", tmp / "records.sqlite")
    store = open_store(tmp / "records.sqlite")
    wards = store.frame("wards").sort_values("ward_code")
    areas = {"ward": str(wards["ward_code"].iloc[0])}
    sec = an.sectors(store)
    if len(sec):
        areas["sector"] = str(sec["sector_code"].sort_values().iloc[0])
    areas["lpa"] = str(wards["lpa"].iloc[0])
    rows = []
    for kind, code in areas.items():
        build, b_runs = _median(
            lambda c=code: build_community_report(store, c, a.period, today=ws.today, ws=ws),
            a.repeat,
        )
        base, _ = _median(
            lambda c=code: build_community_report(store, c, a.period, today=ws.today), a.repeat
        )
        rep = build_community_report(store, code, a.period, today=ws.today, ws=ws)
        html, _ = _median(lambda r=rep: render_html(r), a.repeat)
        pdf, _ = _median(lambda r=rep: render_pdf(r, tmp / "r.pdf"), a.repeat)
        n_off = sum(len(t["officers"]) for t in rep.teams)
        rows.append(
            f"| {kind} {code} | {n_off} | {build:.2f} | {', '.join(f'{x:.2f}' for x in b_runs)} | "
            f"{base:.2f} | {html * 1000:.0f} | {pdf * 1000:.0f} |"
        )
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    text = "\n".join(
        [
            "# Community report benchmark (issue 18)",
            "",
            "`benchmarks/bench_community_report.py`: building the public community report "
            "(`build_community_report`: team officers, engagement breakdowns, visibility from duty "
            "periods and GPS, local priorities from the crime series) for a ward, a sector and an "
            f'LPA of the demo (SYNTHETIC; period "{a.period}", today {ws.today}), median of '
            f"{a.repeat}; baseline = the same report from the records store alone (no visibility, "
            "no priorities); then rendering.",
            f"Machine: {machine_info()}.",
            "",
            "| area | officers listed | build s | runs s | store-only baseline s | HTML ms | PDF ms |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    out = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "community_report.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

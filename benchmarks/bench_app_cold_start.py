"""Benchmark: the app's cold start, `planner serve` launched afresh for every run.

A user starts the server and opens the app in a browser that is already running. Each run:

1. starts ``python -m planner serve`` on the demo workspace in a new process (nothing cached in
   memory; the crime index is read from the workspace's ``.cache`` folder when present);
2. notes when the server prints ``loading workspace`` (its Python imports are done) and
   ``workspace loaded``;
3. opens the app in a new tab of headless Chromium as soon as the port listens, and waits until
   both figures of the first page are drawn and visible (``checkVisibility``), the same test as
   ``tests/app/test_browser.py``;
4. stops the server.

Cold start = the server starting to load the workspace -> both figures visible (target <= 5 s).
Also reported: the Python imports before it, and process launch -> figures visible.

Baseline, measured in the same run the same way: a bare Panel page with two small HoloViews
figures (``tests/app/baseline_app.py``), its first page load from a freshly started process.

Writes ``docs/benchmarks/app_cold_start.md``.

    python benchmarks/bench_app_cold_start.py [--runs 5] [--workspace workspace/demo]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_info  # noqa: E402

from planner.testing import ServerProcess, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "benchmarks" / "app_cold_start.md"
BASELINE = ROOT / "tests" / "app" / "baseline_app.py"
CHROMIUM = Path(os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium"))
VISIBLE_FIGURES_JS = """() => {
  const f = window.Bokeh && [...Bokeh.index.query(v => v.model.type === 'Figure'
    && v.el.checkVisibility({opacityProperty: true, visibilityProperty: true}))];
  return f && f.length >= 2;
}"""
TARGET_S = 5.0


def first_load(browser, url: str) -> tuple[float, float]:
    """Open ``url`` in a new tab: (time the request was made, seconds to both figures visible)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        t = time.monotonic()
        page.goto(url)
        page.wait_for_function(VISIBLE_FIGURES_JS)
        return t, time.monotonic() - t
    finally:
        context.close()


def app_run(browser, workspace: Path) -> dict[str, float]:
    port = free_port()
    server = ServerProcess(
        [
            sys.executable, "-m", "planner", "serve",
            "--workspace", str(workspace), "--port", str(port), "--address", "127.0.0.1",
        ]
    )  # fmt: skip
    try:
        t0 = server.line_time("loading workspace")
        loaded = server.line_time("workspace loaded")
        listening = server.wait_port(port)
        t, load = first_load(browser, f"http://127.0.0.1:{port}/planner")
        return {
            "imports": t0 - server.launched,
            "workspace": loaded - t0,
            "listening": listening - t0,
            "page": load,
            "cold": t + load - t0,
            "launch": t + load - server.launched,
        }
    finally:
        server.stop()


def baseline_run(browser) -> float:
    port = free_port()
    server = ServerProcess([sys.executable, str(BASELINE), str(port)])
    try:
        server.wait_port(port)
        return first_load(browser, f"http://127.0.0.1:{port}/baseline")[1]
    finally:
        server.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--workspace",
        type=Path,
        default=Path(os.environ.get("PLANNER_WORKSPACE", ROOT / "workspace" / "demo")),
    )
    args = ap.parse_args()
    if not (args.workspace / "workspace.json").exists():
        print(
            f"no workspace at {args.workspace}: build the demo first (`make demo`) or pass --workspace",
            file=sys.stderr,
        )
        return 2
    if not CHROMIUM.exists():
        print(
            f"this benchmark needs Chromium at {CHROMIUM} (set PLANNER_CHROMIUM)", file=sys.stderr
        )
        return 2
    from playwright.sync_api import sync_playwright

    runs: list[dict[str, float]] = []
    base: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            for i in range(args.runs):  # interleaved, so that both see the same machine load
                runs.append(app_run(browser, args.workspace))
                base.append(baseline_run(browser))
                r = runs[-1]
                print(
                    f"run {i + 1}/{args.runs}: cold start {r['cold']:.2f} s (imports {r['imports']:.2f}, "
                    f"workspace {r['workspace']:.2f}, page {r['page']:.2f}); baseline page {base[-1]:.2f} s",
                    flush=True,
                )
        finally:
            browser.close()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    def cells(key: str) -> str:
        return ", ".join(f"{r[key]:.2f}" for r in runs)

    rows = [
        ("Python imports (process launch -> loading workspace)", "imports"),
        ("workspace load and warm-up", "workspace"),
        ("server start -> listening", "listening"),
        ("first page load: request -> both figures visible", "page"),
        ("**cold start: server start -> both figures visible**", "cold"),
        ("process launch -> both figures visible", "launch"),
    ]
    lines = [
        "# App cold start",
        "",
        f"`benchmarks/bench_app_cold_start.py`: `planner serve` on the demo workspace "
        f"(`{args.workspace.name}`) started afresh {args.runs} times; each time the app is opened "
        "in a new tab of a headless Chromium that is already running, and timed until both figures "
        "of the first page are drawn and visible. Target: cold start (the server starting to load "
        f"the workspace -> first render) <= {TARGET_S:.0f} s.",
        f"Machine: {machine_info()}. 1-minute load average at the end: {os.getloadavg()[0]:.1f}.",
        "",
        "| step | median (s) | runs (s) |",
        "|---|---|---|",
        *[f"| {label} | {med(k):.2f} | {cells(k)} |" for label, k in rows],
        f"| baseline: bare two-figure Panel page, first load from a fresh process | "
        f"{statistics.median(base):.2f} | {', '.join(f'{b:.2f}' for b in base)} |",
        "",
        f"- cold start median {med('cold'):.2f} s against {TARGET_S:.0f} s: "
        f"{'met' if med('cold') <= TARGET_S else 'NOT met'} "
        f"({sum(r['cold'] <= TARGET_S for r in runs)} of {len(runs)} runs within it)",
        f"- the app's first page load takes {med('page') / statistics.median(base):.1f}x the bare "
        "two-figure page's, measured in the same run",
        "- the Python imports (panel, bokeh, geopandas, pyarrow, scikit-learn, ...) come before the "
        "server reads the workspace and are listed on their own; with them, process launch to first "
        f"render is {med('launch'):.2f} s",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the app under 20 users opening it at once (issue 16, item 5), localhost only.

For each server measured (started afresh as its own process, as a user runs it):

1. ``ROUNDS`` rounds; in each, ``USERS`` new Playwright contexts of one headless Chromium
   (the browsers share the machine's cores with the server) open the app at the same moment;
   each is timed from its request to the first figure drawn and visible
   (``checkVisibility``, as in ``tests/app/test_browser.py``); then all are closed;
2. throughout, a probe thread asks ``GET /healthz`` every 0.2 s and keeps each answer's
   latency (a server without the route answers 404 just as fast when its event loop is free:
   the latency is what counts);
3. after each round, once Bokeh has discarded the closed sessions (it does so 15-32 s after a
   tab closes), the server's RSS (all its processes) is read: after the first round (20
   sessions) and after the last (100).

Servers, all in the same run and interleaved round by round is not possible (each keeps its own
sessions), so one after the other on the same machine:

- ``planner serve`` of this checkout;
- optionally ``planner serve`` of another checkout (``--compare-src DIR``, e.g. the main
  branch before this work) with the same workspace;
- optionally ``planner serve --num-procs N`` of this checkout (``--num-procs N``);
- the baseline: a bare Panel page with two small figures (``tests/app/baseline_app.py``)
  under the same load: what the browsers' own loading and drawing cost on this machine.

Targets: first figure p90 <= 20 s; liveness max <= 1 s; RSS after 100 sessions within 10% of
its level after the first 20. Writes ``docs/benchmarks/app_load.md``.

    python benchmarks/bench_app_load.py [--users 20] [--rounds 5] [--workspace workspace/demo]
        [--compare-src ../main] [--num-procs 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_info  # noqa: E402

from planner.testing import ServerProcess, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "benchmarks" / "app_load.md"
BASELINE = ROOT / "tests" / "app" / "baseline_app.py"
CHROMIUM = Path(os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
FIRST_FIGURE_JS = """() => {
  const f = window.Bokeh && [...Bokeh.index.query(v => v.model.type === 'Figure'
    && v.el.checkVisibility({opacityProperty: true, visibilityProperty: true}))];
  return f && f.length >= 1;
}"""
#: Bokeh discards a closed session 15 s after it closed, checking every 17 s
DISCARD_WAIT_S = 36.0
TARGET_P90_S = 20.0
TARGET_LIVENESS_S = 1.0
TARGET_RSS_GROWTH = 0.10


class Prober(threading.Thread):
    """GET /healthz every ``every`` s; keeps (time sent, latency s or None on error)."""

    def __init__(self, port: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.port, self.every = port, every
        self.samples: list[tuple[float, float | None, int]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            t = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", "/healthz")
                r = conn.getresponse()
                r.read()
                conn.close()
                self.samples.append((t, time.monotonic() - t, r.status))
            except OSError:
                self.samples.append((t, None, 0))
            self.halt.wait(max(0.0, self.every - (time.monotonic() - t)))

    def stop(self) -> None:
        self.halt.set()
        self.join(90)


def server_rss_mb(pid: int) -> float:
    """RSS of a process and its children (MB; forked children's shared pages count in each)."""
    import psutil

    p = psutil.Process(pid)
    procs = [p, *p.children(recursive=True)]
    total = 0
    for q in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += q.memory_info().rss
    return total / 1024**2


def server_cpu_s(pid: int) -> float:
    import psutil

    p = psutil.Process(pid)
    total = 0.0
    for q in [p, *p.children(recursive=True)]:
        try:
            c = q.cpu_times()
            total += c.user + c.system
        except psutil.NoSuchProcess:
            pass
    return total


async def one_user(browser, url: str, timeout_s: float) -> float:
    context = await browser.new_context(viewport={"width": 1500, "height": 1100})
    page = await context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    t = time.monotonic()
    try:
        await page.goto(url)
        await page.wait_for_function(FIRST_FIGURE_JS, polling=200)
        return time.monotonic() - t
    except Exception:  # noqa: BLE001  (counted as a failure at the timeout)
        return float("inf")
    finally:
        await context.close()


async def visit_pages(browser, url: str, slugs: list[str], settle_s: float = 10.0) -> None:
    """Open each page once, one after another: the shared caches every page fills are filled."""
    for slug in slugs:
        context = await browser.new_context(viewport={"width": 1500, "height": 1100})
        page = await context.new_page()
        try:
            await page.goto(f"{url}?page={slug}")
            await page.wait_for_timeout(settle_s * 1000)
        finally:
            await context.close()


def niced_chromium(nice: int, folder: Path) -> Path:
    """A launcher that starts Chromium (and so every renderer it forks) at ``nice``."""
    exe = folder / "chromium-niced"
    exe.write_text(f'#!/bin/sh\nexec nice -n {int(nice)} "{CHROMIUM}" "$@"\n')
    exe.chmod(0o755)
    return exe


async def rounds(
    url: str,
    users: int,
    n_rounds: int,
    pid: int,
    timeout_s: float,
    warm: list[str] = (),
    browser_nice: int = 0,
) -> dict:
    import tempfile

    from playwright.async_api import async_playwright

    out: dict = {"times": [], "rss": [], "cpu": []}
    tmp = tempfile.TemporaryDirectory()
    exe = niced_chromium(browser_nice, Path(tmp.name)) if browser_nice else CHROMIUM
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(exe), args=CHROMIUM_ARGS)
        try:
            if warm:
                await visit_pages(browser, url, list(warm))
                await asyncio.sleep(DISCARD_WAIT_S)
                out["rss_warm"] = server_rss_mb(pid)
                print(f"  every page opened once: RSS {out['rss_warm']:.0f} MB", flush=True)
            for i in range(n_rounds):
                cpu0 = server_cpu_s(pid)
                t = await asyncio.gather(*[one_user(browser, url, timeout_s) for _ in range(users)])
                out["times"].append(sorted(t))
                out["cpu"].append(server_cpu_s(pid) - cpu0)
                await asyncio.sleep(DISCARD_WAIT_S)  # closed sessions discarded
                out["rss"].append(server_rss_mb(pid))
                print(
                    f"  round {i + 1}/{n_rounds}: first figure p50 {pct(t, 50):.1f} s, "
                    f"p90 {pct(t, 90):.1f} s, max {max(t):.1f} s; server CPU "
                    f"{out['cpu'][-1]:.1f} s; RSS after discard {out['rss'][-1]:.0f} MB",
                    flush=True,
                )
        finally:
            await browser.close()
            tmp.cleanup()
    return out


def pct(values, q: float) -> float:
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def measure(
    label: str, cmd: list[str], app_path: str, args, env: dict | None = None, n_rounds=None
) -> dict:
    port = free_port()
    cmd = [c.replace("{port}", str(port)) for c in cmd]
    print(f"== {label}: {' '.join(cmd)}", flush=True)
    server = ServerProcess(cmd, cwd=ROOT) if env is None else _with_env(cmd, env)
    try:
        server.wait_port(port, timeout=300)
        time.sleep(1.0)
        rss_start = server_rss_mb(server.proc.pid)
        prober = Prober(port)
        prober.start()
        try:
            res = asyncio.run(
                rounds(
                    f"http://127.0.0.1:{port}/{app_path}",
                    args.users,
                    n_rounds or args.rounds,
                    server.proc.pid,
                    args.timeout,
                    warm=_slugs() if args.warm_pages and app_path == "planner" else (),
                    browser_nice=args.browser_nice,
                )
            )
        finally:
            prober.stop()
        res["rss_start"] = rss_start
        res["samples"] = [(t - server.launched, x, st) for t, x, st in prober.samples]
        lat = [s[1] for s in prober.samples]
        res["probes"] = len(lat)
        res["probe_fail"] = sum(1 for x in lat if x is None)
        ok = [x for x in lat if x is not None]
        res["live_max"] = max(ok) if ok else float("nan")
        res["live_p99"] = pct(ok, 99)
        res["live_over_1s"] = sum(1 for x in ok if x > TARGET_LIVENESS_S)
        res["label"] = label
        return res
    finally:
        server.stop()


def _slugs() -> list[str]:
    from planner.app.registry import PAGES

    return [p.slug for p in PAGES]


def _with_env(cmd: list[str], env: dict) -> ServerProcess:
    old = dict(os.environ)
    os.environ.update(env)
    try:
        return ServerProcess(cmd, cwd=env.get("_CWD", ROOT))
    finally:
        os.environ.clear()
        os.environ.update(old)


def _git(src: Path) -> str:
    try:
        return subprocess.check_output(
            ["git", "-C", str(src), "log", "-1", "--format=%h"], text=True
        ).strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def report(results: list[dict], args, load: str) -> str:
    lines = [
        "# App under load (issue 16)",
        "",
        f"`benchmarks/bench_app_load.py`: {args.users} users open the app at the same moment "
        f"(Playwright contexts of one headless Chromium on the same machine as the server), "
        f"{args.rounds} rounds = {args.users * args.rounds} sessions for this checkout "
        f"(browsers at nice {args.browser_nice}) "
        f"({args.other_rounds or args.rounds} for the other servers), each closed "
        "after its first figure is drawn; `GET /healthz` every 0.2 s throughout; RSS of the "
        f"server read {DISCARD_WAIT_S:.0f} s after each round (Bokeh has discarded the closed "
        "sessions by then). Workspace: the demo (about a million synthetic crime points), "
        "first page Hotspots and TGPs. Servers measured one after another in this run.",
        f"Machine: {machine_info()}. 1-minute load average at the start / end: {load}.",
        "",
        "| server | first figure p50 (s) | p90 (s) | max (s) | liveness max (s) | probes > 1 s "
        "| probes | RSS start (MB) | RSS after first round (MB) | RSS after last round (MB) "
        "| growth first -> last "
        "| server CPU per round (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        times = [t for rnd in r["times"] for t in rnd]
        first, last = r["rss"][0], r["rss"][-1]
        lines.append(
            f"| {r['label']} | {pct(times, 50):.1f} | {pct(times, 90):.1f} | {max(times):.1f} "
            f"| {r['live_max']:.2f} | {r['live_over_1s']} | {r['probes']} "
            f"| {r['rss_start']:.0f} | {first:.0f} | {last:.0f} | {100 * (last / first - 1):+.1f}% "
            f"| {statistics.median(r['cpu']):.1f} |"
        )
    lines += ["", "Per round (first figure p90 s / RSS MB after the round):", ""]
    for r in results:
        per = ", ".join(
            f"{pct(t, 90):.1f} / {m:.0f}" for t, m in zip(r["times"], r["rss"], strict=True)
        )
        lines.append(f"- {r['label']}: {per}")
    lines += ["", "Against the targets:", ""]
    for r in results:
        if r.get("baseline"):
            continue
        times = [t for rnd in r["times"] for t in rnd]
        p90 = pct(times, 90)
        growth = r["rss"][-1] / r["rss"][0] - 1
        lines.append(
            f"- {r['label']}: first figure p90 {p90:.1f} s (target <= {TARGET_P90_S:.0f} s: "
            f"{'met' if p90 <= TARGET_P90_S else 'NOT met'}); liveness max {r['live_max']:.2f} s "
            f"(target <= 1 s: {'met' if r['live_max'] <= TARGET_LIVENESS_S else 'NOT met'}); "
            f"RSS after 100 vs after 20 {100 * growth:+.1f}% (target within 10%: "
            f"{'met' if abs(growth) <= TARGET_RSS_GROWTH else 'NOT met'})"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds a user waits at most")
    ap.add_argument(
        "--workspace",
        type=Path,
        default=Path(os.environ.get("PLANNER_WORKSPACE", ROOT / "workspace" / "demo")),
    )
    ap.add_argument(
        "--other-rounds",
        type=int,
        default=None,
        help="rounds for the other servers (default: --rounds)",
    )
    ap.add_argument("--compare-src", type=Path, default=None, help="another checkout to measure")
    ap.add_argument("--num-procs", type=int, default=0, help="also measure --num-procs N")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument(
        "--warm-pages",
        action="store_true",
        help="open every page once before the rounds, so that the shared caches each page "
        "fills (the first build of every page, once per process) are not counted as growth",
    )
    ap.add_argument(
        "--browser-nice",
        type=int,
        default=0,
        help="start the browsers at this nice value (e.g. 10): they still share the cores, but "
        "the server, which in use runs on its own machine, is served first",
    )
    ap.add_argument("--only", choices=["this", "compare", "procs", "baseline"], action="append")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--raw", type=Path, default=None, help="also write every sample (JSON)")
    args = ap.parse_args()
    if not (args.workspace / "workspace.json").exists():
        print(
            f"no workspace at {args.workspace}: build the demo first (`make demo`)", file=sys.stderr
        )
        return 2
    if not CHROMIUM.exists():
        print(
            f"this benchmark needs Chromium at {CHROMIUM} (set PLANNER_CHROMIUM)", file=sys.stderr
        )
        return 2
    want = set(args.only or ["this", "compare", "procs", "baseline"])
    load0 = os.getloadavg()[0]
    serve = [sys.executable, "-m", "planner", "serve", "--workspace", str(args.workspace.resolve()),
             "--port", "{port}", "--address", "127.0.0.1"]  # fmt: skip
    results = []
    if "this" in want:
        env = {"PYTHONPATH": str(ROOT)}
        results.append(measure("planner serve (this checkout)", serve, "planner", args, env))
    if args.compare_src and "compare" in want:
        src = args.compare_src.resolve()
        env = {"PYTHONPATH": str(src), "_CWD": str(src)}
        label = f"planner serve of {src.name} ({_git(src)})"
        results.append(measure(label, serve, "planner", args, env, args.other_rounds))
    if args.num_procs and "procs" in want:
        env = {"PYTHONPATH": str(ROOT)}
        cmd = [*serve, "--num-procs", str(args.num_procs)]
        results.append(
            measure(
                f"planner serve --num-procs {args.num_procs}",
                cmd,
                "planner",
                args,
                env,
                args.other_rounds,
            )
        )
    if not args.skip_baseline and "baseline" in want:
        r = measure(
            "baseline: bare two-figure Panel page",
            [sys.executable, str(BASELINE), "{port}"],
            "baseline",
            args,
            n_rounds=args.other_rounds,
        )
        r["baseline"] = True
        results.append(r)
    text = report(results, args, f"{load0:.1f} / {os.getloadavg()[0]:.1f}")
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    if args.raw:
        import json

        args.raw.write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

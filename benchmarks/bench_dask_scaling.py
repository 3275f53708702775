"""1-vs-2-worker scaling of ``planner tgps --by-force --scheduler`` (issue 16, item 3).

Starts a ``dask scheduler`` and ``dask worker --nworkers N --nthreads 1`` as separate
processes on localhost for N = 1 and then 2, runs the same command against each (``--repeat``
times, in turn 1, 2, 1, 2, ...) and prints the wall times, their medians and the speed-up.
The per-force TGP derivation is the partition (one task per force); the client only writes
the layers.

    python benchmarks/bench_dask_scaling.py --crimes /tmp/byforce --boundary B --repeat 3

``--crimes`` is a ``planner load --by-force`` folder (bench_national.py makes the input).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cluster(n: int):
    exe = shutil.which("dask", path=os.path.dirname(sys.executable)) or "dask"
    port = _port()
    addr = f"tcp://127.0.0.1:{port}"
    sched = subprocess.Popen(
        [exe, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    work = subprocess.Popen(
        [exe, "worker", addr, "--nworkers", str(n), "--nthreads", "1", "--no-dashboard",
         "--memory-limit", "4GB"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    from distributed import Client

    c = Client(addr, timeout=60)
    c.wait_for_workers(n, timeout=120)
    c.close()
    return addr, (work, sched)


def _stop(procs) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crimes", type=Path, required=True)
    ap.add_argument("--boundary", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.repeat):
            for n in (1, 2):
                addr, procs = _cluster(n)
                try:
                    cmd = [sys.executable, "-m", "planner", "tgps", "--by-force", "--crimes",
                           str(a.crimes), "--boundary", str(a.boundary), "--out",
                           f"{tmp}/o{n}_{r}", "--json", "--scheduler", addr]  # fmt: skip
                    t = time.perf_counter()
                    subprocess.run(cmd, check=True, capture_output=True)
                    times[n].append(time.perf_counter() - t)
                finally:
                    _stop(procs)
                print(f"run {r + 1}: {n} worker(s) {times[n][-1]:.1f} s", flush=True)
    m1, m2 = statistics.median(times[1]), statistics.median(times[2])
    print(f"1 worker: median {m1:.1f} s ({', '.join(f'{t:.1f}' for t in times[1])})")
    print(f"2 workers: median {m2:.1f} s ({', '.join(f'{t:.1f}' for t in times[2])})")
    print(f"speed-up 2 vs 1 worker: {m1 / m2:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

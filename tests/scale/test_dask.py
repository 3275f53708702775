"""The heavy steps on dask.distributed give exactly the single-machine results: on a
LocalCluster (two worker processes) and on a separately started `dask scheduler` with two
`dask worker` processes driven through the command line (`--scheduler`)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.io.crime import load_crimes
from planner.io.crime_stream import load_to_parquet
from planner.paths import GEODATA
from planner.tracking.dwell import DwellConfig, TGPIndex, dwell
from planner.tracking.simulate import TraceConfig, to_ping_frame, visit_pings

distributed = pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "crime"
FORCE = GEODATA / "force_area.parquet"
KEY = ["source_file", "source_row"]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def _tgps():
    polys = [shapely.Point(400_000 + 600 * i, 280_000).buffer(220, 8) for i in range(6)]
    return gpd.GeoDataFrame({"tgp_id": [f"T{i}" for i in range(6)]}, geometry=polys, crs=27700)


def _pings(n_visits=240, seed=4):
    rng = np.random.default_rng(seed)
    tg = _tgps()
    off = np.sort(rng.integers(0, 12, n_visits))
    k = rng.integers(0, len(tg), n_visits)
    c = tg.geometry.centroid
    start = pd.Timestamp("2025-10-25 20:00", tz="Europe/London").timestamp() + np.cumsum(
        rng.uniform(600, 3000, n_visits)
    )
    sim = visit_pings(
        rng, off, c.x.to_numpy()[k], c.y.to_numpy()[k], np.full(n_visits, 110.0), start,
        rng.uniform(300, 1200, n_visits), TraceConfig(loss=0.02),
    )  # fmt: skip
    return to_ping_frame(sim, np.array([f"PC{i:03d}" for i in range(12)]))


def test_dwell_on_local_cluster_equals_single_machine(client):
    pings = _pings()
    index = TGPIndex.from_frame(_tgps())
    one = dwell(pings, index, DwellConfig())
    many = dwell(pings, index, DwellConfig(), client=client)
    assert len(one.place_days) > 0
    pd.testing.assert_frame_equal(one.place_days, many.place_days)
    pd.testing.assert_frame_equal(one.visits, many.visits)
    assert one.stats == many.stats


def test_load_on_local_cluster_equals_single_machine(client, tmp_path):
    files = [
        DATA / "2025-01-test-street.csv",
        DATA / "2011-02-test-street.csv",
        DATA / "api_sample.json",
    ]
    force = gpd.read_parquet(FORCE)
    ref = load_crimes(files, boundary=force)
    s = load_to_parquet(files, tmp_path / "c.parquet", boundary=force, client=client)
    assert (s.read, s.accepted, s.rejected) == (ref.read, ref.accepted, ref.rejected)
    assert s.summary()["by_reason"] == ref.by_reason
    got = gpd.read_parquet(tmp_path / "c.parquet")
    pd.testing.assert_frame_equal(
        got.sort_values(KEY).reset_index(drop=True),
        ref.crimes.sort_values(KEY).reset_index(drop=True),
    )
    rej = pd.read_csv(s.rejects_file, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(rej, ref.rejects.astype(str))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dask_processes(tmp_path_factory):
    """`dask scheduler` and `dask worker --nworkers 2` as separate processes."""
    exe = shutil.which("dask", path=os.path.dirname(sys.executable)) or shutil.which("dask")
    if exe is None:
        pytest.skip("the `dask` command (package distributed) is not installed")
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    log = tmp_path_factory.mktemp("dask")
    slog = (log / "s.log").open("w")  # noqa: SIM115 - open for the processes' lifetime
    wlog = (log / "w.log").open("w")  # noqa: SIM115
    sched = subprocess.Popen(
        [exe, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=slog, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    work = subprocess.Popen(
        [exe, "worker", addr, "--nworkers", "2", "--nthreads", "1", "--no-dashboard",
         "--memory-limit", "2GB"],
        stdout=wlog, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        c = distributed.Client(addr, timeout=30)
        c.wait_for_workers(2, timeout=60)
        c.close()
        yield addr, env
    finally:
        for p in (work, sched):
            p.terminate()
        for p in (work, sched):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        slog.close()
        wlog.close()


def _run(args, env):
    p = subprocess.run(
        [sys.executable, "-m", "planner", *args], capture_output=True, text=True, env=env
    )
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout)


def test_track_and_load_commands_on_separate_dask_processes(dask_processes, tmp_path):
    addr, env = dask_processes
    pings = tmp_path / "pings.parquet"
    _pings().to_parquet(pings)
    tg = tmp_path / "tgps.parquet"
    _tgps().to_parquet(tg)
    base = ["track", "--pings", str(pings), "--tgps", str(tg), "--json"]
    local = _run([*base, "--out", str(tmp_path / "a")], env)
    remote = _run([*base, "--out", str(tmp_path / "b"), "--scheduler", addr], env)
    for s in (local, remote):
        s.pop("out")
        s.pop("rejects_file")
    assert remote == local and local["by_tgp"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "a" / "place_days.parquet"),
        pd.read_parquet(tmp_path / "b" / "place_days.parquet"),
    )
    # the environment variable instead of the flag, for planner load
    src = [str(DATA / "2025-01-test-street.csv"), "--boundary", str(FORCE), "--json"]
    la = _run(["load", *src, "--out", str(tmp_path / "la.parquet")], env)
    lb = _run(
        ["load", *src, "--out", str(tmp_path / "lb.parquet")],
        {**env, "DASK_SCHEDULER_ADDRESS": addr},
    )
    assert {k: v for k, v in la.items() if k != "rejects_file"} == {
        k: v for k, v in lb.items() if k != "rejects_file"
    }
    pd.testing.assert_frame_equal(
        gpd.read_parquet(tmp_path / "la.parquet"), gpd.read_parquet(tmp_path / "lb.parquet")
    )


def test_unreachable_scheduler_is_one_line_exit_2(tmp_path):
    src = [str(DATA / "2025-01-test-street.csv"), "--out", str(tmp_path / "o.parquet")]
    t = time.monotonic()
    p = subprocess.run(
        [sys.executable, "-m", "planner", "load", *src, "--scheduler", f"tcp://127.0.0.1:{_free_port()}"],
        capture_output=True, text=True, env={**os.environ, "DASK_SCHEDULER_ADDRESS": ""},
    )  # fmt: skip
    assert p.returncode == 2, p.stderr
    assert "cannot reach the Dask scheduler" in p.stderr and "Traceback" not in p.stderr
    assert time.monotonic() - t < 120

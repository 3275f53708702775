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
import pandas as pd
import pytest
import shapely

from planner.hotspots.config import TGPConfig
from planner.io.crime import load_crimes
from planner.io.crime_stream import load_to_parquet
from planner.national import (
    HotspotOptions,
    force_hotspots,
    force_jobs,
    force_tgps,
    load_by_force,
    run_forces,
)
from planner.paths import GEODATA
from planner.testing import wm_two_force_archive
from planner.tracking.dwell import DwellConfig, TGPIndex, dwell
from planner.tracking.simulate import random_visits

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
    return random_visits(
        _tgps(), n_visits=n_visits, officers=12, seed=seed, start="2025-10-25 20:00",
        gap_s=(600, 3000), dwell_s=(300, 1200), speed=110.0, loss=0.02,
    )  # fmt: skip


def test_dwell_on_local_cluster_equals_single_machine(client):
    pings = _pings()
    index = TGPIndex.from_frame(_tgps())
    one = dwell(pings, index, DwellConfig())
    many = dwell(pings, index, DwellConfig(), client=client)
    assert len(one.place_days) > 0
    pd.testing.assert_frame_equal(one.place_days, many.place_days)
    pd.testing.assert_frame_equal(one.visits, many.visits)
    assert one.stats == many.stats


def test_streamed_dwell_on_local_cluster_equals_single_machine(client, tmp_path):
    from planner.tracking.stream import spill_pings, streamed_dwell

    pings = _pings()
    src = tmp_path / "pings.parquet"
    pings.to_parquet(src)
    index = TGPIndex.from_frame(_tgps())
    one = dwell(pings, index, DwellConfig())
    sp = spill_pings(src, tmp_path / "spill", buckets=3, progress=False)
    many = streamed_dwell(sp.buckets, index, DwellConfig(), client=client)
    assert len(sp.buckets) == 3 and len(one.place_days) > 0
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


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("national")
    wm_two_force_archive(root / "archive", rows=4000)
    return root


def test_forces_on_local_cluster_equal_single_machine(client, archive, tmp_path):
    """load, hotspots and TGPs force by force: the same tables and layers on the cluster."""
    here = load_by_force([archive / "archive"], tmp_path / "a", boundary=FORCE)
    there = load_by_force([archive / "archive"], tmp_path / "b", boundary=FORCE, client=client)
    assert [r.summary | {"rejects_file": None} for r in here] == [
        r.summary | {"rejects_file": None} for r in there
    ]
    for r in here:
        pd.testing.assert_frame_equal(
            gpd.read_parquet(r.out), gpd.read_parquet(tmp_path / "b" / Path(r.out).name)
        )
    jobs = force_jobs([tmp_path / "a"], FORCE)
    assert [j.force for j in jobs] == ["west-mids-a", "west-mids-b"]
    opts = HotspotOptions(method="kde", cell=400.0)
    h1 = list(run_forces(force_hotspots, jobs, None, opts=opts))
    h2 = list(run_forces(force_hotspots, jobs, client, opts=opts))
    for (f1, g1, s1), (f2, g2, s2) in zip(h1, h2, strict=True):
        assert f1 == f2 and s1 == s2 and s1["crimes"] > 0
        pd.testing.assert_frame_equal(g1, g2)
    cfg = TGPConfig(n_total=4, n_violent=2)
    t1 = list(run_forces(force_tgps, jobs, None, cfg=cfg))
    t2 = list(run_forces(force_tgps, jobs, client, cfg=cfg))
    for (f1, r1, l1), (f2, r2, l2) in zip(t1, t2, strict=True):
        assert (f1, l1) == (f2, l2) and r1.summary == r2.summary and r1.summary["n_tgps"] > 0
        pd.testing.assert_frame_equal(r1.tgps, r2.tgps)


def test_month_and_tile_partitions_on_local_cluster_equal_single_machine(client):
    """One force's hotspots as month and KDE-tile tasks: bit for bit the local run."""
    import numpy as np

    from planner.hotspots.grid import make_grid
    from planner.hotspots.partitions import PartitionConfig, partitioned_cells

    rng = np.random.default_rng(11)
    snaps = rng.uniform(0, 6000, (300, 2)).round(2) + (400_000, 280_000)
    pick = rng.integers(0, 300, 5000)
    x, y = snaps[pick, 0], snaps[pick, 1]
    harm = rng.choice([1.0, 7.5, 365.0], 5000)
    month = np.array([f"2025-{m:02d}" for m in rng.integers(1, 13, 5000)], dtype=object)
    grid = make_grid(shapely.box(400_000, 280_000, 406_000, 286_000), 100)
    for method in ("kde", "gistar"):
        args = (grid, x, y, harm, harm / 365, month, method, "harm")
        cfg = PartitionConfig(tile_cells=16)
        here, s1 = partitioned_cells(*args, config=cfg)
        there, s2 = partitioned_cells(*args, config=cfg, client=client)
        assert s1 == s2 and s1["months"] == 12
        assert list(here) == list(there)
        for k in here:
            assert np.array_equal(here[k], there[k]), k
    assert s1["hot_cells"] > 0


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
    # streamed: the workers read the officer buckets from a folder they see
    streamed = _run([*base, "--out", str(tmp_path / "c"), "--scheduler", addr, "--stream",
                     "always", "--spill-dir", str(tmp_path / "spill")], env)  # fmt: skip
    for s in (local, remote, streamed):
        s.pop("out")
        s.pop("rejects_file")
    assert remote == local and streamed == local and local["by_tgp"]
    assert list((tmp_path / "spill").iterdir()) == []  # the buckets are removed afterwards
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


def _outputs(folder: Path) -> dict[str, pd.DataFrame]:
    return {
        f.name: gpd.read_file(f) if f.suffix == ".gpkg" else gpd.read_parquet(f)
        for f in sorted(folder.iterdir())
        if f.suffix in (".gpkg", ".parquet")
    }


def test_hotspots_and_tgps_commands_on_separate_dask_processes(dask_processes, archive, tmp_path):
    """`planner load|hotspots|tgps --by-force --scheduler` and single-force `hotspots|tgps
    --scheduler` give exactly the local outputs."""
    addr, env = dask_processes
    arch = str(archive / "archive")

    def both(args, out_a, out_b):
        a = _run([*args, "--out", str(out_a)], env)
        b = _run([*args, "--out", str(out_b), "--scheduler", addr], env)
        for s in (a, b):
            s.pop("out", None)
            s.pop("seconds", None)
            for f in s.get("forces", {}).values():
                f.pop("out", None)
                f.pop("rejects_file", None)
        assert a == b
        return a

    load = both(["load", arch, "--by-force", "--boundary", str(FORCE), "--json"],
                tmp_path / "la", tmp_path / "lb")  # fmt: skip
    assert list(load["forces"]) == ["west-mids-a", "west-mids-b"] and load["accepted"] > 0
    crimes = str(tmp_path / "la")
    common = ["--crimes", crimes, "--boundary", str(FORCE), "--json"]
    hs = both(["hotspots", "--by-force", *common, "--method", "gistar", "--cell", "500"],
              tmp_path / "ha", tmp_path / "hb")  # fmt: skip
    assert hs["crimes"] == load["accepted"]
    tg = both(["tgps", "--by-force", *common, "--count", "4", "--violent", "2"],
              tmp_path / "ta", tmp_path / "tb")  # fmt: skip
    assert tg["n_tgps"] > 0
    for a, b in (("la", "lb"), ("ha", "hb"), ("ta", "tb")):
        oa, ob = _outputs(tmp_path / a), _outputs(tmp_path / b)
        assert list(oa) == list(ob) and len(oa) == 2
        for k in oa:
            pd.testing.assert_frame_equal(oa[k], ob[k])
    # one force as one partition on the cluster
    one = ["--crimes", str(tmp_path / "la" / "west-mids-b.parquet"), "--boundary", str(FORCE),
           "--json"]  # fmt: skip
    both(["hotspots", *one, "--method", "kde", "--cell", "300"],
         tmp_path / "k1.parquet", tmp_path / "k2.parquet")  # fmt: skip
    pd.testing.assert_frame_equal(
        gpd.read_parquet(tmp_path / "k1.parquet"), gpd.read_parquet(tmp_path / "k2.parquet")
    )
    both(["tgps", *one, "--count", "4", "--violent", "2"],
         tmp_path / "t1.gpkg", tmp_path / "t2.gpkg")  # fmt: skip
    pd.testing.assert_frame_equal(
        gpd.read_file(tmp_path / "t1.gpkg"), gpd.read_file(tmp_path / "t2.gpkg")
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

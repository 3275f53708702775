"""Dwell minutes on constructed traces: exact expected values and a brute-force reference."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.tracking.dwell import DwellConfig, TGPIndex, dwell, officer_visits, place_days
from planner.tracking.intervals import NS

X, Y = 400_000.0, 280_000.0
TZ = "Europe/London"


def tgp_layer(*boxes, ids=None):
    geoms = [shapely.box(X + a, Y + b, X + c, Y + d) for a, b, c, d in boxes]
    ids = ids or [f"T{i + 1}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"tgp_id": ids}, geometry=geoms, crs=27700)


def trace(officer, start, xs, ys, step_s=30.0, *, times=None):
    """Pings of one officer: local start time, relative coordinates, a fixed interval."""
    xs = np.asarray(xs, float)
    ys = np.broadcast_to(np.asarray(ys, float), xs.shape)
    t0 = pd.Timestamp(start, tz=TZ) if isinstance(start, str) else start
    if times is None:
        times = t0 + pd.to_timedelta(np.arange(len(xs)) * step_s, "s")
    return pd.DataFrame({"officer_id": officer, "timestamp": times, "x": X + xs, "y": Y + ys})


def day(s):
    return pd.Timestamp(s)


def pd_row(res, tgp, date):
    p = res.place_days
    r = p[(p.tgp_id == tgp) & (p.date == day(date))]
    assert len(r) == 1, p
    return r.iloc[0]


def test_crossing_between_pings_interpolated():
    # walk along y=50 from x=-50 to 150 at 1 m/s, a ping every 30 s (not at the boundary)
    tg = tgp_layer((0, 0, 100, 100))
    xs = -47.0 + np.arange(8) * 30.0  # -47 .. 163
    res = dwell(trace("A", "2025-06-01 10:00", xs, 50.0), tg)
    r = pd_row(res, "T1", "2025-06-01")
    assert r.officer_minutes == pytest.approx(100 / 60, abs=1e-9)
    assert r.presence_minutes == pytest.approx(100 / 60, abs=1e-9)
    assert (r.visits, r.compliant_visits, r.officer_visits) == (1, 0, 1)
    v = res.visits.iloc[0]
    assert v.start == pd.Timestamp("2025-06-01 10:00:47", tz=TZ)
    assert v.end == pd.Timestamp("2025-06-01 10:02:27", tz=TZ)


def test_diagonal_crossing_and_concave_polygon():
    # an L-shaped TGP: a straight segment leaves and re-enters between two pings
    l_shape = shapely.Polygon(
        [(0, 0), (100, 0), (100, 100), (70, 100), (70, 30), (30, 30), (30, 100), (0, 100)]
    )
    tg = gpd.GeoDataFrame(
        {"tgp_id": ["L"]}, geometry=[shapely.affinity.translate(l_shape, X, Y)], crs=27700
    )
    # one segment from (10, 80) to (90, 80) in 80 s: inside 20 m, outside 40 m, inside 20 m
    res = dwell(trace("A", "2025-06-01 10:00", [10.0, 90.0], 80.0, step_s=80.0), tg)
    r = pd_row(res, "L", "2025-06-01")
    assert r.officer_minutes == pytest.approx(40 / 60, abs=1e-9)
    assert r.officer_visits == 2 and r.visits == 2
    # a diagonal from (-13.7, -21.1) to (113.3, 61.9) crosses at fractional points
    x0, y0, x1, y1 = -13.7, -21.1, 113.3, 61.9
    ref = shapely.LineString([(X + x0, Y + y0), (X + x1, Y + y1)])
    frac = ref.intersection(tg.geometry.iloc[0]).length / ref.length
    res = dwell(trace("A", "2025-06-01 10:00", [x0, x1], [y0, y1], step_s=100.0), tg)
    assert res.place_days.officer_minutes.sum() == pytest.approx(frac * 100 / 60, abs=1e-6)


def test_gap_cap_holds_last_position():
    tg = tgp_layer((0, 0, 100, 100))
    # inside, pings at 0, 30 s, then 10 min silence, then 30 s more
    times = pd.Timestamp("2025-06-01 10:00", tz=TZ) + pd.to_timedelta([0, 30, 630, 660], "s")
    res = dwell(trace("A", None, [50, 50, 50, 50], 50.0, times=times), tg)
    r = pd_row(res, "T1", "2025-06-01")
    # 30 s + 120 s (capped) + 30 s
    assert r.officer_minutes == pytest.approx(3.0, abs=1e-9)
    # the lost signal ends the visit: two visits
    assert r.officer_visits == 2
    res5 = dwell(
        trace("A", None, [50, 50, 50, 50], 50.0, times=times), tg, DwellConfig(gap_cap_s=300)
    )
    assert pd_row(res5, "T1", "2025-06-01").officer_minutes == pytest.approx(6.0, abs=1e-9)


def test_two_officers_overlapping():
    tg = tgp_layer((0, 0, 100, 100))
    a = trace("A", "2025-06-01 10:00", np.full(41, 50.0), 50.0)  # 10:00-10:20
    b = trace("B", "2025-06-01 10:10", np.full(41, 60.0), 40.0)  # 10:10-10:30
    res = dwell(pd.concat([a, b]), tg)
    r = pd_row(res, "T1", "2025-06-01")
    assert r.officer_minutes == pytest.approx(40.0, abs=1e-9)
    assert r.presence_minutes == pytest.approx(30.0, abs=1e-9)
    assert (r.visits, r.compliant_visits, r.officer_visits) == (1, 1, 2)
    assert res.officer_hours == pytest.approx(40 / 60)
    assert res.presence_hours == pytest.approx(0.5)


def test_midnight_split_and_visit_on_start_day():
    tg = tgp_layer((0, 0, 100, 100))
    a = trace("A", "2025-06-01 23:50", np.full(41, 50.0), 50.0)  # 23:50 -> 00:10
    res = dwell(a, tg)
    d1, d2 = pd_row(res, "T1", "2025-06-01"), pd_row(res, "T1", "2025-06-02")
    assert d1.officer_minutes == pytest.approx(10.0, abs=1e-9)
    assert d2.officer_minutes == pytest.approx(10.0, abs=1e-9)
    assert d1.presence_minutes == pytest.approx(10.0, abs=1e-9)
    assert (d1.visits, d1.compliant_visits, d1.officer_visits) == (1, 1, 1)
    assert (d2.visits, d2.compliant_visits, d2.officer_visits) == (0, 0, 0)


@pytest.mark.parametrize(
    ("start", "hours_utc", "expected"),
    [
        # spring forward, Sunday 30 March 2025: 00:30 GMT .. 03:30 BST is 2 real hours
        ("2025-03-30 00:30", 2, {"2025-03-30": 120.0}),
        # fall back, Sunday 26 October 2025: 00:30 BST .. 03:30 GMT is 4 real hours
        ("2025-10-26 00:30", 4, {"2025-10-26": 240.0}),
        # a whole 25-hour day plus 30 minutes either side
        ("2025-10-25 23:30", 26, {"2025-10-25": 30.0, "2025-10-26": 1500.0, "2025-10-27": 30.0}),
        # a whole 23-hour day plus 30 minutes either side
        ("2025-03-29 23:30", 24, {"2025-03-29": 30.0, "2025-03-30": 1380.0, "2025-03-31": 30.0}),
    ],
)
def test_clock_changes(start, hours_utc, expected):
    tg = tgp_layer((0, 0, 100, 100))
    n = hours_utc * 60 + 1  # a ping a minute
    times = pd.Timestamp(start, tz=TZ) + pd.to_timedelta(np.arange(n) * 60, "s")
    res = dwell(trace("A", None, np.full(n, 50.0), 50.0, times=times), tg)
    got = {str(d.date()): m for d, m in zip(res.place_days.date, res.place_days.officer_minutes)}
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert got[k] == pytest.approx(v, abs=1e-6)
    # one continuous visit, counted on the day it starts
    assert res.place_days.visits.sum() == 1
    assert res.place_days.iloc[0].visits == 1


def test_speed_spike_dropped_and_foot_vehicle():
    tg = tgp_layer((0, 0, 100, 100))
    xs = np.full(21, 50.0)
    xs[10] = 5_000.0  # a GPS jump 5 km away for one ping
    res = dwell(trace("A", "2025-06-01 10:00", xs, 50.0), tg)
    assert res.stats.speed_dropped == 1
    r = pd_row(res, "T1", "2025-06-01")
    assert r.officer_minutes == pytest.approx(10.0, abs=1e-9)
    assert r.foot_minutes == pytest.approx(10.0, abs=1e-9)
    # a car at 10 m/s through the TGP: 10 s inside, vehicle minutes
    res = dwell(trace("B", "2025-06-01 10:00", [-150.0, 150.0], 50.0, step_s=30.0), tg)
    r = pd_row(res, "T1", "2025-06-01")
    assert r.vehicle_minutes == pytest.approx(10 / 60, abs=1e-9)
    assert r.foot_minutes == 0


def test_reported_speed_column_drops_implausible_pings():
    tg = tgp_layer((0, 0, 100, 100))
    p = trace("A", "2025-06-01 10:00", np.full(5, 50.0), 50.0)
    p["speed"] = [1.0, 1.0, 90.0, 1.0, 1.0]
    res = dwell(p, tg)
    assert res.stats.speed_dropped == 1
    assert res.place_days.officer_minutes.sum() == pytest.approx(2.0)


def _brute_force(pings, tg, cfg, step=0.25):
    """Reference: time-step every officer's track in ``step`` seconds, test point in polygon."""
    out = {}
    pres = {}
    for _, g in pings.sort_values("timestamp").groupby("officer_id"):
        t = g.timestamp.astype("datetime64[ns, UTC]").astype("int64").to_numpy() / NS
        x, y = g.x.to_numpy(), g.y.to_numpy()
        for i in range(len(t) - 1):
            dt = t[i + 1] - t[i]
            n = int(round(min(dt, cfg.gap_cap_s) / step))
            f = (np.arange(n) + 0.5) * step
            if dt > cfg.gap_cap_s:
                px, py = np.full(n, x[i]), np.full(n, y[i])
            else:
                px, py = x[i] + f / dt * (x[i + 1] - x[i]), y[i] + f / dt * (y[i + 1] - y[i])
            ts = pd.to_datetime(((t[i] + f) * NS).astype("int64"), utc=True).tz_convert(TZ)
            dates = ts.tz_localize(None).normalize()
            for tid, geom in zip(tg.tgp_id, tg.geometry):
                inside = shapely.contains_xy(geom, px, py)
                for d in np.unique(dates[inside]):
                    m = inside & (dates == d)
                    out[(tid, d)] = out.get((tid, d), 0.0) + m.sum() * step / 60
                    key = (tid, d)
                    pres.setdefault(key, set()).update(
                        np.floor((t[i] + f[m]) / step).astype(np.int64).tolist()
                    )
    return out, {k: len(v) * step / 60 for k, v in pres.items()}


def test_brute_force_random_traces():
    rng = np.random.default_rng(7)

    def star(cx, cy, k):
        a = np.sort(rng.uniform(0, 2 * np.pi, k))
        r = 120 * rng.uniform(0.5, 1, k)
        return shapely.Polygon(np.c_[X + cx + r * np.cos(a), Y + cy + r * np.sin(a)])

    # Q overlaps P
    tg = gpd.GeoDataFrame(
        {"tgp_id": ["P", "Q", "R"]},
        geometry=[star(100, 100, 12), star(180, 130, 9), star(500, 100, 15)],
        crs=27700,
    )
    frames = []
    for o in range(4):
        n = 120
        dt = rng.choice([10.0, 30.0, 60.0, 200.0], n, p=[0.3, 0.5, 0.15, 0.05])
        t = pd.Timestamp("2025-10-25 23:00", tz=TZ) + pd.to_timedelta(np.cumsum(dt) + o * 300, "s")
        x = np.cumsum(rng.normal(0, 25, n)) + 250
        y = np.cumsum(rng.normal(0, 25, n)) + 100
        frames.append(trace(f"O{o}", None, x, y, times=t))
    pings = pd.concat(frames, ignore_index=True)
    cfg = DwellConfig(max_speed_ms=1e9, foot_max_speed_ms=2.5)
    res = dwell(pings, tg, cfg)
    ref, ref_pres = _brute_force(pings, tg, cfg)
    got = {(r.tgp_id, r.date): r.officer_minutes for r in res.place_days.itertuples()}
    got_pres = {(r.tgp_id, r.date): r.presence_minutes for r in res.place_days.itertuples()}
    assert sum(ref.values()) > 30  # the traces do spend time in the TGPs
    keys = set(ref) | {k for k, v in got.items() if v > 0.01}
    for k in keys:
        assert got.get(k, 0.0) == pytest.approx(ref.get(k, 0.0), abs=0.02), k
        assert got_pres.get(k, 0.0) == pytest.approx(ref_pres.get(k, 0.0), abs=0.02), k


def test_partitions_combine_to_the_whole():
    rng = np.random.default_rng(3)
    tg = tgp_layer((0, 0, 100, 100), (50, 50, 250, 150))
    index = TGPIndex.from_frame(tg)
    n = 400
    off = np.repeat(np.arange(4), n // 4)
    t = np.tile(np.cumsum(rng.uniform(5, 60, n // 4)), 4) + 1.75e9
    x = X + rng.uniform(-50, 300, n)
    y = Y + rng.uniform(-50, 200, n)
    cfg = DwellConfig(max_speed_ms=1e9)
    whole, _ = officer_visits(off, t, x, y, None, index, cfg)
    parts = pd.concat(
        [
            officer_visits(off[off == k], t[off == k], x[off == k], y[off == k], None, index, cfg)[
                0
            ]
            for k in range(4)
        ]
    )
    a = place_days(whole, index.ids, cfg)
    b = place_days(parts, index.ids, cfg)
    pd.testing.assert_frame_equal(a, b)
    assert a.presence_minutes.sum() < a.officer_minutes.sum()


def test_bad_layers_are_errors():
    from planner.errors import PlannerError

    with pytest.raises(PlannerError, match="tgp_id"):
        TGPIndex.from_frame(
            gpd.GeoDataFrame({"x": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs=27700)
        )
    with pytest.raises(PlannerError, match="duplicate"):
        TGPIndex.from_frame(tgp_layer((0, 0, 1, 1), (2, 2, 3, 3), ids=["A", "A"]))


def test_officer_day_partitions_give_the_same_answer():
    from planner.tracking.dwell import officer_day_partitions

    rng = np.random.default_rng(5)
    tg = tgp_layer((0, 0, 100, 100), (50, 50, 250, 150))
    index = TGPIndex.from_frame(tg)
    n = 600
    off = np.repeat(np.arange(3), n // 3)
    # traces that run through local midnight and the October clock change
    t0 = pd.Timestamp("2025-10-25 22:00", tz=TZ).timestamp()
    t = np.tile(np.cumsum(rng.uniform(20, 90, n // 3)), 3) + t0
    x = X + np.clip(np.cumsum(rng.normal(0, 20, n)), -100, 300)
    y = Y + np.clip(np.cumsum(rng.normal(0, 20, n)), -100, 250)
    cfg = DwellConfig(max_speed_ms=1e9)
    whole, _ = officer_visits(off, t, x, y, None, index, cfg)
    parts = officer_day_partitions(off, t)
    assert len(parts) >= 6  # three officers over at least two days
    rows = pd.concat(
        [officer_visits(off[i], t[i], x[i], y[i], None, index, cfg)[0] for i in parts],
        ignore_index=True,
    )
    a = place_days(whole, index.ids, cfg)
    b = place_days(rows, index.ids, cfg)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
    assert a.officer_visits.sum() == b.officer_visits.sum()


def test_two_worker_processes_give_the_same_answer(tmp_path):
    """Forked officer-partition workers (run in a fresh interpreter: forking the test process,
    which may hold other tests' threads, is avoided)."""
    import subprocess
    import sys

    rng = np.random.default_rng(9)
    tg = tgp_layer((0, 0, 100, 100), (150, 0, 250, 100))
    frames = []
    for o in range(6):
        n = 200
        t = pd.Timestamp("2025-11-03 08:00", tz=TZ) + pd.to_timedelta(
            np.cumsum(rng.uniform(10, 60, n)), "s"
        )
        frames.append(
            trace(
                f"P{o}",
                None,
                np.clip(np.cumsum(rng.normal(0, 15, n)) + 100, -50, 300),
                50.0,
                times=t,
            )
        )
    pings = pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=1)  # any row order
    one = dwell(pings, tg)
    assert list(one.officers) == sorted(one.officers)
    pings.to_parquet(tmp_path / "p.parquet")
    pings.sort_values(["officer_id", "timestamp"]).to_parquet(tmp_path / "s.parquet")
    tg.to_parquet(tmp_path / "t.parquet")
    code = (
        "import sys, geopandas as gpd, pandas as pd\n"
        "from planner.tracking.dwell import dwell\n"
        "d = sys.argv[1]\n"
        "tg = gpd.read_parquet(d + '/t.parquet')\n"
        "for name in ('p', 's'):\n"
        "    r = dwell(pd.read_parquet(d + f'/{name}.parquet'), tg, partitions=2)\n"
        "    r.place_days.to_parquet(d + f'/{name}_out.parquet')\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=120)
    for name in ("p", "s"):  # shuffled rows, then sorted rows (contiguous blocks)
        two = pd.read_parquet(tmp_path / f"{name}_out.parquet")
        pd.testing.assert_frame_equal(one.place_days, two, check_dtype=False)


def test_locate_matches_shapely_intersection_lengths():
    """Random segments (0-900 m, some held positions) against irregular, overlapping polygons:
    the inside fraction per TGP equals shapely's exact line-polygon intersection."""
    rng = np.random.default_rng(21)

    def star(cx, cy, k):
        a = np.sort(rng.uniform(0, 2 * np.pi, k))
        r = rng.uniform(80, 300) * rng.uniform(0.5, 1, k)
        return shapely.Polygon(np.c_[X + cx + r * np.cos(a), Y + cy + r * np.sin(a)])

    geoms = [star(*rng.uniform(0, 3000, 2), int(rng.integers(5, 40))) for _ in range(12)]
    tg = gpd.GeoDataFrame({"tgp_id": [f"S{i}" for i in range(12)]}, geometry=geoms, crs=27700)
    index = TGPIndex.from_frame(tg)
    n = 6000
    c = tg.geometry.representative_point()
    k = rng.integers(0, 12, n)
    x0 = c.x.to_numpy()[k] + rng.normal(0, 250, n)
    y0 = c.y.to_numpy()[k] + rng.normal(0, 250, n)
    length = rng.choice([0.0, 30.0, 300.0, 900.0], n)
    ang = rng.uniform(0, 2 * np.pi, n)
    x1, y1 = x0 + length * np.cos(ang), y0 + length * np.sin(ang)
    seg, tgp, s0, s1 = index.locate(x0, y0, x1, y1)
    ours = np.zeros((n, 12))
    np.add.at(ours, (seg, tgp), s1 - s0)
    lines = shapely.linestrings(np.stack([np.c_[x0, y0], np.c_[x1, y1]], axis=1))
    ref = np.zeros((n, 12))
    for j, g in enumerate(tg.geometry.values):  # 12 polygons
        frac = shapely.length(shapely.intersection(lines, g)) / np.where(length > 0, length, 1.0)
        ref[:, j] = np.where(length > 0, frac, shapely.intersects(shapely.points(x0, y0), g))
    assert ref.sum() > 100
    np.testing.assert_allclose(ours, ref, atol=1e-9)

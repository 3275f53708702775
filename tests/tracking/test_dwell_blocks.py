"""Officer blocks (bounded temporaries) give the same place-days and visits as one pass."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.tracking.dwell import DwellConfig, TGPIndex, dwell
from planner.tracking.simulate import TraceConfig, to_ping_frame, visit_pings


def _case(seed=9, n_visits=300, n_off=15):
    rng = np.random.default_rng(seed)
    polys = [shapely.Point(400_000 + 500 * i, 280_000).buffer(200, 6) for i in range(5)]
    tg = gpd.GeoDataFrame({"tgp_id": [f"T{i}" for i in range(5)]}, geometry=polys, crs=27700)
    off = np.sort(rng.integers(0, n_off, n_visits))
    k = rng.integers(0, 5, n_visits)
    c = tg.geometry.centroid
    start = pd.Timestamp("2025-10-25 22:00", tz="Europe/London").timestamp() + np.cumsum(
        rng.uniform(300, 2400, n_visits)
    )
    sim = visit_pings(
        rng, off, c.x.to_numpy()[k], c.y.to_numpy()[k], np.full(n_visits, 100.0), start,
        rng.uniform(300, 1500, n_visits), TraceConfig(loss=0.03),
    )  # fmt: skip
    pings = to_ping_frame(sim, np.array([f"PC{i:02d}" for i in range(n_off)]))
    return pings, TGPIndex.from_frame(tg)


@pytest.mark.parametrize("shuffle", [False, True])
def test_blocks_equal_one_pass(shuffle):
    pings, index = _case()
    if shuffle:  # officers interleaved: blocks are gathered by officer, not by position
        pings = pings.sample(frac=1.0, random_state=2).reset_index(drop=True)
    one = dwell(pings, index, DwellConfig(block_pings=10**9))
    blocks = dwell(pings, index, DwellConfig(block_pings=len(pings) // 7))
    assert len(one.place_days) > 0 and len(one.visits) > 0
    pd.testing.assert_frame_equal(one.place_days, blocks.place_days)
    pd.testing.assert_frame_equal(one.visits, blocks.visits)
    assert one.stats == blocks.stats

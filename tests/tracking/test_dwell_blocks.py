"""Officer blocks (bounded temporaries) give the same place-days and visits as one pass."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from planner.tracking.dwell import DwellConfig, TGPIndex, dwell
from planner.tracking.simulate import random_visits


def _case(seed=9, n_visits=300, n_off=15):
    polys = [shapely.Point(400_000 + 500 * i, 280_000).buffer(200, 6) for i in range(5)]
    tg = gpd.GeoDataFrame({"tgp_id": [f"T{i}" for i in range(5)]}, geometry=polys, crs=27700)
    pings = random_visits(
        tg, n_visits=n_visits, officers=n_off, seed=seed, start="2025-10-25 22:00",
        gap_s=(300, 2400), dwell_s=(300, 1500), speed=100.0, loss=0.03, id_width=2,
    )  # fmt: skip
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

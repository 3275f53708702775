"""Coverage report: exact shares, PAI, ASB overlap count and per-LPA rows on constructed data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.crs import BNG
from planner.hotspots.config import CoverageConfig
from planner.hotspots.coverage import SUMMARY_KEYS, asb_overlapping_violent, coverage_report
from planner.schema import make_crimes


@pytest.fixture
def layer(hs):
    X0, Y0 = hs.X0, hs.Y0
    return gpd.GeoDataFrame(
        {"tgp_id": ["T1", "T2", "T3", "T4"], "kind": ["violent", "violent", "asb", "asb"]},
        geometry=[
            shapely.box(X0 + 1000, Y0 + 1000, X0 + 2000, Y0 + 2000),  # 1 km2 in the West LPA
            shapely.box(X0 + 6000, Y0 + 6000, X0 + 7000, Y0 + 7000),  # 1 km2 in the East LPA
            shapely.box(X0 + 1500, Y0 + 1500, X0 + 2500, Y0 + 2500),  # overlaps T1 by 0.25 km2
            shapely.box(X0 + 7000, Y0 + 1000, X0 + 8000, Y0 + 2000),  # touches nothing violent
        ],
        crs=BNG,
    )


def test_exact_shares(layer, hs):
    X0, Y0 = hs.X0, hs.Y0
    # inside T1: 6 violence, 2 robbery (harm per type), 1 burglary (not relevant)
    # outside: 10 violence, 2 ASB; inside T4: 2 ASB
    xs = [X0 + 1100] * 9 + [X0 + 9000] * 12 + [X0 + 7500] * 2
    ys = [Y0 + 1100] * 9 + [Y0 + 9000] * 12 + [Y0 + 1500] * 2
    types = (
        ["Violence and sexual offences"] * 6
        + ["Robbery"] * 2
        + ["Burglary"]
        + ["Violence and sexual offences"] * 10
        + ["Anti-social behaviour"] * 2
        + ["Anti-social behaviour"] * 2
    )
    harm = np.array([10.0] * 6 + [50.0] * 2 + [99.0] + [10.0] * 10 + [1.0] * 2 + [1.0] * 2)
    knife = np.array([0.1] * 6 + [0.5] * 2 + [0.0] + [0.1] * 10 + [0.0] * 4)
    c = make_crimes(xs, ys, types, month="2024-01", harm=harm, knife_weight=knife)
    rep = coverage_report(layer, c, hs.square_force(), hs.two_lpa_geography())
    s = rep.summary
    union_km2 = 1 + 1 + 0.75 + 1
    assert s["area_share"] == pytest.approx(union_km2 / 100)
    relevant_in = 6 + 2 + 2
    relevant = 6 + 2 + 10 + 2 + 2
    assert s["offence_share"] == pytest.approx(relevant_in / relevant)
    assert s["harm_share"] == pytest.approx((60 + 100 + 2) / (60 + 100 + 100 + 2 + 2))
    assert s["knife_share"] == pytest.approx((0.6 + 1.0) / (0.6 + 1.0 + 1.0))
    assert s["pai"] == pytest.approx(s["offence_share"] / s["area_share"])
    assert s["harm_pai"] == pytest.approx(s["harm_share"] / s["area_share"])
    assert s["n_tgps"] == 4 and s["asb_overlapping_violent"] == 1
    assert set(SUMMARY_KEYS) <= set(s)
    t = rep.table()
    assert t["area"].tolist() == ["Force", "West", "East"]
    west = t.set_index("area").loc["West"]
    # West: 1.75 km2 of 50 km2; its relevant offences all inside (8 of 8)
    assert west["area_pct"] == pytest.approx(100 * 1.75 / 50)
    assert west["offences_pct"] == pytest.approx(100.0)
    assert west["tgps"] == 2
    # harm over all crime instead of relevant offences only
    s2 = coverage_report(
        layer, c, hs.square_force(), config=CoverageConfig(harm_relevant_only=False)
    ).summary
    assert s2["harm_share"] == pytest.approx((60 + 100 + 99 + 2) / (60 + 100 + 99 + 100 + 2 + 2))
    assert "West" in rep.text() and "PAI" in rep.text()


def test_overlap_needs_shared_area(hs):
    X0, Y0 = hs.X0, hs.Y0
    g = gpd.GeoDataFrame(
        {"tgp_id": ["a", "b"], "kind": ["violent", "asb"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 10, Y0 + 10),
            shapely.box(X0 + 10, Y0, X0 + 20, Y0 + 10),
        ],
        crs=BNG,
    )
    assert asb_overlapping_violent(g) == 0  # touching edges only
    assert asb_overlapping_violent(g.drop(columns="kind")) is None

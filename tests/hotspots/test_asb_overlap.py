"""ASB patrol areas against violent TGPs: counts on constructed squares, against brute force."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from planner.crs import BNG
from planner.errors import PlannerError
from planner.hotspots.asb import asb_overlap
from planner.hotspots.coverage import asb_overlapping_violent


def _layer(boxes, ids, kind=None):
    d = {"tgp_id": ids}
    if kind is not None:
        d["kind"] = kind
    return gpd.GeoDataFrame(d, geometry=[shapely.box(*b) for b in boxes], crs=BNG)


def test_overlap_counts_and_shares():
    v = _layer(
        [(0, 0, 100, 100), (200, 0, 300, 100), (400, 0, 500, 100), (600, 0, 700, 100)],
        ["V1", "V2", "V3", "V4"],
        ["violent"] * 4,
    )
    a = _layer(
        [(50, 0, 150, 100), (0, 50, 100, 150), (300, 0, 350, 100), (450, 0, 460, 10)],
        ["A1", "A2", "A3", "A4"],
    )
    rep = asb_overlap(a, v)
    by = rep.by_tgp.set_index("tgp_id")
    # V1: A1 (half) and A2 (half) overlapping each other: union is 3/4 of V1
    assert by.loc["V1", "asb_areas"] == "A1;A2"
    assert by.loc["V1", "overlap_share"] == pytest.approx(0.75)
    # V2 only touches A3 along an edge: no overlap
    assert not by.loc["V2", "overlapped"]
    assert by.loc["V3", "overlap_share"] == pytest.approx(0.01)
    assert not by.loc["V4", "overlapped"]
    assert rep.summary == {
        "violent_tgps": 4,
        "violent_overlapped": 2,
        "asb_areas": 4,
        "asb_overlapping": 3,
        "min_share": 0.0,
    }
    # a least share drops the sliver
    assert asb_overlap(a, v, min_share=0.05).summary["violent_overlapped"] == 1
    assert "ASB areas overlap 2 of 4 violent-crime TGPs" in rep.text()
    # the same count as the coverage report's on one combined layer
    both = gpd.GeoDataFrame(
        {"kind": ["violent"] * 4 + ["asb"] * 4},
        geometry=list(v.geometry) + list(a.geometry),
        crs=BNG,
    )
    assert asb_overlapping_violent(both) == 2


def test_only_violent_rows_and_crs_required():
    X, Y = 400_000, 280_000
    sq = (X, Y, X + 100, Y + 100)
    v = _layer([sq, sq], ["V1", "X1"], ["violent", "asb"])
    a = _layer([(X + 50, Y + 50, X + 60, Y + 60)], ["A1"]).to_crs(4326)  # back to BNG inside
    rep = asb_overlap(a, v)
    assert rep.by_tgp["tgp_id"].tolist() == ["V1"]
    assert rep.summary["violent_overlapped"] == 1
    assert rep.by_tgp["overlap_share"].iloc[0] == pytest.approx(0.01, rel=1e-3)
    with pytest.raises(PlannerError, match="CRS"):
        asb_overlap(gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)]), v)

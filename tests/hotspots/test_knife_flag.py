"""Knife crime from a force extract's knife flag when it has one (the proxy only when not)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from planner.harm import HarmTable
from planner.hotspots.coverage import coverage_report, knife_source
from planner.io.crime import ColumnMapping, load_crimes
from planner.schema import make_crimes

CSV = """URN,When,Offence,E,N,Knife
1,2025-01-03 21:10,Robbery,400100,280100,Y
2,2025-01-04 22:00,Robbery,400150,280100,N
3,2025-01-05 01:00,Violence and sexual offences,405000,285000,yes
4,2025-01-05 02:00,Violence and sexual offences,405000,285000,
5,2025-01-06 03:00,Possession of weapons,405100,285000,maybe
"""


def _mapping(knife=True):
    cols = {"crime_id": "URN", "occurred_at": "When", "crime_type": "Offence", "x": "E", "y": "N"}
    if knife:
        cols["knife_flag"] = "Knife"
    return ColumnMapping(columns=cols, coords="bng")


def test_knife_flag_sets_the_weight_and_bad_values_are_rejected(tmp_path):
    p = tmp_path / "extract.csv"
    p.write_text(CSV)
    res = load_crimes(p, mapping=_mapping())
    assert (res.read, res.accepted, res.rejected) == (5, 4, 1)
    rej = res.rejects.iloc[0]
    assert rej["reason"] == "bad knife flag" and rej["field"] == "Knife" and rej["value"] == "maybe"
    c = res.crimes.sort_values("crime_id")
    assert c["knife_weight"].tolist() == [1.0, 0.0, 1.0, 0.0]
    assert knife_source(c) == "flag"
    # without the flag the proxy applies, and is said to
    res2 = load_crimes(p, mapping=_mapping(knife=False))
    c2 = res2.crimes.sort_values("crime_id")
    proxy = HarmTable.default().knife_for(c2["crime_type"])
    assert np.allclose(c2["knife_weight"].to_numpy(), proxy)
    assert knife_source(c2) == "proxy"


def test_coverage_says_where_the_knife_share_comes_from(tmp_path):
    p = tmp_path / "extract.csv"
    p.write_text(CSV)
    c = load_crimes(p, mapping=_mapping()).crimes
    poly = shapely.box(399_000, 279_000, 407_000, 287_000)
    tg = __import__("geopandas").GeoDataFrame(
        {"tgp_id": ["T1"]}, geometry=[shapely.box(400_000, 280_000, 400_200, 280_200)], crs=27700
    )
    s = coverage_report(tg, c, poly).summary
    # knife flags: URN 1 (inside) and 3 (outside): half the knife crime in the TGP
    assert s["knife_share"] == pytest.approx(0.5)
    assert s["knife_source"] == "flag" and "knife flag of the force extract" in s["knife_note"]
    proxy = make_crimes([400_100.0], [280_100.0], ["Robbery"], month="2025-01")
    sp = coverage_report(tg, proxy, poly).summary
    assert sp["knife_source"] == "proxy" and "proxy" in sp["knife_note"]

"""TGP derivation on constructed clusters: eligibility, spacing, drivers, labels, budget, IDs."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.crs import BNG
from planner.errors import PlannerError
from planner.hotspots.config import TGPConfig
from planner.hotspots.coverage import coverage_report
from planner.hotspots.tgps import TGP_COLUMNS, assign_ids, derive_tgps, read_tgps
from planner.schema import make_crimes

CFG = TGPConfig(n_total=6, n_violent=4)


@pytest.fixture
def scene(hs, rng):
    X0, Y0, M = hs.X0, hs.Y0, hs.MONTHS_24
    parts = [
        hs.cluster(rng, X0 + 2000, Y0 + 2000, 200, "Robbery", M),  # V1: 100 a year, robbery
        hs.cluster(
            rng, X0 + 2350, Y0 + 2000, 120, "Violence and sexual offences", M
        ),  # V2: 350 m from V1
        hs.cluster(
            rng, X0 + 7000, Y0 + 7000, 140, "Violence and sexual offences", M
        ),  # V3: 70 a year
        hs.cluster(
            rng, X0 + 7000, Y0 + 2000, 800, "Violence and sexual offences", M
        ),  # V4: 400 a year, too busy
        hs.cluster(
            rng, X0 + 2000, Y0 + 7000, 30, "Violence and sexual offences", M
        ),  # V5: 15 a year, too few
        hs.cluster(rng, X0 + 4000, Y0 + 4900, 100, "Possession of weapons", M),  # V6: knife proxy
        hs.cluster(rng, X0 + 7000, Y0 + 7100, 120, "Anti-social behaviour", M),  # A1: overlaps V3
        hs.cluster(rng, X0 + 5000, Y0 + 9000, 100, "Anti-social behaviour", M),  # A2
        hs.cluster(rng, X0 + 9000, Y0 + 500, 300, "Burglary", M),  # not a TGP type
    ]
    n = 2000  # sparse background violence
    bg = make_crimes(
        X0 + rng.uniform(0, 10_000, n),
        Y0 + rng.uniform(0, 10_000, n),
        ["Violence and sexual offences"] * n,
        month=[M[i % 24] for i in range(n)],
    )
    crimes = pd.concat([*parts, bg], ignore_index=True)
    return crimes, hs.square_force(), hs.two_lpa_geography()


def _near(tg, x, y, tol=110.0):
    # any centre within 110 m of a 40 m cluster holds the whole cluster in its 150 m disc;
    # background crimes decide between such ties
    d = np.hypot(tg["centre_x"] - x, tg["centre_y"] - y)
    return tg.loc[d < tol]


def test_derivation_picks_the_eligible_clusters(scene, hs):
    crimes, force, geo = scene
    res = derive_tgps(crimes, force, geo, CFG)
    tg = res.tgps
    assert list(tg.columns) == [*TGP_COLUMNS, "geometry"]
    assert tg.crs.to_epsg() == 27700
    assert (
        res.summary["n_violent"] == 4
        and res.summary["n_asb"] == 2
        and res.summary["shortfall"] == []
    )
    X0, Y0 = hs.X0, hs.Y0
    v1, v3, v6 = (
        _near(tg, X0 + 2000, Y0 + 2000),
        _near(tg, X0 + 7000, Y0 + 7000),
        _near(tg, X0 + 4000, Y0 + 4900),
    )
    a1, a2 = _near(tg, X0 + 7000, Y0 + 7100), _near(tg, X0 + 5000, Y0 + 9000)
    assert len(v1) == len(v6) == len(a2) == 1
    # V2 is 350 m from V1: its area is shifted away so that the centres stay 500 m apart
    v2 = _near(tg, X0 + 2350, Y0 + 2000, 160)
    assert len(v2) == 1
    assert (
        np.hypot(
            v2["centre_x"].iloc[0] - v1["centre_x"].iloc[0],
            v2["centre_y"].iloc[0] - v1["centre_y"].iloc[0],
        )
        >= 500
    )
    assert v1["driver"].iloc[0] == "robbery" and v1["kind"].iloc[0] == "violent"
    assert v6["driver"].iloc[0] == "knife"
    assert a2["driver"].iloc[0] == "asb" and a2["kind"].iloc[0] == "asb"
    # V3 and A1 are 100 m apart: one violent and one ASB area there
    both = pd.concat([v3, a1]).drop_duplicates("tgp_id")
    assert sorted(both["kind"]) == ["asb", "violent"]
    assert both.loc[both["kind"] == "violent", "driver"].iloc[0] == "violence"
    # the too-busy (V4), too-small (V5) and burglary clusters get nothing
    for x, y in ((7000, 2000), (2000, 7000), (9000, 500)):
        assert _near(tg, X0 + x, Y0 + y, 150).empty
    # exact counts in the polygons: V1 holds its 200 robberies plus any background inside
    inside = shapely.contains_xy(v1.geometry.iloc[0], crimes.geometry.x, crimes.geometry.y)
    viol = crimes["crime_type"].isin(CFG.violent_types).to_numpy()
    assert v1["crimes"].iloc[0] == int((inside & viol).sum()) >= 200
    assert v1["harm"].iloc[0] == pytest.approx(crimes.loc[inside & viol, "harm"].sum())
    assert v1["crimes_per_year"].iloc[0] == pytest.approx(v1["crimes"].iloc[0] / 2)
    # polygons: 250 m discs (16 segments per quarter)
    assert tg["area_m2"].iloc[0] == pytest.approx(
        shapely.Point(0, 0).buffer(250, quad_segs=16).area
    )
    # labels from the geography: LPA by largest overlap, wards largest first
    assert v1["lpa"].iloc[0] == "West" and v1["wards"].iloc[0] == "W1"
    assert v6["lpa"].iloc[0] == "West" and v6["wards"].iloc[0] == "W1;W2"
    assert set(a2["wards"].iloc[0].split(";")) <= {"W2", "E2"}  # on the LPA boundary
    # IDs: violent first by rank, then ASB
    assert tg["tgp_id"].tolist() == [f"TGP-{k:03d}" for k in range(1, 7)]
    assert tg["kind"].tolist() == ["violent"] * 4 + ["asb"] * 2
    # centres of one kind at least 500 m apart
    for _, g in tg.groupby("kind"):
        xy = g[["centre_x", "centre_y"]].to_numpy()
        d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        assert d[np.triu_indices(len(g), 1)].min() >= 500
    cov = coverage_report(tg, crimes, force, geo)
    assert cov.summary["asb_overlapping_violent"] == 1


def test_area_budget_limits_the_count(scene):
    crimes, force, geo = scene
    one = shapely.Point(0, 0).buffer(250, quad_segs=16).area
    cfg = dataclasses.replace(CFG, area_share=2.5 * one / force.area)
    res = derive_tgps(crimes, force, geo, cfg)
    # two violent discs fit; the third would exceed the budget; the ASB area beside V3
    # overlaps it, so it adds less than a disc and still fits; the second ASB area does not
    assert res.tgps["kind"].tolist() == ["violent", "violent", "asb"]
    assert res.summary["area_share"] <= cfg.area_share
    assert res.summary["area_m2"] == pytest.approx(
        shapely.union_all(res.tgps.geometry.to_numpy()).area
    )
    assert res.summary["stopped"].startswith("area budget")
    assert res.summary["shortfall"] == ["violent: 2 of 4", "asb: 1 of 2"]


def test_thresholds_are_configurable(scene, hs):
    crimes, force, geo = scene
    cfg = dataclasses.replace(CFG, max_per_year=1000.0, n_violent=5, n_total=5)
    tg = derive_tgps(crimes, force, geo, cfg).tgps
    assert len(_near(tg, hs.X0 + 7000, hs.Y0 + 2000)) == 1  # V4 now eligible
    with pytest.raises(PlannerError, match="exceeds"):
        derive_tgps(crimes, force, geo, dataclasses.replace(CFG, n_violent=9))


def test_ids_are_stable_across_refreshes(scene, hs, rng):
    crimes, force, geo = scene
    first = derive_tgps(crimes, force, geo, CFG).tgps
    prev = first.assign(tgp_id=[f"TGP-{k:03d}" for k in range(11, 17)])
    # refresh: V6 disappears, a new violent cluster appears elsewhere
    keep = ~crimes["crime_type"].eq("Possession of weapons").to_numpy()
    new = hs.cluster(
        rng, hs.X0 + 8500, hs.Y0 + 4500, 150, "Violence and sexual offences", hs.MONTHS_24
    )
    crimes2 = pd.concat([crimes.loc[keep], new], ignore_index=True)
    res = derive_tgps(crimes2, force, geo, CFG, previous=prev)
    tg = res.tgps
    assert res.summary["ids_kept_from_previous"] == 5
    old_ids = dict(zip(zip(prev["centre_x"], prev["centre_y"]), prev["tgp_id"]))
    for r in tg.itertuples():
        if (r.centre_x, r.centre_y) in old_ids:
            assert r.tgp_id == old_ids[(r.centre_x, r.centre_y)]
    newcomer = _near(tg, hs.X0 + 8500, hs.Y0 + 4500)
    assert newcomer["tgp_id"].tolist() == ["TGP-017"]


def test_assign_ids_by_overlap():
    p = [shapely.Point(x, 0).buffer(100) for x in (0, 1000, 2000)]
    prev = gpd.GeoDataFrame({"tgp_id": ["A-7", "A-8", "A-9"]}, geometry=p, crs=BNG)
    new = gpd.GeoDataFrame(
        geometry=[shapely.Point(x, 0).buffer(100) for x in (1030, 5000, 10)], crs=BNG
    )
    ids, kept = assign_ids(new, prev, TGPConfig())
    assert ids.tolist() == ["A-8", "TGP-010", "A-7"] and kept == 2
    # too little overlap (intersection / smaller area below 0.25) is a new area
    far = gpd.GeoDataFrame(geometry=[shapely.Point(180, 0).buffer(100)], crs=BNG)
    assert assign_ids(far, prev, TGPConfig())[0].tolist() == ["TGP-010"]
    with pytest.raises(PlannerError, match="tgp_id"):
        assign_ids(new, prev.rename(columns={"tgp_id": "id"}), TGPConfig())


def test_read_tgps_requires_tgp_id(tmp_path):
    g = gpd.GeoDataFrame(
        {"name": ["x"], "driver": ["asb"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=BNG
    )
    g.to_file(tmp_path / "bad.gpkg")
    with pytest.raises(PlannerError, match="tgp_id"):
        read_tgps(tmp_path / "bad.gpkg")
    g.assign(tgp_id=["T1"]).to_crs(4326).to_file(tmp_path / "ok.gpkg")
    r = read_tgps(tmp_path / "ok.gpkg")
    assert r.crs.to_epsg() == 27700 and r["kind"].tolist() == ["asb"]


def test_labels_with_partial_geography(hs):
    from types import SimpleNamespace

    from planner.hotspots.tgps import label_areas

    geo = hs.two_lpa_geography()
    areas = gpd.GeoDataFrame(
        geometry=[shapely.Point(hs.X0 + 1000, hs.Y0 + 4950).buffer(250)], crs=BNG
    )
    lpa, wards = label_areas(areas, SimpleNamespace(lpas=None, wards=geo.wards))
    assert lpa.tolist() == [""] and wards.tolist() == ["W1;W2"]
    lpa, wards = label_areas(areas, SimpleNamespace(lpas=geo.lpas, wards=None))
    assert lpa.tolist() == ["West"] and wards.tolist() == [""]
    assert label_areas(areas, None)[0].tolist() == [""]

"""Force hierarchy by largest overlap; lookups both ways; layer reading and repair."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

from planner.errors import InputError, PlannerError
from planner.geography import ForceGeography, largest_overlap
from planner.io.boundaries import read_layer, study_area


def _layers():
    force = gpd.GeoDataFrame({"force": ["F"]}, geometry=[box(0, 0, 4000, 2000)], crs=27700)
    lpas = gpd.GeoDataFrame(
        {"lpa_code": ["E1", "E2"], "lpa": ["West", "East"]},
        geometry=[box(0, 0, 2000, 2000), box(2000, 0, 4000, 2000)],
        crs=27700,
    )
    # ward W3 straddles the LPA edge: 1,200 m in East, 800 m in West -> East
    wards = gpd.GeoDataFrame(
        {
            "ward_code": ["W1", "W2", "W3", "W4"],
            "ward": ["a", "b", "c", "d"],
            "population": [100, 200, 300, 400],
        },
        geometry=[
            box(0, 0, 1200, 1000),
            box(0, 1000, 1200, 2000),
            box(1200, 0, 3200, 2000),
            box(3200, 0, 4000, 2000),
        ],
        crs=27700,
    )
    return force, lpas, wards


def test_largest_overlap_assigns_straddling_ward():
    _, lpas, wards = _layers()
    s = largest_overlap(wards, lpas, "ward_code", "lpa")
    assert s.to_dict() == {"W1": "West", "W2": "West", "W3": "East", "W4": "East"}


def test_hierarchy_and_lookups_both_ways():
    force, lpas, wards = _layers()
    nbh = gpd.GeoDataFrame(
        {"nbh_code": ["N1", "N2"], "neighbourhood": ["North-west", "Rest"]},
        geometry=[box(0, 0, 1200, 2000), box(1200, 0, 4000, 2000)],
        crs=27700,
    )
    g = ForceGeography.build(force, lpas, wards, neighbourhoods=nbh)
    assert g.wards_of(lpa="West") == ["W1", "W2"]
    assert g.wards_of(lpa="East") == ["W3", "W4"]
    assert g.wards_of(neighbourhood="N1") == ["W1", "W2"]
    assert g.parents_of_ward("W3") == {
        "ward": "c",
        "nbh_code": "N2",
        "neighbourhood": "Rest",
        "lpa": "East",
    }
    h = g.hierarchy().set_index("ward_code")
    assert h.loc["W4", "lpa_code"] == "E2"
    assert g.area_km2 == pytest.approx(8.0)
    pts = gpd.GeoSeries.from_xy([100, 3900, 5000], [1500, 100, 100], crs=27700)
    a = g.assign(pts)
    assert a["ward_code"].tolist()[:2] == ["W2", "W4"]
    assert a["lpa"].tolist()[:2] == ["West", "East"]
    assert a["ward_code"].isna().tolist() == [False, False, True]
    with pytest.raises(PlannerError, match="unknown LPA 'Nowhere'; choose one of East, West"):
        g.wards_of(lpa="Nowhere")


def test_default_neighbourhood_grouping_is_deterministic():
    force, lpas, wards = _layers()
    a = ForceGeography.build(force, lpas, wards, wards_per_team=1)
    b = ForceGeography.build(force, lpas, wards, wards_per_team=1)
    assert a.wards["nbh_code"].tolist() == b.wards["nbh_code"].tolist()
    assert a.wards.groupby("lpa")["nbh_code"].nunique().to_dict() == {"East": 2, "West": 2}
    # every neighbourhood lies in one LPA
    assert a.neighbourhoods.groupby("nbh_code")["lpa"].nunique().max() == 1


@pytest.mark.parametrize("ext", ["geojson", "gpkg", "shp", "parquet"])
def test_read_layer_formats_reproject_and_repair(tmp_path, ext):
    bowtie = Polygon(
        [(-1.9, 52.4), (-1.8, 52.5), (-1.8, 52.4), (-1.9, 52.5), (-1.9, 52.4)]
    )  # self-intersecting
    gdf = gpd.GeoDataFrame(
        {"name": ["ok", "bowtie"]}, geometry=[box(-1.9, 52.4, -1.89, 52.41), bowtie], crs=4326
    )
    path = tmp_path / f"layer.{ext}"
    if ext == "parquet":
        gdf.to_parquet(path)
    else:
        gdf.to_file(path)
    out, rep = read_layer(path)
    assert out.crs.to_epsg() == 27700
    assert out.geometry.is_valid.all()
    assert rep.repaired == [2]
    assert "1 invalid geometry repaired (rows 2)" in rep.message()
    assert out.geom_type.isin(["Polygon", "MultiPolygon"]).all()


def test_read_layer_errors(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("x")
    with pytest.raises(InputError, match="unsupported layer format"):
        read_layer(p)
    g = gpd.GeoDataFrame({"a": [1]}, geometry=[box(0, 0, 1, 1)])
    p = tmp_path / "nocrs.shp"  # a shapefile without .prj has no CRS
    with pytest.warns(UserWarning, match="crs"):
        g.to_file(p)
    with pytest.raises(InputError, match="declares no CRS"):
        read_layer(p)
    out, _ = read_layer(p, assume_crs="EPSG:27700")
    assert out.crs.to_epsg() == 27700
    assert (
        study_area(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=27700)).area
        == 2
    )


def test_wm_geography_from_bundled_layers():
    from planner.demo.boundaries import load_wm_geography

    g = load_wm_geography()
    assert len(g.lpas) == 7 and len(g.wards) == 192 and len(g.lsoas) == 1_719
    assert g.wards.groupby("lpa").size().to_dict() == {
        "Birmingham": 69,
        "Coventry": 18,
        "Dudley": 24,
        "Sandwell": 24,
        "Solihull": 17,
        "Walsall": 20,
        "Wolverhampton": 20,
    }
    assert int(g.wards["population"].sum()) == 2_919_662
    assert g.area_km2 == pytest.approx(901.7, abs=0.1)
    assert g.lsoas["ward_code"].notna().all()
    # every neighbourhood team sits in exactly one LPA and every ward has one
    assert g.wards["nbh_code"].notna().all()
    assert g.neighbourhoods.groupby("nbh_code")["lpa"].nunique().max() == 1

"""TGP labels: id and main street (the mode of the police.uk locations inside each TGP)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from planner.errors import PlannerError
from planner.hotspots.labels import main_streets, street_name


def test_street_name():
    assert street_name("On or near Gorse Road") == "Gorse Road"
    assert street_name("on or near  High   Street ") == "High Street"
    assert street_name("Bull Ring") == "Bull Ring"
    assert street_name("On or near Supermarket") is None
    assert street_name("No Location") is None
    assert street_name(None) is None and street_name(pd.NA) is None
    assert street_name(float("nan")) is None


def _crimes(rows, crs=27700):
    return gpd.GeoDataFrame(
        {"location": pd.array([r[2] for r in rows], dtype="string")},
        geometry=[Point(r[0], r[1]) for r in rows],
        crs=crs,
    )


def test_main_streets_mode_ties_overlap_and_empty():
    tgps = gpd.GeoDataFrame(
        {"tgp_id": ["TGP-001", "TGP-002", "TGP-003", "TGP-004"]},
        geometry=[box(0, 0, 100, 100), box(50, 0, 150, 100), box(500, 500, 600, 600),
                  box(900, 900, 950, 950)],
        crs=27700,
    )  # fmt: skip
    rows = [
        (10, 10, "On or near A Road"),
        (20, 10, "On or near A Road"),
        (30, 10, "On or near B Street"),
        (60, 10, "On or near B Street"),  # in TGP-001 and TGP-002
        (70, 10, "On or near C Lane"),  # in both
        (120, 10, "On or near C Lane"),  # TGP-002 only
        (130, 10, "On or near Supermarket"),  # TGP-002, names no street
        (550, 550, "On or near Z Way"),
        (560, 550, "On or near Y Way"),  # tie 1-1 in TGP-003: alphabetical, Y Way
        (920, 920, "On or near Petrol Station"),  # TGP-004: crimes but no street
        (5000, 5000, "On or near Far Road"),  # outside every TGP
    ]
    got = main_streets(tgps, _crimes(rows))
    # brute force: count per TGP by hand
    assert got.to_dict("list") == {
        "tgp_id": ["TGP-001", "TGP-002", "TGP-003", "TGP-004"],
        "main_street": ["A Road", "C Lane", "Y Way", None],
        "street_crimes": [2, 2, 1, 0],
        "crimes": [5, 4, 2, 1],
        "label": ["TGP-001 A Road", "TGP-002 C Lane", "TGP-003 Y Way", "TGP-004"],
    }


def test_main_streets_reprojects_the_crimes():
    x, y = 400000, 280000  # Birmingham
    tgps = gpd.GeoDataFrame({"tgp_id": ["T1"]}, geometry=[box(x, y, x + 100, y + 100)], crs=27700)
    c = _crimes([(x + 50, y + 50, "On or near Q Road"), (x + 60, y + 50, "On or near Q Road")])
    c = c.to_crs(4326)
    got = main_streets(tgps, c)
    assert got.loc[0, "main_street"] == "Q Road" and got.loc[0, "crimes"] == 2


def test_main_streets_refuses_missing_columns():
    tgps = gpd.GeoDataFrame({"tgp_id": ["T1"]}, geometry=[box(0, 0, 1, 1)], crs=27700)
    with pytest.raises(PlannerError, match="location"):
        main_streets(tgps, _crimes([(0.5, 0.5, "x")]).drop(columns="location"))
    with pytest.raises(PlannerError, match="tgp_id"):
        main_streets(tgps.rename(columns={"tgp_id": "id"}), _crimes([(0.5, 0.5, "x")]))


def test_main_streets_on_the_real_month():
    """The real police.uk month bundled in geodata: every label is a street named inside."""
    from planner.paths import GEODATA

    path = GEODATA / "crime" / "policeuk_api_2018-06_wm_area.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} not present")
    from planner.io.crime_table import read_crime_table

    crimes = read_crime_table([path], gpd.read_parquet(GEODATA / "force_area.parquet")).crimes
    crimes = crimes[crimes["location"].notna()].to_crs(27700)
    # three discs around the most frequent location points of the month
    top = crimes.geometry.apply(lambda p: (round(p.x), round(p.y))).value_counts().index[:3]
    tgps = gpd.GeoDataFrame(
        {"tgp_id": [f"T{i}" for i in range(3)]},
        geometry=[Point(x, y).buffer(150) for x, y in top],
        crs=27700,
    )
    got = main_streets(tgps, crimes)
    assert got["main_street"].notna().sum() >= 2, got
    for i, g in enumerate(tgps.geometry):
        inside = crimes[crimes.within(g)]
        streets = inside["location"].map(street_name).dropna()
        c = streets.value_counts()
        best = sorted(c.index[c == c.max()])[0] if len(c) else None
        assert got.loc[i, "main_street"] == best
        assert got.loc[i, "crimes"] == len(inside)


def test_labels_cache_round_trip_stamp_and_bad_files(tmp_path):
    import json

    from planner.hotspots.labels import labels_stamp, load_labels, save_labels

    labels = pd.DataFrame(
        {
            "tgp_id": ["TGP-001", "TGP-002"],
            "main_street": pd.Series(["St James' Lane", None], dtype=object),
            "street_crimes": pd.Series([3, 0], dtype="int64"),
            "crimes": pd.Series([5, 7], dtype="int64"),
            "label": ["TGP-001 St James' Lane", "TGP-002"],
        }
    )
    stamp = labels_stamp("crimes.parquet:10:20", "2025-01", "2025-12")
    assert stamp != labels_stamp("crimes.parquet:10:21", "2025-01", "2025-12")
    path = tmp_path / "cache" / "street_labels.json"
    save_labels(path, stamp, labels)
    got = load_labels(path, stamp)
    pd.testing.assert_frame_equal(got, labels)
    assert got.loc[1, "main_street"] is None
    assert load_labels(path, stamp + "x") is None  # made for other input
    assert load_labels(tmp_path / "missing.json", stamp) is None
    path.write_text("[1, 2")
    assert load_labels(path, stamp) is None
    path.write_text(json.dumps({"stamp": stamp, "columns": ["tgp_id"], "rows": [["T"]]}))
    assert load_labels(path, stamp) is None  # another layout
    assert list(tmp_path.joinpath("cache").iterdir()) == [path]  # no temporary file left


def test_street_points_from_codes_match_the_frame_path():
    from planner.hotspots.labels import StreetPoints, main_streets_at

    tgps = gpd.GeoDataFrame({"tgp_id": ["T1"]}, geometry=[box(0, 0, 10, 10)], crs=27700)
    places = ["On or near B Road", "On or near A Road", "On or near  A  Road", "Supermarket"]
    codes = [0, 1, 2, 3, -1, 0]  # A Road twice (two spellings), B Road twice
    x = [1, 2, 3, 4, 5, 6]
    pts = StreetPoints.from_codes(x, x, codes, places, "EPSG:27700")
    assert pts.streets == ("A Road", "B Road")
    assert pts.code.tolist() == [1, 0, 0, -1, -1, 1]
    got = main_streets_at(tgps, pts)
    assert got.to_dict("list") == {
        "tgp_id": ["T1"],
        "main_street": ["A Road"],  # 2-2 tie: alphabetical
        "street_crimes": [2],
        "crimes": [6],
        "label": ["T1 A Road"],
    }
    frame = _crimes([(xi, xi, places[c] if c >= 0 else None) for xi, c in zip(x, codes)])
    pd.testing.assert_frame_equal(main_streets(tgps, frame), got)

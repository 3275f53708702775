"""planner.io.crime_table.read_crime_table on GeoParquet input, against brute force."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.errors import PlannerError
from planner.io.crime_table import read_crime_table
from planner.schema import make_crimes


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(5)
    paths = []
    for k in range(2):
        x = rng.uniform(400_000, 401_000, 50)
        y = rng.uniform(280_000, 281_000, 50)
        c = make_crimes(x, y, np.array(["Robbery", "Burglary"])[np.arange(50) % 2], month="2025-10")
        p = tmp_path / f"c{k}.parquet"
        c.to_parquet(p)
        paths.append(p)
    box = gpd.GeoDataFrame(geometry=[shapely.box(400_000, 280_000, 400_500, 281_000)], crs=27700)
    return paths, box


def test_parquet_rows_inside_the_area(files):
    paths, box = files
    t = read_crime_table(paths, box, ["crime_type", "month", "geometry"])
    both = gpd.pd.concat([gpd.read_parquet(p) for p in paths], ignore_index=True)
    inside = [box.geometry.iloc[0].contains(g) for g in both.geometry]
    assert t.summary == {
        "read": 100,
        "accepted": int(sum(inside)),
        "rejected": 100 - int(sum(inside)),
        "files": 2,
    }
    assert 0 < t.summary["accepted"] < 100
    assert list(t.crimes.columns) == ["crime_type", "month", "geometry"]
    assert (
        t.crimes["crime_type"].astype(str).tolist()
        == both.loc[inside, "crime_type"].astype(str).tolist()
    )
    # a folder reads the same files
    t2 = read_crime_table([paths[0].parent], box, ["crime_type", "month", "geometry"])
    assert t2.summary == t.summary


def test_errors_are_one_line(files, tmp_path):
    paths, box = files
    with pytest.raises(PlannerError, match="no such file or folder"):
        read_crime_table([tmp_path / "nope.parquet"], box)
    with pytest.raises(PlannerError, match=r"lacks column\(s\) no_such"):
        read_crime_table(paths, box, ["geometry", "no_such"])
    far = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10)], crs=27700)
    with pytest.raises(PlannerError, match="no crimes inside the boundary"):
        read_crime_table(paths, far, ["crime_type", "geometry"])

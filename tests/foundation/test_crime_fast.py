"""The Arrow fast path of the crime loader and the streamed `planner load` give exactly what
the pandas path (the reference) gives: the same accepted rows, rejects, reasons and counts."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.io.area import AreaTest
from planner.io.crime import load_crimes
from planner.io.crime_stream import load_to_parquet
from planner.paths import GEODATA

DATA = Path(__file__).resolve().parents[1] / "data" / "crime"
FORCE = GEODATA / "force_area.parquet"
KEY = ["source_file", "source_row"]


def _same(files, boundary, tmp_path, expect_fast: bool = True):
    fast = load_crimes(files, boundary=boundary)
    ref = load_crimes(files, boundary=boundary, engine="pandas")
    pd.testing.assert_frame_equal(fast.crimes, ref.crimes)
    pd.testing.assert_frame_equal(fast.rejects, ref.rejects)
    assert fast.summary() == ref.summary()
    out = tmp_path / "c.parquet"
    s = load_to_parquet(files, out, boundary=boundary)
    assert {k: v for k, v in s.summary().items() if k != "rejects_file"} == {
        k: v for k, v in ref.summary().items() if k != "rejects_file"
    }
    got = gpd.read_parquet(out)
    assert got.crs.to_epsg() == 27700
    pd.testing.assert_frame_equal(
        got.sort_values(KEY).reset_index(drop=True),
        ref.crimes.sort_values(KEY).reset_index(drop=True),
    )
    rej = pd.read_csv(s.rejects_file, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(rej, ref.rejects.astype(str))
    return ref


def test_street_file_with_every_reason_same_as_reference(tmp_path):
    ref = _same(DATA / "2025-01-test-street.csv", gpd.read_parquet(FORCE), tmp_path)
    assert ref.rejected > 0 and ref.accepted > 0


def test_2011_file_same_as_reference(tmp_path):
    _same(DATA / "2011-02-test-street.csv", gpd.read_parquet(FORCE), tmp_path)


def test_whole_test_corpus_folder_same_as_reference(tmp_path):
    # street, 2011 and API files, through the fast path or (JSON) the pandas path
    files = [
        DATA / "2025-01-test-street.csv",
        DATA / "2011-02-test-street.csv",
        DATA / "api_sample.json",
    ]
    _same(files, gpd.read_parquet(FORCE), tmp_path)


def test_every_check_on_a_built_file(tmp_path):
    """One row per rejection reason plus odd-but-valid values, gzip-compressed."""
    head = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
    rows = [
        "a1,2025-01,P,P,-1.8904,52.4862,On or near X,E01,n,Burglary,,",  # accepted
        "a2,2025-13,P,P,-1.8904,52.4862,On or near X,E01,n,Burglary,,",  # bad month
        "a3,2025-01,P,P,,52.4862,On or near X,E01,n,Burglary,,",  # missing coordinates
        "a4,2025-01,P,P,abc,52.4862,On or near X,E01,n,Burglary,,",  # unparseable number
        "a5,2025-01,P,P,-1.89,1e3,On or near X,E01,n,Burglary,,",  # out of range
        "a6,2025-01,P,P,-1.8904,52.4862,On or near X,E01,n,Teleportation,,",  # unknown type
        "a7,2025-01,P,P,-0.1276,51.5072,On or near Y,E01,n,Drugs,,",  # outside force area
        '"a8", 2025-01 ,P,P, -1.8904 ,+52.4862,"On, or near Z",,n, burglary ,,',  # stripped, ok
        "a9,2025-01,P,P,-1.8904,52.4862,On or near X,E01,n,Drugs,,",  # same point again
    ]
    f = tmp_path / "2025-01-x-street.csv.gz"
    f.write_bytes(gzip.compress(("\ufeff" + head + "\n" + "\n".join(rows) + "\n").encode()))
    ref = _same(f, gpd.read_parquet(FORCE), tmp_path)
    assert ref.by_reason == {
        "bad month": 1,
        "missing coordinates": 1,
        "unparseable number": 1,
        "coordinates out of range": 1,
        "unknown crime type": 1,
        "outside force area": 1,
    }
    assert ref.crimes["crime_id"].tolist() == ["a1", "a8", "a9"]


def test_malformed_file_falls_back_to_the_reference_path(tmp_path):
    src = (DATA / "2025-01-test-street.csv").read_text().splitlines()
    src.insert(3, "only,three,fields")
    f = tmp_path / "bad-street.csv"
    f.write_text("\n".join(src) + "\n")
    ref = _same(f, None, tmp_path)
    assert ref.by_reason.get("malformed row") == 2  # the corpus file has one already


def test_real_leicestershire_series_same_as_reference(shared_data, tmp_path):
    folder = shared_data / "crime" / "leicestershire"
    lsoa = shared_data / "boundaries" / "leicestershire" / "lsoa_2011_leicestershire.geojson"
    files = sorted(folder.glob("*.csv.gz"))[:6]
    ref = _same(files, lsoa, tmp_path)
    assert ref.read == ref.accepted + ref.rejected


def test_real_api_and_2011_months_same_as_reference(shared_data, tmp_path):
    force = shared_data / "boundaries" / "wmp_force_area.gpkg"
    _same(shared_data / "crime" / "policeuk_api_2018-06_wm_area.csv.gz", force, tmp_path)
    _same(shared_data / "crime" / "2011-02-west-midlands-street.csv.gz", force, tmp_path)


def test_area_test_equals_contains_on_the_dissolved_layer():
    # two squares sharing an edge, one far away: points inside, outside, on shared and outer edges
    polys = np.array(
        [shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10), shapely.box(100, 100, 101, 101)]
    )
    rng = np.random.default_rng(3)
    x = np.r_[rng.uniform(-5, 110, 2000), 10.0, 10.0, 0.0, 20.0, 5.0, 100.5]
    y = np.r_[rng.uniform(-5, 110, 2000), 5.0, 0.0, 5.0, 5.0, 10.0, 100.5]
    got = AreaTest(polys).contains_xy(x, y)
    want = shapely.contains_xy(shapely.union_all(polys), x, y)
    np.testing.assert_array_equal(got, want)
    assert got[-6] and not got[-5] and not got[-4] and not got[-2] and got[-1]


def test_planner_load_cli_streams_with_the_same_counts(tmp_path):
    out = tmp_path / "o.parquet"
    cmd = [sys.executable, "-m", "planner", "load", str(DATA / "2025-01-test-street.csv")]
    cmd += ["--boundary", str(FORCE), "--out", str(out), "--json"]
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    s = json.loads(p.stdout)
    ref = load_crimes(DATA / "2025-01-test-street.csv", boundary=gpd.read_parquet(FORCE))
    assert (s["read"], s["accepted"], s["rejected"]) == (ref.read, ref.accepted, ref.rejected)
    assert s["by_reason"] == ref.by_reason
    assert len(gpd.read_parquet(out)) == ref.accepted

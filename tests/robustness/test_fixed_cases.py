"""Issue 17: each traceback and silent wrong answer listed, now a reject or a one-line refusal."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon, box

from planner.cli import main
from planner.errors import InputError
from planner.io.boundaries import read_layer, read_study_area
from planner.io.crime import ColumnMapping, load_crimes
from planner.io.limits import LoadLimits

TODAY = date(2026, 1, 15)
HEADER = "Crime ID,Month,Longitude,Latitude,Location,LSOA code,Crime type"
#: a point in Birmingham (lon/lat) and the BNG box around it used as a boundary
LON, LAT = -1.898111, 52.479343
AREA = box(400_000, 280_000, 415_000, 295_000)


def street(tmp_path: Path, rows: list[str], name: str = "2025-01-t-street.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join([HEADER, *rows]) + "\n")
    return p


def ok_row(i: int, month: str = "2025-01") -> str:
    return f"id{i},{month},{LON},{LAT},On or near High Street,E01000001,Burglary"


def api_rec(month: str = "2025-01", cat: str = "burglary") -> dict:
    return {
        "category": cat,
        "persistent_id": "p",
        "month": month,
        "location": {"latitude": str(LAT), "longitude": str(LON), "street": {"name": "X"}},
    }


# ---- planner load: API JSON ---------------------------------------------------------------
def test_api_json_non_object_elements_are_malformed_rows(tmp_path):
    p = tmp_path / "api.json"
    p.write_text(json.dumps([api_rec(), 1, "x", None, api_rec(), [api_rec()]]))
    res = load_crimes(p, today=TODAY)
    assert (res.read, res.accepted, res.rejected) == (6, 2, 4)
    rej = res.rejects.set_index("source_row")
    assert rej.index.tolist() == [2, 3, 4, 6]
    assert set(rej["reason"]) == {"malformed row"}
    assert rej.loc[2, "value"] == "expected a JSON object, found int"
    assert rej.loc[6, "value"] == "expected a JSON object, found list"
    assert res.crimes["source_row"].tolist() == [1, 5]


def test_api_json_nested_fields_of_the_wrong_type_reject_the_row(tmp_path):
    bad_loc = api_rec() | {"location": "here"}
    bad_month = api_rec() | {"month": {"y": 2025}}
    p = tmp_path / "api.json"
    p.write_text(json.dumps([bad_loc, bad_month, api_rec()]))
    res = load_crimes(p, today=TODAY)
    assert (res.read, res.accepted, res.rejected) == (3, 1, 2)
    assert res.rejects.set_index("source_row")["reason"].to_dict() == {
        1: "missing coordinates",
        2: "bad month",
    }


def test_deeply_nested_json_is_one_line_error(tmp_path):
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match=r"deep.json, line 1: JSON nested too deeply"):
        load_crimes(p, today=TODAY)


def test_mapping_with_an_unknown_key_names_the_key(tmp_path):
    p = tmp_path / "map.json"
    p.write_text(
        json.dumps({"columns": {"crime_type": "t", "x": "x", "y": "y", "month": "m"}, "bogus": 1})
    )
    with pytest.raises(InputError, match=r"map.json, field 'bogus': unknown mapping key"):
        ColumnMapping.from_file(p)
    p.write_text(json.dumps({"columns": {"crime_type": 3}}))
    with pytest.raises(InputError, match=r"field 'columns': must be an object of text to text"):
        ColumnMapping.from_file(p)
    p.write_text(json.dumps({"columns": {"crime_type": "t"}}))
    with pytest.raises(InputError, match=r"map.json: mapping lacks canonical column\(s\): x, y"):
        ColumnMapping.from_file(p)


# ---- planner load: CSV lines ---------------------------------------------------------------
def test_unclosed_quote_rejects_its_own_line_only(tmp_path):
    rows = [
        ok_row(1),
        'id2,2025-01,-1.9,52.4,"On or near Broken,E01,Burglary',
        ok_row(3),
        ok_row(4),
    ]
    res = load_crimes(street(tmp_path, rows), today=TODAY)
    assert (res.read, res.accepted, res.rejected) == (4, 3, 1)
    assert res.rejects["source_row"].tolist() == [3]
    assert res.rejects["reason"].tolist() == ["malformed row"]
    assert res.rejects["value"].iloc[0].startswith("unclosed quote")
    assert res.crimes["source_row"].tolist() == [2, 4, 5]


def test_source_row_is_the_physical_line(tmp_path):
    # a quoted newline inside Location and a blank line: later rows keep their line numbers
    rows = [ok_row(1), 'id2,2025-01,-1.9,52.48,"On or near\nTwo Lines",E01,Burglary', "", ok_row(3)]
    res = load_crimes(street(tmp_path, rows), today=TODAY)
    assert (res.read, res.accepted, res.rejected) == (3, 3, 0)
    assert res.crimes["source_row"].tolist() == [2, 3, 6]
    assert res.crimes["location"].tolist()[1] == "On or near\nTwo Lines"


def test_first_data_row_with_extra_fields_is_one_reject(tmp_path):
    rows = [ok_row(1) + ",extra", ok_row(2)]
    res = load_crimes(street(tmp_path, rows), today=TODAY)
    assert (res.read, res.accepted, res.rejected) == (2, 1, 1)
    assert res.rejects[["source_row", "value"]].values.tolist() == [
        [2, "expected 7 fields, found 8"]
    ]


def test_short_row_is_malformed_not_nan(tmp_path):
    rows = [ok_row(1), "id2,2025-01,-1.9", ok_row(3)]
    res = load_crimes(street(tmp_path, rows), today=TODAY)
    assert (res.read, res.accepted, res.rejected) == (3, 2, 1)
    assert res.rejects[["source_row", "value"]].values.tolist() == [
        [3, "expected 7 fields, found 3"]
    ]


# ---- impossible dates --------------------------------------------------------------------
def test_future_and_too_early_months_rejected(tmp_path):
    rows = [ok_row(1, "9999-12"), ok_row(2, "2026-02"), ok_row(3, "2026-01"), ok_row(4, "1970-01")]
    res = load_crimes(street(tmp_path, rows), today=TODAY)
    assert res.rejects.set_index("source_row")["reason"].to_dict() == {
        2: "date in the future",
        3: "date in the future",
        5: "date too early",
    }
    assert res.crimes["month"].tolist() == ["2026-01"]
    res = load_crimes(
        street(tmp_path, rows), today=TODAY, limits=LoadLimits(earliest_month="1960-01")
    )
    assert res.accepted == 2


def test_extract_dated_2099_rejected(tmp_path):
    p = tmp_path / "extract.csv"
    p.write_text(
        "URN,Committed,Offence,Easting,Northing\n"
        "U1,2099-03-01T10:00,Burglary,407000,287000\n"
        "U2,2026-01-15T23:59,Burglary,407000,287000\n"
        "U3,2026-01-16T00:00,Burglary,407000,287000\n"
    )
    mapping = ColumnMapping(
        columns={
            "crime_id": "URN",
            "occurred_at": "Committed",
            "crime_type": "Offence",
            "x": "Easting",
            "y": "Northing",
        }
    )
    res = load_crimes(p, mapping=mapping, today=TODAY)
    assert res.crimes["crime_id"].tolist() == ["U2"]
    rej = res.rejects.set_index("source_row")
    assert rej["reason"].to_dict() == {2: "date in the future", 4: "date in the future"}
    assert rej.loc[2, "field"] == "Committed"


# ---- boundaries ----------------------------------------------------------------------------
def _write_gdf(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    gdf.to_file(path, engine="pyogrio")
    return path


def test_boundary_in_the_wrong_crs_refused_by_share_outside(tmp_path):
    # degrees declared as EPSG:27700: east of Greenwich they are inside the grid's extent (a
    # sliver at its origin), so only the share of rows outside it shows the mistake
    wrong = gpd.GeoDataFrame(geometry=[box(0.1, 52.1, 0.5, 52.5)], crs=27700)
    b = _write_gdf(wrong, tmp_path / "force.gpkg")
    crimes = street(tmp_path, [ok_row(i) for i in range(5)])
    with pytest.raises(
        InputError, match=r"force.gpkg: 5 of 5 rows with valid coordinates \(100%\) fall outside"
    ):
        load_crimes(crimes, boundary=b, today=TODAY, rejects_path=tmp_path / "rej.csv")
    assert not (tmp_path / "rej.csv").exists()  # nothing written half-way
    # the same check is off at 1.0 (every row then a reject, as before)
    res = load_crimes(crimes, boundary=b, today=TODAY, limits=LoadLimits(max_outside_share=1.0))
    assert (res.accepted, res.by_reason) == (0, {"outside force area": 5})
    # the right boundary: all inside
    right = _write_gdf(gpd.GeoDataFrame(geometry=[AREA], crs=27700), tmp_path / "right.gpkg")
    assert load_crimes(crimes, boundary=right, today=TODAY).accepted == 5


def test_boundary_west_of_the_grid_refused_on_reading(tmp_path):
    wrong = gpd.GeoDataFrame(geometry=[box(-2.0, 52.4, -1.8, 52.6)], crs=27700)
    b = _write_gdf(wrong, tmp_path / "force.gpkg")
    with pytest.raises(
        InputError, match=r"read as EPSG:27700, the layer lies outside Great Britain"
    ):
        load_crimes(street(tmp_path, [ok_row(1)]), boundary=b, today=TODAY)


def test_boundary_declared_lonlat_but_in_metres_refused_on_reading(tmp_path):
    p = tmp_path / "force.geojson"
    # GeoJSON is lon/lat by definition; BNG metres in it land nowhere on Earth
    p.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": shapely.geometry.mapping(AREA),
                    }
                ],
            }
        )
    )
    with pytest.raises(
        InputError,
        match=r"force.geojson, field 'geometry': read as EPSG:4326, the layer lies outside Great Britain",
    ):
        read_layer(p)


def test_no_prj_message_names_the_cli_option_and_the_option_works(tmp_path, capsys):
    shp = _write_gdf(gpd.GeoDataFrame(geometry=[AREA], crs=27700), tmp_path / "force.shp")
    shp.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match=r"declares no CRS.*pass --boundary-crs EPSG:27700"):
        read_layer(shp)
    crimes = street(tmp_path, [ok_row(1)])
    out = tmp_path / "out.parquet"
    assert main(["load", str(crimes), "--boundary", str(shp), "--out", str(out)]) == 2
    assert "--boundary-crs" in capsys.readouterr().err
    argv = [
        "load",
        str(crimes),
        "--boundary",
        str(shp),
        "--boundary-crs",
        "EPSG:27700",
        "--out",
        str(out),
        "--json",
    ]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 1


def test_boundary_repair_is_reported(tmp_path, capsys):
    x0, y0, x1, y1 = AREA.bounds
    bowtie = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])  # self-intersecting
    b = _write_gdf(gpd.GeoDataFrame(geometry=[AREA, bowtie], crs=27700), tmp_path / "force.gpkg")
    geom, rep = read_study_area(b)
    assert rep.repaired == [2]
    assert "1 invalid geometry repaired (rows 2)" in rep.message()
    crimes = street(tmp_path, [ok_row(1)])
    res = load_crimes(crimes, boundary=b, today=TODAY)
    assert "1 invalid geometry repaired (rows 2)" in res.boundary_report
    out = tmp_path / "out.parquet"
    assert main(["load", str(crimes), "--boundary", str(b), "--out", str(out), "--json"]) == 0
    cap = capsys.readouterr()
    assert "boundary: " in cap.err and "repaired (rows 2)" in cap.err
    assert "repaired (rows 2)" in json.loads(cap.out)["boundary"]


# ---- --json | head -------------------------------------------------------------------------
def test_json_into_a_closed_pipe_is_no_traceback(tmp_path):
    crimes = street(tmp_path, [ok_row(1)])
    cmd = [
        sys.executable,
        "-m",
        "planner",
        "load",
        str(crimes),
        "--out",
        str(tmp_path / "o.parquet"),
        "--json",
    ]
    # `| head -c 0`: the reader closes its end before the command writes
    r = subprocess.run(
        f"{' '.join(cmd)} | head -c 0", shell=True, capture_output=True, text=True, cwd=tmp_path
    )
    assert "Traceback" not in r.stderr and "BrokenPipeError" not in r.stderr
    assert r.returncode == 0


def test_broken_pipe_in_process_returns_zero(monkeypatch, tmp_path):
    class Closed:
        def write(self, s):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            raise ValueError("no descriptor")

    crimes = street(tmp_path, [ok_row(1)])
    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["load", str(crimes), "--out", str(tmp_path / "o.parquet"), "--json"]) == 0

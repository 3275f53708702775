"""Crime loaders: every format, every rejection reason, reconciliation, exact values."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError, PlannerError
from planner.harm import HarmTable
from planner.io.crime import ColumnMapping, load_crimes
from planner.paths import GEODATA
from planner.schema import CRIME_COLUMNS, CRIME_DTYPES, CRIME_TYPES
from planner.testing import error_lines

DATA = Path(__file__).resolve().parents[1] / "data" / "crime"
FORCE = GEODATA / "force_area.parquet"


@pytest.fixture(scope="module")
def force():
    return gpd.read_parquet(FORCE)


def _check_schema(c):
    assert tuple(c.columns) == CRIME_COLUMNS
    assert c.crs.to_epsg() == 27700
    for col, t in CRIME_DTYPES.items():
        assert str(c[col].dtype) == t, col


def test_street_csv_every_rejection_reason_and_reconciliation(force, tmp_path):
    res = load_crimes(
        DATA / "2025-01-test-street.csv", boundary=force, rejects_path=tmp_path / "rej.csv"
    )
    _check_schema(res.crimes)
    assert (res.read, res.accepted, res.rejected) == (10, 4, 6)
    assert res.read == res.accepted + res.rejected
    rej = res.rejects.set_index("source_row")
    assert rej.loc[5, "reason"] == "missing coordinates"
    assert rej.loc[6, "reason"] == "outside force area"
    assert rej.loc[7, "reason"] == "unknown crime type"
    assert rej.loc[7, "value"] == "Jaywalking"
    assert rej.loc[8, "reason"] == "bad month"
    assert rej.loc[8, "field"] == "Month"
    assert rej.loc[9, "reason"] == "unparseable number"
    assert rej.loc[9, "field"] == "Longitude"
    assert rej.loc[10, "reason"] == "malformed row"
    assert "expected 12 fields, found 13" in rej.loc[10, "value"]
    # the original row is kept in the rejects file: nothing is lost
    raw6 = json.loads(rej.loc[6, "raw"])
    assert raw6["Location"] == "On or near Whitehall"
    written = pd.read_csv(tmp_path / "rej.csv")
    assert len(written) == 6 and set(written.columns) >= {
        "source_file",
        "source_row",
        "reason",
        "raw",
    }
    # accepted rows: exact duplicate ASB rows are both kept, lines preserved
    c = res.crimes
    assert c["source_row"].tolist() == [2, 3, 4, 11]
    assert c["crime_type"].tolist().count("Anti-social behaviour") == 2
    assert c["crime_id"].isna().sum() == 2
    assert c["occurred_at"].isna().all()
    # harm and knife proxy applied at load from the table
    table = HarmTable.default()
    assert c["harm"].tolist() == [table.weights[t] for t in c["crime_type"]]
    assert c.loc[c.crime_type == "Possession of weapons", "knife_weight"].iloc[0] == 1.0
    # projection: police.uk lon/lat to BNG (metres); the ICC in Birmingham is near SP 070 868
    p = c.geometry.iloc[0]
    ref = (
        gpd.GeoSeries(gpd.points_from_xy([-1.898111], [52.479343]), crs=4326).to_crs(27700).iloc[0]
    )
    assert abs(p.x - ref.x) < 0.01 and abs(p.y - ref.y) < 0.01
    assert 406_900 < p.x < 407_100 and 286_700 < p.y < 286_900


def test_2011_format_maps_old_categories():
    res = load_crimes(DATA / "2011-02-test-street.csv")
    assert (res.read, res.accepted, res.rejected) == (6, 5, 1)
    assert res.by_reason == {"missing coordinates": 1}
    assert res.crimes["crime_type"].tolist() == [
        "Robbery",
        "Other crime",
        "Violence and sexual offences",
        "Anti-social behaviour",
        "Anti-social behaviour",
    ]
    assert res.crimes.geometry.iloc[0].x == 408811.0  # easting/northing used as given


def test_api_json_output():
    res = load_crimes(DATA / "api_sample.json")
    assert (res.read, res.accepted, res.rejected) == (3, 2, 1)
    assert res.crimes["crime_type"].tolist() == [
        "Violence and sexual offences",
        "Anti-social behaviour",
    ]
    assert res.crimes["crime_id"].tolist()[0] == "ee5122ab"
    assert res.crimes["location"].tolist()[1] == "On or near Hafren Close"


def test_force_extract_with_mapping_timestamps_and_offence_weights():
    mapping = ColumnMapping.from_file(DATA / "force_mapping.json")
    harm = HarmTable.from_offence_weights(DATA / "offence_weights.csv")
    res = load_crimes(DATA / "force_extract.csv", mapping=mapping, harm=harm)
    assert (res.read, res.accepted, res.rejected) == (6, 3, 3)
    rej = res.rejects.set_index("source_row")
    assert (
        rej.loc[3, "reason"] == "bad timestamp"
    )  # 01:30 on 2025-03-30 does not exist in Europe/London
    assert rej.loc[5, "reason"] == "bad timestamp"
    assert rej.loc[7, "reason"] == "unknown crime type"
    c = res.crimes.set_index("crime_id")
    assert str(c.loc["F-1", "occurred_at"]) == "2025-03-30 00:30:00+00:00"
    # an explicit UTC offset on the night the clocks go back: the second 01:30 (GMT)
    assert str(c.loc["F-3", "occurred_at"]) == "2025-10-26 01:30:00+00:00"
    assert str(c.loc["F-5", "occurred_at"]) == "2025-06-01 14:05:00+01:00"
    assert c.loc["F-5", "month"] == "2025-06"
    assert c["harm"].to_dict() == {"F-1": 1500.0, "F-3": 900.0, "F-5": 13.0}


def test_zip_archive_and_folder_of_months(tmp_path):
    z = tmp_path / "2025-01.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(DATA / "2025-01-test-street.csv", "2025-01/2025-01-test-street.csv")
        zf.writestr("2025-01/2025-01-test-outcomes.csv", "Crime ID,Month\nx,2025-01\n")
    res = load_crimes(z)
    assert res.read == 10 and res.files == [f"{z}!2025-01/2025-01-test-street.csv"]
    folder = tmp_path / "months"
    folder.mkdir()
    (folder / "2025-01-test-street.csv").write_bytes(
        (DATA / "2025-01-test-street.csv").read_bytes()
    )
    with gzip.open(folder / "2011-02-test-street.csv.gz", "wb") as f:
        f.write((DATA / "2011-02-test-street.csv").read_bytes())
    (folder / "2025-01-test-outcomes.csv").write_text("Crime ID,Month\nx,2025-01\n")
    res = load_crimes(folder)
    assert len(res.files) == 2 and res.read == 16
    assert res.read == res.accepted + res.rejected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty, line 1"),
        (b"\x00\x01\x02binary", "binary"),
        (b"Crime ID,Month,Longitude\n1,2025-01,-1.9\n", "unrecognised columns"),
    ],
)
def test_malformed_files_give_one_clear_message(tmp_path, content, message):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    with pytest.raises(InputError) as exc:
        load_crimes(p)
    assert str(p) in str(exc.value)
    assert message.split(",")[0] in str(exc.value)


def test_corrupt_gzip_and_missing_mapping_column(tmp_path):
    p = tmp_path / "x.csv.gz"
    p.write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(InputError, match="cannot open"):
        load_crimes(p)
    mapping = ColumnMapping(
        columns={"crime_type": "Offence", "x": "E", "y": "N", "occurred_at": "When"}
    )
    with pytest.raises(InputError, match="field 'E'"):
        load_crimes(DATA / "force_extract.csv", mapping=mapping)
    with pytest.raises(PlannerError, match="not police.uk crime types"):
        ColumnMapping(
            columns={"crime_type": "a", "x": "b", "y": "c", "month": "d"},
            type_map={"A": "Nonsense"},
        )


def test_cli_load_reconciles_and_fails_without_traceback(tmp_path):
    out = tmp_path / "c.parquet"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "load",
            str(DATA / "2025-01-test-street.csv"),
            "--boundary",
            str(FORCE),
            "--out",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    s = json.loads(r.stdout)
    assert (s["read"], s["accepted"], s["rejected"]) == (10, 4, 6)
    assert sum(s["by_reason"].values()) == s["rejected"]
    assert Path(s["rejects_file"]).exists()
    back = gpd.read_parquet(out)
    assert len(back) == 4 and back.crs.to_epsg() == 27700
    bad = tmp_path / "bad.csv"
    bad.write_text("nonsense,columns\n1,2\n")
    r = subprocess.run(
        [sys.executable, "-m", "planner", "load", str(bad), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert len(error_lines(r.stderr)) == 1 and str(bad) in r.stderr


# ---- real data (../shared) ------------------------------------------------------------------
@pytest.mark.realdata
def test_real_leicestershire_35_months_reconcile(shared_data, tmp_path):
    folder = shared_data / "crime" / "leicestershire"
    boundary = shared_data / "boundaries" / "leicestershire" / "lsoa_2011_leicestershire.geojson"
    res = load_crimes(folder, boundary=boundary, rejects_path=tmp_path / "rej.csv")
    assert len(res.files) == 35
    assert res.read == 301_838  # PROVENANCE.md: 301,838 rows in 35 files
    assert res.accepted + res.rejected == res.read
    assert res.by_reason["missing coordinates"] == 7_463  # PROVENANCE.md
    # points outside the force: 583 rows carry an outside LSOA; a few more sit just outside
    # the generalised boundary
    assert 583 <= res.by_reason["outside force area"] <= 600
    assert set(res.by_reason) == {"missing coordinates", "outside force area"}
    c = res.crimes
    assert set(c["crime_type"].unique()) == set(CRIME_TYPES)
    assert c["month"].min() == "2019-12" and c["month"].max() == "2022-10"
    # exact duplicate ASB rows are kept (7,936 duplicates in the raw files, none with missing coordinates)
    key = ["month", "crime_type", "location", "lsoa_code", "source_file"]
    dup = c[c.duplicated(subset=key + ["crime_id"], keep="first") & c["crime_id"].isna()]
    assert (dup["crime_type"] == "Anti-social behaviour").all()
    assert len(dup) >= 7_936 - 10


@pytest.mark.realdata
def test_real_wm_months(shared_data):
    force = gpd.read_parquet(FORCE)
    api = load_crimes(shared_data / "crime" / "policeuk_api_2018-06_wm_area.csv.gz", boundary=force)
    assert api.read == 30_831
    assert api.accepted == 25_088  # PROVENANCE.md: 25,088 inside the WMP boundary
    old = load_crimes(shared_data / "crime" / "2011-02-west-midlands-street.csv.gz")
    assert old.read == old.accepted == 25_558
    counts = old.crimes["crime_type"].value_counts().to_dict()
    assert counts["Anti-social behaviour"] == 8_728
    assert counts["Violence and sexual offences"] == 3_037  # "Violent crime" mapped
    assert np.isfinite(old.crimes["harm"]).all()

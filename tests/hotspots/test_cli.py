"""The CLI commands and their machine-readable output, on small constructed files."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from planner.cli import main
from planner.crs import BNG
from planner.io.crime import save_crimes
from planner.schema import make_crimes
from planner.testing import error_lines


@pytest.fixture
def files(tmp_path, hs, rng):
    M = hs.MONTHS_24
    X0, Y0 = hs.X0, hs.Y0
    parts = [
        hs.cluster(rng, X0 + 2000, Y0 + 2000, 200, "Robbery", M),
        hs.cluster(rng, X0 + 7000, Y0 + 7000, 100, "Violence and sexual offences", M),
        hs.cluster(rng, X0 + 4000, Y0 + 4900, 100, "Possession of weapons", M),
        hs.cluster(rng, X0 + 5000, Y0 + 9000, 100, "Anti-social behaviour", M),
    ]
    n = 3000
    parts.append(
        make_crimes(
            X0 + rng.uniform(0, 10_000, n),
            Y0 + rng.uniform(0, 10_000, n),
            ["Burglary"] * n,
            month=[M[i % 24] for i in range(n)],
        )
    )
    crimes = pd.concat(parts, ignore_index=True)
    save_crimes(crimes, tmp_path / "crimes.parquet")
    geo = hs.two_lpa_geography()
    gpd.GeoDataFrame({"name": ["force"]}, geometry=[hs.square_force()], crs=BNG).to_file(
        tmp_path / "force.gpkg"
    )
    geo.lpas.to_file(tmp_path / "lpas.gpkg")
    geo.wards.to_file(tmp_path / "wards.gpkg")
    # the same robbery cluster as a police.uk street CSV (lon/lat)
    tr = Transformer.from_crs(BNG, "EPSG:4326", always_xy=True)
    rob = parts[0]
    lon, lat = tr.transform(rob.geometry.x.to_numpy(), rob.geometry.y.to_numpy())
    street = pd.DataFrame(
        {
            "Crime ID": [f"id{i}" for i in range(len(rob))],
            "Month": rob["month"].to_numpy(),
            "Reported by": "Test Police",
            "Falls within": "Test Police",
            "Longitude": np.round(lon, 6),
            "Latitude": np.round(lat, 6),
            "Location": "On or near Test Street",
            "LSOA code": "E01000001",
            "LSOA name": "Test 001A",
            "Crime type": "Robbery",
            "Last outcome category": "",
            "Context": "",
        }
    )
    (tmp_path / "csv").mkdir()
    street.to_csv(tmp_path / "csv" / "2024-01-test-street.csv", index=False)
    return tmp_path, crimes


def _run(capsys, *argv):
    rc = main(list(map(str, argv)))
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize("method", ["count", "kde", "gistar"])
def test_hotspots_command(files, capsys, method):
    d, crimes = files
    rc, out, _ = _run(
        capsys,
        "hotspots",
        "--crimes",
        d / "crimes.parquet",
        "--boundary",
        d / "force.gpkg",
        "--method",
        method,
        "--cell",
        250,
        "--out",
        d / f"{method}.parquet",
        "--json",
    )
    assert rc == 0
    s = json.loads(out)
    cells = gpd.read_parquet(d / f"{method}.parquet")
    assert {"geometry", "count", "harm"} <= set(cells.columns)
    assert len(cells) == s["cells"] == 1600
    assert cells["count"].sum() == len(crimes)
    assert cells["harm"].sum() == pytest.approx(crimes["harm"].sum())
    if method == "gistar":
        assert {"gi_z", "gi_p", "gi_q"} <= set(cells.columns)
        assert (cells["gi_q"] >= cells["gi_p"] - 1e-12).all()
        assert s["hot_cells"] == int(((cells["gi_z"] > 0) & (cells["gi_q"] < 0.05)).sum()) > 0
    if method == "kde":
        assert cells["kde"].max() > 0


def test_hotspots_reads_police_uk_csv_folders(files, capsys):
    d, _ = files
    rc, out, _ = _run(
        capsys,
        "hotspots",
        "--crimes",
        d / "csv",
        "--boundary",
        d / "force.gpkg",
        "--types",
        "Robbery",
        "--out",
        d / "rob.parquet",
        "--json",
    )
    assert rc == 0 and json.loads(out)["crimes"] == 200


def test_tgps_coverage_backtest_commands(files, capsys):
    d, _ = files
    rc, out, _ = _run(
        capsys,
        "tgps",
        "--crimes",
        d / "crimes.parquet",
        "--boundary",
        d / "force.gpkg",
        "--count",
        4,
        "--violent",
        3,
        "--lpas",
        d / "lpas.gpkg",
        "--wards",
        d / "wards.gpkg",
        "--out",
        d / "tgps.gpkg",
        "--json",
    )
    assert rc == 0
    s = json.loads(out)
    assert s["n_tgps"] == 4 and s["n_violent"] == 3
    tg = gpd.read_file(d / "tgps.gpkg")
    assert {
        "tgp_id",
        "driver",
        "kind",
        "lpa",
        "wards",
        "crimes",
        "harm",
        "area_m2",
        "geometry",
    } <= set(tg.columns)
    assert tg["tgp_id"].tolist() == ["TGP-001", "TGP-002", "TGP-003", "TGP-004"]
    assert set(tg["lpa"]) <= {"West", "East"} and tg["wards"].str.len().min() >= 2
    # a refresh keeps the IDs
    rc, out, _ = _run(
        capsys,
        "tgps",
        "--crimes",
        d / "crimes.parquet",
        "--boundary",
        d / "force.gpkg",
        "--count",
        4,
        "--violent",
        3,
        "--previous",
        d / "tgps.gpkg",
        "--out",
        d / "tgps2.gpkg",
        "--json",
    )
    assert json.loads(out)["ids_kept_from_previous"] == 4
    # the Op Savvy geometry is configurable: 100 m radius + 50 m buffer
    rc, out, _ = _run(
        capsys,
        "tgps",
        "--crimes",
        d / "crimes.parquet",
        "--boundary",
        d / "force.gpkg",
        "--count",
        2,
        "--violent",
        2,
        "--radius",
        100,
        "--buffer",
        50,
        "--out",
        d / "small.gpkg",
        "--json",
    )
    small = gpd.read_file(d / "small.gpkg")
    assert rc == 0 and len(small) == 2
    assert small["area_m2"].max() == pytest.approx(
        shapely.Point(0, 0).buffer(150, quad_segs=16).area
    )

    rc, out, _ = _run(
        capsys,
        "coverage",
        "--tgps",
        d / "tgps.gpkg",
        "--crimes",
        d / "crimes.parquet",
        "--boundary",
        d / "force.gpkg",
        "--lpas",
        d / "lpas.gpkg",
        "--csv",
        d / "cov.csv",
        "--json",
    )
    assert rc == 0
    c = json.loads(out)
    for k in (
        "area_share",
        "offence_share",
        "harm_share",
        "knife_share",
        "pai",
        "harm_pai",
        "n_tgps",
        "asb_overlapping_violent",
    ):
        assert k in c
    assert c["n_tgps"] == 4 and c["pai"] == pytest.approx(c["offence_share"] / c["area_share"])
    assert pd.read_csv(d / "cov.csv")["area"].tolist() == ["Force", "West", "East"]
    rc, out, _ = _run(
        capsys,
        "coverage",
        "--tgps",
        d / "tgps.gpkg",
        "--crimes",
        d / "crimes.parquet",
        "--boundary",
        d / "force.gpkg",
    )
    assert rc == 0 and "PAI" in out

    rc, out, _ = _run(
        capsys,
        "backtest",
        "--crimes",
        d / "crimes.parquet",
        "--boundary",
        d / "force.gpkg",
        "--train-months",
        12,
        "--test-months",
        3,
        "--area-share",
        0.022,
        "--cell",
        250,
        "--origins",
        2,
        "--json",
    )
    assert rc == 0
    b = json.loads(out)
    assert set(b["methods"]) == {"counts", "counts_recent", "kde", "gistar", "prospective"}
    assert set(b["methods"]["counts"]) == {"hit_rate", "pai", "harm_pai", "pei", "rri"}
    assert b["recommended"] in b["methods"]
    assert b["methods"][b["recommended"]]["pai"] >= b["methods"]["counts"]["pai"]


def test_user_errors_are_one_line(files, capsys):
    d, _ = files
    rc, out, err = _run(
        capsys,
        "hotspots",
        "--crimes",
        d / "nope.csv",
        "--boundary",
        d / "force.gpkg",
        "--out",
        d / "x.parquet",
    )
    assert rc == 2 and out == "" and len(error_lines(err)) == 1 and "no such file" in err
    rc, _, err = _run(
        capsys,
        "hotspots",
        "--crimes",
        d / "crimes.parquet",
        "--boundary",
        d / "force.gpkg",
        "--method",
        "kde",
        "--bandwidth",
        10,
        "--out",
        d / "x.parquet",
    )
    assert rc == 2 and "below the cell size" in err
    rc, _, err = _run(
        capsys,
        "tgps",
        "--crimes",
        d / "crimes.parquet",
        "--boundary",
        d / "force.gpkg",
        "--out",
        d / "x.shp",
    )
    assert rc == 2 and ".gpkg" in err
    rc, _, err = _run(
        capsys,
        "hotspots",
        "--crimes",
        d / "crimes.parquet",
        "--boundary",
        d / "force.gpkg",
        "--types",
        "Knife crime",
        "--out",
        d / "x.parquet",
    )
    assert rc == 2 and "unknown crime type" in err

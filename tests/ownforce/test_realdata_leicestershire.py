"""Real data: the 35-month Leicestershire Police series set up with the README's commands
(`planner init`, `planner tgps --workspace`, `planner status`), checked against a direct
computation on the same files (row counts, rejects, the TGP coverage table)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from planner.cli import main
from planner.hotspots.config import CoverageConfig

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def leic(shared_data, tmp_path_factory):
    """(workspace dir, init summary, tgps summary, status) built once for the module."""
    import contextlib
    import io

    crimes = shared_data / "crime" / "leicestershire"
    wards = shared_data / "boundaries" / "leicestershire" / "wards_2013_leicestershire.geojson"
    ws = tmp_path_factory.mktemp("leic") / "ws"
    outs = []
    for argv in (
        ["init", str(ws), "--name", "Leicestershire Police", "--wards", str(wards),
         "--lpa-field", "LAD_CD", "--crimes", str(crimes), "--json"],
        ["tgps", "--workspace", str(ws), "--json"],
        ["status", "--workspace", str(ws), "--json"],
    ):  # fmt: skip
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(argv) == 0, argv
        outs.append(json.loads(buf.getvalue()))
    return ws, crimes, wards, *outs


def _direct(crimes_dir, wards_path):
    """Rows, rows without coordinates and rows outside the wards, computed from the files."""
    frames = [
        pd.read_csv(f, dtype={"Crime ID": str}) for f in sorted(crimes_dir.glob("*-street.csv.gz"))
    ]
    raw = pd.concat(frames, ignore_index=True)
    w = gpd.read_file(wards_path)
    w["geometry"] = shapely.make_valid(w.geometry.to_numpy())
    area = shapely.union_all(w.to_crs(27700).geometry.to_numpy())
    has = raw["Longitude"].notna() & raw["Latitude"].notna()
    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(
        raw.loc[has, "Longitude"].to_numpy(), raw.loc[has, "Latitude"].to_numpy()
    )
    inside = shapely.contains_xy(area, x, y)
    return raw, has, inside, area


def test_init_counts_reconcile_with_the_files(leic):
    ws, crimes_dir, wards, init, _tg, _st = leic
    raw, has, inside, _area = _direct(crimes_dir, wards)
    c = init["crimes"]
    assert c["read"] == len(raw) == 301_838
    assert c["by_reason"] == {
        "missing coordinates": int((~has).sum()),
        "outside force area": int((~inside).sum()),
    }
    assert c["by_reason"] == {"missing coordinates": 7463, "outside force area": 583}
    assert c["accepted"] == int(inside.sum()) == c["read"] - c["rejected"]
    assert (c["first_month"], c["last_month"], c["months"]) == ("2019-12", "2022-10", 35)
    assert init["today"] == "2022-10-31" and init["synthetic"] is False
    assert (init["lpas"], init["wards"], init["neighbourhoods"]) == (9, 171, 171)
    rej = pd.read_csv(ws / "crime" / "crimes_rejects.csv")
    assert len(rej) == c["rejected"]


def test_tgp_coverage_table_matches_a_direct_computation(leic):
    ws, _c, _w, _init, tg, _st = leic
    assert tg["registered"] is True and tg["load"]["read"] == 293_792
    cov = tg["coverage"]
    assert cov["synthetic"] is False and cov["window"] == ["2019-12", "2022-10"]
    tgps = gpd.read_file(ws / "tgps.gpkg")
    assert len(tgps) == tg["n_tgps"] == cov["n_tgps"]
    crimes = gpd.read_parquet(ws / "crime" / "crimes.parquet")
    lpas = gpd.read_parquet(ws / "boundaries" / "lpas.parquet")
    force = gpd.read_parquet(ws / "boundaries" / "force.parquet").geometry.iloc[0]
    union = shapely.intersection(shapely.union_all(tgps.geometry.to_numpy()), force)
    rel = crimes["crime_type"].isin(CoverageConfig().relevant_types).to_numpy()
    x, y = crimes.geometry.x.to_numpy(), crimes.geometry.y.to_numpy()
    in_tgp = shapely.contains_xy(union, x, y)
    table = {r["area"]: r for r in cov["table"]}
    assert set(table) == {"Force", *lpas["lpa"]}
    f = table["Force"]
    assert f["tgps"] == len(tgps)
    assert f["area_pct"] == pytest.approx(100 * union.area / force.area, rel=1e-9)
    assert f["offences_pct"] == pytest.approx(100 * (in_tgp & rel).sum() / rel.sum(), rel=1e-9)
    assert f["pai"] == pytest.approx(f["offences_pct"] / f["area_pct"], rel=1e-9)
    for _, lp in lpas.iterrows():
        row = table[lp["lpa"]]
        g = lp.geometry
        sel = shapely.contains_xy(g, x, y)
        assert row["tgps"] == int((tgps["lpa"] == lp["lpa"]).sum())
        assert row["area_pct"] == pytest.approx(
            100 * shapely.intersection(union, g).area / g.area, abs=1e-9
        )
        expect = 100 * (in_tgp & rel & sel).sum() / (rel & sel).sum()
        assert row["offences_pct"] == pytest.approx(expect, abs=1e-9)
    csv = pd.read_csv(ws / "tgps_coverage.csv")
    assert csv["offences_pct"].to_numpy() == pytest.approx(
        np.array([r["offences_pct"] for r in cov["table"]])
    )


def test_status_reports_the_real_tables_and_what_to_import(leic):
    ws, _c, _w, _init, tg, st = leic
    assert st["synthetic"] is False and st["complete"] is True
    assert st["tables"]["crimes_real"] | {"description": ""} == {
        "present": True, "rows": 293_792, "synthetic": False, "description": "",
        "months": 35, "first": "2019-12", "last": "2022-10",
    }  # fmt: skip
    assert st["tables"]["tgps"]["rows"] == tg["n_tgps"] and not st["tables"]["tgps"]["synthetic"]
    ready = {u["name"]: u["ready"] for u in st["uses"]}
    assert (
        ready["Hotspots and TGPs"] and ready["Op Advance"] and ready["planner coverage --workspace"]
    )
    assert not ready["Patrol plan"] and not ready["Neighbourhoods"]
    assert st["missing"]["officers"] == f"planner import officers OFFICERS.csv --workspace {ws}"

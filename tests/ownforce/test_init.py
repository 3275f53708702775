"""planner init: hierarchy from a ward field / lookup / layer, sectors, crimes, refusals."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from ownforce_builders import (
    LPA_OF,
    SECTOR_OF,
    WARDS,
    X0,
    Y0,
    month_points,
    wards_frame,
    write_street,
)
from shapely.affinity import translate
from shapely.geometry import box

from planner.cli import main
from planner.errors import PlannerError
from planner.ownforce.init import InitRequest, LevelSource, init_workspace
from planner.workspace import Workspace


def _init(force, out, **kw):
    args = {
        "out": out,
        "name": "Test Police",
        "wards": force.wards,
        "crimes": [force.months],
        "lpa": LevelSource(field="LAD_CD"),
    }
    args.update(kw)
    return init_workspace(InitRequest(**args))


def test_cli_init_json_counts_hierarchy_and_today(force, tmp_path, capsys):
    out = tmp_path / "ws"
    rc = main(
        [
            "init", str(out), "--name", "Test Police", "--wards", str(force.wards),
            "--lpa-field", "LAD_CD", "--sector-field", "SECTOR", "--crimes", str(force.months), "--json",
        ]
    )  # fmt: skip
    assert rc == 0
    s = json.loads(capsys.readouterr().out)
    c = s["crimes"]
    assert (c["read"], c["accepted"], c["rejected"]) == (15, 12, 3)
    assert c["by_reason"] == {"missing coordinates": 2, "outside force area": 1}
    assert (c["first_month"], c["last_month"], c["months"]) == ("2024-01", "2024-02", 2)
    assert (s["lpas"], s["wards"], s["neighbourhoods"], s["sectors"]) == (2, 6, 6, 3)
    assert s["today"] == "2024-02-29" and s["synthetic"] is False
    ws = Workspace(out)
    assert ws.complete and ws.today.isoformat() == "2024-02-29"
    assert not any(t["synthetic"] for t in ws.meta["tables"].values())
    assert ws.series_table == "crimes_real"
    crimes = ws.crimes(synthetic=None)
    assert len(crimes) == 12
    geo = ws.geography()
    # each crime lands in the ward it was placed in
    got = geo.assign(crimes)["ward_code"].value_counts().to_dict()
    assert got == {
        "E05000001": 4,
        "E05000003": 2,
        "E05000005": 2,
        "E05000006": 2,
        "E05000002": 1,
        "E05000004": 1,
    }
    w = geo.wards.set_index("ward_code")
    assert w["lpa"].to_dict() == LPA_OF  # no name field: the code is the name
    assert w["sector_code"].to_dict() == SECTOR_OF
    assert (w["nbh_code"] == w.index).all()  # a ward is its own neighbourhood
    assert geo.sectors()["sector_code"].tolist() == ["S1", "S2", "S3"]
    rej = pd.read_csv(out / "crime" / "crimes_rejects.csv")
    assert len(rej) == 3
    assert not list(tmp_path.glob(".ws.building*"))


def test_lookup_csv_lpa_names_and_neighbourhood_layer(force, tmp_path):
    lk = tmp_path / "lpa.csv"
    pd.DataFrame(
        {"ward_code": list(LPA_OF), "lpa_code": list(LPA_OF.values()),
         "lpa": ["North" if v == "E07000001" else "South" for v in LPA_OF.values()]}
    ).to_csv(lk, index=False)  # fmt: skip
    nb = wards_frame().dissolve(by="LAD_CD", as_index=False)
    nb["nbh_code"] = ["N1", "N2"]
    nb["name"] = ["Northside", "Southside"]
    nbp = tmp_path / "nbh.gpkg"
    nb[["nbh_code", "name", "geometry"]].to_file(nbp)
    ws, s = _init(
        force, tmp_path / "ws", lpa=LevelSource(lookup=lk), neighbourhood=LevelSource(layer=nbp)
    )
    w = ws.geography().wards.set_index("ward_code")
    assert w["lpa"].to_dict() == {
        k: ("North" if v == "E07000001" else "South") for k, v in LPA_OF.items()
    }
    assert w["nbh_code"].to_dict() == {
        k: ("N1" if v == "E07000001" else "N2") for k, v in LPA_OF.items()
    }
    assert set(w["neighbourhood"]) == {"Northside", "Southside"}
    assert sorted(ws.geography().lpas["lpa"]) == ["North", "South"]
    assert "sector_code" not in w.columns and s["sectors"] == 0
    assert ws.geography().sectors() is None


def _write(gdf, path):
    gdf.to_file(path)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("duplicate", r"duplicate ward codes: E05000001"),
        ("overlap", r"overlapping wards: E05000001 and E05000002"),
        ("nolpa", r"1 ward\(s\) in no LPA \(field 'LAD_CD' of .*\): E05000003"),
        ("empty", r"the ward layer is empty"),
        ("nocrs", r"layer declares no CRS"),
    ],
)
def test_refusals_name_the_problem_in_one_line(force, tmp_path, capsys, change, message):
    w = wards_frame()
    path = tmp_path / "bad.gpkg"
    if change == "duplicate":
        w.loc[1, "WD22CD"] = "E05000001"
    elif change == "overlap":
        w.loc[0, "geometry"] = translate(w.loc[0, "geometry"], xoff=400)
    elif change == "nolpa":
        w.loc[2, "LAD_CD"] = None
    elif change == "empty":
        w = w.iloc[:0]
    elif change == "nocrs":
        path = tmp_path / "bad.shp"
        w.to_file(path)
        path.with_suffix(".prj").unlink()
    if change != "nocrs":
        _write(w, path)
    with pytest.raises(PlannerError, match=message):
        _init(force, tmp_path / "ws", wards=path)
    rc = main(
        ["init", str(tmp_path / "ws2"), "--name", "T", "--wards", str(path), "--lpa-field", "LAD_CD",
         "--crimes", str(force.months)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    assert len([ln for ln in err.splitlines() if "error" in ln]) == 1
    assert not (tmp_path / "ws").exists() and not (tmp_path / "ws2").exists()


def test_crimes_of_another_area_are_refused(force, tmp_path):
    far = tmp_path / "far"
    pts = [(t, x + 60_000 if x else x, y) for t, x, y in month_points("2024-01")]
    write_street(far / "2024-01-x-street.csv", "2024-01", pts)
    with pytest.raises(
        PlannerError,
        match=r"8 of 8 (located crimes|rows with valid coordinates \(100%\)) fall outside",
    ):
        _init(force, tmp_path / "ws", crimes=[far])
    assert not (tmp_path / "ws").exists()


def test_existing_folder_is_not_overwritten_without_replace(force, tmp_path):
    out = tmp_path / "ws"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(PlannerError, match="already exists and is not empty"):
        _init(force, out)
    with pytest.raises(PlannerError, match="is not a workspace"):
        _init(force, out, replace=True)
    assert (out / "notes.txt").read_text() == "mine"


def test_ward_fields_detected_or_named(force, tmp_path):
    w = wards_frame().rename(columns={"WD22CD": "my_code", "WD22NM": "my_name"})
    p = _write(w, tmp_path / "w.gpkg")
    with pytest.raises(
        PlannerError, match=r"cannot tell which field holds the ward code.*--ward-code-field"
    ):
        _init(force, tmp_path / "ws", wards=p)
    ws, _ = _init(
        force, tmp_path / "ws", wards=p, ward_code_field="my_code", ward_name_field="my_name"
    )
    assert sorted(ws.geography().wards["ward_code"]) == sorted(WARDS)
    assert ws.geography().wards.set_index("ward_code").loc["E05000002", "ward"] == "Ward 2"
    assert gpd.read_parquet(ws.table_path("force")).geometry.area.sum() == pytest.approx(6e6)
    assert X0 and Y0


def test_lsoas_with_population_nest_in_wards(force, tmp_path):
    w = wards_frame()
    # two LSOAs per ward: the west and east halves
    rows = []
    for _, r in w.iterrows():
        x0, y0, x1, y1 = r.geometry.bounds
        for half, (a, b) in enumerate(((x0, (x0 + x1) / 2), ((x0 + x1) / 2, x1))):
            rows.append({"LSOA21CD": f"{r['WD22CD']}-{half}", "LSOA21NM": f"L {half}",
                         "geometry": box(a, y0, b, y1)})  # fmt: skip
    ls = gpd.GeoDataFrame(rows, crs="EPSG:27700")
    lp = _write(ls, tmp_path / "lsoas.gpkg")
    pop = tmp_path / "pop.csv"
    pd.DataFrame(
        {"geo": ls["LSOA21CD"], "total": [f"{1000 + i:,}" for i in range(len(ls))]}
    ).to_csv(pop, index=False)
    with pytest.raises(PlannerError, match=r"cannot tell which field holds the LSOA code"):
        _init(force, tmp_path / "ws", lsoas=lp, population=pop)
    # the Census 2021 TS001 layout: LSOA code in "mnemonic", thousands separators
    pd.DataFrame(
        {"mnemonic": ls["LSOA21CD"], "total": [f"{1000 + i:,}" for i in range(len(ls))]}
    ).to_csv(pop, index=False)
    ws, s = _init(force, tmp_path / "ws", lsoas=lp, population=pop)
    assert s["lsoas"] == 12
    geo = ws.geography()
    lso = geo.lsoas.set_index("lsoa_code")
    assert (lso["ward_code"] == [c.split("-")[0] for c in lso.index]).all()
    wpop = geo.wards.set_index("ward_code")["population"].to_dict()
    assert wpop["E05000001"] == 1000 + 1001 and wpop["E05000006"] == 1010 + 1011

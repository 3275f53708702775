"""planner import tgps --asb: a force's own ASB areas kept as they are beside the violent TGPs,
their overlap with the violent TGPs reported (JSON, text, the asb_overlap table), and kept when
planner tgps --workspace re-derives the violent TGPs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

sys.path.insert(0, str(Path(__file__).parent))
from ownforce_builders import ward_centre  # noqa: E402

from planner.cli import main
from planner.workspace import Workspace


def _json(capsys, *argv) -> dict:
    rc = main([*map(str, argv), "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out)


def _derive(capsys, ws_dir) -> dict:
    return _json(
        capsys, "tgps", "--workspace", ws_dir, "--min-per-year", "1", "--area-share", "0.5"
    )


def test_asb_areas_kept_as_they_are_with_the_overlap_report(ws_dir, tmp_path, capsys):
    d = _derive(capsys, ws_dir)
    assert (d["n_violent"], d["n_asb"]) == (1, 1)
    ws = Workspace(ws_dir)
    before = ws.tgps()
    violent = before[before["kind"] == "violent"].iloc[0]
    vx, vy = violent.geometry.centroid.x, violent.geometry.centroid.y
    assert violent.geometry.contains(Point(*ward_centre("E05000001")))
    x6, y6 = ward_centre("E05000006")
    inside = box(vx - 100, vy - 100, vx + 100, vy + 100)  # wholly inside the violent TGP
    far = box(x6 - 120, y6 - 80, x6 + 120, y6 + 80)  # touches no violent TGP
    edge = box(vx + 200, vy - 50, vx + 400, vy + 50)  # straddles its edge
    layer = gpd.GeoDataFrame(
        {"Area": ["ASB North", "ASB East", "ASB Edge"]}, geometry=[inside, far, edge], crs=27700
    ).to_crs(4326)
    f = tmp_path / "asb_areas.geojson"
    layer.to_file(f, driver="GeoJSON")
    c = _json(capsys, "import", "tgps", f, "--workspace", ws_dir, "--asb", "--map", "Area=tgp_id")
    assert (c["read"], c["accepted"], c["rejected"], c["kept_violent"], c["replaced"]) == (
        3, 3, 0, 1, 1,
    )  # fmt: skip
    after = ws.tgps().set_index("tgp_id")
    # the violent TGP untouched, the derived ASB area replaced by the force's own three
    assert list(after.index) == [violent["tgp_id"], "ASB North", "ASB East", "ASB Edge"]
    assert after.loc[violent["tgp_id"], "geometry"].equals_exact(violent.geometry, 1e-6)
    assert after["force_asb"].tolist() == [False, True, True, True]
    assert after.loc["ASB East", "kind"] == "asb" and after.loc["ASB East", "driver"] == "asb"
    for name, g in (("ASB North", inside), ("ASB East", far), ("ASB Edge", edge)):  # as they are
        assert after.loc[name, "geometry"].symmetric_difference(g).area < 1e-3 * g.area
    # the overlap, computed directly on the stored polygons
    vg = after.loc[violent["tgp_id"], "geometry"]
    a_in, a_edge = after.loc["ASB North", "geometry"], after.loc["ASB Edge", "geometry"]
    expect = vg.intersection(a_in.union(a_edge)).area / vg.area
    ov = c["asb_overlap"]
    assert {k: ov[k] for k in ("violent_tgps", "violent_overlapped", "asb_areas", "asb_overlapping")} == {
        "violent_tgps": 1, "violent_overlapped": 1, "asb_areas": 3, "asb_overlapping": 2,
    }  # fmt: skip
    assert ov["overlapped"] == [
        {"tgp_id": violent["tgp_id"], "asb_areas": "ASB North;ASB Edge",
         "overlap_share": round(expect, 6)}
    ]  # fmt: skip
    assert ov["text"].splitlines()[0] == (
        "ASB areas overlap 1 of 1 violent-crime TGPs (2 of 3 ASB areas overlap one)"
    )
    table = Workspace(ws_dir).read_table("asb_overlap")
    assert table["overlapped"].tolist() == [True] and not ws.is_synthetic("asb_overlap")
    # the text form prints the paper's sentence
    assert (
        main(
            ["import", "tgps", str(f), "--workspace", str(ws_dir), "--asb", "--map", "Area=tgp_id"]
        )
        == 0
    )
    assert "ASB areas overlap 1 of 1 violent-crime TGPs" in capsys.readouterr().out
    # re-deriving the TGPs keeps the force's ASB areas and reports the overlap again
    d2 = _derive(capsys, ws_dir)
    assert (d2["n_violent"], d2["n_asb"], d2["n_tgps"]) == (1, 3, 4)
    assert d2["asb_overlap"]["violent_overlapped"] == 1
    t2 = ws.tgps()
    assert t2.loc[t2["kind"] == "asb", "tgp_id"].tolist() == ["ASB North", "ASB East", "ASB Edge"]
    assert d2["area_m2"] == pytest.approx(
        __import__("shapely").union_all(t2.geometry.to_numpy()).area
    )
    # a smaller set of ASB areas replaces the previous ones; an id of a violent TGP is refused
    one = gpd.GeoDataFrame(
        {"Area": ["ASB East", violent["tgp_id"]]}, geometry=[far, inside], crs=27700
    )
    f2 = tmp_path / "one.gpkg"
    one.to_file(f2)
    c = _json(capsys, "import", "tgps", f2, "--workspace", ws_dir, "--asb", "--map", "Area=tgp_id")
    assert (c["accepted"], c["rejected"], c["replaced"]) == (1, 1, 3)
    assert c["by_reason"] == {
        f"tgp_id '{violent['tgp_id']}' is a violent TGP of the workspace (ASB areas need ids of their own)": 1
    }
    assert c["asb_overlap"]["violent_overlapped"] == 0 and c["asb_overlap"]["overlapped"] == []
    assert ws.tgps()["tgp_id"].tolist() == [violent["tgp_id"], "ASB East"]
    rows = pd.read_csv(ws_dir / "tgps_asb_overlap.csv")
    assert rows["overlap_m2"].tolist() == [0.0]

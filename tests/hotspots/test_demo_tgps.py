"""The demo workspace's TGP layer, its coverage report and Op Advance on the demo."""

from __future__ import annotations

import json

import pytest

from planner.cli import main
from planner.hotspots.tgps import TGP_COLUMNS


def test_demo_tgp_layer(demo_ws):
    assert demo_ws.has_table("tgps") and demo_ws.is_synthetic("tgps")
    tg = demo_ws.tgps()
    assert list(tg.columns) == [*TGP_COLUMNS, "geometry"]
    assert tg.crs.to_epsg() == 27700
    assert tg["tgp_id"].tolist() == [f"TGP-{k:03d}" for k in range(1, 85)]
    assert (tg["kind"] == "violent").sum() == 50 and (tg["kind"] == "asb").sum() == 34
    assert set(tg["driver"]) <= {"violence", "robbery", "knife", "asb"}
    assert set(tg.loc[tg["kind"] == "asb", "driver"]) == {"asb"}
    geo = demo_ws.geography()
    assert set(tg["lpa"]) <= set(geo.lpas["lpa"])
    codes = set(geo.wards["ward_code"])
    assert all(set(w.split(";")) <= codes for w in tg["wards"])
    meta = json.loads(demo_ws.path("tgps_coverage.json").read_text())
    assert meta["synthetic"] is True and meta["window"] == ["2023-04", "2025-03"]
    assert meta["area_share"] <= 0.022


def test_paper_table_in_one_command(demo_ws, capsys):
    """`planner coverage --workspace WS` reproduces the demo step's coverage report."""
    meta = json.loads(demo_ws.path("tgps_coverage.json").read_text())
    assert main(["coverage", "--workspace", str(demo_ws.root), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    for k in ("area_share", "offence_share", "harm_share", "knife_share", "pai", "harm_pai"):
        assert s[k] == pytest.approx(meta[k], rel=1e-6)
    assert s["n_tgps"] == 84 and s["asb_overlapping_violent"] == meta["asb_overlapping_violent"]
    assert [r["area"] for r in s["by_lpa"]] == [r["area"] for r in meta["by_lpa"]]
    assert s["pai"] > 3  # the layer concentrates crime


def test_advance_on_the_demo(demo_ws, tmp_path, capsys):
    rc = main(
        [
            "advance",
            "--lpa",
            "Coventry",
            "--workspace",
            str(demo_ws.root),
            "--out",
            str(tmp_path / "adv"),
            "--json",
        ]
    )
    assert rc == 0
    s = json.loads(capsys.readouterr().out)
    assert s["lpa"] == "Coventry" and s["as_of"] == str(demo_ws.today) and s["synthetic"] is True
    html = (tmp_path / "adv" / "briefing.html").read_text()
    assert "SYNTHETIC DATA" in html and "<svg" in html
    assert s["targets"] == 20

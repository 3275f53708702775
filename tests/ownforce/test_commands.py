"""The hotspot commands on a force's own workspace (--workspace in place of --crimes/--boundary)."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd

from planner.cli import main
from planner.workspace import Workspace


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_hotspots_tgps_coverage_advance_on_the_workspace(ws_dir, tmp_path, capsys):
    out = tmp_path / "cells.parquet"
    assert (
        main(["hotspots", "--workspace", str(ws_dir), "--cell", "500", "--out", str(out), "--json"])
        == 0
    )
    h = _json(capsys)
    assert h["crimes"] == 12 and h["load"]["read"] == 12 and h["load"]["rejected"] == 0
    cells = gpd.read_parquet(out)
    assert cells["count"].sum() == 12 and len(cells) == h["cells"]
    # --crimes/--boundary still win over the workspace's
    assert main(["hotspots", "--workspace", str(ws_dir), "--crimes", str(ws_dir / "crime/crimes.parquet"),
                 "--types", "Robbery", "--out", str(out), "--json"]) == 0  # fmt: skip
    assert _json(capsys)["crimes"] == 1
    assert (
        main(
            [
                "tgps",
                "--workspace",
                str(ws_dir),
                "--min-per-year",
                "1",
                "--area-share",
                "0.5",
                "--json",
            ]
        )
        == 0
    )
    tg = _json(capsys)
    ws = Workspace(ws_dir)
    assert ws.has_table("tgps") and ws.has_table("tgps_coverage") and not ws.is_synthetic("tgps")
    assert ws.meta["tgps_window"] == ["2024-01", "2024-02"]
    assert len(ws.tgps()) == tg["n_tgps"] == tg["coverage"]["n_tgps"]
    assert main(["coverage", "--workspace", str(ws_dir), "--json"]) == 0
    cov = _json(capsys)
    assert cov["offence_share"] == tg["coverage"]["offence_share"]
    assert [r["area"] for r in cov["by_lpa"]] == ["E07000001", "E07000002"]
    table = pd.read_csv(ws_dir / "tgps_coverage.csv")
    assert table["area"].tolist() == ["Force", "E07000001", "E07000002"]
    # a second derivation keeps the IDs of the areas that persist
    assert (
        main(
            [
                "tgps",
                "--workspace",
                str(ws_dir),
                "--min-per-year",
                "1",
                "--area-share",
                "0.5",
                "--json",
            ]
        )
        == 0
    )
    assert _json(capsys)["ids_kept_from_previous"] == tg["n_tgps"]
    assert (
        main(
            [
                "advance",
                "--workspace",
                str(ws_dir),
                "--lpa",
                "E07000001",
                "--out",
                str(tmp_path / "adv"),
                "--json",
            ]
        )
        == 0
    )
    adv = _json(capsys)
    assert adv["files"]["html"].endswith(".html")


def test_no_inputs_is_one_clear_line(tmp_path, capsys):
    assert main(["hotspots", "--out", str(tmp_path / "x.parquet")]) == 2
    assert "give --crimes and --boundary, or --workspace DIR" in capsys.readouterr().err
    assert main(["tgps", "--crimes", str(tmp_path)]) == 2
    assert "give --out FILE.gpkg, or --workspace DIR" in capsys.readouterr().err

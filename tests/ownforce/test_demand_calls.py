"""Calls for service as a demand layer: planner import calls, then hotspots/tgps --demand calls,
with exact expected values computed directly on the same small synthetic input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

sys.path.insert(0, str(Path(__file__).parent))
from ownforce_builders import X0, Y0, ward_centre  # noqa: E402

from planner.cli import main
from planner.workspace import Workspace

CALLS = [
    ("C1", "2024-01-05T10:00", "Violence", X0 + 50, Y0 + 50),
    ("C2", "2024-01-20 23:30", "ASB", X0 + 60, Y0 + 40),
    ("C3", "2024-02-01T00:30", "Concern for safety", X0 + 1550, Y0 + 1550),
    ("C4", "2024-01-07T02:00", "Violence", *ward_centre("E05000001", dx=7, dy=3)),
    ("C5", "later", "Violence", X0 + 50, Y0 + 50),
    ("C6", "2024-01-09T02:00", "Violence", -5.0, Y0),
    ("C1", "2024-01-05T10:00", "Violence", X0 + 50, Y0 + 50),
    ("C7", "2024-01-31T23:30", "Theft", X0 + 2950, Y0 + 1950),
]


def _json(capsys, *argv) -> dict:
    rc = main([*map(str, argv), "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out)


@pytest.fixture
def calls_ws(ws_dir, tmp_path, capsys):
    f = tmp_path / "calls.csv"
    pd.DataFrame(CALLS, columns=["Ref", "Received", "Opening code", "x", "y"]).to_csv(
        f, index=False
    )
    c = _json(capsys, "import", "calls", f, "--workspace", ws_dir,
              "--map", "Ref=call_id", "--map", "Received=time", "--map", "Opening code=category")  # fmt: skip
    assert (c["read"], c["inserted"], c["duplicates"], c["rejected"]) == (8, 5, 1, 2)
    assert c["read"] == c["inserted"] + c["updated"] + c["duplicates"] + c["rejected"]
    assert set(c["by_reason"]) == {
        "time 'later' is not a date/time (use ISO 8601 such as 2025-09-29T14:30 or DD/MM/YYYY HH:MM)",
        "x/y outside British National Grid (EPSG:27700) range",
    }
    again = _json(capsys, "import", "calls", f, "--workspace", ws_dir,
                  "--map", "Ref=call_id", "--map", "Received=time", "--map", "Opening code=category")  # fmt: skip
    assert (again["inserted"], again["duplicates"], again["rows"]) == (0, 6, 5)
    return ws_dir


def _expected_calls(cells: gpd.GeoDataFrame, ids: list[str]) -> np.ndarray:
    """Calls per cell by brute force: each call is in the cell polygon covering its point."""
    pts = {r[0]: Point(r[3], r[4]) for r in CALLS}
    return np.array([sum(g.covers(pts[i]) for i in ids) for g in cells.geometry], dtype=np.int64)


def test_hotspots_demand_weighted_counts(calls_ws, tmp_path, capsys):
    out = tmp_path / "cells.parquet"
    h = _json(capsys, "hotspots", "--workspace", calls_ws, "--cell", "100", "--start", "2024-01",
              "--end", "2024-01", "--demand", "calls", "--demand-weight", "0.5", "--out", out)  # fmt: skip
    # January's calls: C1, C2, C4, C7 (C7 at 23:30 on the 31st, local time, is still January)
    assert h["demand"] == {"layer": "calls", "calls": 4, "calls_in_cells": 4, "weight": 0.5,
                           "of": "count", "mode": "weighted"}  # fmt: skip
    cells = gpd.read_parquet(out)
    expect = _expected_calls(cells, ["C1", "C2", "C4", "C7"])
    assert cells["calls"].to_numpy().tolist() == expect.tolist()
    assert int(cells["calls"].max()) == 2  # C1 and C2 share a cell
    assert (cells["demand"] == cells["count"] + 0.5 * cells["calls"]).all()
    # harm as the base: demand = harm + 0.5 x calls
    _json(capsys, "hotspots", "--workspace", calls_ws, "--cell", "100", "--start", "2024-01",
          "--end", "2024-01", "--demand", "calls", "--demand-weight", "0.5", "--weight", "harm",
          "--out", out)  # fmt: skip
    cells = gpd.read_parquet(out)
    assert np.allclose(cells["demand"], cells["harm"] + 0.5 * cells["calls"], rtol=0, atol=1e-9)


def test_hotspots_demand_surfaces(calls_ws, tmp_path, capsys):
    base = ["hotspots", "--workspace", calls_ws, "--cell", "100", "--method", "kde",
            "--bandwidth", "300", "--demand", "calls"]  # fmt: skip
    a, b, c = tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "c.parquet"
    _json(capsys, *base, "--demand-mode", "separate", "--out", a)
    _json(capsys, *base, "--demand-mode", "weighted", "--demand-weight", "2", "--out", b)
    _json(capsys, "hotspots", "--workspace", calls_ws, "--cell", "100", "--method", "kde",
          "--bandwidth", "300", "--out", c)  # fmt: skip
    sep, wtd, crimes_only = gpd.read_parquet(a), gpd.read_parquet(b), gpd.read_parquet(c)
    # separate: the crime surface is the plain one, the calls surface sits beside it
    assert np.array_equal(sep["kde"].to_numpy(), crimes_only["kde"].to_numpy())
    assert sep["calls_kde"].max() > 0 and "calls_kde" not in wtd.columns
    # weighted: one surface of crimes (weight 1) and calls (weight 2); the quartic kernel is
    # linear in the weights, so it equals crime surface + 2 x call surface (to the FFT's
    # rounding, ~1e-7 of the peak)
    assert np.allclose(wtd["kde"], sep["kde"] + 2 * sep["calls_kde"], rtol=1e-6, atol=1e-5)
    assert not np.allclose(wtd["kde"], sep["kde"], rtol=1e-3)
    # Gi* on the calls alone, separate
    g = _json(capsys, "hotspots", "--workspace", calls_ws, "--cell", "500", "--method", "gistar",
              "--demand", "calls", "--demand-mode", "separate", "--out", a)  # fmt: skip
    gi = gpd.read_parquet(a)
    assert {"calls_gi_z", "calls_hot"} <= set(gi.columns)
    assert g["demand"]["calls_hot_cells"] == int(gi["calls_hot"].sum())


def test_tgps_report_the_calls_they_hold(calls_ws, tmp_path, capsys):
    t = _json(capsys, "tgps", "--workspace", calls_ws, "--min-per-year", "1", "--area-share",
              "0.5", "--demand", "calls")  # fmt: skip
    d = t["demand"]
    layer = Workspace(calls_ws).tgps()
    pts = {r[0]: Point(r[3], r[4]) for r in CALLS}
    window = ["C1", "C2", "C3", "C4", "C7"]  # the derivation's 2024-01..2024-02
    held = {
        tid: sum(g.covers(pts[i]) for i in window)
        for tid, g in zip(layer["tgp_id"], layer.geometry)
    }
    in_layer = sum(any(g.covers(pts[i]) for g in layer.geometry) for i in window)
    assert d["by_tgp"] == held and d["calls"] == 5 and d["calls_in_tgps"] == in_layer
    assert in_layer >= 1  # C4 lies at the centre of ward 1, the violent TGP
    assert d["calls_share"] == pytest.approx(in_layer / 5)


def test_demand_needs_the_calls_table(ws_dir, tmp_path, capsys):
    rc = main(["hotspots", "--workspace", str(ws_dir), "--demand", "calls",
               "--out", str(tmp_path / "x.parquet")])  # fmt: skip
    assert rc == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"planner hotspots: error: workspace {ws_dir} has no calls for service; fill it with "
        f"`planner import calls CALLS.csv --workspace {ws_dir}`"
    )


def test_tgps_rules_none_put_calls_in_the_objective(calls_ws, tmp_path, capsys):
    from planner.cli.hotspots import load_inputs
    from planner.hotspots.config import ANALYSIS_COLUMNS, TGPConfig
    from planner.hotspots.demand import DemandPoints, workspace_calls
    from planner.hotspots.tgps import derive_tgps

    base = ["tgps", "--workspace", calls_ws, "--rules", "none", "--rank-by", "count",
            "--area-share", "0.002", "--count", "2", "--demand", "calls"]  # fmt: skip
    t = _json(capsys, *base, "--demand-weight", "50", "--out", tmp_path / "w50.gpkg")
    d = t["demand"]
    assert (d["in_objective"], d["weight"], d["calls"]) == (True, 50.0, 5)
    # the same derivation in the library, on the workspace's crimes and calls
    ws = Workspace(calls_ws)
    crimes, area, _ = load_inputs(
        [ws.table_path(ws.series_table)], ws.table_path("force"), ANALYSIS_COLUMNS
    )
    cfg = TGPConfig(area_share=0.002, n_total=2, n_violent=2, rules="none", rank_by="count")
    ref = derive_tgps(crimes, area, None, cfg,
                      demand=DemandPoints.from_calls(workspace_calls(ws), 50.0))  # fmt: skip
    got = gpd.read_file(tmp_path / "w50.gpkg")
    assert sorted(shapely.area(got.geometry)) == pytest.approx(
        sorted(shapely.area(ref.tgps.geometry))
    )
    pts = {r[0]: Point(r[3], r[4]) for r in CALLS}
    in_layer = sum(
        any(g.covers(pts[i]) for g in got.geometry) for i in ["C1", "C2", "C3", "C4", "C7"]
    )
    assert d["calls_in_tgps"] == in_layer
    # crimes only: the calls are reported, not in the objective, and the layer holds fewer
    t0 = _json(capsys, *base, "--demand-weight", "0", "--out", tmp_path / "w0.gpkg")
    assert t0["demand"]["in_objective"] is True and t0["demand"]["calls_in_tgps"] < in_layer
    plain = _json(capsys, *base[:-2], "--out", tmp_path / "plain.gpkg")
    assert "demand" not in plain and plain["area_m2"] == pytest.approx(t0["area_m2"])
    # under the Op Savvy rules the calls are only reported
    ops = _json(capsys, "tgps", "--workspace", calls_ws, "--min-per-year", "1", "--area-share",
                "0.5", "--demand", "calls", "--out", tmp_path / "ops.gpkg")  # fmt: skip
    assert ops["demand"]["in_objective"] is False and ops["demand"]["weight"] is None

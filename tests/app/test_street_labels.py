"""The workspace's TGP street labels (AppData.street_labels): the months read, the cache file
in the workspace's .cache folder (used on the next start, rebuilt when the crimes change)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from planner.app.data import CACHE_DIR, AppData
from planner.hotspots import labels as labels_mod
from planner.hotspots.labels import main_streets
from tests.app.conftest import build_small_workspace

X, Y = 407000, 287000  # Birmingham (inside the WM force area)

#: (x, y, location, month); the workspace's today is 2025-12-31, so the label window is
#: 2025-01 .. 2025-12 and the 2024 crimes must not count
ROWS = [
    (X + 50, Y + 50, "On or near A Road", "2025-03"),
    (X + 60, Y + 50, "On or near A Road", "2025-04"),
    (X + 150, Y + 50, "On or near B Street", "2025-05"),  # T1 and T2
    (X + 160, Y + 50, "On or near B Street", "2025-06"),  # T1 and T2
    (X + 170, Y + 50, "On or near B Street", "2024-12"),  # outside the window
    (X + 250, Y + 50, "On or near C Lane", "2025-07"),  # T2
    (X + 3050, Y + 3050, "On or near Supermarket", "2025-08"),  # T3: names no street
    (X + 3060, Y + 3050, None, "2025-09"),  # T3: no location
    *[(X + 50, Y + 60, "On or near Z Road", "2024-11")] * 3,  # outside the window
    (X + 9000, Y + 9000, "On or near Far Road", "2025-02"),  # outside every TGP
]


def _write_crimes(ws, rows) -> None:
    from planner.schema import make_crimes

    crimes = make_crimes(
        np.array([r[0] for r in rows], dtype=float),
        np.array([r[1] for r in rows], dtype=float),
        np.array(["Robbery"] * len(rows)),
        month=np.array([r[3] for r in rows]),
        location=[r[2] for r in rows],
    )
    crimes["occurred_at"] = pd.Series(
        pd.NaT, index=crimes.index, dtype="datetime64[ns, Europe/London]"
    )
    crimes.to_parquet(ws.table_path("crimes_synthetic"))


@pytest.fixture
def ws(tmp_path):
    ws = build_small_workspace(tmp_path / "ws")
    _write_crimes(ws, ROWS)
    tgps = gpd.GeoDataFrame(
        {"tgp_id": ["TGP-001", "TGP-002", "TGP-003"]},
        geometry=[
            box(X, Y, X + 200, Y + 200),
            box(X + 100, Y, X + 300, Y + 200),
            box(X + 3000, Y + 3000, X + 3100, Y + 3100),
        ],
        crs=27700,
    )
    tgps.to_file(ws.root / "tgps.gpkg", driver="GPKG")
    ws.add_table("tgps", "tgps.gpkg", synthetic=True, description="test TGPs", rows=3)
    return ws


#: counted by hand from ROWS (2025 crimes only; a tie goes to the alphabetical first)
EXPECTED = {
    "tgp_id": ["TGP-001", "TGP-002", "TGP-003"],
    "main_street": ["A Road", "B Street", None],
    "street_crimes": [2, 2, 0],
    "crimes": [4, 3, 2],
    "label": ["TGP-001 A Road", "TGP-002 B Street", "TGP-003"],
}


def test_labels_of_the_window_cached_for_the_next_start(ws, monkeypatch):
    got = AppData(ws.root).street_labels()
    assert got.to_dict("list") == EXPECTED
    # the same as main_streets over the window's crimes read the ordinary way
    crimes = ws.crimes("2025-01", "2025-12", columns=["location", "geometry"])
    pd.testing.assert_frame_equal(got, main_streets(ws.tgps(), crimes))
    assert (ws.root / CACHE_DIR / "street_labels.json").is_file()

    # the next start reads the cache: no labelling, no crimes read
    def boom(*a, **k):
        raise AssertionError("labels recomputed although the cache is valid")

    monkeypatch.setattr(labels_mod, "main_streets_at", boom)
    again = AppData(ws.root)
    pd.testing.assert_frame_equal(again.street_labels(), got)
    assert "_label_points" not in again.__dict__


def test_changed_crimes_rebuild_the_cached_labels(ws):
    assert AppData(ws.root).street_labels()["main_street"].tolist() == ["A Road", "B Street", None]
    # three more crimes on D Drive in TGP-001 (2025-10): its main street changes
    _write_crimes(ws, [*ROWS, *[(X + 20, Y + 20, "On or near D Drive", "2025-10")] * 3])
    got = AppData(ws.root).street_labels()
    assert got.to_dict("list") == {
        **EXPECTED,
        "main_street": ["D Drive", "B Street", None],
        "street_crimes": [3, 2, 0],
        "crimes": [7, 3, 2],
        "label": ["TGP-001 D Drive", "TGP-002 B Street", "TGP-003"],
    }


def test_a_corrupt_cache_file_is_rebuilt(ws):
    cache = ws.root / CACHE_DIR / "street_labels.json"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("{not json")
    assert AppData(ws.root).street_labels().to_dict("list") == EXPECTED
    assert AppData(ws.root).street_labels().to_dict("list") == EXPECTED  # now from the file


def test_a_rederived_layer_is_labelled_over_the_same_window(ws):
    d = AppData(ws.root)
    layer = gpd.GeoDataFrame(
        {"tgp_id": ["TGP-101"]}, geometry=[box(X + 140, Y, X + 300, Y + 100)], crs=27700
    )
    got = d.street_labels(layer)
    # B Street x2 (2025) and C Lane x1 inside; the 2024 B Street crime is outside the window
    assert got.to_dict("list") == {
        "tgp_id": ["TGP-101"],
        "main_street": ["B Street"],
        "street_crimes": [2],
        "crimes": [3],
        "label": ["TGP-101 B Street"],
    }
    # a layer in another CRS gives the same answer
    pd.testing.assert_frame_equal(d.street_labels(layer.to_crs(3857)), got)

"""The Hotspots page's calls-for-service layer and ASB-area overlap (issue 19 items 3 and 9) on
a tiny force: counts checked by brute force on the same polygons and points, scoped by LPA."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

sys.path.insert(0, str(Path(__file__).parent))
from ownforce_builders import LPA_OF, ward_centre  # noqa: E402

from planner.access.roles import Principal
from planner.app.data import AppData
from planner.app.registry import build_page
from planner.app.state.hotspots import MapState
from planner.app.state.hotspots_demand import ASB_OVERLAP, CALLS_BY_TGP
from planner.cli import main
from planner.workspace import Workspace

#: (id, time, ward, dx, dy): ward 1 is the violent TGP's centre; ward 6 the other LPA
CALLS = [
    ("K1", "2024-01-05T10:00", "E05000001", 5, 5),
    ("K2", "2024-01-06T11:00", "E05000001", -20, 10),
    ("K3", "2024-01-20T23:30", "E05000002", 0, 0),
    ("K4", "2024-01-31T23:30", "E05000006", 3, 3),  # still January in local time
    ("K5", "2024-02-01T00:30", "E05000006", 0, 0),  # February
    ("K6", "2024-01-09T02:00", "E05000004", 1, 1),
]


def _json(capsys, *argv) -> dict:
    rc = main([*map(str, argv), "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out)


@pytest.fixture
def demand_ws(ws_dir, tmp_path, capsys) -> Path:
    """TGPs derived, calls imported and the force's own ASB areas imported."""
    _json(capsys, "tgps", "--workspace", ws_dir, "--min-per-year", "1", "--area-share", "0.5")
    rows = [(i, t, *ward_centre(w, dx=dx, dy=dy)) for i, t, w, dx, dy in CALLS]
    f = tmp_path / "calls.csv"
    pd.DataFrame(rows, columns=["call_id", "time", "x", "y"]).assign(category="Violence").to_csv(
        f, index=False
    )
    c = _json(capsys, "import", "calls", f, "--workspace", ws_dir)
    assert (c["inserted"], c["rejected"]) == (6, 0)
    layer = Workspace(ws_dir).tgps()
    v = layer[layer["kind"] == "violent"].geometry.iloc[0]
    vx, vy = v.centroid.x, v.centroid.y
    x6, y6 = ward_centre("E05000006")
    asb = gpd.GeoDataFrame(
        {"Area": ["ASB In", "ASB Far"]},
        geometry=[box(vx - 100, vy - 100, vx + 100, vy + 100), box(x6 - 90, y6 - 60, x6 + 90, y6)],
        crs=27700,
    ).to_crs(4326)
    g = tmp_path / "asb.geojson"
    asb.to_file(g, driver="GeoJSON")
    _json(capsys, "import", "tgps", g, "--workspace", ws_dir, "--asb", "--map", "Area=tgp_id")
    return ws_dir


def _pts(ids):
    return {i: Point(*ward_centre(w, dx=dx, dy=dy)) for i, _t, w, dx, dy in CALLS if i in ids}


def test_calls_layer_counts_and_scope(demand_ws):
    data = AppData(demand_ws)
    st = MapState(data, start="2024-01", end="2024-01")
    assert st.has_calls()
    jan = ["K1", "K2", "K3", "K4", "K6"]
    assert sorted(st.calls()["call_id"]) == jan
    # the map's points are the calls projected to EPSG:3857
    web = gpd.GeoSeries(list(_pts(jan).values()), crs=27700).to_crs(3857)
    got = st.calls_points().sort_values(["x", "y"]).to_numpy()
    want = np.sort(np.c_[web.x, web.y].view("f8,f8"), axis=0).view("f8").reshape(-1, 2)
    assert np.allclose(got, want, atol=1e-6)
    # per TGP: brute force with the stored (unsimplified) TGP polygons
    layer = Workspace(demand_ws).tgps()
    pts = _pts(jan)
    t = st.calls_by_tgp()
    assert list(t.columns) == CALLS_BY_TGP and len(t) == len(layer)
    for r in t.itertuples():
        g = layer.loc[layer["tgp_id"] == r.tgp_id].geometry.iloc[0]
        assert r.calls == sum(g.covers(p) for p in pts.values())
        assert r.share_of_lpa_calls == round(r.calls / len(jan), 4)
    assert t["calls"].iloc[0] >= 2  # K1 and K2 lie in the violent TGP around ward 1's centre
    assert list(t["calls"]) == sorted(t["calls"], reverse=True)
    held = sum(any(g.covers(p) for g in layer.geometry) for p in pts.values())
    line = st.calls_line()
    assert line.startswith("5 calls for service in Test Police, 2024-01 to 2024-01;")
    assert line.endswith(f"the TGPs hold {held} ({100 * held / 5:.1f}%).")
    # one LPA: its calls only, and its TGPs only
    lpa2 = LPA_OF["E05000006"]
    st.lpa = lpa2
    assert sorted(st.calls()["call_id"]) == ["K4", "K6"]
    assert set(st.calls_by_tgp()["lpa"]) <= {lpa2}
    # an inspector of the other LPA never gets these calls, whatever they choose
    insp = MapState(
        data, principal=Principal("i", "inspector", (LPA_OF["E05000001"],)), start="2024-01"
    )
    insp.end = "2024-02"
    assert sorted(insp.calls()["call_id"]) == ["K1", "K2", "K3"]
    assert set(insp.calls_by_tgp()["lpa"]) == {LPA_OF["E05000001"]}


def test_asb_overlap_table_matches_a_direct_intersection(demand_ws):
    data = AppData(demand_ws)
    st = MapState(data)
    by, text = st.asb_overlap_table()
    layer = Workspace(demand_ws).tgps().set_index("tgp_id")
    violent = layer[layer["kind"] == "violent"]
    assert list(by.columns) == ASB_OVERLAP and list(by["tgp_id"]) == list(violent.index)
    vg = violent.geometry.iloc[0]
    expect = vg.intersection(layer.loc["ASB In", "geometry"]).area / vg.area
    assert by["overlap_share"].iloc[0] == round(expect, 4) > 0
    assert by["asb_areas"].iloc[0] == "ASB In"
    assert text.splitlines()[0] == (
        "ASB areas overlap 1 of 1 violent-crime TGPs (1 of 2 ASB areas overlap one)"
    )
    # no ASB areas of the force's own: no table
    plain = AppData(demand_ws)
    plain.__dict__["tgps_bng"] = layer.reset_index()[lambda d: ~d["force_asb"].astype(bool)]
    assert MapState(plain).asb_overlap_table() is None


def test_page_sections_and_the_calls_map_layer(demand_ws, ws_dir):
    data = AppData(demand_ws)
    page = build_page("hotspots", data)
    view = page.__panel__()
    css = {c for o in view.select() for c in (getattr(o, "css_classes", None) or [])}
    assert {"calls-line", "calls-by-tgp", "asb-overlap", "asb-overlap-text"} <= css
    switch = [o for o in view.select() if "calls-switch" in (o.css_classes or [])][0]
    assert switch.disabled is False
    # the switch draws the datashaded calls: every call of the period in the view is counted
    m = page._map
    m.fig.x_range.start, m.fig.x_range.end = page.state.extent()[0::2]
    m.fig.y_range.start, m.fig.y_range.end = page.state.extent()[1::2]
    assert m._calls.visible is False
    page.state.param.update(show_calls=True, start="2024-01", end="2024-01")
    assert m._calls.visible is True
    img = m._calls_src.data["image"][0]
    assert int(np.nansum(img)) == 5
    page.state.end = "2024-02"
    assert int(np.nansum(m._calls_src.data["image"][0])) == 6

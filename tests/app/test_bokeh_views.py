"""The plain Bokeh helpers of the app against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS, Proj

from planner.app import bokeh_views as bv
from planner.app.layers import bokeh_multipolygons


def test_fit_aspect_keeps_centre_and_fills_frame():
    x0, y0, x1, y1 = bv.fit_aspect((0.0, 0.0, 100.0, 100.0), (800, 400))
    assert (x0 + x1) / 2 == pytest.approx(50.0) and (y0 + y1) / 2 == pytest.approx(50.0)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(2.0)
    assert (x1 - x0, y1 - y0) == pytest.approx((200.0, 100.0))  # the shorter side was widened
    tall = bv.fit_aspect((0.0, 0.0, 300.0, 100.0), (400, 400))
    assert (tall[2] - tall[0], tall[3] - tall[1]) == pytest.approx((300.0, 300.0))


def test_mercator_scale_matches_pyproj():
    """Web Mercator scale factor against pyproj's projection factors at the same points."""
    proj = Proj(CRS.from_epsg(3857))
    lats = np.array([0.0, 52.3, 52.6, 60.0])
    _, y = proj(np.zeros_like(lats), lats)
    f = proj.get_factors(np.zeros_like(lats), lats)
    np.testing.assert_allclose(bv.mercator_scale(np.asarray(y)), f.parallel_scale, rtol=1e-6)


def test_multipolygons_layout_with_holes_and_parts():
    square = shapely.box(0, 0, 10, 10)
    holed = shapely.Polygon(square.exterior.coords, [shapely.box(2, 2, 4, 4).exterior.coords])
    multi = shapely.MultiPolygon([shapely.box(20, 0, 21, 1), shapely.box(30, 0, 31, 1)])
    xs, ys = bokeh_multipolygons([holed, multi, shapely.Polygon()])
    assert len(xs) == 3
    assert len(xs[0]) == 1 and len(xs[0][0]) == 2  # one polygon: exterior and one hole
    assert xs[0][0][0] == np.asarray(holed.exterior.coords)[:, 0].tolist()
    assert ys[0][0][1] == np.asarray(holed.interiors[0].coords)[:, 1].tolist()
    assert len(xs[1]) == 2 and [len(p) for p in xs[1]] == [1, 1]  # two parts, no holes
    assert min(xs[1][1][0]) == 30.0
    assert xs[2] == [] and ys[2] == []  # empty geometry: nothing to draw


def test_multipolygons_rounded_plain_lists_sent_without_buffers():
    """Coordinates are rounded floats in lists, so Bokeh sends the layer inside the document
    message instead of one binary buffer (two websocket messages) per ring."""
    from bokeh.document import Document
    from bokeh.models import ColumnDataSource
    from bokeh.protocol import Protocol

    poly = shapely.Polygon([(0.123, 0.0), (10.06, 0.0), (10.06, 5.55), (0.123, 0.0)])
    xs, ys = bokeh_multipolygons([poly, poly])
    assert xs[0][0][0] == [0.1, 10.1, 10.1, 0.1]
    assert ys[0][0][0] == [0.0, 0.0, 5.6, 0.0]
    assert all(type(v) is float for v in xs[0][0][0])
    raw, _ = bokeh_multipolygons([poly], decimals=None)
    assert raw[0][0][0] == [0.123, 10.06, 10.06, 0.123]
    doc = Document()
    doc.add_root(ColumnDataSource({"xs": xs, "ys": ys}))
    assert Protocol().create("PULL-DOC-REPLY", "x", doc).buffers == []
    arrays = Document()
    arrays.add_root(ColumnDataSource({"xs": [[[np.array(r) for r in p] for p in f] for f in xs]}))
    assert len(Protocol().create("PULL-DOC-REPLY", "x", arrays).buffers) == 2  # the contrast


def test_points_image_matches_histogram():
    """The datashader count raster equals numpy's 2-D histogram of the same points (0 -> NaN)."""
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 100, 5000)
    y = rng.uniform(0, 50, 5000)
    d = bv.points_image_data(x, y, (0.0, 100.0), (0.0, 50.0), (20, 10))
    img = d["image"][0]
    assert img.shape == (10, 20)
    ref, _, _ = np.histogram2d(y, x, bins=(10, 20), range=((0, 50), (0, 100)))
    got = np.nan_to_num(img, nan=0.0)
    # datashader puts a point on the upper edge into the last bin, like numpy
    np.testing.assert_array_equal(got, ref)
    assert np.isnan(img[got == 0]).all()
    assert (d["x"], d["y"], d["dw"], d["dh"]) == ([0.0], [0.0], [100.0], [50.0])


def test_value_range():
    assert bv.value_range(np.array([np.nan, 2.0, 5.0])) == (0.0, 5.0)
    assert bv.value_range(np.array([np.nan])) == (0.0, 1.0)
    assert bv.value_range(np.zeros(3)) == (0.0, 1.0)


def test_bar_figure_tap_calls_back_with_index():
    fig, source, r = bv.bar_figure(height=200, ylabel="crimes")
    source.data = {"label": ["a", "b"], "value": [1.0, 2.0], "key": ["A", "B"]}
    got = []
    bv.tap_selection(r, got.append)
    source.selected.indices = [1]
    source.selected.indices = []  # a cleared selection is not a tap
    assert got == [1]


@pytest.fixture
def small_map(small_ws):
    from planner.app.components.hotspot_map import HotspotMap
    from planner.app.data import AppData
    from planner.app.state.hotspots import MapState

    st = MapState(AppData(small_ws.root))
    return st, HotspotMap(state=st)


def _areas_source(view):
    return next(r for r in view.fig.renderers if r.name == "areas").data_source


def test_hotspot_map_updates_values_in_place(small_map, small_expected):
    """A filter change replaces the value column only; it equals the brute-force ward counts."""
    st, view = small_map
    src = _areas_source(view)
    xs_before = src.data["xs"]
    st.crime_types = ["Robbery"]
    st.start, st.end = "2025-10", "2025-12"
    codes = st.data.layer("wards")["ward_code"].astype(str)
    want = small_expected(types=("Robbery",)).reindex(codes).to_numpy()
    np.testing.assert_array_equal(np.asarray(src.data["value"]), want)
    assert src.data["xs"] is xs_before  # the polygons were not re-sent
    st.lpa = st.data.lpa_names()[0]
    inside = (st.data.layer("wards")["lpa"] == st.lpa).to_numpy()
    v = np.asarray(src.data["value"])
    assert np.isnan(v[~inside]).all() and np.array_equal(v[inside], want[inside])
    x0, x1 = view.fig.x_range.start, view.fig.x_range.end
    e = st.extent()
    assert x0 <= e[0] and x1 >= e[2]  # zoomed to the LPA (the frame may widen one side)


def test_drill_bars_follow_the_map_measure(small_map):
    """The drill chart's values and its axis label follow the map's crimes/harm switch."""
    from planner.app.components.drill import DrillBars
    from planner.app.state.hotspots import CrimeDrillState

    st, _view = small_map
    bars = DrillBars(state=CrimeDrillState(map=st), title="Drill down", ylabel=st.param.measure)
    src = bars._source
    assert bars._fig.yaxis[0].axis_label == "crimes"
    crimes = dict(zip(src.data["label"], src.data["value"], strict=True))
    st.measure = "harm"
    assert bars._fig.yaxis[0].axis_label == "harm"
    harm = st.data.area_totals("LPAs", *st.period, st.crime_types, "harm")
    assert dict(zip(src.data["label"], src.data["value"], strict=True)) == pytest.approx(
        dict(zip(harm["lpa"], harm["value"], strict=True))
    )
    assert crimes != dict(zip(src.data["label"], src.data["value"], strict=True))


def test_hotspot_map_level_change_swaps_geometry(small_map):
    st, view = small_map
    st.level = "LPAs"
    src = _areas_source(view)
    assert len(src.data["xs"]) == len(st.data.layer("LPAs"))
    assert list(src.data["name"]) == list(st.data.layer("LPAs")["lpa"].astype(str))
    assert float(np.nansum(src.data["value"])) == float(st.areas()["value"].sum())


def test_advance_bad_date_is_a_clear_error_and_not_recomputed(small_ws):
    from planner.app.data import AppData
    from planner.errors import PlannerError

    data = AppData(small_ws.root)
    lpa = data.lpa_names()[0]
    with pytest.raises(PlannerError, match="as of 2025-13-45"):
        data.advance(lpa, "2025-13-45")
    assert data.advance_ready(lpa, "2025-13-45")
    with pytest.raises(PlannerError, match="as of 2025-13-45"):  # the kept failure, raised again
        data.advance(lpa, "2025-13-45")

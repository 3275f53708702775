"""App state and data layer without a browser: exact values on a small constructed workspace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.app.crime_index import CrimeIndex, month_index, month_label, wkb_points_xy
from planner.app.data import AppData
from planner.app.layers import simplify_for_display
from planner.app.state.common import ALL_LPAS
from planner.app.state.hotspots import CrimeDrillState, MapState
from planner.errors import PlannerError


@pytest.fixture(scope="module")
def data(small_ws):
    return AppData(small_ws)


def test_month_index_round_trip():
    idx = month_index(["2023-04", "2026-03", "bad"])
    assert idx.tolist() == [2023 * 12 + 3, 2026 * 12 + 2, -1]
    assert [month_label(i) for i in idx[:2]] == ["2023-04", "2026-03"]


def test_wkb_fast_path_matches_shapely(small_ws):
    import pyarrow.parquet as pq
    import shapely

    col = pq.read_table(small_ws.table_path("crimes_synthetic"), columns=["geometry"]).column(
        "geometry"
    )
    ref = shapely.get_coordinates(shapely.from_wkb(np.asarray(col.to_numpy())))
    np.testing.assert_array_equal(wkb_points_xy(col), ref)


def test_index_from_parquet_equals_from_frame(small_ws, data, small_expected):
    g = data.geography
    a = CrimeIndex.from_parquet(small_ws.table_path("crimes_synthetic"), g.wards, g.lsoas)
    b = CrimeIndex.from_frame(small_ws.crimes(), g.wards, g.lsoas)
    for attr in ("month", "type_code", "harm", "ward", "bng"):
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    assert a.months == b.months == small_expected.months


def test_ward_totals_match_brute_force(small_ws, data, small_expected):
    exp = small_expected()
    idx = data.crimes
    got = idx.ward_totals(idx.mask("2025-10", "2025-12"))
    pd.testing.assert_series_equal(
        got.sort_index(), exp.sort_index(), check_names=False, check_index_type=False
    )
    one = idx.ward_totals(idx.mask("2025-11", "2025-11", ["Burglary"]))
    exp1 = small_expected(months=("2025-11",), types=("Burglary",))
    np.testing.assert_array_equal(one.sort_index().to_numpy(), exp1.sort_index().to_numpy())


def test_harm_measure_is_weighted_sum(small_ws, data, small_expected):
    crimes = small_ws.crimes()
    idx = data.crimes
    harm = idx.ward_totals(idx.mask("2025-10", "2025-12"), "harm")
    assert harm.sum() == pytest.approx(crimes["harm"].sum())
    with pytest.raises(PlannerError, match="unknown measure"):
        idx.ward_totals(idx.mask("2025-10", "2025-12"), "rate")


def test_levels_add_up_and_lpa_filter(small_ws, data, small_expected):
    exp = small_expected()
    total = exp.sum()
    for level in ("wards", "neighbourhoods", "LPAs"):
        a = data.area_totals(level, "2025-10", "2025-12")
        assert a["value"].sum() == total
        assert a.crs.to_epsg() == 3857
    h = data.hierarchy.set_index("ward_code")
    cov = data.area_totals("wards", "2025-10", "2025-12", lpa="Coventry")
    assert set(cov["lpa"]) == {"Coventry"}
    assert cov["value"].sum() == exp[h.index[h["lpa"] == "Coventry"]].sum()


def test_simplify_reduces_vertices_and_projects(data):
    import shapely

    raw = data.geography.wards
    disp = simplify_for_display(raw, 100.0)
    assert disp.crs.to_epsg() == 3857
    assert (
        shapely.get_num_coordinates(disp.geometry.to_numpy()).sum()
        < shapely.get_num_coordinates(raw.geometry.to_numpy()).sum()
    )
    assert disp.is_valid.all()
    with pytest.raises(PlannerError, match="EPSG:27700"):
        simplify_for_display(disp, 25.0)


def test_map_state_defaults_and_updates(small_ws, data, small_expected):
    st = MapState(data)
    assert (st.start, st.end) == ("2025-10", "2025-12")  # 3 months ending at today (2025-12-31)
    assert st.param.lpa.objects[0] == ALL_LPAS and "Birmingham" in st.param.lpa.objects
    assert "SYNTHETIC" in st.title()
    exp = small_expected()
    assert st.total() == exp.sum()
    calls = []
    st.param.watch(lambda e: calls.append(e.name), ["lpa"])
    st.lpa = "Solihull"
    assert calls == ["lpa"]
    assert "Solihull" in st.title()
    t = st.table()
    assert list(t.columns) == ["ward", "lpa", "crimes"]
    assert set(t["lpa"]) == {"Solihull"}
    assert t["crimes"].is_monotonic_decreasing
    st.start, st.end = "2025-12", "2025-11"  # reversed: still the same two months
    assert st.period == ("2025-11", "2025-12")
    st.crime_types = ["Robbery"]
    h = data.hierarchy.set_index("ward_code")
    exp_r = small_expected(months=("2025-11", "2025-12"), types=("Robbery",))
    assert st.total() == exp_r[h.index[h["lpa"] == "Solihull"]].sum()


def test_points_filtered_by_lpa(small_ws, data, small_expected):
    st = MapState(data, lpa="Walsall")
    p = st.points()
    h = data.hierarchy.set_index("ward_code")
    exp = small_expected()
    assert len(p) == exp[h.index[h["lpa"] == "Walsall"]].sum()
    assert list(p.columns) == ["x", "y", "harm"]


def test_drill_down_lpa_neighbourhood_ward(small_ws, data, small_expected):
    st = MapState(data)
    dr = CrimeDrillState(map=st)
    top = dr.frame()
    assert dr.level == "LPA" and len(top) == 7
    assert top["value"].sum() == small_expected().sum()
    assert top["value"].is_monotonic_decreasing
    first = top["key"].iloc[0]
    assert dr.drill(first)
    nbh = dr.frame()
    assert dr.level == "neighbourhood"
    assert nbh["value"].sum() == top["value"].iloc[0]
    assert dr.drill(nbh["key"].iloc[0])
    wards = dr.frame()
    assert dr.level == "ward" and wards["value"].sum() == nbh["value"].iloc[0]
    assert not dr.drill(wards["key"].iloc[0])  # bottom level: no further drill
    assert dr.breadcrumb() == f"All > {first} > {nbh['key'].iloc[0]}"
    dr.up()
    dr.up()
    assert dr.path == [] and dr.level == "LPA"
    with pytest.raises(ValueError, match="not an item"):
        dr.drill("Atlantis")
    v = dr.version
    st.measure = "harm"
    assert dr.version == v + 1


def test_surfaces_match_hotspots_library(small_ws, data):
    from planner.hotspots.gistar import grid_gistar
    from planner.hotspots.grid import cell_totals, make_grid
    from planner.hotspots.kde import kde_grid

    crimes = small_ws.crimes()
    g = make_grid(data.geography.study_area, data.config.surface_cell_m, clip=False)
    kde = kde_grid(g, crimes.geometry.x.to_numpy(), crimes.geometry.y.to_numpy())
    got = data.surface("KDE", "2025-10", "2025-12")
    np.testing.assert_allclose(np.sort(got["value"].to_numpy()), np.sort(kde[kde > 0]))
    tot = cell_totals(g, crimes)["count"].to_numpy(dtype="float64")
    ref = grid_gistar(g, tot)
    gi = data.surface("Gi*", "2025-10", "2025-12")
    assert len(gi) == int(ref.hot.sum())
    np.testing.assert_allclose(np.sort(gi["value"].to_numpy()), np.sort(ref.z[ref.hot]))
    st = MapState(data)
    assert st.surface_frame().empty
    st.surface = "KDE"
    assert len(st.surface_frame()) == len(got)


def test_crime_index_cache_round_trip_and_staleness(small_ws, tmp_path):
    """The cached index equals a fresh one; a different stamp or a missing file gives None."""
    from planner.app.crime_index import CrimeIndex

    g = small_ws.geography()
    path = small_ws.table_path("crimes_synthetic")
    fresh = CrimeIndex.from_parquet(path, g.wards, g.lsoas)
    cache = tmp_path / "idx.npz"
    fresh.save(cache, "stamp-1")
    got = CrimeIndex.load(cache, "stamp-1")
    for k in ("month", "type_code", "harm", "bng", "ward"):
        np.testing.assert_array_equal(getattr(got, k), getattr(fresh, k))
    assert (got.months, got.ward_codes, got.n, got.types) == (
        fresh.months,
        fresh.ward_codes,
        fresh.n,
        fresh.types,
    )
    m = fresh.mask(fresh.months[0], fresh.months[-1])
    assert got.ward_totals(m).equals(fresh.ward_totals(m))
    assert CrimeIndex.load(cache, "stamp-2") is None
    assert CrimeIndex.load(tmp_path / "absent.npz", "stamp-1") is None


def test_app_data_uses_and_refreshes_the_cache(small_ws):
    """AppData writes the cache on first use and rebuilds it when the crime file changes."""
    import os

    from planner.app.data import CACHE_DIR, AppData

    cache = small_ws.root / CACHE_DIR / "crime_index.npz"
    first = AppData(small_ws.root).crimes
    assert cache.exists()
    again = AppData(small_ws.root).crimes
    np.testing.assert_array_equal(again.ward, first.ward)
    path = small_ws.table_path("crimes_synthetic")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    before = cache.stat().st_mtime_ns
    third = AppData(small_ws.root).crimes
    assert cache.stat().st_mtime_ns != before  # rebuilt for the changed file
    np.testing.assert_array_equal(third.month, first.month)


def test_app_data_keeps_tables_layouts_and_the_last_tgp_windows(small_ws):
    """Tables and polygon layouts are read once; the TGP crimes of the last four windows are
    kept and a fifth window drops the oldest (read again afterwards, equal to the first read)."""
    from planner.app.data import TGP_WINDOWS_KEPT, AppData

    data = AppData(small_ws.root)
    name = data.crime_table
    assert data.table(name) is data.table(name)
    assert data.multipolygons("wards") is data.multipolygons("wards")
    months = data.crimes.months
    windows = [(a, b) for i, a in enumerate(months) for b in months[i:]]
    assert len(windows) > TGP_WINDOWS_KEPT == 4
    first = data.tgp_crimes(*windows[0])
    assert data.tgp_crimes(*windows[0]) is first
    for w in windows[1 : TGP_WINDOWS_KEPT + 1]:
        data.tgp_crimes(*w)
    again = data.tgp_crimes(*windows[0])
    assert again is not first
    assert again.equals(first)

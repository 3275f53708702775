"""The demo workspace: deterministic, calibrated on the real totals, synthetic tables flagged."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from planner.demo import DEMO_SEED, build_demo
from planner.demo.boundaries import load_wm_geography
from planner.demo.crime import REAL_MONTH_FILE, monthly_counts, synthesise
from planner.io.crime import load_crimes
from planner.schema import CRIME_TYPES


@pytest.fixture(scope="module")
def real_and_lsoas():
    geo = load_wm_geography()
    return load_crimes(REAL_MONTH_FILE, boundary=geo.force).crimes, geo.lsoas


def test_synthesis_same_seed_same_data_other_seed_other_data(real_and_lsoas):
    real, lsoas = real_and_lsoas
    a = synthesise(real, lsoas, np.random.default_rng(7), "2025-01", "2025-01")
    b = synthesise(real, lsoas, np.random.default_rng(7), "2025-01", "2025-01")
    c = synthesise(real, lsoas, np.random.default_rng(8), "2025-01", "2025-01")
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert a.geometry.equals(b.geometry)
    assert len(a) == len(c)  # volumes are fixed by the real totals ...
    assert not a.geometry.equals(c.geometry)  # ... places and times are drawn


def test_full_demo_rebuild_is_identical(demo_ws, tmp_path):
    again = build_demo(
        tmp_path / "again",
        seed=demo_ws.meta["seed"],
        steps=["boundaries", "crime", "people"],
        progress=False,
    )
    a, b = (
        demo_ws.crimes(start="2025-10", end="2025-12"),
        again.crimes(start="2025-10", end="2025-12"),
    )
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert a.geometry.equals(b.geometry)
    pd.testing.assert_frame_equal(demo_ws.officers(), again.officers())
    pd.testing.assert_frame_equal(demo_ws.postings(), again.postings())


def test_demo_calibrated_on_real_monthly_totals_and_lsoa_volumes(demo_ws):
    assert demo_ws.meta["seed"] == DEMO_SEED
    assert demo_ws.today == date(2025, 12, 31)
    c = demo_ws.crimes(columns=["month", "crime_type", "lsoa_code", "occurred_at", "geometry"])
    got = (
        c.groupby(["month", "crime_type"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(CRIME_TYPES), fill_value=0)
    )
    want = monthly_counts("2023-04", "2026-03")
    # every month x type count equals the real WMP police.uk count (2024-04..2026-03) exactly
    got.index = got.index.astype(str)
    got.columns = got.columns.astype(str)
    pd.testing.assert_frame_equal(
        got.astype("int64"),
        want.astype("int64"),
        check_names=False,
        check_index_type=False,
        check_column_type=False,
    )
    assert want.loc["2025-12", "Anti-social behaviour"] == 719  # the real police.uk figure
    # LSOA volumes follow the real 2024-26 LSOA totals
    from planner.paths import GEODATA

    real = pd.read_csv(GEODATA / "reference" / "wmp_lsoa_totals_2024-2026.csv").set_index(
        "lsoa_code"
    )["crimes"]
    syn = c[c["month"] >= "2024-04"].groupby("lsoa_code").size().reindex(real.index, fill_value=0)
    rho = pd.Series(syn.to_numpy()).corr(pd.Series(real.to_numpy()), method="spearman")
    assert rho > 0.8
    # timestamps lie in their month, in Europe/London
    assert str(c["occurred_at"].dt.tz) == "Europe/London"
    assert (c["occurred_at"].dt.strftime("%Y-%m") == c["month"]).all()
    # crime concentrates: the busiest 5% of LSOAs hold far more than 5% of crime
    share = syn.sort_values(ascending=False)
    assert share.iloc[: len(share) // 20].sum() / share.sum() > 0.15


def test_synthetic_tables_flagged_and_people_as_documented(demo_ws):
    tables = demo_ws.meta["tables"]
    for real in ("force", "lpas", "wards", "lsoas", "crimes_real"):
        assert tables[real]["synthetic"] is False
    for syn in ("crimes_synthetic", "teams", "officers", "postings"):
        assert tables[syn]["synthetic"] is True
        assert "SYNTHETIC" in tables[syn]["description"]
    teams = demo_ws.teams()
    gtf = teams[teams.kind == "gtf"].set_index("team_id")
    assert list(gtf.index) == ["GTF-1", "GTF-2", "GTF-3", "GTF-4", "GTF-5"]
    assert gtf.loc["GTF-5", "start_date"] == date(2025, 11, 17)
    wards = demo_ws.geography().wards
    post = demo_ws.postings()
    current = post[(post.role == "DNO") & post.end.isna()]
    assert current["ward_code"].is_unique
    vacancies = set(wards.ward_code) - set(current.ward_code)
    assert 1 <= len(vacancies) <= 10  # a few seeded vacancies for the tenure analytics
    assert len(teams[teams.kind == "neighbourhood"]) == demo_ws.geography().neighbourhoods.shape[0]
    real = demo_ws.crimes(synthetic=False)
    assert len(real) == 25_088 and (real["month"] == "2018-06").all()

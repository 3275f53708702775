"""Visibility from duty periods and episodes; effect evaluation against references."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from planner.schema import make_crimes
from planner.tracking.effect import (
    EffectConfig,
    crimes_per_place_day,
    place_day_panel,
    wdd,
    wdd_from_crimes,
    within_tgp_effect,
)
from planner.tracking.visibility import report, roll_up, station_intervals, visibility

TZ = "Europe/London"
X, Y = 400_000.0, 280_000.0


def ts(s):
    return pd.Timestamp(s, tz=TZ)


def test_visibility_exact_hours_no_double_counting():
    duty = pd.DataFrame(
        {
            "officer_id": ["A", "A", "B"],
            "start": [ts("2025-11-03 07:00"), ts("2025-11-30 22:00"), ts("2025-11-04 07:00")],
            "end": [ts("2025-11-03 17:00"), ts("2025-12-01 06:00"), ts("2025-11-04 15:00")],
        }
    )
    eps = pd.DataFrame(
        {
            "officer_id": ["A", "A", "A", "B"],
            # custody 09-12, investigation 11-13 (1 h already custody), custody after duty ends
            "start": [
                ts("2025-11-03 09:00"),
                ts("2025-11-03 11:00"),
                ts("2025-11-03 16:00"),
                ts("2025-11-30 23:00"),
            ],
            "end": [
                ts("2025-11-03 12:00"),
                ts("2025-11-03 13:00"),
                ts("2025-11-03 19:00"),
                ts("2025-12-01 01:00"),
            ],
            "kind": ["custody", "investigation", "custody", "custody"],
        }
    )
    station = pd.DataFrame(
        {
            "officer_id": ["A", "A"],
            "start": [ts("2025-11-03 12:30"), ts("2025-11-30 23:00")],
            "end": [ts("2025-11-03 14:00"), ts("2025-12-01 02:00")],
        }
    )
    officers = pd.DataFrame(
        {"officer_id": ["A", "B"], "team_id": ["T1", "T1"], "lpa": ["Coventry", None]}
    )
    per = visibility(duty, eps, station, officers)
    a = per[(per.officer_id == "A") & (per.month == "2025-11")].iloc[0]
    # duty 10 h + 2 h (22:00-24:00 on 30 Nov); custody 3 + 1 (16-17) = 4; investigation 12-13 = 1;
    # station 13-14 = 1 (12:30-13 already investigation) + 23-24 = 1
    assert a.duty_hours == pytest.approx(12.0)
    assert a.custody_hours == pytest.approx(4.0)
    assert a.investigation_hours == pytest.approx(1.0)
    assert a.station_hours == pytest.approx(2.0)
    assert a.community_hours == pytest.approx(5.0)
    dec = per[(per.officer_id == "A") & (per.month == "2025-12")].iloc[0]
    assert dec.duty_hours == pytest.approx(6.0) and dec.station_hours == pytest.approx(2.0)
    b = per[per.officer_id == "B"].iloc[0]
    assert b.community_share == pytest.approx(1.0) and b.lpa == "force-wide"
    # B's custody episode is on A's night: not in B's duty, so nothing
    lp = roll_up(per[per.month == "2025-11"], "lpa").set_index("lpa")
    assert lp.loc["Coventry", "community_share"] == pytest.approx(5 / 12)
    assert lp.loc["Coventry", "custody_share_of_gap"] == pytest.approx(4 / 7)
    rep = report(per[per.month == "2025-11"], "2025-11")
    s = rep.summary()
    assert s["force"]["duty_hours"] == pytest.approx(20.0)
    assert s["force"]["community_share"] == pytest.approx(13 / 20)


def test_station_time_from_gps():
    stations = gpd.GeoDataFrame(
        {"station_id": ["S1"], "kind": ["station"]},
        geometry=[shapely.Point(X, Y).buffer(50)],
        crs=27700,
    )
    t = ts("2025-11-03 08:00") + pd.to_timedelta(np.arange(41) * 30, "s")
    pings = pd.DataFrame(
        {"officer_id": "A", "timestamp": t, "x": np.where(np.arange(41) < 21, X, X + 500.0), "y": Y}
    )
    st = station_intervals(pings, stations)
    # inside for 20 pings x 30 s, plus the part of the 21st segment within 50 m of 500 m: 3 s
    assert len(st) == 1
    assert (st.end[0] - st.start[0]).total_seconds() == pytest.approx(600 + 3.0)


def _fe_reference(panel, outcome):
    """Dummy-variable OLS with a cluster-robust sandwich, the textbook way."""
    g, _ = pd.factorize(panel.tgp_id)
    G = g.max() + 1
    Xd = np.column_stack([panel.patrolled.to_numpy(float), np.eye(G)[g]])
    y = panel[outcome].to_numpy(float)
    coef, *_ = np.linalg.lstsq(Xd, y, rcond=None)
    e = y - Xd @ coef
    bread = np.linalg.pinv(Xd.T @ Xd)
    meat = sum(np.outer(Xd[g == k].T @ e[g == k], Xd[g == k].T @ e[g == k]) for k in range(G))
    V = G / (G - 1) * bread @ meat @ bread
    return coef[0], np.sqrt(V[0, 0])


def test_within_tgp_effect_matches_dummy_regression():
    rng = np.random.default_rng(11)
    n_t, n_d = 12, 60
    tg = np.repeat([f"T{i}" for i in range(n_t)], n_d)
    base = np.repeat(rng.uniform(0.5, 3, n_t), n_d)
    p = rng.random(n_t * n_d) < 0.5
    y = rng.poisson(base * np.where(p, 0.8, 1.0))
    panel = pd.DataFrame({"tgp_id": tg, "patrolled": p, "crimes": y.astype(float), "harm": y * 2.5})
    est = within_tgp_effect(panel, "crimes")
    b, se = _fe_reference(panel, "crimes")
    assert est.beta == pytest.approx(b, rel=1e-9)
    assert est.se == pytest.approx(se, rel=1e-9)
    tq = stats.t.ppf(0.975, n_t - 1)
    assert est.ci_low == pytest.approx(b - tq * se) and est.ci_high == pytest.approx(b + tq * se)
    assert est.n_patrolled == int(p.sum()) and est.clusters == n_t
    assert within_tgp_effect(panel, "harm").beta == pytest.approx(2.5 * b, rel=1e-9)


def test_place_day_panel_and_crime_counts():
    tgps = gpd.GeoDataFrame(
        {"tgp_id": ["A", "B"]},
        geometry=[shapely.box(X, Y, X + 100, Y + 100), shapely.box(X + 200, Y, X + 300, Y + 100)],
        crs=27700,
    )
    occ = pd.to_datetime(
        [
            "2025-11-03 23:30",
            "2025-11-03 23:59",
            "2025-11-04 00:10",
            "2025-11-04 12:00",
            "2025-11-05 09:00",
        ]
    ).tz_localize(TZ)
    cr = make_crimes(
        np.array([X + 10, X + 20, X + 30, X + 250, X + 150]),
        np.full(5, Y + 50),
        ["Robbery"] * 5,
        occurred_at=occ,
    )
    cpd = crimes_per_place_day(cr, tgps, date(2025, 11, 3), date(2025, 11, 5))
    got = {(r.tgp_id, str(r.date.date())): r.crimes for r in cpd.itertuples()}
    assert got == {("A", "2025-11-03"): 2, ("A", "2025-11-04"): 1, ("B", "2025-11-04"): 1}
    pdays = pd.DataFrame(
        {
            "tgp_id": ["A", "B"],
            "date": pd.to_datetime(["2025-11-04", "2025-11-05"]),
            "presence_minutes": [12.0, 5.0],
        }
    )
    panel = place_day_panel(pdays, cpd, ["A", "B"], date(2025, 11, 3), date(2025, 11, 5))
    assert len(panel) == 6
    assert panel.patrolled.tolist() == [False, True, False, False, False, False]
    assert panel.crimes.sum() == 4
    assert (
        place_day_panel(
            pdays,
            cpd,
            ["A", "B"],
            date(2025, 11, 3),
            date(2025, 11, 5),
            EffectConfig(dose_minutes=5),
        ).patrolled.sum()
        == 2
    )


def test_wdd_counts_and_formula():
    w = wdd(120, 90, 60, 66, 300, 310)
    assert w.wdd == (90 - 120) - 10 + 6 - 10
    assert w.variance == 120 + 90 + 60 + 66 + 4 * 610
    assert w.z == pytest.approx(w.wdd / np.sqrt(w.variance))
    assert w.wdq == pytest.approx((66 / 310 - 60 / 300) / (90 / 310 - 120 / 300))
    tgps = gpd.GeoDataFrame(
        {"tgp_id": ["A"]}, geometry=[shapely.box(X, Y, X + 100, Y + 100)], crs=27700
    )
    control = shapely.box(X - 5000, Y - 5000, X + 5000, Y + 5000)
    # target: (50,50); displacement ring (within 250 m): (200,50); control: (2000, 0); outside: far
    xs = np.array([X + 50, X + 50, X + 200, X + 2000, X + 2000, X + 2000, X + 90000])
    occ = pd.to_datetime(
        [
            "2025-01-10",
            "2025-11-10",
            "2025-11-11",
            "2025-01-05",
            "2025-11-05",
            "2025-11-06",
            "2025-11-06",
        ]
    ).tz_localize(TZ)
    cr = make_crimes(xs, np.full(7, Y + 50), ["Robbery"] * 7, occurred_at=occ)
    r = wdd_from_crimes(
        cr,
        tgps,
        control,
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 10, 1), date(2025, 12, 31)),
    )
    assert (r.T0, r.T1, r.D0, r.D1, r.C0, r.C1) == (1, 1, 0, 1, 1, 2)


def test_two_way_effect_matches_dummy_regression_with_day_dummies():
    rng = np.random.default_rng(4)
    n_t, n_d = 10, 25
    tg = np.repeat([f"T{i}" for i in range(n_t)], n_d)
    days = np.tile(pd.date_range("2025-11-01", periods=n_d), n_t)
    day_effect = np.tile(rng.normal(0, 1, n_d), n_t)
    p = rng.random(n_t * n_d) < 0.4
    y = (
        np.repeat(rng.uniform(1, 4, n_t), n_d)
        + day_effect
        - 0.3 * p
        + rng.normal(0, 0.5, n_t * n_d)
    )
    panel = pd.DataFrame({"tgp_id": tg, "date": days, "patrolled": p, "crimes": y})
    est = within_tgp_effect(panel, "crimes", day_effects=True)
    gi, _ = pd.factorize(panel.tgp_id)
    di, _ = pd.factorize(panel.date)
    Xd = np.column_stack([p.astype(float), np.eye(n_t)[gi], np.eye(n_d)[di][:, 1:]])
    coef, *_ = np.linalg.lstsq(Xd, y, rcond=None)
    e = y - Xd @ coef
    bread = np.linalg.pinv(Xd.T @ Xd)
    meat = sum(np.outer(Xd[gi == k].T @ e[gi == k], Xd[gi == k].T @ e[gi == k]) for k in range(n_t))
    se = np.sqrt((n_t / (n_t - 1) * bread @ meat @ bread)[0, 0])
    assert est.beta == pytest.approx(coef[0], rel=1e-8)
    assert est.se == pytest.approx(se, rel=1e-6)
    # one-way ignores the day swings: a different (here noisier) estimate
    assert within_tgp_effect(panel, "crimes").beta != pytest.approx(coef[0], rel=1e-6)

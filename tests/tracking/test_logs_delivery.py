"""Patrol logs reconciled with GPS, plan against delivery, place-day share and trajectory."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.errors import InputError
from planner.tracking.delivery import (
    DeliveryConfig,
    delivered_place_days,
    delivery_report,
    place_day_share,
    roll_up,
    row_methods,
    trajectory,
)
from planner.tracking.dwell import dwell, place_days
from planner.tracking.logs import check_logs, log_rows

X, Y = 400_000.0, 280_000.0
TZ = "Europe/London"


def layer():
    return gpd.GeoDataFrame(
        {"tgp_id": ["T1", "T2"], "lpa": ["Birmingham East", "Wolverhampton"]},
        geometry=[shapely.box(X, Y, X + 100, Y + 100), shapely.box(X + 500, Y, X + 600, Y + 100)],
        crs=27700,
    )


def stay(officer, start, minutes, x=50.0):
    n = int(minutes * 2) + 1
    t = pd.Timestamp(start, tz=TZ) + pd.to_timedelta(np.arange(n) * 30, "s")
    return pd.DataFrame({"officer_id": officer, "timestamp": t, "x": X + x, "y": Y + 50.0})


def ts(s):
    return pd.Timestamp(s, tz=TZ)


def test_logs_reconciled_with_gps_nothing_counted_twice():
    tg = layer()
    res = dwell(stay("PC1", "2025-11-03 10:00", 20), tg)  # GPS 10:00-10:20 in T1
    logs = check_logs(
        pd.DataFrame(
            {
                "officer_id": ["PC1", "PC1", "", "W9"],
                "tgp_id": ["T1", "T1", "T1", "T2"],
                "start": [
                    ts("2025-11-03 10:10"),
                    ts("2025-11-03 10:25"),
                    ts("2025-11-03 10:05"),
                    ts("2025-11-03 23:30"),
                ],
                "end": [
                    ts("2025-11-03 10:30"),
                    ts("2025-11-03 10:35"),
                    ts("2025-11-03 10:15"),
                    ts("2025-11-04 00:30"),
                ],
                "method": ["gtf", "gtf", "la_patrol", "la_patrol"],
                "crew": [1, 1, 2, 1],
            }
        )
    )
    rows, officers, stats = log_rows(logs, res.rows, res.officers, np.array(["T1", "T2"]))
    both = pd.concat([res.rows, rows], ignore_index=True)
    pdays = place_days(both, np.array(["T1", "T2"]))
    t1 = pdays[(pdays.tgp_id == "T1")].iloc[0]
    # PC1: GPS 20 + logs 10:20-10:35 (10:10-10:20 already by GPS) = 35; anonymous crew 2 x 10 = 20
    assert t1.officer_minutes == pytest.approx(55.0)
    # presence: 10:00-10:35 (the anonymous 10:05-10:15 falls inside)
    assert t1.presence_minutes == pytest.approx(35.0)
    assert stats["covered_by_gps_minutes"] == pytest.approx(10.0)
    # warden W9 over midnight: 30 + 30 minutes, one visit on the first day
    t2 = pdays[pdays.tgp_id == "T2"].set_index("date")
    assert t2.loc[pd.Timestamp("2025-11-03"), "officer_minutes"] == pytest.approx(30.0)
    assert t2.loc[pd.Timestamp("2025-11-04"), "officer_minutes"] == pytest.approx(30.0)
    assert t2.loc[pd.Timestamp("2025-11-03"), "compliant_visits"] == 1
    assert t2.loc[pd.Timestamp("2025-11-04"), "visits"] == 0
    assert "W9" in set(officers)


def test_check_logs_errors_name_line_and_field():
    df = pd.DataFrame(
        {
            "tgp_id": ["T1", "T1"],
            "start": ["2025-11-03T10:00", "2025-11-03T10:00"],
            "end": ["2025-11-03T11:00", "2025-11-03T09:00"],
        }
    )
    with pytest.raises(InputError, match=r"logs.csv, line 3, field 'end': end is not after start"):
        check_logs(df, "logs.csv", first_line=2)
    with pytest.raises(InputError, match="field 'tgp_id'"):
        check_logs(df.drop(columns="tgp_id"), "logs.csv", first_line=2)


def plan_frame():
    rows = []
    for d in pd.date_range("2025-11-03", "2025-11-06"):
        for tgp, method, crew in (("T1", "gtf", 2), ("T2", "la_patrol", 1)):
            rows.append(
                {
                    "visit_id": f"{tgp}-{d:%d}",
                    "tgp_id": tgp,
                    "team_id": "GTF-1" if method == "gtf" else "LA-Wolverhampton",
                    "method": method,
                    "date": d.date(),
                    "minutes": 15.0,
                    "crew": crew,
                    "officer_minutes": 15.0 * crew,
                }
            )
    return pd.DataFrame(rows)


def test_plan_against_delivery_and_place_day_share():
    tg = layer()
    # GTF pair in T1 for 12 min on 3 Nov and 8 min on 4 Nov; nothing after
    pings = pd.concat(
        [
            stay("G1", "2025-11-03 10:00", 12),
            stay("G2", "2025-11-03 10:00", 12),
            stay("G1", "2025-11-04 10:00", 8),
            stay("G2", "2025-11-04 10:00", 8),
        ]
    )
    res = dwell(pings, tg)
    plan = plan_frame()
    meth = row_methods(
        res.rows,
        res.officers,
        np.array(["T1", "T2"]),
        officer_team=pd.Series({"G1": "GTF-1", "G2": "GTF-1"}),
        team_kind=pd.Series({"GTF-1": "gtf"}),
        plan=plan,
    )
    assert set(meth) == {"gtf"}
    delivered = delivered_place_days(res.rows, meth, np.array(["T1", "T2"]))
    rep = delivery_report(
        plan, delivered, lpa_of=tg.set_index("tgp_id")["lpa"], as_of=date(2025, 11, 6)
    )
    bt = rep.by["tgp_id"].set_index("tgp_id")
    assert bt.loc["T1", "planned_hours"] == pytest.approx(1.0)  # 4 x 15 min
    # 12 min + 2 min held after the last ping before the overnight gap (the gap cap), then 8
    assert bt.loc["T1", "delivered_hours"] == pytest.approx(22 / 60)
    assert bt.loc["T1", "planned_officer_hours"] == pytest.approx(2.0)
    assert bt.loc["T1", "delivered_officer_hours"] == pytest.approx(44 / 60)
    assert bt.loc["T2", "delivered_hours"] == 0
    bl = rep.by["lpa"].set_index("lpa")
    assert bl.loc["Birmingham East", "delivery_rate"] == pytest.approx(22 / 60)
    bm = rep.by["method"].set_index("method")
    assert bm.loc["la_patrol", "planned_hours"] == pytest.approx(1.0)
    assert rep.by["week"]["week"].tolist() == [pd.Timestamp("2025-11-03")]
    assert rep.by["quarter"]["quarter"].tolist() == ["2025Q4"]
    # 8 planned place-days; only T1 on 3 Nov reached 10 minutes of presence
    sh = place_day_share(plan, delivered)
    assert (int(sh.planned_place_days[0]), int(sh.delivered_place_days[0])) == (8, 1)
    assert sh.share[0] == pytest.approx(1 / 8) and not sh.met[0]
    assert (
        place_day_share(
            plan, delivered, DeliveryConfig(delivered_min_minutes=5)
        ).delivered_place_days[0]
        == 2
    )
    s = rep.summary()
    assert s["planned_hours"] == pytest.approx(2.0) and s["delivered_hours"] == pytest.approx(
        22 / 60, abs=0.01
    )
    # roll-up keeps totals
    assert roll_up(rep.compare, "date")["planned_hours"].sum() == pytest.approx(2.0)


def test_trajectory_pro_rata_forecast_and_alert():
    days = pd.date_range("2025-04-01", "2025-12-31")
    hours = pd.Series(np.where(days < "2025-12-04", 95.0, 80.0), index=days)
    t = trajectory(hours, date(2025, 12, 31))
    n_el = len(days)  # 275 days
    assert t.delivered_hours == pytest.approx(95.0 * (n_el - 28) + 80.0 * 28)
    assert t.pro_rata_hours == pytest.approx(33_323 * n_el / 365)
    assert t.run_rate_hours_per_day == pytest.approx(80.0)
    assert t.forecast_hours == pytest.approx(t.delivered_hours + 80.0 * (365 - n_el))
    assert t.alert == (t.forecast_hours < 33_323)
    assert t.required_hours_per_day == pytest.approx((33_323 - t.delivered_hours) / 90)
    ok = trajectory(pd.Series(100.0, index=days), date(2025, 12, 31))
    assert not ok.alert and ok.shortfall_hours == 0
    # a leap funding year has 366 days
    lp = trajectory(
        pd.Series(1.0, index=pd.date_range("2027-04-01", "2027-04-01")), date(2027, 4, 1)
    )
    assert lp.pro_rata_hours == pytest.approx(33_323 / 366)

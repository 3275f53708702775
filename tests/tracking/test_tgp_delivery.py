"""planner.tracking.tgp_delivery against direct computation on a constructed plan."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from planner.tracking.delivery import delivery_report
from planner.tracking.tgp_delivery import lpa_delivery, tgp_delivery, tgp_visits

#: TGP-1 and TGP-2 in Alpha, TGP-3 in Beta (nothing planned there)
TGPS = pd.DataFrame({"tgp_id": ["TGP-1", "TGP-2", "TGP-3"], "lpa": ["Alpha", "Alpha", "Beta"]})

#: (tgp, day, minutes): TGP-1 twice on 1 Oct and once on 3 Oct, TGP-2 on 2 and 5 Oct
PLAN = pd.DataFrame(
    [
        ("TGP-1", "2025-10-01", 30),
        ("TGP-1", "2025-10-01", 15),
        ("TGP-1", "2025-10-03", 60),
        ("TGP-2", "2025-10-02", 20),
        ("TGP-2", "2025-10-05", 40),
    ],
    columns=["tgp_id", "date", "minutes"],
).assign(officer_minutes=lambda d: 2 * d["minutes"], method="gtf")

#: tracked presence: TGP-1 on 1 and 4 Oct, TGP-3 (unplanned) on 2 Oct, TGP-2 on 6 Oct
PDAYS = pd.DataFrame(
    [
        ("TGP-1", "2025-10-01", 36.0, 2),
        ("TGP-1", "2025-10-04", 12.0, 1),
        ("TGP-3", "2025-10-02", 6.0, 1),
        ("TGP-2", "2025-10-06", 24.0, 3),
    ],
    columns=["tgp_id", "date", "presence_minutes", "visits"],
)


def test_hours_to_a_day_by_hand():
    out = tgp_delivery(TGPS, PLAN, PDAYS, as_of="2025-10-04")
    assert out["tgp_id"].tolist() == ["TGP-1", "TGP-2", "TGP-3"]
    assert out["lpa"].tolist() == ["Alpha", "Alpha", "Beta"]
    # TGP-1: planned 30+15+60 = 105 min, delivered 36+12 = 48 min; TGP-2: planned 20 (5 Oct is
    # after the day), delivered none (6 Oct); TGP-3: nothing planned, 6 min delivered
    assert out["planned_hours"].tolist() == pytest.approx([105 / 60, 20 / 60, 0.0])
    assert out["delivered_hours"].tolist() == pytest.approx([48 / 60, 0.0, 6 / 60])
    assert out["delivered_pct"].iloc[0] == round(100 * 48 / 105, 1)
    assert out["delivered_pct"].iloc[1] == 0.0
    assert math.isnan(out["delivered_pct"].iloc[2])


def test_all_days_when_no_day_given():
    out = tgp_delivery(TGPS, PLAN, PDAYS)
    assert out["planned_hours"].tolist() == pytest.approx([105 / 60, 60 / 60, 0.0])
    assert out["delivered_hours"].tolist() == pytest.approx([48 / 60, 24 / 60, 6 / 60])


def test_from_a_delivery_report_uses_its_hours():
    delivered = PDAYS.assign(
        date=pd.to_datetime(PDAYS["date"]).astype("datetime64[s]"),
        method="gtf",
        officer_minutes=PDAYS["presence_minutes"],
        compliant_visits=0,
    )
    rep = delivery_report(
        PLAN, delivered, lpa_of=TGPS.set_index("tgp_id")["lpa"], as_of=date(2025, 10, 31)
    )
    out = tgp_delivery(TGPS, report=rep)
    by = rep.by["tgp_id"].set_index("tgp_id")
    expected_planned = [by["planned_hours"].get(t, 0.0) for t in TGPS["tgp_id"]]
    expected_delivered = [by["delivered_hours"].get(t, 0.0) for t in TGPS["tgp_id"]]
    assert out["planned_hours"].tolist() == pytest.approx(expected_planned)
    assert out["delivered_hours"].tolist() == pytest.approx(expected_delivered)
    # the report's planned hours are the plan's minutes (all of October)
    assert out["planned_hours"].tolist() == pytest.approx([105 / 60, 60 / 60, 0.0])


def test_needs_a_plan_or_a_report():
    with pytest.raises(ValueError, match="needs a report"):
        tgp_delivery(TGPS)


def test_visits_by_hand():
    assert tgp_visits("TGP-1", PLAN, PDAYS, "2025-10-03") == (3, 2)
    assert tgp_visits("TGP-1", PLAN, PDAYS) == (3, 3)
    assert tgp_visits("TGP-2", PLAN, PDAYS, "2025-10-04") == (1, 0)
    assert tgp_visits("TGP-3", PLAN, PDAYS.drop(columns="visits")) == (0, None)


def test_lpa_sums():
    per = tgp_delivery(TGPS, PLAN, PDAYS)
    out = lpa_delivery(per)
    assert out["lpa"].tolist() == ["Alpha", "Beta"]
    assert out["planned_hours"].tolist() == [round(165 / 60, 1), 0.0]
    assert out["delivered_hours"].tolist() == [round(72 / 60, 1), round(6 / 60, 1)]
    assert out["delivered_pct"].iloc[0] == round(100 * 72 / 165, 1)
    assert math.isnan(out["delivered_pct"].iloc[1])


def test_per_method_table_counts_each_place_day_once():
    # delivered_place_days holds one row per method and a method="all" row per place-day
    # (presence is the union of the methods', so "all" is not the sum of the others)
    gtf = PDAYS.assign(method="gtf")
    lpa = PDAYS.assign(method="lpa", presence_minutes=PDAYS["presence_minutes"] / 2, visits=1)
    allm = PDAYS.assign(method="all")
    per_method = pd.concat([gtf, lpa, allm], ignore_index=True)
    assert tgp_visits("TGP-1", PLAN, per_method) == tgp_visits("TGP-1", PLAN, PDAYS) == (3, 3)
    out = tgp_delivery(TGPS, PLAN, per_method)
    assert out["delivered_hours"].tolist() == pytest.approx([48 / 60, 24 / 60, 6 / 60])
    # a table with methods but no "all" row is summed as it is
    assert tgp_visits("TGP-2", PLAN, gtf) == (2, 3)

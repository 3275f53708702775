"""Op Servator helpers for the app: deployments per site and the plan as iCalendar."""

from __future__ import annotations

import geopandas as gpd
import icalendar
import numpy as np
import pandas as pd
import pytest

from planner.planning.servator import (
    ASSETS,
    deployments_by_site,
    deployments_ics,
    plan_servator,
)


@pytest.fixture(scope="module")
def plan():
    n = 6
    sites = gpd.GeoDataFrame(
        {
            "site_id": [f"S{i}" for i in range(n)],
            "kind": "tgp",
            "risk": np.arange(1.0, n + 1.0),
        },
        geometry=gpd.points_from_xy(np.arange(n) * 1000.0, np.zeros(n)),
        crs="EPSG:27700",
    )
    return plan_servator(sites, "2025-10-20", 10, seed=11)


def test_by_site_matches_brute_force(plan):
    d = plan.deployments
    got = deployments_by_site(d)
    assert got["deployments"].sum() == len(d) == 40
    for r in got.itertuples(index=False):
        rows = [x for x in d.to_dict("records") if x["site_id"] == r.site_id]
        assert r.deployments == len(rows)
        assert r.hours == pytest.approx(sum(x["minutes"] for x in rows) / 60.0)
        assert r.first == min(x["date"] for x in rows)
        assert r.last == max(x["date"] for x in rows)
        for a in ASSETS:
            assert getattr(r, a) == sum(bool(x[a]) for x in rows)
    # most deployments first, ties by site id
    key = list(zip(-got["deployments"], got["site_id"], strict=True))
    assert key == sorted(key)
    assert set(got["site_id"]) == set(d["site_id"])


def test_ics_read_back(plan):
    d = plan.deployments
    cal = icalendar.Calendar.from_ical(deployments_ics(d, synthetic=True))
    assert "SYNTHETIC" in str(cal["X-WR-CALNAME"])
    ev = cal.walk("VEVENT")
    assert len(ev) == len(d)
    by_uid = {str(e["UID"]).split("@")[0]: e for e in ev}
    for r in d.itertuples(index=False):
        e = by_uid[r.deployment_id]
        assert pd.Timestamp(e.decoded("DTSTART")) == pd.Timestamp(r.start)
        assert pd.Timestamp(e.decoded("DTEND")) == pd.Timestamp(r.end)
        assert str(e["LOCATION"]) == r.site_id
        assert str(e["SUMMARY"]).startswith("[SYNTHETIC] Op Servator " + r.site_id)
        want = [a for a in ASSETS if getattr(r, a)]
        assert str(e["DESCRIPTION"]).endswith("Assets: " + ", ".join(want))
    plain = icalendar.Calendar.from_ical(deployments_ics(d))
    assert "SYNTHETIC" not in str(plain["X-WR-CALNAME"])

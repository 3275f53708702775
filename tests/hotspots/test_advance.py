"""Op Advance: exact rate-ratio test, new hotspots, targets, CSV + self-contained HTML."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from planner.errors import PlannerError
from planner.hotspots.advance import advance_briefing, rate_test
from planner.schema import make_crimes


def test_rate_test_brute_force():
    rr, p = rate_test([12, 0, 5], [30, 10, 65], 28, 365)
    assert rr[0] == pytest.approx((12 / 28) / (30 / 365))
    p0 = 28 / 393
    pmf = stats.binom.pmf(np.arange(43), 42, p0)
    assert p[0] == pytest.approx(min(1.0, 2 * min(pmf[:13].sum(), pmf[12:].sum())))
    assert rr[1] == 0.0 and p[1] == pytest.approx(min(1.0, 2 * stats.binom.pmf(0, 10, p0)))
    assert p[2] == pytest.approx(1.0)  # 5 of 70 at p0 = 0.071 is what "no change" expects


@pytest.fixture
def geo(hs):
    g = hs.two_lpa_geography()
    g.lpa_geometry = lambda name: g.lpas.loc[g.lpas["lpa"] == name].geometry.union_all()
    return g


@pytest.fixture
def scene(hs, rng):
    X0, Y0 = hs.X0, hs.Y0
    start = pd.Timestamp("2024-04-01")
    days = pd.date_range(start, "2025-06-30", freq="D")
    parts = []
    # S: a steady hotspot, one violent crime a day
    parts.append(
        make_crimes(
            np.full(len(days), X0 + 1025.0),
            np.full(len(days), Y0 + 1025.0),
            "Violence and sexual offences",
            occurred_at=days + pd.Timedelta(hours=20),
            location=["On or near High Street"] * len(days),
        )
    )
    # N: 40 robberies in the last 20 days, none before
    n_days = pd.date_range("2025-06-11", "2025-06-30", freq="D").repeat(2)
    parts.append(
        make_crimes(
            np.full(len(n_days), X0 + 3025.0),
            np.full(len(n_days), Y0 + 4025.0),
            "Robbery",
            occurred_at=n_days + pd.Timedelta(hours=22),
            location=["On or near Station Road"] * len(n_days),
        )
    )
    # background: 3,000 scattered burglaries over the whole period (both LPAs)
    k = 3000
    t = start + pd.to_timedelta(rng.uniform(0, len(days), k), unit="D")
    parts.append(
        make_crimes(
            X0 + rng.uniform(0, 10_000, k),
            Y0 + rng.uniform(0, 10_000, k),
            "Burglary",
            occurred_at=t,
        )
    )
    return pd.concat(parts, ignore_index=True)


def test_briefing_finds_the_new_hotspot(scene, geo, tmp_path):
    b = advance_briefing(scene, geo, "West", "2025-06-30", synthetic=True, source="constructed")
    r = b.rates.set_index(["window", "crime_type"])
    rob = r.loc[(28, "Robbery")]
    assert rob["recent"] == 40 and rob["baseline"] == 0 and rob["change"] == "up"
    steady = r.loc[(28, "Violence and sexual offences")]
    assert steady["recent"] == 28 and steady["baseline"] == 365 and steady["change"] == ""
    assert steady["rate_ratio"] == pytest.approx(1.0)
    t = b.targets
    assert t["rank"].tolist()[:2] == [1, 2]
    top = t.set_index("location")
    assert top.loc["On or near Station Road", "status"] == "new"
    assert top.loc["On or near Station Road", "recent_28"] == 40
    assert top.loc["On or near Station Road", "top_type"] == "Robbery"
    assert top.loc["On or near High Street", "status"] == "persistent"
    assert top.loc["On or near High Street", "baseline_per_28"] == pytest.approx(
        28.0, abs=0.5
    )  # + background
    assert top.loc["On or near Station Road", "ward"] == "West South"
    w = b.wards.set_index(["window", "ward_code"])
    assert w.loc[(28, "W1"), "recent"] >= 68
    files = b.write(tmp_path / "adv")
    html = Path(files["html"]).read_text(encoding="utf-8")
    assert "<svg" in html and "SYNTHETIC DATA" in html
    # self-contained: no scripts, stylesheets or images fetched from anywhere
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert re.findall(r"https?://[^\"' <]+", html) == ["http://www.w3.org/2000/svg"]
    tcsv = pd.read_csv(files["targets"])
    assert len(tcsv) == len(t) and "status" in tcsv.columns
    assert b.summary()["new_hotspots"] >= 1


def test_months_only_fallback(scene, geo):
    c = scene.assign(
        occurred_at=pd.Series(pd.NaT, index=scene.index, dtype=scene["occurred_at"].dtype)
    )
    b = advance_briefing(c, geo, "West", "2025-06-30")
    assert b.meta["by_day"] is False and "month" in b.meta["windows_text"]
    r = b.rates.set_index(["window", "crime_type"])
    assert r.loc[(28, "Robbery"), "recent"] == 40  # all in June 2025
    assert r.loc[(28, "Violence and sexual offences"), "recent"] == 30  # June has 30 days


def test_bad_requests(scene, geo):
    with pytest.raises(PlannerError, match="no crimes"):
        advance_briefing(scene, geo, "West", "2030-01-01")

"""Exports read back (parquet, CSV, .ics via icalendar, HTML) and Op Servator draws."""

from __future__ import annotations

import sys
from pathlib import Path

import icalendar
import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from builders import make_config, make_tgps  # noqa: E402

from planner.errors import PlannerError  # noqa: E402
from planner.planning.export import iso_local, read_visits, team_calendar, write_plan  # noqa: E402
from planner.planning.schedule import plan_quarter  # noqa: E402
from planner.planning.servator import (  # noqa: E402
    ASSETS,
    ServatorConfig,
    plan_servator,
    read_sites,
    sites_from_tgps,
)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    plan = plan_quarter(make_tgps(6), make_config(6), "2025Q4", seed=7)
    out = tmp_path_factory.mktemp("plan")
    write_plan(plan, out, synthetic=True)
    return plan, out


def test_parquet_round_trip(written):
    plan, out = written
    v = read_visits(out / "visits.parquet")
    pd.testing.assert_frame_equal(
        v.reset_index(drop=True), plan.visits.reset_index(drop=True), check_dtype=False
    )
    assert str(v["start"].dt.tz) == "Europe/London"
    assert isinstance(v["date"].iloc[0], type(plan.visits["date"].iloc[0]))


def test_csv_round_trip(written):
    plan, out = written
    c = pd.read_csv(out / "visits.csv")
    assert len(c) == len(plan.visits)
    st = pd.to_datetime(c["start"], utc=True)
    assert (st.to_numpy() == plan.visits["start"].dt.tz_convert("UTC").to_numpy()).all()
    assert c["minutes"].sum() == plan.visits["minutes"].sum()
    # the clock change: an offset of +01:00 before 26 October, +00:00 after
    assert iso_local(
        pd.DatetimeIndex(["2025-10-25 12:00", "2025-10-27 12:00"]).tz_localize("Europe/London")
    ).tolist() == [
        "2025-10-25T12:00:00+01:00",
        "2025-10-27T12:00:00+00:00",
    ]


def test_ics_read_back_with_icalendar(written):
    plan, out = written
    files = sorted((out / "ics").glob("*.ics"))
    assert {f.stem for f in files} == set(plan.visits["team_id"])
    for f in files:
        cal = icalendar.Calendar.from_ical(f.read_bytes())
        evs = list(cal.walk("VEVENT"))
        mine = plan.visits.loc[plan.visits["team_id"] == f.stem].set_index("visit_id")
        assert len(evs) == len(mine)
        assert len(list(cal.walk("VTIMEZONE"))) == 1
        for ev in evs[:50]:
            vid = str(ev["uid"]).split("@")[0]
            assert pd.Timestamp(ev["dtstart"].dt) == mine.loc[vid, "start"]
            assert pd.Timestamp(ev["dtend"].dt) == mine.loc[vid, "end"]
            assert str(ev["summary"]).startswith("[SYNTHETIC] Patrol ")
            assert f"crew {int(mine.loc[vid, 'crew'])}" in str(ev["description"])


def test_ics_matches_icalendar_object_model(written):
    plan, out = written
    team = "GTF-1"
    ref = team_calendar(plan.visits, team, synthetic=True)
    ours = icalendar.Calendar.from_ical((out / "ics" / f"{team}.ics").read_bytes())
    a = sorted(
        (str(e["uid"]), e["dtstart"].dt, e["dtend"].dt, str(e["summary"]))
        for e in ref.walk("VEVENT")
    )
    b = sorted(
        (str(e["uid"]), e["dtstart"].dt, e["dtend"].dt, str(e["summary"]))
        for e in ours.walk("VEVENT")
    )
    assert a == b


def test_briefing_is_self_contained(written):
    plan, out = written
    h = (out / "briefing.html").read_text()
    assert h.startswith("<!DOCTYPE html>")
    assert "<svg" in h
    assert "SYNTHETIC" in h
    for bad in ("src=", "<link", "@import", "https://", "http://cdn"):
        assert bad not in h
    first = plan.visits.loc[plan.visits["date"] == plan.visits["date"].min()].iloc[0]
    assert first["tgp_id"] in h
    assert "GTF-1" in h


def test_summary_json(written):
    import json

    plan, out = written
    s = json.loads((out / "summary.json").read_text())
    for k in ("total_hours", "by_method", "by_lpa", "by_tgp", "unmet_hours", "predictability"):
        assert k in s
    assert s["total_hours"] == 730.0
    assert s["synthetic_inputs"] is True


def test_servator_draws_follow_risk():
    sites = sites_from_tgps(make_tgps(10, seed=4))
    days = 400
    cfg = ServatorConfig(deployments_per_day=3)
    p = plan_servator(sites, "2026-01-01", days, cfg=cfg, seed=9)
    d = p.deployments
    per_day = d.groupby("date").size()
    assert len(per_day) == days
    assert (per_day == 3).all()
    assert not d.duplicated(["date", "site_id"]).any()
    cov = p.coverage.set_index("site_id")
    assert cov["probability"].sum() == pytest.approx(3.0)
    assert (cov["probability"] <= 1 + 1e-12).all()
    # frequencies match the coverage probability (binomial, 5 sd)
    ph = cov["probability"].to_numpy()
    sd = np.sqrt(days * ph * (1 - ph))
    assert np.all(np.abs(cov["drawn"].to_numpy() - days * ph) <= 5 * sd + 1e-9)
    # higher risk, higher coverage
    order = np.argsort(cov["risk"].to_numpy())
    assert np.all(np.diff(ph[order]) >= -1e-12)
    # assets: uniformed always; armed at most once a day; times inside the window
    assert d["uniformed"].all()
    assert d.groupby("date")["armed"].sum().max() <= cfg.assets["armed"].per_day
    h0 = pd.DatetimeIndex(d["start"]).hour
    assert (h0 >= 7).all()
    e = pd.DatetimeIndex(d["end"])
    assert ((e.hour < 23) | ((e.hour == 23) & (e.minute == 0))).all()
    assert set(ASSETS) <= set(d.columns)
    s = p.summary()
    assert s["deployments"] == 3 * days
    # reproducible and seed-dependent
    q = plan_servator(sites, "2026-01-01", days, cfg=cfg, seed=9).deployments
    pd.testing.assert_frame_equal(d, q)
    r = plan_servator(sites, "2026-01-01", days, cfg=cfg, seed=10).deployments
    assert not d["site_id"].equals(r["site_id"])


def test_servator_input_errors(tmp_path):
    sites = sites_from_tgps(make_tgps(2))
    with pytest.raises(PlannerError, match="at least 4 sites"):
        plan_servator(sites, "2026-01-01", 3, seed=1)
    f = tmp_path / "sites.csv"
    f.write_text(
        "site_id,name,kind,risk,x,y\nS1,Station,transport_hub,5,400000,286000\nS2,Mall,shopping,3,400100,286000\n"
    )
    with pytest.raises(PlannerError, match=r"sites.csv, line 3, field 'kind'"):
        read_sites(f)
    f.write_text(
        "site_id,name,kind,risk,x,y\nS1,Station,transport_hub,5,400000,286000\nS2,Mall,crowded_place,3,400100,286000\n"
    )
    s = read_sites(f)
    p = plan_servator(s, "2026-01-01", 5, cfg=ServatorConfig(deployments_per_day=1), seed=2)
    assert len(p.deployments) == 5


def test_svg_map_zooms_on_the_team_tgps():
    import re

    from planner.planning.export import MAP_HEIGHT, MAP_WIDTH, svg_map

    t = make_tgps(6)
    svg = svg_map(t, ["TGP-001"], labels={"TGP-001": "1"})
    circles = dict(
        re.findall(
            r'<circle cx="([-\d.]+)" cy="[-\d.]+" r="[\d.]+" fill="[^"]+" fill-opacity="0.85"><title>(TGP-\d+)</title>',
            svg,
        )[i][::-1]
        for i in range(6)
    )
    assert 0 <= float(circles["TGP-001"]) <= MAP_WIDTH
    assert float(circles["TGP-006"]) > MAP_WIDTH  # 5 km east: off the zoomed map
    assert 'fill="#c0392b"' in svg
    whole = svg_map(t, ["TGP-001"], zoom=False)
    xs = [float(x) for x in re.findall(r'<circle cx="([-\d.]+)"', whole)]
    assert all(0 <= x <= MAP_WIDTH for x in xs)
    assert f'height="{MAP_HEIGHT}"' in whole

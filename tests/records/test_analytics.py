"""Analytics on constructed records with hand-computed answers (see conftest.people_frames)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from planner.errors import PlannerError
from planner.records import analytics as an
from planner.records.imports import import_abstractions, import_engagements
from planner.records.periods import Period, parse_period

TODAY = date(2025, 12, 31)
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# (record_id, local time, officer, ward, type)
ENGAGEMENTS = [
    ("e01", "2025-07-15T10:00", "D1", "W1", "meeting"),
    ("e02", "2025-09-10T10:00", "D1", "W1", "meeting"),
    ("e03", "2025-09-11T10:00", "D1", "W1", "street briefing"),
    (
        "e04",
        "2025-09-29T00:30",
        "D1",
        "W1",
        "street briefing",
    ),  # 28 Sep 23:30 UTC: local day counts
    ("e05", "2025-09-12T10:00", "D2", "W2", "event"),
    ("e06", "2025-10-05T23:30", "D2", "W2", "event"),  # last minutes of the week commencing 29 Sep
    ("e07", "2025-05-10T10:00", "D3", "W4", "meeting"),  # D3 was in S-1 (South) then
    ("e08", "2025-05-11T10:00", "D3", "W4", "meeting"),
    ("e09", "2025-09-01T10:00", "D3", "W3", "school visit"),  # ... and in N-2 (North) from July
    ("e10", "2025-09-02T10:00", "D3", "W3", "school visit"),
    ("e11", "2025-10-06T00:10", "D3", "W3", "school visit"),  # just after that week
    ("e12", "2025-09-20T10:00", "P3", "W4", "street briefing"),
    ("e13", "2025-09-21T10:00", "S1", "W1", "meeting"),  # no posting: the officer's team N-1
    ("e14", "2025-09-22T10:00", "I1", "W5", "meeting"),  # no team: LPA South from the officer
    ("e15", "2025-09-23T10:00", "Z9", "W5", "meeting"),  # unknown officer: LPA South from the ward
]
# (record_id, officer, authoriser, level, type, start, hours)
ABSTRACTIONS = [
    ("a1", "D1", "S1", "SGT", "response cover", "2025-05-10T08:00", 8),
    ("a2", "D1", "I1", "INSP", "public order / events", "2025-05-20T08:00", 10),
    ("a3", "P3", "S2", "SGT", "custody cover", "2025-05-15T08:00", 6),
    ("a4", "D2", "S1", "SGT", "training", "2025-10-01T08:00", 7.5),
    ("a5", "P3", "I1", "INSP", "response cover", "2025-10-02T08:00", 4),
    ("a6", "D3", "S1", "SGT", "court", "2025-10-03T08:00", 3),
    ("a7", "Z9", "SUPT-X", "SUPT", "major incident", "2025-10-04T08:00", 12),
]


def _load(store, tmp_path):
    e = pd.DataFrame(
        ENGAGEMENTS,
        columns=["record_id", "occurred_at", "officer_id", "ward_code", "engagement_type"],
    )
    e = e.assign(
        method="face to face",
        priority_group="residents",
        minority_group=np.where(e.index % 3 == 0, "asian", ""),
    )
    e.to_csv(tmp_path / "e.csv", index=False)
    a = pd.DataFrame(
        ABSTRACTIONS,
        columns=[
            "record_id",
            "officer_id",
            "authorised_by",
            "authoriser_level",
            "abstraction_type",
            "start",
            "hours",
        ],
    )
    a.assign(destination="elsewhere").to_csv(tmp_path / "a.csv", index=False)
    assert import_engagements(store, tmp_path / "e.csv", now=NOW).inserted == len(ENGAGEMENTS)
    assert import_abstractions(store, tmp_path / "a.csv", now=NOW).inserted == len(ABSTRACTIONS)
    return store


@pytest.fixture
def rec(store, tmp_path):
    return _load(store, tmp_path)


@pytest.fixture
def rec_sqlite(sqlite_store, tmp_path):
    return _load(sqlite_store, tmp_path)


def _as_dict(df: pd.DataFrame, keys: list[str], value: str) -> dict:
    return {
        tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r[value]
        for r in df.to_dict("records")
    }


def test_drilldown_since_july(rec):
    p = "since July 2025"
    lpa = an.engagement_counts(rec, p, today=TODAY, level="lpa")
    assert _as_dict(lpa, ["lpa"], "engagements") == {"North": 10, "South": 3}
    team = an.engagement_counts(rec, p, today=TODAY, level="team")
    assert _as_dict(team, ["lpa", "team_id"], "engagements") == {
        ("North", "N-1"): 7,
        ("North", "N-2"): 3,
        ("South", "S-1"): 1,
        ("South", "(no team)"): 2,
    }
    off = an.engagement_counts(rec, p, today=TODAY, level="officer", lpa="North")
    assert _as_dict(off, ["team_id", "officer_id"], "engagements") == {
        ("N-1", "D1"): 4,
        ("N-1", "D2"): 2,
        ("N-1", "S1"): 1,
        ("N-2", "D3"): 3,
    }
    assert an.engagement_counts(rec, p, today=TODAY, level="officer", team_id="(no team)")[
        "officer_id"
    ].tolist() == ["I1", "Z9"]
    # the whole year: D3's May engagements count for S-1 in the South
    year = an.engagement_counts(rec, ("2025-01-01", "2025-12-31"), level="team")
    assert _as_dict(year, ["lpa", "team_id"], "engagements")[("South", "S-1")] == 3


def test_drilldown_totals_add_up_at_every_level(rec):
    d = an.engagement_drilldown(rec, "FY2025", today=TODAY)
    force = d[d["level"] == "force"]["engagements"].sum()
    assert force == 15
    lpa = d[d["level"] == "lpa"].set_index("lpa")["engagements"]
    team = d[d["level"] == "team"]
    officer = d[d["level"] == "officer"]
    assert lpa.sum() == force
    pd.testing.assert_series_equal(team.groupby("lpa")["engagements"].sum(), lpa, check_names=False)
    pd.testing.assert_series_equal(
        officer.groupby(["lpa", "team_id"])["engagements"].sum(),
        team.set_index(["lpa", "team_id"])["engagements"],
        check_names=False,
    )


def test_week_commencing_uses_local_days(rec):
    wc = an.engagement_counts(rec, "week commencing 29 September", today=TODAY, level="officer")
    assert _as_dict(wc, ["officer_id"], "engagements") == {"D1": 1, "D2": 1}


@pytest.mark.parametrize("by", an.ENGAGEMENT_BY)
def test_breakdowns_sum_to_totals(rec, by):
    plain = an.engagement_counts(rec, "since July 2025", today=TODAY, level="team")
    split = an.engagement_counts(rec, "since July 2025", today=TODAY, level="team", by=by)
    assert split["engagements"].tolist() == plain["engagements"].tolist()
    cats = [c for c in split.columns if c not in ("lpa", "team_id", "engagements")]
    assert (split[cats].sum(axis=1) == split["engagements"]).all()
    if by == "engagement_type":
        n1 = split.set_index("team_id").loc["N-1"]
        assert (n1["meeting"], n1["street briefing"], n1["event"]) == (3, 2, 2)
    if by == "minority_group":
        assert set(cats) == {"asian", "(not recorded)"}


def test_engagement_gaps(rec_sqlite):
    g = an.engagement_gaps(rec_sqlite, "since July 2025", today=TODAY).set_index("ward_code")
    assert g["engagements"].to_dict() == {"W1": 5, "W2": 2, "W3": 3, "W4": 1, "W5": 2}
    assert g["expected"].to_dict() == pytest.approx(
        {"W1": 1.3, "W2": 2.6, "W3": 1.3, "W4": 5.2, "W5": 2.6}
    )
    assert g.loc["W4", "per_1000"] == pytest.approx(0.025)
    assert g.index[g["gap"]].tolist() == ["W4"]
    demand = pd.Series({"W5": 10.0})
    g2 = an.engagement_gaps(rec_sqlite, "since July 2025", today=TODAY, demand=demand)
    assert g2["ward_code"].tolist()[:2] == ["W5", "W4"]
    assert g2.set_index("ward_code")["ratio"][["W5", "W4"]].tolist() == pytest.approx(
        [2 / 7.8, 1 / 2.6]
    )
    assert g2.loc[g2["gap"], "ward_code"].tolist() == ["W5", "W4"]


def test_abstractions_switch_gives_consistent_totals(rec):
    for by in an.ABSTRACTION_BY:
        a = an.abstraction_summary(rec, by=by)
        b = an.abstraction_summary(rec, by=by, perspective="authorising")
        assert a["hours"].sum() == b["hours"].sum() == 50.5, by
        assert a["abstractions"].sum() == b["abstractions"].sum() == 7, by
    lpa_a = _as_dict(an.abstraction_summary(rec, by="lpa"), ["lpa"], "hours")
    lpa_b = _as_dict(
        an.abstraction_summary(rec, by="lpa", perspective="authorising"), ["lpa"], "hours"
    )
    assert lpa_a == {"North": 28.5, "South": 10.0, "(no LPA)": 12.0}
    assert lpa_b == {"North": 18.5, "South": 20.0, "(no LPA)": 12.0}
    off_b = an.abstraction_summary(rec, by="officer", perspective="authorising")
    assert _as_dict(off_b, ["officer_id"], "hours") == {
        "S1": 18.5,
        "I1": 14.0,
        "SUPT-X": 12.0,
        "S2": 6.0,
    }
    assert _as_dict(off_b, ["officer_id"], "abstractions") == {
        "S1": 3,
        "I1": 2,
        "SUPT-X": 1,
        "S2": 1,
    }
    typ = an.abstraction_summary(rec, ("2025-10-01", "2025-10-31"), by="abstraction_type")
    assert _as_dict(typ, ["abstraction_type"], "hours") == {
        "major incident": 12.0,
        "training": 7.5,
        "response cover": 4.0,
        "court": 3.0,
    }
    assert typ["share_hours"].sum() == pytest.approx(1.0)
    with pytest.raises(PlannerError, match="perspective"):
        an.abstraction_summary(rec, perspective="both")


def test_abstraction_objectives_progress(rec_sqlite):
    o = an.abstraction_objectives(
        rec_sqlite, "May 2025", "October 2025", {"North": 0.3, "South": 0.5}, today=TODAY
    ).set_index("lpa")
    w = 31 / 7
    assert o.loc["North", "benchmark_hours_pw"] == pytest.approx(18 / w)
    assert o.loc["North", "current_hours_pw"] == pytest.approx(10.5 / w)
    assert o.loc["North", "change"] == pytest.approx(10.5 / 18 - 1)
    assert o.loc["North", "progress"] == pytest.approx(7.5 / 5.4)
    assert o.loc["South", "progress"] == pytest.approx(2 / 3)
    assert o.loc["North", "met"] is True and o.loc["South", "met"] is False
    assert pd.isna(o.loc["(no LPA)", "met"]) and pd.isna(o.loc["(no LPA)", "objective"])
    assert o.loc["(no LPA)", "current_hours_pw"] == pytest.approx(12 / w)


def test_tenure(rec_sqlite):
    s = rec_sqlite
    vac = an.dno_vacancies(s, TODAY)
    assert vac["ward_code"].tolist() == ["W5"] and pd.isna(vac["last_dno_left"].iloc[0])
    vac_feb = an.dno_vacancies(s, date(2025, 2, 15)).set_index("ward_code")
    assert vac_feb.index.tolist() == ["W2", "W3", "W5"]
    assert vac_feb.loc["W2", "vacant_days"] == 15
    short = an.short_tenures(s, TODAY)
    assert short["officer_id"].tolist() == ["D2", "D3", "D4"]
    assert short.set_index("officer_id")["tenure_years"]["D2"] == pytest.approx(305 / 365.25)
    ho = an.missing_handovers(s)
    assert ho[["ward_code", "officer_id", "predecessor", "gap_days"]].values.tolist() == [
        ["W2", "D2", "D0", 28]
    ]
    assert an.missing_handovers(s, since=date(2025, 4, 1)).empty
    cmp_ = an.tenure_comparison(s, date(2025, 1, 1), TODAY).set_index("ward_code")
    assert cmp_["same_or_more"].to_dict() == {
        "W1": True,
        "W2": True,
        "W3": False,
        "W4": True,
        "W5": True,
    }
    assert cmp_.loc["W2", ["joined", "left"]].tolist() == ["D2", "D0"]
    assert cmp_.loc["W3", ["joined", "left"]].tolist() == ["D3", "P2"]
    assert cmp_.loc["W3", ["DNO_baseline", "DNO_now", "PCSO_baseline", "PCSO_now"]].tolist() == [
        0,
        1,
        1,
        0,
    ]
    assert cmp_.loc["W1", "officers_now"] == "Ann (DNO); Eve (PCSO)"


def test_npg_indicators(rec_sqlite):
    s = rec_sqlite
    named = an.named_officers(s, TODAY).set_index("ward_code")
    assert named["named_dno_and_pcso"].to_dict() == {
        "W1": True,
        "W2": False,
        "W3": False,
        "W4": True,
        "W5": False,
    }
    assert named.loc["W4", ["dnos", "pcsos"]].tolist() == ["Dan", "Gus"]
    n = an.npp1_completion(s).set_index("lpa")
    assert n[["officers", "trained"]].values.tolist() == [[5, 3], [3, 1]]
    assert n["completion"].tolist() == pytest.approx([0.6, 1 / 3])
    n_on = an.npp1_completion(s, on=TODAY).set_index("lpa")
    assert n_on["completion"].to_dict() == pytest.approx({"North": 0.75, "South": 0.5})
    assert an.npp1_completion(s, by="force")["officers"].tolist() == [8]


def test_summary(rec_sqlite):
    out = an.summary(rec_sqlite, "since July 2025", today=TODAY)
    assert out["period"] == {"start": "2025-07-01", "end": "2025-12-31", "label": "since July 2025"}
    assert out["engagements"] == {"total": 13, "by_lpa": {"North": 10, "South": 3}}
    assert out["abstractions"]["total"] == 4 and out["abstractions"]["hours"] == 26.5
    assert out["tenure"] == {
        "on": "2025-12-31",
        "dno_vacancies": 1,
        "vacant_wards": ["W5"],
        "dnos_under_2_years": 3,
        "missing_handovers": 0,
    }
    assert out["npg"]["wards_with_named_dno_and_pcso"] == 2
    assert out["unverified_officers"] == 2 and out["synthetic"] is False


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("since July 2025", "2025-07-01", "2025-12-31"),
        ("since 3 July 2025", "2025-07-03", "2025-12-31"),
        ("week commencing 29 September", "2025-09-29", "2025-10-05"),
        ("w/c 29 Sept 2024", "2024-09-29", "2024-10-05"),
        ("week commencing 2025-12-29", "2025-12-29", "2026-01-04"),
        ("July 2025", "2025-07-01", "2025-07-31"),
        ("2025-02", "2025-02-01", "2025-02-28"),
        ("FY2025", "2025-04-01", "2026-03-31"),
        ("2024/25", "2024-04-01", "2025-03-31"),
        ("last 28 days", "2025-12-04", "2025-12-31"),
        ("last 2 weeks", "2025-12-18", "2025-12-31"),
        ("last month", "2025-11-01", "2025-11-30"),
        ("this week", "2025-12-29", "2026-01-04"),
        ("2025-07-01:2025-09-30", "2025-07-01", "2025-09-30"),
        ("2025-07..2025-09", "2025-07-01", "2025-09-30"),
        ("today", "2025-12-31", "2025-12-31"),
    ],
)
def test_parse_period(text, start, end):
    p = parse_period(text, TODAY)
    assert (p.start.isoformat(), p.end.isoformat()) == (start, end)


def test_parse_period_year_inferred_from_today():
    assert (
        str(parse_period("week commencing 29 December", date(2025, 6, 1)))
        == "2024-12-29:2025-01-04"
    )


@pytest.mark.parametrize(
    "bad",
    ["whenever", "since Smarch 2025", "since 2026-06-01", "2025-09-30:2025-09-01", "31 February"],
)
def test_parse_period_errors(bad):
    with pytest.raises(PlannerError):
        parse_period(bad, TODAY)


def test_period_object():
    p = Period(date(2025, 9, 29), date(2025, 10, 5))
    assert (p.days, p.weeks, str(p)) == (7, 1.0, "2025-09-29:2025-10-05")

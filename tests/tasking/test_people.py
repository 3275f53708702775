"""Issue 19 item 5: nominal imports (pseudonymised), ranking by harm, victims, reassurance,
wanted suspects on an Op Advance day; access scoped on the server and every view audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from planner.access.audit import read_events
from planner.access.roles import Principal
from planner.errors import AccessDenied, InputError, PlannerError
from planner.harm import HarmTable
from planner.tasking.advance import plan_day
from planner.tasking.imports import import_targeting
from planner.tasking.people import (
    offender_ranking,
    plan_reassurance,
    rank_by_harm,
    reassurance_plan,
    repeat_victims,
    track_reassurance,
    victim_needs,
    wanted_for_day,
)

INTEL = Principal("intel.user", "intelligence")
INSP_N = Principal("insp.north", "inspector", ("North",))
ADV = Principal("adv.user", "advance")
PC = Principal("pc.one", "officer", officer_id="D1")
ADMIN = Principal("admin", "admin")
#: the bundled harm table's weights (geodata/harm_weights.csv), written out independently
W = {
    "Robbery": 746.0,
    "Burglary": 703.25,
    "Violence and sexual offences": 1098.46,
    "Shoplifting": 13.0,
    "Anti-social behaviour": 10.0,
    "Criminal damage and arson": 132.0,
}


def _load(store, files, kinds=("nominals", "victims")):
    return {k: import_targeting(store, files[k], k, user="tester") for k in kinds}


def test_import_nominals_counts_reconcile_and_rejects_have_reasons(store, files):
    res = import_targeting(store, files["nominals"], "nominals", user="tester")
    assert (res["read"], res["accepted"], res["rejected"]) == (11, 6, 5)
    assert res["read"] == res["accepted"] + res["rejected"]
    assert (res["people"], res["offences"]) == (4, 5)
    rej = pd.read_csv(res["rejects_file"])
    assert list(rej["line"]) == [8, 9, 10, 11, 12]
    reasons = list(rej["reason"])
    assert reasons[0] == "occurred_on '2025-13-01' is not a date (YYYY-MM-DD)"
    assert reasons[1].startswith("unknown crime_type 'Jaywalking'")
    assert reasons[2] == "nominal_id looks like a name (import pseudonymised ids only)"
    assert reasons[3] == "person fields (lpa, locations, flags) differ from line 2"
    assert reasons[4] == "duplicate of line 4"
    # the name-like id is redacted in the rejects file
    assert rej.loc[2, "nominal_id"] == "[redacted]"
    assert (
        "John Smith" not in res["rejects_file"]
        and "John Smith" not in Path(res["rejects_file"]).read_text()
    )
    nom = store.frame("nominals").set_index("nominal_id")
    assert sorted(nom.index) == ["N1", "N2", "N3", "N4"]
    assert nom.loc["N1", "wanted"] and nom.loc["N1", "wanted_since"] == date(2025, 6, 1)
    assert nom.loc["N1", "home_x"] == 400000.0 and pd.isna(nom.loc["N2", "home_x"])
    off = store.frame("nominal_offences").set_index("record_id")
    assert dict(off["harm"]) == {
        "R1": W["Robbery"],
        "R2": W["Burglary"],
        "R3": W["Violence and sexual offences"],
        "R4": W["Shoplifting"],
        "R5": W["Robbery"],
    }
    # re-importing changes nothing (same keys)
    again = import_targeting(store, files["nominals"], "nominals", user="tester")
    assert again["accepted"] == 6 and store.count("nominals") == 4
    assert store.count("nominal_offences") == 5
    ev = read_events(store, action="insert")
    assert list(ev["user"]) == ["tester", "tester"]
    assert ev["detail"][0] == {
        "import": "nominals",
        "file": "nominals.csv",
        "read": 11,
        "accepted": 6,
        "rejected": 5,
    }


def test_name_like_column_refuses_the_file_unless_mapped_away(store, tmp_path):
    p = tmp_path / "with_names.csv"
    p.write_text("nominal_id,lpa,Surname\nN1,North,Smith\nN2,North,\n")
    with pytest.raises(InputError) as err:
        import_targeting(store, p, "nominals", user="tester")
    msg = str(err.value)
    assert "line 1, field 'Surname'" in msg and "pseudonymised" in msg and "Smith" not in msg
    assert store.count("nominals") == 0
    res = import_targeting(store, p, "nominals", mapping={"Surname": "-"}, user="tester")
    assert (res["read"], res["accepted"], res["rejected"]) == (2, 2, 0)
    # an empty name-like column carries no name: accepted
    q = tmp_path / "empty_names.csv"
    q.write_text("nominal_id,lpa,Date of birth\nN3,North,\n")
    assert import_targeting(store, q, "victims", user="tester")["accepted"] == 1


def test_offence_weights_give_cchi_harm_per_home_office_code(store, tmp_path):
    w = tmp_path / "cchi.csv"
    w.write_text("ho_code,weight\n034/01,365\n")
    p = tmp_path / "n.csv"
    p.write_text(
        "nominal_id,lpa,record_id,occurred_on,crime_type,ho_code\n"
        "N1,North,R1,2025-01-01,Robbery,034/01\nN1,North,R2,2025-01-02,Robbery,\n"
    )
    harm = HarmTable.from_offence_weights(w)
    import_targeting(store, p, "nominals", harm=harm, user="t")
    off = store.frame("nominal_offences").set_index("record_id")
    assert off.loc["R1", "harm"] == 365.0 and off.loc["R2", "harm"] == 746.0


def test_lpa_checked_against_the_workspace(store, tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("nominal_id,lpa\nN1,north\nN2,Nowhere\nN3,N01\n")
    res = import_targeting(store, p, "nominals", lpas={"north": "North", "n01": "North"}, user="t")
    assert (res["accepted"], res["rejected"]) == (2, 1)
    assert set(store.frame("nominals")["lpa"]) == {"North"}


def test_rank_by_harm_matches_a_direct_computation(store, files):
    _load(store, files, ("nominals",))
    got = offender_ranking(store, INTEL, since=date(2025, 1, 1), until=date(2025, 12, 31))
    # direct: per LPA, harm of offences in 2025 (R5 of 2024-12-31 is outside)
    harm = {"N1": W["Robbery"] + W["Burglary"], "N2": W["Violence and sexual offences"]}
    harm |= {"N3": W["Shoplifting"], "N4": 0.0}
    count = {"N1": 2, "N2": 1, "N3": 1, "N4": 0}
    lpa = {"N1": "North", "N2": "North", "N3": "South", "N4": "North"}
    expect = []
    for lp in ("North", "South"):
        ids = sorted((n for n in lpa if lpa[n] == lp), key=lambda n: (-harm[n], -count[n], n))
        expect += [(lp, i + 1, n, count[n], harm[n]) for i, n in enumerate(ids)]
    assert (
        list(zip(got["lpa"], got["rank"], got["nominal_id"], got["offences"], got["harm"]))
        == expect
    )
    assert expect[0][2] == "N1"  # 1449.25 > 1098.46
    # the whole history ranks N3 with its 2024 robbery
    allt = rank_by_harm(store.frame("nominals"), store.frame("nominal_offences"))
    assert float(allt.loc[allt["nominal_id"] == "N3", "harm"].iloc[0]) == 13.0 + 746.0
    top = offender_ranking(store, INTEL, top=1)
    assert list(top["nominal_id"]) == ["N1", "N3"]


def test_nominals_refused_for_other_roles_and_the_refusal_audited(store, files):
    _load(store, files)
    for who in (ADV, PC, ADMIN):
        with pytest.raises(AccessDenied, match="may not use nominals"):
            offender_ranking(store, who)
        with pytest.raises(AccessDenied):
            repeat_victims(store, who)
        with pytest.raises(AccessDenied):
            plan_reassurance(store, who, lpa="North", start=date(2025, 7, 1))
    denied = read_events(store, action="denied")
    assert list(denied["user"]) == ["adv.user"] * 3 + ["pc.one"] * 3 + ["admin"] * 3
    assert store.count("reassurance_visits") == 0
    assert len(read_events(store, action="view")) == 0


def test_inspector_sees_own_lpa_people_only_and_each_view_is_audited(store, files):
    _load(store, files)
    got = offender_ranking(store, INSP_N)
    assert set(got["lpa"]) == {"North"} and sorted(got["nominal_id"]) == ["N1", "N2", "N4"]
    assert len(offender_ranking(store, INSP_N, lpa="South")) == 0
    v = repeat_victims(store, INSP_N)
    assert set(v["lpa"]) == {"North"}
    views = read_events(store, action="view")
    assert list(views["user"]) == ["insp.north"] * 3
    assert list(views["role"]) == ["inspector"] * 3
    assert [d["view"] for d in views["detail"]] == ["offender ranking"] * 2 + ["victims"]
    assert [d["rows"] for d in views["detail"]] == [3, 0, 4]


def test_victim_needs_repeat_and_priority(store, files):
    _load(store, files, ("victims",))
    v = victim_needs(store.frame("nominals"), store.frame("nominal_offences"))
    north = v[v["lpa"] == "North"]
    # V4 high risk first, V1 vulnerable, V2 repeat (2 victimisations), V3 nothing
    assert list(north["nominal_id"]) == ["V4", "V1", "V2", "V3"]
    assert list(north["priority"]) == [1, 2, 3, 4]
    assert list(north["repeat"]) == [False, False, True, False]
    assert float(north.loc[north["nominal_id"] == "V2", "harm"].iloc[0]) == 10.0 + 132.0
    south = v[v["lpa"] == "South"]
    assert list(south["repeat"]) == [True]  # the force's flag with one victimisation
    got = repeat_victims(store, INTEL)
    assert list(got["nominal_id"]) == ["V4", "V1", "V2", "V5"]
    # in a window that drops V2's second victimisation, V2 is no repeat victim
    w = repeat_victims(store, INTEL, until=date(2025, 5, 31))
    assert list(w["nominal_id"]) == ["V4", "V1", "V5"]


def _pings(officer: str, x: float, y: float, start: str, minutes: int, step_s: int = 30):
    ts = pd.date_range(
        start, periods=minutes * 60 // step_s + 1, freq=f"{step_s}s", tz="Europe/London"
    )
    return pd.DataFrame({"officer_id": officer, "timestamp": ts, "x": x, "y": y})


def test_reassurance_planned_beside_patrols_and_tracked_by_gps_then_logs(store, files):
    _load(store, files)
    plan = plan_reassurance(
        store, INTEL, lpa="North", start=date(2025, 7, 1), days=2, per_day=1, minutes=15
    )
    # V4 (high risk) has no home location; then V1 (vulnerable), V2 (repeat)
    assert list(plan["nominal_id"]) == ["V1", "V2"]
    assert list(plan["planned_on"]) == [date(2025, 7, 1), date(2025, 7, 2)]
    assert list(plan["visit_id"]) == ["RV-V1-2025-07-01", "RV-V2-2025-07-02"]
    # planning again for the same days plans no victim twice
    again = plan_reassurance(store, INTEL, lpa="North", start=date(2025, 7, 1), days=2, per_day=1)
    assert len(again) == 0
    assert store.count("reassurance_visits") == 2
    # 15 minutes at V1's home on its day (pings every 30 s), 5 minutes elsewhere
    pings = pd.concat(
        [
            _pings("D1", 401000, 291000, "2025-07-01 10:00", 15),
            _pings("D1", 405000, 299000, "2025-07-01 11:00", 5),
        ],
        ignore_index=True,
    )
    logs = pd.DataFrame({"visit_id": ["RV-V2-2025-07-02"], "minutes": [12.0]})
    out = track_reassurance(store, pings=pings, logs=logs, user="tracker").set_index("visit_id")
    # the dwell chain's rule: after the last ping at the home the officer counts as present for
    # the gap to the next ping, capped at DwellConfig.gap_cap_s (120 s): 15 + 2 minutes
    assert out.loc["RV-V1-2025-07-01", "delivered_minutes"] == pytest.approx(17.0)
    assert out.loc["RV-V1-2025-07-01", "tracked_by"] == "gps"
    assert out.loc["RV-V1-2025-07-01", "status"] == "delivered"
    assert out.loc["RV-V2-2025-07-02", "delivered_minutes"] == 12.0
    assert out.loc["RV-V2-2025-07-02", "tracked_by"] == "log"
    assert out.loc["RV-V2-2025-07-02", "status"] == "delivered"
    # a visit on a day with pings but no presence at the home is missed
    short = _pings("D1", 402000, 292000, "2025-07-02 09:00", 4)
    out2 = track_reassurance(store, pings=short, user="tracker").set_index("visit_id")
    assert out2.loc["RV-V2-2025-07-02", "delivered_minutes"] == pytest.approx(4.0)
    assert out2.loc["RV-V2-2025-07-02", "status"] == "missed"
    seen = reassurance_plan(store, INSP_N)
    assert list(seen["visit_id"]) == ["RV-V1-2025-07-01", "RV-V2-2025-07-02"]
    with pytest.raises(AccessDenied):
        reassurance_plan(store, ADV)


def test_wanted_suspects_attached_to_an_op_advance_day(store, files):
    _load(store, files)
    day = plan_day(store, "North", date(2025, 7, 1), principal=ADV)
    assert day["wanted_count"] == 1
    got = wanted_for_day(store, ADV, day["day_id"])
    assert list(got["nominal_id"]) == ["N1"]
    assert list(got.columns) == [
        "nominal_id",
        "lpa",
        "wanted_since",
        "offences",
        "harm",
        "home_x",
        "home_y",
    ]
    assert int(got["offences"].iloc[0]) == 2 and float(got["harm"].iloc[0]) == 1449.25
    # before N1 was wanted, nobody is attached
    early = plan_day(store, "North", date(2025, 5, 1), principal=ADV)
    assert early["wanted_count"] == 0 and len(wanted_for_day(store, ADV, early["day_id"])) == 0
    # the advance role still cannot list nominals; an officer cannot see the day's wanted
    with pytest.raises(AccessDenied):
        offender_ranking(store, ADV)
    with pytest.raises(AccessDenied):
        wanted_for_day(store, PC, day["day_id"])
    with pytest.raises(AccessDenied, match="may not see North.s people"):
        wanted_for_day(store, Principal("insp.s", "inspector", ("South",)), day["day_id"])
    ev = read_events(store)
    views = ev[ev["action"] == "view"]
    assert list(views["user"]) == ["adv.user", "adv.user"]
    assert [d["rows"] for d in views["detail"]] == [1, 0]
    assert list(ev.loc[ev["action"] == "denied", "user"]) == ["adv.user", "pc.one", "insp.s"]


def test_reassurance_by_day_counts_match_the_visits_and_leave_no_nominal(store, files):
    from planner.tasking.people import REASSURANCE_DAY_COLUMNS, reassurance_by_day

    _load(store, files)
    plan_reassurance(store, INTEL, lpa="North", start=date(2025, 7, 1), days=3, per_day=1)
    plan_reassurance(store, INTEL, lpa="South", start=date(2025, 7, 2), days=1, per_day=1)
    logs = pd.DataFrame({"visit_id": ["RV-V1-2025-07-01"], "minutes": [12.5]})
    track_reassurance(store, logs=logs, user="tracker")
    got = reassurance_by_day(store, INTEL, start=date(2025, 6, 30), days=5)
    assert list(got.columns) == REASSURANCE_DAY_COLUMNS
    assert list(got["date"]) == [date(2025, 6, 30) + pd.Timedelta(days=i) for i in range(5)]
    # brute force over the stored visits
    rv = store.frame("reassurance_visits")
    for _, row in got.iterrows():
        day = rv[pd.to_datetime(rv["planned_on"]).dt.date == row["date"]]
        assert row["reassurance_visits"] == len(day)
        assert row["reassurance_minutes"] == float(day["minutes"].sum())
        assert row["delivered"] == int((day["status"] == "delivered").sum())
        assert row["delivered_minutes"] == float(day["delivered_minutes"].fillna(0).sum())
        assert row["delivered"] + row["missed"] + row["not_tracked"] == len(day)
    # North: V1 then V2 (V3 has no need, V4 no home); South: V5 on the 2nd
    assert list(got["reassurance_visits"]) == [0, 1, 2, 0, 0]
    assert list(got["delivered"]) == [0, 1, 0, 0, 0]
    assert got["delivered_minutes"].tolist() == [0.0, 12.5, 0.0, 0.0, 0.0]
    # one LPA, and an inspector sees only their own
    north = reassurance_by_day(store, INTEL, start=date(2025, 6, 30), days=5, lpa="North")
    assert list(north["reassurance_visits"]) == [0, 1, 1, 0, 0]
    insp = reassurance_by_day(store, INSP_N, start=date(2025, 6, 30), days=5)
    assert insp.equals(north)
    views = read_events(store, user="insp.north", action="view")
    assert len(views) == 1 and views["detail"].iloc[0]["view"] == "reassurance visits"
    # refused (and the refusal audited) for a role without the nominals capability
    with pytest.raises(AccessDenied):
        reassurance_by_day(store, ADV, start=date(2025, 7, 1))
    assert list(read_events(store, action="denied")["user"]) == ["adv.user"]
    with pytest.raises(PlannerError, match="days must be positive"):
        reassurance_by_day(store, INTEL, start=date(2025, 7, 1), days=0)

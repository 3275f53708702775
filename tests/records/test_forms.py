"""Recording-form writes: validation messages, immediate visibility, concurrent submissions."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from planner.errors import PlannerError
from planner.records.analytics import abstraction_summary, engagement_counts
from planner.records.forms import record_abstraction, record_engagement
from planner.records.store import RecordStore

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FORM = {
    "occurred_at": "2025-09-29T10:00",
    "officer_id": "D1",
    "ward_code": "W1",
    "engagement_type": "street briefing",
    "method": "face to face",
    "priority_group": "residents",
}


def test_engagement_form_appears_in_analytics_at_once(store):
    rid = record_engagement(store, now=NOW, minority_group="Asian", **FORM)
    assert rid.startswith("ENG-") and len(rid) == 20
    c = engagement_counts(store, ("2025-09-29", "2025-09-29"), level="officer", by="minority_group")
    assert c.to_dict("records") == [
        {"lpa": "North", "team_id": "N-1", "officer_id": "D1", "asian": 1, "engagements": 1}
    ]
    row = store.frame("engagements").iloc[0]
    assert row["source"] == "form" and row["minority_group"] == "asian"
    assert str(pd.Timestamp(row["occurred_at"])) == "2025-09-29 09:00:00"


def test_form_accepts_datetimes(store):
    record_engagement(
        store,
        now=NOW,
        **{**FORM, "occurred_at": datetime(2025, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))},
    )
    record_engagement(
        store, now=NOW, **{**FORM, "occurred_at": datetime(2025, 7, 1, 10, 0)}
    )  # naive = local
    got = sorted(str(pd.Timestamp(t)) for t in store.frame("engagements")["occurred_at"])
    assert got == ["2025-07-01 09:00:00", "2025-12-01 10:00:00"]


def test_form_validation_messages(store):
    with pytest.raises(PlannerError) as e:
        record_engagement(store, now=NOW, **{**FORM, "method": "fax", "ward_code": "W9"})
    assert str(e.value).startswith(
        "engagement not saved: unknown ward_code 'W9'; unknown method 'fax' (allowed: "
    )
    with pytest.raises(PlannerError, match=r"unknown field\(s\) for engagement: colour"):
        record_engagement(store, now=NOW, colour="blue", **FORM)
    with pytest.raises(
        PlannerError, match="unknown officer Z9: only officers in the store can record"
    ):
        record_engagement(store, now=NOW, **{**FORM, "officer_id": "Z9"})
    with pytest.raises(
        PlannerError, match="abstraction not saved: missing destination; hours must be more than 0"
    ):
        record_abstraction(
            store,
            now=NOW,
            officer_id="D1",
            authorised_by="S1",
            authoriser_level="SGT",
            reason="training",
            where_to="",
            start="2025-09-01T08:00",
            hours=0,
        )
    assert store.count("engagements") == 0 and store.count("abstractions") == 0
    assert store.count("officers") == 11


def test_abstraction_form_aliases_and_switch(store):
    rid = record_abstraction(
        store,
        now=NOW,
        officer_id="P1",
        authorising_officer="I1",
        authorising_level="insp",
        reason="Public order / events",
        where_to="Stadium",
        start=datetime(2025, 9, 6, 12, 0),
        duration_hours=timedelta(hours=10, minutes=30),
    )
    row = store.frame("abstractions").set_index("record_id").loc[rid]
    assert (
        row["authorised_by"],
        row["authoriser_level"],
        row["abstraction_type"],
        row["hours"],
    ) == ("I1", "INSP", "public order / events", 10.5)
    a = abstraction_summary(store, ("2025-09-01", "2025-09-30"), by="officer")
    b = abstraction_summary(
        store, ("2025-09-01", "2025-09-30"), by="officer", perspective="authorising"
    )
    assert a[["lpa", "team_id", "officer_id", "hours"]].values.tolist() == [
        ["North", "N-1", "P1", 10.5]
    ]
    assert b[["lpa", "team_id", "officer_id", "hours"]].values.tolist() == [
        ["South", "(no team)", "I1", 10.5]
    ]


def test_resubmission_same_id_is_idempotent_or_audited(store):
    rid = record_engagement(store, now=NOW, record_id="ENG-own-1", **FORM)
    assert record_engagement(store, now=NOW, record_id=rid, **FORM) == rid
    assert store.count("engagements") == 1 and store.count("audit_log") == 0
    record_engagement(store, now=NOW, record_id=rid, **{**FORM, "method": "online"})
    assert store.frame("engagements")["method"].tolist() == ["online"]
    audit = store.frame("audit_log")
    assert audit[["table_name", "record_id", "action", "source"]].values.tolist() == [
        ["engagements", rid, "updated", "form"]
    ]


N_WRITERS, PER_WRITER = 20, 4


def test_twenty_concurrent_writers_lose_nothing(store):
    """20 threads submit at once (half share one store object, half open their own)."""
    url = store.engine.url.render_as_string(hide_password=False)
    barrier = threading.Barrier(N_WRITERS)
    errors: list[BaseException] = []
    ids: list[str] = []
    lock = threading.Lock()

    def writer(i: int) -> None:
        s = store if i % 2 == 0 else RecordStore(url, upgrade=False)
        try:
            barrier.wait()
            for k in range(PER_WRITER):
                if k % 2:
                    rid = record_abstraction(
                        s,
                        now=NOW,
                        record_id=f"A-{i}-{k}",
                        officer_id="D1",
                        authorised_by="S1",
                        authoriser_level="SGT",
                        abstraction_type="court",
                        destination="Court",
                        start="2025-10-01T09:00",
                        hours=1,
                    )
                else:
                    rid = record_engagement(s, now=NOW, record_id=f"E-{i}-{k}", **FORM)
                with lock:
                    ids.append(rid)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            if s is not store:
                s.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(N_WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ids) == N_WRITERS * PER_WRITER
    assert store.count("engagements") == N_WRITERS * PER_WRITER // 2
    assert store.count("abstractions") == N_WRITERS * PER_WRITER // 2
    stored = set(store.frame("engagements")["record_id"]) | set(
        store.frame("abstractions")["record_id"]
    )
    assert stored == set(ids)
    assert engagement_counts(store, ("2025-09-29", "2025-09-29"), level="force")[
        "engagements"
    ].tolist() == [N_WRITERS * PER_WRITER // 2]


def test_concurrent_imports_of_one_file_store_each_record_once(store, tmp_path):
    """Six jobs import the same export at once: every record is stored once, none is lost."""
    from planner.records.imports import import_engagements

    rows = [
        {
            **FORM,
            "record_id": f"E{i}",
            "minority_group": "",
            "occurred_at": f"2025-09-{1 + i % 28:02d}T10:00",
        }
        for i in range(60)
    ]
    rows += [
        {**FORM, "record_id": f"N{i}", "officer_id": f"NEW{i % 3}", "minority_group": ""}
        for i in range(6)
    ]
    p = tmp_path / "export.csv"
    pd.DataFrame(rows).to_csv(p, index=False)
    url = store.engine.url.render_as_string(hide_password=False)
    results, errors = [], []
    barrier = threading.Barrier(6)

    def job() -> None:
        s = RecordStore(url, upgrade=False)
        try:
            barrier.wait()
            results.append(
                import_engagements(
                    s, p, now=NOW, rejects_path=tmp_path / f"rej{threading.get_ident()}.csv"
                )
            )
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            s.close()

    threads = [threading.Thread(target=job) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count("engagements") == 66
    assert sum(r.inserted for r in results) == 66
    assert all(r.inserted + r.duplicates == 66 and r.rejected == 0 for r in results)
    off = store.frame("officers")
    assert sorted(off.loc[~off["verified"].astype(bool), "officer_id"]) == ["NEW0", "NEW1", "NEW2"]
    assert sorted(o for r in results for o in r.new_officers) == ["NEW0", "NEW1", "NEW2"]
    audit = store.frame("audit_log")
    assert sorted(audit.loc[audit["action"] == "added_unverified", "record_id"]) == [
        "NEW0",
        "NEW1",
        "NEW2",
    ]


def test_form_options(store, tmp_path):
    from planner.records import form_options
    from planner.records.imports import import_engagements

    pd.DataFrame([{**FORM, "record_id": "X", "officer_id": "NEW", "minority_group": ""}]).to_csv(
        tmp_path / "x.csv", index=False
    )
    import_engagements(store, tmp_path / "x.csv", now=NOW)  # NEW is unverified: not offered
    o = form_options(store)
    assert list(o["officers"]) == ["D0", "D1", "D2", "D3", "D4", "I1", "P1", "P2", "P3", "S1", "S2"]
    assert o["officers"]["D1"] == "Ann (DNO, N-1)" and o["officers"]["I1"] == "Jo (INSP)"
    assert list(o["authorisers"]) == ["I1", "S1", "S2"]
    assert o["wards"]["W4"] == "Dale (South)"
    assert (
        o["authoriser_levels"][:2] == ["SGT", "INSP"] and "street briefing" in o["engagement_types"]
    )

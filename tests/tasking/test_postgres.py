"""The issue-19 flow gives the same results on PostgreSQL as on SQLite (upserts, booleans,
dates, JSON text, the audit trail)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from planner.access.roles import Principal
from planner.records.store import open_store
from planner.tasking import advance as adv
from planner.tasking.imports import import_targeting
from planner.tasking.meetings import tasking_items
from planner.tasking.people import offender_ranking, plan_reassurance, repeat_victims
from planner.tasking.pop import spend_report

INTEL = Principal("intel.user", "intelligence")
ADV = Principal("adv.user", "advance")


def _flow(url, files) -> dict:
    out: dict = {}
    with open_store(url) as s:
        for kind in ("nominals", "victims", "tasking", "pop", "spend"):
            r = import_targeting(s, files[kind], kind, tgps={"T1", "T2", "T3"}, user="t")
            out[kind] = (r["read"], r["accepted"], r["rejected"])
        out["rank"] = offender_ranking(s, INTEL).to_dict("records")
        out["victims"] = (
            repeat_victims(s, INTEL).drop(columns=["home_x", "home_y"]).to_dict("records")
        )
        out["plan"] = plan_reassurance(
            s, INTEL, lpa="North", start=date(2025, 7, 1), days=2, per_day=1
        ).to_dict("records")
        out["items"] = tasking_items(s, INTEL, today=date(2025, 7, 31)).to_dict("records")
        adv.generate_calendar(s, ["North", "South"], "2025-07", 3, principal=ADV)
        adv.set_month(s, "2025-08", "North", principal=ADV)
        out["calendar"] = adv.calendar(s)[["month", "lpa"]].to_dict("records")
        d = adv.plan_day(s, "North", date(2025, 7, 12), resources={"officers": 5}, principal=ADV)
        d = adv.record_results(s, d["day_id"], {"arrests": 2}, principal=ADV)
        out["day"] = {k: v for k, v in d.items() if k != "updated_by"}
        out["spend"] = spend_report(s, INTEL, grant_gbp=10_000)
        out["audit"] = int(s.count("audit_trail"))
    return out


@pytest.mark.postgres
def test_same_results_on_postgresql_and_sqlite(pg_url, files, tmp_path):
    lite = _flow(tmp_path / "r.sqlite", files)
    pg = _flow(pg_url, files)
    for k in lite:
        a, b = lite[k], pg[k]
        if isinstance(a, list):
            a, b = pd.DataFrame(a).astype(str), pd.DataFrame(b).astype(str)
            pd.testing.assert_frame_equal(a, b, check_dtype=False)
        else:
            assert a == b, k
    assert lite["calendar"] == [
        {"month": "2025-07", "lpa": "North"},
        {"month": "2025-08", "lpa": "North"},
        {"month": "2025-09", "lpa": "North"},  # an edit does not regenerate the others
    ]
    assert lite["day"]["wanted_count"] == 1 and lite["day"]["arrests"] == 2

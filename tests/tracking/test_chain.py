"""planner.tracking.chain.track against the library steps called one by one, and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.tracking.chain import logged_methods, track
from planner.tracking.delivery import delivered_place_days, row_methods
from planner.tracking.dwell import DwellConfig, TGPIndex, dwell, place_days
from planner.tracking.logs import check_logs, log_rows

from .test_logs_delivery import layer, plan_frame, stay, ts


@pytest.fixture
def pings():
    # G1 in T1 for 20 minutes on 3 Nov; W1 in T2 for 12 minutes on 4 Nov
    return pd.concat(
        [stay("G1", "2025-11-03 10:00", 20), stay("W1", "2025-11-04 09:00", 12, x=550.0)],
        ignore_index=True,
    )


@pytest.fixture
def logs():
    return check_logs(
        pd.DataFrame(
            {
                "officer_id": ["G1", "", "W7"],
                "tgp_id": ["T1", "T1", "T2"],
                "start": [ts("2025-11-03 10:10"), ts("2025-11-05 11:00"), ts("2025-11-06 14:00")],
                "end": [ts("2025-11-03 10:40"), ts("2025-11-05 11:30"), ts("2025-11-06 14:20")],
                "method": ["gtf", "asb_patrol", "la_patrol"],
                "crew": [1, 2, 1],
            }
        )
    )


def test_gps_only_is_dwell_then_place_days(pings):
    tg = layer()
    got = track(pings, tg)
    res = dwell(pings, tg)
    pd.testing.assert_frame_equal(got.rows, res.rows)
    pd.testing.assert_frame_equal(got.place_days, place_days(res.rows, np.array(["T1", "T2"])))
    pd.testing.assert_frame_equal(got.visits, res.visits)
    assert got.log_stats is None and got.methods is None and got.delivered_place_days is None
    # by hand: 20 minutes in T1 on 3 Nov, 12 in T2 on 4 Nov
    pdays = got.place_days.set_index(["tgp_id", "date"])
    assert pdays.loc[("T1", pd.Timestamp("2025-11-03")), "officer_minutes"] == pytest.approx(20.0)
    assert pdays.loc[("T2", pd.Timestamp("2025-11-04")), "officer_minutes"] == pytest.approx(12.0)


@pytest.mark.parametrize("from_logs", [False, True])
def test_logs_and_plan_are_the_steps_one_by_one(pings, logs, from_logs):
    tg = layer()
    cfg = DwellConfig()
    plan = plan_frame()
    team = pd.Series({"G1": "GTF-1", "W1": "LA-Wolverhampton"})
    kind = pd.Series({"GTF-1": "gtf", "LA-Wolverhampton": "la_patrol"})
    got = track(
        pings,
        tg,
        cfg,
        logs=logs,
        plan=plan,
        officer_team=team,
        team_kind=kind,
        methods_from_logs=from_logs,
    )
    # the same steps by hand
    index = TGPIndex.from_frame(tg, cell_m=cfg.cell_m)
    res = dwell(pings, index, cfg)
    lrows, officers, stats = log_rows(logs, res.rows, res.officers, index.ids, cfg)
    rows = pd.concat([res.rows, lrows], ignore_index=True)
    methods = row_methods(rows, officers, index.ids, officer_team=team, team_kind=kind, plan=plan)
    if from_logs:
        methods[len(res.rows) :] = logged_methods(logs, lrows, officers, index.ids)
    pd.testing.assert_frame_equal(got.rows, rows)
    assert list(got.officers) == list(officers)
    assert got.log_stats == stats
    pd.testing.assert_frame_equal(got.place_days, place_days(rows, index.ids, cfg))
    assert list(got.methods) == list(methods)
    pd.testing.assert_frame_equal(
        got.delivered_place_days, delivered_place_days(rows, methods, index.ids, cfg)
    )
    if from_logs:
        # the log rows carry their logs' methods: G1 gtf, the anonymous pair asb_patrol,
        # W7 la_patrol
        log_part = dict(
            zip(
                zip(
                    np.asarray(officers, dtype=object)[lrows["officer"].to_numpy()],
                    np.asarray(index.ids)[lrows["tgp"].to_numpy()],
                    strict=True,
                ),
                got.methods[len(res.rows) :],
                strict=False,
            )
        )
        assert log_part[("W7", "T2")] == "la_patrol"
        assert log_part[("G1", "T1")] == "gtf"
        assert {m for (o, _t), m in log_part.items() if str(o).startswith("log-")} == {"asb_patrol"}


def test_logged_methods_none_without_rows(logs):
    empty = pd.DataFrame({"officer": np.array([], dtype=int), "tgp": np.array([], dtype=int)})
    assert logged_methods(logs, empty, np.array([]), np.array(["T1", "T2"])) is None

"""planner.hotspots.advance.workspace_briefing: the briefing the app and `planner advance` show,
against advance_briefing on the workspace's whole crime series."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.errors import PlannerError
from planner.hotspots.advance import advance_briefing, default_as_of, workspace_briefing

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lpa(demo_ws):
    return "Coventry"


@pytest.fixture(scope="module")
def everything(demo_ws):
    return demo_ws.crimes(synthetic=True)


def test_same_briefing_as_on_the_whole_series(demo_ws, lpa, everything):
    as_of = "2025-11-30"
    got = workspace_briefing(demo_ws, lpa, as_of)
    direct = advance_briefing(
        everything, demo_ws.geography(), lpa, as_of, synthetic=True, source="x"
    )
    pd.testing.assert_frame_equal(got.rates, direct.rates)
    pd.testing.assert_frame_equal(got.wards, direct.wards)
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.targets.drop(columns="geometry")),
        pd.DataFrame(direct.targets.drop(columns="geometry")),
    )
    assert got.as_of == direct.as_of


def test_default_day_is_the_workspace_today_or_the_series_end(demo_ws, lpa, everything):
    got = workspace_briefing(demo_ws, lpa)
    assert got.as_of == min(demo_ws.today, default_as_of(everything))


def test_bad_date(demo_ws, lpa):
    with pytest.raises(PlannerError, match="YYYY-MM-DD, not 2025-13-45"):
        workspace_briefing(demo_ws, lpa, "2025-13-45")

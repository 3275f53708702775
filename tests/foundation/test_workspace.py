"""Workspace metadata, table registration and pushed-down crime filters."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from planner.errors import PlannerError
from planner.io.crime import save_crimes
from planner.schema import make_crimes
from planner.workspace import Workspace, create_workspace


def test_not_a_workspace_is_a_clear_error(tmp_path):
    with pytest.raises(PlannerError, match=r"is not a planner workspace .*planner demo --out DIR"):
        Workspace(tmp_path)


def test_tables_registration_flags_and_crime_filters(tmp_path):
    ws = create_workspace(tmp_path / "ws", name="t", today="2025-12-31", seed=1)
    assert ws.today == date(2025, 12, 31)
    c = make_crimes(
        [400000, 400100, 400200, 400300],
        [286000] * 4,
        ["Robbery", "Shoplifting", "Robbery", "Anti-social behaviour"],
        occurred_at=[
            "2025-01-05 10:00",
            "2025-02-01 00:30",
            "2025-03-31 23:59",
            "2025-02-14 12:00",
        ],
    )
    assert c["month"].tolist() == ["2025-01", "2025-02", "2025-03", "2025-02"]
    save_crimes(c, ws.path("crime/synthetic.parquet"))
    ws.add_table(
        "crimes_synthetic",
        "crime/synthetic.parquet",
        synthetic=True,
        description="SYNTHETIC test",
        rows=4,
    )
    pd.DataFrame({"a": [1, 2]}).to_csv(ws.path("x.csv"), index=False)
    ws.add_table("x", "x.csv", synthetic=False, description="plain")
    assert ws.is_synthetic("crimes_synthetic")
    assert not ws.is_synthetic("x")
    assert ws.has_table("x")
    assert not ws.has_table("nope")
    assert ws.read_table("x")["a"].tolist() == [1, 2]
    with pytest.raises(PlannerError, match="has no table 'nope'"):
        ws.table_path("nope")
    got = ws.crimes(start="2025-02", end="2025-03")
    assert sorted(got["month"]) == ["2025-02", "2025-02", "2025-03"]
    got = ws.crimes(types=["Robbery"])
    assert got["crime_type"].tolist() == ["Robbery", "Robbery"]
    assert str(got["occurred_at"].dt.tz) == "Europe/London"
    # month-only records keep the canonical (tz-aware, empty) occurred_at column
    m = make_crimes([400000.0], [286000.0], ["Robbery"], month=["2025-01"])
    assert str(m["occurred_at"].dtype) == "datetime64[ns, Europe/London]"
    assert m["occurred_at"].isna().all()
    # the metadata file is rewritten atomically and stays valid JSON
    assert Workspace(ws.root).meta["tables"]["x"]["synthetic"] is False

"""The app on a force's own workspace (no synthetic table): notices for missing tables with the
command that fills each, names and funding years from the workspace, no synthetic banner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ownforce"))
from ownforce_builders import month_points, wards_frame, write_street  # noqa: E402


@pytest.fixture
def own_ws(tmp_path):
    from planner.ownforce.init import InitRequest, LevelSource, init_workspace

    src = tmp_path / "src"
    src.mkdir()
    wards = src / "wards.gpkg"
    wards_frame().to_file(wards)
    for m in ("2024-01", "2024-02"):
        write_street(src / "months" / f"{m}-t-street.csv", m, month_points(m))
    ws, _ = init_workspace(
        InitRequest(out=tmp_path / "ws", name="Test Police", wards=wards,
                    crimes=[src / "months"], lpa=LevelSource(field="LAD_CD"))
    )  # fmt: skip
    return ws


def _texts(obj) -> list[str]:
    out = []
    for o in obj.select():
        v = getattr(o, "object", None)
        if isinstance(v, str):
            out.append(v)
    return out


def test_pages_on_an_own_force_workspace(own_ws):
    from planner.app.data import AppData
    from planner.app.registry import build_page
    from planner.app.state.neighbourhoods import record_periods

    data = AppData(own_ws)
    assert data.has("crimes") and data.crime_table == "crimes_real"
    assert data.force_name == "Test Police" and data.funding_year == 2023
    assert not data.any_synthetic("crimes", "plan_visits", "records_store")
    assert record_periods(2023) == ["last 28 days", "last 90 days", "FY2023", "FY2022"]
    page = build_page("plan", data)
    assert type(page).__name__ == "UnavailablePage" and page.missing_tables == ["plan_visits"]
    view = page.__panel__()
    classes = [c for o in view.select() for c in (getattr(o, "css_classes", None) or [])]
    assert "missing-tables" in classes and "synthetic-label" not in classes
    assert "unavailable" not in classes  # the library is there; only the table is missing
    text = "\n".join(_texts(view))
    assert (
        f"`planner schedule --workspace {own_ws.root} --quarter YYYYQN  (or your own: planner import plans PLANS.csv --workspace {own_ws.root})`"
        in text
    )
    assert "**plan_visits**" in text
    page = build_page("delivery", data)
    assert page.missing_tables == ["plan_visits", "place_days", "tgps"]
    assert f"planner tgps --workspace {own_ws.root}" in "\n".join(_texts(page.__panel__()))
    assert type(build_page("advance", data)).__name__ == "AdvancePage"

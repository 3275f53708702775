"""Fixtures of the own-force tests (builders in ownforce_builders.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from ownforce_builders import Force, month_points, wards_frame, write_street  # noqa: E402


@pytest.fixture
def force(tmp_path) -> Force:
    root = tmp_path / "src"
    root.mkdir()
    wards = root / "wards.geojson"
    wards_frame().to_crs("EPSG:4326").to_file(wards, driver="GeoJSON")
    months = root / "months"
    for m in ("2024-01", "2024-02"):
        write_street(months / m / f"{m}-test-street.csv", m, month_points(m))
    return Force(root, wards, months)


@pytest.fixture
def ws_dir(force, tmp_path) -> Path:
    """A workspace built from the tiny force (LPA from the LAD_CD field, sectors from SECTOR)."""
    from planner.ownforce.init import InitRequest, LevelSource, init_workspace

    out = tmp_path / "ws"
    init_workspace(
        InitRequest(
            out=out,
            name="Test Police",
            wards=force.wards,
            crimes=[force.months],
            lpa=LevelSource(field="LAD_CD"),
            sector=LevelSource(field="SECTOR"),
        )
    )
    return out

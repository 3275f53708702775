"""notebooks/01_hotspots_and_tgps.ipynb runs top to bottom on the demo workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.testing import run_notebook

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_notebook_runs(demo_ws):
    text = run_notebook(REPO / "notebooks" / "01_hotspots_and_tgps.ipynb", demo_ws.root)
    assert "SYNTHETIC" in text and "TGP coverage: 84 areas" in text
    assert "IDs kept from the previous layer" in text

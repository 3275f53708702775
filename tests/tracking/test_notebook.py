"""notebooks/03_delivery_tracking.ipynb runs top to bottom on the demo workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.testing import run_notebook

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_notebook_runs(demo_ws):
    text = run_notebook(REPO / "notebooks" / "03_delivery_tracking.ipynb", demo_ws.root)
    assert "SYNTHETIC 2025Q4: planned" in text
    assert "read 6 = accepted 3 + rejected 3" in text
    assert "Funding year from 2025-04-01" in text
    assert "within-TGP difference" in text and "WDD" in text

"""notebooks/03_delivery_tracking.ipynb runs top to bottom on the demo workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_notebook_runs(demo_ws, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("PLANNER_WORKSPACE", str(demo_ws.root))
    nb = nbformat.read(REPO / "notebooks" / "03_delivery_tracking.ipynb", as_version=4)
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO / "notebooks")}},
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )
    assert "SYNTHETIC 2025Q4: planned" in text
    assert "read 6 = accepted 3 + rejected 3" in text
    assert "Funding year from 2025-04-01" in text
    assert "within-TGP difference" in text and "WDD" in text

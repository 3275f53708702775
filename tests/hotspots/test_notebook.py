"""notebooks/01_hotspots_and_tgps.ipynb runs top to bottom on the demo workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_notebook_runs(demo_ws, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("PLANNER_WORKSPACE", str(demo_ws.root))
    nb = nbformat.read(REPO / "notebooks" / "01_hotspots_and_tgps.ipynb", as_version=4)
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO / "notebooks")}},
    ).execute()
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert "SYNTHETIC" in text and "TGP coverage: 84 areas" in text
    assert "IDs kept from the previous layer" in text
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors

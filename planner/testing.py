"""Helpers for tests (like ``geopandas.testing``): run a notebook on a workspace."""

from __future__ import annotations

import os
from pathlib import Path


def run_notebook(path: str | Path, workspace: str | Path, *, timeout: int = 600) -> str:
    """Execute a notebook top to bottom with ``PLANNER_WORKSPACE=workspace``.

    Returns the text of every code cell's output (streams and ``text/plain``). Raises
    ``AssertionError`` naming the cell when a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    old = os.environ.get("PLANNER_WORKSPACE")
    os.environ["PLANNER_WORKSPACE"] = str(workspace)
    try:
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    except CellExecutionError as exc:
        raise AssertionError(f"{path.name}: a cell failed:\n{exc}") from None
    finally:
        if old is None:
            os.environ.pop("PLANNER_WORKSPACE", None)
        else:
            os.environ["PLANNER_WORKSPACE"] = old
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if errors:
        raise AssertionError(
            f"{path.name}: error output: {errors[0].get('ename')}: {errors[0].get('evalue')}"
        )
    return "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )

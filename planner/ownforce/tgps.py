"""Register a derived TGP layer as a workspace's TGPs, with its coverage report.

``planner tgps --workspace DIR`` (without ``--out``) derives the layer from the workspace's
crimes, writes it to ``tgps.gpkg`` and calls :func:`register_tgps`, which records the
derivation window, writes the coverage report over that window (``tgps_coverage.csv`` and
``.json``) and registers both tables (synthetic when the crimes they come from are).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from planner.workspace import Workspace


def register_tgps(
    workspace: str | Path,
    derivation,
    crimes: pd.DataFrame,
    area,
    geography,
    *,
    start: str | None = None,
    end: str | None = None,
) -> dict[str, Any]:
    """Register ``tgps.gpkg`` (already written) and its coverage report in the workspace.

    Parameters
    ----------
    workspace
        Workspace folder.
    derivation
        The :class:`planner.hotspots.tgps.TGPDerivation` that was written.
    crimes
        The crimes the layer was derived from (all months; the window is applied here).
    area
        Force area (EPSG:27700).
    geography
        LPA and ward layers for the per-LPA rows.
    start, end
        Derivation window ("YYYY-MM"; None = all months).

    Returns
    -------
    dict
        The coverage summary with ``table`` (force row + one per LPA, shares in %), ``window``
        and ``synthetic``.
    """
    from planner.hotspots.coverage import SUMMARY_KEYS, coverage_report
    from planner.hotspots.grid import filter_crimes

    ws = Workspace(workspace)
    table = ws.series_table
    synthetic = bool(table and ws.is_synthetic(table))
    window_crimes = filter_crimes(crimes, None, start, end)
    months = sorted(window_crimes["month"].dropna().unique().tolist())
    window = [start or months[0], end or months[-1]]
    s = derivation.summary
    tag = "SYNTHETIC " if synthetic else ""
    ws.add_table(
        "tgps",
        "tgps.gpkg",
        synthetic=synthetic,
        description=f"TGP layer derived (planner.hotspots.tgps) from the workspace's {tag}crimes "
        f"{window[0]}..{window[1]}: {s['n_violent']} violent + {s['n_asb']} ASB areas, "
        f"{100 * s['area_share']:.2f}% of the force area",
        rows=len(derivation.tgps),
    )
    rep = coverage_report(derivation.tgps, window_crimes, area, geography)
    tab = rep.table()
    out: dict[str, Any] = {k: rep.summary[k] for k in SUMMARY_KEYS}
    out.update({k: v for k, v in rep.summary.items() if k not in out})
    out["window"] = window
    out["synthetic"] = synthetic
    out["table"] = tab.to_dict("records")
    ws.path("tgps_coverage.json").write_text(
        json.dumps({**out, "derivation": s}, indent=2, default=str)
    )
    tab.to_csv(ws.path("tgps_coverage.csv"), index=False)
    ws.add_table(
        "tgps_coverage",
        "tgps_coverage.csv",
        synthetic=synthetic,
        description=f"coverage report of the TGP layer over {window[0]}..{window[1]} ({tag or 'real '}crime)",
        rows=len(tab),
    )
    meta = ws.meta
    meta["tgps_window"] = window
    ws._write_meta(meta)
    return out

"""Demo step: derive the TGP layer from the first two funding years of the synthetic series.

FY2023 and FY2024 (2023-04 .. 2025-03) of the synthetic crime series feed
:func:`planner.hotspots.tgps.derive_tgps` with the Op Savvy defaults (84 areas: 50 violent,
34 ASB; 2.2% area budget). The layer is written to ``tgps.gpkg`` and registered as table
``tgps`` (synthetic: it is derived from synthetic crime); its coverage report over the same
window goes to ``tgps_coverage.json`` (and ``tgps_coverage.csv``). Deterministic: no random
draws (``rng`` is unused).
"""

from __future__ import annotations

import json

import geopandas as gpd

from planner.hotspots.config import ANALYSIS_COLUMNS, TGP_WINDOW, TGPConfig, tgp_types
from planner.hotspots.coverage import coverage_report
from planner.hotspots.tgps import derive_tgps

WINDOW = TGP_WINDOW
COLUMNS = list(ANALYSIS_COLUMNS)


def step(ws, rng) -> None:  # noqa: ARG001 - deterministic step
    """Demo step (:data:`planner.demo.STEPS`): derive the TGP layer (Op Savvy rules) and write ``tgps.gpkg``.

    Parameters
    ----------
    ws : Workspace
        The demo workspace being built.
    rng : numpy.random.Generator
        The build's random stream.
    """
    geo = ws.geography()
    area = geo.study_area
    cols = COLUMNS
    crimes = ws.crimes(*WINDOW, types=tgp_types(), columns=cols)
    res = derive_tgps(crimes, area, geo, TGPConfig())
    path = ws.path("tgps.gpkg")
    if path.exists():
        path.unlink()
    gpd.GeoDataFrame(res.tgps).to_file(path, layer="tgps", driver="GPKG")
    ws.add_table(
        "tgps",
        "tgps.gpkg",
        synthetic=True,
        description=f"TGP layer derived (planner.hotspots.tgps, Op Savvy defaults) from the SYNTHETIC crime series "
        f"{WINDOW[0]}..{WINDOW[1]}: {res.summary['n_violent']} violent + {res.summary['n_asb']} ASB areas, "
        f"{100 * res.summary['area_share']:.2f}% of the force area",
        rows=len(res.tgps),
    )
    rep = coverage_report(res.tgps, crimes, area, geo)
    summary = {
        **rep.summary,
        "window": list(WINDOW),
        "synthetic": True,
        "derivation": res.summary,
        "by_lpa": rep.by_lpa.to_dict("records"),
    }
    ws.path("tgps_coverage.json").write_text(json.dumps(summary, indent=2, default=float))
    rep.table().to_csv(ws.path("tgps_coverage.csv"), index=False)
    ws.add_table(
        "tgps_coverage",
        "tgps_coverage.csv",
        synthetic=True,
        description="coverage report of the demo TGP layer over 2023-04..2025-03 (SYNTHETIC crime)",
        rows=len(rep.table()),
    )

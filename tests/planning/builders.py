"""Tiny constructed inputs for the planning tests (TGP layers, teams, crimes)."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
from shapely import box

from planner.crs import BNG
from planner.planning.config import PlanConfig, ShiftPattern, TeamConfig

LPAS = ("Birmingham", "Coventry")


def make_tgps(n: int = 6, *, seed: int = 0, asb_every: int = 3) -> gpd.GeoDataFrame:
    """``n`` 200 m square TGPs 1 km apart, alternating LPAs, every ``asb_every``-th an ASB area."""
    rng = np.random.default_rng(seed)
    x0 = 400000 + 1000 * np.arange(n)
    y0 = np.full(n, 286000)
    geom = [box(x, y, x + 200, y + 200) for x, y in zip(x0, y0)]
    kind = np.where(np.arange(n) % asb_every == asb_every - 1, "asb", "violent")
    return gpd.GeoDataFrame(
        {
            "tgp_id": [f"TGP-{i + 1:03d}" for i in range(n)],
            "driver": np.where(kind == "asb", "asb", "violence"),
            "kind": kind,
            "lpa": [LPAS[i % 2] for i in range(n)],
            "wards": "E05000001",
            "crimes": rng.integers(36, 150, n),
            "harm": np.round(rng.uniform(100, 1000, n), 1),
            "area_m2": 40000.0,
        },
        geometry=geom,
        crs=BNG,
    )


def make_teams(
    scale: float = 1.0, *, gtf5_start: date | None = date(2025, 11, 17)
) -> tuple[TeamConfig, ...]:
    """GTF-1..GTF-5 (force-wide), one LPA team and one LA warden team per LPA."""
    gtf = ShiftPattern(bands=("08-12", "12-16", "16-20", "20-24"))
    teams = [
        TeamConfig(
            f"GTF-{i}",
            "gtf",
            None,
            max(1, round(4 * scale)),
            gtf,
            start_date=(gtf5_start if i == 5 else None),
            patrol_share=0.5,
        )
        for i in range(1, 6)
    ]
    for lpa in LPAS:
        teams.append(
            TeamConfig(
                f"LPA-{lpa}",
                "lpa_patrol",
                lpa,
                max(1, round(10 * scale)),
                ShiftPattern(bands=("00-04", "16-20", "20-24")),
                patrol_share=0.1,
            )
        )
        teams.append(
            TeamConfig(
                f"LA-{lpa}",
                "la_patrol",
                lpa,
                max(1, round(4 * scale)),
                ShiftPattern(bands=("08-12", "12-16"), weekdays=(0, 1, 2, 3, 4, 5)),
                patrol_share=0.3,
            )
        )
    return tuple(teams)


def make_config(
    n_tgps: int = 6, *, annual_hours: float = 2920, scale: float = 1.0, **kw
) -> PlanConfig:
    """A small plan: ``annual_hours`` a year (2,920 h = 8 h a day over the year)."""
    return PlanConfig(annual_target_hours=annual_hours, teams=make_teams(scale), **kw).check()

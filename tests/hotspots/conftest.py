"""Small constructed inputs for the hotspot engine tests."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.crs import BNG
from planner.schema import make_crimes

X0, Y0 = 400_000.0, 280_000.0


def square_force(size: float = 10_000.0):
    return shapely.box(X0, Y0, X0 + size, Y0 + size)


def cluster(rng, cx, cy, n, crime_type, months, spread=40.0):
    """``n`` crimes within ``spread`` metres of (cx, cy), months cycling through ``months``."""
    r = spread * np.sqrt(rng.uniform(0, 1, n))
    a = rng.uniform(0, 2 * np.pi, n)
    m = [months[i % len(months)] for i in range(n)]
    return make_crimes(cx + r * np.cos(a), cy + r * np.sin(a), [crime_type] * n, month=m)


def two_lpa_geography(size: float = 10_000.0):
    """West and East halves as LPAs; four ward quadrants."""
    h = size / 2
    lpas = gpd.GeoDataFrame(
        {"lpa_code": ["L1", "L2"], "lpa": ["West", "East"]},
        geometry=[
            shapely.box(X0, Y0, X0 + h, Y0 + size),
            shapely.box(X0 + h, Y0, X0 + size, Y0 + size),
        ],
        crs=BNG,
    )
    wards = gpd.GeoDataFrame(
        {
            "ward_code": ["W1", "W2", "E1", "E2"],
            "ward": ["West South", "West North", "East South", "East North"],
            "lpa": ["West", "West", "East", "East"],
        },
        geometry=[
            shapely.box(X0, Y0, X0 + h, Y0 + h),
            shapely.box(X0, Y0 + h, X0 + h, Y0 + size),
            shapely.box(X0 + h, Y0, X0 + size, Y0 + h),
            shapely.box(X0 + h, Y0 + h, X0 + size, Y0 + size),
        ],
        crs=BNG,
    )
    return SimpleNamespace(lpas=lpas, wards=wards, study_area=square_force(size))


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


MONTHS_24 = [
    f"{y}-{m:02d}" for y, m in [(2023 + (k + 3) // 12, (k + 3) % 12 + 1) for k in range(24)]
]


@pytest.fixture
def hs():
    """Builders: square_force, cluster, two_lpa_geography, MONTHS_24, X0, Y0."""
    return SimpleNamespace(
        square_force=square_force,
        cluster=cluster,
        two_lpa_geography=two_lpa_geography,
        MONTHS_24=MONTHS_24,
        X0=X0,
        Y0=Y0,
    )

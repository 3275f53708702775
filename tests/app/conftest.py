"""Fixtures for the app tests: a small constructed workspace and, for browser tests, a served app."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from planner.paths import GEODATA

CHROMIUM = Path(os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: small workspace: crimes per ward i = SMALL_PER_WARD[i % 4]; months and types cycle
SMALL_MONTHS = ("2025-10", "2025-11", "2025-12")
SMALL_TYPES = ("Robbery", "Burglary")
SMALL_PER_WARD = (1, 2, 3, 4)


def build_small_workspace(root: Path):
    """A workspace with the real WM boundaries and a few constructed crimes per ward.

    Ward ``i`` (in ward-code order) gets ``SMALL_PER_WARD[i % 4]`` crimes at its representative
    point; crime ``j`` of a ward falls in month ``SMALL_MONTHS[j % 3]`` with type
    ``SMALL_TYPES[j % 2]``. Everything is exact so tests can compute expectations by hand.
    """
    from planner.geography import ForceGeography
    from planner.schema import make_crimes
    from planner.workspace import create_workspace

    if root.exists():
        shutil.rmtree(root)
    ws = create_workspace(root, name="small test", today="2025-12-31", seed=0)
    force = gpd.read_parquet(GEODATA / "force_area.parquet")
    lpas = gpd.read_parquet(GEODATA / "lpas.parquet")
    wards = gpd.read_parquet(GEODATA / "wards_2024.parquet")
    geo = ForceGeography.build(force, lpas, wards)
    (root / "boundaries").mkdir()
    for name, layer in (
        ("force", geo.force),
        ("lpas", geo.lpas),
        ("neighbourhoods", geo.neighbourhoods),
        ("wards", geo.wards),
    ):
        layer.to_parquet(root / "boundaries" / f"{name}.parquet")
        ws.add_table(
            name, f"boundaries/{name}.parquet", synthetic=False, description=name, rows=len(layer)
        )
    w = geo.wards.sort_values("ward_code").reset_index(drop=True)
    per = np.array([SMALL_PER_WARD[i % 4] for i in range(len(w))])
    ward_idx = np.repeat(np.arange(len(w)), per)
    j = np.concatenate([np.arange(k) for k in per])
    pts = w.geometry.representative_point()
    crimes = make_crimes(
        pts.x.to_numpy()[ward_idx],
        pts.y.to_numpy()[ward_idx],
        np.array(SMALL_TYPES)[j % 2],
        month=np.array(SMALL_MONTHS)[j % 3],
    )
    # make_crimes leaves an all-NaT occurred_at tz-naive; the canonical dtype is tz-aware
    crimes["occurred_at"] = pd.Series(
        pd.NaT, index=crimes.index, dtype="datetime64[ns, Europe/London]"
    )
    (root / "crime").mkdir()
    crimes.to_parquet(root / "crime" / "synthetic.parquet")
    ws.add_table(
        "crimes_synthetic",
        "crime/synthetic.parquet",
        synthetic=True,
        description="constructed",
        rows=len(crimes),
    )
    return ws


@pytest.fixture(scope="session")
def small_ws(tmp_path_factory):
    return build_small_workspace(tmp_path_factory.mktemp("app") / "small")


@pytest.fixture(scope="session")
def small_expected(small_ws):
    """Brute force: the constructed crimes per ward code for given months and types."""
    wards = small_ws.geography().wards.sort_values("ward_code")["ward_code"].tolist()

    def counts(months=SMALL_MONTHS, types=SMALL_TYPES) -> pd.Series:
        out = {}
        for i, code in enumerate(wards):
            n = SMALL_PER_WARD[i % 4]
            out[code] = sum(
                1 for j in range(n) if SMALL_MONTHS[j % 3] in months and SMALL_TYPES[j % 2] in types
            )
        return pd.Series(out, dtype="float64")

    counts.months = SMALL_MONTHS
    return counts


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium); not installed here"
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}

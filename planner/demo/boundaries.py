"""Demo step: the real West Midlands layers (ONS, OGL v3.0) and the derived hierarchy."""

from __future__ import annotations

import geopandas as gpd

from planner.geography import ForceGeography
from planner.paths import GEODATA


def load_wm_geography(seed: int = 0) -> ForceGeography:
    """Force -> LPA (7 districts) -> neighbourhood team (grouped wards) -> ward (2024), LSOAs 2021."""
    force = gpd.read_parquet(GEODATA / "force_area.parquet")
    lpas = gpd.read_parquet(GEODATA / "lpas.parquet")
    wards = gpd.read_parquet(GEODATA / "wards_2024.parquet")[["ward_code", "ward", "geometry"]]
    lsoas = gpd.read_parquet(GEODATA / "lsoas_2021.parquet")[
        ["lsoa_code", "lsoa_name", "population", "geometry"]
    ]
    return ForceGeography.build(force, lpas, wards, lsoas, seed=seed)


def step(ws, rng) -> None:
    geo = load_wm_geography()
    (ws.root / "boundaries").mkdir(exist_ok=True)
    layers = {
        "force": (geo.force, "West Midlands Police force area (real; police.uk / ONS, OGL v3.0)"),
        "lpas": (
            geo.lpas,
            "7 Local Policing Areas = local authority districts May 2023 (real; ONS, OGL v3.0)",
        ),
        "neighbourhoods": (
            geo.neighbourhoods,
            "neighbourhood teams: wards grouped within each LPA by planner.geography.group_wards (derived; no open WMP neighbourhood boundaries exist)",
        ),
        "wards": (
            geo.wards,
            "wards December 2024 (real; ONS, OGL v3.0) with population and hierarchy",
        ),
        "lsoas": (geo.lsoas, "LSOAs 2021 with Census 2021 usual residents (real; ONS, OGL v3.0)"),
    }
    for name, (gdf, desc) in layers.items():
        rel = f"boundaries/{name}.parquet"
        gdf.to_parquet(ws.root / rel, compression="zstd")
        ws.add_table(name, rel, synthetic=False, description=desc, rows=len(gdf))

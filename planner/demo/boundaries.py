"""Demo step: the real West Midlands layers (ONS, OGL v3.0) and the derived hierarchy."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.geography import ForceGeography
from planner.paths import GEODATA


def load_wm_geography(seed: int = 0) -> ForceGeography:
    """Force -> LPA (7 districts) -> neighbourhood team (grouped wards) -> ward (2024), LSOAs 2021.

    Parameters
    ----------
    seed : int
        Seed of the ward grouping into neighbourhoods.

    Returns
    -------
    ForceGeography
        The West Midlands geography from the bundled boundary files.
    """
    force = gpd.read_parquet(GEODATA / "force_area.parquet")
    lpas = gpd.read_parquet(GEODATA / "lpas.parquet")
    wards = gpd.read_parquet(GEODATA / "wards_2024.parquet")[["ward_code", "ward", "geometry"]]
    lsoas = gpd.read_parquet(GEODATA / "lsoas_2021.parquet")[
        ["lsoa_code", "lsoa_name", "population", "geometry"]
    ]
    return ForceGeography.build(force, lpas, wards, lsoas, seed=seed)


#: neighbourhood teams per SYNTHETIC demo sector (WMP's sectors are not open data)
TEAMS_PER_SECTOR = 4


def demo_sectors(wards: gpd.GeoDataFrame, teams_per_sector: int = TEAMS_PER_SECTOR) -> pd.DataFrame:
    """SYNTHETIC sectors for the demo: each LPA's neighbourhood teams grouped west to east.

    ``max(1, round(n_teams / teams_per_sector))`` sectors per LPA, consecutive teams by the
    x of their wards' mean representative point. Returns ``ward_code, sector_code,
    sector_name`` (names say "synthetic").

    Parameters
    ----------
    wards
        Wards with ``ward_code, lpa, nbh_code`` and geometry.
    teams_per_sector
        Teams per sector, roughly.

    Returns
    -------
    DataFrame
    """
    x = wards.geometry.representative_point().x
    cx = x.groupby(wards["nbh_code"]).mean()
    lpa_of = wards.groupby("nbh_code")["lpa"].first()
    sector: dict[str, tuple[str, str]] = {}
    for lpa in sorted(lpa_of.unique()):
        teams = cx[lpa_of == lpa].sort_values(kind="stable")
        k = max(1, int(round(len(teams) / teams_per_sector)))
        for i, chunk in enumerate(np.array_split(np.asarray(teams.index), k)):
            code = f"{lpa[:3].upper()}-S{i + 1}"
            for t in chunk:
                sector[str(t)] = (code, f"{lpa} sector {i + 1} (synthetic)")
    codes = wards["nbh_code"].map(lambda t: sector[t][0])
    names = wards["nbh_code"].map(lambda t: sector[t][1])
    return pd.DataFrame(
        {"ward_code": wards["ward_code"], "sector_code": codes, "sector_name": names}
    ).reset_index(drop=True)


def step(ws, rng) -> None:
    """Demo step (:data:`planner.demo.STEPS`): the real boundary layers.

    Writes force, LPAs, neighbourhoods, wards (with demo sectors) and LSOAs.

    Parameters
    ----------
    ws : Workspace
        The demo workspace being built.
    rng : numpy.random.Generator
        The build's random stream.
    """
    geo = load_wm_geography()
    sec = demo_sectors(geo.wards).set_index("ward_code")
    geo.wards["sector_code"] = geo.wards["ward_code"].map(sec["sector_code"])
    geo.wards["sector_name"] = geo.wards["ward_code"].map(sec["sector_name"])
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
            "wards December 2024 (real; ONS, OGL v3.0) with population and hierarchy; "
            "sector_code/sector_name are SYNTHETIC (teams grouped by planner.demo.boundaries."
            "demo_sectors; no open WMP sector boundaries exist)",
        ),
        "lsoas": (geo.lsoas, "LSOAs 2021 with Census 2021 usual residents (real; ONS, OGL v3.0)"),
    }
    for name, (gdf, desc) in layers.items():
        rel = f"boundaries/{name}.parquet"
        gdf.to_parquet(ws.root / rel, compression="zstd")
        ws.add_table(name, rel, synthetic=False, description=desc, rows=len(gdf))

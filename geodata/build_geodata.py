"""Rebuild the bundled West Midlands data in ``geodata/`` from ``../shared/data/real``.

Run: ``python geodata/build_geodata.py [--shared PATH]``. Every output is listed with its
source in ``geodata/PROVENANCE.md``. Outputs are GeoParquet in EPSG:27700 (compact, typed).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely import force_2d, make_valid

HERE = Path(__file__).resolve().parent


def _valid(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    gdf["geometry"] = make_valid(force_2d(gdf.geometry.to_numpy()))
    gdf = gdf[~gdf.geometry.is_empty]
    # make_valid can return collections: keep the polygonal part
    gdf["geometry"] = gdf.geometry.apply(
        lambda g: g if g.geom_type in ("Polygon", "MultiPolygon") else g.buffer(0)
    )
    return gdf


def main(shared: Path) -> None:
    real = shared / "data" / "real"
    b = real / "boundaries"
    force = gpd.read_file(b / "wmp_force_area.gpkg", layer="westmidlands")
    force = _valid(force.to_crs(27700))[["geometry"]]
    force.insert(0, "force", "West Midlands Police")
    force.to_parquet(HERE / "force_area.parquet", compression="zstd")

    lad = gpd.read_file(b / "lad_2023_may_wm.geojson").to_crs(27700)
    lad = _valid(lad).rename(columns={"LAD23CD": "lpa_code", "LAD23NM": "lpa"})[
        ["lpa_code", "lpa", "geometry"]
    ]
    lad.sort_values("lpa_code").to_parquet(HERE / "lpas.parquet", compression="zstd")

    wards = gpd.read_file(b / "wards_2024_dec_wm.geojson").to_crs(27700)
    wards = _valid(wards).rename(
        columns={"WD24CD": "ward_code", "WD24NM": "ward", "LAD24CD": "lad_code", "LAD24NM": "lad"}
    )
    wards[["ward_code", "ward", "lad_code", "lad", "geometry"]].sort_values("ward_code").to_parquet(
        HERE / "wards_2024.parquet", compression="zstd"
    )

    lsoa = gpd.read_file(b / "lsoa_2021_wmca.geojson").to_crs(27700)
    pop = pd.read_csv(real / "population" / "census2021_ts001_usual_residents_lsoa21_ew.csv")
    pop = pop.rename(columns={"mnemonic": "lsoa_code", "total": "population"})[
        ["lsoa_code", "population"]
    ]
    lsoa = _valid(lsoa).rename(
        columns={"lsoa21cd": "lsoa_code", "lsoa21nm": "lsoa_name", "local_authority_name": "lad"}
    )
    lsoa = lsoa[["lsoa_code", "lsoa_name", "lad", "geometry"]].merge(
        pop, on="lsoa_code", how="left"
    )
    assert lsoa["population"].notna().all()
    lsoa.sort_values("lsoa_code").to_parquet(HERE / "lsoas_2021.parquet", compression="zstd")

    (HERE / "crime").mkdir(exist_ok=True)
    shutil.copyfile(
        real / "crime" / "policeuk_api_2018-06_wm_area.csv.gz",
        HERE / "crime" / "policeuk_api_2018-06_wm_area.csv.gz",
    )

    ref = real / "reference" / "arjanbathla_uk_crime_analytics"
    (HERE / "reference").mkdir(exist_ok=True)
    wm = "West Midlands Police"
    mt = pd.read_csv(ref / "monthly_trends.csv")
    mt[mt["force"] == wm].to_csv(
        HERE / "reference" / "wmp_monthly_trends_2024-2026.csv", index=False
    )
    lr = pd.read_csv(ref / "lsoa_ranking.csv")
    lr[lr["force"] == wm].to_csv(HERE / "reference" / "wmp_lsoa_totals_2024-2026.csv", index=False)

    (HERE / "harm").mkdir(exist_ok=True)
    for f in (
        "police_uk_category_mappings_from_xlsx.csv",
        "ons_css_weights_grouped_to_policeuk_categories_thirdparty.csv",
    ):
        src = real / "harm" / f
        with (
            open(src, "rb") as fi,
            open(HERE / "harm" / (f + ".gz"), "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fo,
        ):
            shutil.copyfileobj(fi, fo)
    print("geodata rebuilt in", HERE)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    main(ap.parse_args().shared)

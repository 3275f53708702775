"""Force geography: force -> LPA -> neighbourhood -> ward (and LSOAs), built by overlay.

Every child area is assigned to the parent it overlaps most (largest-overlap rule), so that
generalised boundaries of different vintages (ONS ward BGC vs LAD BGC) still nest. In the West
Midlands the LPAs are the 7 districts; no open neighbourhood-team boundaries exist, so the
default neighbourhood teams group neighbouring wards within each LPA
(:func:`group_wards`); a force loads its own with ``neighbourhoods=`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.crs import BNG
from planner.errors import PlannerError

#: optional ward-table columns of the sector level (absent or null = no sectors)
SECTOR_COLUMNS: tuple[str, str] = ("sector_code", "sector_name")


def largest_overlap(
    child: gpd.GeoDataFrame, parent: gpd.GeoDataFrame, child_key: str, parent_key: str
) -> pd.Series:
    """For each child area, the ``parent_key`` of the parent it overlaps most.

    Returns a Series indexed by ``child_key``. Children touching no parent get <NA>.
    """
    c = child[[child_key, "geometry"]].copy()
    p = parent[[parent_key, "geometry"]].copy()
    inter = gpd.overlay(c, p, how="intersection", keep_geom_type=True)
    inter["_a"] = inter.geometry.area
    best = inter.sort_values("_a", ascending=False).drop_duplicates(child_key)
    out = best.set_index(child_key)[parent_key]
    return out.reindex(child[child_key].to_numpy()).rename(parent_key)


def group_wards(
    wards: gpd.GeoDataFrame, *, lpa_col: str = "lpa", wards_per_team: int = 4, seed: int = 0
) -> pd.Series:
    """Group wards into neighbourhood teams within each LPA (k-means on ward centroids).

    ``k = ceil(n_wards / wards_per_team)`` teams per LPA. Deterministic for a seed. Returns a
    team index (0..k-1) per ward, aligned with ``wards``. This is the documented stand-in for
    WMP's neighbourhood teams, which have no open boundaries.
    """
    from sklearn.cluster import KMeans

    out = pd.Series(-1, index=wards.index, dtype="int64")
    cent = wards.geometry.representative_point()
    for _lpa, idx in wards.groupby(lpa_col).groups.items():
        xy = np.column_stack([cent.loc[idx].x, cent.loc[idx].y])
        k = max(1, int(np.ceil(len(idx) / wards_per_team)))
        labels = (
            KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(xy)
            if k > 1
            else np.zeros(len(idx), int)
        )
        # relabel by first appearance in ward-code order so labels are stable
        order = pd.Series(labels, index=idx).sort_index()
        remap = {lab: i for i, lab in enumerate(pd.unique(order.to_numpy()))}
        out.loc[idx] = np.array([remap[v] for v in labels], dtype="int64")
    return out


@dataclass
class ForceGeography:
    """The force's nested areas, all in EPSG:27700, with lookups both ways.

    Attributes: ``force`` (one row), ``lpas`` (lpa_code, lpa), ``neighbourhoods``
    (nbh_code, neighbourhood, lpa), ``wards`` (ward_code, ward, lpa, nbh_code, neighbourhood,
    population), ``lsoas`` (lsoa_code, lsoa_name, lpa, ward_code, population) or None.
    """

    force: gpd.GeoDataFrame
    lpas: gpd.GeoDataFrame
    neighbourhoods: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame
    lsoas: gpd.GeoDataFrame | None = None

    # ---- construction -----------------------------------------------------------------
    @classmethod
    def build(
        cls,
        force: gpd.GeoDataFrame,
        lpas: gpd.GeoDataFrame,
        wards: gpd.GeoDataFrame,
        lsoas: gpd.GeoDataFrame | None = None,
        neighbourhoods: gpd.GeoDataFrame | None = None,
        *,
        wards_per_team: int = 4,
        seed: int = 0,
    ) -> ForceGeography:
        """Build the hierarchy from layers with columns ``lpa_code, lpa`` / ``ward_code, ward``
        (/ ``lsoa_code, lsoa_name, population`` / ``nbh_code, neighbourhood``)."""
        for name, layer, cols in (
            ("lpas", lpas, ("lpa_code", "lpa")),
            ("wards", wards, ("ward_code", "ward")),
        ):
            miss = [c for c in cols if c not in layer.columns]
            if miss:
                raise PlannerError(f"{name} layer lacks column(s) {', '.join(miss)}")
        force = force.to_crs(BNG)
        lpas = lpas.to_crs(BNG)[["lpa_code", "lpa", "geometry"]].reset_index(drop=True)
        wards = wards.to_crs(BNG).reset_index(drop=True)
        keep = [c for c in ("ward_code", "ward", "population") if c in wards.columns]
        wards = wards[[*keep, "geometry"]].copy()
        wards["lpa"] = largest_overlap(wards, lpas, "ward_code", "lpa").to_numpy()
        if wards["lpa"].isna().any():
            bad = wards.loc[wards["lpa"].isna(), "ward_code"].tolist()[:5]
            raise PlannerError(f"wards outside every LPA: {', '.join(map(str, bad))}")
        if neighbourhoods is None:
            team = group_wards(wards, wards_per_team=wards_per_team, seed=seed)
            wards["nbh_code"] = [
                f"{lpa[:3].upper()}-NT{t + 1:02d}" for lpa, t in zip(wards["lpa"], team)
            ]
            # name each team after its most populous (else largest) ward
            rank_col = "population" if "population" in wards.columns else None
            w = wards.assign(_r=wards[rank_col] if rank_col else wards.geometry.area)
            lead = (
                w.sort_values("_r", ascending=False)
                .drop_duplicates("nbh_code")
                .set_index("nbh_code")
            )
            wards["neighbourhood"] = wards["nbh_code"].map(
                lambda c: f"{lead.loc[c, 'lpa']}: {lead.loc[c, 'ward']} team"
            )
            neighbourhoods = wards.dissolve(
                by="nbh_code", as_index=False, aggfunc={"neighbourhood": "first", "lpa": "first"}
            )
        else:
            neighbourhoods = neighbourhoods.to_crs(BNG)
            wards["nbh_code"] = largest_overlap(
                wards, neighbourhoods, "ward_code", "nbh_code"
            ).to_numpy()
            wards["neighbourhood"] = wards["nbh_code"].map(
                neighbourhoods.set_index("nbh_code")["neighbourhood"]
            )
            if "lpa" not in neighbourhoods.columns:
                neighbourhoods["lpa"] = largest_overlap(
                    neighbourhoods, lpas, "nbh_code", "lpa"
                ).to_numpy()
        neighbourhoods = neighbourhoods[
            ["nbh_code", "neighbourhood", "lpa", "geometry"]
        ].reset_index(drop=True)
        if lsoas is not None:
            lsoas = lsoas.to_crs(BNG).reset_index(drop=True)
            lsoas["ward_code"] = largest_overlap(lsoas, wards, "lsoa_code", "ward_code").to_numpy()
            lsoas["lpa"] = lsoas["ward_code"].map(wards.set_index("ward_code")["lpa"])
            if "population" in lsoas.columns and "population" not in wards.columns:
                pop = lsoas.groupby("ward_code")["population"].sum()
                wards["population"] = wards["ward_code"].map(pop).fillna(0).astype("int64")
        ward_cols = ["ward_code", "ward", "lpa", "nbh_code", "neighbourhood"] + (
            ["population"] if "population" in wards.columns else []
        )
        wards = wards[[*ward_cols, "geometry"]]
        return cls(force=force, lpas=lpas, neighbourhoods=neighbourhoods, wards=wards, lsoas=lsoas)

    @classmethod
    def from_workspace(cls, ws) -> ForceGeography:
        def rd(n):
            return gpd.read_parquet(ws.table_path(n))

        lsoas = rd("lsoas") if ws.has_table("lsoas") else None
        return cls(
            force=rd("force"),
            lpas=rd("lpas"),
            neighbourhoods=rd("neighbourhoods"),
            wards=rd("wards"),
            lsoas=lsoas,
        )

    # ---- lookups ------------------------------------------------------------------------
    @property
    def area_km2(self) -> float:
        return float(self.force.geometry.area.sum() / 1e6)

    @property
    def study_area(self):
        """The force area as one (multi)polygon in EPSG:27700."""
        return self.force.geometry.union_all()

    def hierarchy(self) -> pd.DataFrame:
        """One row per ward: ward_code, ward, nbh_code, neighbourhood, lpa_code, lpa (and
        sector_code, sector_name when the force has a sector level)."""
        lpa_code = self.lpas.set_index("lpa")["lpa_code"]
        h = pd.DataFrame(self.wards.drop(columns="geometry"))
        h["lpa_code"] = h["lpa"].map(lpa_code)
        cols = ["ward_code", "ward", "nbh_code", "neighbourhood", "lpa_code", "lpa"]
        return h[cols + (list(SECTOR_COLUMNS) if self.has_sectors else [])]

    # ---- the optional sector level (between LPA and neighbourhood) ----------------------
    @property
    def has_sectors(self) -> bool:
        """True when the ward table carries sector codes (``sector_code``, ``sector_name``)."""
        return "sector_code" in self.wards.columns and bool(self.wards["sector_code"].notna().any())

    def sectors(self) -> pd.DataFrame | None:
        """One row per sector: sector_code, sector_name, lpa (the LPA most of its wards are
        in), wards (count); None when the force has no sector level."""
        if not self.has_sectors:
            return None
        w = pd.DataFrame(self.wards.drop(columns="geometry"))
        w = w[w["sector_code"].notna()]
        name = w["sector_name"] if "sector_name" in w.columns else w["sector_code"]
        w = w.assign(sector_name=name.fillna(w["sector_code"]))
        g = w.groupby("sector_code")
        out = pd.DataFrame(
            {
                "sector_name": g["sector_name"].first(),
                "lpa": g["lpa"].agg(lambda s: s.mode().iloc[0]),
                "wards": g.size(),
            }
        )
        return out.reset_index().sort_values("sector_code", ignore_index=True)

    def sector_of_ward(self, ward_code: str) -> str | None:
        """The sector code of a ward (None without a sector level)."""
        if not self.has_sectors:
            return None
        row = self.wards.loc[self.wards["ward_code"] == ward_code, "sector_code"]
        if row.empty:
            raise PlannerError(f"unknown ward code '{ward_code}'")
        v = row.iloc[0]
        return None if pd.isna(v) else str(v)

    def lpa_names(self) -> list[str]:
        return sorted(self.lpas["lpa"].tolist())

    def _check_lpa(self, lpa: str) -> str:
        if lpa not in set(self.lpas["lpa"]):
            raise PlannerError(f"unknown LPA '{lpa}'; choose one of {', '.join(self.lpa_names())}")
        return lpa

    def wards_of(
        self, lpa: str | None = None, neighbourhood: str | None = None, sector: str | None = None
    ) -> list[str]:
        """Ward codes in an LPA (by name), a neighbourhood team (by nbh_code) or a sector (by
        sector_code)."""
        w = self.wards
        if lpa is not None:
            w = w[w["lpa"] == self._check_lpa(lpa)]
        if neighbourhood is not None:
            w = w[w["nbh_code"] == neighbourhood]
        if sector is not None:
            if not self.has_sectors:
                raise PlannerError("this force has no sector level")
            w = w[w["sector_code"] == sector]
        return sorted(w["ward_code"].tolist())

    def neighbourhoods_of(self, lpa: str) -> list[str]:
        return sorted(
            self.neighbourhoods.loc[
                self.neighbourhoods["lpa"] == self._check_lpa(lpa), "nbh_code"
            ].tolist()
        )

    def parents_of_ward(self, ward_code: str) -> dict[str, str]:
        """{'ward', 'nbh_code', 'neighbourhood', 'lpa'} for a ward code."""
        row = self.wards.loc[self.wards["ward_code"] == ward_code]
        if row.empty:
            raise PlannerError(f"unknown ward code '{ward_code}'")
        r = row.iloc[0]
        return {
            "ward": r["ward"],
            "nbh_code": r["nbh_code"],
            "neighbourhood": r["neighbourhood"],
            "lpa": r["lpa"],
        }

    def lpa_geometry(self, lpa: str):
        return self.lpas.loc[self.lpas["lpa"] == self._check_lpa(lpa)].geometry.union_all()

    def assign(self, points: gpd.GeoSeries | gpd.GeoDataFrame) -> pd.DataFrame:
        """ward_code, nbh_code, lpa for each point (NA outside every ward); index preserved."""
        geom = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
        geom = geom.to_crs(BNG) if geom.crs is not None and geom.crs.to_epsg() != 27700 else geom
        w = self.wards
        tree_idx = w.sindex.query(geom.to_numpy(), predicate="intersects")
        pt, wi = tree_idx
        first = (
            pd.Series(wi, index=pt).groupby(level=0).min()
        )  # a point on a shared edge: lowest index
        out = pd.DataFrame(
            index=range(len(geom)), columns=["ward_code", "nbh_code", "lpa"], dtype="string"
        )
        sel = w.iloc[first.to_numpy()]
        for c in out.columns:
            out.loc[first.index, c] = sel[c].to_numpy()
        out.index = geom.index
        return out

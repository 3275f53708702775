"""A workspace: one folder holding a force's (or the demo's) layers, crimes, people and outputs.

Layout and table names are documented in ``docs/architecture.md``. Every table is registered
in ``workspace.json`` with a ``synthetic`` flag so that anything shown from it can be labelled.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner.errors import PlannerError
from planner.schema import CRIME_DTYPES

META = "workspace.json"


class Workspace:
    """Read access (and table registration) for a workspace folder.

    Examples
    --------
    >>> ws = Workspace("workspace/demo")            # doctest: +SKIP
    >>> ws.crimes(start="2025-04", end="2025-06")   # doctest: +SKIP
    """

    def __init__(self, path: str | Path):
        self.root = Path(path)
        if not (self.root / META).exists():
            raise PlannerError(
                f"{self.root} is not a planner workspace (no {META}); "
                "build the demo with `planner demo --out DIR`"
            )
        try:
            meta = self.meta
        except (OSError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            raise PlannerError(
                f"{self.root / META}: not a readable workspace file ({exc.__class__.__name__})"
            ) from None
        if not isinstance(meta, dict):
            raise PlannerError(f"{self.root / META}: expected a JSON object")

    # ---- metadata -----------------------------------------------------------------
    @property
    def meta(self) -> dict[str, Any]:
        return json.loads((self.root / META).read_text())

    def _write_meta(self, meta: dict[str, Any]) -> None:
        tmp = self.root / (META + ".tmp")
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
        tmp.replace(self.root / META)

    @property
    def today(self) -> date:
        return date.fromisoformat(self.meta["today"])

    @property
    def name(self) -> str:
        return self.meta.get("name", self.root.name)

    def path(self, rel: str) -> Path:
        return self.root / rel

    def add_table(
        self,
        name: str,
        rel_path: str,
        *,
        synthetic: bool,
        description: str,
        rows: int | None = None,
    ) -> None:
        """Register a table (file relative to the workspace) in the metadata."""
        meta = self.meta
        meta.setdefault("tables", {})[name] = {
            "path": rel_path,
            "synthetic": bool(synthetic),
            "description": description,
            "rows": rows,
        }
        self._write_meta(meta)

    def has_table(self, name: str) -> bool:
        t = self.meta.get("tables", {}).get(name)
        return bool(t) and (self.root / t["path"]).exists()

    def table_path(self, name: str) -> Path:
        try:
            return self.root / self.meta["tables"][name]["path"]
        except KeyError:
            raise PlannerError(f"workspace {self.root} has no table '{name}'") from None

    def is_synthetic(self, name: str) -> bool:
        return bool(self.meta.get("tables", {}).get(name, {}).get("synthetic", False))

    def read_table(self, name: str) -> pd.DataFrame | gpd.GeoDataFrame:
        """Read any registered table (GeoParquet, Parquet, GPKG or CSV)."""
        p = self.table_path(name)
        if p.suffix == ".parquet":
            try:
                return gpd.read_parquet(p)
            except (ValueError, KeyError):
                return pd.read_parquet(p)
        if p.suffix in (".gpkg", ".geojson"):
            return gpd.read_file(p)
        if p.suffix == ".csv":
            return pd.read_csv(p)
        if p.suffix in (".sqlite", ".db"):
            raise PlannerError(
                f"table '{name}' is a records store ({p}); open it with planner.records.open_store(workspace=ws)"
            )
        if p.suffix == ".json":
            import json as _json

            return pd.json_normalize(_json.loads(p.read_text()))
        raise PlannerError(f"unknown table format: {p}")

    # ---- layers -------------------------------------------------------------------
    @cached_property
    def _geography(self):
        from planner.geography import ForceGeography

        return ForceGeography.from_workspace(self)

    def geography(self):
        """The force hierarchy (force -> LPA -> neighbourhood -> ward, plus LSOAs)."""
        return self._geography

    def crimes(
        self,
        start: str | None = None,
        end: str | None = None,
        types: list[str] | tuple[str, ...] | None = None,
        *,
        synthetic: bool = True,
        columns: list[str] | None = None,
    ) -> gpd.GeoDataFrame:
        """Crimes between months ``start`` and ``end`` inclusive ("YYYY-MM").

        ``synthetic=True`` reads the synthetic timestamped series; ``False`` the real month(s).
        Filters are pushed down to Parquet so only the needed row groups are read.
        """
        name = "crimes_synthetic" if synthetic else "crimes_real"
        filters = []
        if start:
            filters.append(("month", ">=", str(start)[:7]))
        if end:
            filters.append(("month", "<=", str(end)[:7]))
        if types:
            filters.append(("crime_type", "in", list(types)))
        gdf = gpd.read_parquet(self.table_path(name), filters=filters or None, columns=columns)
        for c, t in CRIME_DTYPES.items():
            if c in gdf.columns and str(gdf[c].dtype) != t:
                gdf[c] = gdf[c].astype(t)
        return gdf.reset_index(drop=True)

    def teams(self) -> pd.DataFrame:
        return pd.read_parquet(self.table_path("teams"))

    def officers(self) -> pd.DataFrame:
        return pd.read_parquet(self.table_path("officers"))

    def postings(self) -> pd.DataFrame:
        return pd.read_parquet(self.table_path("postings"))

    def tgps(self) -> gpd.GeoDataFrame:
        """The current TGP layer (``tgps`` table)."""
        return self.read_table("tgps")


def create_workspace(
    path: str | Path, *, name: str, today: date | str, seed: int | None, extra: dict | None = None
) -> Workspace:
    """Create an empty workspace folder with its metadata file."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    meta = {
        "name": name,
        "today": str(today),
        "seed": seed,
        "created_by": "planner",
        "tables": {},
        **(extra or {}),
    }
    (root / META).write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
    return Workspace(root)

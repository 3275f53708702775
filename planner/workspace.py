"""A workspace: one folder holding a force's (or the demo's) layers, crimes, people and outputs.

Layout and table names are documented in ``docs/architecture.md``. Every table is registered
in ``workspace.json`` with a ``synthetic`` flag so that anything shown from it can be labelled.

Builders (``planner demo``, ``planner init``) build in a temporary sibling folder whose
``workspace.json`` carries ``"complete": false`` and move it into place when every step has
run (:func:`building`); every command refuses a folder whose mark says it is half-built.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from planner.errors import PlannerError
from planner.schema import CRIME_DTYPES

META = "workspace.json"
#: metadata key of the completion mark (False while a builder is still writing the folder)
COMPLETE = "complete"
#: the crime tables a command reads as "the workspace's crime series", in order of preference
#: (as the app chooses): the demo's synthetic timestamped series, else the real crimes (a
#: force's own police.uk months from ``planner init`` / ``planner import crimes``)
SERIES_TABLES: tuple[str, ...] = ("crimes_synthetic", "crimes_real")


class Workspace:
    """Read access (and table registration) for a workspace folder.

    Examples
    --------
    >>> ws = Workspace("workspace/demo")            # doctest: +SKIP
    >>> ws.crimes(start="2025-04", end="2025-06")   # doctest: +SKIP
    """

    def __init__(self, path: str | Path, *, allow_incomplete: bool = False):
        self.root = Path(path)
        if not (self.root / META).exists():
            raise PlannerError(
                f"{self.root} is not a planner workspace (no {META}); "
                "build the demo with `planner demo --out DIR` or your own with `planner init DIR`"
            )
        try:
            meta = self.meta
        except (OSError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            raise PlannerError(
                f"{self.root / META}: not a readable workspace file ({exc.__class__.__name__})"
            ) from None
        if not isinstance(meta, dict):
            raise PlannerError(f"{self.root / META}: expected a JSON object")
        if not allow_incomplete and meta.get(COMPLETE) is False:
            raise PlannerError(
                f"{self.root} is a half-built workspace (its build did not finish); "
                "delete it and run `planner demo` or `planner init` again"
            )

    @property
    def complete(self) -> bool:
        """False while a builder is still writing the workspace (legacy folders count as complete)."""
        return self.meta.get(COMPLETE) is not False

    def mark_complete(self) -> None:
        """Write the completion mark (the last thing a builder does)."""
        meta = self.meta
        meta[COMPLETE] = True
        self._write_meta(meta)

    @property
    def series_table(self) -> str | None:
        """The table read as the workspace's crime series (see :data:`SERIES_TABLES`), or None."""
        for name in SERIES_TABLES:
            if self.has_table(name):
                return name
        return None

    # ---- metadata -----------------------------------------------------------------
    @property
    def meta(self) -> dict[str, Any]:
        """The metadata (``workspace.json``), read afresh."""
        return json.loads((self.root / META).read_text())

    def _write_meta(self, meta: dict[str, Any]) -> None:
        tmp = self.root / (META + ".tmp")
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
        tmp.replace(self.root / META)

    @property
    def today(self) -> date:
        """The workspace's "today" (the demo's is 2025-12-31)."""
        return date.fromisoformat(self.meta["today"])

    @property
    def name(self) -> str:
        """The workspace name (``name`` in the metadata, else the folder name)."""
        return self.meta.get("name", self.root.name)

    @property
    def force_name(self) -> str:
        """The force's name as shown (``force`` in the metadata, else the workspace name)."""
        return str(self.meta.get("force") or self.name)

    @property
    def fy_start_month(self) -> int:
        """First month of the funding year (``fy_start_month`` in the metadata; default April)."""
        return int(self.meta.get("fy_start_month", 4))

    @property
    def funding_year(self) -> int:
        """The funding year ``today`` falls in, named by its first calendar year (FY2025 = 2025/26)."""
        t = self.today
        return t.year if t.month >= self.fy_start_month else t.year - 1

    @property
    def funding_year_label(self) -> str:
        """``"FY2025"`` for the funding year of ``today``."""
        return f"FY{self.funding_year}"

    def synthetic_tables(self) -> list[str]:
        """List the registered tables flagged synthetic.

        Returns
        -------
        list of str
            Table names, sorted.
        """
        return sorted(n for n, t in self.meta.get("tables", {}).items() if t.get("synthetic"))

    def path(self, rel: str) -> Path:
        """Return a path inside the workspace.

        Parameters
        ----------
        rel : str
            Path relative to the workspace folder.

        Returns
        -------
        Path
            The absolute path (it need not exist).
        """
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
        """Register a table (file relative to the workspace) in the metadata.

        Parameters
        ----------
        name : str
            Table name.
        rel_path : str
            File or folder, relative to the workspace.
        synthetic : bool
            Whether the table is simulated (shown with a SYNTHETIC label).
        description : str
            One line on what it holds.
        rows : int, optional
            Row count to record.
        """
        meta = self.meta
        meta.setdefault("tables", {})[name] = {
            "path": rel_path,
            "synthetic": bool(synthetic),
            "description": description,
            "rows": rows,
        }
        self._write_meta(meta)

    def has_table(self, name: str) -> bool:
        """Whether a table is registered and its file exists.

        Parameters
        ----------
        name : str
            Table name.

        Returns
        -------
        bool
            True when it can be read.
        """
        t = self.meta.get("tables", {}).get(name)
        return bool(t) and (self.root / t["path"]).exists()

    def table_path(self, name: str) -> Path:
        """Return the file (or folder) of a registered table.

        Parameters
        ----------
        name : str
            Table name.

        Returns
        -------
        Path
            Its path.

        Raises
        ------
        PlannerError
            When the table is not registered.
        """
        try:
            return self.root / self.meta["tables"][name]["path"]
        except KeyError:
            raise PlannerError(f"workspace {self.root} has no table '{name}'") from None

    def is_synthetic(self, name: str) -> bool:
        """Whether a table is flagged synthetic (False for unknown tables).

        Parameters
        ----------
        name : str
            Table name.

        Returns
        -------
        bool
            The flag.
        """
        return bool(self.meta.get("tables", {}).get(name, {}).get("synthetic", False))

    def read_table(self, name: str) -> pd.DataFrame | gpd.GeoDataFrame:
        """Read any registered table (GeoParquet, Parquet, GPKG or CSV).

        Parameters
        ----------
        name : str
            Table name.

        Returns
        -------
        pandas.DataFrame or geopandas.GeoDataFrame
            GeoDataFrame for layers with geometry.

        Raises
        ------
        PlannerError
            When the table is not registered.
        """
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
        """Return the force hierarchy (force -> LPA -> neighbourhood -> ward, plus LSOAs).

        Returns
        -------
        ForceGeography
            Built once per Workspace object from its boundary tables.
        """
        return self._geography

    def crimes(
        self,
        start: str | None = None,
        end: str | None = None,
        types: list[str] | tuple[str, ...] | None = None,
        *,
        synthetic: bool | None = True,
        columns: list[str] | None = None,
        table: str | None = None,
    ) -> gpd.GeoDataFrame:
        """Crimes between months ``start`` and ``end`` inclusive ("YYYY-MM").

        Filters are pushed down to Parquet so only the needed row groups are read.

        Parameters
        ----------
        start, end : str, optional
            First and last month ("YYYY-MM", or a date whose month is taken); default open.
        types : sequence of str, optional
            Crime types to read; default all.
        synthetic : bool or None
            ``True`` reads the synthetic timestamped series; ``False`` the real month(s); ``None``
            the workspace's crime series (:attr:`series_table`).
        columns : list of str, optional
            Columns to read; default all.
        table : str, optional
            Names the table outright.

        Returns
        -------
        geopandas.GeoDataFrame
            A canonical crime table.

        Examples
        --------
        >>> ws = Workspace("workspace/demo")            # doctest: +SKIP
        >>> ws.crimes(start="2025-04", end="2025-06")   # doctest: +SKIP
        """
        if table is not None:
            name = table
        elif synthetic is None:
            name = self.series_table or "crimes_real"
        else:
            name = "crimes_synthetic" if synthetic else "crimes_real"
        filters: list[tuple[str, str, Any]] = []
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
        """Read the ``teams`` table.

        Returns
        -------
        pandas.DataFrame
            One row per team.
        """
        return pd.read_parquet(self.table_path("teams"))

    def officers(self) -> pd.DataFrame:
        """Read the ``officers`` table.

        Returns
        -------
        pandas.DataFrame
            One row per officer.
        """
        return pd.read_parquet(self.table_path("officers"))

    def postings(self) -> pd.DataFrame:
        """Read the ``postings`` table.

        Returns
        -------
        pandas.DataFrame
            One row per posting (officer, team, ward, start, end).
        """
        return pd.read_parquet(self.table_path("postings"))

    def tgps(self) -> gpd.GeoDataFrame:
        """Read the current TGP layer (``tgps`` table).

        Returns
        -------
        geopandas.GeoDataFrame
            The TGP polygons (EPSG:27700).
        """
        return self.read_table("tgps")


def create_workspace(
    path: str | Path,
    *,
    name: str,
    today: date | str,
    seed: int | None,
    extra: dict | None = None,
    complete: bool = True,
) -> Workspace:
    """Create an empty workspace folder with its metadata file.

    Parameters
    ----------
    path : str or Path
        The folder (created).
    name : str
        The workspace's name.
    today : date or str
        Its "today".
    seed : int or None
        The seed it was built with (recorded).
    extra : dict, optional
        More metadata keys.
    complete : bool
        The completion mark to write; builders pass False and call
        :meth:`Workspace.mark_complete` when done (or use :func:`building`).

    Returns
    -------
    Workspace
        The new workspace (opened even when ``complete`` is False).
    """
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    meta = {
        "name": name,
        "today": str(today),
        "seed": seed,
        "created_by": "planner",
        "tables": {},
        COMPLETE: bool(complete),
        **(extra or {}),
    }
    (root / META).write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
    return Workspace(root, allow_incomplete=True)


def staging_path(out: str | Path) -> Path:
    """Return the temporary sibling folder a workspace for ``out`` is built in.

    Parameters
    ----------
    out : str or Path
        Where the finished workspace goes.

    Returns
    -------
    Path
        The staging folder.
    """
    out = Path(out)
    return out.parent / f".{out.name}.building"


@contextmanager
def building(out: str | Path) -> Iterator[Path]:
    """Build a workspace in a temporary sibling folder and move it to ``out`` when complete.

    Yields the staging folder (empty). When the block finishes without an exception the
    staging workspace gets its completion mark and replaces ``out`` (an earlier workspace
    there is removed first). When it raises, the staging folder is removed and ``out`` is
    left as it was. A build killed outright leaves only the staging folder, whose mark says
    it is half-built.

    Parameters
    ----------
    out : str or Path
        Where the finished workspace goes.

    Yields
    ------
    Path
        The staging folder, for the builder to write into.
    """
    out = Path(out)
    stage = staging_path(out)
    if stage.exists():
        shutil.rmtree(stage)
    stage.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield stage
        Workspace(stage, allow_incomplete=True).mark_complete()
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(old)
        stage.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        stage.rename(out)

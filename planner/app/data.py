"""Display-ready, read-only frames for the app, built once per workspace and shared by all sessions.

No Panel import here: :class:`AppData` is a plain object. :func:`planner.app.cache.get_data`
keeps one instance per workspace in Panel's process-wide cache (``pn.state.as_cached``), so
every browser session reads the same frames instead of copying them. What an instance computes
is kept with :mod:`functools` (``cached_property``, ``cache``, ``lru_cache``: thread-safe, and
Panel-free, which ``pn.cache`` is not).

Polygons are simplified in metres (EPSG:27700) and projected once to EPSG:3857 for display
(:mod:`planner.app.data_geo`); crime points are held as compact arrays (month index, type code,
harm, ward code, x/y in EPSG:3857) so that a filter change is a vectorised mask and a
``bincount`` (:mod:`planner.app.data_crimes`); TGPs in :mod:`planner.app.data_tgps`, the other
tables in :mod:`planner.app.data_tables`. Their names are importable from here.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from planner.app.data_crimes import CACHE_DIR, LEVELS, CrimeViews
from planner.app.data_geo import GeoLayers
from planner.app.data_tables import WorkspaceTables
from planner.app.data_tgps import TGPViews
from planner.errors import PlannerError
from planner.workspace import Workspace

__all__ = [
    "CACHE_DIR",
    "LEVELS",
    "TGP_WINDOWS_KEPT",
    "AppData",
    "CrimeViews",
    "DisplayConfig",
    "GeoLayers",
    "TGPViews",
    "WorkspaceTables",
]

#: TGP re-derivation windows whose crimes are kept (shared by the sessions)
TGP_WINDOWS_KEPT = 4


@dataclass(frozen=True)
class DisplayConfig:
    """Display settings (documented defaults).

    Attributes
    ----------
    simplify_m : float
        Douglas-Peucker tolerance in metres applied to polygons before display (25 m keeps
        ward outlines recognisable at force scale and shrinks them about tenfold).
    default_months : int
        Length of the default period, ending at the workspace's "today" month.
    surface_cell_m : float
        Grid cell size (metres) of the hotspot surfaces (KDE, Gi*) drawn on the map.
    """

    simplify_m: float = 25.0
    default_months: int = 3
    surface_cell_m: float = 250.0


class AppData(GeoLayers, CrimeViews, TGPViews, WorkspaceTables):
    """Everything the app shows from one workspace, loaded lazily and kept for all sessions.

    The area layers come from :class:`~planner.app.data_geo.GeoLayers`, the crimes from
    :class:`~planner.app.data_crimes.CrimeViews`, the TGPs from
    :class:`~planner.app.data_tgps.TGPViews` and the other tables from
    :class:`~planner.app.data_tables.WorkspaceTables`.

    Parameters
    ----------
    workspace : Workspace or path
        The workspace to read.
    config : DisplayConfig
        Display settings.
    """

    def __init__(self, workspace: Workspace | str | Path, config: DisplayConfig | None = None):
        self.ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        self.config = config or DisplayConfig()
        self._lock = threading.Lock()
        # per instance (a class-level functools cache would keep every instance alive)
        self._tables = functools.cache(self.ws.read_table)
        self._multipolygons = functools.cache(self._bokeh_layout)
        self._tgp_crimes = functools.lru_cache(maxsize=TGP_WINDOWS_KEPT)(self._read_tgp_crimes)
        self._advance = functools.cache(self._briefing_or_error)
        self._advance_done: set[tuple[str, str]] = set()
        self._visibility = functools.cache(self._month_visibility)

    # ---- metadata ----------------------------------------------------------------
    @property
    def name(self) -> str:
        """The workspace's name."""
        return self.ws.name

    @cached_property
    def notice(self) -> str:
        """The workspace's notice (its ``meta`` "notice", "" without one)."""
        return str(self.ws.meta.get("notice", ""))

    def is_synthetic(self, table: str) -> bool:
        """Whether the workspace flags ``table`` synthetic.

        Parameters
        ----------
        table : str
            A registered table.

        Returns
        -------
        bool
            The workspace's flag.
        """
        return self.ws.is_synthetic(table)

    def has(self, table: str) -> bool:
        """Whether the workspace has ``table``.

        Parameters
        ----------
        table : str
            A registered table, or "crimes" for any crime series.

        Returns
        -------
        bool
            True when it is there.
        """
        if table == "crimes":
            return self.ws.series_table is not None
        return self.ws.has_table(table)

    @property
    def force_name(self) -> str:
        """The force's name (from the workspace)."""
        return self.ws.force_name

    @property
    def funding_year(self) -> int:
        """The funding year "today" falls in (from the workspace)."""
        return self.ws.funding_year

    def any_synthetic(self, *tables: str) -> bool:
        """Whether any of ``tables`` that the workspace has is flagged synthetic.

        Parameters
        ----------
        *tables : str
            Registered tables; "crimes" stands for the crime series the maps read.

        Returns
        -------
        bool
            True when one of them is synthetic.
        """
        names = [self.crime_table if t == "crimes" and self.has("crimes") else t for t in tables]
        return any(self.ws.has_table(t) and self.ws.is_synthetic(t) for t in names)

    def missing_notice(self, tables) -> list[dict[str, str]]:
        """Each missing table of ``tables`` with the exact command that fills it.

        Parameters
        ----------
        tables : iterable of str
            The tables a page needs.

        Returns
        -------
        list of dict
            :func:`planner.ownforce.status.missing_notice` of the workspace.
        """
        from planner.ownforce.status import missing_notice

        return missing_notice(self.ws, list(tables))

    @cached_property
    def crime_table(self) -> str:
        """The crime table the maps read: the synthetic series when present, else the real one.

        See :attr:`planner.workspace.Workspace.series_table`.
        """
        table = self.ws.series_table
        if table is None:
            raise PlannerError(f"workspace {self.ws.root} has no crime table")
        return table

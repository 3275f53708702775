"""The crimes of :class:`planner.app.data.AppData`: compact arrays, area totals, surfaces.

Crime points are held as compact arrays (month index, type code, harm, ward code, x/y in
EPSG:3857, :class:`planner.app.crime_index.CrimeIndex`) so that a filter change is a vectorised
mask and a ``bincount``. No Panel import here.
"""

from __future__ import annotations

import contextlib
from functools import cached_property
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.app.crime_index import CrimeIndex, month_index
from planner.errors import PlannerError

if TYPE_CHECKING:
    import threading

    from planner.app.data import DisplayConfig
    from planner.workspace import Workspace

#: the area levels the maps can colour, with their key and label columns
LEVELS: dict[str, tuple[str, str]] = {
    "wards": ("ward_code", "ward"),
    "neighbourhoods": ("nbh_code", "neighbourhood"),
    "LPAs": ("lpa_code", "lpa"),
}

#: folder (inside the workspace) for caches the app may rebuild at any time
CACHE_DIR = ".cache"


class CrimeViews:
    """Crime totals, points and hotspot surfaces (mixed into :class:`planner.app.data.AppData`).

    Expects ``ws``, ``config``, ``_lock``, ``crime_table``, ``geography``, ``hierarchy`` and
    ``layer`` on the instance.
    """

    if TYPE_CHECKING:  # set by AppData.__init__ or defined by AppData's other bases
        ws: Workspace
        config: DisplayConfig
        _lock: threading.Lock

        @property
        def crime_table(self) -> str:
            """See :attr:`planner.app.data.AppData.crime_table`."""

        @property
        def geography(self) -> Any:
            """See :class:`planner.app.data.AppData`."""

        @property
        def hierarchy(self) -> pd.DataFrame:
            """See :class:`planner.app.data.AppData`."""

        def layer(self, name: str) -> gpd.GeoDataFrame:
            """See :class:`planner.app.data.AppData`."""

    @cached_property
    def _crime_index(self) -> CrimeIndex:
        g = self.geography
        path = self.ws.table_path(self.crime_table)
        if path.suffix == ".parquet":
            # kept in the workspace's .cache folder, keyed on the file's size and time and the
            # wards, so a server start reads ~35 MB of arrays instead of decoding the GeoParquet
            st = path.stat()
            stamp = f"{path.name}:{st.st_size}:{st.st_mtime_ns}:{','.join(g.wards['ward_code'].astype(str))}"
            cache = self.ws.root / CACHE_DIR / "crime_index.npz"
            try:
                idx = CrimeIndex.load(cache, stamp)
            except (OSError, ValueError, KeyError):
                idx = None  # unreadable cache: rebuild it
            if idx is not None:
                return idx
            idx = CrimeIndex.from_parquet(path, g.wards, g.lsoas)
            with contextlib.suppress(OSError):  # a read-only workspace just has no cache
                idx.save(cache, stamp)
            return idx
        crimes = self.ws.crimes(table=self.crime_table)
        return CrimeIndex.from_frame(crimes, g.wards, g.lsoas)

    @property
    def crimes(self) -> CrimeIndex:
        """The crime table as compact arrays, built once and shared."""
        with self._lock:
            return self._crime_index

    @cached_property
    def _grid(self):
        from planner.hotspots.grid import make_grid

        g = make_grid(self.geography.study_area, self.config.surface_cell_m, clip=False)
        cx, cy = g.centres()
        from pyproj import Transformer

        wx, wy = Transformer.from_crs(27700, 3857, always_xy=True).transform(cx, cy)
        return g, np.asarray(wx), np.asarray(wy)

    def surface(
        self, kind: str, start: str, end: str, types=None, measure: str = "crimes"
    ) -> pd.DataFrame:
        """Hotspot surface on the grid of ``config.surface_cell_m`` cells.

        Parameters
        ----------
        kind : str
            ``"KDE"``: quartic kernel density per km² (:func:`planner.hotspots.kde.kde_grid`);
            ``"Gi*"``: Getis-Ord Gi* z-scores of the cell totals
            (:func:`planner.hotspots.gistar.grid_gistar`), significant hot spots only.
        start, end : str
            First and last month (YYYY-MM).
        types : list of str, optional
            Crime types kept (default all).
        measure : str
            ``"crimes"`` or ``"harm"`` (harm-weighted KDE).

        Returns
        -------
        pandas.DataFrame
            ``x, y`` (EPSG:3857 cell centres) and ``value``, the cells the surface keeps.
        """
        from planner.hotspots.surface import surface

        with self._lock:
            g, wx, wy = self._grid
        idx = self.crimes
        m = idx.mask(start, end, types)
        w = idx.harm[m] if measure == "harm" else None
        s = surface(g, idx.bng[m, 0], idx.bng[m, 1], kind, w)
        keep = s.keep
        return pd.DataFrame({"x": wx[keep], "y": wy[keep], "value": s.values[keep]})

    def emerging(self, start: str, end: str, types=None) -> pd.DataFrame:
        """Emerging hotspot categories on the surface grid, monthly steps.

        Parameters
        ----------
        start, end : str
            First and last month (YYYY-MM).
        types : list of str, optional
            Crime types kept (default all).

        Returns
        -------
        pandas.DataFrame
            ``x, y`` (EPSG:3857 cell centres), ``category`` and ``trend_z``
            (:func:`planner.hotspots.emerging.emerging_hotspots`), cells with a pattern only.
        """
        import shapely

        from planner.hotspots.emerging import emerging_hotspots

        with self._lock:
            g, wx, wy = self._grid
        idx = self.crimes
        m = idx.mask(start, end, types)
        m0 = month_index([idx.months[0]])[0]
        crimes = gpd.GeoDataFrame(
            {
                "month": np.asarray(idx.months)[idx.month[m] - m0],
                "crime_type": np.asarray(idx.types)[idx.type_code[m]],
            },
            geometry=shapely.points(idx.bng[m]),
            crs=27700,
        )
        e = emerging_hotspots(g, crimes, freq="month")
        keep = (e["category"] != "No Pattern Detected").to_numpy()
        return pd.DataFrame(
            {
                "x": wx[keep],
                "y": wy[keep],
                "category": e["category"].astype(str).to_numpy()[keep],
                "trend_z": e["trend_z"].to_numpy()[keep],
            }
        )

    def default_period(self) -> tuple[str, str]:
        """The ``config.default_months`` months ending at the workspace's today.

        Returns
        -------
        tuple of str
            ``(start, end)`` months (YYYY-MM), clipped to the crime table's months.
        """
        months = self.crimes.months
        if not months:
            raise PlannerError("the crime table is empty")
        today = f"{self.ws.today:%Y-%m}"
        end = today if months[0] <= today <= months[-1] else months[-1]
        i = months.index(end)
        return months[max(0, i - self.config.default_months + 1)], end

    def area_totals(
        self,
        level: str,
        start: str,
        end: str,
        types: list[str] | tuple[str, ...] | None = None,
        measure: str = "crimes",
        lpa: str | None = None,
    ) -> gpd.GeoDataFrame:
        """The display layer for ``level`` with a ``value`` column for the period and filters.

        Ward totals are summed up the hierarchy (ward -> neighbourhood -> LPA), so every level
        adds up to the same force total.

        Parameters
        ----------
        level : str
            One of :data:`LEVELS` (wards, neighbourhoods, LPAs).
        start, end : str
            First and last month (YYYY-MM).
        types : list of str, optional
            Crime types counted (default all).
        measure : str
            ``"crimes"`` (counts) or ``"harm"`` (harm-weighted).
        lpa : str, optional
            Keep only that LPA's areas.

        Returns
        -------
        geopandas.GeoDataFrame
            The layer's rows (EPSG:3857) with ``value``.
        """
        if level not in LEVELS:
            raise PlannerError(f"unknown level '{level}'; choose one of {', '.join(LEVELS)}")
        idx = self.crimes
        wt = idx.ward_totals(idx.mask(start, end, types), measure)
        key, _label = LEVELS[level]
        if level == "wards":
            per = wt
        else:
            h = self.hierarchy.set_index("ward_code")[key]
            per = wt.groupby(h.reindex(wt.index).to_numpy()).sum()
        gdf = self.layer(level)
        out = gdf.assign(value=gdf[key].map(per).fillna(0.0).to_numpy())
        if lpa:
            out = out[out["lpa"] == lpa]
        return out.reset_index(drop=True)

    def points(self, start: str, end: str, types=None, lpa: str | None = None) -> pd.DataFrame:
        """Crime points (EPSG:3857) for the period, types and optionally one LPA.

        Parameters
        ----------
        start, end : str
            First and last month (YYYY-MM).
        types : list of str, optional
            Crime types kept (default all).
        lpa : str, optional
            Keep only crimes in that LPA's wards.

        Returns
        -------
        pandas.DataFrame
            :meth:`planner.app.crime_index.CrimeIndex.points` of the kept crimes.
        """
        idx = self.crimes
        m = idx.mask(start, end, types)
        if lpa:
            lpa_wards = set(self.geography.wards_of(lpa))
            in_lpa = np.array([c in lpa_wards for c in idx.ward_codes] + [False])
            m &= in_lpa[idx.ward]  # ward -1 -> last entry (False)
        return idx.points(m)

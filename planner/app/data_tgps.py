"""The TGPs of :class:`planner.app.data.AppData`: windows, crimes, street labels, monthly counts.

No Panel import here.
"""

from __future__ import annotations

import contextlib
import threading
from functools import cached_property
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.app.crime_index import month_index
from planner.errors import PlannerError

if TYPE_CHECKING:
    from collections.abc import Callable

    from planner.app.crime_index import CrimeIndex
    from planner.workspace import Workspace


class TGPViews:
    """Target Geographic Patrol areas for the app (mixed into :class:`planner.app.data.AppData`).

    Expects ``ws``, ``crimes``, ``crime_table``, ``has`` and ``_tgp_crimes`` (a per-instance
    cache of :meth:`_read_tgp_crimes`) on the instance.
    """

    if TYPE_CHECKING:  # set by AppData.__init__ or defined by AppData's other bases
        ws: Workspace
        _lock: threading.Lock

        @property
        def crime_table(self) -> str:
            """See :attr:`planner.app.data.AppData.crime_table`."""

        _tgp_crimes: Callable[[str, str], gpd.GeoDataFrame]

        @property
        def crimes(self) -> CrimeIndex:
            """See :class:`planner.app.data.AppData`."""

        def has(self, table: str) -> bool:
            """See :class:`planner.app.data.AppData`."""

    #: months of crimes whose police.uk locations name the TGPs' main streets
    LABEL_MONTHS = 12

    def tgp_default_window(self) -> tuple[str, str]:
        """The window TGPs are re-derived over unless another is chosen.

        Returns
        -------
        tuple of str
            The demo's derivation window (:data:`planner.hotspots.config.TGP_WINDOW`) when the
            crime table covers it, otherwise its last 24 months (YYYY-MM).
        """
        from planner.hotspots.config import TGP_WINDOW as WINDOW

        months = self.crimes.months
        if not months:
            raise PlannerError("the crime table is empty")
        if WINDOW[0] in months and WINDOW[1] in months:
            return WINDOW
        return months[max(0, len(months) - 24)], months[-1]

    def street_labels(self, tgps: gpd.GeoDataFrame | None = None) -> pd.DataFrame | None:
        """Each TGP's label, its id and main street.

        :func:`planner.hotspots.labels.main_streets` over the crimes of the
        :attr:`LABEL_MONTHS` months to the workspace's today. The workspace's own labels are
        kept in its ``.cache`` folder, keyed on the crime and TGP files (size and time) and the
        months, so a server start reads them instead of the crimes.

        Parameters
        ----------
        tgps : geopandas.GeoDataFrame, optional
            A TGP layer (e.g. re-derived); default the workspace's, computed once and shared.

        Returns
        -------
        pandas.DataFrame or None
            ``tgp_id, main_street, street_crimes, crimes, label``; None without a TGP layer.
        """
        if tgps is None:
            if not self.has("tgps"):
                return None
            with self._lock:
                return self._street_labels
        from planner.hotspots.labels import main_streets_at

        with self._lock:
            points = self._label_points
        return main_streets_at(tgps, points)

    def _label_months(self) -> tuple[str, str]:
        end = pd.Timestamp(self.ws.today)
        start = end - pd.DateOffset(months=self.LABEL_MONTHS - 1)
        return f"{start:%Y-%m}", f"{end:%Y-%m}"

    @cached_property
    def _label_points(self):
        """The crimes of :meth:`_label_months` as :class:`~planner.hotspots.labels.StreetPoints`.

        GeoParquet: only the location and WKB columns are read, no geometry objects made.
        """
        from planner.hotspots.labels import StreetPoints

        start, end = self._label_months()
        path = self.ws.table_path(self.crime_table)
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            from planner.app.crime_index import _codes, wkb_points_xy
            from planner.crs import BNG

            tb = pq.read_table(
                path,
                columns=["location", "geometry"],
                filters=[("month", ">=", start), ("month", "<=", end)],
            )
            xy = wkb_points_xy(tb.column("geometry"))
            codes, places = _codes(tb.column("location"))
            return StreetPoints.from_codes(xy[:, 0], xy[:, 1], codes, places, BNG)
        crimes = self.ws.crimes(
            start, end, columns=["location", "geometry"], table=self.crime_table
        )
        return StreetPoints.from_frame(crimes)

    @cached_property
    def _street_labels(self) -> pd.DataFrame:
        from planner.app.data_crimes import CACHE_DIR
        from planner.hotspots.labels import labels_stamp, load_labels, main_streets_at, save_labels

        files = [self.ws.table_path(self.crime_table), self.ws.table_path("tgps")]
        stamp = labels_stamp(
            *(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files),
            *self._label_months(),
        )
        cache = self.ws.root / CACHE_DIR / "street_labels.json"
        labels = load_labels(cache, stamp)
        if labels is None:
            labels = main_streets_at(self.ws.tgps(), self._label_points)
            with contextlib.suppress(OSError):  # a read-only workspace just has no cache
                save_labels(cache, stamp, labels)
        return labels

    def tgp_crimes(self, start: str, end: str) -> gpd.GeoDataFrame:
        """Crimes of the TGP offence types (violence and ASB) in a window.

        Read once per window and shared by the sessions (the last
        :data:`planner.app.data.TGP_WINDOWS_KEPT` windows are kept).

        Parameters
        ----------
        start, end : str
            First and last month (YYYY-MM).

        Returns
        -------
        geopandas.GeoDataFrame
            The crimes of :func:`planner.hotspots.config.tgp_types`, analysis columns only.

        Raises
        ------
        PlannerError
            When ``start`` is after ``end``.
        """
        if start > end:
            raise PlannerError(f"the window starts ({start}) after it ends ({end})")
        return self._tgp_crimes(start, end)

    def _read_tgp_crimes(self, start: str, end: str) -> gpd.GeoDataFrame:
        from planner.hotspots.config import ANALYSIS_COLUMNS, tgp_types

        return self.ws.crimes(start, end, types=tgp_types(), columns=list(ANALYSIS_COLUMNS))

    def tgp_monthly(self, tgp_id: str) -> pd.DataFrame:
        """Crimes and harm inside one TGP polygon, every month of the crime table.

        Parameters
        ----------
        tgp_id : str
            The TGP.

        Returns
        -------
        pandas.DataFrame
            ``month, crimes, harm`` (:func:`planner.hotspots.monthly.monthly_in_polygon`).

        Raises
        ------
        PlannerError
            When the workspace has no such TGP.
        """
        from planner.hotspots.monthly import monthly_in_polygon

        t = self.tgps_bng
        poly = t.loc[t["tgp_id"] == tgp_id, "geometry"]
        if not len(poly):
            raise PlannerError(f"no TGP '{tgp_id}' in this workspace")
        idx = self.crimes
        m0 = month_index([idx.months[0]])[0]
        pos = np.where(idx.month >= 0, idx.month - m0, -1)
        return monthly_in_polygon(
            poly.iloc[0], idx.bng[:, 0], idx.bng[:, 1], pos, idx.months, idx.harm
        )

    @cached_property
    def tgps_bng(self) -> gpd.GeoDataFrame:
        """The full TGP layer (EPSG:27700, not simplified) for library calls and exports."""
        return self.ws.tgps()

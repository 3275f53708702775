"""Display-ready, read-only frames for the app, built once per workspace and shared by all sessions.

No Panel import here: :class:`AppData` is a plain object. :func:`planner.app.cache.get_data`
keeps one instance per workspace in Panel's process-wide cache (``pn.state.as_cached``), so
every browser session reads the same frames instead of copying them. What an instance computes
is kept with :mod:`functools` (``cached_property``, ``cache``, ``lru_cache``: thread-safe, and
Panel-free, which ``pn.cache`` is not).

Polygons are simplified in metres (EPSG:27700) and projected once to EPSG:3857 for display;
crime points are held as compact arrays (month index, type code, harm, ward code, x/y in
EPSG:3857) so that a filter change is a vectorised mask and a ``bincount``.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.app.crime_index import CrimeIndex, month_index
from planner.app.layers import bokeh_multipolygons, simplify_for_display
from planner.errors import PlannerError
from planner.workspace import Workspace

#: the area levels the maps can colour, with their key and label columns
LEVELS: dict[str, tuple[str, str]] = {
    "wards": ("ward_code", "ward"),
    "neighbourhoods": ("nbh_code", "neighbourhood"),
    "LPAs": ("lpa_code", "lpa"),
}

#: folder (inside the workspace) for caches the app may rebuild at any time
CACHE_DIR = ".cache"

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


class AppData:
    """Everything the app shows from one workspace, loaded lazily and kept for all sessions.

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
        return self.ws.name

    @cached_property
    def notice(self) -> str:
        return str(self.ws.meta.get("notice", ""))

    def is_synthetic(self, table: str) -> bool:
        return self.ws.is_synthetic(table)

    def has(self, table: str) -> bool:
        """Whether the workspace has ``table`` ("crimes": any crime series)."""
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
        """Whether any of ``tables`` that the workspace has is flagged synthetic ("crimes": the
        crime series the maps read)."""
        names = [self.crime_table if t == "crimes" and self.has("crimes") else t for t in tables]
        return any(self.ws.has_table(t) and self.ws.is_synthetic(t) for t in names)

    def missing_notice(self, tables) -> list[dict[str, str]]:
        """Each missing table of ``tables`` with the exact command that fills it."""
        from planner.ownforce.status import missing_notice

        return missing_notice(self.ws, list(tables))

    @cached_property
    def crime_table(self) -> str:
        """The crime table the maps read: the synthetic series when present, else the real one
        (:attr:`planner.workspace.Workspace.series_table`)."""
        table = self.ws.series_table
        if table is None:
            raise PlannerError(f"workspace {self.ws.root} has no crime table")
        return table

    # ---- layers ------------------------------------------------------------------
    @cached_property
    def geography(self):
        return self.ws.geography()

    @cached_property
    def hierarchy(self) -> pd.DataFrame:
        return self.geography.hierarchy()

    def lpa_names(self) -> list[str]:
        return self.geography.lpa_names()

    @cached_property
    def _display_layers(self) -> dict[str, gpd.GeoDataFrame]:
        g = self.geography
        tol = self.config.simplify_m
        out = {
            "force": simplify_for_display(g.force, tol),
            "LPAs": simplify_for_display(g.lpas, tol),
            "neighbourhoods": simplify_for_display(g.neighbourhoods, tol),
            "wards": simplify_for_display(g.wards, tol),
        }
        if self.ws.has_table("tgps"):
            out["tgps"] = simplify_for_display(self.ws.tgps(), self.config.simplify_m / 5)
        return out

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """A display layer (simplified, EPSG:3857): force, LPAs, neighbourhoods, wards, tgps."""
        with self._lock:
            layers = self._display_layers
        if name not in layers:
            raise PlannerError(f"no display layer '{name}' in this workspace")
        return layers[name]

    def extent(
        self, lpa: str | None = None, pad: float = 0.03
    ) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) in EPSG:3857 of one LPA or the force, padded by ``pad`` of
        the longer side."""
        lpas = self.layer("LPAs")
        if lpa:
            lpas = lpas[lpas["lpa"] == lpa]
        x0, y0, x1, y1 = lpas.total_bounds
        d = pad * max(x1 - x0, y1 - y0)
        return (float(x0 - d), float(y0 - d), float(x1 + d), float(y1 + d))

    def multipolygons(self, name: str) -> tuple[list, list]:
        """A display layer's polygons in Bokeh's ``multi_polygons`` layout (built once, shared)."""
        return self._multipolygons(name)

    def _bokeh_layout(self, name: str) -> tuple[list, list]:
        return bokeh_multipolygons(self.layer(name).geometry.to_numpy())

    # ---- crimes ------------------------------------------------------------------
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
        """Hotspot surface on the grid: ``x, y`` (EPSG:3857 cell centres) and ``value``.

        ``kind="KDE"``: quartic kernel density per km² (:func:`planner.hotspots.kde.kde_grid`,
        harm-weighted for ``measure="harm"``); ``kind="Gi*"``: Getis-Ord Gi* z-scores of the cell
        totals (:func:`planner.hotspots.gistar.grid_gistar`), significant hot spots only.
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
        """Emerging hotspot categories (:func:`planner.hotspots.emerging.emerging_hotspots`,
        monthly steps) on the surface grid: ``x, y`` (EPSG:3857 cell centres), ``category`` and
        ``trend_z``, cells with a pattern only."""
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

    def tgp_default_window(self) -> tuple[str, str]:
        """The window TGPs are re-derived over unless another is chosen: the demo's derivation
        window (:data:`planner.hotspots.config.TGP_WINDOW`) when the crime table covers it,
        otherwise its last 24 months."""
        from planner.hotspots.config import TGP_WINDOW as WINDOW

        months = self.crimes.months
        if not months:
            raise PlannerError("the crime table is empty")
        if WINDOW[0] in months and WINDOW[1] in months:
            return WINDOW
        return months[max(0, len(months) - 24)], months[-1]

    #: months of crimes whose police.uk locations name the TGPs' main streets
    LABEL_MONTHS = 12

    def street_labels(self, tgps: gpd.GeoDataFrame | None = None) -> pd.DataFrame | None:
        """Each TGP's label, its id and main street (:func:`planner.hotspots.labels.main_streets`
        over the crimes of the :attr:`LABEL_MONTHS` months to the workspace's today).

        The workspace's own labels are kept in its ``.cache`` folder, keyed on the crime and TGP
        files (size and time) and the months, so a server start reads them instead of the
        crimes.

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
        """The crimes of :meth:`_label_months` as :class:`~planner.hotspots.labels.StreetPoints`
        (GeoParquet: only the location and WKB columns are read, no geometry objects made)."""
        from planner.hotspots.labels import StreetPoints

        start, end = self._label_months()
        path = self.ws.table_path(self.crime_table)
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            from planner.app.crime_index import wkb_points_xy
            from planner.crs import BNG

            tb = pq.read_table(
                path,
                columns=["location", "geometry"],
                filters=[("month", ">=", start), ("month", "<=", end)],
            )
            from planner.app.crime_index import _codes

            xy = wkb_points_xy(tb.column("geometry"))
            codes, places = _codes(tb.column("location"))
            return StreetPoints.from_codes(xy[:, 0], xy[:, 1], codes, places, BNG)
        crimes = self.ws.crimes(
            start, end, columns=["location", "geometry"], table=self.crime_table
        )
        return StreetPoints.from_frame(crimes)

    @cached_property
    def _street_labels(self) -> pd.DataFrame:
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
        """Crimes of the TGP offence types (violence and ASB,
        :func:`planner.hotspots.config.tgp_types`) from ``start`` to ``end`` (YYYY-MM), read once per window and shared by sessions
        (the last :data:`TGP_WINDOWS_KEPT` windows are kept)."""
        if start > end:
            raise PlannerError(f"the window starts ({start}) after it ends ({end})")
        return self._tgp_crimes(start, end)

    def _read_tgp_crimes(self, start: str, end: str) -> gpd.GeoDataFrame:
        from planner.hotspots.config import ANALYSIS_COLUMNS, tgp_types

        return self.ws.crimes(start, end, types=tgp_types(), columns=list(ANALYSIS_COLUMNS))

    def default_period(self) -> tuple[str, str]:
        """The ``default_months`` months ending at the workspace's today (clipped to the data)."""
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
        adds up to the same force total. ``lpa`` keeps only that LPA's areas.
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
        """Crime points (EPSG:3857) for the period, types and optionally one LPA."""
        idx = self.crimes
        m = idx.mask(start, end, types)
        if lpa:
            lpa_wards = set(self.geography.wards_of(lpa))
            in_lpa = np.array([c in lpa_wards for c in idx.ward_codes] + [False])
            m &= in_lpa[idx.ward]  # ward -1 -> last entry (False)
        return idx.points(m)

    def advance(self, lpa: str, as_of: str):
        """The Op Advance briefing for an LPA and date, computed once and kept (a failure is
        kept too, and raised again, so that a bad date is not recomputed on every redraw)."""
        out = self._advance(lpa, str(as_of))
        if isinstance(out, Exception):
            raise out
        return out

    def _briefing_or_error(self, lpa: str, as_of: str):
        try:
            out = _advance(str(self.ws.root), lpa, as_of)
        except (PlannerError, ValueError) as e:
            out = PlannerError(f"Op Advance briefing for {lpa} as of {as_of}: {e}")
        self._advance_done.add((lpa, as_of))
        return out

    def advance_ready(self, lpa: str, as_of: str) -> bool:
        """Whether :meth:`advance` for this LPA and date has been computed (or has failed)."""
        return (lpa, str(as_of)) in self._advance_done

    def table(self, name: str) -> pd.DataFrame:
        """A registered workspace table, read once and shared (treat it as read-only)."""
        return self._tables(name)

    def delivery_report(self):
        """:func:`planner.tracking.delivery.delivery_report` of the workspace's plan and
        per-method delivered place-days up to its today, computed once for every session."""
        return self._delivery_report

    @cached_property
    def _delivery_report(self):
        from planner.tracking.delivery import delivery_report

        return delivery_report(
            self.table("plan_visits"),
            self.table("delivered_place_days"),
            lpa_of=self.layer("tgps").set_index("tgp_id")["lpa"],
            as_of=self.ws.today,
        )

    def duty_months(self) -> list[str]:
        """Months (YYYY-MM) covered by the ``duty_periods`` table ([] when there is none)."""
        if not self.has("duty_periods"):
            return []
        d = self.table("duty_periods")
        if not len(d):
            return []
        lo, hi = d["end"].min(), d["start"].max()
        return [
            str(p) for p in pd.period_range(lo.strftime("%Y-%m"), hi.strftime("%Y-%m"), freq="M")
        ]

    def visibility(self, month: str):
        """:func:`planner.tracking.visibility.workspace_visibility` for ``month``, kept for
        every session."""
        return self._visibility(month)

    def _month_visibility(self, month: str):
        from planner.tracking.visibility import workspace_visibility

        return workspace_visibility(self.ws, month)

    def tgp_monthly(self, tgp_id: str) -> pd.DataFrame:
        """``month, crimes, harm`` inside one TGP polygon, every month of the crime table."""
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

    # ---- people ------------------------------------------------------------------
    @cached_property
    def teams(self) -> pd.DataFrame | None:
        return self.ws.teams() if self.ws.has_table("teams") else None

    @cached_property
    def officers(self) -> pd.DataFrame | None:
        return self.ws.officers() if self.ws.has_table("officers") else None


def _advance(ws_root: str, lpa: str, as_of: str):
    """Op Advance briefing (memoised per workspace, LPA and date by :meth:`AppData.advance`)."""
    from planner.hotspots.advance import workspace_briefing

    return workspace_briefing(Workspace(ws_root), lpa, as_of)

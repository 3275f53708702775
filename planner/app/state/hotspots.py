"""State of the Hotspots and TGPs page (no Panel import).

State of the Hotspots and TGPs page (no Panel import): the map's filters, the crime
drill-down and the TGP re-derivation.
"""

from __future__ import annotations

import functools
from typing import Any, cast

import geopandas as gpd
import pandas as pd
import param

from planner.app.crime_index import MEASURES
from planner.app.data import LEVELS, AppData
from planner.app.state.common import ALL_LPAS, DrillState, Scoped, ScopedLPA, scope_lpas
from planner.app.state.hotspots_demand import DemandLayers
from planner.hotspots.config import TGPConfig
from planner.schema import CRIME_TYPES

#: the TGP parameters' defaults
_TGP = TGPConfig()

#: padding around the map extent, as a share of its larger side
EXTENT_PAD = 0.03


class MapState(Scoped, DemandLayers):
    """Hotspots map: areas coloured by crime count or harm for a period, crime types and LPA.

    With a ``principal`` the LPA choices are those in its scope (an inspector: their LPAs,
    no whole-force view) and an LPA outside it is refused (:class:`ScopedLPA`).
    """

    data = cast(
        "param.ClassSelector[AppData]",
        param.ClassSelector(class_=AppData, constant=True, doc="Shared workspace data."),
    )
    start: param.Selector[str] = param.Selector(
        default=None, objects=[], doc="First month of the period (YYYY-MM)."
    )
    end: param.Selector[str] = param.Selector(
        default=None, objects=[], doc="Last month of the period (YYYY-MM)."
    )
    measure: param.Selector[str] = param.Selector(
        default="crimes", objects=list(MEASURES), doc="Colour by crime count or harm sum."
    )
    level: param.Selector[str] = param.Selector(
        default="wards", objects=list(LEVELS), doc="Areas to colour."
    )
    lpa: param.Selector[str] = ScopedLPA(
        default=ALL_LPAS, objects=[ALL_LPAS], doc="Show one LPA or the whole force."
    )
    crime_types = param.ListSelector(
        default=list(CRIME_TYPES), objects=list(CRIME_TYPES), doc="Crime types counted."
    )
    show_points = param.Boolean(default=False, doc="Overlay crime points (datashader).")
    show_tgps = param.Boolean(
        default=True, doc="Overlay the TGP layer (when the workspace has one)."
    )
    show_calls = param.Boolean(
        default=False, doc="Overlay calls for service (datashader; when the workspace has them)."
    )
    surface: param.Selector[str] = param.Selector(
        default="none",
        objects=["none", "KDE", "Gi*", "Emerging"],
        doc="Hotspot surface on a grid (planner.hotspots): kernel density, Gi* significant hot "
        "spots, or emerging hotspot categories (monthly steps).",
    )

    def __init__(self, data: AppData, **params):
        chosen = {k: params.pop(k) for k in ("start", "end", "lpa") if k in params}
        super().__init__(data=data, **params)
        months = list(data.crimes.months)
        self.param.start.objects = months
        self.param.end.objects = months
        s, e = data.default_period()
        with param.parameterized.discard_events(self):
            self.start = chosen.get("start", s)
            self.end = chosen.get("end", e)
            scope_lpas(self, self.principal, data.lpa_names(), chosen=chosen.get("lpa"))

    @property
    def lpa_filter(self) -> str | None:
        """The selected LPA, or None for the whole force."""
        return None if self.lpa == ALL_LPAS else self.lpa

    @property
    def period(self) -> tuple[str, str]:
        """(start, end) in order, whichever way round the user picked them."""
        return (self.start, self.end) if self.start <= self.end else (self.end, self.start)

    @param.depends("start", "end", "measure", "level", "lpa", "crime_types")
    def areas(self) -> gpd.GeoDataFrame:
        """The selected level's areas with a ``value`` column (count or harm).

        Returns
        -------
        geopandas.GeoDataFrame
            The areas of the selected LPA (EPSG:3857).
        """
        s, e = self.period
        return self.data.area_totals(
            self.level, s, e, self.crime_types, self.measure, self.lpa_filter
        )

    @param.depends("start", "end", "measure", "level", "lpa", "crime_types")
    def map_areas(self) -> gpd.GeoDataFrame:
        """All areas of the level (context), ``value`` NaN outside the selected LPA.

        Returns
        -------
        geopandas.GeoDataFrame
            Every area of the level (EPSG:3857).
        """
        s, e = self.period
        a = self.data.area_totals(self.level, s, e, self.crime_types, self.measure)
        if self.lpa_filter:
            a = a.assign(value=a["value"].where(a["lpa"] == self.lpa_filter))
        return a

    @param.depends("lpa")
    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) in EPSG:3857 of the selected LPA or the force, padded.

        Returns
        -------
        tuple of float
            The padded extent.
        """
        return self.data.extent(self.lpa_filter, EXTENT_PAD)

    def tgps(self) -> gpd.GeoDataFrame | None:
        """The TGP layer (EPSG:3857) of the selected LPA, or None when the workspace has none.

        Returns
        -------
        geopandas.GeoDataFrame or None
            The TGPs.
        """
        if not self.data.has("tgps"):
            return None
        t = self.data.layer("tgps")
        return t[t["lpa"] == self.lpa_filter].reset_index(drop=True) if self.lpa_filter else t

    def coverage(self) -> pd.DataFrame | None:
        """The TGP coverage table (``tgps_coverage``, from planner.hotspots) or None.

        Returns
        -------
        pandas.DataFrame or None
            Coverage rounded to 2 decimals.
        """
        if not self.data.has("tgps_coverage"):
            return None
        t = pd.DataFrame(self.data.table("tgps_coverage"))
        p = self.principal
        if p is not None and not p.all_lpas:  # the force row (an aggregate) and their LPAs
            t = t[(t["area"] == "Force") | t["area"].isin(p.lpas)]
        return t.round(2).reset_index(drop=True)

    @param.depends("start", "end", "measure", "crime_types", "surface")
    def surface_frame(self) -> pd.DataFrame:
        """The chosen hotspot surface for the period (cells with a value).

        Returns
        -------
        pandas.DataFrame
            ``x, y, value`` (EPSG:3857); empty for ``none``.
        """
        s, e = self.period
        if self.surface == "none":
            return pd.DataFrame({"x": [], "y": [], "value": []}, dtype="float64")
        if self.surface == "Emerging":
            return self.emerging()
        return self._in_scope(self.data.surface(self.surface, s, e, self.crime_types, self.measure))

    @param.depends("start", "end", "crime_types")
    def emerging(self) -> pd.DataFrame:
        """Emerging hotspot categories over the period (cells with a pattern).

        Returns
        -------
        pandas.DataFrame
            One row per cell with a category.
        """
        s, e = self.period
        return self._in_scope(self.data.emerging(s, e, self.crime_types))

    def _in_scope(self, cells: pd.DataFrame) -> pd.DataFrame:
        """Grid cells (``x``, ``y`` in EPSG:3857) inside the principal's LPAs.

        All cells for roles that see the force.
        """
        p = self.principal
        if p is None or p.all_lpas:
            return cells
        import shapely

        lpas = self.data.layer("LPAs")
        area = shapely.union_all(lpas.geometry[lpas["lpa"].isin(p.lpas)].to_numpy())
        inside = shapely.contains_xy(area, cells["x"].to_numpy(), cells["y"].to_numpy())
        return cells[inside].reset_index(drop=True)

    @param.depends("start", "end", "lpa", "crime_types")
    def points(self) -> pd.DataFrame:
        """The crime points of the period, types and LPA (for the datashader overlay).

        Returns
        -------
        pandas.DataFrame
            Point coordinates (EPSG:3857) with their values.
        """
        s, e = self.period
        return self.data.points(s, e, self.crime_types, self.lpa_filter)

    @param.depends("start", "end", "measure", "level", "lpa", "crime_types")
    def title(self) -> str:
        """The map's title: measure, level, place and period (and SYNTHETIC when it is).

        Returns
        -------
        str
            The title.
        """
        s, e = self.period
        where = self.data.force_name if self.lpa == ALL_LPAS else self.lpa
        what = "Crimes" if self.measure == "crimes" else "Crime harm"
        synth = " (SYNTHETIC)" if self.data.is_synthetic(self.data.crime_table) else ""
        return f"{what} by {self.level[:-1] if self.level != 'LPAs' else 'LPA'}, {where}, {s} to {e}{synth}"

    @param.depends("start", "end", "measure", "level", "lpa", "crime_types")
    def table(self) -> pd.DataFrame:
        """The areas as a ranked table (name, LPA, value), highest first.

        Returns
        -------
        pandas.DataFrame
            Name (and LPA) and the measure, one row per area.
        """
        key, label = LEVELS[self.level]
        a = self.areas()
        cols = [label] + (["lpa"] if label != "lpa" else [])
        t = pd.DataFrame(a[[*cols, "value"]]).sort_values("value", ascending=False, kind="stable")
        if self.measure == "harm":
            t["value"] = t["value"].round(0)  # harm in whole days, no spurious decimals
        return t.rename(columns={"value": self.measure}).reset_index(drop=True)

    def total(self) -> float:
        """The measure summed over the selected areas.

        Returns
        -------
        float
            The total count or harm.
        """
        return float(self.areas()["value"].sum())


class TGPDeriveState(Scoped):
    """Re-derive the TGP layer with chosen parameters and window, with its coverage.

    Re-derive the TGP layer with chosen parameters and window
    (:func:`planner.hotspots.tgps.derive_tgps`), with its coverage
    (:func:`planner.hotspots.coverage.coverage_report`) over the same crimes.
    """

    data = cast("param.ClassSelector[AppData]", param.ClassSelector(class_=AppData, constant=True))
    start: param.Selector[str] = param.Selector(
        default=None, objects=[], doc="First month of the window (YYYY-MM)."
    )
    end: param.Selector[str] = param.Selector(
        default=None, objects=[], doc="Last month of the window (YYYY-MM)."
    )
    # defaults from planner.hotspots.config.TGPConfig (their one home)
    area_share = param.Number(
        default=_TGP.area_share, bounds=(0.001, 0.2), doc="Share of the force area the TGPs cover."
    )
    count = param.Integer(default=_TGP.n_total, bounds=(1, 400), doc="Number of TGPs.")
    radius = param.Number(default=_TGP.radius, bounds=(25.0, 1000.0), doc="Disc radius (m).")
    min_separation = param.Number(
        default=_TGP.min_separation,
        bounds=(0.0, 5000.0),
        doc="Minimum distance between TGP centres (m).",
    )

    def __init__(self, data: AppData, **params):
        window = {k: params.pop(k) for k in ("start", "end") if k in params}
        super().__init__(data=data, **params)
        months = data.crimes.months
        self.param.start.objects = months
        self.param.end.objects = months
        start, end = data.tgp_default_window()
        self._derive = functools.lru_cache(maxsize=1)(self._derive_for)
        self.start = window.get("start", start)
        self.end = window.get("end", end)

    @property
    def window(self) -> tuple[str, str]:
        """The derivation window ``(start, end)``."""
        return self.start, self.end

    def crimes(self):
        """The TGP offence types' crimes of the window (shared; PlannerError if it is reversed).

        Returns
        -------
        geopandas.GeoDataFrame
            The crimes of the window.
        """
        return self.data.tgp_crimes(self.start, self.end)

    def config(self):
        """The :class:`~planner.hotspots.config.TGPConfig` of the current parameters.

        Returns
        -------
        TGPConfig
            Op Savvy defaults with the chosen area share, count, radius and separation.
        """
        return _tgp_config(self.area_share, self.count, self.radius, self.min_separation)

    def derive(self):
        """The :class:`~planner.hotspots.tgps.TGPDerivation` for the current parameters.

        The :class:`~planner.hotspots.tgps.TGPDerivation` for the current parameters (the
        last one is kept).

        Returns
        -------
        TGPDerivation
            The derived layer and its summary.
        """
        from planner.access.scope import require

        require(self.principal, "derive_tgps")
        return self._derive(
            self.start, self.end, self.area_share, self.count, self.radius, self.min_separation
        )

    def _derive_for(
        self,
        start: str,
        end: str,
        area_share: float,
        count: int,
        radius: float,
        min_separation: float,
    ):
        from planner.hotspots.tgps import derive_tgps

        geo = self.data.geography
        crimes = self.data.tgp_crimes(start, end)
        cfg = _tgp_config(area_share, count, radius, min_separation)
        return derive_tgps(crimes, geo.study_area, geo, cfg)

    def coverage(self) -> pd.DataFrame:
        """Force and per-LPA coverage of the derived layer over the window's crimes (shares in %).

        Returns
        -------
        pandas.DataFrame
            The coverage table, rounded to 2 decimals.
        """
        from planner.hotspots.coverage import coverage_report

        geo = self.data.geography
        rep = coverage_report(self.derive().tgps, self.crimes(), geo.force, geo)
        return rep.table().round(2)

    def geojson(self) -> str:
        """The derived layer as GeoJSON (EPSG:4326).

        Returns
        -------
        str
            GeoJSON text.
        """
        return gpd.GeoDataFrame(self.derive().tgps).to_crs(4326).to_json()

    def geopackage(self) -> bytes:
        """The derived layer as a GeoPackage (layer ``tgps``, EPSG:27700).

        Returns
        -------
        bytes
            The GeoPackage file's bytes.
        """
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "tgps.gpkg"
            gpd.GeoDataFrame(self.derive().tgps).to_file(path, layer="tgps", driver="GPKG")
            return path.read_bytes()


class CrimeDrillState(DrillState):
    """Crime count/harm by LPA -> neighbourhood -> ward, following a :class:`MapState`'s filters."""

    map = cast("param.ClassSelector[MapState]", param.ClassSelector(class_=MapState, constant=True))
    levels = ("LPA", "neighbourhood", "ward")

    def scope_principal(self) -> Any:
        """The map state's principal (see :meth:`DrillState.scope_principal`).

        Returns
        -------
        Principal or None
            ``map.principal``.
        """
        return self.map.principal

    def frame_for(self, path: list[str]) -> pd.DataFrame:
        """Crimes (or harm) per LPA, then neighbourhood, then ward of the map's filters.

        Parameters
        ----------
        path : list of str
            The LPA and neighbourhood drilled into so far.

        Returns
        -------
        pandas.DataFrame
            ``key``, ``label`` and ``value`` per area of the next level.
        """
        from planner.access.scope import check_lpa

        m = self.map
        s, e = m.period
        if not path:
            a = m.rows(m.data.area_totals("LPAs", s, e, m.crime_types, m.measure))
            return pd.DataFrame({"key": a["lpa"], "label": a["lpa"], "value": a["value"]})
        check_lpa(m.principal, path[0])
        if len(path) == 1:
            a = m.data.area_totals("neighbourhoods", s, e, m.crime_types, m.measure, lpa=path[0])
            return pd.DataFrame(
                {"key": a["nbh_code"], "label": a["neighbourhood"], "value": a["value"]}
            )
        a = m.data.area_totals("wards", s, e, m.crime_types, m.measure, lpa=path[0])
        a = a[a["nbh_code"] == path[1]]
        return pd.DataFrame({"key": a["ward_code"], "label": a["ward"], "value": a["value"]})

    @param.depends("map.start", "map.end", "map.measure", "map.crime_types", watch=True)
    def _filters_changed(self):
        self.version += 1

    @param.depends("map.lpa", watch=True)
    def _lpa_changed(self):
        # the LPA selector chooses the drill-down's LPA: its neighbourhoods (issue 17)
        self.path = [] if self.map.lpa_filter is None else [self.map.lpa_filter]


def _tgp_config(area_share: float, count: int, radius: float, min_separation: float):
    """A TGPConfig with these parameters, at most its default number of violent TGPs."""
    from planner.hotspots.config import TGPConfig

    d = TGPConfig()
    return TGPConfig(
        area_share=area_share,
        n_total=count,
        n_violent=min(d.n_violent, count),
        radius=radius,
        min_separation=min_separation,
    )

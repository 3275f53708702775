"""State of the Hotspots and TGPs page (no Panel import): the map's filters, the crime
drill-down and the TGP re-derivation."""

from __future__ import annotations

import functools

import geopandas as gpd
import pandas as pd
import param

from planner.app.crime_index import MEASURES
from planner.app.data import LEVELS, AppData
from planner.app.state.common import ALL_LPAS, DrillState
from planner.hotspots.config import TGPConfig
from planner.schema import CRIME_TYPES

#: the TGP parameters' defaults
_TGP = TGPConfig()

#: padding around the map extent, as a share of its larger side
EXTENT_PAD = 0.03


class MapState(param.Parameterized):
    """Hotspots map: areas coloured by crime count or harm for a period, crime types and LPA."""

    data = param.ClassSelector(class_=AppData, constant=True, doc="Shared workspace data.")
    start = param.Selector(default=None, objects=[], doc="First month of the period (YYYY-MM).")
    end = param.Selector(default=None, objects=[], doc="Last month of the period (YYYY-MM).")
    measure = param.Selector(
        default="crimes", objects=list(MEASURES), doc="Colour by crime count or harm sum."
    )
    level = param.Selector(default="wards", objects=list(LEVELS), doc="Areas to colour.")
    lpa = param.Selector(
        default=ALL_LPAS, objects=[ALL_LPAS], doc="Show one LPA or the whole force."
    )
    crime_types = param.ListSelector(
        default=list(CRIME_TYPES), objects=list(CRIME_TYPES), doc="Crime types counted."
    )
    show_points = param.Boolean(default=False, doc="Overlay crime points (datashader).")
    show_tgps = param.Boolean(
        default=True, doc="Overlay the TGP layer (when the workspace has one)."
    )
    surface = param.Selector(
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
        self.param.lpa.objects = [ALL_LPAS, *data.lpa_names()]
        s, e = data.default_period()
        with param.parameterized.discard_events(self):
            self.start = chosen.get("start", s)
            self.end = chosen.get("end", e)
            self.lpa = chosen.get("lpa", ALL_LPAS)

    @property
    def lpa_filter(self) -> str | None:
        return None if self.lpa == ALL_LPAS else self.lpa

    @property
    def period(self) -> tuple[str, str]:
        """(start, end) in order, whichever way round the user picked them."""
        return (self.start, self.end) if self.start <= self.end else (self.end, self.start)

    @param.depends("start", "end", "measure", "level", "lpa", "crime_types")
    def areas(self) -> gpd.GeoDataFrame:
        """The selected level's areas with a ``value`` column (count or harm)."""
        s, e = self.period
        return self.data.area_totals(
            self.level, s, e, self.crime_types, self.measure, self.lpa_filter
        )

    @param.depends("start", "end", "measure", "level", "lpa", "crime_types")
    def map_areas(self) -> gpd.GeoDataFrame:
        """All areas of the level (context), ``value`` NaN outside the selected LPA."""
        s, e = self.period
        a = self.data.area_totals(self.level, s, e, self.crime_types, self.measure)
        if self.lpa_filter:
            a = a.assign(value=a["value"].where(a["lpa"] == self.lpa_filter))
        return a

    @param.depends("lpa")
    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) in EPSG:3857 of the selected LPA or the force, padded."""
        return self.data.extent(self.lpa_filter, EXTENT_PAD)

    def tgps(self) -> gpd.GeoDataFrame | None:
        """The TGP layer (EPSG:3857) of the selected LPA, or None when the workspace has none."""
        if not self.data.has("tgps"):
            return None
        t = self.data.layer("tgps")
        return t[t["lpa"] == self.lpa_filter].reset_index(drop=True) if self.lpa_filter else t

    def coverage(self) -> pd.DataFrame | None:
        """The TGP coverage table (``tgps_coverage``, from planner.hotspots) or None."""
        if not self.data.has("tgps_coverage"):
            return None
        return pd.DataFrame(self.data.table("tgps_coverage")).round(2)

    @param.depends("start", "end", "measure", "crime_types", "surface")
    def surface_frame(self) -> pd.DataFrame:
        s, e = self.period
        if self.surface == "none":
            return pd.DataFrame({"x": [], "y": [], "value": []}, dtype="float64")
        if self.surface == "Emerging":
            return self.emerging()
        return self.data.surface(self.surface, s, e, self.crime_types, self.measure)

    @param.depends("start", "end", "crime_types")
    def emerging(self) -> pd.DataFrame:
        """Emerging hotspot categories over the period (cells with a pattern)."""
        s, e = self.period
        return self.data.emerging(s, e, self.crime_types)

    @param.depends("start", "end", "lpa", "crime_types")
    def points(self) -> pd.DataFrame:
        s, e = self.period
        return self.data.points(s, e, self.crime_types, self.lpa_filter)

    @param.depends("start", "end", "measure", "level", "lpa", "crime_types")
    def title(self) -> str:
        s, e = self.period
        where = self.data.force_name if self.lpa == ALL_LPAS else self.lpa
        what = "Crimes" if self.measure == "crimes" else "Crime harm"
        synth = " (SYNTHETIC)" if self.data.is_synthetic(self.data.crime_table) else ""
        return f"{what} by {self.level[:-1] if self.level != 'LPAs' else 'LPA'}, {where}, {s} to {e}{synth}"

    @param.depends("start", "end", "measure", "level", "lpa", "crime_types")
    def table(self) -> pd.DataFrame:
        """The areas as a ranked table (name, LPA, value), highest first."""
        key, label = LEVELS[self.level]
        a = self.areas()
        cols = [label] + (["lpa"] if label != "lpa" else [])
        t = pd.DataFrame(a[[*cols, "value"]]).sort_values("value", ascending=False, kind="stable")
        if self.measure == "harm":
            t["value"] = t["value"].round(0)  # harm in whole days, no spurious decimals
        return t.rename(columns={"value": self.measure}).reset_index(drop=True)

    def total(self) -> float:
        return float(self.areas()["value"].sum())


class TGPDeriveState(param.Parameterized):
    """Re-derive the TGP layer with chosen parameters and window
    (:func:`planner.hotspots.tgps.derive_tgps`), with its coverage
    (:func:`planner.hotspots.coverage.coverage_report`) over the same crimes."""

    data = param.ClassSelector(class_=AppData, constant=True)
    start = param.Selector(default=None, objects=[], doc="First month of the window (YYYY-MM).")
    end = param.Selector(default=None, objects=[], doc="Last month of the window (YYYY-MM).")
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
        return self.start, self.end

    def crimes(self):
        """The TGP offence types' crimes of the window (shared; PlannerError if it is reversed)."""
        return self.data.tgp_crimes(self.start, self.end)

    def config(self):
        """The :class:`~planner.hotspots.config.TGPConfig` of the current parameters."""
        return _tgp_config(self.area_share, self.count, self.radius, self.min_separation)

    def derive(self):
        """The :class:`~planner.hotspots.tgps.TGPDerivation` for the current parameters (the
        last one is kept)."""
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
        """Force and per-LPA coverage of the derived layer over the window's crimes (shares in %)."""
        from planner.hotspots.coverage import coverage_report

        geo = self.data.geography
        rep = coverage_report(self.derive().tgps, self.crimes(), geo.force, geo)
        return rep.table().round(2)

    def geojson(self) -> str:
        """The derived layer as GeoJSON (EPSG:4326)."""
        return gpd.GeoDataFrame(self.derive().tgps).to_crs(4326).to_json()

    def geopackage(self) -> bytes:
        """The derived layer as a GeoPackage (layer ``tgps``, EPSG:27700)."""
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "tgps.gpkg"
            gpd.GeoDataFrame(self.derive().tgps).to_file(path, layer="tgps", driver="GPKG")
            return path.read_bytes()


class CrimeDrillState(DrillState):
    """Crime count/harm by LPA -> neighbourhood -> ward, following a :class:`MapState`'s filters."""

    map = param.ClassSelector(class_=MapState, constant=True)
    levels = ("LPA", "neighbourhood", "ward")

    def frame_for(self, path: list[str]) -> pd.DataFrame:
        m = self.map
        s, e = m.period
        if not path:
            a = m.data.area_totals("LPAs", s, e, m.crime_types, m.measure)
            return pd.DataFrame({"key": a["lpa"], "label": a["lpa"], "value": a["value"]})
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

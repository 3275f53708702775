"""App state: ``param.Parameterized`` classes with no Panel import (testable without a browser).

Each page has one state object; the views (``planner.app.views``) build widgets from its
parameters and redraw when they change. States read the shared :class:`~planner.app.data.AppData`
and call library functions; they hold no analysis logic of their own.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import param

from planner.app.data import LEVELS, MEASURES, AppData
from planner.schema import CRIME_TYPES

ALL_LPAS = "All LPAs"
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
        where = "West Midlands" if self.lpa == ALL_LPAS else self.lpa
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
    area_share = param.Number(
        default=0.022, bounds=(0.001, 0.2), doc="Share of the force area the TGPs cover."
    )
    count = param.Integer(default=84, bounds=(1, 400), doc="Number of TGPs.")
    radius = param.Number(default=150.0, bounds=(25.0, 1000.0), doc="Disc radius (m).")
    min_separation = param.Number(
        default=500.0, bounds=(0.0, 5000.0), doc="Minimum distance between TGP centres (m)."
    )

    def __init__(self, data: AppData, **params):
        window = {k: params.pop(k) for k in ("start", "end") if k in params}
        super().__init__(data=data, **params)
        months = data.crimes.months
        self.param.start.objects = months
        self.param.end.objects = months
        start, end = data.tgp_default_window()
        self.start = window.get("start", start)
        self.end = window.get("end", end)

    @property
    def window(self) -> tuple[str, str]:
        return self.start, self.end

    def crimes(self):
        """The TGP offence types' crimes of the window (shared; PlannerError if it is reversed)."""
        return self.data.tgp_crimes(self.start, self.end)

    def config(self):
        from planner.hotspots.config import TGPConfig

        d = TGPConfig()
        return TGPConfig(
            area_share=self.area_share,
            n_total=self.count,
            n_violent=min(d.n_violent, self.count),
            radius=self.radius,
            min_separation=self.min_separation,
        )

    def derive(self):
        """The :class:`~planner.hotspots.tgps.TGPDerivation` for the current parameters (kept)."""
        key = (self.start, self.end, self.area_share, self.count, self.radius, self.min_separation)
        memo = self.__dict__.setdefault("_derived", {})
        if key not in memo:
            from planner.hotspots.tgps import derive_tgps

            geo = self.data.geography
            crimes = self.crimes()
            memo.clear()
            memo[key] = derive_tgps(crimes, geo.study_area, geo, self.config())
        return memo[key]

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


class DrillState(param.Parameterized):
    """Click-to-drill-down over a hierarchy (e.g. LPA -> neighbourhood -> ward, LPA -> team -> officer).

    ``path`` holds the keys chosen so far, top level first. Subclasses implement
    :meth:`frame_for` returning ``key, label, value`` rows for the level below ``path``.
    """

    path = param.List(default=[], doc="Keys chosen so far, top level first.")
    version = param.Integer(default=0, doc="Bumped when the underlying data or filters change.")
    levels: tuple[str, ...] = ()

    def frame_for(self, path: list[str]) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def level(self) -> str:
        return self.levels[len(self.path)]

    @property
    def can_drill(self) -> bool:
        return len(self.path) < len(self.levels) - 1

    def frame(self) -> pd.DataFrame:
        """Rows of the current level, highest value first."""
        f = self.frame_for(list(self.path))
        return f.sort_values(
            ["value", "label"], ascending=[False, True], kind="stable"
        ).reset_index(drop=True)

    def drill(self, key: str) -> bool:
        """Go one level down into ``key`` (a key of the current frame); False at the bottom."""
        if not self.can_drill:
            return False
        if key not in set(self.frame()["key"]):
            raise ValueError(f"'{key}' is not an item of the current level ({self.level})")
        self.path = [*self.path, key]
        return True

    def drill_label(self, label: str) -> bool:
        """Like :meth:`drill` with the displayed label (what a click on a bar gives)."""
        f = self.frame()
        hit = f.loc[f["label"] == label, "key"]
        return self.drill(str(hit.iloc[0])) if len(hit) else False

    def up(self) -> None:
        """Go one level up (no-op at the top)."""
        if self.path:
            self.path = self.path[:-1]

    def breadcrumb(self) -> str:
        return " > ".join(["All", *self.path])


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


#: reporting periods offered on the Neighbourhoods page (words planner.records understands)
RECORD_PERIODS: tuple[str, ...] = ("last 28 days", "last 90 days", "FY2025", "FY2024")
RECORD_MEASURES: tuple[str, ...] = ("engagements", "abstraction hours")
#: drill-down frames kept per session before the memo is emptied
MEMO_SIZE = 64


class RecordsState(param.Parameterized):
    """Neighbourhoods dashboards over the records store (``planner.records``)."""

    data = param.ClassSelector(class_=AppData, constant=True)
    period = param.Selector(default=RECORD_PERIODS[1], objects=list(RECORD_PERIODS))
    measure = param.Selector(default=RECORD_MEASURES[0], objects=list(RECORD_MEASURES))
    perspective = param.Selector(
        default="abstracted",
        objects=["abstracted", "authorising"],
        doc="Abstractions counted against the officer taken off their area, or the authoriser.",
    )
    version = param.Integer(default=0, doc="Bumped after a record is saved.")

    def __init__(self, data: AppData, store, **params):
        super().__init__(data=data, **params)
        self.store = store

    @property
    def today(self):
        return self.data.ws.today

    def counts(self, path: list[str]) -> pd.DataFrame:
        """key, label, value at the drill level below ``path`` (LPA -> team -> officer).

        Memoised per filters, path and :attr:`version` (a saved record bumps the version).
        """
        key = (self.period, self.measure, self.perspective, self.version, tuple(path))
        memo = self.__dict__.setdefault("_memo", {})
        if key not in memo:
            if len(memo) > MEMO_SIZE:
                memo.clear()
            memo[key] = self._counts(path)
        return memo[key]

    def _counts(self, path: list[str]) -> pd.DataFrame:
        from planner.records import analytics as ra

        level = ("lpa", "team", "officer")[len(path)]
        key = {"lpa": "lpa", "team": "team_id", "officer": "officer_id"}[level]
        lpa = path[0] if path else None
        team = path[1] if len(path) > 1 else None
        if self.measure == "engagements":
            c = ra.engagement_counts(
                self.store, self.period, level=level, lpa=lpa, team_id=team, today=self.today
            )
            val = c["engagements"].astype(float)
        else:
            c = ra.abstraction_summary(
                self.store, self.period, by=level, perspective=self.perspective, today=self.today
            )
            if lpa is not None:
                c = c[c["lpa"] == lpa]
            if team is not None:
                c = c[c["team_id"] == team]
            val = c["hours"].astype(float)
        keys = c[key].astype(object).where(c[key].notna(), "(none)").astype(str)
        labels = keys.map(self._names(level)).fillna(keys) if level != "lpa" else keys
        return pd.DataFrame(
            {"key": keys.to_numpy(), "label": labels.to_numpy(), "value": val.to_numpy()}
        )

    def _names(self, level: str) -> dict[str, str]:
        """Display names: team name, or "Name (officer_id)"."""
        if level == "team" and self.data.teams is not None:
            t = self.data.teams
            return dict(zip(t["team_id"].astype(str), t["name"].astype(str)))
        if level == "officer" and self.data.officers is not None:
            o = self.data.officers
            return dict(
                zip(
                    o["officer_id"].astype(str),
                    o["name"].astype(str) + " (" + o["officer_id"].astype(str) + ")",
                )
            )
        return {}

    def total(self) -> float:
        return float(self.counts([])["value"].sum())

    def vacancies(self) -> pd.DataFrame:
        from planner.records import analytics as ra

        return ra.dno_vacancies(self.store, self.today)

    # ---- tenure and vacancies (planner.records.analytics) -----------------------------------
    @property
    def tenure_baseline(self):
        """The annual review's baseline: a year before today."""
        return (pd.Timestamp(self.today) - pd.DateOffset(years=1)).date()

    def short_tenures(self) -> pd.DataFrame:
        """DNOs in post today for less than two years in their ward."""
        from planner.records import analytics as ra

        cols = ["officer_id", "name", "ward_code", "team_id", "start", "tenure_years"]
        t = ra.short_tenures(self.store, self.today)
        t = pd.DataFrame(t[cols])
        return t.assign(tenure_years=t["tenure_years"].round(2))

    def missing_handovers(self) -> pd.DataFrame:
        """DNO postings in the last year that began without a handover."""
        from planner.records import analytics as ra

        return ra.missing_handovers(self.store, since=self.tenure_baseline, on=self.today)

    def tenure_comparison(self) -> pd.DataFrame:
        """Per ward, DNOs and PCSOs in post a year ago against today (wards that lost one first)."""
        from planner.records import analytics as ra

        t = ra.tenure_comparison(self.store, self.tenure_baseline, self.today)
        t = t.drop(columns=["officers_baseline", "officers_now"], errors="ignore")
        return t.sort_values(["same_or_more", "ward_code"], kind="stable").reset_index(drop=True)

    def npp1_completion(self) -> pd.DataFrame:
        """Share of neighbourhood officers in post today with NPP1 training, per LPA."""
        from planner.records import analytics as ra

        return ra.npp1_completion(self.store, on=self.today, by="lpa").round(3)

    def save_abstraction(self, **fields) -> str:
        """Validate and store one abstraction via :func:`planner.records.forms.record_abstraction`."""
        from planner.records.forms import record_abstraction

        rid = record_abstraction(self.store, source="app", **fields)
        self.version += 1
        return rid

    def save_engagement(self, **fields) -> str:
        """Validate and store one engagement via :func:`planner.records.record_engagement`."""
        from planner.records import record_engagement

        rid = record_engagement(self.store, source="app", **fields)
        self.version += 1
        return rid


class RecordsDrillState(DrillState):
    """LPA -> team -> officer drill-down of engagements or abstraction hours."""

    records = param.ClassSelector(class_=RecordsState, constant=True)
    levels = ("LPA", "team", "officer")

    def frame_for(self, path: list[str]) -> pd.DataFrame:
        return self.records.counts(path)

    @param.depends(
        "records.period", "records.measure", "records.perspective", "records.version", watch=True
    )
    def _filters_changed(self):
        self.version += 1


class DeliveryState(param.Parameterized):
    """Coverage and delivery for an LPA inspector: planned against tracked hours per TGP."""

    data = param.ClassSelector(class_=AppData, constant=True)
    lpa = param.Selector(default=ALL_LPAS, objects=[ALL_LPAS])

    month = param.Selector(
        default=None, objects=[], doc="Month of the visibility figures (YYYY-MM, duty data)."
    )
    tgp = param.Selector(
        default=None, objects=[], doc="TGP whose hours, visits and harm trend are shown."
    )

    def __init__(self, data: AppData, **params):
        lpa = params.pop("lpa", ALL_LPAS)
        chosen = {k: params.pop(k) for k in ("month", "tgp") if k in params}
        super().__init__(data=data, **params)
        self.param.lpa.objects = [ALL_LPAS, *data.lpa_names()]
        self.lpa = lpa
        months = data.duty_months()
        self.param.month.objects = months
        self.month = chosen.get("month", months[-1] if months else None)
        tgps = sorted(self.all_tgps()["tgp_id"].astype(str))
        self.param.tgp.objects = tgps
        mine = sorted(self.per_tgp()["tgp_id"].astype(str))
        self.tgp = chosen.get("tgp", mine[0] if mine else (tgps[0] if tgps else None))

    # ---- visibility (planner.tracking.visibility) -------------------------------------------
    @param.depends("month")
    def visibility(self):
        """:func:`planner.tracking.visibility.workspace_visibility` for the month (or None)."""
        return None if self.month is None else self.data.visibility(self.month)

    @param.depends("month")
    def visibility_by_lpa(self) -> pd.DataFrame | None:
        r = self.visibility()
        return None if r is None else _visibility_table(r.by_lpa, "lpa")

    @param.depends("month", "lpa")
    def visibility_by_team(self) -> pd.DataFrame | None:
        """The selected LPA's teams (all teams for the force) with the gap explained."""
        r = self.visibility()
        if r is None:
            return None
        t = r.by_team
        if self.data.teams is not None:
            lpa_of = self.data.teams.set_index("team_id")["lpa"]
            t = t.assign(lpa=t["team_id"].map(lpa_of))
            if self.lpa != ALL_LPAS:
                t = t[t["lpa"] == self.lpa]
        return _visibility_table(t, "team_id")

    # ---- one TGP ---------------------------------------------------------------------------------
    def select_tgp(self, index: int) -> None:
        """Select the TGP at row ``index`` of :meth:`per_tgp` (what a map tap gives)."""
        self.tgp = str(self.per_tgp()["tgp_id"].iloc[index])

    @param.depends("tgp")
    def tgp_summary(self) -> dict:
        """Planned and delivered hours and visits of the selected TGP up to today."""
        row = self.all_tgps().set_index("tgp_id").loc[self.tgp]
        today = pd.Timestamp(self.data.ws.today)
        plan = self.data.table("plan_visits")
        planned_visits = int(
            ((plan["tgp_id"] == self.tgp) & (pd.to_datetime(plan["date"]) <= today)).sum()
        )
        table = "delivered_place_days" if self.data.has("delivered_place_days") else "place_days"
        pdays = self.data.table(table)
        mine = pdays[(pdays["tgp_id"] == self.tgp) & (pd.to_datetime(pdays["date"]) <= today)]
        return {
            "tgp_id": self.tgp,
            "lpa": str(row["lpa"]),
            "driver": str(row["driver"]),
            "planned_hours": round(float(row["planned_hours"]), 1),
            "delivered_hours": round(float(row["delivered_hours"]), 1),
            "delivered_pct": None if pd.isna(row["delivered_pct"]) else float(row["delivered_pct"]),
            "planned_visits": planned_visits,
            "delivered_visits": int(mine["visits"].sum()) if "visits" in mine else None,
        }

    @param.depends("tgp")
    def tgp_harm_trend(self) -> pd.DataFrame:
        """Crimes and harm per month inside the selected TGP, up to the workspace's today."""
        t = self.data.tgp_monthly(self.tgp)
        return t[t["month"] <= f"{self.data.ws.today:%Y-%m}"].reset_index(drop=True)

    @param.depends("lpa", watch=True)
    def _tgp_in_lpa(self):
        ids = list(self.per_tgp()["tgp_id"].astype(str))
        if ids and self.tgp not in ids:
            self.tgp = sorted(ids)[0]

    @param.depends("lpa")
    def per_tgp(self) -> gpd.GeoDataFrame:
        """The selected LPA's rows of :meth:`all_tgps`."""
        out = self.all_tgps()
        if self.lpa != ALL_LPAS:
            out = out[out["lpa"] == self.lpa]
        return out.reset_index(drop=True)

    def report(self):
        """:func:`planner.tracking.delivery.delivery_report` up to the workspace's today, or None
        when the workspace has no per-method ``delivered_place_days`` table."""
        if not self.data.has("delivered_place_days"):
            return None
        return self.data.delivery_report()

    def all_tgps(self) -> gpd.GeoDataFrame:
        """TGPs (EPSG:3857) with planned and delivered (tracked presence) hours to today.

        From :meth:`report` when available; otherwise planned hours from
        :func:`planner.tracking.delivery.planned_place_days` and delivered hours from the
        tracked presence minutes in ``place_days`` (all methods).
        """
        if getattr(self, "_all", None) is not None:
            return self._all
        tg = self.data.layer("tgps")
        out = tg[["tgp_id", "driver", "lpa", "geometry"]].copy()
        rep = self.report()
        if rep is not None:
            by = rep.by["tgp_id"].set_index("tgp_id")
            planned, delivered = by["planned_hours"], by["delivered_hours"]
        else:
            from planner.tracking.delivery import planned_place_days

            today = pd.Timestamp(self.data.ws.today)
            plan = self.data.table("plan_visits")
            plan = plan[pd.to_datetime(plan["date"]) <= today]
            planned = planned_place_days(plan).groupby("tgp_id")["planned_minutes"].sum() / 60.0
            pdays = self.data.table("place_days")
            pdays = pdays[pd.to_datetime(pdays["date"]) <= today]
            delivered = pdays.groupby("tgp_id")["presence_minutes"].sum() / 60.0
        out["planned_hours"] = out["tgp_id"].map(planned).fillna(0.0).to_numpy()
        out["delivered_hours"] = out["tgp_id"].map(delivered).fillna(0.0).to_numpy()
        ratio = out["delivered_hours"] / out["planned_hours"].where(out["planned_hours"] > 0)
        out["delivered_pct"] = (100 * ratio).round(1)
        self._all = out.reset_index(drop=True)
        return self._all

    def by_method(self) -> pd.DataFrame | None:
        rep = self.report()
        if rep is None:
            return None
        cols = ["method", "planned_hours", "delivered_hours", "delivery_rate"]
        return rep.by["method"][cols].round(2)

    def place_day_share(self) -> pd.DataFrame | None:
        rep = self.report()
        return None if rep is None else rep.place_days.round(3)

    def trajectory(self):
        """The year's cumulative delivery against the pro-rata annual target (or None)."""
        rep = self.report()
        return None if rep is None else rep.trajectory

    def table(self) -> pd.DataFrame:
        t = pd.DataFrame(self.per_tgp().drop(columns="geometry"))
        return t.sort_values("delivered_pct", kind="stable").round(1).reset_index(drop=True)

    def by_lpa(self) -> pd.DataFrame:
        t = pd.DataFrame(self.per_tgp().drop(columns="geometry"))
        g = t.groupby("lpa")[["planned_hours", "delivered_hours"]].sum()
        g["delivered_pct"] = (100 * g["delivered_hours"] / g["planned_hours"]).round(1)
        return g.round(1).reset_index()


#: visibility columns shown (hours, the community share and what explains the gap)
VISIBILITY_COLUMNS: tuple[str, ...] = (
    "officers",
    "duty_hours",
    "community_hours",
    "community_share",
    "custody_hours",
    "investigation_hours",
    "station_hours",
    "custody_share_of_gap",
    "investigation_share_of_gap",
    "station_share_of_gap",
)


def _visibility_table(t: pd.DataFrame, key: str) -> pd.DataFrame:
    cols = [key, *(["lpa"] if key != "lpa" and "lpa" in t.columns else []), *VISIBILITY_COLUMNS]
    out = pd.DataFrame(t[cols]).sort_values("community_share", kind="stable")
    return out.round(3).reset_index(drop=True)


#: longest Op Servator plan the page draws (days)
SERVATOR_MAX_DAYS = 92


class AdvanceState(param.Parameterized):
    """Op Advance: an LPA's recent-against-baseline briefing (``planner.hotspots.advance``)."""

    data = param.ClassSelector(class_=AppData, constant=True)
    lpa = param.Selector(default=None, objects=[])
    as_of = param.String(
        default="", doc="Briefing date (YYYY-MM-DD); default the workspace's today."
    )

    def __init__(self, data: AppData, **params):
        super().__init__(data=data, **params)
        self.param.lpa.objects = data.lpa_names()
        if self.lpa is None:
            self.lpa = self.param.lpa.objects[0]
        if not self.as_of:
            self.as_of = str(data.ws.today)

    @param.depends("lpa", "as_of")
    def briefing(self):
        return self.data.advance(self.lpa, self.as_of)

"""State of the Coverage and delivery page (no Panel import).

State of the Coverage and delivery page (no Panel import): planned against tracked hours
per TGP, visibility and the year's trajectory.
"""

from __future__ import annotations

import functools
from typing import cast

import geopandas as gpd
import pandas as pd
import param

from planner.app.data import AppData
from planner.app.state.common import ALL_LPAS, Scoped, ScopedLPA, scope_lpas


class DeliveryState(Scoped):
    """Coverage and delivery for an LPA inspector: planned against tracked hours per TGP.

    With a ``principal`` the TGPs, teams and visibility rows are those of its LPAs (per-LPA
    and per-method figures stay as aggregates), and an LPA or TGP outside them is refused.
    """

    data = cast("param.ClassSelector[AppData]", param.ClassSelector(class_=AppData, constant=True))
    lpa: param.Selector[str] = ScopedLPA(default=ALL_LPAS, objects=[ALL_LPAS])

    month: param.Selector[str | None] = param.Selector(
        default=None, objects=[], doc="Month of the visibility figures (YYYY-MM, duty data)."
    )
    tgp: param.Selector[str | None] = param.Selector(
        default=None, objects=[], doc="TGP whose hours, visits and harm trend are shown."
    )

    def __init__(self, data: AppData, **params):
        lpa = params.pop("lpa", None)
        chosen = {k: params.pop(k) for k in ("month", "tgp") if k in params}
        super().__init__(data=data, **params)
        scope_lpas(self, self.principal, data.lpa_names(), chosen=lpa)
        months = data.duty_months()
        self.param.month.objects = months
        self.month = chosen.get("month", months[-1] if months else None)
        tgps = sorted(self.all_tgps()["tgp_id"].astype(str))
        self.param.tgp.objects = tgps
        self.param.tgp.check_on_set = True  # a TGP outside the scope's is refused
        mine = sorted(self.per_tgp()["tgp_id"].astype(str))
        self.tgp = chosen.get("tgp", mine[0] if mine else (tgps[0] if tgps else None))

    # ---- visibility (planner.tracking.visibility) -------------------------------------------
    @param.depends("month")
    def visibility(self):
        """:func:`planner.tracking.visibility.workspace_visibility` for the month (or None).

        Returns
        -------
        VisibilityReport or None
            The month's visibility (None when no month is selected).
        """
        return None if self.month is None else self.data.visibility(self.month)

    @param.depends("month")
    def visibility_by_lpa(self) -> pd.DataFrame | None:
        """Visibility per LPA for the month, with the gap explained.

        Returns
        -------
        pandas.DataFrame or None
            One row per LPA (None when no month is selected).
        """
        r = self.visibility()
        return None if r is None else _visibility_table(r.by_lpa, "lpa")

    @param.depends("month", "lpa")
    def visibility_by_team(self) -> pd.DataFrame | None:
        """The selected LPA's teams (all teams for the force) with the gap explained.

        Returns
        -------
        pandas.DataFrame or None
            One row per team (None when no month is selected).
        """
        r = self.visibility()
        if r is None:
            return None
        t = r.by_team
        p = self.principal
        if self.data.teams is not None:
            lpa_of = self.data.teams.set_index("team_id")["lpa"]
            t = t.assign(lpa=t["team_id"].map(lpa_of))
            if self.lpa != ALL_LPAS:
                t = t[t["lpa"] == self.lpa]
            t = self.rows(t)
        elif p is not None and not p.all_lpas:
            t = t.iloc[0:0]  # teams cannot be placed in an LPA: none shown
        return _visibility_table(t, "team_id")

    # ---- one TGP ---------------------------------------------------------------------------------
    def select_tgp(self, index: int) -> None:
        """Select the TGP at row ``index`` of :meth:`per_tgp` (what a map tap gives).

        Parameters
        ----------
        index : int
            Row position in :meth:`per_tgp`.
        """
        self.tgp = str(self.per_tgp()["tgp_id"].iloc[index])

    @param.depends("tgp")
    def tgp_summary(self) -> dict:
        """Planned and delivered hours and visits of the selected TGP up to today.

        Returns
        -------
        dict
            ``tgp_id, lpa, driver``, planned and delivered hours and visits.
        """
        from planner.tracking.tgp_delivery import tgp_visits

        row = self.all_tgps().set_index("tgp_id").loc[self.tgp]
        table = "delivered_place_days" if self.data.has("delivered_place_days") else "place_days"
        planned_visits, delivered_visits = tgp_visits(
            self.tgp, self.data.table("plan_visits"), self.data.table(table), self.data.ws.today
        )
        return {
            "tgp_id": self.tgp,
            "lpa": str(row["lpa"]),
            "driver": str(row["driver"]),
            "planned_hours": round(float(row["planned_hours"]), 1),
            "delivered_hours": round(float(row["delivered_hours"]), 1),
            "delivered_pct": None if pd.isna(row["delivered_pct"]) else float(row["delivered_pct"]),
            "planned_visits": planned_visits,
            "delivered_visits": delivered_visits,
        }

    @param.depends("tgp")
    def tgp_harm_trend(self) -> pd.DataFrame:
        """Crimes and harm per month inside the selected TGP, up to the workspace's today.

        Returns
        -------
        pandas.DataFrame
            ``month, crimes, harm``.
        """
        t = self.data.tgp_monthly(self.tgp)
        return t[t["month"] <= f"{self.data.ws.today:%Y-%m}"].reset_index(drop=True)

    @param.depends("lpa", watch=True)
    def _tgp_in_lpa(self):
        ids = list(self.per_tgp()["tgp_id"].astype(str))
        if ids and self.tgp not in ids:
            self.tgp = sorted(ids)[0]

    @param.depends("lpa")
    def per_tgp(self) -> gpd.GeoDataFrame:
        """The selected LPA's rows of :meth:`all_tgps`.

        Returns
        -------
        geopandas.GeoDataFrame
            The TGPs of the selected LPA (all for the force).
        """
        out = self.all_tgps()
        if self.lpa != ALL_LPAS:
            out = out[out["lpa"] == self.lpa]
        return out.reset_index(drop=True)

    def report(self):
        """:func:`planner.tracking.delivery.delivery_report` up to the workspace's today.

        :func:`planner.tracking.delivery.delivery_report` up to the workspace's today, or None
        when the workspace has no per-method ``delivered_place_days`` table.

        Returns
        -------
        DeliveryReport or None
            None when the workspace has no per-method ``delivered_place_days`` table.
        """
        if not self.data.has("delivered_place_days"):
            return None
        return self.data.delivery_report()

    def all_tgps(self) -> gpd.GeoDataFrame:
        """TGPs (EPSG:3857) with planned and delivered (tracked presence) hours to today.

        From :meth:`report` when available; otherwise planned hours from
        :func:`planner.tracking.delivery.planned_place_days` and delivered hours from the
        tracked presence minutes in ``place_days`` (all methods).

        Returns
        -------
        geopandas.GeoDataFrame
            One row per TGP (computed once per state).
        """
        return self.rows(self._all_tgps).reset_index(drop=True)

    @functools.cached_property
    def _all_tgps(self) -> gpd.GeoDataFrame:
        from planner.tracking.tgp_delivery import tgp_delivery

        tg = self.data.layer("tgps")[["tgp_id", "driver", "lpa", "geometry"]]
        rep = self.report()
        if rep is not None:
            return tgp_delivery(tg, report=rep)
        return tgp_delivery(
            tg, self.data.table("plan_visits"), self.data.table("place_days"), self.data.ws.today
        )

    def by_method(self) -> pd.DataFrame | None:
        """Planned and delivered hours and the delivery rate per method.

        Returns
        -------
        pandas.DataFrame or None
            One row per method (None without a delivery report).
        """
        rep = self.report()
        if rep is None:
            return None
        cols = ["method", "planned_hours", "delivered_hours", "delivery_rate"]
        return rep.by["method"][cols].round(2)

    def place_day_share(self) -> pd.DataFrame | None:
        """Share of place-days delivered, per method (the delivery report's table).

        Returns
        -------
        pandas.DataFrame or None
            None without a delivery report.
        """
        rep = self.report()
        return None if rep is None else rep.place_days.round(3)

    def trajectory(self):
        """The year's cumulative delivery against the pro-rata annual target (or None).

        Returns
        -------
        pandas.DataFrame or None
            The cumulative trajectory (None without a delivery report).
        """
        rep = self.report()
        return None if rep is None else rep.trajectory

    def table(self) -> pd.DataFrame:
        """The selected LPA's TGPs as a table, least delivered first.

        Returns
        -------
        pandas.DataFrame
            Rows of :meth:`per_tgp` without geometry, rounded.
        """
        t = pd.DataFrame(self.per_tgp().drop(columns="geometry"))
        return t.sort_values("delivered_pct", kind="stable").round(1).reset_index(drop=True)

    def by_lpa(self) -> pd.DataFrame:
        """Planned against delivered hours per LPA (:func:`planner.tracking.tgp_delivery.lpa_delivery`).

        Returns
        -------
        pandas.DataFrame
            One row per LPA.
        """
        from planner.tracking.tgp_delivery import lpa_delivery

        return lpa_delivery(pd.DataFrame(self.per_tgp().drop(columns="geometry")))


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

"""Calls for service and the force's own ASB areas on the Hotspots page (issue 19 items 3, 9).

A mixin of :class:`planner.app.state.hotspots.MapState`:

* the calls for service of the map's period and LPA, as points for a datashaded layer of the
  map (the workspace's ``calls`` table, imported with ``planner import calls``);
* per TGP of the LPA, the calls it holds over the period (:func:`planner.hotspots.demand.
  calls_held`, as ``planner tgps --demand calls`` reports them), and the share of the LPA's
  calls the TGPs hold;
* the overlap of the force's own ASB patrol areas (``planner import tgps --asb``) with the
  violent TGPs, as the paper reports it (:func:`planner.hotspots.asb.asb_overlap`).

A principal sees only the calls and TGPs of their LPAs (the rows are cut here, on the server).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from planner.hotspots.demand import calls_held

#: columns of :meth:`DemandLayers.calls_by_tgp`
CALLS_BY_TGP = ["tgp_id", "lpa", "kind", "calls", "share_of_lpa_calls"]
#: columns of :meth:`DemandLayers.asb_overlap_table`
ASB_OVERLAP = ["tgp_id", "lpa", "asb_areas", "overlap_share"]


class DemandLayers:
    """Calls for service and ASB-area overlap for the map's period and LPA (counts only).

    Reads :class:`~planner.app.state.hotspots.MapState`'s ``data``, ``period``, ``lpa_filter``
    and ``principal``.
    """

    def _lpas_in_view(self) -> list[str] | None:
        """The LPAs shown: the chosen one, else the principal's (None: the whole force)."""
        s: Any = self
        if s.lpa_filter:
            return [s.lpa_filter]
        p = s.principal
        return None if p is None or p.all_lpas else list(p.lpas)

    def has_calls(self) -> bool:
        """Whether the workspace has calls for service.

        Returns
        -------
        bool
            True when its ``calls`` table is there.
        """
        s: Any = self
        return s.data.calls is not None

    def calls(self) -> gpd.GeoDataFrame:
        """The calls of the period in the LPAs shown (empty without a ``calls`` table).

        Returns
        -------
        geopandas.GeoDataFrame
            The calls (EPSG:27700) with ``month``, ``mx, my`` (EPSG:3857) and ``lpa``.
        """
        c = self._period_calls()
        if c is None:
            return gpd.GeoDataFrame({"month": [], "mx": [], "my": [], "lpa": []}, geometry=[])
        lpas = self._lpas_in_view()
        return c if lpas is None else c[c["lpa"].isin(lpas)]

    def _period_calls(self) -> gpd.GeoDataFrame | None:
        """Every call of the period, any LPA (their local month is held with the calls)."""
        s: Any = self
        c = s.data.calls
        if c is None:
            return None
        start, end = s.period
        return c[(c["month"] >= start) & (c["month"] <= end)]

    def calls_points(self) -> pd.DataFrame:
        """The period's calls in view as map points (``x, y`` in EPSG:3857).

        Returns
        -------
        pandas.DataFrame
            One row per call.
        """
        c = self.calls()
        return pd.DataFrame({"x": c["mx"].to_numpy(float), "y": c["my"].to_numpy(float)})

    def _tgps_in_view(self) -> gpd.GeoDataFrame | None:
        s: Any = self
        if not s.data.has("tgps"):
            return None
        t = s.data.tgps_bng
        lpas = self._lpas_in_view()
        return t if lpas is None else t[t["lpa"].isin(lpas)]

    def calls_by_tgp(self) -> pd.DataFrame | None:
        """Calls for service held by each TGP in view over the period, most first.

        Returns
        -------
        pandas.DataFrame or None
            :data:`CALLS_BY_TGP` (the share: of the calls in the LPAs shown); None without calls
            or a TGP layer.
        """
        s: Any = self
        t = self._tgps_in_view()
        if s.data.calls is None or t is None:
            return None
        # all the period's calls: a TGP may reach over its LPA's display outline
        held = calls_held(t, self._period_calls()).by_tgp
        n = len(self.calls())
        out = t[["tgp_id", "lpa", "kind"]].astype(str).reset_index(drop=True)
        out["calls"] = held["calls"].to_numpy()
        out["share_of_lpa_calls"] = (out["calls"] / n).round(4) if n else 0.0
        return out.sort_values(["calls", "tgp_id"], ascending=[False, True], kind="stable")[
            CALLS_BY_TGP
        ].reset_index(drop=True)

    def calls_line(self) -> str:
        """One sentence: calls in view, how many the TGPs hold (a call in two TGPs once).

        Returns
        -------
        str
            The sentence, or why there is none.
        """
        s: Any = self
        if s.data.calls is None:
            return (
                "This workspace has no calls for service (load them with "
                "`planner import calls CALLS.csv --workspace DIR`)."
            )
        c = self.calls()
        start, end = s.period
        where = ", ".join(self._lpas_in_view() or [s.data.force_name])
        t = self._tgps_in_view()
        held = calls_held(t, c).summary["calls_in_tgps"] if t is not None and len(c) else 0
        share = f" ({100 * held / len(c):.1f}%)" if len(c) else ""
        synth = " (SYNTHETIC)" if s.data.is_synthetic("calls") else ""
        return (
            f"{len(c):,} calls for service in {where}, {start} to {end}{synth}; "
            f"the TGPs hold {held:,}{share}."
        )

    def asb_overlap_table(self) -> tuple[pd.DataFrame, str] | None:
        """The force's own ASB areas against the violent TGPs in view.

        Returns
        -------
        tuple of (pandas.DataFrame, str) or None
            Per violent TGP (:data:`ASB_OVERLAP`, most overlapped first) and the paper's
            sentence; None when the layer holds no ASB areas of the force's own.
        """
        from planner.hotspots.asb import asb_overlap
        from planner.ownforce.asb import force_asb_areas

        t = self._tgps_in_view()
        if t is None:
            return None
        own = force_asb_areas(t)
        if len(own) == 0:
            return None
        violent = t[t["kind"].astype(str) == "violent"]
        rep = asb_overlap(own, violent)
        by = rep.by_tgp.merge(violent[["tgp_id", "lpa"]].astype(str), on="tgp_id", how="left")
        by["overlap_share"] = by["overlap_share"].round(4)
        by = by.sort_values(["overlap_share", "tgp_id"], ascending=[False, True], kind="stable")
        return by[ASB_OVERLAP].reset_index(drop=True), rep.text()

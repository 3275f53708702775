"""The workspace tables of :class:`planner.app.data.AppData`: plans, delivery, briefings, people.

Each is computed once per workspace and shared by every session. No Panel import here.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from planner.errors import PlannerError
from planner.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Callable

    import geopandas as gpd


class WorkspaceTables:
    """Registered tables and what is computed from them (mixed into ``AppData``).

    Expects ``ws``, ``has``, ``layer`` and the per-instance caches ``_tables``, ``_advance``,
    ``_advance_done`` and ``_visibility`` on the instance.
    """

    if TYPE_CHECKING:  # set by AppData.__init__ or defined by AppData's other bases
        ws: Workspace
        _tables: Callable[[str], pd.DataFrame]
        _advance: Callable[[str, str], Any]
        _advance_done: set[tuple[str, str]]
        _visibility: Callable[[str], Any]

        def has(self, table: str) -> bool:
            """See :class:`planner.app.data.AppData`."""

        def layer(self, name: str) -> gpd.GeoDataFrame:
            """See :class:`planner.app.data.AppData`."""

    def table(self, name: str) -> pd.DataFrame:
        """A registered workspace table, read once and shared (treat it as read-only).

        Parameters
        ----------
        name : str
            The table's name in the workspace.

        Returns
        -------
        pandas.DataFrame
            The table.
        """
        return self._tables(name)

    def advance(self, lpa: str, as_of: str):
        """The Op Advance briefing for an LPA and date, computed once and kept.

        A failure is kept too, and raised again, so that a bad date is not recomputed on every
        redraw.

        Parameters
        ----------
        lpa : str
            The LPA's name.
        as_of : str or datetime.date
            The briefing's date.

        Returns
        -------
        object
            :func:`planner.hotspots.advance.workspace_briefing` of the workspace.

        Raises
        ------
        PlannerError
            When the briefing cannot be computed (kept and raised on every call).
        """
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
        """Whether :meth:`advance` for this LPA and date has been computed (or has failed).

        Parameters
        ----------
        lpa : str
            The LPA's name.
        as_of : str or datetime.date
            The briefing's date.

        Returns
        -------
        bool
            True once the briefing (or its failure) is kept.
        """
        return (lpa, str(as_of)) in self._advance_done

    def delivery_report(self):
        """The workspace plan's delivery, computed once for every session.

        Returns
        -------
        object
            :func:`planner.tracking.delivery.delivery_report` of ``plan_visits`` and the
            per-method ``delivered_place_days`` up to the workspace's today.
        """
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
        """Months covered by the ``duty_periods`` table.

        Returns
        -------
        list of str
            Months (YYYY-MM) in order; [] when there is no such table or it is empty.
        """
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
        """Officer visibility of one month, kept for every session.

        Parameters
        ----------
        month : str
            The month (YYYY-MM).

        Returns
        -------
        object
            :func:`planner.tracking.visibility.workspace_visibility` for ``month``.
        """
        return self._visibility(month)

    def _month_visibility(self, month: str):
        from planner.tracking.visibility import workspace_visibility

        return workspace_visibility(self.ws, month)

    @cached_property
    def visibility_two_months(self) -> pd.DataFrame:
        """The last two full months before today side by side per LPA, kept for every session.

        :func:`planner.records.neighbourhood.visibility_two_months` on the workspace.
        """
        from planner.records.neighbourhood import visibility_two_months

        return visibility_two_months(self.ws, self.ws.today)

    @cached_property
    def teams(self) -> pd.DataFrame | None:
        """The workspace's teams (None without a ``teams`` table)."""
        return self.ws.teams() if self.ws.has_table("teams") else None

    @cached_property
    def officers(self) -> pd.DataFrame | None:
        """The workspace's officers (None without an ``officers`` table)."""
        return self.ws.officers() if self.ws.has_table("officers") else None

    @cached_property
    def calls(self) -> gpd.GeoDataFrame | None:
        """The workspace's calls for service, kept for every session (None without them).

        The ``calls`` table (EPSG:27700 points, from ``planner import calls``) with its local
        ``month``, the map's ``mx, my`` (EPSG:3857) and the ``lpa`` whose display outline holds
        each call ("" outside every LPA).
        """
        if not self.has("calls"):
            return None
        import geopandas as gpd
        import shapely

        from planner.hotspots.demand import in_window

        c = in_window(gpd.GeoDataFrame(self.ws.read_table("calls")), None, None)
        web = c.geometry.to_crs(3857)
        mx, my = web.x.to_numpy(), web.y.to_numpy()
        lpa = pd.Series("", index=c.index, dtype=object)
        for name, g in zip(self.layer("LPAs")["lpa"], self.layer("LPAs").geometry):
            lpa[shapely.contains_xy(g, mx, my) & (lpa == "").to_numpy()] = str(name)
        return c.assign(mx=mx, my=my, lpa=lpa.to_numpy())


def _advance(ws_root: str, lpa: str, as_of: str):
    """Op Advance briefing (memoised per workspace, LPA and date by :meth:`AppData.advance`)."""
    from planner.hotspots.advance import workspace_briefing

    return workspace_briefing(Workspace(ws_root), lpa, as_of)

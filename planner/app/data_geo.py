"""The area layers of :class:`planner.app.data.AppData`: geography, display layers, extents.

Polygons are simplified in metres (EPSG:27700) and projected once to EPSG:3857 for display;
their Bokeh ``multi_polygons`` layout is built once per workspace and shared by every session.
No Panel import here.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from planner.app.layers import bokeh_multipolygons, simplify_for_display
from planner.errors import PlannerError

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from planner.app.data import DisplayConfig
    from planner.workspace import Workspace


class GeoLayers:
    """Area layers of a workspace for display (mixed into :class:`planner.app.data.AppData`).

    Expects ``ws`` (a :class:`planner.workspace.Workspace`), ``config`` (a
    :class:`planner.app.data.DisplayConfig`), ``_lock`` and ``_multipolygons`` (a per-instance
    cache of :meth:`_bokeh_layout`) on the instance.
    """

    if TYPE_CHECKING:  # set by AppData.__init__
        ws: Workspace
        config: DisplayConfig
        _lock: threading.Lock
        _multipolygons: Callable[[str], tuple[list, list]]

    @cached_property
    def geography(self):
        """The workspace's geography (force, LPAs, neighbourhoods, wards, LSOAs)."""
        return self.ws.geography()

    @cached_property
    def hierarchy(self) -> pd.DataFrame:
        """The ward -> neighbourhood -> LPA hierarchy (one row per ward)."""
        return self.geography.hierarchy()

    def lpa_names(self) -> list[str]:
        """The force's LPA names.

        Returns
        -------
        list of str
            In the geography's order.
        """
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
        """A display layer (simplified, EPSG:3857).

        Parameters
        ----------
        name : str
            ``"force"``, ``"LPAs"``, ``"neighbourhoods"``, ``"wards"`` or ``"tgps"``.

        Returns
        -------
        geopandas.GeoDataFrame
            The layer, shared by every session (treat it as read-only).

        Raises
        ------
        PlannerError
            When the workspace has no such layer.
        """
        with self._lock:
            layers = self._display_layers
        if name not in layers:
            raise PlannerError(f"no display layer '{name}' in this workspace")
        return layers[name]

    def extent(
        self, lpa: str | None = None, pad: float = 0.03
    ) -> tuple[float, float, float, float]:
        """The padded bounds of one LPA or of the force.

        Parameters
        ----------
        lpa : str, optional
            An LPA's name; default the whole force.
        pad : float
            Padding on every side, as a share of the longer side.

        Returns
        -------
        tuple of float
            ``(xmin, ymin, xmax, ymax)`` in EPSG:3857.
        """
        lpas = self.layer("LPAs")
        if lpa:
            lpas = lpas[lpas["lpa"] == lpa]
        x0, y0, x1, y1 = lpas.total_bounds
        d = pad * max(x1 - x0, y1 - y0)
        return (float(x0 - d), float(y0 - d), float(x1 + d), float(y1 + d))

    def multipolygons(self, name: str) -> tuple[list, list]:
        """A display layer's polygons in Bokeh's ``multi_polygons`` layout (built once, shared).

        Parameters
        ----------
        name : str
            A display layer (see :meth:`layer`).

        Returns
        -------
        tuple of list
            ``(xs, ys)`` nested as Bokeh's ``MultiPolygons`` glyph expects.
        """
        return self._multipolygons(name)

    def _bokeh_layout(self, name: str) -> tuple[list, list]:
        return bokeh_multipolygons(self.layer(name).geometry.to_numpy())

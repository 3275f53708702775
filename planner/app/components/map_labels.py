"""Place names on the app's maps: LPA, neighbourhood and ward names at sensible zooms, and each
TGP's id and main street (:func:`planner.hotspots.labels.main_streets`)."""

from __future__ import annotations

from planner.app import bokeh_views as bv
from planner.app.data import LEVELS, AppData


def tgp_label_points(t, streets) -> tuple:
    """Label anchors of a TGP layer (EPSG:3857) and texts like "TGP-023 Gorse Road".

    Parameters
    ----------
    t : geopandas.GeoDataFrame
        TGPs in EPSG:3857 with ``tgp_id``.
    streets : pandas.DataFrame or None
        :meth:`AppData.street_labels` of the same TGPs (None: ids alone).

    Returns
    -------
    tuple
        ``(x, y, text)``.
    """
    text = t["tgp_id"].astype(str)
    if streets is not None:
        text = text.map(streets.set_index("tgp_id")["label"]).fillna(text)
    return bv.label_points(t, text)


def label_layers(data: AppData) -> dict[str, tuple]:
    """``(x, y, text)`` of every label layer of a workspace (see :data:`bv.LABEL_SPANS`).

    Parameters
    ----------
    data : AppData
        The shared workspace data.

    Returns
    -------
    dict
        ``LPAs``, ``neighbourhoods``, ``wards`` and ``tgps`` (empty without a TGP layer).
    """
    out = {
        level: bv.label_points(data.layer(level), data.layer(level)[LEVELS[level][1]])
        for level in ("LPAs", "neighbourhoods", "wards")
    }
    out["tgps"] = (
        tgp_label_points(data.layer("tgps"), data.street_labels())
        if data.has("tgps")
        else ([], [], [])
    )
    return out


def add_map_labels(fig, data: AppData) -> dict:
    """Add the workspace's place labels to a map; returns layer name -> ``LabelSet``."""
    return bv.place_labels(fig, label_layers(data))

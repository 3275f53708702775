"""Place names on the app's maps.

LPA, neighbourhood and ward names at sensible zooms, and each TGP's id and main street
(:func:`planner.hotspots.labels.main_streets`).
"""

from __future__ import annotations

import numpy as np

from planner.app import bokeh_views as bv
from planner.app.data import LEVELS, AppData

# ---- place labels --------------------------------------------------------------------------------
#: the x-span (EPSG:3857 metres; about 1.6 ground metres here) between which each label layer
#: shows: LPA names on the force view, neighbourhoods from an LPA view, wards and TGPs closer in
LABEL_SPANS: dict[str, tuple[float, float]] = {
    "LPAs": (25_000.0, float("inf")),
    "neighbourhoods": (8_000.0, 40_000.0),
    "wards": (0.0, 12_000.0),
    "tgps": (0.0, 9_000.0),
}
#: label text style per layer (size, colour, weight)
LABEL_STYLES: dict[str, tuple[str, str, str]] = {
    "LPAs": ("13pt", "#202020", "bold"),
    "neighbourhoods": ("10pt", "#303030", "bold"),
    "wards": ("8pt", "#505050", "normal"),
    "tgps": ("8pt", "#08519c", "bold"),
}


def labels_shown(span: float) -> dict[str, bool]:
    """Which label layers show at a map x-span (the same rule the browser applies on zoom).

    Parameters
    ----------
    span : float
        ``x_range.end - x_range.start`` in EPSG:3857 metres.

    Returns
    -------
    dict
        Layer name -> visible.
    """
    return {k: lo <= span < hi for k, (lo, hi) in LABEL_SPANS.items()}


def place_labels(fig, layers: dict[str, tuple]) -> dict:
    """Name labels of map layers, each shown only at its zoom (``LABEL_SPANS``).

    They are switched in the browser as the map is zoomed (a ``CustomJS`` on the x-range: no
    server round trip).

    Parameters
    ----------
    fig : bokeh.plotting.figure
        A map from :func:`map_figure`.
    layers : dict
        Layer name (a key of ``LABEL_SPANS``) -> ``(x, y, text)`` arrays in EPSG:3857.

    Returns
    -------
    dict
        Layer name -> its ``LabelSet`` (named ``labels_<layer>``).
    """
    from bokeh.models import (  # type: ignore[attr-defined]  # bokeh's stubs miss LabelSet's re-export
        CustomJS,
        LabelSet,
    )

    span = float(fig.x_range.end - fig.x_range.start)
    shown = labels_shown(span)
    out = {}
    for name, (x, y, text) in layers.items():
        size, colour, weight = LABEL_STYLES[name]
        src = bv.ColumnDataSource(
            {"x": list(map(float, x)), "y": list(map(float, y)), "text": [str(t) for t in text]}
        )
        out[name] = LabelSet(
            x="x",
            y="y",
            text="text",
            source=src,
            text_align="center",
            text_baseline="middle",
            text_font_size=size,
            text_color=colour,
            text_font_style=weight,
            background_fill_color="white",
            background_fill_alpha=0.6,
            visible=shown[name],
            name=f"labels_{name}",
        )
        fig.add_layout(out[name])
    spans = {k: [lo, hi if np.isfinite(hi) else 1e30] for k, (lo, hi) in LABEL_SPANS.items()}
    cb = CustomJS(
        args={"xr": fig.x_range, "sets": dict(out), "spans": spans},
        code="""
const span = xr.end - xr.start;
for (const [k, s] of Object.entries(sets)) {
  const [lo, hi] = spans[k];
  const v = lo <= span && span < hi;
  if (s.visible !== v) s.visible = v;
}""",
    )
    fig.x_range.js_on_change("start", cb)
    fig.x_range.js_on_change("end", cb)
    return out


def label_points(gdf, text) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Label anchors of polygons (a point inside each, EPSG:3857 as given) and their texts.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The polygons.
    text : iterable
        One label per polygon.

    Returns
    -------
    tuple
        ``(x, y, texts)``.
    """
    pts = gdf.geometry.representative_point()
    return pts.x.to_numpy(), pts.y.to_numpy(), [str(t) for t in text]


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
    return label_points(t, text)


def label_layers(data: AppData) -> dict[str, tuple]:
    """``(x, y, text)`` of every label layer of a workspace (see :data:`LABEL_SPANS`).

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
        level: label_points(data.layer(level), data.layer(level)[LEVELS[level][1]])
        for level in ("LPAs", "neighbourhoods", "wards")
    }
    out["tgps"] = (
        tgp_label_points(data.layer("tgps"), data.street_labels())
        if data.has("tgps")
        else ([], [], [])
    )
    return out


def add_map_labels(fig, data: AppData) -> dict:
    """Add the workspace's place labels to a map.

    Parameters
    ----------
    fig : bokeh.plotting.figure
        The map (EPSG:3857).
    data : AppData
        The workspace's data.

    Returns
    -------
    dict
        Layer name -> ``LabelSet``.
    """
    return place_labels(fig, label_layers(data))

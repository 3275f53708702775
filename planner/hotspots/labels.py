"""Map labels of TGPs: each TGP's id and its main street, from the police.uk locations inside it.

police.uk snaps every crime to a map point named after the street it is on ("On or near Gorse
Road"); the street named most often among a TGP's crimes is the street an officer knows the
TGP by. Ties are broken by the name (alphabetical), so the label is the same on every run.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.errors import PlannerError

#: police.uk location prefixes, dropped from the street name
_PREFIX = re.compile(r"^\s*on\s+or\s+near\s+", re.IGNORECASE)
#: police.uk locations that name no street
NOT_A_STREET = frozenset(
    {
        "",
        "no location",
        "supermarket",
        "petrol station",
        "parking area",
        "shopping area",
        "nightclub",
        "sports/recreation area",
        "further/higher educational building",
        "hospital",
        "police station",
        "conference/exhibition centre",
        "theatre/concert hall",
        "park/open space",
        "pedestrian subway",
        "bus/coach station",
        "airport/airfield",
        "prison",
        "theme/adventure park",
    }
)


def street_name(location: object) -> str | None:
    """The street of a police.uk location ("On or near Gorse Road" -> "Gorse Road").

    Parameters
    ----------
    location : str or None
        A police.uk ``Location`` value.

    Returns
    -------
    str or None
        The street, whitespace tidied; None for a missing value or a location that names a kind
        of place rather than a street ("On or near Supermarket", "No Location").
    """
    if (
        location is None
        or location is pd.NA
        or (isinstance(location, float) and np.isnan(location))
    ):
        return None
    name = " ".join(_PREFIX.sub("", str(location)).split())
    return None if name.casefold() in NOT_A_STREET else name


def main_streets(tgps: gpd.GeoDataFrame, crimes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Each TGP's main street: the street most crimes inside it are located on.

    Parameters
    ----------
    tgps : geopandas.GeoDataFrame
        TGP polygons with ``tgp_id``.
    crimes : geopandas.GeoDataFrame
        Crime points with a police.uk ``location`` column, in any CRS (reprojected to the
        TGPs').

    Returns
    -------
    pandas.DataFrame
        One row per TGP in ``tgps`` order: ``tgp_id``, ``main_street`` (None when no crime
        inside names a street), ``street_crimes`` (crimes on that street), ``crimes`` (crimes
        inside the TGP) and ``label`` ("TGP-023 Gorse Road", or the id alone).

    Raises
    ------
    PlannerError
        Missing ``tgp_id`` or ``location`` columns, or a layer without a CRS.
    """
    if "tgp_id" not in tgps.columns:
        raise PlannerError("the TGP layer has no tgp_id column")
    if "location" not in crimes.columns:
        raise PlannerError("the crimes have no location column (police.uk 'Location')")
    if tgps.crs is None or crimes.crs is None:
        raise PlannerError("the TGP layer and the crimes need a CRS")
    import shapely

    ids = tgps["tgp_id"].astype(str).reset_index(drop=True)
    pts = crimes[["location", "geometry"]]
    if not pts.crs.equals(tgps.crs):
        pts = pts.to_crs(tgps.crs)
    x, y = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    codes, places = pd.factorize(pts["location"].astype(object), use_na_sentinel=True)
    names = np.array([street_name(p) for p in places] + [None], dtype=object)
    street = names[codes]  # code -1 (missing) picks the trailing None
    n = len(tgps)
    main: list[str | None] = [None] * n
    on_main = np.zeros(n, dtype="int64")
    inside = np.zeros(n, dtype="int64")
    # a crime inside two overlapping TGPs counts in both; a bounding-box cut first, then the
    # exact point-in-polygon test (vectorised) on the few points left
    for i, geom in enumerate(tgps.geometry.to_numpy()):
        if geom is None or geom.is_empty:
            continue
        x0, y0, x1, y1 = geom.bounds
        cand = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        hit = cand[shapely.contains_xy(geom, x[cand], y[cand])]
        inside[i] = len(hit)
        named = pd.Series(street[hit], dtype=object).dropna()
        if len(named):
            c = named.value_counts()
            top = int(c.iloc[0])
            main[i] = sorted(c.index[c.to_numpy() == top])[0]
            on_main[i] = top
    out = pd.DataFrame(
        {
            "tgp_id": ids,
            "main_street": pd.Series(main, dtype=object),
            "street_crimes": on_main,
            "crimes": inside,
        }
    )
    out["label"] = [
        f"{i} {s}" if s is not None else i for i, s in zip(out["tgp_id"], main, strict=True)
    ]
    return out

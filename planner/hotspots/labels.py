"""Map labels of TGPs: each TGP's id and its main street, from the police.uk locations inside it.

police.uk snaps every crime to a map point named after the street it is on ("On or near Gorse
Road"); the street named most often among a TGP's crimes is the street an officer knows the
TGP by. Ties are broken by the name (alphabetical), so the label is the same on every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class StreetPoints:
    """Crime points with the street each is on, encoded for :func:`main_streets_at`.

    Attributes
    ----------
    x, y : numpy.ndarray
        Coordinates (float64) in :attr:`crs`.
    code : numpy.ndarray
        Index of each point's street in :attr:`streets`, -1 for a location naming no street.
    streets : tuple of str
        The distinct street names, sorted (so the lowest code of a tie is the alphabetical
        first).
    crs : object
        The coordinates' CRS (anything pyproj accepts).
    """

    x: np.ndarray
    y: np.ndarray
    code: np.ndarray
    streets: tuple[str, ...]
    crs: object

    @classmethod
    def from_arrays(cls, x, y, locations, crs) -> StreetPoints:
        """From coordinates and police.uk locations.

        Parameters
        ----------
        x, y : array-like
            Point coordinates in ``crs``.
        locations : array-like
            police.uk ``Location`` values (None or NA where missing), one per point.
        crs : object
            The coordinates' CRS.

        Returns
        -------
        StreetPoints
            The encoded points.
        """
        codes, places = pd.factorize(pd.Series(locations, dtype=object), use_na_sentinel=True)
        return cls.from_codes(x, y, codes, list(places), crs)

    @classmethod
    def from_codes(cls, x, y, place_codes, places, crs) -> StreetPoints:
        """From coordinates and dictionary-encoded police.uk locations.

        Parameters
        ----------
        x, y : array-like
            Point coordinates in ``crs``.
        place_codes : array-like of int
            Index of each point's location in ``places``, -1 where missing.
        places : sequence of str
            The distinct locations.
        crs : object
            The coordinates' CRS.

        Returns
        -------
        StreetPoints
            The encoded points.
        """
        names = [street_name(p) for p in places]
        streets = sorted({n for n in names if n is not None})
        pos = {n: i for i, n in enumerate(streets)}
        # place code -> street code; the trailing -1 serves missing locations (code -1)
        lut = np.array([pos[n] if n is not None else -1 for n in names] + [-1], dtype="int64")
        return cls(
            np.asarray(x, dtype="float64"),
            np.asarray(y, dtype="float64"),
            lut[np.asarray(place_codes, dtype="int64")],
            tuple(streets),
            crs,
        )

    @classmethod
    def from_frame(cls, crimes: gpd.GeoDataFrame) -> StreetPoints:
        """From crime points with a police.uk ``location`` column.

        Parameters
        ----------
        crimes : geopandas.GeoDataFrame
            Crime points (any CRS).

        Returns
        -------
        StreetPoints
            The encoded points.

        Raises
        ------
        PlannerError
            No ``location`` column, or no CRS.
        """
        if "location" not in crimes.columns:
            raise PlannerError("the crimes have no location column (police.uk 'Location')")
        if crimes.crs is None:
            raise PlannerError("the TGP layer and the crimes need a CRS")
        g = crimes.geometry
        return cls.from_arrays(
            g.x.to_numpy(), g.y.to_numpy(), crimes["location"].astype(object), crimes.crs
        )


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
    known = "location" in crimes.columns and tgps.crs is not None and crimes.crs is not None
    if known and not crimes.crs.equals(tgps.crs):
        crimes = crimes[["location", "geometry"]].to_crs(tgps.crs)
    return main_streets_at(tgps, StreetPoints.from_frame(crimes))


def main_streets_at(tgps: gpd.GeoDataFrame, points: StreetPoints) -> pd.DataFrame:
    """:func:`main_streets` over crime points already encoded (read once, labelled many times).

    Parameters
    ----------
    tgps : geopandas.GeoDataFrame
        TGP polygons with ``tgp_id`` (reprojected to the points' CRS).
    points : StreetPoints
        The crime points and their streets.

    Returns
    -------
    pandas.DataFrame
        As :func:`main_streets`.

    Raises
    ------
    PlannerError
        Missing ``tgp_id`` column, or a TGP layer without a CRS.
    """
    if "tgp_id" not in tgps.columns:
        raise PlannerError("the TGP layer has no tgp_id column")
    if tgps.crs is None or points.crs is None:
        raise PlannerError("the TGP layer and the crimes need a CRS")
    import shapely

    ids = tgps["tgp_id"].astype(str).reset_index(drop=True)
    geoms = tgps.geometry
    if not geoms.crs.equals(points.crs):
        geoms = geoms.to_crs(points.crs)
    x, y, street = points.x, points.y, points.code
    n = len(tgps)
    n_streets = len(points.streets)
    main: list[str | None] = [None] * n
    on_main = np.zeros(n, dtype="int64")
    inside = np.zeros(n, dtype="int64")
    # a crime inside two overlapping TGPs counts in both; a bounding-box cut first (the points
    # sorted by x once, so each TGP's x-range is a slice), then the exact point-in-polygon test
    # (vectorised) on the few points left
    order = np.argsort(x, kind="stable")
    xs = x[order]
    for i, geom in enumerate(geoms.to_numpy()):
        if geom is None or geom.is_empty:
            continue
        x0, y0, x1, y1 = geom.bounds
        sl = order[np.searchsorted(xs, x0, "left") : np.searchsorted(xs, x1, "right")]
        cand = sl[(y[sl] >= y0) & (y[sl] <= y1)]
        hit = cand[shapely.contains_xy(geom, x[cand], y[cand])]
        inside[i] = len(hit)
        named = street[hit]
        named = named[named >= 0]
        if len(named):
            counts = np.bincount(named, minlength=n_streets)
            best = int(np.argmax(counts))  # the first of a tie: streets are sorted by name
            main[i] = points.streets[best]
            on_main[i] = int(counts[best])
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


#: bumped whenever :func:`main_streets` would label the same input differently (a cache of
#: labels made by an older rule is then rebuilt)
LABELS_VERSION = 2
#: the columns of :func:`main_streets`' table (and of a labels cache file)
_COLUMNS = ("tgp_id", "main_street", "street_crimes", "crimes", "label")


def labels_stamp(*parts: object) -> str:
    """The key a labels cache file is valid for.

    Made of :data:`LABELS_VERSION`, the words that name no street and ``parts`` (e.g. the crime
    and TGP files' sizes and times, the months).

    Parameters
    ----------
    *parts : object
        What else the labels depend on.

    Returns
    -------
    str
        The stamp.
    """
    import hashlib

    words = hashlib.sha1("|".join(sorted(NOT_A_STREET)).encode()).hexdigest()[:12]
    return "|".join([f"v{LABELS_VERSION}", words, *map(str, parts)])


def save_labels(path: str | Path, stamp: str, labels: pd.DataFrame) -> None:
    """Write :func:`main_streets`' table to a cache file (JSON) with the stamp it is valid for.

    Written to a temporary file then renamed, so a reader never sees half a file.

    Parameters
    ----------
    path : str or Path
        The cache file.
    stamp : str
        :func:`labels_stamp` of the input.
    labels : pandas.DataFrame
        The labels.
    """
    import json
    import os

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        [str(t), s if isinstance(s, str) else None, int(n), int(c), str(lab)]
        for t, s, n, c, lab in zip(
            labels["tgp_id"],
            labels["main_street"],
            labels["street_crimes"].to_numpy(dtype="int64"),
            labels["crimes"].to_numpy(dtype="int64"),
            labels["label"],
            strict=True,
        )
    ]
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"stamp": stamp, "columns": list(_COLUMNS), "rows": rows}))
    os.replace(tmp, path)


def load_labels(path: str | Path, stamp: str) -> pd.DataFrame | None:
    """Read a labels cache file written by :func:`save_labels`.

    Parameters
    ----------
    path : str or Path
        The cache file.
    stamp : str
        The stamp the caller's input has now.

    Returns
    -------
    pandas.DataFrame or None
        The labels; None when the file is missing, unreadable or made for another stamp.
    """
    import json

    try:
        doc = json.loads(Path(path).read_text())
        if doc.get("stamp") != stamp or doc.get("columns") != list(_COLUMNS):
            return None
        out = pd.DataFrame(doc["rows"], columns=list(_COLUMNS))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    out["main_street"] = pd.Series(
        [str(s) if isinstance(s, str) else None for s in out["main_street"]], dtype=object
    )
    for c in ("street_crimes", "crimes"):
        out[c] = out[c].astype("int64")
    return out

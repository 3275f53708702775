"""The canonical crime table every loader returns and every analysis reads.

See ``docs/architecture.md`` for the column list. One schema, documented once.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.crs import BNG
from planner.errors import PlannerError
from planner.timeutil import TZ

#: The 14 current police.uk crime types (police.uk "Crime type" column).
CRIME_TYPES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)

#: Crime types that drive violent-crime TGPs (Grip: serious violence incl. robbery).
VIOLENT_TYPES: tuple[str, ...] = (
    "Violence and sexual offences",
    "Robbery",
    "Possession of weapons",
)


#: column -> pandas dtype (geometry handled separately)
CRIME_DTYPES: dict[str, Any] = {  # dtype strings (pandas-stubs types astype() by literal)
    "crime_id": "string",
    "month": "string",
    "occurred_at": f"datetime64[ns, {TZ}]",
    "crime_type": "string",
    "lsoa_code": "string",
    "location": "string",
    "harm": "float64",
    "knife_weight": "float64",
    "source_file": "string",
    "source_row": "int64",
}
CRIME_COLUMNS: tuple[str, ...] = (*CRIME_DTYPES, "geometry")


def empty_crimes() -> gpd.GeoDataFrame:
    """Return an empty canonical crime table (right columns, dtypes and CRS).

    Returns
    -------
    geopandas.GeoDataFrame
        No rows; :data:`CRIME_COLUMNS` in EPSG:27700.
    """
    df = pd.DataFrame({c: pd.Series(dtype=t) for c, t in CRIME_DTYPES.items()})
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=BNG), crs=BNG)


def make_crimes(
    x: np.ndarray,
    y: np.ndarray,
    crime_type,
    month=None,
    occurred_at=None,
    *,
    harm=None,
    knife_weight=None,
    crime_id=None,
    lsoa_code=None,
    location=None,
    source_file: str = "<memory>",
) -> gpd.GeoDataFrame:
    """Build a canonical crime table from arrays (tests, simulators, notebooks).

    Parameters
    ----------
    x, y : array_like
        Coordinates in EPSG:27700 metres.
    crime_type : array_like of str
        police.uk crime types.
    month : array_like of str, optional
        "YYYY-MM"; derived from ``occurred_at`` when not given.
    occurred_at : array_like, optional
        Timestamps (naive ones are Europe/London).
    harm, knife_weight : array_like, optional
        Default to the bundled harm table.
    crime_id, lsoa_code, location : array_like, optional
        Default to missing values.
    source_file : str
        Recorded in ``source_file``.

    Returns
    -------
    geopandas.GeoDataFrame
        The canonical table (``source_row`` counts from 1).

    Raises
    ------
    PlannerError
        When neither ``month`` nor ``occurred_at`` is given.

    Examples
    --------
    >>> from planner.schema import make_crimes
    >>> c = make_crimes([400000.0], [286000.0], ["Robbery"], month=["2025-01"])
    >>> list(c.columns)[:3], c.crs.to_epsg(), float(c["harm"].iloc[0])
    (['crime_id', 'month', 'occurred_at'], 27700, 746.0)
    """
    x = np.asarray(x, dtype="float64")
    n = len(x)
    ct = pd.Series(np.broadcast_to(np.asarray(crime_type, dtype=object), n), dtype="string")
    if occurred_at is not None:
        occ = pd.to_datetime(pd.Series(occurred_at))
        if occ.dt.tz is None:
            occ = occ.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="shift_forward")
        else:
            occ = occ.dt.tz_convert(TZ)
    else:
        occ = pd.Series(pd.NaT, index=range(n), dtype=CRIME_DTYPES["occurred_at"])
    if month is None:
        if occurred_at is None:
            raise PlannerError("make_crimes needs month or occurred_at")
        month = occ.dt.strftime("%Y-%m")
    df = pd.DataFrame(
        {
            "crime_id": pd.Series(
                crime_id if crime_id is not None else [pd.NA] * n, dtype="string"
            ),
            "month": pd.Series(np.broadcast_to(np.asarray(month, dtype=object), n), dtype="string"),
            "occurred_at": occ.astype(CRIME_DTYPES["occurred_at"]).reset_index(drop=True),
            "crime_type": ct,
            "lsoa_code": pd.Series(
                lsoa_code if lsoa_code is not None else [pd.NA] * n, dtype="string"
            ),
            "location": pd.Series(
                location if location is not None else [pd.NA] * n, dtype="string"
            ),
            "source_file": pd.Series([source_file] * n, dtype="string"),
            "source_row": np.arange(2, n + 2, dtype="int64"),
        }
    )
    if harm is None or knife_weight is None:
        from planner.harm import HarmTable

        table = HarmTable.default()
        if harm is None:
            harm = table.weights_for(df["crime_type"])
        if knife_weight is None:
            knife_weight = table.knife_for(df["crime_type"])
    df["harm"] = np.asarray(harm, dtype="float64")
    df["knife_weight"] = np.asarray(knife_weight, dtype="float64")
    df = df[list(CRIME_DTYPES)]
    return gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(x, np.asarray(y, dtype="float64")), crs=BNG
    )


def check_crimes(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Validate that ``gdf`` follows the canonical schema; return it unchanged.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        A crime table.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gdf`` itself.

    Raises
    ------
    PlannerError
        Naming the missing column or the wrong CRS.
    """
    missing = [c for c in CRIME_COLUMNS if c not in gdf.columns]
    if missing:
        raise PlannerError(f"crime table lacks column(s) {', '.join(missing)}")
    if gdf.crs is None or gdf.crs.to_epsg() != 27700:
        raise PlannerError(f"crime table must be in EPSG:27700, not {gdf.crs}")
    return gdf

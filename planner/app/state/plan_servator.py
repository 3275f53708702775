"""Op Servator tables of the Patrol plan page.

Pure functions over :mod:`planner.planning.servator` output, no Panel.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from planner.schema import TZ


def sites_web(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Each Servator site's LPA and location in EPSG:3857.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        :func:`planner.planning.servator.sites_from_tgps` (``site_id``, ``lpa``, points).

    Returns
    -------
    pandas.DataFrame
        ``lpa, x, y`` indexed by ``site_id``.
    """
    web = sites.geometry.to_crs(3857)
    return pd.DataFrame(
        {"lpa": sites["lpa"].to_numpy(), "x": web.x.to_numpy(), "y": web.y.to_numpy()},
        index=pd.Index(sites["site_id"].to_numpy(), name="site_id"),
    )


def deployments_table(d: pd.DataFrame, lpa_of: pd.Series) -> pd.DataFrame:
    """Deployments for display: date, local times, site, LPA, minutes and assets.

    Parameters
    ----------
    d : pandas.DataFrame
        ``deployments`` of :func:`planner.planning.servator.plan_servator` (one boolean column
        per asset of :data:`planner.planning.servator.ASSETS`).
    lpa_of : pandas.Series
        LPA per site id.

    Returns
    -------
    pandas.DataFrame
        ``date, start, end`` (local "HH:MM"), ``site, lpa, minutes`` and ``assets`` (the
        assets deployed, comma-separated).
    """
    from planner.planning.servator import ASSETS

    out = pd.DataFrame(
        {
            "date": d["date"].astype(str),
            "start": pd.DatetimeIndex(d["start"]).tz_convert(TZ).strftime("%H:%M"),
            "end": pd.DatetimeIndex(d["end"]).tz_convert(TZ).strftime("%H:%M"),
            "site": d["site_id"],
            "lpa": d["site_id"].map(lpa_of),
            "minutes": d["minutes"],
        }
    )
    names = pd.Series("", index=d.index, dtype="string")
    for a in ASSETS:  # five asset columns, not rows
        names = names + d[a].map({True: a + " ", False: ""}).astype("string")
    out["assets"] = names.str.strip().str.replace(" ", ", ").to_numpy()
    return out.reset_index(drop=True)


def servator_filename(start: str, days: int, seed: int, synthetic: bool, ext: str) -> str:
    """The download name of a Servator plan.

    Parameters
    ----------
    start : str
        First day (YYYY-MM-DD).
    days : int
        Days planned.
    seed : int
        The draw's random seed.
    synthetic : bool
        Whether the sites are synthetic (tagged ``_SYNTHETIC``).
    ext : str
        File extension (``csv``, ``ics``).

    Returns
    -------
    str
        The file name.

    Examples
    --------
    >>> servator_filename("2025-12-22", 7, 3, True, "csv")
    'servator_2025-12-22_7d_seed3_SYNTHETIC.csv'
    """
    tag = "_SYNTHETIC" if synthetic else ""
    return f"servator_{start}_{days}d_seed{seed}{tag}.{ext}"

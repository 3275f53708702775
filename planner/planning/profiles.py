"""Day-of-week x time-band harm profiles per TGP.

From timestamped crime (``occurred_at`` present: force extracts, the synthetic demo series) each
TGP gets its own profile: the harm of the crimes inside its polygon by weekday and band, shrunk
towards the all-TGP profile with a pseudo-count (``PlanConfig.profile_prior_weight`` crimes) so a
quiet TGP does not end up with empty bands. Month-only data (police.uk: ``occurred_at`` is NaT)
has no time of day; those TGPs get the documented default profile
(:data:`planner.planning.config.DEFAULT_PROFILE`).

A profile is an array of shape ``(n_tgps, 7, n_bands)`` whose entries sum to 1 per TGP.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.planning.config import PlanConfig


def default_profile(cfg: PlanConfig) -> np.ndarray:
    """Return the configured default profile as a (7, n_bands) array summing to 1.

    Parameters
    ----------
    cfg : PlanConfig
        The configuration (its ``default_profile`` and time bands).

    Returns
    -------
    numpy.ndarray
        Weekday (Monday first) x band shares.
    """
    p = np.asarray(cfg.default_profile, dtype=float)
    return p / p.sum()


def band_index(hours: np.ndarray, cfg: PlanConfig) -> np.ndarray:
    """Band number for each local hour of day (0-23).

    Parameters
    ----------
    hours : numpy.ndarray
        Local hours, 0-23.
    cfg : PlanConfig
        The configuration (its time bands).

    Returns
    -------
    numpy.ndarray
        Band position per hour.
    """
    lut = np.full(24, -1, dtype=np.int64)
    for i, b in enumerate(cfg.bands):
        lut[b.start_hour : b.end_hour] = i
    return lut[np.asarray(hours, dtype=np.int64)]


def harm_profiles(
    tgps: gpd.GeoDataFrame, crimes: gpd.GeoDataFrame | None, cfg: PlanConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Per-TGP (weekday x band) harm profiles.

    Parameters
    ----------
    tgps : GeoDataFrame
        TGP layer (EPSG:27700) in plan order.
    crimes : GeoDataFrame or None
        Canonical crime table (``occurred_at`` tz-aware; NaT rows are ignored for timing; only
        ``cfg.profile_types`` count when a ``crime_type`` column is present).
    cfg : PlanConfig
        Time bands, the default profile and the minimum number of crimes for an own profile.

    Returns
    -------
    profiles : ndarray (n_tgps, 7, n_bands)
        Each TGP's profile, summing to 1.
    timed : ndarray of int (n_tgps,)
        Number of timestamped crimes behind each TGP's own profile (0 -> default profile).
    """
    n, nb = len(tgps), len(cfg.bands)
    dflt = default_profile(cfg)
    out = np.broadcast_to(dflt, (n, 7, nb)).copy()
    timed = np.zeros(n, dtype=np.int64)
    if crimes is None or len(crimes) == 0 or n == 0:
        return out, timed
    occ = crimes["occurred_at"]
    has_t = occ.notna().to_numpy()
    if "crime_type" in crimes.columns and cfg.profile_types:
        has_t = has_t & crimes["crime_type"].astype(str).isin(cfg.profile_types).to_numpy()
    if not has_t.any():
        return out, timed
    c = crimes.loc[has_t, ["occurred_at", "harm", "geometry"]]
    tg = gpd.GeoDataFrame({"_t": np.arange(n)}, geometry=tgps.geometry.to_numpy(), crs=tgps.crs)
    if c.crs is not None and tg.crs is not None and c.crs != tg.crs:
        c = c.to_crs(tg.crs)
    ci, ti = tg.sindex.query(c.geometry.to_numpy(), predicate="intersects")
    if len(ci) == 0:
        return out, timed
    local = pd.DatetimeIndex(c["occurred_at"].iloc[ci]).tz_convert("Europe/London")
    dow = local.day_of_week.to_numpy()
    band = band_index(local.hour.to_numpy(), cfg)
    ok = band >= 0
    h = c["harm"].to_numpy(dtype=float)[ci]
    counts = np.zeros((n, 7, nb))
    np.add.at(counts, (ti[ok], dow[ok], band[ok]), h[ok])
    timed = np.bincount(ti[ok], minlength=n).astype(np.int64)
    tot = counts.sum(axis=(1, 2))
    pooled = counts.sum(axis=0)
    prior = pooled / pooled.sum() if pooled.sum() > 0 else dflt
    # shrink: pseudo-count of prior_weight average crimes
    mean_harm = np.divide(tot, np.maximum(timed, 1))
    k = cfg.profile_prior_weight * np.where(timed > 0, mean_harm, 1.0)
    prof = (counts + k[:, None, None] * prior[None]) / (tot + k)[:, None, None]
    out = np.where((timed > 0)[:, None, None], prof, out)
    return out / out.sum(axis=(1, 2), keepdims=True), timed


def dow_weights(profiles: np.ndarray, harm: np.ndarray) -> np.ndarray:
    """Force-level weekday weights (Monday first): harm-weighted mean of the TGP profiles.

    Parameters
    ----------
    profiles : numpy.ndarray
        (n_tgps, 7, n_bands) profiles from :func:`harm_profiles`.
    harm : numpy.ndarray
        Harm per TGP (the weights).

    Returns
    -------
    numpy.ndarray
        Seven weights summing to 1.
    """
    h = np.asarray(harm, dtype=float)
    if h.sum() <= 0:
        h = np.ones_like(h)
    w = (profiles.sum(axis=2) * h[:, None]).sum(axis=0)
    return w / w.sum()

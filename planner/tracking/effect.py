"""Did the patrols work? Two standard designs.

**Patrolled against non-patrolled place-days** (the Home Office Grip evaluation design): within
each TGP, days that received a patrol dose (presence >= ``dose_minutes``, default one Koper
dose of 10 minutes) are compared with days that did not, for crime counts and harm. The
estimate is the within-TGP (fixed-effects) difference in means,

    beta = sum_kd (P_kd - mean_k P)(y_kd - mean_k y) / sum_kd (P_kd - mean_k P)^2,

with a cluster-robust (by TGP, CR1) standard error and a t interval on G - 1 degrees of
freedom (G = TGPs with both kinds of day). The relative effect is beta over the mean on
non-patrolled days. Observational: days are not randomly patrolled, so this is an association.

**Weighted displacement difference** (Wheeler & Ratcliffe 2018): target area T (the TGPs),
displacement area D (a buffer ring around them), control area C; with pre/post counts,

    WDD = (T1 - T0) - (C1 - C0) + (D1 - D0) - (C1 - C0),

variance under Poisson counts T0 + T1 + D0 + D1 + 4 (C0 + C1) (the same control for both
terms), and z = WDD / sqrt(var). Negative WDD = fewer crimes than the control trend implies,
net of displacement. The weighted displacement quotient (Bowers & Johnson 2003) is given too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import stats

from planner.errors import PlannerError
from planner.tracking.intervals import TZ


@dataclass(frozen=True)
class EffectConfig:
    """Settings of the effect estimates (documented defaults)."""

    #: presence minutes that make a place-day "patrolled" (one Koper dose)
    dose_minutes: float = 10.0
    #: confidence level of the intervals
    level: float = 0.95
    #: displacement buffer around the TGPs (m)
    buffer_m: float = 250.0


def crimes_per_place_day(
    crimes: gpd.GeoDataFrame, tgps: gpd.GeoDataFrame, start: date, end: date, tz: str = TZ
) -> pd.DataFrame:
    """Count crimes and total harm per TGP and local day (only days with crime appear).

    Parameters
    ----------
    crimes : geopandas.GeoDataFrame
        A canonical crime table with timezone-aware ``occurred_at``.
    tgps : geopandas.GeoDataFrame
        The TGP layer (``tgp_id``, polygons).
    start, end : datetime.date
        First and last local day (inclusive).
    tz : str
        Time zone of the local days.

    Returns
    -------
    pandas.DataFrame
        ``tgp_id, date, crimes, harm``.

    Raises
    ------
    PlannerError
        When crimes lack timestamps.
    """
    t = pd.Series(crimes["occurred_at"])
    if t.dt.tz is None:
        raise PlannerError("crimes need timezone-aware occurred_at for place-day effects")
    local = t.dt.tz_convert(tz)
    day = local.dt.tz_localize(None).dt.normalize()
    keep = (day >= pd.Timestamp(start)) & (day <= pd.Timestamp(end))
    c = crimes[keep.to_numpy()]
    days = day[keep].to_numpy()
    geoms = np.asarray(tgps.geometry.values)
    tree = shapely.STRtree(geoms)
    x = shapely.get_x(c.geometry.values)
    y = shapely.get_y(c.geometry.values)
    a, b = tree.query(shapely.points(x, y), predicate="intersects")
    df = pd.DataFrame(
        {
            "tgp_id": tgps["tgp_id"].to_numpy()[b],
            "date": days[a],
            "crimes": 1,
            "harm": c["harm"].to_numpy(np.float64)[a] if "harm" in c else 1.0,
        }
    )
    return df.groupby(["tgp_id", "date"], as_index=False)[["crimes", "harm"]].sum()


def place_day_panel(
    place_days: pd.DataFrame,
    crimes_pd: pd.DataFrame,
    tgp_ids,
    start: date,
    end: date,
    cfg: EffectConfig | None = None,
) -> pd.DataFrame:
    """Build every TGP x day in [start, end] with presence minutes, patrolled flag, crimes, harm.

    Parameters
    ----------
    place_days : pandas.DataFrame
        Delivered place-days (``tgp_id, date, presence_minutes``; the ``method="all"`` rows
        when a method column is present).
    crimes_pd : pandas.DataFrame
        :func:`crimes_per_place_day` output.
    tgp_ids : array_like
        Every TGP (days without presence or crime are zeros).
    start, end : datetime.date
        The period (inclusive).
    cfg : EffectConfig, optional
        Minutes of presence that make a day patrolled.

    Returns
    -------
    pandas.DataFrame
        One row per TGP and day.
    """
    cfg = cfg or EffectConfig()
    days = pd.date_range(start, end, freq="D")
    idx = pd.MultiIndex.from_product([pd.Index(list(tgp_ids), name="tgp_id"), days.rename("date")])
    pdm = place_days
    if "method" in pdm.columns:
        pdm = pdm[pdm["method"] == "all"]
    pres = (
        pdm.assign(date=pd.to_datetime(pdm["date"]))
        .groupby(["tgp_id", "date"])["presence_minutes"]
        .sum()
    )
    cr = crimes_pd.assign(date=pd.to_datetime(crimes_pd["date"])).set_index(["tgp_id", "date"])[
        ["crimes", "harm"]
    ]
    panel = pd.DataFrame(index=idx)
    panel["presence_minutes"] = pres.reindex(idx).fillna(0.0).to_numpy()
    panel[["crimes", "harm"]] = cr.reindex(idx).fillna(0.0).to_numpy()
    panel["patrolled"] = panel["presence_minutes"] >= cfg.dose_minutes - 1e-9
    return panel.reset_index()


@dataclass
class FEEstimate:
    """A within-TGP difference between patrolled and other days, with its uncertainty.

    Attributes
    ----------
    outcome : str
        ``"crimes"`` or ``"harm"``.
    beta, se : float
        The difference per place-day and its TGP-clustered standard error.
    ci_low, ci_high, p_value : float
        Confidence interval and two-sided p-value.
    mean_patrolled, mean_unpatrolled, relative : float
        Raw means and ``beta`` relative to the unpatrolled mean.
    n_place_days, n_patrolled, clusters : int
        Place-days, patrolled place-days and TGPs.
    """

    outcome: str
    beta: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    mean_patrolled: float
    mean_unpatrolled: float
    relative: float
    n_place_days: int
    n_patrolled: int
    clusters: int

    def as_dict(self) -> dict:
        """Return the fields as a dict (floats rounded to 6 places).

        Returns
        -------
        dict
            Field -> value.
        """
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def _demean(
    v: np.ndarray, groups: list[np.ndarray], tol: float = 1e-13, max_iter: int = 10_000
) -> np.ndarray:
    """Residual of ``v`` on the fixed effects of one or more groupings (alternating projections)."""
    out = v.astype(np.float64).copy()
    counts = [np.maximum(np.bincount(g), 1) for g in groups]
    scale = 1.0 + (float(np.max(np.abs(v))) if len(v) else 0.0)
    for _ in range(max_iter if len(groups) > 1 else 1):  # sweeps, not a loop over rows
        change = 0.0
        for g, c in zip(groups, counts):
            m = np.bincount(g, weights=out, minlength=len(c)) / c
            out -= m[g]
            change = max(change, float(np.max(np.abs(m))) if len(m) else 0.0)
        if change < tol * scale:
            break
    return out


def within_tgp_effect(
    panel: pd.DataFrame,
    outcome: str = "crimes",
    cfg: EffectConfig | None = None,
    *,
    day_effects: bool = False,
) -> FEEstimate:
    """Fixed-effects (within-TGP) difference between patrolled and non-patrolled days.

    Parameters
    ----------
    panel : pandas.DataFrame
        :func:`place_day_panel` output.
    outcome : str
        ``"crimes"`` or ``"harm"``.
    cfg : EffectConfig, optional
        Confidence level.
    day_effects : bool
        Add a fixed effect per date (two-way: TGP and day) so force-wide day-to-day swings
        (weekends, events, weather) do not pass for a patrol effect.

    Returns
    -------
    FEEstimate
        The difference with TGP-clustered standard errors.
    """
    cfg = cfg or EffectConfig()
    g = pd.factorize(panel["tgp_id"])[0]
    p = panel["patrolled"].to_numpy(np.float64)
    y = panel[outcome].to_numpy(np.float64)
    n_g = g.max() + 1 if len(g) else 0
    groups = [g] + ([pd.factorize(panel["date"])[0]] if day_effects else [])
    pt = _demean(p, groups)
    yt = _demean(y, groups)
    sxx = float(np.sum(pt * pt))
    if sxx == 0:
        raise PlannerError(
            "no TGP has both patrolled and unpatrolled days: the effect is not identified"
        )
    beta = float(np.sum(pt * yt) / sxx)
    e = yt - beta * pt
    score = np.bincount(g, weights=pt * e, minlength=n_g)
    informative = np.bincount(g, weights=pt * pt, minlength=n_g) > 0
    G = int(informative.sum())
    if G < 2:
        raise PlannerError("fewer than two TGPs with both patrolled and unpatrolled days")
    var = G / (G - 1) * float(np.sum(score**2)) / sxx**2
    se = float(np.sqrt(var))
    tq = stats.t.ppf(0.5 + cfg.level / 2, G - 1)
    pv = float(2 * stats.t.sf(abs(beta / se), G - 1)) if se > 0 else float("nan")
    m1 = float(y[p == 1].mean()) if (p == 1).any() else float("nan")
    m0 = float(y[p == 0].mean()) if (p == 0).any() else float("nan")
    return FEEstimate(
        outcome=outcome,
        beta=beta,
        se=se,
        ci_low=beta - tq * se,
        ci_high=beta + tq * se,
        p_value=pv,
        mean_patrolled=m1,
        mean_unpatrolled=m0,
        relative=beta / m0 if m0 else float("nan"),
        n_place_days=len(y),
        n_patrolled=int(p.sum()),
        clusters=G,
    )


@dataclass
class WDD:
    """A weighted displacement difference and its test (see the module docstring).

    Attributes
    ----------
    T0, T1, D0, D1, C0, C1 : int
        Crimes in the target, displacement and control areas before (0) and after (1).
    wdd, variance, z, p_value, ci_low, ci_high : float
        The WDD, its variance, z-score, two-sided p-value and confidence interval.
    wdq : float
        The weighted displacement quotient.
    """

    T0: int
    T1: int
    D0: int
    D1: int
    C0: int
    C1: int
    wdd: float
    variance: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    wdq: float

    def as_dict(self) -> dict:
        """Return the fields as a dict (floats rounded).

        Returns
        -------
        dict
            Field -> value.
        """
        return {
            k: (round(float(v), 6) if isinstance(v, float) else int(v))
            for k, v in self.__dict__.items()
        }


def wdd(T0, T1, D0, D1, C0, C1, level: float = 0.95) -> WDD:
    """Weighted displacement difference from the six counts (see the module docstring).

    Parameters
    ----------
    T0, T1 : int
        Crimes in the target area before and after.
    D0, D1 : int
        Crimes in the displacement area before and after.
    C0, C1 : int
        Crimes in the control area before and after.
    level : float
        Confidence level of the interval.

    Returns
    -------
    WDD
        The difference, its variance, test and quotient.

    Examples
    --------
    >>> w = wdd(100, 80, 50, 50, 200, 200)
    >>> w.wdd, round(w.variance)
    (-20, 1880)
    """
    d = (T1 - T0) - (C1 - C0) + (D1 - D0) - (C1 - C0)
    var = T0 + T1 + D0 + D1 + 4 * (C0 + C1)
    z = d / np.sqrt(var) if var > 0 else float("nan")
    q = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        num = D1 / C1 - D0 / C0 if C0 and C1 else float("nan")
        den = T1 / C1 - T0 / C0 if C0 and C1 else float("nan")
        wdq = num / den if den else float("nan")
    return WDD(
        T0=int(T0), T1=int(T1), D0=int(D0), D1=int(D1), C0=int(C0), C1=int(C1),
        wdd=d, variance=float(var), z=float(z), p_value=float(2 * stats.norm.sf(abs(z))),
        ci_low=float(d - q * np.sqrt(var)), ci_high=float(d + q * np.sqrt(var)), wdq=float(wdq),
    )  # fmt: skip


def wdd_areas(tgps: gpd.GeoDataFrame, control: shapely.Geometry, buffer_m: float = 250.0):
    """Build the target (TGP union), displacement ring (buffer minus TGPs) and control.

    Parameters
    ----------
    tgps : geopandas.GeoDataFrame
        The TGP layer.
    control : shapely geometry
        The control area (the buffered TGPs are taken out of it).
    buffer_m : float
        Width of the displacement ring in metres.

    Returns
    -------
    tuple of shapely geometries
        ``(target, displacement, control)``.
    """
    target = shapely.union_all(np.asarray(tgps.geometry.values))
    disp = shapely.difference(shapely.buffer(target, buffer_m), target)
    ctrl = shapely.difference(control, shapely.buffer(target, buffer_m))
    return target, disp, ctrl


def wdd_from_crimes(
    crimes: gpd.GeoDataFrame,
    tgps: gpd.GeoDataFrame,
    control: shapely.Geometry,
    pre: tuple[date, date],
    post: tuple[date, date],
    cfg: EffectConfig | None = None,
) -> WDD:
    """Count crimes in the three areas in the pre and post periods and compute the WDD.

    Parameters
    ----------
    crimes : geopandas.GeoDataFrame
        A canonical crime table (timestamped).
    tgps : geopandas.GeoDataFrame
        The TGP layer.
    control : shapely geometry
        The control area.
    pre, post : tuple of datetime.date
        First and last day of each period.
    cfg : EffectConfig, optional
        Displacement buffer and confidence level.

    Returns
    -------
    WDD
        The weighted displacement difference.
    """
    cfg = cfg or EffectConfig()
    target, disp, ctrl = wdd_areas(tgps, control, cfg.buffer_m)
    t = pd.Series(crimes["occurred_at"]).dt.tz_convert(TZ).dt.tz_localize(None).dt.normalize()
    x = shapely.get_x(crimes.geometry.values)
    y = shapely.get_y(crimes.geometry.values)
    out = {}
    for name, geom in (("T", target), ("D", disp), ("C", ctrl)):
        shapely.prepare(geom)
        inside = shapely.contains_xy(geom, x, y)
        for k, (a, b) in (("0", pre), ("1", post)):
            inper = ((t >= pd.Timestamp(a)) & (t <= pd.Timestamp(b))).to_numpy()
            out[name + k] = int((inside & inper).sum())
    return wdd(out["T0"], out["T1"], out["D0"], out["D1"], out["C0"], out["C1"], cfg.level)

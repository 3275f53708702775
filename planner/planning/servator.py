"""Op Servator: unpredictable, highly visible deployments of mixed assets across chosen sites.

Sites (crowded places, transport hubs, town centres, TGPs) carry a risk score. Following the
Stackelberg-security-game approach (ARMOR at LAX), each site gets a coverage probability per day
in proportion to its risk (capped at one deployment a site a day), and every day's deployments
are drawn from it by systematic sampling over a random site order, so the long-run frequency of
each site matches its coverage while the next day cannot be predicted. Start times are uniform
over the deployment window; the asset mix (uniformed officers always, plus plain clothes, armed
officers, dogs, horses) is drawn with probabilities rising with the site's risk and limited by
the assets available each day. Predictability uses the same measures as patrol timetables.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.planning.config import PlanConfig
from planner.planning.timetable import (
    capped_proportional,
    localise,
    predictability,
    systematic_sample,
)

SITE_KINDS = ("crowded_place", "transport_hub", "town_centre", "tgp")
ASSETS = ("uniformed", "plain_clothes", "armed", "dogs", "horses")


@dataclass(frozen=True)
class AssetRule:
    """How likely a deployment includes an asset, and how often a day can have it.

    The chance at a site of average risk (``base``), how strongly it rises with relative risk (``elasticity``: p = base x (risk/mean)^elasticity,
    capped at 1) and how many deployments a day can have it (``per_day``).
    """

    base: float
    elasticity: float
    per_day: int


@dataclass(frozen=True)
class ServatorConfig:
    """Deployment rules (*assumptions* for the demo; a force sets its own).

    ``deployments_per_day`` deployments of ``duration_minutes`` (one of the choices, at random)
    between ``window`` hours (local time), at most one a site a day.
    """

    deployments_per_day: int = 4
    duration_minutes: tuple[int, ...] = (120, 180, 240)
    window: tuple[int, int] = (7, 23)
    assets: dict[str, AssetRule] = field(
        default_factory=lambda: {
            "uniformed": AssetRule(1.0, 0.0, 99),
            "plain_clothes": AssetRule(0.6, 0.5, 3),
            "armed": AssetRule(0.25, 1.0, 1),
            "dogs": AssetRule(0.4, 0.5, 2),
            "horses": AssetRule(0.15, 0.5, 1),
        }
    )


@dataclass
class ServatorPlan:
    """A drawn Op Servator plan.

    Attributes
    ----------
    deployments : pandas.DataFrame
        One row per deployment (``deployment_id, date, site_id, site_kind, start, end,
        minutes`` and a boolean column per asset).
    coverage : pandas.DataFrame
        Per site: ``expected`` deployments, ``probability`` per day and ``drawn``.
    predictability : pandas.DataFrame
        Per-site predictability (entropy, repeat share).
    seed : int
        The seed of the draw.
    """

    deployments: pd.DataFrame
    coverage: pd.DataFrame
    predictability: pd.DataFrame
    seed: int

    def summary(self) -> dict:
        """Return the plan's headline figures (the ``planner servator --json`` object).

        Returns
        -------
        dict
            Seed, deployments, days, sites used, hours, deployments per asset and predictability.
        """
        d = self.deployments
        return {
            "seed": self.seed,
            "deployments": len(d),
            "days": int(d["date"].nunique()) if len(d) else 0,
            "sites_used": int(d["site_id"].nunique()) if len(d) else 0,
            "hours": float(d["minutes"].sum()) / 60,
            "assets": {a: int(d[a].sum()) for a in ASSETS},
            "mean_entropy": None
            if self.predictability.empty
            else round(float(self.predictability["entropy"].mean()), 4),
            "max_repeat_share": None
            if self.predictability.empty
            else round(float(self.predictability["repeat_share"].max()), 4),
        }


def sites_from_tgps(tgps: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn TGPs into Servator sites (risk = harm, location = polygon centroid).

    Parameters
    ----------
    tgps : geopandas.GeoDataFrame
        A TGP layer with ``tgp_id`` and ``harm``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id, name, kind, risk, lpa`` and the centroid as point geometry.
    """
    return gpd.GeoDataFrame(
        {
            "site_id": tgps["tgp_id"].astype(str).to_numpy(),
            "name": tgps["tgp_id"].astype(str).to_numpy(),
            "kind": "tgp",
            "risk": tgps["harm"].to_numpy(dtype=float),
            "lpa": tgps["lpa"].astype(str).to_numpy() if "lpa" in tgps.columns else "",
        },
        geometry=tgps.geometry.centroid.to_numpy(),
        crs=tgps.crs,
    )


def read_sites(path) -> gpd.GeoDataFrame:
    """Read sites from a CSV (``site_id, name, kind, risk, x, y`` in EPSG:27700) or a vector layer.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    geopandas.GeoDataFrame
        The sites as points.
    """
    from pathlib import Path

    from planner.errors import InputError

    path = Path(path)
    if path.suffix.lower() == ".csv":
        df = pd.read_csv(path)
        for col in ("site_id", "kind", "risk", "x", "y"):
            if col not in df.columns:
                raise InputError(path, "missing column", field=col)
        gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["x"], df["y"]), crs="EPSG:27700")
    else:
        gdf = gpd.read_file(path)
    if "name" not in gdf.columns:
        gdf["name"] = gdf["site_id"].astype(str)
    risk = pd.to_numeric(gdf["risk"], errors="coerce")
    bad = risk.isna() | (risk < 0)
    if bad.any():
        raise InputError(
            path,
            "risk must be a number >= 0",
            line=int(np.flatnonzero(bad.to_numpy())[0]) + 2,
            field="risk",
        )
    kinds = ~gdf["kind"].astype(str).isin(SITE_KINDS)
    if kinds.any():
        i = int(np.flatnonzero(kinds.to_numpy())[0])
        raise InputError(
            path, f"kind must be one of {', '.join(SITE_KINDS)}", line=i + 2, field="kind"
        )
    gdf["risk"] = risk.astype(float)
    return gdf


def plan_servator(
    sites: gpd.GeoDataFrame | pd.DataFrame,
    start: date | str,
    days: int,
    *,
    cfg: ServatorConfig | None = None,
    plan_cfg: PlanConfig | None = None,
    seed: int | None = None,
) -> ServatorPlan:
    """Draw Op Servator deployments for ``days`` days from ``start``.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame or pandas.DataFrame
        Sites with ``site_id``, ``kind`` and ``risk`` (:func:`sites_from_tgps`,
        :func:`read_sites`).
    start : date or str
        First day.
    days : int
        Number of days.
    cfg : ServatorConfig, optional
        Deployments per day, lengths and the asset rules.
    plan_cfg : PlanConfig, optional
        Time bands and predictability thresholds.
    seed : int, optional
        Seed of the draw (fresh and recorded when omitted).

    Returns
    -------
    ServatorPlan
        One row per deployment, the coverage per site (``expected`` deployments over the
        period, ``probability`` per day, ``drawn``) and predictability per site.
    """
    cfg = cfg or ServatorConfig()
    plan_cfg = plan_cfg or PlanConfig()
    if days < 1:
        raise PlannerError("servator: --days must be at least 1")
    for col in ("site_id", "kind", "risk"):
        if col not in sites.columns:
            raise PlannerError(f"servator sites lack column '{col}'")
    n = len(sites)
    k = cfg.deployments_per_day
    if n == 0:
        raise PlannerError("servator: no sites")
    if k > n:
        raise PlannerError(f"servator: {k} deployments a day need at least {k} sites, got {n}")
    lo_h, hi_h = cfg.window
    if not 0 <= lo_h < hi_h <= 24 or (hi_h - lo_h) * 60 < max(cfg.duration_minutes):
        raise PlannerError("servator: the window must hold the longest deployment")
    if seed is None:
        seed = secrets.randbits(32)
    rng = np.random.default_rng([int(seed), 5271])
    risk = sites["risk"].to_numpy(dtype=float)
    p_day = capped_proportional(np.array([float(k)]), risk[None, :], np.ones((1, n)))[0]
    # one row per day, systematic sample of exactly k sites
    draws = systematic_sample(np.broadcast_to(p_day, (days, n)), rng)
    dd, ss = np.nonzero(draws)
    m = len(dd)
    dur = rng.choice(np.asarray(cfg.duration_minutes), size=m)
    latest = (hi_h - lo_h) * 60 - dur
    off = lo_h * 60 + np.floor(rng.random(m) * (latest + 1)).astype(np.int64)
    day0 = pd.Timestamp(start).normalize()
    dates = day0 + pd.to_timedelta(dd, unit="D")
    st = localise(dates.to_numpy(), off)
    rel = risk[ss] / max(risk.mean(), 1e-12)
    out = pd.DataFrame(
        {
            "date": dates.date,
            "site_id": sites["site_id"].astype(str).to_numpy()[ss],
            "site_kind": sites["kind"].astype(str).to_numpy()[ss],
            "risk": risk[ss],
            "start": st,
            "end": st + pd.to_timedelta(dur, unit="min"),
            "minutes": dur.astype(float),
        }
    )
    for a in ASSETS:
        rule = cfg.assets.get(a)
        if rule is None:
            out[a] = False
            continue
        p = np.minimum(1.0, rule.base * np.power(rel, rule.elasticity))
        want = rng.random(m) < p
        # availability: keep the highest-risk deployments of the day that want the asset
        rank = (
            pd.Series(np.where(want, -risk[ss], np.inf)).groupby(dd).rank(method="first").to_numpy()
        )
        out[a] = want & (rank <= rule.per_day)
    out = out.sort_values(["start", "site_id"]).reset_index(drop=True)
    out.insert(0, "deployment_id", [f"SERV-{i:05d}" for i in range(1, len(out) + 1)])
    cov = pd.DataFrame(
        {
            "site_id": sites["site_id"].astype(str).to_numpy(),
            "kind": sites["kind"].astype(str).to_numpy(),
            "risk": risk,
            "probability": p_day,
            "expected": p_day * days,
            "drawn": np.bincount(ss, minlength=n),
        }
    )
    pv = out.rename(columns={"site_id": "tgp_id"}).assign(pinned=False)
    pred = predictability(pv, plan_cfg, cov["site_id"])
    return ServatorPlan(out, cov, pred.rename(columns={"tgp_id": "site_id"}), int(seed))


def deployments_by_site(deployments: pd.DataFrame) -> pd.DataFrame:
    """Deployments per site: ``site_id, deployments, hours, first, last`` and a count per asset.

    Parameters
    ----------
    deployments : pandas.DataFrame
        :attr:`ServatorPlan.deployments`.

    Returns
    -------
    pandas.DataFrame
        One row per site with at least one deployment, most deployments first (then site id).
    """
    d = deployments
    g = d.groupby("site_id", sort=True)
    out = pd.DataFrame(
        {
            "deployments": g.size(),
            "hours": g["minutes"].sum() / 60.0,
            "first": g["date"].min(),
            "last": g["date"].max(),
        }
    )
    for a in ASSETS:
        out[a] = g[a].sum().astype("int64")
    out = out.reset_index()
    out["deployments"] = out["deployments"].astype("int64")
    return out.sort_values(["deployments", "site_id"], ascending=[False, True], kind="stable")[
        ["site_id", *out.columns.drop("site_id")]
    ].reset_index(drop=True)


def deployments_ics(deployments: pd.DataFrame, *, synthetic: bool = False) -> str:
    """Render the plan as iCalendar text: one event per deployment (local times, Europe/London).

    Read back with :func:`icalendar.Calendar.from_ical`; the summary names the site and the
    assets, and is prefixed ``[SYNTHETIC]`` when ``synthetic``.

    Parameters
    ----------
    deployments : pandas.DataFrame
        :attr:`ServatorPlan.deployments`.
    synthetic : bool
        Prefix every event with ``[SYNTHETIC]``.

    Returns
    -------
    str
        The calendar (CRLF line endings, folded at 75 octets).
    """
    from planner.planning.export import _fold, _ics_escape, _vtimezone
    from planner.schema import TZ

    d = deployments
    tag = "[SYNTHETIC] " if synthetic else ""

    def local(col: str) -> np.ndarray:
        t = pd.Series(pd.DatetimeIndex(d[col]).tz_convert(TZ))
        return t.dt.strftime("%Y%m%dT%H%M%S").to_numpy()

    assets = pd.Series("", index=d.index, dtype="string")
    for a in ASSETS:
        assets = assets + d[a].map({True: a + " ", False: ""}).astype("string")
    asset_text = assets.str.strip().str.replace(" ", "\\, ").to_numpy()
    site = _ics_escape(d["site_id"]).to_numpy()
    mins = d["minutes"].astype(int).astype(str).to_numpy()
    summary = (
        pd.Series("SUMMARY:" + tag + "Op Servator " + site + " (" + mins + " min)")
        .map(_fold)
        .to_numpy()
    )
    desc = (
        pd.Series("DESCRIPTION:Op Servator deployment at " + site + ". Assets: " + asset_text)
        .map(_fold)
        .to_numpy()
    )
    ev = (
        "BEGIN:VEVENT\r\nUID:"
        + d["deployment_id"].astype(str).to_numpy()
        + "@hotspot-planner-servator\r\nDTSTAMP:20000101T000000Z\r\nDTSTART;TZID="
        + TZ
        + ":"
        + local("start")
        + "\r\nDTEND;TZID="
        + TZ
        + ":"
        + local("end")
        + "\r\n"
        + summary
        + "\r\nLOCATION:"
        + site
        + "\r\n"
        + desc
        + "\r\nCATEGORIES:servator\r\nEND:VEVENT\r\n"
    )
    head = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hotspot-planner//op servator//EN\r\n"
        + _fold("X-WR-CALNAME:Op Servator" + (" (SYNTHETIC)" if synthetic else ""))
        + f"\r\nX-WR-TIMEZONE:{TZ}\r\n"
    )
    return head + _vtimezone() + "".join(ev) + "END:VCALENDAR\r\n"

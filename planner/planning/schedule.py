"""Plan a quarter: allocation -> coverage -> sampled timetable -> MILP staffing -> visits.

:func:`plan_quarter` is the library entry point (the CLI, the demo and the app call it);
:func:`plan_workspace_quarter` reads the TGP layer, crimes and configuration from a workspace.
The output follows the plan contract (``docs/architecture.md``, ``visits.parquet``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from fractions import Fraction

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.planning.allocate import (
    Allocation,
    allocate_quarter,
    parse_quarter,
    quarter_target_minutes,
    visit_lengths,
    visits_for_minutes,
)
from planner.planning.config import PlanConfig, default_config
from planner.planning.optimise import (
    Capacity,
    assign,
    assign_teams,
    binding_message,
    diagnose,
    eligibility,
    team_capacity,
)
from planner.planning.profiles import band_index, dow_weights, harm_profiles
from planner.planning.timetable import (
    capacity_aware_coverage,
    localise,
    predictability,
    predictability_summary,
    start_offsets,
    systematic_sample,
)
from planner.schema import TZ

TGP_COLUMNS = ("tgp_id", "kind", "lpa", "harm", "geometry")
VISIT_COLUMNS = (
    "visit_id",
    "tgp_id",
    "team_id",
    "method",
    "date",
    "start",
    "end",
    "minutes",
    "crew",
    "officer_minutes",
    "band",
    "pinned",
)
PIN_COLUMNS = ("tgp_id", "start", "minutes")


@dataclass
class QuarterPlan:
    """A planned quarter.

    Attributes
    ----------
    visits : DataFrame
        One row per visit (``VISIT_COLUMNS``), sorted by start.
    summary : dict
        The ``planner schedule --json`` object.
    allocation : Allocation
        Exact minutes and visits per day x TGP (before pinned visits are taken off).
    expected, sampled : ndarray (n_tgps, n_days, n_bands)
        Coverage (expected visits per slot) and the sampled counts.
    capacity : Capacity
        Team capacity (officer-minutes per team, day, band) before pinned visits.
    predictability : DataFrame
        Per-TGP predictability (:func:`planner.planning.timetable.predictability`).
    """

    quarter: str
    seed: int
    visits: pd.DataFrame
    summary: dict
    allocation: Allocation
    expected: np.ndarray
    sampled: np.ndarray
    capacity: Capacity
    predictability: pd.DataFrame
    tgps: gpd.GeoDataFrame
    binding: list[dict] = field(default_factory=list)

    def capacity_usage(self) -> pd.DataFrame:
        """Officer-minutes used against capacity per team, date and band.

        Returns
        -------
        pandas.DataFrame
            ``team_id``, ``date``, ``band``, ``used`` and ``capacity``; every row has
            ``used <= capacity``.
        """
        cap = self.capacity
        dates = pd.DatetimeIndex(self.allocation.days["date"])
        labels = list(self.summary["bands"])
        tj, dj, bj = np.meshgrid(
            np.arange(len(cap.team_ids)),
            np.arange(len(dates)),
            np.arange(len(labels)),
            indexing="ij",
        )
        out = pd.DataFrame(
            {
                "team_id": cap.team_ids[tj.ravel()].astype(str),
                "date": dates[dj.ravel()].date,
                "band": np.array(labels, dtype=object)[bj.ravel()],
                "capacity": cap.team_cap.ravel(),
            }
        )
        used = self.visits.groupby(["team_id", "date", "band"], as_index=False)[
            "officer_minutes"
        ].sum()
        out = out.merge(used, on=["team_id", "date", "band"], how="left")
        out["used"] = out.pop("officer_minutes").fillna(0.0)
        return out


def _check_tgps(tgps: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    missing = [c for c in TGP_COLUMNS if c not in tgps.columns]
    if missing:
        raise PlannerError(f"TGP layer lacks column(s) {', '.join(missing)}")
    if tgps["tgp_id"].astype(str).duplicated().any():
        raise PlannerError("TGP layer has duplicate tgp_id values")
    bad = ~tgps["kind"].astype(str).isin(["violent", "asb"])
    if bad.any():
        raise PlannerError(
            f"TGP layer, field 'kind': '{tgps['kind'].astype(str)[bad].iloc[0]}' is not 'violent' or 'asb'"
        )
    return tgps.reset_index(drop=True)


def _pins_frame(pins: pd.DataFrame | None) -> pd.DataFrame:
    if pins is None or len(pins) == 0:
        return pd.DataFrame({c: [] for c in (*PIN_COLUMNS, "team_id")})
    missing = [c for c in PIN_COLUMNS if c not in pins.columns]
    if missing:
        raise PlannerError(f"pinned visits lack column(s) {', '.join(missing)}")
    p = pins.copy()
    st = pd.to_datetime(p["start"])
    st = (
        st.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="shift_forward")
        if st.dt.tz is None
        else st.dt.tz_convert(TZ)
    )
    if st.isna().any():
        raise PlannerError("pinned visits: a start time is missing or ambiguous")
    p["start"] = st
    p["minutes"] = pd.to_numeric(p["minutes"]).astype(np.int64)
    if "team_id" not in p.columns:
        p["team_id"] = None
    return p


def plan_quarter(
    tgps: gpd.GeoDataFrame,
    cfg: PlanConfig,
    quarter: str,
    *,
    crimes: gpd.GeoDataFrame | None = None,
    seed: int | None = None,
    pins: pd.DataFrame | None = None,
) -> QuarterPlan:
    """Plan one calendar quarter.

    Parameters
    ----------
    tgps : GeoDataFrame
        TGP layer (``tgp_id, kind, lpa, harm, geometry``; EPSG:27700).
    cfg : PlanConfig
        Target, dosage, methods and teams (teams give the capacity).
    quarter : str
        Calendar quarter, e.g. "2025Q4" (October-December 2025).
    crimes : GeoDataFrame, optional
        Canonical crimes for the harm profiles (timestamped rows give each TGP its own
        profile; otherwise the default profile).
    seed : int, optional
        Seed for the timetable draw; a fresh random seed when omitted (recorded in the summary).
    pins : DataFrame, optional
        Manual overrides: visits fixed by a planner (``tgp_id, start, minutes, team_id``).
        They count towards the TGP-day's minutes and the team's capacity.

    Returns
    -------
    QuarterPlan
    """
    cfg = cfg.check()
    tgps = _check_tgps(tgps)
    if not cfg.teams:
        raise PlannerError("the plan configuration has no teams: no capacity to plan with")
    if seed is None:
        seed = secrets.randbits(32)
    rng = np.random.default_rng([int(seed), *map(ord, quarter)])
    start, end = parse_quarter(quarter)
    dates = pd.date_range(start, end, freq="D")
    D, B = len(dates), len(cfg.bands)
    ids = tgps["tgp_id"].astype(str).to_numpy()
    harm = tgps["harm"].to_numpy(dtype=float)
    T = len(ids)
    profiles, timed = harm_profiles(tgps, crimes, cfg)
    total = quarter_target_minutes(cfg, quarter)
    floor = int(Fraction(cfg.floor_share).limit_denominator(10**6) * total)
    cap = team_capacity(cfg, dates)
    cap0 = Capacity(
        **{**cap.__dict__, "team_cap": cap.team_cap.copy(), "pool_cap": cap.pool_cap.copy()}
    )
    pins = _pins_frame(pins)
    pin_t, pin_d, pin_b, pin_min = _pin_capacity(pins, ids, dates, cfg, cap)
    blocked = np.zeros((T, D, B), dtype=bool)
    blocked[pin_t, pin_d, pin_b] = True
    pinned_td = np.zeros((T, D), dtype=np.int64)
    np.add.at(pinned_td, (pin_t, pin_d), pin_min)

    wards = tgps["wards"] if "wards" in tgps.columns else None
    elig = eligibility(
        cap, tgps["kind"].astype(str).to_numpy(), tgps["lpa"].astype(str).to_numpy(), cfg, wards
    )
    crew_pool = np.array([cfg.method(m).crew for m in cap.pool_method], dtype=np.int64)
    staffable = cap.pool_cap >= (cfg.dosage.visit_minutes * crew_pool)[:, None, None]  # [p, d, b]
    avail = (
        elig.T.astype(np.int64) @ staffable.reshape(cap.n_pools, D * B).astype(np.int64)
    ).reshape(T, D, B) > 0
    slot_cap = np.where(avail & ~blocked, cfg.dosage.max_visits_per_slot, 0).astype(np.int64)
    max_visits_td = slot_cap.sum(axis=2)
    ceiling = (max_visits_td + -(-pinned_td // cfg.dosage.visit_minutes)).T
    alloc = allocate_quarter(
        ids, harm, start, end, total, cfg, dow_weights(profiles, harm), ceiling_dt=ceiling
    )
    minutes_td = alloc.minutes.T.copy()  # [t, d]
    pin_rows = _pin_rows(pins, pin_t, pin_d, pin_b, ids, cfg, cap, minutes_td)
    visits_td = visits_for_minutes(
        minutes_td, cfg, np.maximum(max_visits_td, -(-minutes_td // cfg.dosage.max_visit_minutes))
    )
    q, r = visit_lengths(minutes_td, visits_td)
    usage_td = q + (r > 0)  # longest visit per TGP-day (minutes)

    dow = dates.day_of_week.to_numpy()
    prof_tdb = profiles[:, dow, :]  # [t, d, b]
    expected = capacity_aware_coverage(visits_td, prof_tdb, slot_cap, cap, elig, crew_pool, cfg)
    sampled = systematic_sample(expected, rng)

    # objective: patrol minutes x (1 + harm weight of the slot), top-harm TGPs first
    hn = harm / harm.max() if harm.max() > 0 else np.ones(T)
    rel = prof_tdb / np.maximum(prof_tdb.max(axis=2, keepdims=True), 1e-12)
    top = np.zeros(T)
    top[np.argsort(-harm, kind="stable")[: cfg.dosage.top_tgps]] = 1.0
    avg_len = np.where(visits_td > 0, minutes_td / np.maximum(visits_td, 1), 0.0)
    weight = avg_len[:, :, None] * (1.0 + hn[:, None, None] * rel + top[:, None, None])
    if cfg.assignment == "full":
        sampled = np.zeros_like(sampled)
    asg = assign(sampled, visits_td, usage_td, weight, slot_cap, cap, elig, cfg, rng=rng)

    visits = _build_visits(asg, q, r, visits_td, ids, dates, cap, cfg, rng)
    placed_td = np.zeros((T, D), dtype=np.int64)
    np.add.at(placed_td, (asg.t, asg.d), asg.n)
    visits = pd.concat([visits, pin_rows], ignore_index=True) if len(pin_rows) else visits
    visits = visits.sort_values(["start", "tgp_id"], kind="stable").reset_index(drop=True)
    visits["visit_id"] = [f"{quarter}-{i:06d}" for i in range(1, len(visits) + 1)]
    for c in ("start", "end"):
        visits[c] = visits[c].astype(pd.DatetimeTZDtype("ns", TZ))
    visits = visits[list(VISIT_COLUMNS)]

    planned = int(visits["minutes"].sum())
    unmet_n = visits_td - placed_td
    ut, ud = np.nonzero(unmet_n > 0)
    # unmet minutes per TGP-day: the shortest visits go unstaffed first (long ones are placed first)
    n_long_placed = np.minimum(placed_td, r)
    planned_td = placed_td * q + n_long_placed
    unmet_min = (minutes_td - planned_td)[ut, ud]
    placed_tdb = np.zeros((T, D, B), dtype=np.int64)
    np.add.at(placed_tdb, (asg.t, asg.d, asg.b), asg.n)
    slot_full = placed_tdb >= slot_cap
    binding = diagnose(
        ut, ud, unmet_min, planned, floor, cap, elig, slot_full, ids, cfg.band_labels
    )
    # minimum daily visits at the top-harm TGPs (pinned visits count)
    top_idx = np.argsort(-harm, kind="stable")[: cfg.dosage.top_tgps]
    pinned_n = np.zeros((T, D), dtype=np.int64)
    np.add.at(pinned_n, (pin_t, pin_d), 1)
    got = placed_td[top_idx] + pinned_n[top_idx]
    short_td = got < cfg.dosage.min_daily_visits_top
    if short_td.any():
        binding.append(
            {
                "constraint": f"minimum {cfg.dosage.min_daily_visits_top} visits a day at the "
                f"{len(top_idx)} highest-harm TGPs",
                "short_hours": float(
                    (cfg.dosage.min_daily_visits_top - got)[short_td].sum()
                    * cfg.dosage.visit_minutes
                )
                / 60,
                "detail": f"{int(short_td.sum())} TGP-days below the minimum",
            }
        )

    pred = predictability(visits, cfg, ids)
    summary = _summary(
        quarter, seed, visits, tgps, total, floor, planned, binding, pred, cfg, asg, timed, cap
    )
    return QuarterPlan(
        quarter, int(seed), visits, summary, alloc, expected, sampled, cap0, pred, tgps, binding
    )


def _pin_capacity(pins: pd.DataFrame, ids, dates, cfg: PlanConfig, cap: Capacity):
    """Locate pinned visits (TGP, day, band); take their minutes off their team's capacity.

    In place. Returns index arrays and minutes.
    """
    if len(pins) == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z, z
    t = pd.Index(ids).get_indexer(pins["tgp_id"].astype(str))
    if (t < 0).any():
        raise PlannerError(
            f"pinned visit for unknown TGP '{pins['tgp_id'].astype(str)[t < 0].iloc[0]}'"
        )
    day = pins["start"].dt.tz_localize(None).dt.normalize()
    d = pd.DatetimeIndex(dates).get_indexer(day)
    if (d < 0).any():
        raise PlannerError("pinned visit outside the quarter")
    b = band_index(pins["start"].dt.hour.to_numpy(), cfg)
    mins = pins["minutes"].to_numpy().astype(np.int64)
    if (mins < cfg.dosage.min_visit_minutes).any():
        raise PlannerError(
            f"pinned visits must last at least {cfg.dosage.min_visit_minutes} minutes"
        )
    team_idx = _pin_teams(pins, cap)
    crew = np.array([cfg.method(cap.team_method[j]).crew for j in team_idx])
    np.subtract.at(cap.team_cap, (team_idx, d, b), mins * crew)
    np.maximum(cap.team_cap, 0, out=cap.team_cap)
    _repool(cap)
    return t, d, b, mins


def _pin_teams(pins: pd.DataFrame, cap: Capacity) -> np.ndarray:
    idx = pd.Index(cap.team_ids.astype(str)).get_indexer(pins["team_id"].astype(str).fillna(""))
    if (idx < 0).any():
        i = int(np.flatnonzero(idx < 0)[0])
        raise PlannerError(
            f"pinned visit {i + 1}: unknown or missing team_id '{pins['team_id'].iloc[i]}'"
        )
    return idx


def _pin_rows(
    pins, t, d, b, ids, cfg: PlanConfig, cap: Capacity, minutes_td: np.ndarray
) -> pd.DataFrame:
    """Take pinned minutes off the TGP-day minutes (in place) and return the pinned visit rows.

    A remainder too short for a visit is added to the TGP-day's last pinned visit.
    """
    if len(pins) == 0:
        return pd.DataFrame(columns=list(VISIT_COLUMNS))
    D = minutes_td.shape[1]
    mins = pins["minutes"].to_numpy().astype(np.int64).copy()
    np.subtract.at(minutes_td, (t, d), mins)
    over = minutes_td < 0
    minutes_td[over] = 0
    short = (minutes_td > 0) & (minutes_td < cfg.dosage.min_visit_minutes)
    if short.any():
        last = pd.Series(np.arange(len(pins))).groupby(t * D + d).max()
        flat = minutes_td.ravel()
        for k in np.flatnonzero(short.ravel()):
            mins[last[k]] += flat[k]
        minutes_td[short] = 0
    team_idx = _pin_teams(pins, cap)
    crew = np.array([cfg.method(cap.team_method[j]).crew for j in team_idx], dtype=np.int64)
    start = pd.DatetimeIndex(pins["start"])
    return pd.DataFrame(
        {
            "visit_id": "",
            "tgp_id": np.asarray(ids)[t],
            "team_id": cap.team_ids[team_idx].astype(str),
            "method": cap.team_method[team_idx].astype(str),
            "date": start.tz_localize(None).normalize().date,
            "start": start,
            "end": start + pd.to_timedelta(mins, unit="min"),
            "minutes": mins.astype(float),
            "crew": crew,
            "officer_minutes": (mins * crew).astype(float),
            "band": np.array(cfg.band_labels, dtype=object)[b],
            "pinned": True,
        }
    )


def _repool(cap: Capacity) -> None:
    eff = np.maximum(cap.team_cap - cap.margin[:, None, None], 0)
    cap.pool_cap[:] = 0
    np.add.at(cap.pool_cap, cap.pool_of_team, eff)


def _build_visits(
    asg, q, r, visits_td, ids, dates, cap: Capacity, cfg: PlanConfig, rng
) -> pd.DataFrame:
    n = asg.n
    t, d, b, p = (np.repeat(a, n) for a in (asg.t, asg.d, asg.b, asg.p))
    nv = len(t)
    D, B = len(dates), len(cfg.bands)
    # lengths: within each TGP-day the first r visits (random order) are one minute longer
    td = t * D + d
    order = np.lexsort((rng.random(nv), td))
    first = np.r_[True, td[order][1:] != td[order][:-1]] if nv else np.zeros(0, bool)
    gstart = (
        np.maximum.accumulate(np.where(first, np.arange(nv), 0)) if nv else np.zeros(0, np.int64)
    )
    rank = np.empty(nv, dtype=np.int64)
    rank[order] = np.arange(nv) - gstart
    length = q[t, d] + (rank < r[t, d])
    crew = np.array([cfg.method(m).crew for m in cap.pool_method], dtype=np.int64)[p]
    pv = pd.DataFrame({"p": p, "d": d, "b": b, "usage": length * crew})
    team = assign_teams(pv, cap, rng)
    band_start = np.array([bd.start_hour * 60 for bd in cfg.bands])[b]
    band_len = np.array([bd.minutes for bd in cfg.bands])[b]
    off = start_offsets((t * D + d) * B + b, length, band_len, cfg.dosage.min_gap_minutes, rng)
    day = pd.DatetimeIndex(dates)[d]
    start = localise(day.to_numpy(), band_start + off)
    return pd.DataFrame(
        {
            "visit_id": "",
            "tgp_id": np.asarray(ids)[t],
            "team_id": cap.team_ids[team].astype(str),
            "method": cap.team_method[team].astype(str),
            "date": day.date,
            "start": start,
            "end": start + pd.to_timedelta(length, unit="min"),
            "minutes": length.astype(float),
            "crew": crew.astype(np.int64),
            "officer_minutes": (length * crew).astype(float),
            "band": np.array(cfg.band_labels, dtype=object)[b],
            "pinned": False,
        }
    )


def _hours(s: pd.Series) -> dict:
    return {str(k): float(v) / 60 for k, v in s.items()}


def _summary(
    quarter, seed, visits, tgps, total, floor, planned, binding, pred, cfg, asg, timed, cap
) -> dict:
    lpa = dict(zip(tgps["tgp_id"].astype(str), tgps["lpa"].astype(str), strict=True))
    v = visits.assign(lpa=visits["tgp_id"].map(lpa))
    methods = [m.name for m in cfg.methods]
    lpas = sorted(set(lpa.values()))
    by_tgp = (
        v.groupby("tgp_id")["minutes"].sum().reindex(tgps["tgp_id"].astype(str), fill_value=0.0)
    )
    start, end = parse_quarter(quarter)
    return {
        "quarter": quarter,
        "period": [str(start), str(end)],
        "seed": int(seed),
        "synthetic_inputs": None,
        "target_hours": total / 60,
        "floor_hours": floor / 60,
        "total_hours": planned / 60,
        "officer_hours": float(visits["officer_minutes"].sum()) / 60,
        "unmet_hours": max(total - planned, 0) / 60,
        "over_hours": max(planned - total, 0) / 60,
        "feasible": planned >= floor,
        "visits": len(visits),
        "pinned_visits": int(visits["pinned"].sum()),
        "by_method": _hours(v.groupby("method")["minutes"].sum().reindex(methods, fill_value=0.0)),
        "officer_hours_by_method": _hours(
            v.groupby("method")["officer_minutes"].sum().reindex(methods, fill_value=0.0)
        ),
        "by_lpa": _hours(v.groupby("lpa")["minutes"].sum().reindex(lpas, fill_value=0.0)),
        "by_team": _hours(v.groupby("team_id")["minutes"].sum()),
        "by_tgp": _hours(by_tgp),
        "binding": binding,
        "message": binding_message(binding),
        "solver": {
            "status": asg.status,
            "stage1_visits": asg.stage1_visits,
            "moved_visits": asg.moved_visits,
        },
        "profiles": {
            "timestamped_tgps": int((timed > 0).sum()),
            "default_profile_tgps": int((timed == 0).sum()),
        },
        "bands": list(cfg.band_labels),
        "predictability": predictability_summary(pred, cfg),
    }


def plan_workspace_quarter(
    ws,
    quarter: str,
    *,
    cfg: PlanConfig | None = None,
    seed: int | None = None,
    pins=None,
    profile_months: int = 12,
) -> QuarterPlan:
    """Plan a quarter from a workspace.

    Uses its ``tgps`` table, its configuration (``plan/config.json`` or the default from the
    people tables) and the timestamped crimes of the ``profile_months`` before the quarter for
    the harm profiles.

    Parameters
    ----------
    ws : Workspace
        The workspace.
    quarter : str
        Calendar quarter, e.g. "2025Q4".
    cfg : PlanConfig, optional
        Overrides the workspace's configuration.
    seed : int, optional
        Seed of the timetable draw (fresh and recorded when omitted).
    pins : pandas.DataFrame, optional
        Manual overrides (see :func:`plan_quarter`).
    profile_months : int
        Months of crime before the quarter behind the harm profiles.

    Returns
    -------
    QuarterPlan
        The plan; ``summary["synthetic_inputs"]`` says whether any input table is synthetic.

    Examples
    --------
    >>> import planner
    >>> ws = planner.Workspace("workspace/demo")                      # doctest: +SKIP
    >>> plan = plan_workspace_quarter(ws, "2025Q4", seed=2025)        # doctest: +SKIP
    >>> plan.summary["target_hours"]                                  # doctest: +SKIP
    8330.75
    """
    if cfg is None:
        cfg = load_workspace_config(ws)
    if not ws.has_table("tgps"):
        raise PlannerError(
            f"workspace {ws.root} has no TGP layer (table 'tgps'); run the hotspots step first"
        )
    tgps = ws.tgps()
    start, _ = parse_quarter(quarter)
    p_end = (pd.Timestamp(start) - pd.DateOffset(months=1)).strftime("%Y-%m")
    p_start = (pd.Timestamp(start) - pd.DateOffset(months=profile_months)).strftime("%Y-%m")
    crimes = None
    for synthetic in (True, False):
        name = "crimes_synthetic" if synthetic else "crimes_real"
        if ws.has_table(name):
            crimes = ws.crimes(
                p_start,
                p_end,
                types=list(cfg.profile_types) or None,
                synthetic=synthetic,
                columns=["occurred_at", "harm", "month", "crime_type", "geometry"],
            )
            break
    plan = plan_quarter(tgps, cfg, quarter, crimes=crimes, seed=seed, pins=pins)
    plan.summary["synthetic_inputs"] = bool(
        ws.is_synthetic("tgps") or ws.is_synthetic("teams") or ws.is_synthetic("crimes_synthetic")
    )
    return plan


def load_workspace_config(ws) -> PlanConfig:
    """Load a workspace's plan configuration.

    Parameters
    ----------
    ws : Workspace
        The workspace.

    Returns
    -------
    PlanConfig
        ``plan/config.json`` when present, else the default configuration built from the
        workspace's teams and officers.
    """
    p = ws.path("plan/config.json")
    if p.exists():
        return PlanConfig.load(p)
    if ws.has_table("teams") and ws.has_table("officers"):
        return default_config(ws.teams(), ws.officers())
    raise PlannerError(f"workspace {ws.root} has no plan/config.json and no teams/officers tables")


__all__ = ["QuarterPlan", "load_workspace_config", "plan_quarter", "plan_workspace_quarter"]

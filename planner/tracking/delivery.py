"""Plan against delivery: hours, place-days delivered and the annual trajectory.

Hours per TGP, LPA, method, day, week and quarter; place-days delivered against the 95%
target; the pro-rata trajectory against the annual target.

Definitions (documented defaults in :class:`DeliveryConfig`):

* planned patrol-hours (``minutes`` of ``visits.parquet``) compare with tracked
  **presence**-hours; planned officer-hours (``officer_minutes``) with tracked **officer**-hours;
* a planned place-day (a TGP on a day with planned minutes) is **delivered** when the TGP had
  at least ``delivered_min_minutes`` (10, one Koper dose) of presence that day;
* the annual target (33,323 h from 1 April) is counted in ``target_unit``
  (:mod:`planner.units`; default patrol-hours = tracked presence-hours, the unit the plan is
  built in; or officer-hours) in the TGPs (GPS and logs, every method); the **pro-rata** target to a day is the target times the share of the
  funding year's days elapsed; the **forecast** adds the mean daily hours of the last
  ``run_rate_days`` days for each remaining day; a **shortfall alert** is raised when the
  forecast falls short of the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.tracking.dwell import DwellConfig, place_days
from planner.units import MEANING, PATROL_HOURS, TRACKED_COLUMN, check_unit, label

#: the funded visible-patrol target (hours per funding year; Home Office Grip, WMP)
ANNUAL_TARGET_HOURS = 33_323.0
#: delivery methods (``method`` of ``visits.parquet``)
METHODS = ("gtf", "lpa_patrol", "asb_patrol", "la_patrol")
#: team kind -> delivery method when the plan does not say
KIND_METHOD = {
    "gtf": "gtf",
    "lpa_patrol": "lpa_patrol",
    "la_patrol": "la_patrol",
    "neighbourhood": "asb_patrol",
}


@dataclass(frozen=True)
class DeliveryConfig:
    """Targets and thresholds of the delivery report (documented defaults)."""

    annual_target_hours: float = ANNUAL_TARGET_HOURS
    #: funding years start on 1 April
    fy_start_month: int = 4
    #: presence minutes that make a planned place-day delivered (one Koper dose)
    delivered_min_minutes: float = 10.0
    #: target share of planned place-days delivered
    place_day_target: float = 0.95
    #: days of recent delivery used for the year-end run rate
    run_rate_days: int = 28
    #: the unit the target is counted in (planner.units: patrol-hours or officer-hours)
    target_unit: str = PATROL_HOURS


def fy_start(d: date, month: int = 4) -> date:
    """Return 1 April (or ``month``) of the funding year ``d`` falls in.

    Parameters
    ----------
    d : datetime.date
        The date.
    month : int
        First month of the funding year.

    Returns
    -------
    datetime.date
        The first day of that funding year.

    Examples
    --------
    >>> fy_start(date(2026, 3, 31)), fy_start(date(2026, 4, 1))
    (datetime.date(2025, 4, 1), datetime.date(2026, 4, 1))
    """
    return date(d.year if d.month >= month else d.year - 1, month, 1)


# ---- methods ---------------------------------------------------------------------------
def row_methods(
    rows: pd.DataFrame,
    officers: np.ndarray,
    tgp_ids: np.ndarray,
    *,
    officer_team: pd.Series | None = None,
    team_kind: pd.Series | None = None,
    plan: pd.DataFrame | None = None,
    default: str = "gtf",
) -> np.ndarray:
    """Return the delivery method of each visit-day row.

    The plan's method for the officer's team in that TGP when the plan has one (most common),
    otherwise the method of the team's kind (:data:`KIND_METHOD`), otherwise ``default``.

    Parameters
    ----------
    rows : pandas.DataFrame
        Visit-day rows (:attr:`DwellResult.rows`, plus log rows).
    officers : numpy.ndarray
        officer_id per officer code of ``rows``.
    tgp_ids : numpy.ndarray
        tgp_id per TGP position of ``rows``.
    officer_team : pandas.Series, optional
        team_id by officer_id.
    team_kind : pandas.Series, optional
        Team kind by team_id.
    plan : pandas.DataFrame, optional
        The plan's visits (``tgp_id, date, method, minutes``).
    default : str
        Method when nothing else is known.

    Returns
    -------
    numpy.ndarray
        Method name per row.
    """
    off = pd.Series(np.asarray(officers, dtype=object)[rows["officer"].to_numpy()])
    tg = pd.Series(np.asarray(tgp_ids)[rows["tgp"].to_numpy()])
    team = off.map(officer_team) if officer_team is not None else pd.Series([None] * len(off))
    method = pd.Series([None] * len(off), dtype=object)
    if plan is not None and len(plan) and officer_team is not None:
        mode = plan.groupby(["team_id", "tgp_id"])["method"].agg(
            lambda s: s.value_counts().index[0]
        )
        key = pd.MultiIndex.from_arrays([team.astype(object), tg.astype(object)])
        method = pd.Series(mode.reindex(key).to_numpy(), dtype=object)
    if team_kind is not None:
        by_kind = team.map(team_kind).map(KIND_METHOD)
        method = method.where(method.notna(), by_kind)
    if plan is not None and len(plan) and method.isna().any():
        # no team known: the method with the most planned minutes in that TGP that day
        p = plan.assign(date=pd.to_datetime(plan["date"]).astype("datetime64[s]"))
        planned = p.groupby(["tgp_id", "date", "method"])["minutes"].sum().reset_index()
        top = (
            planned.sort_values("minutes")
            .drop_duplicates(["tgp_id", "date"], keep="last")
            .set_index(["tgp_id", "date"])["method"]
        )
        key = pd.MultiIndex.from_arrays(
            [tg.astype(object), pd.to_datetime(rows["date"].to_numpy()).astype("datetime64[s]")]
        )
        method = method.where(method.notna(), pd.Series(top.reindex(key).to_numpy(), dtype=object))
    return method.fillna(default).astype(str).to_numpy()


def delivered_place_days(
    rows: pd.DataFrame, methods: np.ndarray, tgp_ids: np.ndarray, cfg: DwellConfig | None = None
) -> pd.DataFrame:
    """Place-days per method (presence is the union within a method) plus ``method="all"``.

    Parameters
    ----------
    rows : pandas.DataFrame
        Visit-day rows.
    methods : numpy.ndarray
        :func:`row_methods` per row.
    tgp_ids : numpy.ndarray
        tgp_id per TGP position.
    cfg : DwellConfig, optional
        The Koper threshold for compliant visits.

    Returns
    -------
    pandas.DataFrame
        :func:`~planner.tracking.dwell.place_days` columns and ``method``.
    """
    out = []
    methods = np.asarray(methods)
    for m in sorted(set(methods)):  # a handful of methods
        pdm = place_days(rows[methods == m], tgp_ids, cfg)
        pdm.insert(2, "method", m)
        out.append(pdm)
    allm = place_days(rows, tgp_ids, cfg)
    allm.insert(2, "method", "all")
    out.append(allm)
    return pd.concat(out, ignore_index=True)


# ---- plan -------------------------------------------------------------------------------
PLAN_REQUIRED = ("tgp_id", "method", "date", "minutes", "officer_minutes")


def read_plan(path) -> pd.DataFrame:
    """Read ``visits.parquet`` from a plan folder (or the file itself).

    Parameters
    ----------
    path : str or Path
        The plan folder or the Parquet file.

    Returns
    -------
    pandas.DataFrame
        The planned visits.

    Raises
    ------
    PlannerError
        When there is no plan there.
    """
    from pathlib import Path

    p = Path(path)
    if p.is_dir():
        p = p / "visits.parquet"
    if not p.exists():
        raise PlannerError(f"{p}: no plan visits (expected visits.parquet from `planner schedule`)")
    try:
        plan = pd.read_parquet(p)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a non-Parquet file
        raise PlannerError(
            f"{p}: not a plan visits Parquet file ({exc.__class__.__name__}); give the folder "
            "`planner schedule` wrote"
        ) from None
    miss = [c for c in PLAN_REQUIRED if c not in plan.columns]
    if miss:
        raise PlannerError(f"{p}: plan lacks column(s) {', '.join(miss)}")
    return plan


def planned_place_days(plan: pd.DataFrame) -> pd.DataFrame:
    """Total the plan per TGP, day and method: minutes, officer-minutes and visits.

    Parameters
    ----------
    plan : pandas.DataFrame
        Planned visits.

    Returns
    -------
    pandas.DataFrame
        ``tgp_id, date, method, planned_minutes, planned_officer_minutes, planned_visits``.
    """
    p = plan.assign(date=pd.to_datetime(plan["date"]).astype("datetime64[s]"))
    g = p.groupby(["tgp_id", "date", "method"], observed=True).agg(
        planned_minutes=("minutes", "sum"),
        planned_officer_minutes=("officer_minutes", "sum"),
        planned_visits=("minutes", "size"),
    )
    return g.reset_index()


# ---- comparison ------------------------------------------------------------------------
LEVELS = ("tgp_id", "lpa", "method", "date", "week", "quarter")


def _with_keys(df: pd.DataFrame, lpa_of: pd.Series | None) -> pd.DataFrame:
    d = pd.to_datetime(df["date"])
    df = df.assign(
        week=(d - pd.to_timedelta(d.dt.day_of_week, unit="D")).astype("datetime64[s]"),
        quarter=d.dt.to_period("Q").astype(str),
    )
    df["lpa"] = df["tgp_id"].map(lpa_of) if lpa_of is not None else pd.NA
    return df


def compare(
    plan: pd.DataFrame,
    delivered: pd.DataFrame,
    *,
    lpa_of: pd.Series | None = None,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Compare planned with delivered per TGP, day and method (the finest level).

    Roll up with :func:`roll_up`.

    Parameters
    ----------
    plan : pandas.DataFrame
        Planned visits.
    delivered : pandas.DataFrame
        :func:`delivered_place_days` output.
    lpa_of : pandas.Series, optional
        LPA by tgp_id (adds ``lpa``).
    start, end : datetime.date, optional
        Days to keep (inclusive).

    Returns
    -------
    pandas.DataFrame
        One row per TGP, day and method with planned and delivered minutes.
    """
    pp = planned_place_days(plan)
    dd = delivered[delivered["method"] != "all"][
        [
            "tgp_id",
            "date",
            "method",
            "presence_minutes",
            "officer_minutes",
            "visits",
            "compliant_visits",
        ]
    ]
    m = pp.merge(dd, on=["tgp_id", "date", "method"], how="outer")
    for c in ("planned_minutes", "planned_officer_minutes", "presence_minutes", "officer_minutes"):
        m[c] = m[c].fillna(0.0)
    for c in ("planned_visits", "visits", "compliant_visits"):
        m[c] = m[c].fillna(0).astype("int64")
    if start is not None:
        m = m[m["date"] >= pd.Timestamp(start)]
    if end is not None:
        m = m[m["date"] <= pd.Timestamp(end)]
    return _with_keys(m.reset_index(drop=True), lpa_of)


def roll_up(cmp: pd.DataFrame, level: str | list[str]) -> pd.DataFrame:
    """Sum a :func:`compare` table to a level, with hours and delivery rates.

    Parameters
    ----------
    cmp : pandas.DataFrame
        :func:`compare` output.
    level : str or list of str
        ``tgp_id``, ``lpa``, ``method``, ``date``, ``week``, ``quarter`` or a list of them.

    Returns
    -------
    pandas.DataFrame
        One row per level value: planned and delivered (officer-)hours and ``delivery_rate``.
    """
    keys = [level] if isinstance(level, str) else list(level)
    g = cmp.groupby(keys, dropna=False)[
        [
            "planned_minutes",
            "presence_minutes",
            "planned_officer_minutes",
            "officer_minutes",
            "planned_visits",
            "compliant_visits",
        ]
    ].sum()
    out = pd.DataFrame(
        {
            "planned_hours": g["planned_minutes"] / 60.0,
            "delivered_hours": g["presence_minutes"] / 60.0,
            "planned_officer_hours": g["planned_officer_minutes"] / 60.0,
            "delivered_officer_hours": g["officer_minutes"] / 60.0,
            "planned_visits": g["planned_visits"],
            "compliant_visits": g["compliant_visits"],
        }
    )
    out["delivery_rate"] = np.where(
        out["planned_hours"] > 0,
        out["delivered_hours"] / out["planned_hours"].where(out["planned_hours"] > 0, 1),
        np.nan,
    )
    out["officer_delivery_rate"] = np.where(
        out["planned_officer_hours"] > 0,
        out["delivered_officer_hours"]
        / out["planned_officer_hours"].where(out["planned_officer_hours"] > 0, 1),
        np.nan,
    )
    return out.reset_index()


def place_day_share(
    plan: pd.DataFrame,
    delivered: pd.DataFrame,
    cfg: DeliveryConfig | None = None,
    *,
    by: str | None = None,
) -> pd.DataFrame:
    """Share of planned place-days delivered (presence >= ``delivered_min_minutes``).

    Parameters
    ----------
    plan : pandas.DataFrame
        Planned visits.
    delivered : pandas.DataFrame
        :func:`delivered_place_days` output.
    cfg : DeliveryConfig, optional
        Minimum presence and the target share (95%).
    by : str, optional
        A column to break the share down by (e.g. ``lpa``); default one force row.

    Returns
    -------
    pandas.DataFrame
        ``planned_place_days``, ``delivered_place_days``, ``share``, ``target`` and ``met``.
    """
    cfg = cfg or DeliveryConfig()
    pp = (
        planned_place_days(plan)
        .groupby(["tgp_id", "date"], as_index=False)["planned_minutes"]
        .sum()
    )
    pp = pp[pp["planned_minutes"] > 0]
    allm = delivered[delivered["method"] == "all"][["tgp_id", "date", "presence_minutes"]]
    m = pp.merge(allm, on=["tgp_id", "date"], how="left").fillna({"presence_minutes": 0.0})
    m["delivered"] = m["presence_minutes"] >= cfg.delivered_min_minutes - 1e-9
    if by is None:
        keys = pd.Series("all", index=m.index, name="scope")
    elif by == "quarter":
        keys = pd.to_datetime(m["date"]).dt.to_period("Q").astype(str).rename("quarter")
    else:
        keys = m[by]
    g = m.groupby(keys)["delivered"].agg(planned_place_days="size", delivered_place_days="sum")
    g["share"] = g["delivered_place_days"] / g["planned_place_days"]
    g["target"] = cfg.place_day_target
    g["met"] = g["share"] >= cfg.place_day_target
    return g.reset_index()


@dataclass
class Trajectory:
    """Cumulative delivery against the pro-rata annual target, with the year-end forecast."""

    daily: pd.DataFrame  #: date, delivered_hours, cumulative_hours, pro_rata_target_hours
    fy_start: date
    fy_end: date
    as_of: date
    target_hours: float
    delivered_hours: float
    pro_rata_hours: float
    run_rate_hours_per_day: float
    forecast_hours: float
    shortfall_hours: float
    required_hours_per_day: float
    alert: bool
    notes: list[str] = field(default_factory=list)
    unit: str = PATROL_HOURS

    def summary(self) -> dict:
        """Return the trajectory's figures (rounded, JSON-ready).

        Returns
        -------
        dict
            Funding-year start, as-of date, target, delivered, pro rata, run rate, forecast,
            shortfall, required daily rate and the alert.
        """
        return {
            "unit": self.unit,
            "unit_meaning": MEANING[self.unit],
            "fy_start": str(self.fy_start),
            "as_of": str(self.as_of),
            "target_hours": round(self.target_hours, 2),
            "delivered_hours": round(self.delivered_hours, 2),
            "pro_rata_hours": round(self.pro_rata_hours, 2),
            "ahead_of_pro_rata_hours": round(self.delivered_hours - self.pro_rata_hours, 2),
            "run_rate_hours_per_day": round(self.run_rate_hours_per_day, 3),
            "forecast_hours": round(self.forecast_hours, 2),
            "shortfall_hours": round(self.shortfall_hours, 2),
            "required_hours_per_day": round(self.required_hours_per_day, 3),
            "alert": bool(self.alert),
        }


def trajectory(
    daily_hours: pd.Series, as_of: date, cfg: DeliveryConfig | None = None
) -> Trajectory:
    """Trajectory from delivered hours per day up to and including ``as_of``.

    Parameters
    ----------
    daily_hours : pandas.Series
        Hours delivered per day (index: dates), in ``cfg.target_unit``.
    as_of : datetime.date
        The last day counted.
    cfg : DeliveryConfig, optional
        Annual target and funding-year start.

    Returns
    -------
    Trajectory
        Cumulative delivery against the pro-rata target and the year-end forecast.

    Examples
    --------
    >>> s = pd.Series(90.0, index=pd.date_range("2025-04-01", "2025-04-30"))
    >>> t = trajectory(s, date(2025, 4, 30))
    >>> round(t.forecast_hours), t.alert
    (32850, True)
    """
    cfg = cfg or DeliveryConfig()
    unit = check_unit(cfg.target_unit)
    start = fy_start(as_of, cfg.fy_start_month)
    end = date(start.year + 1, start.month, 1) - pd.Timedelta(days=1)
    end = end.date() if hasattr(end, "date") else end
    days = pd.date_range(start, as_of, freq="D")
    if len(days) == 0:
        raise PlannerError("as_of is before the funding year starts")
    s = pd.Series(daily_hours, dtype="float64")
    s.index = pd.to_datetime(s.index)
    s = s.groupby(s.index.normalize()).sum().reindex(days, fill_value=0.0)
    n_year = (pd.Timestamp(end) - pd.Timestamp(start)).days + 1
    elapsed = np.arange(1, len(days) + 1)
    target = cfg.annual_target_hours
    daily = pd.DataFrame(
        {
            "date": days.astype("datetime64[s]"),
            "delivered_hours": s.to_numpy(),
            "cumulative_hours": s.cumsum().to_numpy(),
            "pro_rata_target_hours": target * elapsed / n_year,
            "unit": unit,
        }
    )
    delivered = float(daily["cumulative_hours"].iloc[-1])
    pro_rata = float(daily["pro_rata_target_hours"].iloc[-1])
    recent = s.iloc[-cfg.run_rate_days :]
    rate = float(recent.mean())
    remaining = n_year - len(days)
    forecast = delivered + rate * remaining
    shortfall = max(target - forecast, 0.0)
    required = (target - delivered) / remaining if remaining > 0 else float("nan")
    notes = []
    if forecast < target:
        notes.append(
            f"forecast {label(forecast, unit, 0)} is {label(shortfall, unit, 0)} short of "
            f"{label(target, unit, 0)}: {required:,.1f} a day needed for the remaining "
            f"{remaining} days (recent {rate:,.1f} a day)"
        )
    return Trajectory(
        daily=daily,
        fy_start=start,
        fy_end=end,
        as_of=as_of,
        target_hours=target,
        delivered_hours=delivered,
        pro_rata_hours=pro_rata,
        run_rate_hours_per_day=rate,
        forecast_hours=forecast,
        shortfall_hours=shortfall,
        required_hours_per_day=required,
        alert=forecast < target,
        notes=notes,
        unit=unit,
    )


@dataclass
class DeliveryReport:
    """Everything the CLI, notebook and app show about plan against delivery."""

    compare: pd.DataFrame
    by: dict[str, pd.DataFrame]
    place_days: pd.DataFrame  #: share of planned place-days delivered (overall)
    place_days_by_quarter: pd.DataFrame
    trajectory: Trajectory | None
    unit: str = PATROL_HOURS  #: the unit of the target (planner.units)

    def summary(self) -> dict:
        """Return the report's headline figures (the ``planner delivery --json`` object).

        Returns
        -------
        dict
            Planned and delivered (officer-)hours, delivery rate, place-day share and target, by
            method, and the trajectory.
        """
        tot = roll_up(self.compare.assign(_all="all"), "_all").iloc[0]
        pdays = self.place_days.iloc[0] if len(self.place_days) else None
        out = {
            "planned_hours": round(float(tot["planned_hours"]), 2),
            "delivered_hours": round(float(tot["delivered_hours"]), 2),
            "planned_officer_hours": round(float(tot["planned_officer_hours"]), 2),
            "delivered_officer_hours": round(float(tot["delivered_officer_hours"]), 2),
            # the pair the target is counted in (patrol-hours: planned minutes against
            # presence; officer-hours: planned against delivered officer-hours)
            "target_unit": self.unit,
            "target_unit_meaning": MEANING[self.unit],
            "planned_target_unit_hours": round(
                float(
                    tot["planned_hours" if self.unit == PATROL_HOURS else "planned_officer_hours"]
                ),
                2,
            ),
            "delivered_target_unit_hours": round(
                float(
                    tot[
                        "delivered_hours"
                        if self.unit == PATROL_HOURS
                        else "delivered_officer_hours"
                    ]
                ),
                2,
            ),
            "delivery_rate": None
            if np.isnan(tot["delivery_rate"])
            else round(float(tot["delivery_rate"]), 4),
            "planned_place_days": int(pdays["planned_place_days"]) if pdays is not None else 0,
            "delivered_place_days": int(pdays["delivered_place_days"]) if pdays is not None else 0,
            "place_day_share": round(float(pdays["share"]), 4) if pdays is not None else None,
            "place_day_target": float(pdays["target"]) if pdays is not None else None,
            "by_method": {
                r["method"]: {
                    "planned_hours": round(r["planned_hours"], 2),
                    "delivered_hours": round(r["delivered_hours"], 2),
                }
                for _, r in self.by["method"].iterrows()
            },
        }
        if self.trajectory is not None:
            out["trajectory"] = self.trajectory.summary()
        return out


def delivery_report(
    plan: pd.DataFrame,
    delivered: pd.DataFrame,
    *,
    lpa_of: pd.Series | None = None,
    as_of: date | None = None,
    daily_officer_hours: pd.Series | None = None,
    cfg: DeliveryConfig | None = None,
    start: date | None = None,
    daily_hours: pd.Series | None = None,
) -> DeliveryReport:
    """Plan against delivery from ``start`` up to ``as_of``.

    ``daily_hours`` (all delivered hours per day since 1 April in ``cfg.target_unit``, e.g.
    earlier quarters' logs plus this quarter's GPS) drives the trajectory; by default the
    delivered place-days' hours in that unit (presence minutes for patrol-hours, officer
    minutes for officer-hours) are used. ``daily_officer_hours`` is the former name of
    ``daily_hours`` (accepted only with ``target_unit="officer-hours"``).

    Parameters
    ----------
    plan : pandas.DataFrame
        Planned visits (:func:`read_plan`).
    delivered : pandas.DataFrame
        :func:`delivered_place_days` output.
    lpa_of : pandas.Series, optional
        LPA by tgp_id (adds the LPA roll-up).
    as_of : datetime.date, optional
        Last day counted (inclusive); default the plan's last day.
    daily_officer_hours : pandas.Series, optional
        Officer-hours per day for the trajectory (only with ``target_unit="officer-hours"``).
    cfg : DeliveryConfig, optional
        Place-day threshold, target share, annual target and its unit.
    start : datetime.date, optional
        First day compared; default the plan's first day.
    daily_hours : pandas.Series, optional
        Delivered hours per day in ``cfg.target_unit`` for the trajectory.

    Returns
    -------
    DeliveryReport
        The comparison, roll-ups by TGP, LPA, method and week, place-day shares and the
        trajectory.
    """
    cfg = cfg or DeliveryConfig()
    if as_of is None:
        as_of = pd.to_datetime(plan["date"]).max().date() if len(plan) else date.today()
    if start is None and len(plan):
        start = pd.to_datetime(plan["date"]).min().date()
    p = plan[pd.to_datetime(plan["date"]) <= pd.Timestamp(as_of)]
    if start is not None:
        p = p[pd.to_datetime(p["date"]) >= pd.Timestamp(start)]
    upto = delivered[pd.to_datetime(delivered["date"]) <= pd.Timestamp(as_of)]
    d = upto[pd.to_datetime(upto["date"]) >= pd.Timestamp(start)] if start is not None else upto
    cmp = compare(p, d, lpa_of=lpa_of, start=start, end=as_of)
    by = {lvl: roll_up(cmp, lvl) for lvl in LEVELS}
    by["lpa_method"] = roll_up(cmp, ["lpa", "method"])
    share = place_day_share(p, d, cfg)
    share_q = place_day_share(p, d, cfg, by="quarter")
    unit = check_unit(cfg.target_unit)
    if daily_officer_hours is not None:
        if unit != "officer-hours":
            raise PlannerError(
                "daily officer-hours given for a target counted in patrol-hours; pass daily_hours "
                "in the target's unit or set target_unit='officer-hours'"
            )
        daily_hours = daily_officer_hours
    if daily_hours is None:
        allm = upto[upto["method"] == "all"]
        daily_hours = allm.groupby("date")[TRACKED_COLUMN[unit]].sum() / 60.0
    traj = trajectory(daily_hours, as_of, cfg) if len(daily_hours) else None
    return DeliveryReport(
        compare=cmp,
        by=by,
        place_days=share,
        place_days_by_quarter=share_q,
        trajectory=traj,
        unit=unit,
    )

"""Analytics over the records store (called by the app, the CLI and the notebooks).

* Engagements: drill-down force -> LPA -> neighbourhood team -> officer for any period, broken
  down by type, method, priority group or minority group reached; engagement gaps per ward
  against population and demand.
* Abstractions: by type, team, officer or LPA, seen from the abstracted or the authorising
  officer (totals are the same either way); hours lost; benchmark period and per-LPA
  improvement objectives with progress.
* DNO tenure: vacancies, DNOs under two years in post, missing handovers, the annual
  comparison against a baseline.
* Neighbourhood Policing Guarantee: named officers per ward, NPP1 completion.

An engagement or abstraction belongs to the team the officer was posted to on that day
(postings), else the officer's current team; its LPA is the team's LPA, else the officer's,
else the ward's. Officers with no team are grouped under :data:`NO_TEAM`, so nothing is
dropped and every level adds up to the one above.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import and_

from planner.errors import PlannerError
from planner.records import models as m
from planner.records.periods import Period, parse_period
from planner.records.store import RecordStore
from planner.records.vocab import NEIGHBOURHOOD_ROLES

LOCAL_TZ = "Europe/London"
NO_TEAM = "(no team)"
NO_LPA = "(no LPA)"
#: minimum DNO tenure (years) the force paper sets
DNO_MIN_YEARS = 2.0
DAYS_PER_YEAR = 365.25
ENGAGEMENT_BY = ("engagement_type", "method", "priority_group", "minority_group")
LEVELS = ("force", "lpa", "sector", "team", "officer")
NO_SECTOR = "(no sector)"
Perspective = Literal["abstracted", "authorising"]


def _period(period: Any, today: date | None) -> Period:
    if isinstance(period, Period):
        return period
    if today is None:
        if isinstance(period, tuple):
            today = date.today()
        else:
            raise PlannerError("a period in words needs today's date (today=...)")
    return parse_period(period, today)


def _utc_bounds(p: Period) -> tuple[datetime, datetime]:
    """Naive-UTC bounds (a day either side) for a local-day period; filter exactly afterwards."""
    return datetime.combine(p.start - timedelta(days=1), datetime.min.time()), datetime.combine(
        p.end + timedelta(days=2), datetime.min.time()
    )


def _local_date(utc_naive: pd.Series) -> pd.Series:
    t = pd.to_datetime(utc_naive).dt.tz_localize("UTC").dt.tz_convert(LOCAL_TZ)
    return t.dt.tz_localize(None).dt.normalize()


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).astype("datetime64[us]")


def people(store: RecordStore) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(officers, teams, postings, wards) from the store, with dates as datetime64.

    Parameters
    ----------
    store : RecordStore
        The records store.

    Returns
    -------
    tuple of pandas.DataFrame
        Officers, teams, postings and wards.
    """
    officers = store.frame("officers")
    teams = store.frame("teams")
    postings = store.frame("postings")
    wards = store.frame("wards")
    for c in ("start", "end", "handover_date"):
        postings[c] = _dates(postings[c])
    return officers, teams, postings, wards


def sectors(store: RecordStore) -> pd.DataFrame:
    """The optional sector level per ward: ``ward_code, sector_code, sector_name``.

    Empty when the force has no sectors (no ``ward_sectors`` rows).

    Parameters
    ----------
    store : RecordStore
        The records store.

    Returns
    -------
    pandas.DataFrame
        ``ward_code, sector_code, sector_name``.
    """
    return store.frame("ward_sectors")


def team_sectors(store: RecordStore) -> pd.Series:
    """Sector code per team (``team_id`` index): the sector most of the team's wards are in.

    A team's wards are the wards whose ``nbh_code`` is the team's ``nbh_code`` (else its id).
    Teams in no sector are absent.

    Parameters
    ----------
    store : RecordStore
        The records store.

    Returns
    -------
    pandas.Series
        ``sector_code`` indexed by ``team_id``.
    """
    sec = sectors(store)
    teams = store.frame("teams")
    if sec.empty or teams.empty:
        return pd.Series(dtype=object, name="sector_code")
    wards = store.frame("wards")[["ward_code", "nbh_code"]].merge(sec, on="ward_code")
    nbh = teams["nbh_code"].where(teams["nbh_code"].notna(), teams["team_id"])
    j = pd.DataFrame({"team_id": teams["team_id"], "nbh_code": nbh}).merge(wards, on="nbh_code")
    if j.empty:
        return pd.Series(dtype=object, name="sector_code")
    top = (
        j.groupby(["team_id", "sector_code"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["team_id", "n", "sector_code"], ascending=[True, False, True])
        .drop_duplicates("team_id")
    )
    return top.set_index("team_id")["sector_code"]


def add_sector(store: RecordStore, df: pd.DataFrame) -> pd.DataFrame:
    """Add ``sector_code`` (of the record's team, else of its ward, else :data:`NO_SECTOR`).

    Parameters
    ----------
    store : RecordStore
        The records store.
    df : pandas.DataFrame
        Records with ``team_id`` and/or ``ward_code``.

    Returns
    -------
    pandas.DataFrame
        ``df`` with a ``sector_code`` column.
    """
    ts = team_sectors(store)
    sec = df["team_id"].map(ts) if len(ts) else pd.Series(None, index=df.index, dtype=object)
    ws = sectors(store)
    if "ward_code" in df and len(ws):
        sec = sec.where(sec.notna(), df["ward_code"].map(ws.set_index("ward_code")["sector_code"]))
    return df.assign(sector_code=sec.where(sec.notna(), NO_SECTOR).astype(object))


def assign_teams(
    records: pd.DataFrame,
    officer_col: str,
    date_col: str,
    store_people: tuple | None = None,
    *,
    store: RecordStore | None = None,
    prefix: str = "",
) -> pd.DataFrame:
    """Add ``{prefix}team_id`` and ``{prefix}lpa`` for ``officer_col`` on ``date_col`` (vectorised).

    Parameters
    ----------
    records : pandas.DataFrame
        Records with an officer and a date column.
    officer_col : str
        The officer id column.
    date_col : str
        The date column (the posting on that day gives the team).
    store_people : tuple, optional
        :func:`people` of the store, when already read.
    store : RecordStore, optional
        Read the people tables from here when ``store_people`` is None.
    prefix : str
        Prefix of the added column names (``auth_`` for the authoriser).

    Returns
    -------
    pandas.DataFrame
        ``records`` with ``{prefix}team_id`` and ``{prefix}lpa`` (None where no posting).
    """
    if store_people is None:
        if store is None:
            raise TypeError("assign_teams needs store_people or store")
        store_people = people(store)
    officers, teams, postings, wards = store_people
    rec = records.reset_index(drop=True)
    key = pd.DataFrame(
        {
            "_row": np.arange(len(rec)),
            "officer_id": rec[officer_col].astype(object),
            "_d": rec[date_col],
        }
    )
    post = postings[["officer_id", "team_id", "start", "end"]].dropna(subset=["team_id"])
    j = key.merge(post, on="officer_id", how="inner")
    j = j[(j["start"] <= j["_d"]) & (j["end"].isna() | (j["_d"] <= j["end"]))]
    j = j.sort_values(["_row", "start"]).drop_duplicates("_row", keep="last").set_index("_row")
    team = pd.Series(j["team_id"], dtype=object).reindex(key["_row"])
    off = officers.set_index("officer_id")
    fallback_team = (
        key["officer_id"].map(off["team_id"])
        if len(off)
        else pd.Series(None, index=key.index, dtype=object)
    )
    team_ids = team.to_numpy(dtype=object)
    team_ids = np.where(pd.isna(team_ids), fallback_team.to_numpy(dtype=object), team_ids)
    team_lpa = (
        pd.Series(team_ids).map(teams.set_index("team_id")["lpa"])
        if len(teams)
        else pd.Series([None] * len(team_ids))
    )
    lpa = team_lpa.astype(object)
    if len(off):
        lpa = lpa.where(lpa.notna(), key["officer_id"].map(off["lpa"]))
    if "ward_code" in rec and len(wards):
        lpa = lpa.where(lpa.notna(), rec["ward_code"].map(wards.set_index("ward_code")["lpa"]))
    rec[f"{prefix}team_id"] = (
        pd.Series(team_ids, dtype=object).where(pd.notna(team_ids), NO_TEAM).to_numpy()
    )
    rec[f"{prefix}lpa"] = lpa.where(lpa.notna(), NO_LPA).to_numpy()
    return rec


# ---- engagements --------------------------------------------------------------------
def engagements_frame(
    store: RecordStore, period: Any = None, *, today: date | None = None
) -> pd.DataFrame:
    """Engagements in a period (all when None) with local ``date``, ``team_id`` and ``lpa``.

    Parameters
    ----------
    store : RecordStore
        The records store.
    period : Period, tuple or str, optional
        The period (as :func:`engagement_counts`); None = every engagement.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    pandas.DataFrame
        One row per engagement, with ``date``, ``team_id``, ``lpa`` (and ``sector_code``).
    """
    e = m.Engagement
    where = None
    p = _period(period, today) if period is not None else None
    if p is not None:
        lo, hi = _utc_bounds(p)
        where = and_(e.occurred_at >= lo, e.occurred_at < hi)
    df = store.frame("engagements", where)
    df["occurred_at"] = _dates(df["occurred_at"])
    df["date"] = _local_date(df["occurred_at"])
    if p is not None:
        df = df[(df["date"] >= pd.Timestamp(p.start)) & (df["date"] <= pd.Timestamp(p.end))]
    return add_sector(store, assign_teams(df, "officer_id", "date", store=store))


def engagement_counts(
    store: RecordStore,
    period: Any = None,
    *,
    level: str = "lpa",
    by: str | None = None,
    lpa: str | None = None,
    team_id: str | None = None,
    today: date | None = None,
    frame: pd.DataFrame | None = None,
    sector: str | None = None,
) -> pd.DataFrame:
    """Engagement counts at one drill-down level, optionally within one LPA, sector or team.

    Parameters
    ----------
    level
        "force", "lpa", "sector" (keys ``lpa, sector_code``; :data:`NO_SECTOR` where the
        force has none), "team" or "officer".
    by
        Break down by "engagement_type", "method", "priority_group" or "minority_group"
        (one column per value, plus ``engagements`` = the row total).
    lpa, sector, team_id
        Drill into one LPA / sector (code) / team.
    store : RecordStore
        The records store.
    period : Period, tuple or str, optional
        The period (:class:`~planner.records.periods.Period`, ``(start, end)`` or words with
        ``today``); None = every engagement.
    today : datetime.date, optional
        Reference date for a period given in words.
    frame : pandas.DataFrame, optional
        The records already read for the period (saves reading them again).

    Returns
    -------
    DataFrame
        One row per group at ``level``: the key columns and ``engagements`` (and one column
        per category of ``by``).
    """
    if level not in LEVELS:
        raise PlannerError(f"unknown level '{level}' (use {', '.join(LEVELS)})")
    if by is not None and by not in ENGAGEMENT_BY:
        raise PlannerError(
            f"cannot break engagements down by '{by}' (use {', '.join(ENGAGEMENT_BY)})"
        )
    df = engagements_frame(store, period, today=today) if frame is None else frame
    if lpa is not None:
        df = df[df["lpa"] == lpa]
    if team_id is not None:
        df = df[df["team_id"] == team_id]
    if sector is not None:
        df = df[df["sector_code"] == sector]
    keys = {
        "force": [],
        "lpa": ["lpa"],
        "sector": ["lpa", "sector_code"],
        "team": ["lpa", "team_id"],
        "officer": ["lpa", "team_id", "officer_id"],
    }[level]
    df = df.assign(force="force")
    keys = keys or ["force"]
    if by is None:
        out = df.groupby(keys, dropna=False).size().rename("engagements").reset_index()
    else:
        cat = df[by].astype(object).where(df[by].notna(), "(not recorded)")
        out = (
            pd.crosstab([df[k] for k in keys], cat).reset_index()
            if len(df)
            else pd.DataFrame(columns=keys)
        )
        out.columns.name = None
        vals = [c for c in out.columns if c not in keys]
        out["engagements"] = out[vals].sum(axis=1) if vals else 0
    return out.sort_values(keys).reset_index(drop=True)


def engagement_drilldown(
    store: RecordStore, period: Any = None, *, today: date | None = None
) -> pd.DataFrame:
    """All drill-down levels stacked: ``level, lpa, team_id, officer_id, engagements``.

    The "sector" level (with a ``sector_code`` column) is included when the force has sectors.

    Parameters
    ----------
    store : RecordStore
        The records store.
    period : Period, tuple or str, optional
        The period; None = every engagement.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    pandas.DataFrame
        One row per group of every level.
    """
    df = engagements_frame(store, period, today=today)
    with_sectors = bool(len(sectors(store)))
    parts = []
    for level in LEVELS:
        if level == "sector" and not with_sectors:
            continue
        c = engagement_counts(store, level=level, frame=df)
        c.insert(0, "level", level)
        parts.append(c.drop(columns=["force"], errors="ignore"))
    out = pd.concat(parts, ignore_index=True)
    cols = ["level", "lpa", "team_id", "officer_id", "engagements"]
    return out.reindex(columns=cols[:2] + ["sector_code"] + cols[2:] if with_sectors else cols)


@dataclass(frozen=True)
class GapConfig:
    """How engagement gaps are judged (documented defaults).

    Each ward's expected share of the engagements is ``population_weight`` x its share of the
    population plus ``1 - population_weight`` x its share of demand (when demand is given).
    A ward is a gap when it received less than ``threshold`` x its expected engagements.
    """

    population_weight: float = 0.5
    threshold: float = 0.5


def engagement_gaps(
    store: RecordStore,
    period: Any = None,
    *,
    demand: pd.Series | None = None,
    config: GapConfig = GapConfig(),
    today: date | None = None,
) -> pd.DataFrame:
    """Wards with little engagement for their population and demand.

    Parameters
    ----------
    demand
        Demand per ward (e.g. crime harm or calls), indexed by ``ward_code``; None = population only.
    store : RecordStore
        The records store.
    period : Period, tuple or str, optional
        The period; None = every engagement.
    config : GapConfig
        Expected-engagement rule and gap threshold.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    DataFrame, one row per ward in the store: ``ward_code, ward, lpa, population, demand,
    engagements, per_1000, expected, ratio, gap`` sorted by ``ratio`` (worst first).
    """
    wards = store.frame("wards")
    if wards.empty:
        raise PlannerError(
            "the records store has no wards; load them with load_reference(store, wards=...)"
        )
    e = engagements_frame(store, period, today=today)
    w = wards.set_index("ward_code")
    out = pd.DataFrame(
        {"ward": w["ward"], "lpa": w["lpa"], "population": w["population"].astype(float)}
    )
    out["demand"] = (
        demand.reindex(out.index).fillna(0.0).astype(float) if demand is not None else np.nan
    )
    out["engagements"] = e.groupby("ward_code").size().reindex(out.index).fillna(0).astype("int64")
    out["per_1000"] = out["engagements"] / out["population"] * 1000
    pop_share = out["population"] / out["population"].sum()
    if demand is not None and out["demand"].sum() > 0:
        share = (
            config.population_weight * pop_share
            + (1 - config.population_weight) * out["demand"] / out["demand"].sum()
        )
    else:
        share = pop_share
    total = out["engagements"].sum()
    out["expected"] = share * total
    out["ratio"] = (out["engagements"] / out["expected"]).where(out["expected"] > 0)
    out["gap"] = out["ratio"] < config.threshold
    return out.reset_index().sort_values(["ratio", "ward_code"]).reset_index(drop=True)


# ---- abstractions -------------------------------------------------------------------
def abstractions_frame(
    store: RecordStore, period: Any = None, *, today: date | None = None
) -> pd.DataFrame:
    """Abstractions in a period with local ``date`` and both perspectives' teams and LPAs.

    Columns added: ``date``, ``team_id``/``lpa`` (abstracted officer),
    ``auth_team_id``/``auth_lpa`` (authorising officer).

    Parameters
    ----------
    store : RecordStore
        The records store.
    period : Period, tuple or str, optional
        The period; None = every abstraction.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    pandas.DataFrame
        One row per abstraction, with the columns above.
    """
    a = m.Abstraction
    p = _period(period, today) if period is not None else None
    where = None
    if p is not None:
        lo, hi = _utc_bounds(p)
        where = and_(a.start >= lo, a.start < hi)
    df = store.frame("abstractions", where)
    df["start"] = _dates(df["start"])
    df["date"] = _local_date(df["start"])
    if p is not None:
        df = df[(df["date"] >= pd.Timestamp(p.start)) & (df["date"] <= pd.Timestamp(p.end))]
    ppl = people(store)
    df = assign_teams(df, "officer_id", "date", ppl)
    return assign_teams(df, "authorised_by", "date", ppl, prefix="auth_")


ABSTRACTION_BY = ("abstraction_type", "authoriser_level", "lpa", "team", "officer")


def abstraction_summary(
    store: RecordStore,
    period: Any = None,
    *,
    by: str = "abstraction_type",
    perspective: Perspective = "abstracted",
    today: date | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Abstractions and hours lost grouped ``by`` one of :data:`ABSTRACTION_BY`.

    ``perspective="abstracted"`` groups LPA/team/officer by the officer taken off their area;
    ``"authorising"`` by the officer who authorised it. Totals are identical either way.
    Columns: the group key(s), ``abstractions``, ``hours``, ``share_hours``.

    Parameters
    ----------
    store : RecordStore
        The records store.
    period : Period, tuple or str, optional
        The period; None = every abstraction.
    by : str
        One of :data:`ABSTRACTION_BY`.
    perspective : {'abstracted', 'authorising'}
        Whose LPA/team/officer the abstraction counts against.
    today : datetime.date, optional
        Reference date for a period given in words.
    frame : pandas.DataFrame, optional
        The records already read for the period (saves reading them again).

    Returns
    -------
    pandas.DataFrame
        The group key(s), ``abstractions``, ``hours``, ``share_hours``.
    """
    if by not in ABSTRACTION_BY:
        raise PlannerError(f"cannot group abstractions by '{by}' (use {', '.join(ABSTRACTION_BY)})")
    if perspective not in ("abstracted", "authorising"):
        raise PlannerError(
            f"perspective must be 'abstracted' or 'authorising', not '{perspective}'"
        )
    df = abstractions_frame(store, period, today=today) if frame is None else frame
    pre = "" if perspective == "abstracted" else "auth_"
    oid = "officer_id" if perspective == "abstracted" else "authorised_by"
    keys = {
        "abstraction_type": {"abstraction_type": df["abstraction_type"]},
        "authoriser_level": {"authoriser_level": df["authoriser_level"]},
        "lpa": {"lpa": df[f"{pre}lpa"]},
        "team": {"lpa": df[f"{pre}lpa"], "team_id": df[f"{pre}team_id"]},
        "officer": {"lpa": df[f"{pre}lpa"], "team_id": df[f"{pre}team_id"], "officer_id": df[oid]},
    }[by]
    g = pd.DataFrame(keys).assign(hours=df["hours"].astype(float))
    out = (
        g.groupby(list(keys), dropna=False)
        .agg(abstractions=("hours", "size"), hours=("hours", "sum"))
        .reset_index()
    )
    tot = out["hours"].sum()
    out["share_hours"] = out["hours"] / tot if tot else 0.0
    return out.sort_values("hours", ascending=False).reset_index(drop=True)


def abstraction_objectives(
    store: RecordStore,
    benchmark: Any,
    current: Any,
    objectives: dict[str, float] | None = None,
    *,
    today: date | None = None,
) -> pd.DataFrame:
    """Abstraction hours per week per LPA, current period against a benchmark period.

    Parameters
    ----------
    benchmark, current
        Periods (:class:`Period`, ``(start, end)`` or words with ``today``).
    objectives
        Improvement objective per LPA: the fractional reduction in hours per week the LPA
        commander committed to (0.2 = 20 % fewer). LPAs without one get NaN targets.
    store : RecordStore
        The records store.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    DataFrame per LPA: ``benchmark_hours_pw, current_hours_pw, change`` (fraction, negative =
    fewer), ``objective``, ``target_hours_pw``, ``progress`` (share of the targeted reduction
    achieved: 1 = met), ``met``.
    """
    b, c = _period(benchmark, today), _period(current, today)
    fb = abstractions_frame(store, b)
    fc = abstractions_frame(store, c)
    hb = fb.groupby("lpa")["hours"].sum() / b.weeks
    hc = fc.groupby("lpa")["hours"].sum() / c.weeks
    idx = hb.index.union(hc.index).union(pd.Index(list(objectives or {}), dtype=object))
    out = pd.DataFrame(
        {
            "benchmark_hours_pw": hb.reindex(idx).fillna(0.0),
            "current_hours_pw": hc.reindex(idx).fillna(0.0),
        }
    )
    out.index.name = "lpa"
    out["change"] = (out["current_hours_pw"] / out["benchmark_hours_pw"] - 1).where(
        out["benchmark_hours_pw"] > 0
    )
    out["objective"] = pd.Series(objectives or {}, dtype=float).reindex(idx)
    out["target_hours_pw"] = out["benchmark_hours_pw"] * (1 - out["objective"])
    wanted = out["benchmark_hours_pw"] - out["target_hours_pw"]
    achieved = out["benchmark_hours_pw"] - out["current_hours_pw"]
    out["progress"] = (achieved / wanted).where(wanted > 0)
    out["met"] = (out["current_hours_pw"] <= out["target_hours_pw"]).where(out["objective"].notna())
    return out.reset_index()


# ---- tenure -------------------------------------------------------------------------
def in_post(store: RecordStore, on: date, *, roles: tuple[str, ...] = ("DNO",)) -> pd.DataFrame:
    """Postings in ``roles`` covering day ``on`` (``end`` inclusive; None = current), with names.

    Parameters
    ----------
    store : RecordStore
        The records store.
    on : datetime.date
        The day looked at.
    roles : tuple of str
        Officer roles counted.

    Returns
    -------
    pandas.DataFrame
        One row per posting, with the officer's name.
    """
    officers, _teams, postings, _wards = people(store)
    d = pd.Timestamp(on)
    p = postings[
        postings["role"].isin(roles)
        & (postings["start"] <= d)
        & (postings["end"].isna() | (postings["end"] >= d))
    ]
    p = p.merge(
        officers[["officer_id", "name", "verified", "npp1_trained"]], on="officer_id", how="left"
    )
    p = p.assign(tenure_years=(d - p["start"]).dt.days / DAYS_PER_YEAR)
    return p.sort_values(["ward_code", "role", "start"]).reset_index(drop=True)


def _ward_list(store: RecordStore, postings: pd.DataFrame) -> pd.DataFrame:
    wards = store.frame("wards")
    if wards.empty:
        wards = pd.DataFrame({"ward_code": sorted(postings["ward_code"].dropna().unique())}).assign(
            ward=None, lpa=None
        )
    return wards


def dno_vacancies(store: RecordStore, on: date) -> pd.DataFrame:
    """Wards with no DNO in post on ``on`` (target: none), with the day the last DNO left.

    Parameters
    ----------
    store : RecordStore
        The records store.
    on : datetime.date
        The day looked at.

    Returns
    -------
    pandas.DataFrame
        One row per vacant ward, sorted by ``ward_code``.
    """
    _o, _t, postings, _w = people(store)
    wards = _ward_list(store, postings)
    cur = in_post(store, on)
    vac = wards[~wards["ward_code"].isin(cur["ward_code"])][["ward_code", "ward", "lpa"]].copy()
    past = postings[
        (postings["role"] == "DNO") & postings["end"].notna() & (postings["end"] < pd.Timestamp(on))
    ]
    last = past.groupby("ward_code")["end"].max().reindex(vac["ward_code"].to_numpy())
    vac["last_dno_left"] = _dates(pd.Series(last.to_numpy(), index=vac.index))
    vac["vacant_days"] = (pd.Timestamp(on) - vac["last_dno_left"]).dt.days
    return vac.sort_values("ward_code").reset_index(drop=True)


def short_tenures(
    store: RecordStore, on: date, *, min_years: float = DNO_MIN_YEARS
) -> pd.DataFrame:
    """DNOs in post on ``on`` for less than ``min_years`` (default 2) in their ward.

    Parameters
    ----------
    store : RecordStore
        The records store.
    on : datetime.date
        The day looked at.
    min_years : float
        Tenure (years) below which a DNO is listed.

    Returns
    -------
    pandas.DataFrame
        The DNOs in post with ``tenure_years`` below ``min_years``.
    """
    cur = in_post(store, on)
    return cur[cur["tenure_years"] < min_years].reset_index(drop=True)


def missing_handovers(
    store: RecordStore, *, since: date | None = None, on: date | None = None
) -> pd.DataFrame:
    """DNO postings that followed another DNO in the ward without a handover before starting.

    A handover counts when a ``handover_date`` on or before the new DNO's start is recorded,
    or when the predecessor was still in post on the new DNO's first day (an overlap). Only
    postings starting in ``[since, on]`` are checked (default: all). Columns: ``ward_code,
    officer_id, predecessor, predecessor_end, start, gap_days, handover_date, team_id``.

    Parameters
    ----------
    store : RecordStore
        The records store.
    since : datetime.date, optional
        First posting start checked (default: all).
    on : datetime.date, optional
        Last posting start checked (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per posting without a handover.
    """
    _o, _t, postings, _w = people(store)
    dno = postings[postings["role"] == "DNO"].sort_values(["ward_code", "start"]).copy()
    grp = dno.groupby("ward_code")
    dno["predecessor"] = grp["officer_id"].shift(1)
    dno["predecessor_end"] = grp["end"].shift(1)
    succ = dno[dno["predecessor"].notna()]
    if since is not None:
        succ = succ[succ["start"] >= pd.Timestamp(since)]
    if on is not None:
        succ = succ[succ["start"] <= pd.Timestamp(on)]
    recorded = succ["handover_date"].notna() & (succ["handover_date"] <= succ["start"])
    overlap = succ["predecessor_end"].isna() | (succ["predecessor_end"] >= succ["start"])
    out = succ[~recorded & ~overlap].copy()
    out["gap_days"] = (out["start"] - out["predecessor_end"]).dt.days - 1
    cols = [
        "ward_code",
        "officer_id",
        "predecessor",
        "predecessor_end",
        "start",
        "gap_days",
        "handover_date",
        "team_id",
    ]
    return out[cols].sort_values(["start", "ward_code"]).reset_index(drop=True)


def tenure_comparison(
    store: RecordStore, baseline: date, on: date, *, roles: tuple[str, ...] = ("DNO", "PCSO")
) -> pd.DataFrame:
    """Annual review: per ward, officers in post at the ``baseline`` date and on ``on``.

    Columns: ``ward_code, ward, lpa``, for each role ``<role>_baseline`` and ``<role>_now``
    counts, ``officers_baseline`` / ``officers_now`` (names), ``joined``, ``left`` (officer ids)
    and ``same_or_more`` (every role has at least as many officers as at the baseline).

    Parameters
    ----------
    store : RecordStore
        The records store.
    baseline : datetime.date
        The baseline date (e.g. last year's review).
    on : datetime.date
        The date compared with it.
    roles : tuple of str
        Officer roles counted.

    Returns
    -------
    pandas.DataFrame
        One row per ward.
    """
    _o, _t, postings, _w = people(store)
    wards = _ward_list(store, postings).set_index("ward_code")[["ward", "lpa"]]
    a, b = in_post(store, baseline, roles=roles), in_post(store, on, roles=roles)
    out = wards.copy()
    ok = pd.Series(True, index=out.index)
    for r in roles:
        out[f"{r}_baseline"] = (
            a[a["role"] == r]
            .groupby("ward_code")
            .size()
            .reindex(out.index)
            .fillna(0)
            .astype("int64")
        )
        out[f"{r}_now"] = (
            b[b["role"] == r]
            .groupby("ward_code")
            .size()
            .reindex(out.index)
            .fillna(0)
            .astype("int64")
        )
        ok &= out[f"{r}_now"] >= out[f"{r}_baseline"]

    def names(df: pd.DataFrame) -> pd.Series:
        lab = df["name"].fillna(df["officer_id"]) + " (" + df["role"] + ")"
        return lab.groupby(df["ward_code"]).agg("; ".join)

    def ids(df: pd.DataFrame) -> pd.Series:
        return df.groupby("ward_code")["officer_id"].agg(set)

    out["officers_baseline"] = names(a).reindex(out.index).fillna("")
    out["officers_now"] = names(b).reindex(out.index).fillna("")
    ia, ib = ids(a).reindex(out.index), ids(b).reindex(out.index)
    ia = ia.map(lambda s: s if isinstance(s, set) else set())
    ib = ib.map(lambda s: s if isinstance(s, set) else set())
    out["joined"] = [";".join(sorted(y - x)) for x, y in zip(ia, ib)]
    out["left"] = [";".join(sorted(x - y)) for x, y in zip(ia, ib)]
    out["same_or_more"] = ok
    return out.reset_index()


# ---- Neighbourhood Policing Guarantee --------------------------------------------------
def named_officers(store: RecordStore, on: date) -> pd.DataFrame:
    """Per ward: named DNO(s) and PCSO(s) in post on ``on`` and whether the ward has both.

    Parameters
    ----------
    store : RecordStore
        The records store.
    on : datetime.date
        The day looked at.

    Returns
    -------
    pandas.DataFrame
        One row per ward: the DNO and PCSO names and whether both are named.
    """
    _o, _t, postings, _w = people(store)
    wards = _ward_list(store, postings).set_index("ward_code")[["ward", "lpa"]]
    cur = in_post(store, on, roles=("DNO", "PCSO"))
    cur = cur.assign(label=cur["name"].fillna(cur["officer_id"]))
    out = wards.copy()
    for r in ("DNO", "PCSO"):
        sel = cur[cur["role"] == r]
        out[f"{r.lower()}s"] = (
            sel.groupby("ward_code")["label"].agg("; ".join).reindex(out.index).fillna("")
        )
        out[f"n_{r.lower()}"] = (
            sel.groupby("ward_code").size().reindex(out.index).fillna(0).astype("int64")
        )
    out["named_dno_and_pcso"] = (out["n_dno"] > 0) & (out["n_pcso"] > 0)
    return out.reset_index()


def npp1_completion(
    store: RecordStore,
    *,
    on: date | None = None,
    by: str = "lpa",
    roles: tuple[str, ...] = NEIGHBOURHOOD_ROLES,
) -> pd.DataFrame:
    """Share of neighbourhood officers (``roles``) who completed NPP1 accredited training.

    Officers are those in post on ``on`` (from postings; officers with no postings from their
    start date) or, when ``on`` is None, every verified officer whose role is in ``roles``.
    Grouped by "lpa", "team" or "force". Dated NPP1 completions (``training_records``) count
    from their date when ``on`` is given; the ``npp1_trained`` flag alone counts throughout.

    Parameters
    ----------
    store : RecordStore
        The records store.
    on : datetime.date, optional
        Count officers in post that day (None: every verified officer in ``roles``).
    by : str
        ``"lpa"``, ``"team"`` or ``"force"``.
    roles : tuple of str
        Officer roles counted.

    Returns
    -------
    pandas.DataFrame
        Per group: officers, trained and their share.
    """
    officers, teams, _p, _w = people(store)
    if on is not None:
        cur = in_post(store, on, roles=roles)[["officer_id", "team_id"]].drop_duplicates(
            "officer_id"
        )
        off = cur.merge(officers.drop(columns=["team_id"]), on="officer_id", how="left")
        # officers with no postings at all (e.g. LAT officers): in post from their start date
        start = pd.to_datetime(officers["start_date"])
        plain = officers[
            officers["role"].isin(roles)
            & officers["verified"].astype(bool)
            & ~officers["officer_id"].isin(_p["officer_id"])
            & (start.isna() | (start <= pd.Timestamp(on)))
        ]
        off = pd.concat([off, plain], ignore_index=True)
    else:
        off = officers[officers["role"].isin(roles) & officers["verified"].astype(bool)]
    off = off.assign(
        lpa=off["team_id"].map(teams.set_index("team_id")["lpa"]).fillna(off["lpa"]).fillna(NO_LPA),
        force="force",
    )
    key = {"lpa": ["lpa"], "team": ["lpa", "team_id"], "force": ["force"]}.get(by)
    if key is None:
        raise PlannerError(f"cannot group NPP1 completion by '{by}' (use lpa, team or force)")
    trained = (
        off["npp1_trained"].astype(object).where(off["npp1_trained"].notna(), False).astype(bool)
    )
    tr = store.frame("training_records")
    tr = tr[tr["course"] == "NPP1"]
    if on is not None and len(tr):
        # dated completions (issue 18) count from their date; the flag alone counts throughout
        when = off["officer_id"].map(
            dict(zip(tr["officer_id"], pd.to_datetime(tr["completed_on"])))
        )
        trained = (when.notna() & (when <= pd.Timestamp(on))) | (when.isna() & trained)
    out = (
        off.assign(trained=trained)
        .groupby(key, dropna=False)
        .agg(officers=("officer_id", "size"), trained=("trained", "sum"))
        .reset_index()
    )
    out["completion"] = out["trained"] / out["officers"]
    return out


# ---- one-call summary (CLI `planner records summary`) ---------------------------------
def summary(store: RecordStore, period: Any, *, today: date | None = None) -> dict[str, Any]:
    """Headline figures for a period: engagements and abstractions per LPA, tenure and NPG.

    Parameters
    ----------
    store : RecordStore
        The records store.
    period : Period, tuple or str
        The period: a :class:`~planner.records.periods.Period`, ``(start, end)`` dates, or
        words (``"last 28 days"``, ``"FY2025"``) that need ``today``.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    dict
        The headline figures (JSON-ready).
    """
    p = _period(period, today)
    on = p.end
    eng = engagement_counts(store, p, level="lpa")
    abs_ = abstraction_summary(store, p, by="lpa")
    vac = dno_vacancies(store, on)
    short = short_tenures(store, on)
    ho = missing_handovers(store, since=p.start, on=p.end)
    named = named_officers(store, on)
    npp1 = npp1_completion(store, on=on, by="force")
    officers = store.frame("officers")
    from planner.records import guarantee as gu
    from planner.records import neighbourhood as nb

    fills = nb.vacancy_fills(store, p)
    npp2 = nb.training_trajectory(
        store, Period(p.end, p.end), nb.TrainingTarget(course="NPP2", target_date=p.end)
    )
    soh = gu.soh_by_month(store, p)
    soh_force = soh[soh["lpa"] == "force"]
    ms = gu.milestone_status(store, p.end)
    return {
        "period": {"start": p.start.isoformat(), "end": p.end.isoformat(), "label": p.label},
        "neighbourhood": {
            "dno_vacancies_in_period": int(len(fills)),
            "vacancies_filled_not_from_lat": int((fills["lat_backfill"] == False).sum()),  # noqa: E712
            "npp2_completion": round(float(npp2["share"].iloc[-1]), 4)
            if len(npp2) and npp2["officers"].iloc[-1]
            else None,
            "soh_compliance_last_month": {
                "month": str(soh_force["month"].iloc[-1]),
                "share": round(float(soh_force["share"].iloc[-1]), 4),
            }
            if len(soh_force)
            else None,
            "milestones_overdue": int((ms["status"] == "overdue").sum()),
        },
        "synthetic": bool(officers["synthetic"].astype(bool).any()) if len(officers) else False,
        "engagements": {
            "total": int(eng["engagements"].sum()),
            "by_lpa": dict(zip(eng["lpa"], map(int, eng["engagements"]))),
        },
        "abstractions": {
            "total": int(abs_["abstractions"].sum()),
            "hours": round(float(abs_["hours"].sum()), 2),
            "hours_by_lpa": {k: round(float(v), 2) for k, v in zip(abs_["lpa"], abs_["hours"])},
        },
        "tenure": {
            "on": on.isoformat(),
            "dno_vacancies": int(len(vac)),
            "vacant_wards": vac["ward_code"].tolist(),
            "dnos_under_2_years": int(len(short)),
            "missing_handovers": int(len(ho)),
        },
        "npg": {
            "wards": int(len(named)),
            "wards_with_named_dno_and_pcso": int(named["named_dno_and_pcso"].sum()),
            "npp1_completion": round(float(npp1["completion"].iloc[0]), 4) if len(npp1) else None,
        },
        "unverified_officers": int((~officers["verified"].astype(bool)).sum())
        if len(officers)
        else 0,
    }

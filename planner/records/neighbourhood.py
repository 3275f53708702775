"""The paper's neighbourhood commitments (issue 18) over the records store.

* Areas: a ward, neighbourhood (team), sector or LPA resolved from one code, with its wards,
  teams and the named officers of its teams (name and role, as Single Online Home shows them).
* Engagement inside TGPs, per TGP; the specific abstractions behind a bar of the drill-down;
  LPA commanders' objectives month by month against the benchmark.
* Tenure: DNO vacancies and who filled them (LAT backfill flagged when not), NPP1/NPP2
  completion with a trajectory against a target date.
* Visibility: the last two full months side by side per LPA with the reasons.

Every function reads the store (and, where said, the workspace); nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.records import analytics as an
from planner.records.store import RecordStore
from planner.records.vocab import NEIGHBOURHOOD_ROLES

#: public titles of the roles, as a Single Online Home team page lists them
ROLE_TITLES: dict[str, str] = {
    "INSP": "Neighbourhood Inspector",
    "SGT": "Neighbourhood Sergeant",
    "DNO": "Dedicated Neighbourhood Officer",
    "PCSO": "Police Community Support Officer",
    "LAT": "Local Area Team officer",
    "PC": "Police Constable",
    "LA_WARDEN": "Local authority warden",
}
#: order in which a team page lists its officers
ROLE_ORDER: tuple[str, ...] = ("INSP", "SGT", "DNO", "PCSO", "LAT", "PC", "LA_WARDEN")
AREA_KINDS = ("ward", "neighbourhood", "sector", "lpa")


@dataclass(frozen=True)
class Area:
    """A reporting area and what it contains.

    Attributes
    ----------
    kind
        "ward", "neighbourhood", "sector" or "lpa".
    code, name
        The area's code (ward code, team id, sector code, LPA name) and display name.
    lpa
        The LPA the area is in (itself for an LPA).
    wards
        Ward codes in the area.
    teams
        Neighbourhood team ids covering the area.
    """

    kind: str
    code: str
    name: str
    lpa: str | None
    wards: tuple[str, ...]
    teams: tuple[str, ...] = field(default=())


def _teams_of_nbh(teams: pd.DataFrame, nbh_codes: set[str]) -> list[str]:
    key = teams["nbh_code"].where(teams["nbh_code"].notna(), teams["team_id"])
    return sorted(teams.loc[key.isin(nbh_codes), "team_id"].astype(str))


def resolve_area(store: RecordStore, code: str, *, kind: str | None = None) -> Area:
    """The area a code names: a ward, a team or neighbourhood, a sector or an LPA.

    The area a code names: a ward code, a team id or neighbourhood code, a sector code or an
    LPA name (case-insensitive), tried in that order unless ``kind`` says which.

    Parameters
    ----------
    store
        The records store (wards, teams, ward_sectors).
    code
        The code or LPA name.
    kind
        One of :data:`AREA_KINDS` to look only there.

    Returns
    -------
    Area
    """
    if kind is not None and kind not in AREA_KINDS:
        raise PlannerError(f"unknown area kind '{kind}' (use {', '.join(AREA_KINDS)})")
    wards = store.frame("wards")
    teams = store.frame("teams")
    sec = an.sectors(store)
    c = str(code).strip()
    kinds = [kind] if kind else list(AREA_KINDS)
    if "ward" in kinds and c in set(wards["ward_code"]):
        w = wards.set_index("ward_code").loc[c]
        nbh = w["nbh_code"]
        ts = _teams_of_nbh(teams, {str(nbh)}) if isinstance(nbh, str) else []
        lpa_w = w["lpa"] if isinstance(w["lpa"], str) else None
        return Area("ward", c, str(w["ward"] or c), lpa_w, (c,), tuple(ts))
    if "neighbourhood" in kinds:
        hit = teams[(teams["team_id"] == c) | (teams["nbh_code"] == c)]
        if len(hit) or c in set(wards["nbh_code"].dropna()):
            nbh = set(hit["nbh_code"].dropna()) | set(hit["team_id"]) | {c}
            ws = wards[wards["nbh_code"].isin(nbh)]
            t = hit.iloc[0] if len(hit) else None
            name = str(t["name"]) if t is not None and isinstance(t["name"], str) else c
            lpa = t["lpa"] if t is not None else (ws["lpa"].iloc[0] if len(ws) else None)
            return Area(
                "neighbourhood",
                c,
                name,
                lpa,
                tuple(sorted(ws["ward_code"])),
                tuple(sorted(set(hit["team_id"])) or _teams_of_nbh(teams, nbh)),
            )
    if "sector" in kinds and len(sec) and c in set(sec["sector_code"]):
        s = sec[sec["sector_code"] == c]
        ws = wards[wards["ward_code"].isin(s["ward_code"])]
        snames = s["sector_name"].dropna()
        return Area(
            "sector",
            c,
            str(snames.iloc[0]) if len(snames) else c,
            str(ws["lpa"].mode().iloc[0]) if len(ws) else None,
            tuple(sorted(ws["ward_code"])),
            tuple(_teams_of_nbh(teams, set(ws["nbh_code"].dropna()))),
        )
    if "lpa" in kinds:
        lpas = {str(x).lower(): x for x in wards["lpa"].dropna().unique()}
        if c.lower() in lpas:
            name = lpas[c.lower()]
            ws = wards[wards["lpa"] == name]
            ts = sorted(
                set(_teams_of_nbh(teams, set(ws["nbh_code"].dropna())))
                | set(teams.loc[teams["lpa"] == name, "team_id"])
            )
            return Area("lpa", name, str(name), name, tuple(sorted(ws["ward_code"])), tuple(ts))
    what = kind or "ward, neighbourhood, sector or LPA"
    raise PlannerError(f"'{code}' is not a {what} code in the records store")


def team_officers(store: RecordStore, teams: tuple[str, ...] | list[str], on: date) -> pd.DataFrame:
    """The named officers of ``teams`` on day ``on``, as a team page lists them.

    An officer with postings belongs to the team of a posting covering ``on``; an officer with
    no postings at all to the team in the officers table. Only verified officers are listed.

    Parameters
    ----------
    store
        The records store.
    teams
        Team ids.
    on
        The day.

    Returns
    -------
    DataFrame
        ``officer_id, name, role, title, team_id, ward_code`` sorted by team, role order, name.
    """
    officers, _t, postings, _w = an.people(store)
    officers = officers[officers["verified"].astype(bool)]
    d = pd.Timestamp(on)
    cur = postings[(postings["start"] <= d) & (postings["end"].isna() | (postings["end"] >= d))]
    cur = cur[cur["team_id"].isin(list(teams))]
    by_posting = cur.sort_values("start").drop_duplicates("officer_id", keep="last")[
        ["officer_id", "team_id", "ward_code", "role"]
    ]
    with_postings = set(postings["officer_id"])
    plain = officers[
        ~officers["officer_id"].isin(with_postings) & officers["team_id"].isin(list(teams))
    ][["officer_id", "team_id", "ward_code", "role"]]
    mem = pd.concat([by_posting, plain], ignore_index=True)
    mem = mem.merge(officers[["officer_id", "name"]], on="officer_id", how="inner")
    mem["name"] = mem["name"].where(mem["name"].notna(), mem["officer_id"])
    mem["title"] = mem["role"].map(ROLE_TITLES).fillna(mem["role"])
    rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    mem["_r"] = mem["role"].map(rank).fillna(len(rank))
    mem = mem.sort_values(["team_id", "_r", "name", "officer_id"]).drop(columns="_r")
    return mem[["officer_id", "name", "role", "title", "team_id", "ward_code"]].reset_index(
        drop=True
    )


# ---- engagement ------------------------------------------------------------------------
def area_engagements(
    store: RecordStore, area: Area, period: Any, *, today: date | None = None
) -> pd.DataFrame:
    """Engagements in the area's wards in a period (see :func:`analytics.engagements_frame`).

    Parameters
    ----------
    store : RecordStore
        The records store.
    area : Area
        From :func:`resolve_area`.
    period : Period, tuple or str
        The period: a :class:`~planner.records.periods.Period`, ``(start, end)`` dates, or
        words (``"last 28 days"``, ``"FY2025"``) that need ``today``.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    pandas.DataFrame
        As :func:`analytics.engagements_frame`, kept to the area's wards.
    """
    e = an.engagements_frame(store, period, today=today)
    return e[e["ward_code"].isin(area.wards)].reset_index(drop=True)


def engagement_by_tgp(
    store: RecordStore,
    tgps: Any,
    period: Any,
    *,
    today: date | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Engagements with a location inside each TGP (officers are asked to engage inside them).

    Parameters
    ----------
    tgps
        GeoDataFrame with ``tgp_id`` and polygons (any CRS; engagement points are WGS84).
    period
        The period (words need ``today``).
    by
        Optional breakdown column (one of :data:`analytics.ENGAGEMENT_BY`).
    store : RecordStore
        The records store.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    DataFrame
        One row per TGP (all of them, zero when none): ``tgp_id, engagements`` (and a column
        per category of ``by``), sorted by ``tgp_id``. Engagements without coordinates are
        not counted; one inside two overlapping TGPs counts in both.
    """
    import geopandas as gpd

    if by is not None and by not in an.ENGAGEMENT_BY:
        raise PlannerError(f"cannot break engagements down by '{by}'")
    if "tgp_id" not in tgps.columns:
        raise PlannerError("the TGP layer has no tgp_id column")
    e = an.engagements_frame(store, period, today=today)
    e = e[e["longitude"].notna() & e["latitude"].notna()]
    pts = gpd.GeoDataFrame(
        e.drop(columns=["geometry"], errors="ignore"),
        geometry=gpd.points_from_xy(e["longitude"].astype(float), e["latitude"].astype(float)),
        crs=4326,
    )
    if tgps.crs is not None:
        pts = pts.to_crs(tgps.crs)
    j = gpd.sjoin(pts, tgps[["tgp_id", "geometry"]], predicate="within", how="inner")
    ids = pd.Index(sorted(tgps["tgp_id"].astype(str).unique()), name="tgp_id")
    j["tgp_id"] = j["tgp_id"].astype(str)
    out = pd.DataFrame(index=ids)
    out["engagements"] = j.groupby("tgp_id").size().reindex(ids).fillna(0).astype("int64")
    if by is not None:
        ct = pd.crosstab(j["tgp_id"], j[by].fillna("(not recorded)")) if len(j) else None
        if ct is not None:
            out = out.join(ct.reindex(ids).fillna(0).astype("int64"))
    return out.reset_index()


# ---- abstractions ----------------------------------------------------------------------
def abstraction_details(
    store: RecordStore,
    period: Any,
    *,
    today: date | None = None,
    officer_id: str | None = None,
    team_id: str | None = None,
    lpa: str | None = None,
    abstraction_type: str | None = None,
    perspective: an.Perspective = "abstracted",
) -> pd.DataFrame:
    """The specific abstractions behind one bar of the drill-down (click-through).

    Filters combine: e.g. ``officer_id`` and ``abstraction_type`` give the records behind that
    officer's bar segment. ``perspective="authorising"`` filters the officer, team and LPA of
    the authorising officer instead.

    Parameters
    ----------
    store : RecordStore
        The records store.
    period : Period, tuple or str
        The period: a :class:`~planner.records.periods.Period`, ``(start, end)`` dates, or
        words (``"last 28 days"``, ``"FY2025"``) that need ``today``.
    today : datetime.date, optional
        Reference date for a period given in words.
    officer_id : str, optional
        Keep one officer.
    team_id : str, optional
        Keep one team.
    lpa : str, optional
        Keep one LPA.
    abstraction_type : str, optional
        Keep one abstraction type.
    perspective : {'abstracted', 'authorising'}
        Whose officer, team and LPA the filters match.

    Returns
    -------
    DataFrame
        ``record_id, date, start, hours, abstraction_type, destination, officer_id, officer,
        authorised_by, authoriser, authoriser_level, team_id, lpa`` newest first.
    """
    df = an.abstractions_frame(store, period, today=today)
    pre = "" if perspective == "abstracted" else "auth_"
    oid = "officer_id" if perspective == "abstracted" else "authorised_by"
    if officer_id is not None:
        df = df[df[oid] == officer_id]
    if team_id is not None:
        df = df[df[f"{pre}team_id"] == team_id]
    if lpa is not None:
        df = df[df[f"{pre}lpa"] == lpa]
    if abstraction_type is not None:
        df = df[df["abstraction_type"] == abstraction_type]
    names = store.frame("officers").set_index("officer_id")["name"]
    out = df.assign(
        officer=df["officer_id"].map(names),
        authoriser=df["authorised_by"].map(names),
    )
    cols = [
        "record_id",
        "date",
        "start",
        "hours",
        "abstraction_type",
        "destination",
        "officer_id",
        "officer",
        "authorised_by",
        "authoriser",
        "authoriser_level",
        "team_id",
        "lpa",
    ]
    return out[cols].sort_values(["start", "record_id"], ascending=False).reset_index(drop=True)


def objectives_by_month(
    store: RecordStore,
    benchmark: Any,
    months: Any,
    objectives: dict[str, float] | None = None,
    *,
    today: date | None = None,
) -> pd.DataFrame:
    """Each LPA commander's abstraction objective tracked month by month against the benchmark.

    Parameters
    ----------
    benchmark
        The benchmark period.
    months
        The period whose calendar months are tracked (a part month counts its days only).
    objectives
        Fractional reduction per LPA (0.2 = 20 % fewer hours per week than the benchmark).
    store : RecordStore
        The records store.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    DataFrame
        One row per (month, LPA): ``month`` ("YYYY-MM"), ``lpa``, ``benchmark_hours_pw``,
        ``hours_pw``, ``objective``, ``target_hours_pw``, ``change``, ``met``.
    """
    b = an._period(benchmark, today)
    p = an._period(months, today)
    fb = an.abstractions_frame(store, b)
    fp = an.abstractions_frame(store, p)
    hb = fb.groupby("lpa")["hours"].sum() / b.weeks
    lpas = sorted(set(hb.index) | set(fp["lpa"]) | set(objectives or {}))
    obj = pd.Series(objectives or {}, dtype=float)
    rows = []
    for mstart in pd.date_range(pd.Timestamp(p.start).replace(day=1), p.end, freq="MS"):
        lo = max(mstart.date(), p.start)
        hi = min((mstart + pd.offsets.MonthEnd(0)).date(), p.end)
        weeks = ((hi - lo).days + 1) / 7
        sel = fp[(fp["date"] >= pd.Timestamp(lo)) & (fp["date"] <= pd.Timestamp(hi))]
        h = sel.groupby("lpa")["hours"].sum()
        for lpa in lpas:
            bench = float(hb.get(lpa, 0.0))
            cur = float(h.get(lpa, 0.0)) / weeks
            o = float(obj[lpa]) if lpa in obj.index else np.nan
            target = bench * (1 - o) if not np.isnan(o) else np.nan
            rows.append(
                {
                    "month": mstart.strftime("%Y-%m"),
                    "lpa": lpa,
                    "benchmark_hours_pw": bench,
                    "hours_pw": cur,
                    "objective": o,
                    "target_hours_pw": target,
                    "change": cur / bench - 1 if bench > 0 else np.nan,
                    "met": (cur <= target) if not np.isnan(target) else None,
                }
            )
    return pd.DataFrame(rows)


# ---- tenure ----------------------------------------------------------------------------
def vacancy_fills(store: RecordStore, period: Any, *, today: date | None = None) -> pd.DataFrame:
    """DNO vacancies open at any time in the period, and who filled them.

    A vacancy is a run of days between DNO postings of a ward (or after the last one ended,
    or before the first one, with ``vacant_from`` NaT = not known) on which no DNO was posted
    there, as :func:`analytics.dno_vacancies` counts a day; a ward with no DNO posting at all
    is vacant throughout. It is filled by the DNO whose posting starts the day after the run
    ends, when that day is within the period. The fill is a LAT backfill when that officer's
    previous posting (any role) was a LAT one or their role in the officers table is LAT;
    ``lat_backfill`` is False for a fill from elsewhere (flagged: the paper fills vacancies
    from the LAT establishment) and None while the vacancy is still open at the period's end.

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
    DataFrame
        ``ward_code, ward, lpa, vacant_from, vacant_to`` (last vacant day, NaT = open at the
        period's end), ``vacant_days`` (days of the period the ward was vacant),
        ``filled_by, filled_by_name, filled_on, lat_backfill``.
    """
    p = an._period(period, today)
    officers, _t, postings, _w = an.people(store)
    wards = store.frame("wards")
    lo, hi = pd.Timestamp(p.start), pd.Timestamp(p.end)
    one = pd.Timedelta(days=1)
    dno = postings[postings["role"] == "DNO"].sort_values(["ward_code", "start"])
    off = officers.set_index("officer_id")
    rows = []
    for w in wards.sort_values("ward_code").itertuples():
        ps = dno[dno["ward_code"] == w.ward_code]
        gaps: list[tuple[Any, Any]] = []  # (first vacant day or NaT, last vacant day or None)
        if ps.empty:
            gaps.append((pd.NaT, None))
        else:  # before the first DNO posting recorded (start unknown)
            gaps.append((pd.NaT, pd.Timestamp(ps["start"].min()) - one))
        covered_to: pd.Timestamp | None = None
        for start_, end_ in zip(ps["start"], ps["end"]):
            st = pd.Timestamp(start_)
            if covered_to is not None and st > covered_to + one:
                gaps.append((covered_to + one, st - one))
            end = pd.Timestamp(end_) if pd.notna(end_) else None
            if end is None:
                covered_to = pd.Timestamp.max.normalize()
            elif covered_to is None or end > covered_to:
                covered_to = end
        if covered_to is not None and covered_to < pd.Timestamp.max.normalize():
            gaps.append((covered_to + one, None))
        for g0, g1 in gaps:
            start_in = lo if pd.isna(g0) else max(g0, lo)
            end_in = hi if g1 is None else min(g1, hi)
            if end_in < start_in:
                continue
            filled = None
            if g1 is not None and g1 < hi:
                nxt = ps[ps["start"] == g1 + one]
                filled = nxt.iloc[0] if len(nxt) else None
            lat: bool | None = None
            if filled is not None:
                oid = filled["officer_id"]
                prev = postings[
                    (postings["officer_id"] == oid) & (postings["start"] < filled["start"])
                ].sort_values("start")
                role = off["role"].get(oid) if len(off) else None
                lat = bool((len(prev) and prev["role"].iloc[-1] == "LAT") or role == "LAT")
            rows.append(
                {
                    "ward_code": w.ward_code,
                    "ward": w.ward,
                    "lpa": w.lpa,
                    "vacant_from": g0,
                    "vacant_to": g1 if filled is not None else pd.NaT,
                    "vacant_days": int((end_in - start_in).days + 1),
                    "filled_by": filled["officer_id"] if filled is not None else None,
                    "filled_by_name": off["name"].get(filled["officer_id"])
                    if filled is not None and len(off)
                    else None,
                    "filled_on": filled["start"] if filled is not None else pd.NaT,
                    "lat_backfill": lat,
                }
            )
    cols = [
        "ward_code",
        "ward",
        "lpa",
        "vacant_from",
        "vacant_to",
        "vacant_days",
        "filled_by",
        "filled_by_name",
        "filled_on",
        "lat_backfill",
    ]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("vacant_from", "vacant_to", "filled_on"):
        out[c] = pd.to_datetime(out[c])
    return out.reset_index(drop=True)


#: the accredited neighbourhood policing courses tracked
COURSES = ("NPP1", "NPP2")


@dataclass(frozen=True)
class TrainingTarget:
    """The completion target for a course (documented defaults).

    The paper: NPP1 "just under 50% ... all by the end of November 2025".
    """

    course: str = "NPP1"
    target_date: date = date(2025, 11, 30)
    target_share: float = 1.0
    roles: tuple[str, ...] = NEIGHBOURHOOD_ROLES


def training_trajectory(
    store: RecordStore,
    period: Any,
    target: TrainingTarget = TrainingTarget(),
    *,
    today: date | None = None,
) -> pd.DataFrame:
    """Completion of a course month by month in the period against a straight-line target.

    At each month end in the period (and the period's last day), the officers in post in
    ``target.roles`` on that day (from postings; officers with no postings from their start
    date) and how many had completed the course by then
    (``training_records``; for NPP1, officers flagged ``npp1_trained`` without a date count
    as completed before the period). The target line runs from the share at the period's first
    day to ``target_share`` on ``target_date``.

    Parameters
    ----------
    store : RecordStore
        The records store.
    period : Period, tuple or str
        The period: a :class:`~planner.records.periods.Period`, ``(start, end)`` dates, or
        words (``"last 28 days"``, ``"FY2025"``) that need ``today``.
    target : TrainingTarget
        Course, roles, target share and date.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    DataFrame
        ``on, officers, completed, share, target_share, on_track`` (one row per date).
    """
    if target.course not in COURSES:
        raise PlannerError(f"unknown course '{target.course}' (use {', '.join(COURSES)})")
    p = an._period(period, today)
    tr = store.frame("training_records")
    tr = tr[tr["course"] == target.course]
    done = dict(zip(tr["officer_id"], pd.to_datetime(tr["completed_on"])))
    officers, _t, postings, _w = an.people(store)
    flagged: set[str] = set()
    if target.course == "NPP1":
        flag = (
            officers["npp1_trained"].astype(object).where(officers["npp1_trained"].notna(), False)
        )
        flagged = set(officers.loc[flag.astype(bool), "officer_id"]) - set(done)
    plain = officers[
        officers["role"].isin(target.roles)
        & officers["verified"].astype(bool)
        & ~officers["officer_id"].isin(postings["officer_id"])
    ]
    plain_start = pd.to_datetime(plain["start_date"])
    days = [d.date() for d in pd.date_range(p.start, p.end, freq="ME")]
    if not days or days[-1] != p.end:
        days.append(p.end)
    first = p.start

    def share_on(d: date) -> tuple[int, int]:
        cur = an.in_post(store, d, roles=target.roles)["officer_id"]
        extra = plain.loc[(plain_start.isna() | (plain_start <= pd.Timestamp(d))).to_numpy()]
        ids = pd.Series(sorted(set(cur) | set(extra["officer_id"])), dtype=object)
        dd = pd.to_datetime(ids.map(done))
        comp = (dd.notna() & (dd <= pd.Timestamp(d))) | ids.isin(flagged)
        return int(len(ids)), int(comp.sum())

    n0, c0 = share_on(first)
    s0 = c0 / n0 if n0 else 0.0
    span = (target.target_date - first).days
    rows = []
    for d in days:
        n, c = share_on(d)
        frac = 1.0 if span <= 0 else min(1.0, max(0.0, (d - first).days / span))
        t = s0 + (target.target_share - s0) * frac
        share = c / n if n else np.nan
        rows.append(
            {
                "on": pd.Timestamp(d),
                "officers": n,
                "completed": c,
                "share": share,
                "target_share": t,
                "on_track": bool(share >= t - 1e-12) if n else None,
            }
        )
    return pd.DataFrame(rows)


# ---- visibility ------------------------------------------------------------------------
def last_full_months(today: date, n: int = 2) -> list[str]:
    """The ``n`` last complete calendar months before ``today`` ("YYYY-MM"), oldest first.

    Parameters
    ----------
    today : datetime.date
        The reference day.
    n : int
        How many months.

    Returns
    -------
    list of str
        ``"YYYY-MM"`` months, oldest first.
    """
    first = today.replace(day=1)
    out = []
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first.strftime("%Y-%m"))
    return out[::-1]


def visibility_two_months(ws: Any, today: date | None = None, *, months: list[str] | None = None):
    """Visibility per LPA for the last two full months side by side, with the reasons.

    Parameters
    ----------
    ws
        The workspace (duty periods, custody/investigation episodes, stations, pings).
    today
        Default: the workspace's today.
    months
        The two months to compare instead ("YYYY-MM").

    Returns
    -------
    DataFrame
        Per LPA (and "force"): for each month ``M`` the columns ``community_share_M``,
        ``custody_hours_M``, ``investigation_hours_M``, ``station_hours_M``,
        ``duty_hours_M``, then ``change`` (second month's share minus the first's).
    """
    from planner.tracking.visibility import workspace_visibility

    months = months or last_full_months(today or ws.today)
    if len(months) != 2:
        raise PlannerError("visibility compares exactly two months")
    frames = []
    for mo in months:
        rep = workspace_visibility(ws, mo)
        t = pd.concat(
            [rep.by_lpa, rep.force.to_frame().T.assign(lpa="force")], ignore_index=True
        ).set_index("lpa")
        cols = [
            "community_share",
            "custody_hours",
            "investigation_hours",
            "station_hours",
            "duty_hours",
        ]
        frames.append(t[cols].astype(float).add_suffix(f"_{mo}"))
    out = frames[0].join(frames[1], how="outer")
    out["change"] = out[f"community_share_{months[1]}"] - out[f"community_share_{months[0]}"]
    out.index.name = "lpa"
    return out.reset_index()


# ---- engagement gaps above the ward ---------------------------------------------------------
def ward_demand(ws: Any, period: Any, *, today: date | None = None) -> pd.Series:
    """Crime harm per ward in the period's months (the workspace's crime series, by LSOA).

    Parameters
    ----------
    ws
        The workspace (crimes with ``harm`` and ``lsoa_code``; LSOAs with ``ward_code``).
    period
        The period (words need ``today``; default the workspace's today).
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    Series
        Harm indexed by ``ward_code`` (wards with no crime absent).
    """
    p = an._period(period, today or ws.today)
    geo = ws.geography()
    if geo.lsoas is None:
        raise PlannerError("demand by ward needs the workspace's LSOA layer")
    name = "crimes_synthetic" if ws.has_table("crimes_synthetic") else "crimes_real"
    c = pd.read_parquet(
        ws.table_path(name),
        columns=["lsoa_code", "harm"],
        filters=[
            ("month", ">=", p.start.strftime("%Y-%m")),
            ("month", "<=", p.end.strftime("%Y-%m")),
        ],
    )
    ward = c["lsoa_code"].map(geo.lsoas.set_index("lsoa_code")["ward_code"])
    return c["harm"].astype(float).groupby(ward).sum().rename("demand")


GAP_LEVELS = ("ward", "sector", "neighbourhood", "lpa")
DEFAULT_GAPS = an.GapConfig()


def engagement_gaps_by(
    store: RecordStore,
    period: Any,
    *,
    level: str = "sector",
    demand: pd.Series | None = None,
    config: an.GapConfig = DEFAULT_GAPS,
    today: date | None = None,
) -> pd.DataFrame:
    """Engagement gaps summed from the wards to a level (the same expected shares).

    Parameters
    ----------
    level
        "ward" (as :func:`analytics.engagement_gaps`), "sector", "neighbourhood" or "lpa".
    demand
        Demand per ward (e.g. :func:`ward_demand`); None = population only.
    store : RecordStore
        The records store.
    period : Period, tuple or str
        The period: a :class:`~planner.records.periods.Period`, ``(start, end)`` dates, or
        words (``"last 28 days"``, ``"FY2025"``) that need ``today``.
    config : GapConfig
        Expected-engagement rule and gap threshold.
    today : datetime.date, optional
        Reference date for a period given in words.

    Returns
    -------
    DataFrame
        Per area: the key (``sector_code`` / ``nbh_code`` / ``lpa``), ``population, demand,
        engagements, expected, ratio, gap`` sorted worst first.
    """
    if level not in GAP_LEVELS:
        raise PlannerError(f"unknown gap level '{level}' (use {', '.join(GAP_LEVELS)})")
    g = an.engagement_gaps(store, period, demand=demand, config=config, today=today)
    if level == "ward":
        return g
    wards = store.frame("wards").set_index("ward_code")
    if level == "sector":
        sec = an.sectors(store).set_index("ward_code")["sector_code"]
        key = g["ward_code"].map(sec).fillna(an.NO_SECTOR)
        col = "sector_code"
    elif level == "neighbourhood":
        key, col = g["ward_code"].map(wards["nbh_code"]).fillna(an.NO_TEAM), "nbh_code"
    else:
        key, col = g["lpa"].fillna(an.NO_LPA), "lpa"
    out = (
        g.assign(**{col: key})
        .groupby(col)[["population", "demand", "engagements", "expected"]]
        .sum(min_count=1)
    )
    out["engagements"] = out["engagements"].astype("int64")
    out["ratio"] = (out["engagements"] / out["expected"]).where(out["expected"] > 0)
    out["gap"] = out["ratio"] < config.threshold
    return out.reset_index().sort_values(["ratio", col]).reset_index(drop=True)

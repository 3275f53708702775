"""People by need (issue 19 item 5).

Offenders ranked per LPA by harm, repeat and vulnerable victims, reassurance visits planned
beside the patrols and tracked like visits, and the wanted suspects of an Op Advance day.

Nominal records are the most sensitive data in the product (OFFICIAL-SENSITIVE). Every read in
this module goes through :func:`scoped_nominals` or :func:`wanted_for_day`, which check the
principal's capability on the server (:data:`planner.access.scope.CAPABILITIES`:
``nominals`` for intelligence and inspectors - inspectors see their own LPAs' people only -
and ``wanted_on_day`` for the Op Advance role, which sees only a day's wanted suspects) and
write the view to the audit trail with the user's identity. ``principal=None`` is a local
command-line run (audited as ``os:<login>``).

The pure functions (:func:`rank_by_harm`, :func:`victim_needs`) take frames and are what the
tests check against a direct computation.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.access.roles import Principal
from planner.access.scope import require
from planner.errors import PlannerError
from planner.records import models as m
from planner.records.store import RecordStore, _upsert

#: offender ranking columns
RANK_COLUMNS = [
    "lpa",
    "rank",
    "nominal_id",
    "offences",
    "harm",
    "last_offence",
    "wanted",
    "high_risk",
]
#: victim columns
VICTIM_COLUMNS = [
    "lpa",
    "priority",
    "nominal_id",
    "victimisations",
    "harm",
    "repeat",
    "high_risk",
    "vulnerable",
    "home_x",
    "home_y",
]


def identity(principal: Principal | None, user: str | None = None) -> tuple[str, str | None]:
    """The user name and role written to the audit trail for a read or change.

    Parameters
    ----------
    principal
        The signed-in principal (None: a local run).
    user
        The identity of a local run (default ``os:<login>``).

    Returns
    -------
    tuple
        ``(user, role)``.
    """
    if principal is not None:
        return principal.user, principal.role
    if user:
        return user, None
    from planner.access.audit import os_user

    return os_user(), None


def _audit(
    store: RecordStore,
    principal: Principal | None,
    action: str,
    table: str,
    detail: dict[str, Any],
    *,
    user: str | None = None,
    source: str = "app",
) -> None:
    from planner.access.audit import log_event

    who, role = identity(principal, user)
    log_event(store, who, action, role=role, table_name=table, detail=detail, source=source)


def scoped_nominals(
    store: RecordStore,
    principal: Principal | None,
    *,
    kind: str | None = None,
    lpa: str | None = None,
    what: str = "nominals",
    user: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The nominals (and their offences) within the principal's scope, the view audited.

    Parameters
    ----------
    store
        The records store.
    principal
        Who reads (checked for the ``nominals`` capability; inspectors get their LPAs only).
    kind
        ``offender`` or ``victim`` (None: both).
    lpa
        One LPA (None: all in scope).
    what
        What the view is for (written to the audit trail).
    user
        Identity of a local run.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(nominals, offences)``.

    Raises
    ------
    AccessDenied
        When the role may not see nominals (the refusal is audited too).
    """
    try:
        require(principal, "nominals")
    except PlannerError:
        _audit(store, principal, "denied", "nominals", {"view": what, "lpa": lpa}, user=user)
        raise
    nom = store.frame("nominals")
    if kind is not None:
        nom = nom[nom["kind"] == kind]
    if lpa is not None:
        nom = nom[nom["lpa"] == lpa]
    if principal is not None and principal.role == "inspector":
        nom = nom[nom["lpa"].isin(principal.lpas)]
    off = store.frame("nominal_offences")
    off = off[off["nominal_id"].isin(set(nom["nominal_id"]))]
    _audit(
        store,
        principal,
        "view",
        "nominals",
        {"view": what, "kind": kind, "lpa": lpa, "rows": int(len(nom))},
        user=user,
    )
    return nom.reset_index(drop=True), off.reset_index(drop=True)


def _window(off: pd.DataFrame, since: date | None, until: date | None) -> pd.DataFrame:
    d = pd.to_datetime(off["occurred_on"])
    keep = pd.Series(True, index=off.index)
    if since is not None:
        keep &= d >= pd.Timestamp(since)
    if until is not None:
        keep &= d <= pd.Timestamp(until)
    return off[keep]


def rank_by_harm(
    nominals: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """Offenders ranked within each LPA by the harm of their offences in a window.

    Parameters
    ----------
    nominals
        The ``nominals`` table (only ``kind == "offender"`` rows are ranked).
    offences
        The ``nominal_offences`` table.
    since, until
        Inclusive window of ``occurred_on`` (None: open).

    Returns
    -------
    pandas.DataFrame
        :data:`RANK_COLUMNS`, ordered by LPA then rank: rank 1 has the most harm (ties: more
        offences, then the id); offenders without an offence in the window rank last with 0.
    """
    nom = nominals[nominals["kind"] == "offender"]
    off = _window(offences[offences["nominal_id"].isin(set(nom["nominal_id"]))], since, until)
    agg = off.groupby("nominal_id").agg(
        offences=("record_id", "size"), harm=("harm", "sum"), last_offence=("occurred_on", "max")
    )
    out = nom.set_index("nominal_id")[["lpa", "wanted", "high_risk"]].join(agg)
    out["offences"] = out["offences"].fillna(0).astype("int64")
    out["harm"] = out["harm"].fillna(0.0).astype("float64")
    out = out.reset_index().sort_values(
        ["lpa", "harm", "offences", "nominal_id"], ascending=[True, False, False, True]
    )
    out["rank"] = out.groupby("lpa").cumcount() + 1
    return out[RANK_COLUMNS].reset_index(drop=True)


def offender_ranking(
    store: RecordStore,
    principal: Principal | None = None,
    *,
    lpa: str | None = None,
    since: date | None = None,
    until: date | None = None,
    top: int | None = None,
    user: str | None = None,
) -> pd.DataFrame:
    """Repeat and high-harm offenders ranked per LPA by harm (scoped and audited).

    Parameters
    ----------
    store
        The records store.
    principal
        Who reads (``nominals`` capability).
    lpa
        One LPA (None: every LPA in scope).
    since, until
        Window of offences (inclusive).
    top
        Keep the first ``top`` of each LPA.
    user
        Identity of a local run.

    Returns
    -------
    pandas.DataFrame
        :func:`rank_by_harm`'s table.
    """
    nom, off = scoped_nominals(
        store, principal, kind="offender", lpa=lpa, what="offender ranking", user=user
    )
    out = rank_by_harm(nom, off, since=since, until=until)
    if top is not None:
        out = out[out["rank"] <= top].reset_index(drop=True)
    return out


def victim_needs(
    nominals: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    since: date | None = None,
    until: date | None = None,
    min_repeat: int = 2,
) -> pd.DataFrame:
    """Victims with their victimisations in a window, repeat flag and priority per LPA.

    Parameters
    ----------
    nominals
        The ``nominals`` table (only ``kind == "victim"`` rows).
    offences
        The ``nominal_offences`` table (victimisations).
    since, until
        Inclusive window (None: open).
    min_repeat
        Victimisations in the window that make a repeat victim (besides the force's flag).

    Returns
    -------
    pandas.DataFrame
        :data:`VICTIM_COLUMNS`; ``repeat`` = the force's flag or at least ``min_repeat``
        victimisations; ``priority`` 1 first within the LPA: high risk, then vulnerable, then
        repeat, then more victimisations, more harm, and the id.
    """
    nom = nominals[nominals["kind"] == "victim"]
    off = _window(offences[offences["nominal_id"].isin(set(nom["nominal_id"]))], since, until)
    agg = off.groupby("nominal_id").agg(victimisations=("record_id", "size"), harm=("harm", "sum"))
    out = nom.set_index("nominal_id").join(agg)
    out["victimisations"] = out["victimisations"].fillna(0).astype("int64")
    out["harm"] = out["harm"].fillna(0.0).astype("float64")
    out["repeat"] = out["repeat_victim"].astype(bool) | (out["victimisations"] >= min_repeat)
    for c in ("high_risk", "vulnerable"):
        out[c] = out[c].astype(bool)
    out = out.reset_index().sort_values(
        ["lpa", "high_risk", "vulnerable", "repeat", "victimisations", "harm", "nominal_id"],
        ascending=[True, False, False, False, False, False, True],
    )
    out["priority"] = out.groupby("lpa").cumcount() + 1
    return out[VICTIM_COLUMNS].reset_index(drop=True)


def repeat_victims(
    store: RecordStore,
    principal: Principal | None = None,
    *,
    lpa: str | None = None,
    since: date | None = None,
    until: date | None = None,
    min_repeat: int = 2,
    user: str | None = None,
) -> pd.DataFrame:
    """Repeat, high-risk and vulnerable victims per LPA (scoped and audited).

    Parameters
    ----------
    store
        The records store.
    principal
        Who reads (``nominals`` capability).
    lpa
        One LPA (None: all in scope).
    since, until
        Window of victimisations.
    min_repeat
        See :func:`victim_needs`.
    user
        Identity of a local run.

    Returns
    -------
    pandas.DataFrame
        The victims that are repeat, high-risk or vulnerable (:data:`VICTIM_COLUMNS`).
    """
    nom, off = scoped_nominals(store, principal, kind="victim", lpa=lpa, what="victims", user=user)
    v = victim_needs(nom, off, since=since, until=until, min_repeat=min_repeat)
    return v[v["repeat"] | v["high_risk"] | v["vulnerable"]].reset_index(drop=True)


def plan_reassurance(
    store: RecordStore,
    principal: Principal | None = None,
    *,
    lpa: str,
    start: date,
    days: int = 7,
    per_day: int = 2,
    minutes: float = 15.0,
    since: date | None = None,
    until: date | None = None,
    team_id: str | None = None,
    synthetic: bool = False,
    user: str | None = None,
) -> pd.DataFrame:
    """Plan reassurance visits to an LPA's vulnerable, high-risk and repeat victims.

    Victims with a home location are taken in priority order (:func:`victim_needs`), at most
    ``per_day`` a day from ``start`` for ``days`` days, each visit ``minutes`` long; a victim
    already planned in those days is not planned twice. The visits are stored
    (``reassurance_visits``, id ``RV-<nominal>-<date>``) beside the patrol plan.

    Parameters
    ----------
    store
        The records store.
    principal
        Who plans (``nominals`` capability, the LPA in scope).
    lpa
        The LPA.
    start
        First day.
    days, per_day, minutes
        Days planned, visits a day, minutes a visit.
    since, until
        Window of victimisations used for the priority.
    team_id
        The team that visits (optional).
    synthetic
        Mark the visits synthetic (the demo).
    user
        Identity of a local run.

    Returns
    -------
    pandas.DataFrame
        The planned visits (``visit_id, nominal_id, lpa, planned_on, minutes, priority``).
    """
    if days < 1 or per_day < 1 or minutes <= 0:
        raise PlannerError("reassurance plan: days, per day and minutes must be positive")
    nom, off = scoped_nominals(
        store, principal, kind="victim", lpa=lpa, what="reassurance plan", user=user
    )
    v = victim_needs(nom, off, since=since, until=until)
    v = v[(v["repeat"] | v["high_risk"] | v["vulnerable"]) & v["home_x"].notna()]
    end = start + timedelta(days=days - 1)
    old = store.frame("reassurance_visits")
    old = old[(pd.to_datetime(old["planned_on"]) >= pd.Timestamp(start))]
    old = old[pd.to_datetime(old["planned_on"]) <= pd.Timestamp(end)]
    v = v[~v["nominal_id"].isin(set(old["nominal_id"]))].head(days * per_day)
    day = [start + timedelta(days=int(i) // per_day) for i in range(len(v))]
    rows = [
        {
            "visit_id": f"RV-{n}-{d.isoformat()}",
            "nominal_id": n,
            "lpa": lpa,
            "planned_on": d,
            "team_id": team_id,
            "minutes": float(minutes),
            "delivered_minutes": None,
            "tracked_by": None,
            "status": "planned",
            "synthetic": synthetic,
        }
        for n, d in zip(v["nominal_id"], day)
    ]
    store.run(lambda s: _upsert(s, m.ReassuranceVisit, rows, ["visit_id"]))
    _audit(
        store,
        principal,
        "insert",
        "reassurance_visits",
        {"lpa": lpa, "start": start, "days": days, "visits": len(rows)},
        user=user,
    )
    out = pd.DataFrame(rows, columns=["visit_id", "nominal_id", "lpa", "planned_on", "minutes"])
    out["priority"] = v["priority"].to_numpy()
    return out


def reassurance_plan(
    store: RecordStore,
    principal: Principal | None = None,
    *,
    lpa: str | None = None,
    user: str | None = None,
) -> pd.DataFrame:
    """The stored reassurance visits in scope (with their delivery), the view audited.

    Parameters
    ----------
    store
        The records store.
    principal
        Who reads (``nominals`` capability; inspectors their LPAs).
    lpa
        One LPA (None: all in scope).
    user
        Identity of a local run.

    Returns
    -------
    pandas.DataFrame
        The ``reassurance_visits`` rows, by day then id.
    """
    nom, _off = scoped_nominals(
        store, principal, kind="victim", lpa=lpa, what="reassurance visits", user=user
    )
    rv = store.frame("reassurance_visits")
    rv = rv[rv["nominal_id"].isin(set(nom["nominal_id"]))]
    return rv.sort_values(["planned_on", "visit_id"]).reset_index(drop=True)


#: per-day reassurance columns (counts only: no nominal, no home)
REASSURANCE_DAY_COLUMNS = [
    "date",
    "reassurance_visits",
    "reassurance_minutes",
    "delivered",
    "missed",
    "not_tracked",
    "delivered_minutes",
]


def reassurance_by_day(
    store: RecordStore,
    principal: Principal | None = None,
    *,
    start: date,
    days: int = 7,
    lpa: str | None = None,
    user: str | None = None,
) -> pd.DataFrame:
    """Reassurance visits per day of ``start`` .. ``start + days - 1``, as counts only.

    For the patrol plan's page, where the visits sit beside the patrols: how many visits a day,
    their planned and delivered minutes and how many were delivered, missed or are not tracked
    yet. No nominal id or home location leaves this function; the read still goes through
    :func:`reassurance_plan` (``nominals`` capability checked, the view audited).

    Parameters
    ----------
    store
        The records store.
    principal
        Who reads (``nominals`` capability; inspectors their LPAs).
    start
        First day.
    days
        Days covered (every day gets a row, zero when none is planned).
    lpa
        One LPA (None: all in scope).
    user
        Identity of a local run.

    Returns
    -------
    pandas.DataFrame
        :data:`REASSURANCE_DAY_COLUMNS`, one row per day.
    """
    if days < 1:
        raise PlannerError("reassurance by day: days must be positive")
    rv = reassurance_plan(store, principal, lpa=lpa, user=user)
    on = pd.to_datetime(rv["planned_on"]).dt.date
    dates = [start + timedelta(days=i) for i in range(days)]
    rv = rv[on.isin(set(dates))].assign(date=on)
    status = rv["status"].fillna("planned")
    g = (
        rv.assign(
            delivered=status.eq("delivered"),
            missed=status.eq("missed"),
            not_tracked=~status.isin(["delivered", "missed"]),
            delivered_minutes=pd.to_numeric(rv["delivered_minutes"]).fillna(0.0),
            minutes=pd.to_numeric(rv["minutes"]),
        )
        .groupby("date")
        .agg(
            reassurance_visits=("visit_id", "size"),
            reassurance_minutes=("minutes", "sum"),
            delivered=("delivered", "sum"),
            missed=("missed", "sum"),
            not_tracked=("not_tracked", "sum"),
            delivered_minutes=("delivered_minutes", "sum"),
        )
        .reindex(dates, fill_value=0)
    )
    out = g.rename_axis("date").reset_index()
    for c in ["reassurance_visits", "delivered", "missed", "not_tracked"]:
        out[c] = out[c].astype(int)
    for c in ["reassurance_minutes", "delivered_minutes"]:
        out[c] = out[c].astype(float)
    return out[REASSURANCE_DAY_COLUMNS]


def track_reassurance(
    store: RecordStore,
    *,
    pings: pd.DataFrame | None = None,
    logs: pd.DataFrame | None = None,
    radius_m: float = 50.0,
    min_minutes: float = 10.0,
    cfg: Any = None,
    user: str | None = None,
) -> pd.DataFrame:
    """Match planned reassurance visits with GPS presence at the home, else with visit logs.

    GPS: each planned visit's home gets a circular geofence of ``radius_m``; the pings go
    through the same dwell chain as the TGPs (:func:`planner.tracking.dwell.dwell`), and the
    visit's delivered minutes are the presence minutes in its geofence on its planned day.
    Logs (``visit_id, minutes``) count for visits the pings do not cover. A visit with at least
    ``min_minutes`` is ``delivered``, else ``missed``; visits on days with neither pings nor
    logs stay ``planned``.

    Parameters
    ----------
    store
        The records store.
    pings
        Canonical ping frame (``officer_id, timestamp, x, y``), optional.
    logs
        Visit logs (``visit_id, minutes``), optional.
    radius_m
        Geofence radius around the home (metres).
    min_minutes
        Minutes that make a delivered visit.
    cfg
        :class:`planner.tracking.dwell.DwellConfig`.
    user
        Identity written to the audit trail.

    Returns
    -------
    pandas.DataFrame
        ``visit_id, planned_on, minutes, delivered_minutes, tracked_by, status``.
    """
    rv = store.frame("reassurance_visits")
    nom = store.frame("nominals").set_index("nominal_id")
    rv = rv.join(nom[["home_x", "home_y"]], on="nominal_id")
    rv["planned_on"] = pd.to_datetime(rv["planned_on"]).dt.date
    delivered: dict[str, float] = {}
    by: dict[str, str] = {}
    covered: set[date] = set()
    if pings is not None and len(pings) and len(rv):
        import geopandas as gpd

        from planner.tracking.dwell import DwellConfig, dwell

        cfg = cfg or DwellConfig()
        days_local = pd.to_datetime(pings["timestamp"]).dt.tz_convert(cfg.tz).dt.date
        covered = set(days_local)
        has = rv[rv["home_x"].notna()]
        fences = gpd.GeoDataFrame(
            {"tgp_id": has["visit_id"].astype(str).to_numpy()},
            geometry=gpd.points_from_xy(has["home_x"], has["home_y"]).buffer(radius_m),
            crs="EPSG:27700",
        )
        pdays = dwell(pings, fences, cfg).place_days
        day_of = dict(zip(has["visit_id"], has["planned_on"]))
        for vid, d, mins in zip(pdays["tgp_id"], pdays["date"], pdays["presence_minutes"]):
            if day_of.get(str(vid)) == pd.Timestamp(d).date():
                delivered[str(vid)] = delivered.get(str(vid), 0.0) + float(mins)
                by[str(vid)] = "gps"
    logged: set[str] = set()
    if logs is not None and len(logs):
        for vid, mins in logs.groupby("visit_id")["minutes"].sum().items():
            logged.add(str(vid))
            if str(vid) not in delivered:
                delivered[str(vid)], by[str(vid)] = float(mins), "log"
    rows = []
    for r in rv.itertuples(index=False):
        vid = str(r.visit_id)
        if vid in delivered or r.planned_on in covered or vid in logged:
            got = delivered.get(vid, 0.0)
            rows.append(
                {
                    "visit_id": vid,
                    "delivered_minutes": got,
                    "tracked_by": by.get(vid, "gps" if r.planned_on in covered else "log"),
                    "status": "delivered" if got >= min_minutes - 1e-9 else "missed",
                }
            )

    def work(s: Session) -> None:
        t = m.ReassuranceVisit.__table__
        for row in rows:
            s.execute(
                t.update()
                .where(t.c.visit_id == row["visit_id"])
                .values(
                    delivered_minutes=row["delivered_minutes"],
                    tracked_by=row["tracked_by"],
                    status=row["status"],
                )
            )

    store.run(work)
    _audit(
        store,
        None,
        "update",
        "reassurance_visits",
        {"tracked": len(rows), "delivered": sum(r["status"] == "delivered" for r in rows)},
        user=user,
        source="track",
    )
    out = store.frame("reassurance_visits")
    return out[
        ["visit_id", "planned_on", "minutes", "delivered_minutes", "tracked_by", "status"]
    ].sort_values(["planned_on", "visit_id"], ignore_index=True)


def wanted_in_lpa(store: RecordStore, lpa: str, on: date) -> list[str]:
    """Ids of the LPA's wanted suspects on a day (wanted, and wanted since that day or before).

    Parameters
    ----------
    store
        The records store.
    lpa
        The LPA.
    on
        The day.

    Returns
    -------
    list of str
        Sorted nominal ids.
    """
    t = m.Nominal.__table__
    with store.session() as s:
        rows = s.execute(
            select(t.c.nominal_id, t.c.wanted_since).where(
                (t.c.lpa == lpa) & (t.c.kind == "offender") & t.c.wanted.is_(True)
            )
        ).all()
    return sorted(str(n) for n, since in rows if since is None or since <= on)


def wanted_for_day(
    store: RecordStore,
    principal: Principal | None,
    day_id: str,
    *,
    user: str | None = None,
) -> pd.DataFrame:
    """The wanted suspects attached to an Op Advance day (``wanted_on_day`` capability).

    The Op Advance role sees only these people, only their targeting fields, and only for the
    day; inspectors only for their own LPAs. The view is audited.

    Parameters
    ----------
    store
        The records store.
    principal
        Who reads.
    day_id
        The day of action.
    user
        Identity of a local run.

    Returns
    -------
    pandas.DataFrame
        ``nominal_id, lpa, wanted_since, offences, harm, home_x, home_y``, most harm first.
    """
    try:
        require(principal, "wanted_on_day")
        with store.session() as s:
            day = s.get(m.AdvanceDay, day_id)
        if day is None:
            raise PlannerError(f"no Op Advance day {day_id!r}")
        if (
            principal is not None
            and principal.role == "inspector"
            and day.lpa not in principal.lpas
        ):
            from planner.errors import AccessDenied

            raise AccessDenied(f"{principal.user} (inspector) may not see {day.lpa}'s people")
    except PlannerError as exc:
        if "may not" in str(exc):
            _audit(
                store, principal, "denied", "nominals", {"view": "wanted", "day": day_id}, user=user
            )
        raise
    ids = json.loads(day.wanted or "[]")
    nom = store.frame("nominals")
    nom = nom[nom["nominal_id"].isin(ids)]
    off = store.frame("nominal_offences")
    agg = (
        off[off["nominal_id"].isin(ids)]
        .groupby("nominal_id")
        .agg(offences=("record_id", "size"), harm=("harm", "sum"))
    )
    out = nom.set_index("nominal_id")[["lpa", "wanted_since", "home_x", "home_y"]].join(agg)
    out["offences"] = out["offences"].fillna(0).astype("int64")
    out["harm"] = out["harm"].fillna(0.0)
    out = out.reset_index().sort_values(["harm", "nominal_id"], ascending=[False, True])
    _audit(
        store,
        principal,
        "view",
        "nominals",
        {"view": "wanted", "day": day_id, "rows": len(out)},
        user=user,
    )
    cols = ["nominal_id", "lpa", "wanted_since", "offences", "harm", "home_x", "home_y"]
    return out[cols].reset_index(drop=True)

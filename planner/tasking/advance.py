"""Op Advance (issue 19 item 7): the rotation calendar and the days of action.

* Calendar: one LPA a month for the year ahead. :func:`fair_rotation` orders the LPAs by how
  long ago each last held the day (never first, then the oldest, ties by name) and cycles
  through them, so over any run of months each LPA holds it ``floor`` or ``ceil`` of
  months / LPAs times and no LPA holds two months running (with two or more LPAs). Months
  edited by hand (:func:`set_month`) are kept when the calendar is generated again.
* Day of action: the plan (locations from the briefing's ``targets.csv`` written by
  ``planner advance``, resources, a communications checklist), the wanted suspects of the LPA
  attached, and the results (arrests, visits, engagements). Every change is audited.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from planner.access.roles import Principal
from planner.access.scope import require
from planner.errors import InputError, PlannerError
from planner.records import models as m
from planner.records.store import RecordStore, _upsert
from planner.tasking.people import _audit, wanted_in_lpa

#: the communications checklist of a day of action (each item done or not)
DEFAULT_CHECKLIST: tuple[str, ...] = (
    "briefing issued to every resource",
    "partners told (local authority, housing, schools, transport)",
    "press office and social media plan agreed",
    "community messages sent on the day",
    "results reported to the LPA tasking meeting",
)
#: resources of a day (counts)
RESOURCE_KEYS: tuple[str, ...] = (
    "officers",
    "pcsos",
    "specials",
    "vehicles",
    "dogs",
    "horses",
    "partners",
)
RESULT_KEYS: tuple[str, ...] = ("arrests", "visits", "engagements")


def _month(s: str) -> pd.Period:
    try:
        p = pd.Period(str(s).strip(), freq="M")
    except ValueError:
        raise PlannerError(f"month {s!r} is not YYYY-MM") from None
    if len(str(s).strip()) != 7:
        raise PlannerError(f"month {s!r} is not YYYY-MM")
    return p


def fair_rotation(
    lpas: Iterable[str],
    start: str,
    months: int = 12,
    history: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """One LPA a month from ``start`` for ``months`` months, fairly rotated.

    Parameters
    ----------
    lpas
        The LPAs.
    start
        First month ``YYYY-MM``.
    months
        How many months.
    history
        ``{month: lpa}`` already held before ``start`` (the LPA that held it longest ago, or
        never, goes first).

    Returns
    -------
    list of (month, lpa)
        In month order.
    """
    every = sorted(dict.fromkeys(str(x) for x in lpas))
    if not every:
        raise PlannerError("no LPAs to rotate the Op Advance day through")
    if months < 1:
        raise PlannerError("the calendar needs at least one month")
    p0 = _month(start)
    last: dict[str, pd.Period] = {}
    for mo, lpa in (history or {}).items():
        p = _month(mo)
        if p < p0 and lpa in every and (lpa not in last or p > last[lpa]):
            last[lpa] = p
    never = pd.Period("1900-01", freq="M")
    order = sorted(every, key=lambda x: (last.get(x, never), x))
    return [(str(p0 + i), order[i % len(order)]) for i in range(months)]


def calendar(store: RecordStore) -> pd.DataFrame:
    """The stored rotation calendar (``month, lpa, edited_by, synthetic``), by month.

    Parameters
    ----------
    store
        The records store.

    Returns
    -------
    pandas.DataFrame
    """
    return store.frame("advance_calendar").sort_values("month", ignore_index=True)


def generate_calendar(
    store: RecordStore,
    lpas: Iterable[str],
    start: str,
    months: int = 12,
    *,
    principal: Principal | None = None,
    user: str | None = None,
    synthetic: bool = False,
) -> pd.DataFrame:
    """Generate (or regenerate) the calendar from ``start``; hand-edited months are kept.

    The months before ``start`` already in the store are the history :func:`fair_rotation`
    starts from; an edited month keeps its LPA and the rotation continues around it.

    Parameters
    ----------
    store
        The records store.
    lpas
        The LPAs.
    start
        First month ``YYYY-MM``.
    months
        Months ahead.
    principal
        Who generates (``advance`` capability).
    user
        Identity of a local run.
    synthetic
        Mark the months synthetic (the demo).

    Returns
    -------
    pandas.DataFrame
        The whole stored calendar (:func:`calendar`).
    """
    require(principal, "advance")
    old = calendar(store)
    hist = dict(zip(old["month"], old["lpa"]))
    edited = {
        mo: lpa
        for mo, lpa, by in zip(old["month"], old["lpa"], old["edited_by"])
        if isinstance(by, str) and by
    }
    p0 = _month(start)
    rows = []
    history = {mo: lpa for mo, lpa in hist.items() if _month(mo) < p0}
    every = sorted(dict.fromkeys(str(x) for x in lpas))
    for i in range(months):
        mo = str(p0 + i)
        if mo in edited:
            history[mo] = edited[mo]
            continue
        # the LPA that held the day longest ago (or never), as of this month
        lpa = fair_rotation(every, mo, 1, history)[0][1]
        history[mo] = lpa
        rows.append({"month": mo, "lpa": lpa, "edited_by": None, "synthetic": synthetic})
    store.run(lambda s: _upsert(s, m.AdvanceMonth, rows, ["month"]))
    _audit(
        store,
        principal,
        "insert",
        "advance_calendar",
        {
            "start": start,
            "months": months,
            "kept_edits": [mo for mo in (str(p0 + i) for i in range(months)) if mo in edited],
        },
        user=user,
    )
    return calendar(store)


def set_month(
    store: RecordStore,
    month: str,
    lpa: str,
    *,
    principal: Principal | None = None,
    user: str | None = None,
    lpas: Sequence[str] | None = None,
) -> None:
    """Edit one month of the calendar by hand (kept by later generations; audited).

    Parameters
    ----------
    store
        The records store.
    month
        ``YYYY-MM``.
    lpa
        The LPA that holds the day that month.
    principal
        Who edits (``advance`` capability).
    user
        Identity of a local run.
    lpas
        The known LPAs (checked when given).
    """
    require(principal, "advance")
    mo = str(_month(month))
    if lpas is not None and lpa not in lpas:
        raise PlannerError(f"unknown LPA {lpa!r} (LPAs: {', '.join(sorted(lpas))})")
    who = _audit_user(principal, user)
    with store.session() as s:
        old = s.get(m.AdvanceMonth, mo)
        before = old.lpa if old else None
    row = {"month": mo, "lpa": lpa, "edited_by": who, "synthetic": False}
    store.run(lambda s: _upsert(s, m.AdvanceMonth, [row], ["month"]))
    _audit(
        store,
        principal,
        "update",
        "advance_calendar",
        {"month": mo, "lpa": [before, lpa]},
        user=user,
    )


def _audit_user(principal: Principal | None, user: str | None) -> str:
    from planner.tasking.people import identity

    return identity(principal, user)[0]


def locations_from_briefing(path: str | Path, top: int = 10) -> list[dict[str, Any]]:
    """The first ``top`` targets of an Op Advance briefing (``targets.csv``).

    Parameters
    ----------
    path
        ``targets.csv`` written by ``planner advance --out DIR`` (or the folder).
    top
        How many locations.

    Returns
    -------
    list of dict
        As :func:`locations_from_targets`.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "targets.csv"
    if not p.is_file():
        raise PlannerError(f"{p}: no such briefing file (planner advance --out DIR writes it)")
    try:
        df = pd.read_csv(p, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(p, f"not a readable CSV ({str(exc).splitlines()[0]})") from None
    for c in ("rank", "x", "y"):
        if c not in df.columns:
            raise InputError(p, "missing column (not an Op Advance targets.csv)", line=1, field=c)
    return locations_from_targets(df, top)


def locations_from_targets(targets: pd.DataFrame, top: int = 10) -> list[dict[str, Any]]:
    """The first ``top`` targets of a briefing's target table as day-of-action locations.

    Parameters
    ----------
    targets
        ``rank, x, y`` and optionally ``location, ward, status`` per target (the briefing's
        ``targets``, in memory or read from ``targets.csv``).
    top
        How many locations.

    Returns
    -------
    list of dict
        ``rank, location, ward, status, x, y`` per target, by rank.
    """
    df = pd.DataFrame(targets).sort_values("rank").head(top)
    return [
        {
            "rank": int(r["rank"]),
            "location": str(r.get("location", "")),
            "ward": str(r.get("ward", "")),
            "status": str(r.get("status", "")),
            "x": float(r["x"]),
            "y": float(r["y"]),
        }
        for r in df.to_dict("records")
    ]


def _counts(values: Mapping[str, Any], keys: Sequence[str], what: str) -> dict[str, int]:
    out = {}
    for k, v in values.items():
        if k not in keys:
            raise PlannerError(f"unknown {what} {k!r} (use {', '.join(keys)})")
        try:
            n = int(v)
        except (TypeError, ValueError):
            raise PlannerError(f"{what} {k}={v!r} is not a whole number") from None
        if n < 0 or str(v).strip() not in (str(n), f"{n}.0"):
            raise PlannerError(f"{what} {k}={v!r} is not a whole number >= 0")
        out[k] = n
    return out


def day_id_of(lpa: str, day: date) -> str:
    """The id of an LPA's day of action: ``ADV-<date>-<LPA>``.

    Parameters
    ----------
    lpa
        The LPA.
    day
        The date.

    Returns
    -------
    str
    """
    return f"ADV-{day.isoformat()}-{lpa.replace(' ', '_')}"[:40]


def plan_day(
    store: RecordStore,
    lpa: str,
    day: date,
    *,
    locations: list[dict[str, Any]] | None = None,
    resources: Mapping[str, Any] | None = None,
    checklist: Mapping[str, bool] | None = None,
    attach_wanted: bool = True,
    principal: Principal | None = None,
    user: str | None = None,
    synthetic: bool = False,
) -> dict[str, Any]:
    """Create or update an LPA's day of action (audited); returns :func:`day_record`.

    Parameters
    ----------
    store
        The records store.
    lpa, day
        The LPA and the date.
    locations
        Target locations (:func:`locations_from_briefing`); None keeps the stored ones.
    resources
        ``{resource: count}`` for :data:`RESOURCE_KEYS`; merged into the stored ones.
    checklist
        ``{item: done}`` for items of :data:`DEFAULT_CHECKLIST` (or new items); merged.
    attach_wanted
        Attach the LPA's wanted suspects on the day (:func:`planner.tasking.people.wanted_in_lpa`).
    principal
        Who plans (``advance`` capability).
    user
        Identity of a local run.
    synthetic
        Mark the day synthetic (the demo).

    Returns
    -------
    dict
        The day (see :func:`day_record`).
    """
    require(principal, "advance")
    did = day_id_of(lpa, day)
    res = _counts(resources or {}, RESOURCE_KEYS, "resource")
    with store.session() as s:
        old = s.get(m.AdvanceDay, did)
        cur = (
            {
                "locations": json.loads(old.locations),
                "resources": json.loads(old.resources),
                "checklist": json.loads(old.checklist),
                "wanted": json.loads(old.wanted),
                "arrests": old.arrests,
                "visits": old.visits,
                "engagements": old.engagements,
            }
            if old
            else {
                "locations": [],
                "resources": {},
                "checklist": dict.fromkeys(DEFAULT_CHECKLIST, False),
                "wanted": [],
                "arrests": None,
                "visits": None,
                "engagements": None,
            }
        )
    if locations is not None:
        cur["locations"] = locations
    cur["resources"].update(res)
    for k, v in (checklist or {}).items():
        cur["checklist"][k] = bool(v)
    if attach_wanted:
        cur["wanted"] = wanted_in_lpa(store, lpa, day)
    row = {
        "day_id": did,
        "lpa": lpa,
        "day": day,
        "locations": json.dumps(cur["locations"]),
        "resources": json.dumps(cur["resources"], sort_keys=True),
        "checklist": json.dumps(cur["checklist"]),
        "wanted": json.dumps(cur["wanted"]),
        "arrests": cur["arrests"],
        "visits": cur["visits"],
        "engagements": cur["engagements"],
        "updated_by": _audit_user(principal, user),
        "synthetic": synthetic,
    }
    store.run(lambda s: _upsert(s, m.AdvanceDay, [row], ["day_id"]))
    _audit(
        store,
        principal,
        "update" if old else "insert",
        "advance_days",
        {
            "day": did,
            "locations": len(cur["locations"]),
            "resources": cur["resources"],
            "wanted_attached": len(cur["wanted"]),
        },
        user=user,
    )
    return day_record(store, did)


def record_results(
    store: RecordStore,
    day_id: str,
    results: Mapping[str, Any],
    *,
    principal: Principal | None = None,
    user: str | None = None,
) -> dict[str, Any]:
    """Record a day's results (``arrests, visits, engagements``; audited).

    Parameters
    ----------
    store
        The records store.
    day_id
        The day.
    results
        ``{result: count}`` for :data:`RESULT_KEYS`.
    principal
        Who records (``advance`` capability).
    user
        Identity of a local run.

    Returns
    -------
    dict
        The day (:func:`day_record`).
    """
    require(principal, "advance")
    vals = _counts(results, RESULT_KEYS, "result")
    before: dict[str, Any] = {}

    def work(s: Session) -> None:
        d = s.get(m.AdvanceDay, day_id)
        if d is None:
            raise PlannerError(f"no Op Advance day {day_id!r} (plan it first: planner advance day)")
        for k, v in vals.items():
            before[k] = getattr(d, k)
            setattr(d, k, v)
        d.updated_by = _audit_user(principal, user)

    store.run(work)
    _audit(
        store,
        principal,
        "update",
        "advance_days",
        {"day": day_id, **{k: [before.get(k), v] for k, v in vals.items()}},
        user=user,
    )
    return day_record(store, day_id)


def day_record(store: RecordStore, day_id: str) -> dict[str, Any]:
    """One day of action with the month's rotation LPA (no nominal detail, ids counted only).

    Parameters
    ----------
    store
        The records store.
    day_id
        The day.

    Returns
    -------
    dict
        ``day_id, lpa, day, on_rotation, rotation_lpa, locations, resources, checklist,
        checklist_done, wanted_count, arrests, visits, engagements, updated_by``.
    """
    with store.session() as s:
        d = s.get(m.AdvanceDay, day_id)
        if d is None:
            raise PlannerError(f"no Op Advance day {day_id!r}")
        cal = s.get(m.AdvanceMonth, d.day.strftime("%Y-%m"))
    chk = json.loads(d.checklist)
    return {
        "day_id": d.day_id,
        "lpa": d.lpa,
        "day": d.day.isoformat(),
        "rotation_lpa": cal.lpa if cal else None,
        "on_rotation": bool(cal and cal.lpa == d.lpa),
        "locations": json.loads(d.locations),
        "resources": json.loads(d.resources),
        "checklist": chk,
        "checklist_done": f"{sum(bool(v) for v in chk.values())}/{len(chk)}",
        "wanted_count": len(json.loads(d.wanted)),
        "arrests": d.arrests,
        "visits": d.visits,
        "engagements": d.engagements,
        "updated_by": d.updated_by,
        "synthetic": bool(d.synthetic),
    }


def days(store: RecordStore, lpa: str | None = None) -> pd.DataFrame:
    """The days of action (one row each: LPA, date, counts, checklist progress).

    Parameters
    ----------
    store
        The records store.
    lpa
        One LPA (None: all).

    Returns
    -------
    pandas.DataFrame
        ``day_id, lpa, day, locations, wanted, checklist_done, arrests, visits, engagements``.
    """
    d = store.frame("advance_days")
    if lpa is not None:
        d = d[d["lpa"] == lpa]
    out = pd.DataFrame(
        {
            "day_id": d["day_id"],
            "lpa": d["lpa"],
            "day": d["day"],
            "locations": [len(json.loads(x)) for x in d["locations"]],
            "wanted": [len(json.loads(x)) for x in d["wanted"]],
            "checklist_done": [
                f"{sum(bool(v) for v in c.values())}/{len(c)}"
                for c in (json.loads(x) for x in d["checklist"])
            ],
            "arrests": d["arrests"],
            "visits": d["visits"],
            "engagements": d["engagements"],
        }
    )
    return out.sort_values("day", ignore_index=True)

"""Tasking and review (issue 19 item 6): each LPA's multi-agency tasking meeting.

A meeting (``meeting_id``, LPA, date) sets targets - places (TGPs) and people (nominals) -
each with an action, an owner (and agency), a due date, a status and an outcome
(``tasking_items``, imported with ``planner import tasking``). The review of targeted activity
puts beside each place target the delivery figures for that place from the meeting to the
next meeting of the LPA (or to the review date): planned and delivered patrol hours in the
target's unit (:mod:`planner.units`), visits and Koper-compliant visits.

Person targets are nominals: their ids are shown only to roles with the ``nominals``
capability (others see "person (restricted)"), and showing them is an audited view.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from planner.access.roles import Principal
from planner.access.scope import may, require
from planner.records.store import RecordStore
from planner.units import PATROL_HOURS, PLANNED_COLUMN, TRACKED_COLUMN, check_unit

RESTRICTED = "person (restricted)"
ITEM_COLUMNS = [
    "meeting_id",
    "meeting_date",
    "lpa",
    "item_id",
    "target_kind",
    "target_id",
    "action",
    "owner",
    "agency",
    "due",
    "status",
    "overdue",
    "outcome",
]


def tasking_items(
    store: RecordStore,
    principal: Principal | None = None,
    *,
    lpa: str | None = None,
    meeting_id: str | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """The tasking items in scope, with ``overdue`` (due before ``today`` and not done).

    Parameters
    ----------
    store
        The records store.
    principal
        Who reads (``tasking`` capability; inspectors see their LPAs; person targets masked
        without the ``nominals`` capability).
    lpa
        One LPA (None: all in scope).
    meeting_id
        One meeting.
    today
        The review date (default today).

    Returns
    -------
    pandas.DataFrame
        :data:`ITEM_COLUMNS`, by meeting date, meeting and item.
    """
    require(principal, "tasking")
    today = today or date.today()
    t = store.frame("tasking_items")
    if lpa is not None:
        t = t[t["lpa"] == lpa]
    if meeting_id is not None:
        t = t[t["meeting_id"] == meeting_id]
    if principal is not None and principal.role == "inspector":
        t = t[t["lpa"].isin(principal.lpas)]
    t = t.copy()
    t["overdue"] = (pd.to_datetime(t["due"]) < pd.Timestamp(today)) & ~t["status"].isin(
        ["done", "dropped"]
    )
    persons = t["target_kind"] == "person"
    if not may(principal, "nominals"):
        t.loc[persons, "target_id"] = RESTRICTED
    elif persons.any():  # nominal ids shown: a view of nominal records, audited
        from planner.tasking.people import _audit

        _audit(
            store,
            principal,
            "view",
            "nominals",
            {"view": "tasking person targets", "lpa": lpa, "rows": int(persons.sum())},
        )
    return t[ITEM_COLUMNS].sort_values(["meeting_date", "meeting_id", "item_id"], ignore_index=True)


def _windows(items: pd.DataFrame, until: date) -> dict[str, tuple[date, date]]:
    """Each meeting's review window: its date to the day before the LPA's next meeting."""
    meets = items.drop_duplicates("meeting_id")[["meeting_id", "lpa", "meeting_date"]]
    meets = meets.assign(meeting_date=pd.to_datetime(meets["meeting_date"]).dt.date)
    out: dict[str, tuple[date, date]] = {}
    for _lpa, g in meets.sort_values("meeting_date").groupby("lpa"):
        ds = list(g["meeting_date"])
        for i, (mid, d) in enumerate(zip(g["meeting_id"], ds)):
            end = (ds[i + 1] - pd.Timedelta(days=1)) if i + 1 < len(ds) else until
            out[str(mid)] = (d, end)
    return out


def tasking_review(
    store: RecordStore,
    principal: Principal | None = None,
    *,
    lpa: str,
    plan: pd.DataFrame | None = None,
    delivered: pd.DataFrame | None = None,
    unit: str = PATROL_HOURS,
    today: date | None = None,
    meeting_id: str | None = None,
) -> dict[str, Any]:
    """Review of an LPA's targeted activity: actions by status, and delivery at place targets.

    Parameters
    ----------
    store
        The records store.
    principal
        Who reads (``tasking``).
    lpa
        The LPA.
    plan
        Planned visits (``tgp_id, date`` and the unit's planned column, ``minutes`` or
        ``officer_minutes``) - the workspace's ``plan_visits``.
    delivered
        Delivered place-days (``tgp_id, date``, the unit's tracked column, ``visits``,
        ``compliant_visits``) - the workspace's ``delivered_place_days`` (its ``method == "all"``
        rows when it has a ``method`` column).
    unit
        ``patrol-hours`` or ``officer-hours`` (stated in the result).
    today
        The review date (the last meeting's window ends here).
    meeting_id
        Only this meeting.

    Returns
    -------
    dict
        ``lpa, unit, today, actions`` (counts by status and ``overdue``), ``items`` (the
        items as records) and ``places``: per place target, ``window_start, window_end,
        planned_hours, delivered_hours, delivered_share, visits, compliant_visits``.
    """
    check_unit(unit)
    today = today or date.today()
    items = tasking_items(store, principal, lpa=lpa, today=today)
    wins = _windows(items, today)
    if meeting_id is not None:
        items = items[items["meeting_id"] == meeting_id]
    places = items[items["target_kind"] == "place"]
    if delivered is not None and "method" in delivered:  # per-method rows plus "all"
        delivered = delivered[delivered["method"] == "all"]
    rows = []
    for r in places.itertuples(index=False):
        lo, hi = wins[str(r.meeting_id)]
        pl = dl = 0.0
        vis = comp = 0
        if plan is not None and len(plan):
            d = pd.to_datetime(plan["date"]).dt.date
            sel = (plan["tgp_id"].astype(str) == r.target_id) & (d >= lo) & (d <= hi)
            pl = float(plan.loc[sel, PLANNED_COLUMN[unit]].sum()) / 60.0
        if delivered is not None and len(delivered):
            d = pd.to_datetime(delivered["date"]).dt.date
            sel = (delivered["tgp_id"].astype(str) == r.target_id) & (d >= lo) & (d <= hi)
            dl = float(delivered.loc[sel, TRACKED_COLUMN[unit]].sum()) / 60.0
            vis = int(delivered.loc[sel, "visits"].sum())
            comp = int(delivered.loc[sel, "compliant_visits"].sum())
        rows.append(
            {
                "meeting_id": r.meeting_id,
                "item_id": r.item_id,
                "tgp_id": r.target_id,
                "action": r.action,
                "owner": r.owner,
                "status": r.status,
                "window_start": lo.isoformat(),
                "window_end": hi.isoformat(),
                "planned_hours": round(pl, 4),
                "delivered_hours": round(dl, 4),
                "delivered_share": round(dl / pl, 4) if pl > 0 else None,
                "visits": vis,
                "compliant_visits": comp,
            }
        )
    counts = items["status"].value_counts()
    return {
        "lpa": lpa,
        "unit": unit,
        "today": today.isoformat(),
        "meetings": sorted(items["meeting_id"].unique().tolist()),
        "actions": {
            "total": int(len(items)),
            **{s: int(counts.get(s, 0)) for s in ("open", "in_progress", "done", "dropped")},
            "overdue": int(items["overdue"].sum()),
        },
        "items": items.assign(
            meeting_date=items["meeting_date"].astype(str), due=items["due"].astype(str)
        ).to_dict("records"),
        "places": rows,
    }

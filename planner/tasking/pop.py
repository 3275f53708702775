"""Problem solving and money (issue 19 item 8): SYV POP plans per TGP and the grant spend.

* POP plans: serious-youth-violence problem-oriented policing plans per TGP, each at a SARA
  stage (scanning, analysis, response, assessment) with a status (``pop_plans``, imported with
  ``planner import pop``).
* Spend: lines of Home Office hotspot grant spend by delivery method and TGP
  (``grant_spend``, ``planner import spend``) against the grant (GBP 3.7m by default,
  configurable), and the cost per patrol-hour delivered in the target's unit
  (:mod:`planner.units`): spend / delivered hours, overall, per method and per TGP.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from planner.access.roles import Principal
from planner.access.scope import require
from planner.records.store import RecordStore
from planner.tasking.imports import SARA_STAGES
from planner.units import MEANING, PATROL_HOURS, TRACKED_COLUMN, check_unit

#: the Home Office hotspot grant in the year of the paper (GBP)
DEFAULT_GRANT_GBP = 3_700_000.0


def pop_plans(
    store: RecordStore, principal: Principal | None = None, *, tgp_id: str | None = None
) -> pd.DataFrame:
    """The SYV POP plans (optionally of one TGP), by TGP and plan.

    Parameters
    ----------
    store
        The records store.
    principal
        Who reads (``plans`` capability).
    tgp_id
        One TGP.

    Returns
    -------
    pandas.DataFrame
        The ``pop_plans`` rows with ``stage_no`` (1 scanning .. 4 assessment).
    """
    require(principal, "plans")
    p = store.frame("pop_plans")
    if tgp_id is not None:
        p = p[p["tgp_id"] == tgp_id]
    p = p.assign(stage_no=p["stage"].map({s: i + 1 for i, s in enumerate(SARA_STAGES)}))
    return p.sort_values(["tgp_id", "plan_id"], ignore_index=True)


def pop_summary(plans: pd.DataFrame) -> dict[str, Any]:
    """Counts of POP plans by SARA stage and status, and TGPs with a plan.

    Parameters
    ----------
    plans
        :func:`pop_plans`.

    Returns
    -------
    dict
        ``plans, tgps, by_stage, by_status``.
    """
    return {
        "plans": int(len(plans)),
        "tgps": int(plans["tgp_id"].nunique()),
        "by_stage": {s: int((plans["stage"] == s).sum()) for s in SARA_STAGES},
        "by_status": {
            str(k): int(v) for k, v in plans["status"].value_counts().sort_index().items()
        },
    }


def spend_report(
    store: RecordStore,
    principal: Principal | None = None,
    *,
    grant_gbp: float = DEFAULT_GRANT_GBP,
    delivered: pd.DataFrame | None = None,
    unit: str = PATROL_HOURS,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    """Grant spend by method and TGP against the grant, and the cost per patrol-hour.

    Parameters
    ----------
    store
        The records store.
    principal
        Who reads (``plans`` capability).
    grant_gbp
        The grant (default GBP 3.7m).
    delivered
        Delivered place-days (``tgp_id, date, method``, the unit's tracked column) - the
        workspace's ``delivered_place_days``; None: no cost per hour.
    unit
        ``patrol-hours`` or ``officer-hours`` (stated in the result).
    start, end
        Inclusive window of spend and delivery (None: open).

    Returns
    -------
    dict
        ``grant_gbp, spent_gbp, remaining_gbp, spent_share, unit, unit_meaning,
        delivered_hours, cost_per_hour, by_method`` (rows: method, spent_gbp, share_of_grant,
        delivered_hours, cost_per_hour) and ``by_tgp`` (rows: tgp_id, spent_gbp,
        delivered_hours, cost_per_hour; spend not tied to a TGP is ``tgp_id = None``).
    """
    require(principal, "plans")
    check_unit(unit)
    if not grant_gbp > 0:
        from planner.errors import PlannerError

        raise PlannerError(f"the grant must be a positive amount (GBP), not {grant_gbp}")
    sp = store.frame("grant_spend")

    def window(df: pd.DataFrame, col: str) -> pd.DataFrame:
        d = pd.to_datetime(df[col])
        keep = pd.Series(True, index=df.index)
        if start is not None:
            keep &= d >= pd.Timestamp(start)
        if end is not None:
            keep &= d <= pd.Timestamp(end)
        return df[keep]

    sp = window(sp, "spent_on")
    dv = window(delivered, "date") if delivered is not None else None
    col = TRACKED_COLUMN[unit]

    def hours(method: str | None = None, tgp: str | None = None) -> float | None:
        if dv is None:
            return None
        d = dv
        if "method" in d:
            d = d[d["method"] == (method or "all")]
        elif method is not None:
            return None
        if tgp is not None:
            d = d[d["tgp_id"].astype(str) == tgp]
        return float(d[col].sum()) / 60.0

    def cost(gbp: float, h: float | None) -> float | None:
        return round(gbp / h, 2) if h else None

    spent = float(sp["amount_gbp"].sum())
    total_h = hours()
    by_method = []
    for meth, g in sp.groupby("method", sort=True):
        amt = float(g["amount_gbp"].sum())
        h = hours(method=str(meth)) if meth not in ("pop", "other") else None
        by_method.append(
            {
                "method": str(meth),
                "spent_gbp": round(amt, 2),
                "share_of_grant": round(amt / grant_gbp, 6),
                "delivered_hours": None if h is None else round(h, 4),
                "cost_per_hour": cost(amt, h),
            }
        )
    by_tgp = []
    keyed = sp.assign(_t=sp["tgp_id"].astype(object).where(sp["tgp_id"].notna(), ""))
    for tgp, g in keyed.groupby("_t", sort=True):
        amt = float(g["amount_gbp"].sum())
        h = hours(tgp=str(tgp)) if tgp else None
        by_tgp.append(
            {
                "tgp_id": str(tgp) or None,
                "spent_gbp": round(amt, 2),
                "delivered_hours": None if h is None else round(h, 4),
                "cost_per_hour": cost(amt, h),
            }
        )
    return {
        "grant_gbp": float(grant_gbp),
        "spent_gbp": round(spent, 2),
        "remaining_gbp": round(grant_gbp - spent, 2),
        "spent_share": round(spent / grant_gbp, 6),
        "unit": unit,
        "unit_meaning": MEANING[unit],
        "delivered_hours": None if total_h is None else round(total_h, 4),
        "cost_per_hour": cost(spent, total_h) if len(sp) else None,  # no spend imported
        "by_method": by_method,
        "by_tgp": by_tgp,
        "synthetic": bool(sp["synthetic"].any()) if len(sp) else False,
    }

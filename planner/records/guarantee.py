"""Neighbourhood Policing Guarantee imports and indicators (issue 18).

CSV imports, validated row by row (rejected rows go to a rejects CSV with a reason; ``read ==
accepted + rejected``), stored once per key (a re-import updates in place):

* ``training``: ``officer_id, course`` (NPP1 or NPP2), ``completed_on`` (YYYY-MM-DD);
* ``soh``: Single Online Home compliance, ``month`` (YYYY-MM), ``lpa``, ``wards`` (wards in
  the LPA), ``compliant`` (wards whose page names their officers);
* ``milestones``: town-centre and ASB action plan milestones, ``plan, kind`` (town-centre or
  asb), ``area`` (optional), ``milestone, owner, due`` (date), ``done`` (date, optional).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from planner.errors import InputError, PlannerError
from planner.records import analytics as an
from planner.records import models as m
from planner.records.store import RecordStore, _upsert

#: kind -> (model, required columns, optional columns, key columns)
SPECS: dict[str, tuple[type[m.Base], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "training": (
        m.TrainingRecord,
        ("officer_id", "course", "completed_on"),
        (),
        ("officer_id", "course"),
    ),
    "soh": (m.SohCompliance, ("month", "lpa", "wards", "compliant"), (), ("month", "lpa")),
    "milestones": (
        m.PlanMilestone,
        ("plan", "kind", "milestone", "owner", "due"),
        ("area", "done"),
        ("plan", "milestone"),
    ),
}
COURSES = ("NPP1", "NPP2")
PLAN_KINDS = ("town-centre", "asb")


def _date(v: str) -> date | None:
    try:
        return date.fromisoformat(v.strip())
    except ValueError:
        return None


def _check_row(kind: str, r: dict[str, str], officers: set[str]) -> tuple[dict[str, Any], str]:
    """Clean values and the reason to reject ('' = accepted)."""
    req = SPECS[kind][1]
    miss = [c for c in req if not r.get(c, "").strip()]
    if miss:
        return {}, "missing " + ", ".join(miss)
    out: dict[str, Any] = {}
    if kind == "training":
        c = r["course"].strip().upper()
        if c not in COURSES:
            return {}, f"course '{r['course']}' is not one of {', '.join(COURSES)}"
        d = _date(r["completed_on"])
        if d is None:
            return {}, f"completed_on '{r['completed_on']}' is not a date (YYYY-MM-DD)"
        oid = r["officer_id"].strip()
        if officers and oid not in officers:
            return {}, f"officer '{oid}' is not in the store"
        out = {"officer_id": oid, "course": c, "completed_on": d}
    elif kind == "soh":
        mo = r["month"].strip()
        try:
            pd.Period(mo, freq="M")
            ok = len(mo) == 7
        except ValueError:
            ok = False
        if not ok:
            return {}, f"month '{mo}' is not YYYY-MM"
        try:
            n_w, n_c = int(r["wards"]), int(r["compliant"])
        except ValueError:
            return {}, "wards and compliant must be whole numbers"
        if n_w < 0 or not 0 <= n_c <= n_w:
            return {}, f"compliant ({n_c}) must be between 0 and wards ({n_w})"
        out = {"month": mo, "lpa": r["lpa"].strip(), "wards": n_w, "compliant": n_c}
    else:
        k = r["kind"].strip().lower()
        if k not in PLAN_KINDS:
            return {}, f"kind '{r['kind']}' is not one of {', '.join(PLAN_KINDS)}"
        due = _date(r["due"])
        if due is None:
            return {}, f"due '{r['due']}' is not a date (YYYY-MM-DD)"
        done_txt = r.get("done", "").strip()
        done = _date(done_txt) if done_txt else None
        if done_txt and done is None:
            return {}, f"done '{done_txt}' is not a date (YYYY-MM-DD)"
        out = {
            "plan": r["plan"].strip(),
            "kind": k,
            "area": r.get("area", "").strip() or None,
            "milestone": r["milestone"].strip(),
            "owner": r["owner"].strip(),
            "due": due,
            "done": done,
        }
    return out, ""


def import_table(
    store: RecordStore,
    path: str | Path,
    kind: str,
    *,
    rejects_path: str | Path | None = None,
    synthetic: bool = False,
) -> dict[str, Any]:
    """Import a training, SOH-compliance or milestones CSV into the store.

    Parameters
    ----------
    store
        The records store.
    path
        The CSV file.
    kind
        "training", "soh" or "milestones".
    rejects_path
        Where rejected rows go with a ``reason`` column (default ``<stem>.rejects.csv``
        beside the file; written only when a row is rejected).
    synthetic
        Mark the rows synthetic (the demo).

    Returns
    -------
    dict
        ``read, accepted, rejected, rejects_path``.
    """
    if kind not in SPECS:
        raise PlannerError(f"unknown import '{kind}' (use {', '.join(SPECS)})")
    model, req, opt, keys = SPECS[kind]
    p = Path(path)
    if not p.exists():
        raise PlannerError(f"{p}: no such file")
    try:
        raw = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(str(p), f"not a readable CSV ({str(exc).splitlines()[0]})") from None
    raw.columns = [c.strip() for c in raw.columns]
    for c in req:
        if c not in raw.columns:
            raise InputError(str(p), "missing column", line=1, field=c)
    officers = set(store.frame("officers")["officer_id"]) if kind == "training" else set()
    good: dict[tuple, dict[str, Any]] = {}
    first_line: dict[tuple, int] = {}
    reasons: list[str] = []
    for i, r in enumerate(raw.to_dict("records")):
        row, why = _check_row(kind, {str(k): str(v) for k, v in r.items()}, officers)
        if not why:
            key = tuple(row[k] for k in keys)
            if key in good:
                why = f"duplicate of line {first_line[key]}"
            else:
                good[key] = row
                first_line[key] = i + 2
        reasons.append(why)
    rej = raw.assign(reason=reasons)[[bool(x) for x in reasons]]
    rp = Path(rejects_path) if rejects_path else p.with_name(p.stem + ".rejects.csv")
    if len(rej):
        rej.to_csv(rp, index=False)
    rows = [dict(r, source=p.name, synthetic=synthetic) for r in good.values()]

    def work(s: Session) -> None:
        _upsert(s, model, rows, list(keys))

    store.run(work)
    return {
        "read": int(len(raw)),
        "accepted": len(rows),
        "rejected": int(len(rej)),
        "rejects_path": str(rp) if len(rej) else None,
    }


def soh_by_month(store: RecordStore, period: Any, *, today: date | None = None) -> pd.DataFrame:
    """Single Online Home compliance per month and LPA, and the force, in the period.

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
        ``month, lpa, wards, compliant, share`` (``lpa`` "force" = all LPAs of that month),
        sorted by month then LPA with the force row last.
    """
    p = an._period(period, today)
    df = store.frame("soh_compliance")
    lo, hi = p.start.strftime("%Y-%m"), p.end.strftime("%Y-%m")
    df = df[(df["month"] >= lo) & (df["month"] <= hi)]
    cols = ["month", "lpa", "wards", "compliant", "share"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df[["month", "lpa", "wards", "compliant"]].astype({"wards": "int64", "compliant": "int64"})
    force = df.groupby("month", as_index=False)[["wards", "compliant"]].sum().assign(lpa="force")
    out = pd.concat([df.sort_values(["month", "lpa"]), force], ignore_index=True)
    out["_f"] = out["lpa"] == "force"
    out = out.sort_values(["month", "_f", "lpa"]).drop(columns="_f")
    out["share"] = (out["compliant"] / out["wards"]).where(out["wards"] > 0)
    return out[cols].reset_index(drop=True)


def milestone_status(store: RecordStore, on: date) -> pd.DataFrame:
    """Town-centre and ASB action plan milestones with their status on day ``on``.

    Status: "done" (done on or before due), "done late", "overdue" (not done, due before
    ``on``; done after ``on`` counts as not done yet), "due" (not done, due on or after ``on``).

    Parameters
    ----------
    store : RecordStore
        The records store.
    on : datetime.date
        The day looked at.

    Returns
    -------
    DataFrame
        ``plan, kind, area, milestone, owner, due, done, status`` sorted by due date.
    """
    df = store.frame("plan_milestones")
    cols = ["plan", "kind", "area", "milestone", "owner", "due", "done", "status"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    d = pd.Timestamp(on)
    due, done = pd.to_datetime(df["due"]), pd.to_datetime(df["done"])
    is_done = done.notna() & (done <= d)
    status = pd.Series("due", index=df.index)
    status[~is_done & (due < d)] = "overdue"
    status[is_done] = "done"
    status[is_done & (done > due)] = "done late"
    out = df.assign(due=due, done=done.where(is_done), status=status)
    return out[cols].sort_values(["due", "plan", "milestone"]).reset_index(drop=True)

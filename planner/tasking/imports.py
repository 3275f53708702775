"""``planner import nominals|victims|tasking|pop|spend``: CSV imports into the records store.

Every row is validated; a rejected row goes to the rejects CSV with its line and reason, and
``read == accepted + rejected`` (an accepted row is stored once per key; a re-import updates it
in place). Schemas: docs/data.md ("Targeting by need").

Nominal lists (``nominals`` = offenders, ``victims``) are the most sensitive data in the product:

* they are imported pseudonymised. A file carrying a name-like or directly identifying column
  (name, forename, surname, date of birth, address, phone, email ...) with any value is refused
  as a whole (exit 2, no row stored and no value echoed) unless the column is mapped away
  (``--map 'Surname=-'`` drops it);
* a row whose ``nominal_id`` looks like a person's name ("John Smith", "SMITH, John") is
  rejected, and its id is redacted in the rejects file;
* each import is written to the audit trail with the user's identity.

One row per offence (or victimisation); the person's fields (``lpa``, locations, flags) repeat
on each of their rows and must agree (a row that disagrees with the person's first row is
rejected). Harm is the offence's weight in the harm table (:mod:`planner.harm`: per Home Office
code when ``ho_code`` is given and the table has offence weights, else per crime type).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from planner.errors import InputError, PlannerError
from planner.harm import HarmTable
from planner.planning.config import METHODS
from planner.records import models as m
from planner.records.store import RecordStore, _upsert

#: the import kinds of this module
KINDS: tuple[str, ...] = ("nominals", "victims", "tasking", "pop", "spend")

#: column names (normalised: lower case, non-alphanumerics as ``_``) refused in nominal lists
NAME_LIKE: frozenset[str] = frozenset(
    {
        "name",
        "names",
        "forename",
        "forenames",
        "surname",
        "first_name",
        "firstname",
        "last_name",
        "lastname",
        "full_name",
        "fullname",
        "given_name",
        "family_name",
        "middle_name",
        "nominal_name",
        "person_name",
        "alias",
        "aliases",
        "date_of_birth",
        "dob",
        "birth_date",
        "address",
        "home_address",
        "street_address",
        "postcode",
        "phone",
        "telephone",
        "mobile",
        "email",
        "ni_number",
        "pnc_id",
        "pnc_number",
    }
)
#: a nominal id that looks like a name: two or more words of letters, or "SURNAME, Forename"
_NAME_ID = re.compile(r"^[A-Za-z][A-Za-z'\-]+(,?\s+[A-Za-z][A-Za-z'\-]+)+$")

TARGET_KINDS: tuple[str, ...] = ("place", "person")
ITEM_STATUSES: tuple[str, ...] = ("open", "in_progress", "done", "dropped")
SARA_STAGES: tuple[str, ...] = ("scanning", "analysis", "response", "assessment")
POP_STATUSES: tuple[str, ...] = ("active", "on_hold", "closed")
TRUE = ("true", "yes", "y", "1", "t")
FALSE = ("false", "no", "n", "0", "f", "")

_PERSON = ("lpa", "home_x", "home_y", "frequent_x", "frequent_y")
_FLAGS = {
    "nominals": ("high_risk", "wanted"),
    "victims": ("repeat_victim", "high_risk", "vulnerable"),
}
#: kind -> (required columns, optional columns)
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "nominals": (
        ("nominal_id", "lpa"),
        (
            "record_id",
            "occurred_on",
            "crime_type",
            "ho_code",
            *_PERSON[1:],
            "high_risk",
            "wanted",
            "wanted_since",
        ),
    ),
    "victims": (
        ("nominal_id", "lpa"),
        (
            "record_id",
            "occurred_on",
            "crime_type",
            "ho_code",
            *_PERSON[1:],
            "repeat_victim",
            "high_risk",
            "vulnerable",
        ),
    ),
    "tasking": (
        (
            "meeting_id",
            "lpa",
            "meeting_date",
            "item_id",
            "target_kind",
            "target_id",
            "action",
            "owner",
            "due",
        ),
        ("agency", "status", "outcome"),
    ),
    "pop": (
        ("plan_id", "tgp_id", "title", "stage", "status", "owner", "updated_on"),
        ("scanning", "analysis", "response", "assessment"),
    ),
    "spend": (("spend_id", "spent_on", "method", "amount_gbp"), ("tgp_id", "description")),
}


def _norm(col: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(col).strip().lower()).strip("_")


def _date(v: str) -> date | None:
    v = v.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return pd.to_datetime(v, format=fmt).date()
        except ValueError:
            continue
    return None


def _float(v: str) -> float | None:
    try:
        f = float(v)
    except ValueError:
        return None
    return f if f == f else None


def _bool(v: str) -> bool | None:
    low = v.strip().lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    return None


def refuse_name_like(raw: pd.DataFrame, path: Path) -> None:
    """Refuse a nominal list that carries a name-like or identifying column with any value.

    Parameters
    ----------
    raw
        The file's rows as strings (after the mapping; dropped columns removed).
    path
        The file (for the message).

    Raises
    ------
    InputError
        Naming the first such column (never its values).
    """
    for col in raw.columns:
        if _norm(col) in NAME_LIKE and (raw[col].astype(str).str.strip() != "").any():
            raise InputError(
                path,
                "looks like a name or identifying field: nominal lists are imported "
                "pseudonymised (ids only); drop it with --map "
                f"'{col}=-' or remove it from the export. No row was stored",
                line=1,
                field=str(col),
            )


def read_csv(path: str | Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read an import CSV as strings; ``mapping`` renames (``SOURCE=-`` drops a column).

    Parameters
    ----------
    path
        The CSV file.
    mapping
        {source column: canonical column or "-"}.

    Returns
    -------
    pandas.DataFrame
        String values under canonical names.
    """
    p = Path(path)
    if not p.is_file():
        raise PlannerError(f"{p}: no such file")
    try:
        raw = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise InputError(p, "the file is empty (no header row)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(p, f"not a readable CSV ({str(exc).splitlines()[0]})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    mapping = dict(mapping or {})
    absent = [s for s in mapping if s not in raw.columns]
    if absent:
        raise InputError(p, f"mapping names column(s) not in the file: {', '.join(absent)}", line=1)
    drop = [s for s, d in mapping.items() if d.strip() in ("-", "")]
    raw = raw.drop(columns=drop).rename(columns={s: d for s, d in mapping.items() if s not in drop})
    return raw


class _Checker:
    """Per-row validation for one kind, against the store and the workspace's LPAs and TGPs."""

    def __init__(
        self,
        kind: str,
        *,
        lpas: Mapping[str, str] | None,
        tgps: set[str] | None,
        nominals: set[str],
        harm: HarmTable,
    ):
        self.kind, self.lpas, self.tgps, self.nominals, self.harm = (
            kind,
            lpas,
            tgps,
            nominals,
            harm,
        )

    def lpa(self, v: str) -> tuple[str | None, str]:
        if not self.lpas:
            return v.strip(), ""
        hit = self.lpas.get(v.strip().lower())
        return (
            hit,
            ""
            if hit
            else f"unknown lpa '{v}' (LPAs: {', '.join(sorted(set(self.lpas.values())))})",
        )

    def tgp(self, v: str) -> str:
        if self.tgps is not None and v.strip() not in self.tgps:
            return f"unknown tgp_id '{v}' (not in the workspace's TGP layer)"
        return ""

    def person(self, r: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any] | None, str]:
        nid = r["nominal_id"].strip()
        if _NAME_ID.match(nid):
            return {}, None, "nominal_id looks like a name (import pseudonymised ids only)"
        lpa, why = self.lpa(r["lpa"])
        if why:
            return {}, None, why
        p: dict[str, Any] = {"nominal_id": nid, "lpa": lpa}
        for c in _PERSON[1:]:
            v = r.get(c, "").strip()
            f = _float(v) if v else None
            if v and f is None:
                return {}, None, f"{c} '{v}' is not a number"
            if f is not None and not (0 <= f <= 1_300_000):
                return {}, None, f"{c} {v} is outside British National Grid (EPSG:27700)"
            p[c] = f
        for a, b in (("home_x", "home_y"), ("frequent_x", "frequent_y")):
            if (p[a] is None) != (p[b] is None):
                return {}, None, f"{a} and {b} must both be given or both be empty"
        for c in ("repeat_victim", "high_risk", "vulnerable", "wanted"):
            if c in _FLAGS[self.kind]:
                flag = _bool(r.get(c, ""))
                if flag is None:
                    return {}, None, f"{c} '{r.get(c)}' is not true/false (yes/no, 1/0)"
                p[c] = flag
            else:
                p[c] = False
        p["wanted_since"] = None
        if self.kind == "nominals" and r.get("wanted_since", "").strip():
            d = _date(r["wanted_since"])
            if d is None:
                return {}, None, f"wanted_since '{r['wanted_since']}' is not a date (YYYY-MM-DD)"
            p["wanted_since"] = d
        p["kind"] = "offender" if self.kind == "nominals" else "victim"
        off: dict[str, Any] | None = None
        given = [c for c in ("record_id", "occurred_on", "crime_type") if r.get(c, "").strip()]
        if given:
            miss = [c for c in ("record_id", "occurred_on", "crime_type") if c not in given]
            if miss:
                return (
                    {},
                    None,
                    "an offence needs record_id, occurred_on and crime_type; missing "
                    + ", ".join(miss),
                )
            d = _date(r["occurred_on"])
            if d is None:
                return {}, None, f"occurred_on '{r['occurred_on']}' is not a date (YYYY-MM-DD)"
            ct = r["crime_type"].strip()
            code = r.get("ho_code", "").strip() or None
            w = self.harm.weights_for(pd.Series([ct]), pd.Series([code]) if code else None)[0]
            if w != w:
                return (
                    {},
                    None,
                    f"unknown crime_type '{ct}' (not in the harm table {self.harm.source})",
                )
            off = {
                "nominal_id": nid,
                "record_id": r["record_id"].strip(),
                "occurred_on": d,
                "crime_type": ct,
                "ho_code": code,
                "harm": float(w),
            }
        return p, off, ""

    def tasking(self, r: dict[str, str]) -> tuple[dict[str, Any], str]:
        lpa, why = self.lpa(r["lpa"])
        if why:
            return {}, why
        md, due = _date(r["meeting_date"]), _date(r["due"])
        if md is None:
            return {}, f"meeting_date '{r['meeting_date']}' is not a date (YYYY-MM-DD)"
        if due is None:
            return {}, f"due '{r['due']}' is not a date (YYYY-MM-DD)"
        tk = r["target_kind"].strip().lower()
        if tk not in TARGET_KINDS:
            return {}, f"target_kind '{r['target_kind']}' is not one of {', '.join(TARGET_KINDS)}"
        tid = r["target_id"].strip()
        if tk == "place" and (why := self.tgp(tid)):
            return {}, why
        if tk == "person" and tid not in self.nominals:
            return {}, f"person '{tid}' is not an imported nominal (import nominals/victims first)"
        st = (r.get("status", "").strip().lower() or "open").replace(" ", "_")
        if st not in ITEM_STATUSES:
            return {}, f"status '{r.get('status')}' is not one of {', '.join(ITEM_STATUSES)}"
        return {
            "item_id": r["item_id"].strip(),
            "meeting_id": r["meeting_id"].strip(),
            "lpa": lpa,
            "meeting_date": md,
            "target_kind": tk,
            "target_id": tid,
            "action": r["action"].strip(),
            "owner": r["owner"].strip(),
            "agency": r.get("agency", "").strip() or None,
            "due": due,
            "status": st,
            "outcome": r.get("outcome", "").strip() or None,
        }, ""

    def pop(self, r: dict[str, str]) -> tuple[dict[str, Any], str]:
        if why := self.tgp(r["tgp_id"]):
            return {}, why
        stage, status = r["stage"].strip().lower(), r["status"].strip().lower().replace(" ", "_")
        if stage not in SARA_STAGES:
            return {}, f"stage '{r['stage']}' is not a SARA stage ({', '.join(SARA_STAGES)})"
        if status not in POP_STATUSES:
            return {}, f"status '{r['status']}' is not one of {', '.join(POP_STATUSES)}"
        d = _date(r["updated_on"])
        if d is None:
            return {}, f"updated_on '{r['updated_on']}' is not a date (YYYY-MM-DD)"
        out: dict[str, Any] = {c: r.get(c, "").strip() or None for c in SARA_STAGES}
        out.update(
            plan_id=r["plan_id"].strip(),
            tgp_id=r["tgp_id"].strip(),
            title=r["title"].strip(),
            stage=stage,
            status=status,
            owner=r["owner"].strip(),
            updated_on=d,
        )
        return out, ""

    def spend(self, r: dict[str, str]) -> tuple[dict[str, Any], str]:
        d = _date(r["spent_on"])
        if d is None:
            return {}, f"spent_on '{r['spent_on']}' is not a date (YYYY-MM-DD)"
        meth = r["method"].strip().lower()
        if meth not in (*METHODS, "pop", "other"):
            return (
                {},
                f"method '{r['method']}' is not one of {', '.join((*METHODS, 'pop', 'other'))}",
            )
        amt = _float(r["amount_gbp"].replace(",", "").replace("£", ""))
        if amt is None or amt < 0:
            return {}, f"amount_gbp '{r['amount_gbp']}' is not an amount >= 0"
        tgp = r.get("tgp_id", "").strip() or None
        if tgp is not None and (why := self.tgp(tgp)):
            return {}, why
        return {
            "spend_id": r["spend_id"].strip(),
            "spent_on": d,
            "method": meth,
            "tgp_id": tgp,
            "amount_gbp": amt,
            "description": r.get("description", "").strip() or None,
        }, ""


def import_targeting(
    store: RecordStore,
    path: str | Path,
    kind: str,
    *,
    mapping: Mapping[str, str] | None = None,
    lpas: Mapping[str, str] | None = None,
    tgps: set[str] | None = None,
    harm: HarmTable | None = None,
    rejects_path: str | Path | None = None,
    synthetic: bool = False,
    user: str = "",
    audit: Callable[..., None] | None = None,
) -> dict[str, Any]:
    """Import one CSV of ``kind`` (see the module docstring) into the records store.

    Parameters
    ----------
    store
        The records store.
    path
        The CSV file.
    kind
        One of :data:`KINDS`.
    mapping
        {source column: canonical column}; ``"-"`` drops a column.
    lpas
        {lower-case LPA name or code: LPA name} to check ``lpa`` against (None: not checked).
    tgps
        TGP ids to check ``tgp_id`` against (None: not checked).
    harm
        Harm table for offences (default :meth:`planner.harm.HarmTable.default`).
    rejects_path
        Rejects CSV (default ``<stem>.rejects.csv`` beside the file; written when a row is
        rejected).
    synthetic
        Mark the rows synthetic (the demo).
    user
        Identity written to the audit trail.
    audit
        ``log_event``-like callable (default :func:`planner.access.audit.log_event` on ``store``).

    Returns
    -------
    dict
        ``kind, read, accepted, rejected, rejects_file, by_reason`` and, for nominal lists,
        ``people`` and ``offences`` stored.
    """
    if kind not in KINDS:
        raise PlannerError(f"unknown import '{kind}' (use {', '.join(KINDS)})")
    p = Path(path)
    raw = read_csv(p, mapping)
    req, opt = COLUMNS[kind]
    if kind in ("nominals", "victims"):
        refuse_name_like(raw, p)
    missing = [c for c in req if c not in raw.columns]
    if missing:
        raise InputError(
            p,
            f"missing column(s) {', '.join(missing)} for {kind}; found {', '.join(raw.columns)}. "
            "Declare a mapping (--map SOURCE=CANONICAL)",
            line=1,
        )
    nominals = set(store.frame("nominals")["nominal_id"]) if kind == "tasking" else set()
    chk = _Checker(kind, lpas=lpas, tgps=tgps, nominals=nominals, harm=harm or HarmTable.default())
    keys = {"tasking": "item_id", "pop": "plan_id", "spend": "spend_id"}
    people: dict[str, tuple[dict[str, Any], int]] = {}
    offences: dict[tuple[str, str], dict[str, Any]] = {}
    rows: dict[str, dict[str, Any]] = {}
    first: dict[Any, int] = {}
    reasons: list[str] = []
    redact: list[bool] = []
    for i, rec in enumerate(raw.to_dict("records")):
        r = {str(k): str(v) for k, v in rec.items()}
        line = i + 2
        miss = [c for c in req if not r.get(c, "").strip()]
        why = "missing " + ", ".join(miss) if miss else ""
        red = False
        if not why and kind in ("nominals", "victims"):
            person, off, why = chk.person(r)
            red = why.startswith("nominal_id looks like a name")
            if not why:
                nid = person["nominal_id"]
                if nid in people and people[nid][0] != person:
                    why = f"person fields (lpa, locations, flags) differ from line {people[nid][1]}"
                elif off is not None and (nid, off["record_id"]) in offences:
                    why = f"duplicate of line {first[(nid, off['record_id'])]}"
                else:
                    people.setdefault(nid, (person, line))
                    if off is not None:
                        offences[(nid, off["record_id"])] = off
                        first[(nid, off["record_id"])] = line
        elif not why:
            row, why = getattr(chk, kind)(r)
            if not why:
                k = row[keys[kind]]
                if k in rows:
                    why = f"duplicate of line {first[k]}"
                else:
                    rows[k], first[k] = row, line
        reasons.append(why)
        redact.append(red)
    bad = pd.Series([bool(x) for x in reasons], index=raw.index)
    rej = raw[bad.to_numpy()].copy()
    if "nominal_id" in rej.columns:
        rej.loc[pd.Series(redact, index=raw.index)[bad].to_numpy(), "nominal_id"] = "[redacted]"
    rej.insert(0, "reason", [x for x in reasons if x])
    rej.insert(0, "line", [i + 2 for i, x in enumerate(reasons) if x])
    rp = Path(rejects_path) if rejects_path else p.with_name(p.stem + ".rejects.csv")
    if len(rej):
        rej.to_csv(rp, index=False)
    src = p.name[:255]
    model = {"tasking": m.TaskingItem, "pop": m.PopPlan, "spend": m.GrantSpend}

    def work(s: Session) -> None:
        if kind in ("nominals", "victims"):
            prow = [dict(v[0], source=src, synthetic=synthetic) for v in people.values()]
            _upsert(s, m.Nominal, prow, ["nominal_id"])
            orow = [dict(v, synthetic=synthetic) for v in offences.values()]
            _upsert(s, m.NominalOffence, orow, ["nominal_id", "record_id"])
        else:
            _upsert(
                s,
                model[kind],
                [dict(v, source=src, synthetic=synthetic) for v in rows.values()],
                [keys[kind]],
            )

    store.run(work)
    accepted = int((~bad).sum())
    out: dict[str, Any] = {
        "kind": kind,
        "read": int(len(raw)),
        "accepted": accepted,
        "rejected": int(bad.sum()),
        "rejects_file": str(rp) if len(rej) else None,
        "by_reason": {
            str(k): int(v)
            for k, v in pd.Series([x.split(" '")[0] for x in reasons if x]).value_counts().items()
        },
    }
    if kind in ("nominals", "victims"):
        out["people"], out["offences"] = len(people), len(offences)
    if audit is None:
        from planner.access.audit import log_event

        def audit(user: str, action: str, **kw: Any) -> None:
            log_event(store, user, action, **kw)

    table = {"nominals": "nominals", "victims": "nominals", "tasking": "tasking_items"}.get(
        kind, {"pop": "pop_plans", "spend": "grant_spend"}.get(kind)
    )
    audit(
        user or "(unknown)",
        "insert",
        table_name=table,
        detail={
            "import": kind,
            "file": src,
            **{k: out[k] for k in ("read", "accepted", "rejected")},
        },
        source="import",
    )
    return out


def workspace_checks(ws: Any) -> tuple[dict[str, str] | None, set[str] | None]:
    """The LPAs (``{lower-case name or code: name}``) and TGP ids of a workspace to check against.

    Parameters
    ----------
    ws
        A :class:`planner.workspace.Workspace` or None.

    Returns
    -------
    tuple
        ``(lpas or None, tgp ids or None)``.
    """
    if ws is None:
        return None, None
    lpas: dict[str, str] | None = None
    if ws.has_table("lpas"):
        lp = pd.read_parquet(ws.table_path("lpas"), columns=["lpa_code", "lpa"])
        lpas = {str(n).lower(): str(n) for n in lp["lpa"]}
        lpas.update({str(c).lower(): str(n) for c, n in zip(lp["lpa_code"], lp["lpa"])})
    tgps = set(ws.tgps()["tgp_id"].astype(str)) if ws.has_table("tgps") else None
    return lpas, tgps


def import_kind(ws: Any, kind: str, paths: list[Path], opts: Any) -> dict[str, Any]:
    """``planner import KIND`` for this module's kinds (called by :mod:`planner.ownforce`).

    Parameters
    ----------
    ws
        The workspace (None when ``opts.db`` names the store).
    kind
        One of :data:`KINDS`.
    paths
        CSV files.
    opts
        :class:`planner.ownforce.importer.ImportOptions` (``mapping``, ``rejects``,
        ``synthetic``, ``db``, ``offence_weights``: CCHI per Home Office code).

    Returns
    -------
    dict
        The counts summed over the files (``read = accepted + rejected``).
    """
    from planner.access.audit import os_user
    from planner.ownforce.importer import _mapping
    from planner.records.store import open_store

    if ws is None and opts.db is None:
        raise PlannerError("give the records store with --db URL (or --workspace DIR)")
    lpas, tgps = workspace_checks(ws)
    ow = getattr(opts, "offence_weights", None)
    harm = HarmTable.from_offence_weights(ow) if ow else None
    totals: dict[str, Any] = {"kind": kind, "read": 0, "accepted": 0, "rejected": 0}
    files: list[str | None] = []
    with open_store(opts.db, workspace=ws) as store:
        for p in paths:
            rp = opts.rejects if opts.rejects and len(paths) == 1 else None
            res = import_targeting(
                store,
                p,
                kind,
                mapping=_mapping(opts),
                lpas=lpas,
                tgps=tgps,
                harm=harm,
                rejects_path=rp,
                synthetic=opts.synthetic,
                user=os_user(),
            )
            for k in ("read", "accepted", "rejected", "people", "offences"):
                if k in res:
                    totals[k] = totals.get(k, 0) + res[k]
            files.append(res["rejects_file"])
    totals["rejects_file"] = files[0] if len(files) == 1 else files
    return totals

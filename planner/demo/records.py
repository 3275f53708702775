"""Demo step: SYNTHETIC engagement and abstraction records, loaded into the records store.

Writes the engagement-tracker and abstraction-app exports as CSV (``records/engagements_export.csv``,
``records/abstractions_export.csv``) and imports them into ``records.sqlite`` with the ordinary
import (so ``planner import`` on the same files afterwards reports only duplicates). Patterns
from the force paper, all simulated:

* engagement recording is lower in Sandwell than in Wolverhampton until Sandwell's officers are
  trained on :data:`SANDWELL_TRAINING` (then it improves);
* abstractions of neighbourhood officers and PCSOs with the usual reasons, authorised by the
  team sergeant, the LPA inspector or (major incidents) an on-call superintendent who is not in
  the people tables (so the import adds them as unverified); Birmingham and Sandwell are
  abstracted more and bring it down after the benchmark quarter;
* a handful of malformed rows in each export (they show up in the rejects files);
* vacancies, short tenures and missing handovers come from the ``people`` step's postings.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from planner.records.guarantee import import_table
from planner.records.imports import import_abstractions, import_engagements
from planner.records.store import STORE_FILE, load_reference, open_store
from planner.records.vocab import DEFAULT_VOCABULARY as V

#: simulated period (the demo's funding year FY2025 up to the demo's today)
SIM_START = date(2025, 4, 1)
#: the day Sandwell's neighbourhood officers are trained in using the engagement tracker
SANDWELL_TRAINING = date(2025, 9, 15)
#: engagements per officer per working day, by role
ENGAGE_RATE = {"DNO": 0.5, "PCSO": 0.6, "LAT": 0.2}
#: share of engagements actually recorded: LPA -> (before training, after); default otherwise
RECORDING = {"Sandwell": (0.35, 0.8), "Wolverhampton": (0.85, 0.85)}
RECORDING_DEFAULT = 0.7
WORKING_SHARE = 4 / 7
#: abstractions per neighbourhood officer per week; LPA multiplier (before, after the benchmark quarter)
ABSTRACT_RATE = 0.12
ABSTRACT_LPA = {"Birmingham": (1.6, 1.1), "Sandwell": (1.4, 1.0)}
BENCHMARK_END = date(2025, 6, 30)
ABSTRACTION_MIX = {
    # type: (probability, authoriser ("team" SGT | "lpa" INSP | "supt"), hours choices, destination)
    "response cover": (0.36, "team", (8, 10, 10), "LPA response team"),
    "public order / events": (0.18, "lpa", (10, 12), "Force public order"),
    "custody cover": (0.1, "team", (8, 10), "Custody suite"),
    "training": (0.14, "lpa", (7.5, 7.5, 15, 37.5), "Training school"),
    "investigation support": (0.1, "lpa", (8, 16), "CID"),
    "major incident": (0.04, "supt", (12, 24), "Major incident cordon"),
    "court": (0.05, "team", (4, 8), "Crown Court"),
    "other": (0.03, "team", (4, 8), "Other duties"),
}
ENGAGE_TYPES = {
    "street briefing": 0.25,
    "meeting": 0.15,
    "event": 0.1,
    "social media": 0.12,
    "school visit": 0.08,
    "community surgery": 0.08,
    "business visit": 0.1,
    "home visit": 0.08,
    "partner meeting": 0.04,
}
#: malformed rows per export (to show rejects)
N_BAD = 12
JITTER_M = 300.0


def _pick(rng: np.random.Generator, probs: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(probs), dtype=object)
    p = np.array(list(probs.values()), float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _active(ws, today: date) -> pd.DataFrame:
    """Neighbourhood officers in post during the simulation: officer, role, ward, team, lpa, from, to."""
    geo = ws.geography()
    wards = geo.wards[["ward_code", "lpa", "nbh_code"]]
    post = ws.postings()
    post = post[post["role"].isin(["DNO", "PCSO"])].merge(
        wards[["ward_code", "lpa"]], on="ward_code", how="left"
    )
    post = post.assign(start=pd.to_datetime(post["start"]), end=pd.to_datetime(post["end"]))
    lo, hi = pd.Timestamp(SIM_START), pd.Timestamp(today)
    post = post[(post["start"] <= hi) & (post["end"].isna() | (post["end"] >= lo))]
    act = pd.DataFrame(
        {
            "officer_id": post["officer_id"],
            "role": post["role"],
            "ward_code": post["ward_code"],
            "team_id": post["team_id"],
            "lpa": post["lpa"],
            "from": post["start"].clip(lower=lo),
            "to": post["end"].fillna(hi).clip(upper=hi),
        }
    )
    off = ws.officers()
    lat = off[off["role"] == "LAT"]
    # a LAT officer works across the team's wards: give each the team's first ward as a base
    base = (
        wards.sort_values("ward_code")
        .drop_duplicates("nbh_code")
        .set_index("nbh_code")["ward_code"]
    )
    lat = pd.DataFrame(
        {
            "officer_id": lat["officer_id"],
            "role": "LAT",
            "ward_code": lat["team_id"].map(base),
            "team_id": lat["team_id"],
            "lpa": lat["lpa"],
            "from": max(lo, pd.Timestamp(SIM_START)),
            "to": hi,
        }
    ).dropna(subset=["ward_code"])
    return pd.concat([act, lat], ignore_index=True)


def _officer_days(act: pd.DataFrame) -> pd.DataFrame:
    """One row per officer per day in post (vectorised repeat)."""
    n = ((act["to"] - act["from"]).dt.days + 1).clip(lower=0).to_numpy()
    rep = act.loc[act.index.repeat(n)].reset_index(drop=True)
    offs = np.concatenate([np.arange(k) for k in n]) if len(n) else np.array([], int)
    rep["day"] = rep["from"] + pd.to_timedelta(offs, unit="D")
    return rep


def simulate_engagements(ws, rng: np.random.Generator, act: pd.DataFrame) -> pd.DataFrame:
    """SYNTHETIC engagement records of the active officers' working days.

    Parameters
    ----------
    ws : Workspace
        The workspace.
    rng : numpy.random.Generator
        The random stream.
    act : pandas.DataFrame
        Active postings (:func:`_active`).

    Returns
    -------
    pandas.DataFrame
        One row per engagement.
    """
    days = _officer_days(act)
    rate = days["role"].map(ENGAGE_RATE).to_numpy(float) * WORKING_SHARE
    before = days["day"] < pd.Timestamp(SANDWELL_TRAINING)
    rec = np.full(len(days), RECORDING_DEFAULT)
    for lpa, (b, a) in RECORDING.items():
        sel = (days["lpa"] == lpa).to_numpy()
        rec[sel] = np.where(before.to_numpy()[sel], b, a)
    k = rng.poisson(rate * rec)
    e = days.loc[
        np.repeat(np.arange(len(days)), k), ["officer_id", "ward_code", "day"]
    ].reset_index(drop=True)
    n = len(e)
    minutes = rng.integers(8 * 60, 21 * 60, n)
    local = e["day"] + pd.to_timedelta(minutes, unit="m")
    e["occurred_at"] = local.dt.strftime("%Y-%m-%dT%H:%M")
    e["engagement_type"] = _pick(rng, ENGAGE_TYPES, n)
    method = _pick(
        rng, {"face to face": 0.8, "online": 0.08, "telephone": 0.07, "leaflet": 0.05}, n
    )
    e["method"] = np.where(e["engagement_type"] == "social media", "social media", method)
    e["priority_group"] = _pick(rng, dict.fromkeys(V.priority_groups, 1.0) | {"residents": 4.0}, n)
    e["minority_group"] = _pick(rng, dict.fromkeys(V.minority_groups, 0.05) | {"none": 0.6}, n)
    # location: ward representative point + jitter, as WGS84
    wards = ws.geography().wards.set_index("ward_code")
    pt = wards.geometry.representative_point()
    x = e["ward_code"].map(pt.x).to_numpy() + rng.normal(0, JITTER_M, n)
    y = e["ward_code"].map(pt.y).to_numpy() + rng.normal(0, JITTER_M, n)
    import geopandas as gpd

    ll = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=wards.crs).to_crs(4326)
    face = (e["method"] == "face to face").to_numpy()
    e["longitude"] = np.where(face, np.round(ll.x.to_numpy(), 6), np.nan)
    e["latitude"] = np.where(face, np.round(ll.y.to_numpy(), 6), np.nan)
    e = e.sort_values(["occurred_at", "officer_id"], kind="stable").reset_index(drop=True)
    e.insert(0, "record_id", [f"ENG-{i:07d}" for i in range(1, len(e) + 1)])
    e["notes"] = "SYNTHETIC demo record"
    return e.drop(columns=["day"])


def simulate_abstractions(ws, rng: np.random.Generator, act: pd.DataFrame) -> pd.DataFrame:
    """SYNTHETIC abstraction records (officers taken off their area), with authorisers.

    Parameters
    ----------
    ws : Workspace
        The workspace.
    rng : numpy.random.Generator
        The random stream.
    act : pandas.DataFrame
        Active postings (:func:`_active`).

    Returns
    -------
    pandas.DataFrame
        One row per abstraction.
    """
    off = ws.officers()
    sgt = off[off["role"] == "SGT"].drop_duplicates("team_id").set_index("team_id")["officer_id"]
    insp = off[off["role"] == "INSP"].drop_duplicates("lpa").set_index("lpa")["officer_id"]
    days = _officer_days(act)
    after = (days["day"] > pd.Timestamp(BENCHMARK_END)).to_numpy()
    mult = np.ones(len(days))
    for lpa, (before, since) in ABSTRACT_LPA.items():
        sel = (days["lpa"] == lpa).to_numpy()
        mult[sel] = np.where(after[sel], since, before)
    k = rng.poisson(ABSTRACT_RATE / 7 * mult)
    a = days.loc[np.repeat(np.arange(len(days)), k)].reset_index(drop=True)
    n = len(a)
    kinds = np.array(list(ABSTRACTION_MIX), dtype=object)
    p = np.array([v[0] for v in ABSTRACTION_MIX.values()])
    a["abstraction_type"] = kinds[rng.choice(len(kinds), n, p=p / p.sum())]
    who = a["abstraction_type"].map({k: v[1] for k, v in ABSTRACTION_MIX.items()})
    by_team = a["team_id"].map(sgt)
    by_lpa = a["lpa"].map(insp)
    supt = "SUPT-" + a["lpa"].str[:3].str.upper()
    a["authorised_by"] = np.where(
        who == "team", by_team.fillna(by_lpa), np.where(who == "lpa", by_lpa, supt)
    )
    a["authoriser_level"] = np.where(
        who == "team",
        np.where(by_team.notna(), "SGT", "INSP"),
        np.where(who == "lpa", "INSP", "SUPT"),
    )
    hours = np.empty(n)
    for kname, (_p, _w, choices, _d) in ABSTRACTION_MIX.items():
        sel = (a["abstraction_type"] == kname).to_numpy()
        hours[sel] = rng.choice(np.array(choices, float), sel.sum())
    a["hours"] = hours
    a["destination"] = a["abstraction_type"].map({k: v[3] for k, v in ABSTRACTION_MIX.items()})
    start_h = rng.choice(np.array([7, 8, 14, 22]), n)
    a["start"] = (a["day"] + pd.to_timedelta(start_h, unit="h")).dt.strftime("%Y-%m-%dT%H:%M")
    a = a.sort_values(["start", "officer_id"], kind="stable").reset_index(drop=True)
    a.insert(0, "record_id", [f"ABS-{i:06d}" for i in range(1, len(a) + 1)])
    a["notes"] = "SYNTHETIC demo record"
    cols = [
        "record_id",
        "officer_id",
        "authorised_by",
        "authoriser_level",
        "abstraction_type",
        "destination",
        "start",
        "hours",
        "notes",
    ]
    return a[cols]


#: the demo's Guarantee and training exports (issue 18): kind -> description
GUARANTEE_TABLES = {
    "training": "NPP1/NPP2 completion dates of neighbourhood officers",
    "soh": "Single Online Home compliance per LPA and month",
    "milestones": "town-centre and ASB action plan milestones",
}
#: NPP1 completions run from this day to the paper's target (all by the end of November 2025)
NPP1_FROM, NPP1_TARGET = date(2024, 10, 1), date(2025, 11, 30)
#: share of NPP1-trained officers who have also completed NPP2, from NPP2_FROM
NPP2_SHARE, NPP2_FROM = 0.4, date(2025, 4, 1)
#: Single Online Home: 100 % compliance from this month (the paper: since July 2025)
SOH_FULL_FROM = "2025-07"


def simulate_guarantee(ws, rng: np.random.Generator, today: date) -> dict[str, pd.DataFrame]:
    """SYNTHETIC training completions, SOH compliance and plan milestones (issue 18).

    Parameters
    ----------
    ws : Workspace
        The workspace (its officers).
    rng : numpy.random.Generator
        The random stream.
    today : datetime.date
        Nothing later is recorded.

    Returns
    -------
    dict of str to pandas.DataFrame
        The tables by name.
    """
    off = ws.officers()
    trained = off[off["npp1_trained"].fillna(False).astype(bool)]
    span = (NPP1_TARGET - NPP1_FROM).days
    start = pd.to_datetime(trained["start_date"]).dt.date
    d1 = [max(s, NPP1_FROM) + pd.Timedelta(days=int(rng.integers(0, max(1, span)))) for s in start]
    d1 = [min(d, NPP1_TARGET) for d in d1]
    t1 = pd.DataFrame({"officer_id": trained["officer_id"], "course": "NPP1", "completed_on": d1})
    t1 = t1[pd.to_datetime(t1["completed_on"]) <= pd.Timestamp(today)]
    pick = rng.random(len(t1)) < NPP2_SHARE
    t2 = t1[pick].copy()
    t2["course"] = "NPP2"
    lo2 = pd.Timestamp(NPP2_FROM)
    t2["completed_on"] = [
        max(pd.Timestamp(d), lo2) + pd.Timedelta(days=int(rng.integers(0, 240)))
        for d in t2["completed_on"]
    ]
    t2 = t2[t2["completed_on"] <= pd.Timestamp(today)]
    training = pd.concat([t1, t2], ignore_index=True)
    training["completed_on"] = pd.to_datetime(training["completed_on"]).dt.strftime("%Y-%m-%d")
    wards = ws.geography().wards
    per_lpa = wards.groupby("lpa").size()
    rows = []
    for mo in pd.period_range(SIM_START, today, freq="M").strftime("%Y-%m"):
        for lpa, n in per_lpa.items():
            miss = 0 if mo >= SOH_FULL_FROM else int(rng.integers(0, max(2, n // 6)))
            rows.append({"month": mo, "lpa": lpa, "wards": int(n), "compliant": int(n) - miss})
    soh = pd.DataFrame(rows)
    ms = []
    for lpa in sorted(per_lpa.index):
        plan = f"{lpa} town-centre plan"
        for i, (what, due, done_days) in enumerate(
            (
                ("partnership meeting held", date(2025, 7, 31), -10),
                ("hotspot patrol plan agreed", date(2025, 10, 31), 5 if len(lpa) % 2 else -3),
                ("first quarterly review", date(2026, 1, 31), None),
            )
        ):
            done = due + pd.Timedelta(days=done_days) if done_days is not None else None
            if lpa in ("Sandwell", "Walsall") and i == 1:
                done = None  # an overdue milestone to show
            ms.append(
                {
                    "plan": plan,
                    "kind": "town-centre",
                    "area": lpa,
                    "milestone": what,
                    "owner": f"{lpa} LPA commander",
                    "due": due.isoformat(),
                    "done": done.isoformat() if done is not None else "",
                }
            )
    for what, due, done in (
        ("ASB problem profile", date(2025, 10, 31), date(2025, 10, 20)),
        ("partner consultation", date(2026, 1, 31), None),
        ("draft ASB action plan", date(2026, 3, 31), None),
    ):
        ms.append(
            {
                "plan": "Force ASB action plan",
                "kind": "asb",
                "area": "force",
                "milestone": what,
                "owner": "Neighbourhood policing lead",
                "due": due.isoformat(),
                "done": done.isoformat() if done else "",
            }
        )
    return {"training": training, "soh": soh, "milestones": pd.DataFrame(ms)}


def _spoil(
    df: pd.DataFrame, rng: np.random.Generator, edits: list[tuple[str, str]]
) -> pd.DataFrame:
    """Append N_BAD malformed copies of random rows (new record ids) to show rejects."""
    bad = df.iloc[rng.choice(len(df), N_BAD, replace=False)].copy().astype(object)
    bad["record_id"] = [f"{r}-X" for r in bad["record_id"]]
    for i, (col, val) in enumerate(edits * (N_BAD // len(edits) + 1)):
        if i >= N_BAD:
            break
        bad.loc[bad.index[i], col] = val
    return pd.concat([df.astype(object), bad], ignore_index=True)


def step(ws, rng: np.random.Generator) -> None:
    """Demo step (:data:`planner.demo.STEPS`): the records exports.

    Writes the synthetic engagement and abstraction exports (a few rows spoiled on purpose for
    the import's rejects) and the guarantee tables.

    Parameters
    ----------
    ws : Workspace
        The demo workspace being built.
    rng : numpy.random.Generator
        The build's random stream.
    """
    today = ws.today
    out = ws.root / "records"
    out.mkdir(exist_ok=True)
    act = _active(ws, today)
    eng = simulate_engagements(ws, rng, act)
    abs_ = simulate_abstractions(ws, rng, act)
    eng = _spoil(
        eng,
        rng,
        [
            ("method", "carrier pigeon"),
            ("occurred_at", "31/02/2025 10:00"),
            ("ward_code", "E05999999"),
            ("officer_id", ""),
        ],
    )
    abs_ = _spoil(
        abs_,
        rng,
        [
            ("hours", "-4"),
            ("authoriser_level", "PC"),
            ("start", "2031-01-01T09:00"),
            ("destination", ""),
        ],
    )
    eng_csv, abs_csv = out / "engagements_export.csv", out / "abstractions_export.csv"
    eng.to_csv(eng_csv, index=False)
    abs_.to_csv(abs_csv, index=False)

    db = ws.root / STORE_FILE
    if db.exists():
        db.unlink()
    geo = ws.geography()
    with open_store(db) as store:
        load_reference(
            store,
            wards=pd.DataFrame(geo.wards.drop(columns="geometry")).reindex(
                columns=[
                    "ward_code",
                    "ward",
                    "lpa",
                    "nbh_code",
                    "population",
                    *[c for c in ("sector_code", "sector_name") if c in geo.wards.columns],
                ]
            ),
            teams=ws.teams(),
            officers=ws.officers(),
            postings=ws.postings(),
            synthetic=True,
        )
        now = pd.Timestamp(today).tz_localize("Europe/London") + pd.Timedelta(days=1)
        r1 = import_engagements(
            store,
            eng_csv,
            rejects_path=out / "engagements_export.rejects.csv",
            now=now,
            synthetic=True,
        )
        r2 = import_abstractions(
            store,
            abs_csv,
            rejects_path=out / "abstractions_export.rejects.csv",
            now=now,
            synthetic=True,
        )
        guarantee = simulate_guarantee(ws, rng, today)
        g_counts = {}
        for kind, frame in guarantee.items():
            path = out / f"{kind}_export.csv"
            frame.to_csv(path, index=False)
            g_counts[kind] = import_table(store, path, kind, synthetic=True)["accepted"]
    for kind, what in GUARANTEE_TABLES.items():
        ws.add_table(
            f"{kind}_export",
            f"records/{kind}_export.csv",
            synthetic=True,
            description=f"SYNTHETIC {what}",
            rows=g_counts[kind],
        )
    ws.add_table(
        "records_store",
        STORE_FILE,
        synthetic=True,
        description="SYNTHETIC records store (SQLite): people, engagements, abstractions, audit trail",
        rows=None,
    )
    ws.add_table(
        "engagements_export",
        "records/engagements_export.csv",
        synthetic=True,
        description=f"SYNTHETIC engagement-tracker export ({r1.rejected} malformed rows on purpose)",
        rows=r1.read,
    )
    ws.add_table(
        "abstractions_export",
        "records/abstractions_export.csv",
        synthetic=True,
        description=f"SYNTHETIC abstraction-app export ({r2.rejected} malformed rows on purpose)",
        rows=r2.read,
    )

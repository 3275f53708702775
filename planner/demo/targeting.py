"""Demo step ``targeting``: small SYNTHETIC tables for issue 19.

People, tasking, Op Advance, POP plans and grant spend, imported through the same validated
imports a force would use.

Everything here is simulated and labelled synthetic: pseudonymised ids ``SYN-OFF-nnnn`` and
``SYN-VIC-nnnn`` (no names), homes near TGP centres, offences and victimisations in the year
before the demo's today, three monthly tasking meetings per LPA, a POP plan for a third of the
violent TGPs, grant spend lines by method from the funding year's start, the Op Advance
rotation from April to the end of next year with a day of action in each past month, and a
week of reassurance visits per LPA tracked from synthetic visit logs.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from planner.records.store import STORE_FILE, open_store

#: offence types of the synthetic offenders and their weights in the draw
OFFENCE_TYPES = {
    "Violence and sexual offences": 0.45,
    "Robbery": 0.15,
    "Burglary": 0.1,
    "Possession of weapons": 0.1,
    "Drugs": 0.1,
    "Criminal damage and arson": 0.1,
}
VICTIM_TYPES = {"Anti-social behaviour": 0.7, "Criminal damage and arson": 0.2, "Public order": 0.1}
OWNERS = (
    "Neighbourhood Inspector",
    "Neighbourhood Sergeant",
    "Council ASB officer",
    "Youth service lead",
    "Housing officer",
)
ACTIONS = (
    "targeted patrols at peak hours",
    "CCTV review with the council",
    "lighting and environmental visit",
    "youth outreach sessions",
    "licensed premises visit",
)
PERSON_ACTIONS = ("offender management visit", "warning letter", "partner referral")
METHOD_MONTHLY_GBP = {
    "gtf": 160_000.0,
    "lpa_patrol": 70_000.0,
    "asb_patrol": 30_000.0,
    "la_patrol": 20_000.0,
    "pop": 15_000.0,
}
USER = "demo:planner.demo.targeting"


def _pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> list[str]:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return [keys[i] for i in rng.choice(len(keys), size=n, p=p / p.sum())]


def simulate_people(ws, rng: np.random.Generator, today: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic offender and victim lists (one row per offence / victimisation).

    Parameters
    ----------
    ws
        The demo workspace (its TGPs give the LPAs and the home locations).
    rng
        Random stream.
    today
        The demo's today (offences in the year before it).

    Returns
    -------
    tuple of pandas.DataFrame
        ``(nominals, victims)`` in the import schemas (docs/data.md).
    """
    tg = ws.tgps()
    off_rows, vic_rows = [], []
    n_off = n_vic = 0
    for lpa, g in tg.groupby("lpa", sort=True):
        cx, cy = g["centre_x"].to_numpy(), g["centre_y"].to_numpy()
        for kind in ("offender", "victim"):
            for _ in range(int(rng.integers(8, 14))):
                i = int(rng.integers(len(cx)))
                hx = round(float(cx[i] + rng.normal(0, 300)), 0)
                hy = round(float(cy[i] + rng.normal(0, 300)), 0)
                if kind == "offender":
                    n_off += 1
                    nid = f"SYN-OFF-{n_off:04d}"
                    k = int(rng.integers(1, 7))
                    wanted = bool(rng.random() < 0.12)
                    since = today - timedelta(days=int(rng.integers(1, 60))) if wanted else None
                    high = bool(rng.random() < 0.15)
                    for j, ct in enumerate(_pick(rng, OFFENCE_TYPES, k)):
                        d = today - timedelta(days=int(rng.integers(0, 365)))
                        off_rows.append(
                            {
                                "nominal_id": nid,
                                "lpa": lpa,
                                "record_id": f"{nid}-R{j + 1}",
                                "occurred_on": d.isoformat(),
                                "crime_type": ct,
                                "home_x": hx,
                                "home_y": hy,
                                "wanted": "yes" if wanted else "no",
                                "wanted_since": since.isoformat() if since else "",
                                "high_risk": "yes" if high else "no",
                            }
                        )
                else:
                    n_vic += 1
                    nid = f"SYN-VIC-{n_vic:04d}"
                    k = int(rng.integers(1, 5))
                    vul = bool(rng.random() < 0.25)
                    high = bool(rng.random() < 0.1)
                    for j, ct in enumerate(_pick(rng, VICTIM_TYPES, k)):
                        d = today - timedelta(days=int(rng.integers(0, 365)))
                        vic_rows.append(
                            {
                                "nominal_id": nid,
                                "lpa": lpa,
                                "record_id": f"{nid}-V{j + 1}",
                                "occurred_on": d.isoformat(),
                                "crime_type": ct,
                                "home_x": hx,
                                "home_y": hy,
                                "repeat_victim": "yes" if k >= 3 else "no",
                                "high_risk": "yes" if high else "no",
                                "vulnerable": "yes" if vul else "no",
                            }
                        )
    return pd.DataFrame(off_rows), pd.DataFrame(vic_rows)


def simulate_tasking(
    ws, rng: np.random.Generator, today: date, offenders: pd.DataFrame
) -> pd.DataFrame:
    """Three monthly tasking meetings per LPA (first Tuesday of the last three months).

    Parameters
    ----------
    ws
        The demo workspace.
    rng
        Random stream.
    today
        The demo's today.
    offenders
        The synthetic offenders (person targets).

    Returns
    -------
    pandas.DataFrame
        Tasking items in the import schema.
    """
    tg = ws.tgps()
    rows = []
    months = [pd.Period(today, freq="M") - k for k in (2, 1, 0)]
    for lpa, g in tg.groupby("lpa", sort=True):
        people = sorted(offenders.loc[offenders["lpa"] == lpa, "nominal_id"].unique())
        for mo in months:
            d0 = mo.start_time.date()
            meet = d0 + timedelta(days=(1 - d0.weekday()) % 7)
            mid = f"TM-{lpa[:3].upper()}-{mo}"
            places = g["tgp_id"].to_numpy()[rng.permutation(len(g))[: min(3, len(g))]]
            targets = [("place", str(t)) for t in places]
            if people:
                targets.append(("person", str(people[int(rng.integers(len(people)))])))
            for j, (tk, tid) in enumerate(targets):
                due = meet + timedelta(days=int(rng.integers(7, 28)))
                past = due < today
                st = (
                    str(rng.choice(["done", "done", "in_progress", "open"]))
                    if past
                    else str(rng.choice(["open", "in_progress"]))
                )
                rows.append(
                    {
                        "meeting_id": mid,
                        "lpa": lpa,
                        "meeting_date": meet.isoformat(),
                        "item_id": f"{mid}-{j + 1}",
                        "target_kind": tk,
                        "target_id": tid,
                        "action": str(rng.choice(PERSON_ACTIONS if tk == "person" else ACTIONS)),
                        "owner": str(rng.choice(OWNERS)),
                        "agency": "police"
                        if tk == "person"
                        else str(rng.choice(["police", "local authority", "youth service"])),
                        "due": due.isoformat(),
                        "status": st,
                        "outcome": "completed as planned (synthetic)" if st == "done" else "",
                    }
                )
    return pd.DataFrame(rows)


def simulate_pop_and_spend(
    ws, rng: np.random.Generator, today: date, fy_start: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """POP plans for a third of the violent TGPs and monthly grant spend lines by method.

    Parameters
    ----------
    ws
        The demo workspace.
    rng
        Random stream.
    today
        The demo's today.
    fy_start
        First day of the funding year.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(pop plans, spend lines)`` in the import schemas.
    """
    tg = ws.tgps()
    violent = tg[tg["kind"] == "violent"]["tgp_id"].astype(str).to_numpy()
    chosen = sorted(violent[rng.permutation(len(violent))[: max(1, len(violent) // 3)]])
    stages = ["scanning", "analysis", "response", "assessment"]
    pop = []
    for i, t in enumerate(chosen):
        s = int(rng.integers(0, 4))
        pop.append(
            {
                "plan_id": f"POP-{i + 1:03d}",
                "tgp_id": t,
                "title": f"Serious youth violence around {t} (synthetic)",
                "stage": stages[s],
                "status": "closed" if s == 3 and rng.random() < 0.5 else "active",
                "owner": "Neighbourhood Inspector",
                "updated_on": (today - timedelta(days=int(rng.integers(0, 90)))).isoformat(),
                "scanning": "violence with injury among under-25s rising (synthetic)",
                "analysis": "evening peak near transport hub (synthetic)" if s >= 1 else "",
                "response": "diversion, lighting, targeted patrols (synthetic)" if s >= 2 else "",
                "assessment": "offences down on the baseline (synthetic)" if s >= 3 else "",
            }
        )
    spend = []
    months = pd.period_range(pd.Period(fy_start, freq="M"), pd.Period(today, freq="M"), freq="M")
    n = 0
    for mo in months:
        day = mo.end_time.date()
        for meth, base in METHOD_MONTHLY_GBP.items():
            amt = round(base * float(rng.uniform(0.85, 1.15)), 2)
            tgps = chosen if meth == "pop" else [None]
            for t in tgps:
                n += 1
                spend.append(
                    {
                        "spend_id": f"SP-{n:05d}",
                        "spent_on": day.isoformat(),
                        "method": meth,
                        "tgp_id": t or "",
                        "amount_gbp": round(amt / len(tgps), 2),
                        "description": f"{meth} {mo} (synthetic)",
                    }
                )
    return pd.DataFrame(pop), pd.DataFrame(spend)


def step(ws, rng: np.random.Generator) -> None:
    """Write the synthetic CSVs to ``records/targeting/`` and import them into the store.

    Parameters
    ----------
    ws : Workspace
        The demo workspace being built.
    rng : numpy.random.Generator
        The build's random stream.
    """
    from planner.tasking import advance as adv
    from planner.tasking import people
    from planner.tasking.imports import import_targeting, workspace_checks

    today = ws.today
    fy_start = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    out = ws.root / "records" / "targeting"
    out.mkdir(parents=True, exist_ok=True)
    offenders, victims = simulate_people(ws, rng, today)
    tasking = simulate_tasking(ws, rng, today, offenders)
    pop, spend = simulate_pop_and_spend(ws, rng, today, fy_start)
    lpas, tgps = workspace_checks(ws)
    frames = {
        "nominals": offenders,
        "victims": victims,
        "tasking": tasking,
        "pop": pop,
        "spend": spend,
    }
    counts = {}
    with open_store(ws.root / STORE_FILE) as store:
        for kind, frame in frames.items():
            path = out / f"{kind}.csv"
            frame.to_csv(path, index=False)
            counts[kind] = import_targeting(
                store, path, kind, lpas=lpas, tgps=tgps, synthetic=True, user=USER
            )["accepted"]
        every = sorted(set(ws.tgps()["lpa"].astype(str)))
        start = str(pd.Period(fy_start, freq="M"))
        n_months = (today.year + 1 - fy_start.year) * 12 + 12 - fy_start.month + 1
        adv.generate_calendar(store, every, start, n_months, user=USER, synthetic=True)
        cal = adv.calendar(store)
        tg = ws.tgps()
        for mo, lpa in zip(cal["month"], cal["lpa"]):
            p = pd.Period(mo, freq="M")
            if p > pd.Period(today, freq="M"):
                break
            d0 = p.start_time.date()
            day = d0 + timedelta(days=(5 - d0.weekday()) % 7 + 7)  # the second Saturday
            g = tg[tg["lpa"] == lpa].sort_values("rank").head(5)
            locs = [
                {
                    "rank": i + 1,
                    "location": f"{t} (TGP centre)",
                    "ward": "",
                    "status": "",
                    "x": float(x),
                    "y": float(y),
                }
                for i, (t, x, y) in enumerate(zip(g["tgp_id"], g["centre_x"], g["centre_y"]))
            ]
            res = {
                "officers": int(rng.integers(30, 80)),
                "pcsos": int(rng.integers(5, 20)),
                "vehicles": int(rng.integers(5, 15)),
                "partners": int(rng.integers(2, 8)),
            }
            done = {c: bool(rng.random() < 0.85) for c in adv.DEFAULT_CHECKLIST}
            rec = adv.plan_day(
                store,
                lpa,
                day,
                locations=locs,
                resources=res,
                checklist=done,
                user=USER,
                synthetic=True,
            )
            if day <= today:
                adv.record_results(
                    store,
                    rec["day_id"],
                    {
                        "arrests": int(rng.integers(3, 25)),
                        "visits": int(rng.integers(20, 80)),
                        "engagements": int(rng.integers(100, 400)),
                    },
                    user=USER,
                )
        for lpa in every:
            people.plan_reassurance(
                store,
                lpa=lpa,
                start=today - timedelta(days=6),
                days=7,
                per_day=1,
                synthetic=True,
                user=USER,
            )
        rv = store.frame("reassurance_visits")
        past = rv[pd.to_datetime(rv["planned_on"]) < pd.Timestamp(today)]
        logs = pd.DataFrame(
            {
                "visit_id": past["visit_id"],
                "minutes": np.round(rng.uniform(0, 25, len(past)), 1),
            }
        )
        logs.to_csv(out / "reassurance_logs.csv", index=False)
        people.track_reassurance(store, logs=logs, user=USER)
    for kind, n in counts.items():
        ws.add_table(
            f"targeting_{kind}",
            f"records/targeting/{kind}.csv",
            synthetic=True,
            description=f"SYNTHETIC {kind} export for issue 19 (imported into the records store)",
            rows=n,
        )

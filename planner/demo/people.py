"""Demo step: SYNTHETIC teams, officers and postings for the West Midlands demo.

No open data lists police officers, so these are simulated (and flagged synthetic): every ward
has a Dedicated Neighbourhood Officer (DNO) except a few seeded vacancies, one or two named
PCSOs, Local Action Team (LAT) officers and a sergeant per neighbourhood team, an inspector per
LPA; five Guardian Taskforce teams (GTF-5 from 2025-11-17); an LPA patrol team and a
local-authority warden team per LPA. DNO postings carry start dates so that some DNOs have been
in post under two years and some wards had a handover gap.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

FIRST = [
    "Aisha",
    "Amir",
    "Amy",
    "Ben",
    "Bilal",
    "Chloe",
    "Daniel",
    "Deepa",
    "Emma",
    "Faisal",
    "Grace",
    "Harpreet",
    "Hannah",
    "Imran",
    "Jack",
    "James",
    "Jasmine",
    "Kiran",
    "Laura",
    "Liam",
    "Maria",
    "Mohammed",
    "Nadia",
    "Oliver",
    "Priya",
    "Rachel",
    "Ravi",
    "Sam",
    "Sarah",
    "Simon",
    "Sophie",
    "Tom",
    "Usman",
    "Zara",
    "Kwame",
    "Chidi",
    "Megan",
    "Ellie",
    "Ryan",
    "Adam",
    "Fatima",
    "Hassan",
    "Jade",
    "Lewis",
]
LAST = [
    "Ahmed",
    "Ali",
    "Bains",
    "Begum",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Green",
    "Hall",
    "Hussain",
    "Jones",
    "Kaur",
    "Khan",
    "Lewis",
    "Mahmood",
    "Patel",
    "Roberts",
    "Sandhu",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Walker",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Young",
    "Okafor",
    "Mensah",
    "Nowak",
    "Kowalski",
    "Murphy",
    "O'Brien",
    "Campbell",
    "Hughes",
    "Edwards",
]

GTF_TEAMS = (
    ("GTF-1", "2024-04-01"),
    ("GTF-2", "2024-04-01"),
    ("GTF-3", "2024-04-01"),
    ("GTF-4", "2024-04-01"),
    ("GTF-5", "2025-11-17"),
)
GTF_SIZE = (1, 10)  # sergeants, constables
LPA_PATROL_SIZE = (1, 6)
LA_WARDENS = 4
N_VACANCIES = 4
DEMO_TODAY = date(2025, 12, 31)


def build_people(
    geo, rng: np.random.Generator, today: date = DEMO_TODAY
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(teams, officers, postings) for a force geography; deterministic for ``rng``.

    Parameters
    ----------
    geo : ForceGeography
        The force's neighbourhoods and LPAs.
    rng : numpy.random.Generator
        The random stream.
    today : datetime.date
        The workspace's today (postings run up to it).

    Returns
    -------
    tuple of pandas.DataFrame
        Teams, officers and postings.
    """
    team_rows: list[dict] = []
    for nb in geo.neighbourhoods.sort_values("nbh_code").itertuples():
        team_rows.append(
            {
                "team_id": nb.nbh_code,
                "name": nb.neighbourhood,
                "kind": "neighbourhood",
                "lpa": nb.lpa,
                "nbh_code": nb.nbh_code,
                "start_date": "2020-04-01",
            }
        )
    for tid, gtf_start in GTF_TEAMS:
        team_rows.append(
            {
                "team_id": tid,
                "name": f"Guardian Taskforce team {tid[-1]}",
                "kind": "gtf",
                "lpa": None,
                "nbh_code": None,
                "start_date": gtf_start,
            }
        )
    for lpa in geo.lpa_names():
        team_rows.append(
            {
                "team_id": f"LPA-{lpa}",
                "name": f"{lpa} LPA TGP patrol team",
                "kind": "lpa_patrol",
                "lpa": lpa,
                "nbh_code": None,
                "start_date": "2024-04-01",
            }
        )
        team_rows.append(
            {
                "team_id": f"LA-{lpa}",
                "name": f"{lpa} council ASB wardens",
                "kind": "la_patrol",
                "lpa": lpa,
                "nbh_code": None,
                "start_date": "2024-04-01",
            }
        )
    teams = pd.DataFrame(team_rows)
    teams["start_date"] = pd.to_datetime(teams["start_date"]).dt.date
    teams["synthetic"] = True

    officer_rows: list[dict] = []
    posting_rows: list[dict] = []
    counter = iter(range(1, 100_000))

    def name():
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"

    def add(role, team_id, lpa, ward=None, start=None, trained=None):
        oid = f"OF{next(counter):05d}"
        start = start or date(int(rng.integers(2012, 2024)), int(rng.integers(1, 13)), 1)
        npp1 = bool(rng.random() < 0.8) if trained is None else trained
        officer_rows.append(
            {
                "officer_id": oid,
                "name": name(),
                "role": role,
                "team_id": team_id,
                "lpa": lpa,
                "ward_code": ward,
                "start_date": start,
                "npp1_trained": npp1,
            }
        )
        return oid

    wards = geo.wards.sort_values("ward_code")
    vacant = set(rng.choice(wards["ward_code"].to_numpy(), N_VACANCIES, replace=False))
    for w in wards.itertuples():
        # current DNO: in post since a date; ~20% under two years
        short = rng.random() < 0.2
        days_in_post = int(rng.integers(30, 700)) if short else int(rng.integers(731, 2900))
        start = pd.Timestamp(today) - pd.Timedelta(days=days_in_post)
        if w.ward_code in vacant:
            # the last DNO left; no successor yet (a vacancy)
            oid = add("DNO", w.nbh_code, w.lpa, w.ward_code, start=start.date(), trained=True)
            left = pd.Timestamp(today) - pd.Timedelta(days=int(rng.integers(20, 120)))
            posting_rows.append(
                {
                    "officer_id": oid,
                    "role": "DNO",
                    "ward_code": w.ward_code,
                    "team_id": w.nbh_code,
                    "start": start.date(),
                    "end": left.date(),
                }
            )
            officer_rows[-1]["team_id"] = None  # moved on
        else:
            oid = add("DNO", w.nbh_code, w.lpa, w.ward_code, start=start.date())
            posting_rows.append(
                {
                    "officer_id": oid,
                    "role": "DNO",
                    "ward_code": w.ward_code,
                    "team_id": w.nbh_code,
                    "start": start.date(),
                    "end": None,
                }
            )
            # the previous DNO: handed over (overlap) in most wards, a gap in some
            prev_start = start - pd.Timedelta(days=int(rng.integers(500, 1500)))
            handover = rng.random() < 0.85
            prev_end = (
                start + pd.Timedelta(days=int(rng.integers(3, 15)))
                if handover
                else start - pd.Timedelta(days=int(rng.integers(10, 90)))
            )
            pid = add("DNO", None, w.lpa, w.ward_code, start=prev_start.date())
            posting_rows.append(
                {
                    "officer_id": pid,
                    "role": "DNO",
                    "ward_code": w.ward_code,
                    "team_id": w.nbh_code,
                    "start": prev_start.date(),
                    "end": prev_end.date(),
                }
            )
        for _ in range(int(rng.integers(1, 3))):
            pc_start = pd.Timestamp(today) - pd.Timedelta(days=int(rng.integers(60, 2500)))
            oid = add("PCSO", w.nbh_code, w.lpa, w.ward_code, start=pc_start.date())
            posting_rows.append(
                {
                    "officer_id": oid,
                    "role": "PCSO",
                    "ward_code": w.ward_code,
                    "team_id": w.nbh_code,
                    "start": pc_start.date(),
                    "end": None,
                }
            )
    for t in teams.itertuples():
        if t.kind == "neighbourhood":
            add("SGT", t.team_id, t.lpa)
            for _ in range(3):
                add("LAT", t.team_id, t.lpa)
        elif t.kind == "gtf":
            for _ in range(GTF_SIZE[0]):
                add("SGT", t.team_id, None, start=t.start_date)
            for _ in range(GTF_SIZE[1]):
                add("PC", t.team_id, None, start=t.start_date)
        elif t.kind == "lpa_patrol":
            add("SGT", t.team_id, t.lpa)
            for _ in range(LPA_PATROL_SIZE[1]):
                add("PC", t.team_id, t.lpa)
        elif t.kind == "la_patrol":
            for _ in range(LA_WARDENS):
                add("LA_WARDEN", t.team_id, t.lpa, trained=False)
    for lpa in geo.lpa_names():
        add("INSP", None, lpa)
    officers = pd.DataFrame(officer_rows)
    officers["synthetic"] = True
    postings = pd.DataFrame(posting_rows)
    for c in ("start", "end"):
        postings[c] = pd.to_datetime(postings[c])
    postings["synthetic"] = True
    return teams, officers, postings


def step(ws, rng) -> None:
    """Demo step (:data:`planner.demo.STEPS`): write the synthetic teams, officers and postings.

    Parameters
    ----------
    ws : Workspace
        The demo workspace being built.
    rng : numpy.random.Generator
        The build's random stream.
    """
    teams, officers, postings = build_people(ws.geography(), rng, ws.today)
    (ws.root / "people").mkdir(exist_ok=True)
    for name, df, desc in (
        (
            "teams",
            teams,
            "SYNTHETIC teams: neighbourhood teams, Guardian Taskforce (GTF-5 from 2025-11-17), LPA patrol and council warden teams",
        ),
        (
            "officers",
            officers,
            "SYNTHETIC officers, PCSOs and wardens with names drawn at random (not real people)",
        ),
        (
            "postings",
            postings,
            "SYNTHETIC DNO and PCSO ward postings (start, end; end empty = in post)",
        ),
    ):
        rel = f"people/{name}.parquet"
        df.to_parquet(ws.root / rel, index=False)
        ws.add_table(name, rel, synthetic=True, description=desc, rows=len(df))

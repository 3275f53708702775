"""Fixtures for issue 19 (people, tasking, Op Advance days, POP and spend): small CSVs and a store."""

from __future__ import annotations

import pytest

from planner.records.store import open_store

NOMINALS = """nominal_id,lpa,record_id,occurred_on,crime_type,home_x,home_y,wanted,wanted_since,high_risk
N1,North,R1,2025-01-05,Robbery,400000,290000,yes,2025-06-01,no
N1,North,R2,2025-03-05,Burglary,400000,290000,yes,2025-06-01,no
N2,North,R3,2025-02-01,Violence and sexual offences,,,no,,yes
N3,South,R4,2025-02-02,Shoplifting,,,no,,no
N3,South,R5,2024-12-31,Robbery,,,no,,no
N4,North,,,,,,no,,no
N5,North,R6,2025-13-01,Robbery,,,no,,no
N6,North,R7,2025-01-01,Jaywalking,,,no,,no
John Smith,North,R8,2025-01-01,Robbery,,,no,,no
N1,South,R9,2025-04-01,Robbery,400000,290000,yes,2025-06-01,no
N2,North,R3,2025-02-01,Violence and sexual offences,,,no,,yes
"""
VICTIMS = """nominal_id,lpa,record_id,occurred_on,crime_type,home_x,home_y,repeat_victim,high_risk,vulnerable
V1,North,VR1,2025-05-01,Anti-social behaviour,401000,291000,no,no,yes
V2,North,VR2,2025-05-02,Anti-social behaviour,402000,292000,no,no,no
V2,North,VR3,2025-06-02,Criminal damage and arson,402000,292000,no,no,no
V3,North,VR4,2025-05-03,Anti-social behaviour,403000,293000,no,no,no
V4,North,VR5,2025-05-04,Violence and sexual offences,,,no,yes,no
V5,South,VR6,2025-05-05,Anti-social behaviour,404000,294000,yes,no,no
"""
TASKING = """meeting_id,lpa,meeting_date,item_id,target_kind,target_id,action,owner,agency,due,status,outcome
M1,North,2025-07-01,I1,place,T1,high-visibility patrols at dusk,Insp Lee,police,2025-07-10,open,
M1,North,2025-07-01,I2,person,N1,offender management visit,DS Khan,police,2025-08-01,done,visited 3 July
M2,North,2025-07-15,I3,place,T1,CCTV review with the council,Ms Ali,local authority,2025-07-20,in progress,
M2,North,2025-07-15,I4,vehicle,AB12CDE,stop checks,PC Hill,police,2025-07-20,open,
M2,North,2025-07-15,I5,person,N99,warning letter,PC Hill,police,2025-07-20,open,
M3,South,2025-07-02,I6,place,T2,youth outreach,Mr Roe,youth service,2025-07-30,open,
"""
POP = """plan_id,tgp_id,title,stage,status,owner,updated_on,scanning,analysis,response,assessment
P1,T1,Knife crime near the precinct,response,active,Insp Lee,2025-07-01,rise in knife robbery,evening peak,youth diversion,
P2,T2,Late-night violence,analysis,active,Insp Roe,2025-06-15,weekend violence,,,
P3,T1,Drug-linked robbery,assessment,closed,Insp Lee,2025-05-01,robbery cluster,dealing site,closure order,fell 30%
P4,T3,Unknown stage,design,active,Insp Roe,2025-06-15,,,,
"""
SPEND = """spend_id,spent_on,method,tgp_id,amount_gbp,description
S1,2025-04-10,gtf,T1,1000,overtime
S2,2025-05-10,gtf,T2,500.50,overtime
S3,2025-06-10,lpa_patrol,T1,2000,overtime
S4,2025-06-20,pop,,300,diversion sessions
S5,2025-06-21,helicopter,,300,
S6,2025-06-22,gtf,T1,-5,refund
"""


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "records.sqlite")
    yield s
    s.close()


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, body in {
        "nominals": NOMINALS,
        "victims": VICTIMS,
        "tasking": TASKING,
        "pop": POP,
        "spend": SPEND,
    }.items():
        p = tmp_path / f"{name}.csv"
        p.write_text(body)
        out[name] = p
    return out


# PostgreSQL: the records tests' throwaway server (skips with its reason when there is none)
from tests.records.conftest import pg_server, pg_url  # noqa: E402, F401

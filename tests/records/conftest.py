"""Fixtures for the records store: SQLite always, PostgreSQL when a server can be had.

PostgreSQL: ``PLANNER_TEST_PG_URL`` if set; else a throwaway cluster started with ``initdb`` /
``pg_ctl`` (PATH, ``/usr/lib/postgresql/*/bin`` or ``/usr/local/bin``) as the unprivileged user
``pgtest`` when running as root (see ../shared/SERVICES.md), stopped at the end of the session;
else the PostgreSQL tests skip with the reason. Each test gets a fresh database.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

PG_USER = "pgtest"


def _find_bin(name: str) -> str | None:
    hit = shutil.which(name)
    if hit:
        return hit
    for pat in (f"/usr/lib/postgresql/*/bin/{name}", f"/usr/local/bin/{name}"):
        found = sorted(glob.glob(pat))
        if found:
            return found[-1]
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["su", PG_USER, "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]


@pytest.fixture(scope="session")
def pg_server():
    """Base URL of a PostgreSQL server (``postgresql://user@host:port/``) or skip."""
    url = os.environ.get("PLANNER_TEST_PG_URL")
    if url:
        rest = url.split("://", 1)[1]
        yield (
            url[: len(url) - len(rest)] + rest.split("/", 1)[0] + "/"
        )  # the server, without a database
        return
    initdb, pg_ctl = _find_bin("initdb"), _find_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip(
            "PostgreSQL not available: set PLANNER_TEST_PG_URL or install postgresql (initdb not found)"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'psycopg[binary]')")
    if os.geteuid() == 0 and subprocess.run(["id", PG_USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "-m", PG_USER], check=True, capture_output=True)
    d = Path(tempfile.mkdtemp(prefix="planner-pg-"))
    if os.geteuid() == 0:
        shutil.chown(d, user=PG_USER)
    data, port = d / "data", _free_port()
    r = subprocess.run(
        _as_user([initdb, "-D", str(data), "-A", "trust", "-U", "postgres"]),
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        pytest.skip(f"initdb failed: {r.stderr.strip()[:200]}")
    opts = f"-p {port} -k {d} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
    r = subprocess.run(
        _as_user([pg_ctl, "-D", str(data), "-o", opts, "-l", str(d / "log"), "-w", "start"]),
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        pytest.skip(f"PostgreSQL did not start: {r.stderr.strip()[:200]}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/"
    finally:
        subprocess.run(
            _as_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = pg_server + "postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    yield pg_server + name
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A URL for an empty store on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records.sqlite'}"
    return request.getfixturevalue("pg_url")


# ---- small constructed people tables ------------------------------------------------
TODAY = date(2025, 12, 31)


def people_frames() -> dict[str, pd.DataFrame]:
    """Two LPAs, three neighbourhood teams, five wards; postings with a mid-year team move."""
    wards = pd.DataFrame(
        {
            "ward_code": ["W1", "W2", "W3", "W4", "W5"],
            "ward": ["Ashby", "Brook", "Cole", "Dale", "Eden"],
            "lpa": ["North", "North", "North", "South", "South"],
            "nbh_code": ["N-1", "N-1", "N-2", "S-1", "S-1"],
            "population": [10_000.0, 20_000.0, 10_000.0, 40_000.0, 20_000.0],
        }
    )
    teams = pd.DataFrame(
        {
            "team_id": ["N-1", "N-2", "S-1"],
            "name": ["North one", "North two", "South one"],
            "kind": "neighbourhood",
            "lpa": ["North", "North", "South"],
            "nbh_code": ["N-1", "N-2", "S-1"],
            "start_date": date(2020, 4, 1),
        }
    )
    officers = pd.DataFrame(
        {
            "officer_id": ["D1", "D2", "D3", "D4", "P1", "P2", "P3", "S1", "S2", "I1", "D0"],
            "name": ["Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jo", "Old"],
            "role": [
                "DNO",
                "DNO",
                "DNO",
                "DNO",
                "PCSO",
                "PCSO",
                "PCSO",
                "SGT",
                "SGT",
                "INSP",
                "DNO",
            ],
            "team_id": ["N-1", "N-1", "N-2", "S-1", "N-1", "N-2", "S-1", "N-1", "S-1", None, None],
            "lpa": [
                "North",
                "North",
                "North",
                "South",
                "North",
                "North",
                "South",
                "North",
                "South",
                "South",
                "South",
            ],
            "ward_code": ["W1", "W2", "W3", "W4", "W1", "W3", "W4", None, None, None, None],
            "start_date": date(2015, 1, 1),
            "npp1_trained": [True, True, False, True, True, False, False, True, True, True, False],
        }
    )
    ts = pd.Timestamp
    postings = pd.DataFrame(
        [
            # officer, role, ward, team, start, end, handover_date
            ("D1", "DNO", "W1", "N-1", ts("2020-01-01"), pd.NaT, pd.NaT),
            (
                "D2",
                "DNO",
                "W2",
                "N-1",
                ts("2025-03-01"),
                pd.NaT,
                pd.NaT,
            ),  # < 2 years; D0 ended with a gap
            ("D0", "DNO", "W2", "N-1", ts("2019-01-01"), ts("2025-01-31"), pd.NaT),
            # D3 worked in S-1 (W4) until 2025-06-30, then moved to N-2 (W3)
            ("D3", "DNO", "W4", "S-1", ts("2021-01-01"), ts("2025-06-30"), pd.NaT),
            ("D3", "DNO", "W3", "N-2", ts("2025-07-01"), pd.NaT, pd.NaT),
            # D4 took over W4 with an overlap (counts as a handover)
            ("D4", "DNO", "W4", "S-1", ts("2025-06-20"), pd.NaT, pd.NaT),
            ("P1", "PCSO", "W1", "N-1", ts("2022-01-01"), pd.NaT, pd.NaT),
            ("P2", "PCSO", "W3", "N-2", ts("2022-01-01"), ts("2025-10-31"), pd.NaT),
            ("P3", "PCSO", "W4", "S-1", ts("2024-06-01"), pd.NaT, pd.NaT),
        ],
        columns=["officer_id", "role", "ward_code", "team_id", "start", "end", "handover_date"],
    )
    return {"wards": wards, "teams": teams, "officers": officers, "postings": postings}


@pytest.fixture
def people():
    return people_frames()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite store with the people tables, built once and copied per test."""
    from planner.records.store import load_reference, open_store

    path = tmp_path_factory.mktemp("template") / "records.sqlite"
    s = open_store(path)
    load_reference(s, **people_frames())
    s.close()  # the last connection closing checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server) -> str:
    """A migrated PostgreSQL template database with the people tables."""
    import psycopg

    from planner.records.store import load_reference, open_store

    name = f"tmpl_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server + "postgres", autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    s = open_store(pg_server + name)
    load_reference(s, **people_frames())
    s.close()
    return name


@pytest.fixture
def sqlite_store(tmp_path, sqlite_template):
    from planner.records.store import open_store

    dst = tmp_path / "records.sqlite"
    shutil.copyfile(sqlite_template, dst)
    s = open_store(dst)
    yield s
    s.close()


@pytest.fixture
def pg_store(pg_server, pg_template):
    import psycopg

    from planner.records.store import open_store

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = pg_server + "postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    s = open_store(pg_server + name)
    yield s
    s.close()
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request):
    """A migrated store with the constructed people tables, on each backend."""
    return request.getfixturevalue("sqlite_store" if request.param == "sqlite" else "pg_store")

"""Fixtures for the access-control tests: a writable served workspace, users, a server."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORDS = {
    "insp": "insp-password-1",
    "intel": "intel-password-1",
    "pc": "pc-password-12",
    "adv": "adv-password-1",
    "admin": "admin-password-1",
}

#: a whole token for ``ids_in``: a maximal run of word characters and hyphens
TOKEN = re.compile(r"[\w-]+")


def ids_in(text: str, ids) -> list[str]:
    r"""The ids of ``ids`` (in order) that occur in ``text`` as a whole token, i.e. not inside a
    longer run of word characters or hyphens: ``re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])",
    text)`` for each id, in one pass over ``text`` instead of one per id (the texts are whole
    documents and websocket streams, the ids about a thousand officers or records)."""
    ids = list(ids)
    if not all(TOKEN.fullmatch(i) for i in ids):  # an id with other characters: one search each
        return [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]
    tokens = set(TOKEN.findall(text))
    return [i for i in ids if i in tokens]


def writable_copy(src: Path, dst: Path) -> Path:
    """A workspace that shares ``src``'s read-only tables and has its own records store.

    The store is rebuilt from the workspace's people tables and record exports (as the demo
    builds it), so the copy never depends on, or writes to, the source's store.
    """
    from planner.records.imports import import_abstractions, import_engagements
    from planner.records.store import STORE_FILE, load_reference, open_store
    from planner.workspace import Workspace

    dst.mkdir(parents=True)
    for p in src.iterdir():
        if p.name == "workspace.json":
            shutil.copy(p, dst / p.name)
        elif p.name != STORE_FILE and not p.name.startswith(STORE_FILE):
            (dst / p.name).symlink_to(p)
    ws = Workspace(dst)
    geo = ws.geography()
    now = pd.Timestamp(ws.today).tz_localize("Europe/London") + pd.Timedelta(days=1)
    with open_store(dst / STORE_FILE) as store:
        load_reference(
            store,
            wards=geo.wards[["ward_code", "ward", "lpa", "nbh_code", "population"]],
            teams=ws.teams(),
            officers=ws.officers(),
            postings=ws.postings(),
            synthetic=True,
        )
        for fn, name in (
            (import_engagements, "engagements"),
            (import_abstractions, "abstractions"),
        ):
            fn(
                store,
                src / "records" / f"{name}_export.csv",
                rejects_path=dst / f"{name}.rejects.csv",
                now=now,
                synthetic=True,
            )
    return dst


@pytest.fixture(scope="session")
def served_ws(demo_ws, tmp_path_factory) -> Path:
    return writable_copy(Path(demo_ws.root), tmp_path_factory.mktemp("access") / "ws")


@pytest.fixture(scope="session")
def inspector_lpa(served_ws) -> str:
    from planner.workspace import Workspace

    return sorted(Workspace(served_ws).officers()["lpa"].dropna().unique())[0]


@pytest.fixture(scope="session")
def users_file(tmp_path_factory, inspector_lpa) -> Path:
    from planner.access.users import add_user

    path = tmp_path_factory.mktemp("users") / "users.json"
    add_user(path, "insp", PASSWORDS["insp"], role="inspector", lpas=[inspector_lpa])
    add_user(path, "intel", PASSWORDS["intel"], role="intelligence")
    add_user(path, "pc", PASSWORDS["pc"], role="officer", officer_id="WM-0001")
    add_user(path, "adv", PASSWORDS["adv"], role="advance")
    add_user(path, "admin", PASSWORDS["admin"], role="admin")
    return path


@pytest.fixture(scope="session")
def cookie_secret() -> str:
    return secrets.token_hex(32)


def serve(args: list[str], env: dict[str, str], port: int):
    """Start `planner serve` in its own process and wait for its port."""
    from planner.testing import ServerProcess

    repo = Path(__file__).resolve().parents[2]
    old = dict(os.environ)
    os.environ.update(env)
    try:
        srv = ServerProcess(
            [sys.executable, "-m", "planner", "serve", "--port", str(port), *args], cwd=repo
        )
    finally:
        os.environ.clear()
        os.environ.update(old)
    try:
        srv.wait_port(port, timeout=240)
    except BaseException:
        srv.stop()
        raise
    return srv


@pytest.fixture(scope="session")
def users_server(served_ws, users_file, cookie_secret):
    """`planner serve --workspace WS --users FILE` with PLANNER_COOKIE_SECRET set."""
    from planner.testing import free_port

    port = free_port()
    srv = serve(
        ["--workspace", str(served_ws), "--users", str(users_file), "--address", "127.0.0.1"],
        {"PLANNER_COOKIE_SECRET": cookie_secret, "PYTHONPATH": str(Path(__file__).parents[2])},
        port,
    )
    srv.url = f"http://127.0.0.1:{port}"
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium); not installed here"
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}

"""The Tasking page in headless Chromium, served by `planner serve --users` on the demo with the
targeting step: each role sees only its sections, nominal views are audited with the user."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from planner.access.audit import read_events
from planner.records.store import open_store
from planner.testing import ServerProcess, free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
]

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
PASSWORDS = {"intel": "intel-password-1", "adv": "adv-password-12"}
APP_READY_JS = "() => window.Bokeh && Bokeh.documents.length > 0 && Bokeh.documents[0].is_idle"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def served(demo_ws, tmp_path_factory):
    """A mirror of the demo (own store, workspace.json and records folder) with the targeting
    step run on it, and `planner serve --users` over it."""
    from planner.access.users import add_user
    from planner.demo import STEPS
    from planner.demo import targeting as step
    from planner.workspace import Workspace

    base = tmp_path_factory.mktemp("tasking_browser")
    root = base / "ws"
    root.mkdir()
    for item in demo_ws.root.iterdir():
        if item.name in ("records.sqlite", "workspace.json"):
            shutil.copyfile(item, root / item.name)
        elif item.name == "records" and item.is_dir():
            (root / "records").mkdir()
            for sub in item.iterdir():
                if sub.name != "targeting":
                    (root / "records" / sub.name).symlink_to(sub)
        elif not item.name.startswith("records.sqlite"):
            (root / item.name).symlink_to(item)
    ws = Workspace(root)
    if not ws.has_table("targeting_nominals") or not (root / "records" / "targeting").exists():
        i = [n for n, _ in STEPS].index("targeting")
        step.step(ws, np.random.default_rng([ws.meta["seed"], i]))
    users = base / "users.json"
    add_user(users, "intel", PASSWORDS["intel"], role="intelligence")
    add_user(users, "adv", PASSWORDS["adv"], role="advance")
    port = free_port()
    env = dict(os.environ)
    env.update({"PLANNER_COOKIE_SECRET": "x" * 64, "PYTHONPATH": str(Path(__file__).parents[2])})
    old = dict(os.environ)
    os.environ.update(env)
    try:
        srv = ServerProcess(
            [sys.executable, "-m", "planner", "serve", "--port", str(port), "--workspace",
             str(root), "--users", str(users), "--address", "127.0.0.1"],
            cwd=Path(__file__).parents[2],
        )  # fmt: skip
    finally:
        os.environ.clear()
        os.environ.update(old)
    try:
        srv.wait_port(port, timeout=240)
    except BaseException:
        srv.stop()
        raise
    srv.url = f"http://127.0.0.1:{port}"
    srv.root = root
    yield srv
    srv.stop()


def _sign_in(page, url: str, user: str, *, tasking: bool = True) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: m.type == "error" and problems.append(f"console: {m.text}"),
    )
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
    page.goto(f"{url}/planner")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/planner")
    page.wait_for_function(APP_READY_JS, timeout=120_000)
    if tasking:
        page.locator(".page-menu").get_by_text("Tasking", exact=True).click()
        page.locator(".page-title").filter(has_text="Tasking").first.wait_for(state="visible")
        page.locator(".tasking-tabs").wait_for()
        page.wait_for_function(APP_READY_JS, timeout=60_000)
    return problems


def _tabs(page) -> list[str]:
    return [t.strip() for t in page.locator(".tasking-tabs .bk-tab").all_inner_texts()]


def test_advance_role_is_sent_no_nominal_record(page, served):
    """The advance role opens Tasking (its tasking and wanted-on-the-day sections) but is sent
    no victim id and no view of the offender ranking, victims or reassurance visits."""
    problems = _sign_in(page, served.url, "adv")
    assert "People by need" not in _tabs(page)
    assert "SYN-VIC-" not in page.content()
    assert problems == []
    with open_store(served.root / "records.sqlite") as s:
        ev = read_events(s, user="adv")
    views = {d.get("view") for a, d in zip(ev["action"], ev["detail"]) if a == "view"}
    assert not views & {"offender ranking", "victims", "reassurance visits"}


def test_intelligence_sees_people_and_each_view_is_audited(page, served):
    problems = _sign_in(page, served.url, "intel")
    assert _tabs(page) == [
        "Tasking and review",
        "People by need",
        "Op Advance calendar and days",
        "Wanted on the day",
        "POP plans and grant spend",
    ]
    page.locator(".tasking-tabs .bk-tab").get_by_text("People by need", exact=True).click()
    page.locator(".tasking-tabs").get_by_text("OFFICIAL-SENSITIVE").first.wait_for()
    page.locator(".tasking-tabs").get_by_text("SYN-OFF-").first.wait_for()
    page.locator(".tasking-tabs .bk-tab").get_by_text(
        "POP plans and grant spend", exact=True
    ).click()
    page.locator(".spend-line").get_by_text("patrol-hours").first.wait_for()
    assert problems == []
    with open_store(served.root / "records.sqlite") as s:
        ev = read_events(s, user="intel", action="view")
    assert {"offender ranking", "victims", "reassurance visits"} <= {
        d["view"] for d in ev["detail"]
    }
    assert set(ev["role"]) == {"intelligence"}

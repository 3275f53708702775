"""The phone recording view (issue 18 item 7) in headless Chromium at 390 x 844: reachable by
its own link (``/planner?page=record``), each form filled and submitted shows its confirmation,
the record is in the store with what was typed, and nothing overflows the screen sideways.

Recipe: ../shared/UI_TESTING.md. ``planner serve`` runs in its own process on a copy of the
demo's records store; each test opens its own tab, so any one runs alone.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from planner.testing import ServerProcess, free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
]

REPO = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
IDLE_JS = "() => Bokeh.documents.length > 0 && Bokeh.documents.every(d => d.is_idle)"
OVERFLOW_JS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture(scope="module")
def server(demo_ws, tmp_path_factory):
    records = tmp_path_factory.mktemp("records") / "records.sqlite"
    shutil.copy(demo_ws.root / "records.sqlite", records)
    port = free_port()
    app = ServerProcess(
        [
            sys.executable, "-m", "planner", "serve",
            "--workspace", str(demo_ws.root),
            "--records", str(records),
            "--port", str(port),
            "--address", "127.0.0.1",
        ],
        cwd=REPO,
    )  # fmt: skip
    try:
        app.wait_port(port)
        yield {"url": f"http://127.0.0.1:{port}/planner", "records": records, "app": app}
    finally:
        app.stop()


@pytest.fixture
def phone(browser, server):
    """A tab at 390 x 844 on the recording view, collecting errors and outside requests."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    problems: list[str] = []
    origin = server["url"].rsplit("/", 1)[0]
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((origin, "blob:", "data:"))
            else problems.append(f"outside request: {r.url}")
        ),
    )
    page.goto(server["url"] + "?page=record")
    page.locator(".page-title").filter(has_text="Record").first.wait_for(state="visible")
    page.wait_for_function(IDLE_JS)
    seen = len(server["app"].log)
    try:
        yield page
    finally:
        context.close()
    assert problems == []
    errors = [x for _, x in server["app"].log[seen:] if "Traceback" in x or "ERROR" in x]
    assert errors == [], "".join(errors)


def no_sideways_overflow(page) -> None:
    page.wait_for_function(IDLE_JS)
    scroll, client = page.evaluate(OVERFLOW_JS)
    assert scroll <= PHONE["width"], f"the page is {scroll} px wide on a {client} px screen"


def row(records: Path, table: str, record_id: str) -> dict:
    with sqlite3.connect(records) as con:
        con.row_factory = sqlite3.Row
        r = con.execute(f"SELECT * FROM {table} WHERE record_id = ?", (record_id,)).fetchone()
    assert r is not None, f"{record_id} not in {table}"
    return dict(r)


def row_lpa(records: Path, officer_id: str) -> str | None:
    """An officer's LPA: their team's, else the officers table's."""
    with sqlite3.connect(records) as con:
        got = con.execute(
            "SELECT t.lpa, o.lpa FROM officers o LEFT JOIN teams t ON t.team_id = o.team_id "
            "WHERE o.officer_id = ?",
            (officer_id,),
        ).fetchone()
    return got[0] or got[1]


def choose(page, css: str, text: str) -> None:
    """Pick ``text`` in the panel-material-ui select with CSS class ``css``."""
    page.locator(f".{css} [role=combobox]").click()
    page.get_by_role("listbox").get_by_text(text, exact=True).click()


def saved_id(page, css: str, what: str) -> str:
    import re

    msg = page.locator(f".{css}-message").get_by_text(f"Saved {what}")
    msg.wait_for()
    return re.search(r"Saved \w+ (\S+?)\.", msg.inner_text()).group(1)


def test_phone_engagement_form(phone, server):
    no_sideways_overflow(phone)
    choose(phone, "m-eng-minority", "faith communities")
    where = phone.locator(".m-eng-where input")
    where.click()
    where.press_sequentially("Corporation Street")
    phone.locator(".m-eng-submit").get_by_role("button").click()
    rid = saved_id(phone, "m-eng", "engagement")
    r = row(server["records"], "engagements", rid)
    assert (r["minority_group"], r["location"], r["source"]) == (
        "faith communities",
        "Corporation Street",
        "app",
    )
    no_sideways_overflow(phone)


def retype(field, text: str) -> None:
    """Replace a field's text as a user does (select all, type)."""
    field.click()
    field.press("Control+a")
    field.press_sequentially(text)
    field.press("Tab")


def test_phone_abstraction_form(phone, server):
    no_sideways_overflow(phone)
    hours = phone.locator(".m-abs-hours input")
    retype(hours, "30")
    phone.locator(".m-abs-submit").get_by_role("button").click()
    # 30 hours by a sergeant: refused with the policy's reason, nothing saved
    phone.locator(".m-abs-message").get_by_text("must be authorised by INSP or above").wait_for()
    retype(hours, "4.5")
    where = phone.locator(".m-abs-where input")
    where.click()
    where.press("Control+a")
    where.press_sequentially("Custody suite")  # no blur: the typed text is what is saved
    phone.locator(".m-abs-submit").get_by_role("button").click()
    rid = saved_id(phone, "m-abs", "abstraction")
    r = row(server["records"], "abstractions", rid)
    lpa = {  # the form's first officer and first authoriser: their LPAs from the store
        o: row_lpa(server["records"], o) for o in (r["officer_id"], r["authorised_by"])
    }
    msg = phone.locator(".m-abs-message").get_by_text("Saved abstraction").inner_text()
    if lpa[r["officer_id"]] != lpa[r["authorised_by"]]:  # saved, and questioned
        assert (
            f"Please check: the authoriser is of {lpa[r['authorised_by']]}, "
            f"not the officer's LPA {lpa[r['officer_id']]}"
        ) in msg
    assert (float(r["hours"]), r["destination"], r["source"]) == (4.5, "Custody suite", "app")
    no_sideways_overflow(phone)

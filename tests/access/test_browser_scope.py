"""Role scoping in a real served session (headless Chromium, `planner serve --users`): each
role's document holds exactly its pages, and an inspector who sends model changes over the
websocket (another LPA in the LPA selects, another LPA's officer in a text box) receives no
other LPA's officer name or id, in the document or in any websocket frame."""

from __future__ import annotations

import pytest

from planner.records.store import open_store

from .conftest import PASSWORDS, ids_in
from .test_page_scope import EXPECTED_PAGES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
]

APP_READY_JS = "() => window.Bokeh && Bokeh.documents.length > 0 && Bokeh.documents[0].is_idle"
ROLE_OF = {
    "intel": "intelligence",
    "insp": "inspector",
    "adv": "advance",
    "pc": "officer",
    "admin": "admin",
}
#: the page classes of the served document (the tab holders are "page-<slug>")
PAGES_JS = """() => {
  const slugs = new Set();
  for (const m of Bokeh.documents[0].all_models) {
    for (const c of (m.css_classes || [])) {
      const hit = /^page-([a-z]+)$/.exec(c);
      if (hit && !["main", "menu", "title"].includes(hit[1])) slugs.add(hit[1]);
    }
  }
  return [...slugs];
}"""
#: set the value of the model carrying a CSS class, or with a label, as the browser would
SET_JS = """([key, value]) => {
  for (const m of Bokeh.documents[0].all_models) {
    // panel-material-ui widgets are React components whose properties are in m.data
    const props = m.data && m.data.properties ? m.data : m;
    const css = m.css_classes || [];
    if ((css.includes(key) || props.label === key) && "value" in (props.properties || {})) {
      props.value = value;
      return true;
    }
  }
  return false;
}"""


def _sign_in(page, url: str, user: str, path: str = "/planner") -> None:
    page.set_default_timeout(180_000)  # a loaded machine: the server builds pages slowly
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
    page.goto(f"{url}/planner")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/planner")
    if path != "/planner":
        page.goto(f"{url}{path}")
    page.wait_for_function(APP_READY_JS, timeout=180_000)


def _record(page) -> tuple[list[str], list[str]]:
    received: list[str] = []
    sent: list[str] = []

    def text(f) -> str:
        return f if isinstance(f, str) else bytes(f).decode("latin-1")

    def on_ws(ws) -> None:
        ws.on("framereceived", lambda f: received.append(text(f)))
        ws.on("framesent", lambda f: sent.append(text(f)))

    page.on("websocket", on_ws)
    return received, sent


@pytest.mark.parametrize("user", list(ROLE_OF))
def test_the_served_document_holds_exactly_the_roles_pages(page, users_server, user):
    _sign_in(page, users_server.url, user)
    got = sorted(page.evaluate(PAGES_JS))
    assert got == sorted(EXPECTED_PAGES[ROLE_OF[user]])
    if user == "admin":
        page.wait_for_selector("text=planner users", timeout=60_000)


def test_an_inspector_sending_other_lpas_over_the_websocket_gets_nothing_of_them(
    page, users_server, served_ws, inspector_lpa
):
    with open_store(None, workspace=served_ws) as s:
        off = s.frame("officers")
        a = s.frame("abstractions")
    off = off[off["lpa"].notna()]
    mine, other = off[off["lpa"] == inspector_lpa], off[off["lpa"] != inspector_lpa]
    other_lpa = sorted(other["lpa"].unique())[0]
    # another LPA's officer with abstractions (what the Commitments text box would list)
    other_officer = sorted(set(a["officer_id"]) & set(other["officer_id"]))[0]
    received, sent = _record(page)
    attempts = [
        ("hotspots", "lpa-select", other_lpa),
        ("plan", "plan-lpa", other_lpa),
        ("delivery", "delivery-lpa", other_lpa),
        # Commitments has no officer box now (a bar click lists an officer's abstractions):
        # forged bar keys are sent in tests/access/test_browser_ws_attempts.py
    ]
    _sign_in(page, users_server.url, "insp", "/planner?page=hotspots")
    for slug, key, value in attempts:
        page.goto(f"{users_server.url}/planner?page={slug}")
        page.wait_for_function(APP_READY_JS, timeout=180_000)
        n_sent = len(sent)
        assert page.evaluate(SET_JS, [key, value]), f"no model {key!r} on {slug}"
        page.wait_for_timeout(1500)
        page.wait_for_function(APP_READY_JS, timeout=120_000)
        # the change did go to the server (the control that the attempt was made)
        assert any(value in f for f in sent[n_sent:]), f"{slug}: the change was not sent"
    page.goto(f"{users_server.url}/planner?page=neighbourhoods")
    page.wait_for_function(APP_READY_JS, timeout=180_000)
    page.wait_for_selector(".form-officer", timeout=120_000)
    got = "\n".join([*received, page.content()])
    other_names = {n for n in other["name"].dropna() if len(n) > 5} - set(mine["name"].dropna())
    leaked_names = [n for n in other_names if n in got]
    # the officer id the client itself typed may come back as the text box's own value; any
    # row of theirs would bring their name (checked above) and the record ids below
    leaked_ids = ids_in(got, [o for o in other["officer_id"] if o != other_officer])
    theirs = a.loc[a["officer_id"] == other_officer, "record_id"].astype(str)
    assert len(theirs) > 0 and [r for r in theirs if r in got] == []
    assert (leaked_names, leaked_ids) == ([], [])
    # control: the inspector's own officers did arrive (the frames were recorded)
    assert sum(n in got for n in set(mine["name"].dropna())) > 20

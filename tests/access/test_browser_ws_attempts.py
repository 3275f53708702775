"""More attempts over the websocket in a real served session (headless Chromium, `planner serve
--users`): an inspector who taps another LPA's bar on the drill-down charts (the chart's data and
selection changed as a client would send them), asks for another LPA's community report, and
chooses another LPA or day on the Tasking page; an officer who records for someone else on the
phone Record page. Each is refused on the server, audited as `denied` with the user, and no
other LPA's officer name, id or record id arrives in any websocket frame."""

from __future__ import annotations

import pytest

from planner.access.audit import read_events
from planner.records.store import open_store

from .conftest import ids_in
from .test_browser_scope import APP_READY_JS, SET_JS, _record, _sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
]

#: a tap on the first bar of every drill-down chart whose bars are keyed by the inspector's
#: LPA, after the client replaced that bar's key by another LPA (what a forged client sends)
TAP_JS = """([mine, other]) => {
  let n = 0;
  for (const m of Bokeh.documents[0].all_models) {
    if (!("selected" in m) || !m.data) continue;
    const d = m.data instanceof Map ? Object.fromEntries(m.data) : m.data;
    if (!d.key || !d.label || !d.value) continue;
    const keys = Array.from(d.key);
    if (keys[0] !== mine) continue;
    keys[0] = other;
    m.data = {...d, key: keys};
    m.selected.indices = [0];
    n += 1;
  }
  return n;
}"""
#: a click on a FileDownload (its `clicks` property, as its button sends it)
CLICK_JS = """(css) => {
  for (const m of Bokeh.documents[0].all_models) {
    if ((m.css_classes || []).includes(css) && "clicks" in m.properties) {
      m.clicks = m.clicks + 1;
      return true;
    }
  }
  return false;
}"""


def _people(served_ws, lpa):
    with open_store(None, workspace=served_ws) as s:
        off = s.frame("officers")
        a = s.frame("abstractions")
        e = s.frame("engagements")
    off = off[off["lpa"].notna()]
    return off[off["lpa"] == lpa], off[off["lpa"] != lpa], a, e


def _leaks(got: str, mine, other, skip=()) -> tuple[list[str], list[str]]:
    names = {n for n in other["name"].dropna() if len(n) > 5} - set(mine["name"].dropna())
    ids = ids_in(got, [o for o in other["officer_id"] if o not in skip])
    return sorted(n for n in names if n in got), ids


def _go(page, url: str, slug: str) -> None:
    page.goto(f"{url}/planner?page={slug}")
    page.wait_for_function(APP_READY_JS, timeout=180_000)


def _settle(page) -> None:
    page.wait_for_timeout(2000)
    page.wait_for_function(APP_READY_JS, timeout=120_000)


def test_an_inspector_tapping_asking_and_choosing_other_lpas_gets_nothing_of_them(
    page, users_server, served_ws, inspector_lpa
):
    mine, other, a, _e = _people(served_ws, inspector_lpa)
    other_lpa = sorted(other["lpa"].unique())[0]
    with open_store(None, workspace=served_ws) as s:
        n0 = len(read_events(s, user="insp", action="denied"))
    received, sent = _record(page)
    _sign_in(page, users_server.url, "insp", "/planner?page=neighbourhoods")
    taps = {}
    for slug in ("hotspots", "neighbourhoods", "commitments"):
        _go(page, users_server.url, slug)
        page.wait_for_selector(".drill-figure", timeout=180_000)
        n_sent = len(sent)
        taps[slug] = page.evaluate(TAP_JS, [inspector_lpa, other_lpa])
        _settle(page)
        assert taps[slug] >= 1 and any(other_lpa in f for f in sent[n_sent:]), slug
    # the community report of another LPA (the area box, then the download's click)
    n_sent = len(sent)
    assert page.evaluate(SET_JS, ["rep-area", other_lpa])
    _settle(page)
    assert page.evaluate(CLICK_JS, "rep-download")
    _settle(page)
    assert any(other_lpa in f for f in sent[n_sent:])
    # the Tasking page's LPA and day of action
    _go(page, users_server.url, "tasking")
    for css, value in (("tasking-lpa", other_lpa), ("tasking-day", f"ADV-{other_lpa}-1")):
        n_sent = len(sent)
        assert page.evaluate(SET_JS, [css, value]), css
        _settle(page)
        assert any(value in f for f in sent[n_sent:]), css
    got = "\n".join([*received, page.content()])
    assert _leaks(got, mine, other) == ([], [])
    other_records = a.loc[a["officer_id"].isin(other["officer_id"]), "record_id"].astype(str)
    assert len(other_records) > 0
    assert ids_in(got, other_records) == []
    # each attempt refused on the server and in the audit trail with the user
    with open_store(None, workspace=served_ws) as s:
        denied = read_events(s, user="insp", action="denied").iloc[n0:]
    details = list(denied["detail"])
    assert set(denied["role"]) == {"inspector"}
    # the area box drops a value outside its options, so the download asks for no area: the
    # report is refused either way
    reports = [d for d in details if d["attempt"] == "report"]
    assert reports and {d["area"] for d in reports} <= {other_lpa, "None"}
    # the Tasking selects refuse a value outside their options before the state sees it
    # (Panel's Select), audited as a refused model change naming the widget and the value
    changes = [d for d in details if d["attempt"] == "model change"]
    for value in (other_lpa, f"ADV-{other_lpa}-1"):
        assert any(value in d["sent"].values() for d in changes), value
    drills = [
        d
        for d in details
        if other_lpa in (d.get("lpa"), d.get("key")) and d["attempt"] in ("lpa", "drill")
    ]
    assert len(drills) >= sum(taps.values())
    # control: the inspector's own officers did arrive (the frames were recorded)
    assert sum(n in got for n in set(mine["name"].dropna())) > 20


def test_an_officer_recording_for_someone_else_is_refused_and_audited(
    page, users_server, served_ws
):
    with open_store(None, workspace=served_ws) as s:
        off = s.frame("officers")
        n_eng = len(s.frame("engagements"))
        n0 = len(read_events(s, user="pc", action="denied"))
    me = off[off["officer_id"] == "WM-0001"]
    someone = sorted(set(off["officer_id"]) - {"WM-0001"})[0]
    received, sent = _record(page)
    _sign_in(page, users_server.url, "pc")  # an officer lands on the phone Record page
    page.wait_for_selector(".m-eng-submit", timeout=180_000)
    assert page.evaluate(SET_JS, ["m-eng-officer", someone])
    _settle(page)
    assert any(someone in f for f in sent)
    page.locator(".m-eng-submit button").first.click()
    _settle(page)
    page.wait_for_selector(".m-eng-message", timeout=60_000)
    with open_store(None, workspace=served_ws) as s:
        eng = s.frame("engagements")
        denied = read_events(s, user="pc", action="denied").iloc[n0:]
    assert len(eng) == n_eng  # nothing saved, for them or for anyone
    # the officer box drops a value outside its options (only the officer themselves), so no
    # save for someone else reaches the server's check; a save that does is refused and
    # audited (test_page_scope.test_an_officer_records_only_for_themselves_and_sees_their_own)
    assert [d for d in denied["detail"] if d.get("officer_id") == someone] == []
    got = "\n".join([*received, page.content()])
    others = off[~off["officer_id"].isin([*me["officer_id"], someone])]
    names = {n for n in others["name"].dropna() if len(n) > 5} - set(me["name"].dropna())
    assert [n for n in names if n in got] == []

"""Issue 17 in headless Chromium: the app defects that are browser behaviour, the basemap from a
force's own tile server (``planner serve --tiles``) and the place labels.

The app is served by ``planner serve --tiles http://127.0.0.1:<port>/{Z}/{X}/{Y}.png`` with a
tiny local tile server started by the module (any tile path gets the same PNG). Every test opens
its own tab; after each, no console error, no failed request, no request outside the two local
servers and no traceback in the server log (the ``tab`` fixture of test_browser.py).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from planner.testing import ServerProcess, free_port


def _browser_helpers():
    """test_browser.py (the recipes of the issue-13 browser tests), loaded by path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "planner_test_browser_helpers", Path(__file__).with_name("test_browser.py")
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_tb = _browser_helpers()
REPO, VISIBLE_JS, open_app, wait_idle = _tb.REPO, _tb.VISIBLE_JS, _tb.open_app, _tb.wait_idle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
]

TILE_PATH = re.compile(r"^/(\d+)/(\d+)/(\d+)\.png$")


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (235, 232, 220)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def tiles(tmp_path_factory):
    """A local tile server: a folder with one PNG, served for every ``/{z}/{x}/{y}.png``;
    records the paths requested."""
    folder = tmp_path_factory.mktemp("tiles")
    (folder / "tile.png").write_bytes(_png())
    seen: list[str] = []
    body = (folder / "tile.png").read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  (http.server's name)
            seen.append(self.path)
            if not TILE_PATH.match(self.path):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield {"port": port, "seen": seen, "url": f"http://127.0.0.1:{port}/{{Z}}/{{X}}/{{Y}}.png"}
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def ports(tiles) -> dict[str, int]:
    return {"app": free_port(), "tiles": tiles["port"]}


@pytest.fixture(scope="module")
def server(demo_ws, tmp_path_factory, ports, tiles):
    """``planner serve --tiles`` on the demo (records on a copy: the tests save records)."""
    records = tmp_path_factory.mktemp("records17") / "records.sqlite"
    shutil.copy(demo_ws.root / "records.sqlite", records)
    port = ports["app"]
    app = ServerProcess(
        [
            sys.executable, "-m", "planner", "serve",
            "--workspace", str(demo_ws.root),
            "--records", str(records),
            "--port", str(port),
            "--address", "127.0.0.1",
            "--tiles", tiles["url"],
        ],
        cwd=REPO,
    )  # fmt: skip
    try:
        t0 = app.line_time("loading workspace")
        app.wait_port(port)
        yield {
            "url": f"http://127.0.0.1:{port}/planner",
            "t0": t0,
            "port": port,
            "log": app.log,
            "loads": [],
        }
    finally:
        app.stop()


@pytest.fixture
def tab(server, browser, ports):
    """A tab of its own; after the test, with the tab closed: no browser error, no request
    outside the two local servers, no traceback in the server log (closed tabs included)."""
    context, page = _tb.new_page(browser, ports)
    seen = len(server["log"])
    try:
        yield page
    finally:
        context.close()
    server_errors = _tb.settled_errors(server, seen)
    assert page.problems == []
    # the whole log since the test began, so that a traceback can be read in the report
    assert server_errors == [], "".join(x for _, x in server["log"][seen:])


def visible_title(page, label: str) -> None:
    page.locator(".page-title").filter(has_text=label).first.wait_for(state="visible")


# ---- links ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("slug", "label"),
    [
        ("plan", "Patrol plan"),
        ("delivery", "Coverage and delivery"),
        ("advance", "Op Advance"),
        ("neighbourhoods", "Neighbourhoods"),
        ("record", "Record"),
    ],
)
def test_page_link_opens_its_page(tab, server, slug, label):
    tab.goto(f"{server['url']}?page={slug}")
    visible_title(tab, label)
    wait_idle(tab)
    assert tab.locator(".page-title").filter(has_text="Hotspots and TGPs").first.is_hidden()


# ---- forms ---------------------------------------------------------------------------------------
def _hours(page) -> int:
    text = page.locator(".records-total").get_by_text("hours abstracted").inner_text()
    return int(re.search(r": ([\d,]+) hours", text).group(1).replace(",", ""))


def test_save_right_after_typing_is_confirmed_and_a_resubmission_is_a_duplicate(tab, server):
    open_app(tab, server, query="?page=neighbourhoods", figures=1)
    tab.locator(".records-controls").get_by_role("button", name="abstraction hours").click()
    tab.locator(".records-total").get_by_text("hours abstracted").wait_for()
    wait_idle(tab)
    before = _hours(tab)
    where = tab.locator(".abs-where input")
    where.click()
    where.press_sequentially("Custody suite B")  # typed: its change is pending at the click
    tab.locator(".abs-submit").get_by_role("button").click()
    tab.locator(".abs-message").get_by_text("Saved abstraction").wait_for()
    tab.locator(".records-total").get_by_text(f"{before + 8:,} hours").wait_for()
    # the same form sent again: recognised, nothing stored
    tab.locator(".abs-submit").get_by_role("button").click()
    tab.locator(".abs-message").get_by_text("duplicate submission").wait_for()
    wait_idle(tab)
    assert _hours(tab) == before + 8


# ---- hotspots page -------------------------------------------------------------------------------
TGPS_ON_MAP_JS = """() => {
  for (const f of Bokeh.index.query(v => v.model.type === 'Figure' && VISIBLE))
    for (const r of f.model.renderers)
      if (r.name === 'tgps') return r.data_source.data.tgp_id.length;
  return null; }""".replace("VISIBLE", VISIBLE_JS)


def _derive(page, radius: str) -> None:
    box = page.locator(".derive-radius input")
    box.click()
    box.press("Control+a")
    box.press_sequentially(radius)  # typed as a user does (the field formats as it goes)
    box.press("Enter")
    page.locator(".derive-run").get_by_role("button").click()


def test_out_of_range_radius_is_a_message(tab, server):
    open_app(tab, server)
    tab.locator(".derive-run").wait_for()
    _derive(tab, "1500")
    tab.locator(".derive-summary").get_by_text(
        "Not derived: Radius (m) 1500 is out of range: 25 to 1000."
    ).wait_for()
    wait_idle(tab)


def test_rederived_tgps_drawn_and_downloaded(tab, server, demo_ws):
    open_app(tab, server)
    before = tab.evaluate(TGPS_ON_MAP_JS)
    assert before == len(demo_ws.tgps())
    tab.locator(".derive-run").get_by_role("button").click()  # the default parameters
    summary = tab.locator(".derive-summary").get_by_text("Drawn on the map above")
    summary.wait_for(timeout=120_000)
    n = int(re.match(r"(\d+) TGPs", summary.inner_text()).group(1))
    tab.wait_for_function(f"() => ({TGPS_ON_MAP_JS})() === {n}")
    with tab.expect_download() as dl:
        tab.locator(".derive-geojson").get_by_role("button").click()
    path = Path(dl.value.path())
    assert re.fullmatch(
        r"tgps_\d{4}-\d\d_\d{4}-\d\d_SYNTHETIC\.geojson", dl.value.suggested_filename
    )
    features = json.loads(path.read_text())["features"]
    assert len(features) == n
    on_map = tab.evaluate(
        """() => { for (const f of Bokeh.index.query(v => v.model.type === 'Figure'))
          for (const r of f.model.renderers) if (r.name === 'tgps')
            return [...r.data_source.data.tgp_id]; }"""
    )
    assert sorted(on_map) == sorted(str(f["properties"]["tgp_id"]) for f in features)
    wait_idle(tab)


def test_drill_down_follows_the_lpa_selector(tab, server):
    open_app(tab, server)
    tab.locator(".lpa-select").first.click()
    tab.get_by_role("listbox").get_by_text("Coventry", exact=True).click()
    tab.locator(".drill-crumb:visible").get_by_text("All > Coventry (neighbourhood)").wait_for()
    wait_idle(tab)


# ---- basemap and labels ------------------------------------------------------------------------
LABELS_JS = """() => { const out = {};
  for (const f of Bokeh.index.query(v => v.model.type === 'Figure' && VISIBLE))
    for (const r of f.model.center)
      if (r.name && r.name.startsWith('labels_') && !(r.name in out))
        out[r.name] = [r.visible, r.source.data.text.length, r.source.data.text.slice(0, 3)];
  return out; }""".replace("VISIBLE", VISIBLE_JS)


def test_tiles_come_from_the_force_tile_server(tab, server, tiles):
    seen = len(tiles["seen"])
    open_app(tab, server)
    tab.wait_for_function(
        """() => performance.getEntriesByType('resource').some(e => /\\/\\d+\\/\\d+\\/\\d+\\.png$/.test(e.name))"""
    )
    got = tiles["seen"][seen:]
    assert got and all(TILE_PATH.match(p) for p in got)
    zooms = {int(TILE_PATH.match(p).group(1)) for p in got}
    assert zooms and all(8 <= z <= 14 for z in zooms)
    # no request left localhost: asserted by the tab fixture (page.problems)


def test_labels_show_by_zoom(tab, server, demo_ws):
    open_app(tab, server)
    labels = tab.evaluate(LABELS_JS)
    assert set(labels) == {"labels_LPAs", "labels_neighbourhoods", "labels_wards", "labels_tgps"}
    assert labels["labels_LPAs"][0] is True and labels["labels_LPAs"][1] == 7
    assert labels["labels_tgps"][0] is False and labels["labels_tgps"][1] == len(demo_ws.tgps())
    assert all(re.match(r"TGP-\d+ \S", t) for t in labels["labels_tgps"][2])
    # zoom in to about 5 km: wards and TGPs named, LPA names gone
    tab.evaluate(
        """() => { for (const f of Bokeh.index.query(v => v.model.type === 'Figure' && VISIBLE)) {
          const xr = f.model.x_range, c = (xr.start + xr.end) / 2;
          if (f.model.center.some(r => r.name === 'labels_LPAs')) xr.setv({start: c - 4000, end: c + 4000});
        } }""".replace("VISIBLE", VISIBLE_JS)
    )
    tab.wait_for_function(f"() => ({LABELS_JS})().labels_tgps[0] === true")
    labels = tab.evaluate(LABELS_JS)
    assert labels["labels_wards"][0] is True and labels["labels_LPAs"][0] is False
    wait_idle(tab)


# ---- tables --------------------------------------------------------------------------------------
OVERFLOW_JS = """() => {
  const right = document.documentElement.clientWidth;
  const found = [];
  const walk = root => {
    for (const e of root.querySelectorAll('*')) {
      if (e.classList.contains('tbl-wrap')) found.push(e);
      if (e.shadowRoot) walk(e.shadowRoot);
    }
  };
  walk(document);
  return found
    .filter(w => w.checkVisibility({visibilityProperty: true}) && w.getBoundingClientRect().width > 0)
    .map(w => [Math.round(w.getBoundingClientRect().right), right])
    .filter(([r, max]) => r > max + 1);
}"""


@pytest.mark.parametrize(
    ("slug", "label"),
    [
        ("hotspots", "Hotspots and TGPs"),
        ("plan", "Patrol plan"),
        ("delivery", "Coverage and delivery"),
        ("advance", "Op Advance"),
        ("neighbourhoods", "Neighbourhoods"),
    ],
)
def test_tables_are_not_cut_off(tab, server, slug, label):
    tab.set_viewport_size({"width": 1500, "height": 1100})
    tab.goto(f"{server['url']}?page={slug}")
    visible_title(tab, label)
    tab.wait_for_timeout(3000)
    wait_idle(tab)
    assert tab.evaluate(OVERFLOW_JS) == []


def test_closing_tabs_of_every_page_leaves_no_traceback(server, browser, ports):
    """Tabs of every page (``?page=``) closed at once, while the page is still building, and
    2.5 s after it has loaded (its figures and the background pages being sent): nothing but clean lines in the server
    log, once the server has noticed every socket gone."""
    import time

    from planner.app.registry import PAGES

    seen = len(server["log"])
    problems: list[str] = []
    for entry in PAGES:
        for wait in ("request", "built"):
            context, page = _tb.new_page(browser, ports)
            page.goto(f"{server['url']}?page={entry.slug}", wait_until="commit")
            if wait == "built":  # loaded, its session sending the page's updates
                page.wait_for_load_state("load")
                page.wait_for_timeout(2500)
            problems += page.problems
            context.close()
    time.sleep(3)  # the sessions' sockets close, their background work ends, then cleanup
    errors = _tb.settled_errors(server, seen)
    assert problems == []
    assert errors == [], "".join(x for _, x in server["log"][seen:])

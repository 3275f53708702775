"""Sign-in in headless Chromium: Panel's login form with the users file, and a real OpenID
Connect sign-in against ``oidc-provider-mock`` on localhost through Panel's generic provider."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from planner.access.audit import read_events
from planner.records.store import open_store
from planner.testing import free_port

from .conftest import PASSWORDS, serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
]

APP_READY_JS = "() => window.Bokeh && Bokeh.documents.length > 0 && Bokeh.documents[0].is_idle"
MOCK_USER = {"sub": "jo.bloggs", "email": "jo@example.police.uk", "roles": ["Planner.Intelligence"]}


def _watch(page, origin: str) -> list[str]:
    """Problems on our own server's pages; requests to any other host are blocked."""
    problems: list[str] = []

    def console(m) -> None:
        where = (m.location or {}).get("url") or page.url
        if m.type == "error" and where.startswith(origin):
            problems.append(f"console: {m.text} ({where})")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on(
        "requestfailed",
        lambda r: r.url.startswith(origin) and problems.append(f"failed: {r.url}"),
    )
    return problems


def test_basic_sign_in_in_the_browser(page, users_server, served_ws):
    url = users_server.url
    problems = _watch(page, url)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
    page.goto(f"{url}/planner")
    assert page.url == f"{url}/login?next=%2Fplanner"
    page.fill("input[name=username]", "intel")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/login?error=*")
    assert "Invalid username or password!" in page.inner_text(".errormessage")
    page.fill("input[name=username]", "intel")
    page.fill("input[name=password]", PASSWORDS["intel"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/planner")
    page.wait_for_function(APP_READY_JS, timeout=120_000)
    assert page.title() == "Hotspot and patrol planner"
    page.goto(f"{url}/logout")
    page.goto(f"{url}/planner")
    assert page.url.startswith(f"{url}/login")
    assert problems == []
    with open_store(None, workspace=served_ws) as s:
        ev = read_events(s, user="intel")
    assert ev["action"].tolist()[-3:] == ["sign_in_failed", "sign_in", "sign_out"]


@pytest.fixture(scope="module")
def oidc_mock():
    exe = shutil.which("oidc-provider-mock", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("oidc-provider-mock is not installed (pip install oidc-provider-mock)")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--user-claims", json.dumps(MOCK_USER)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.monotonic()
        while True:
            try:
                with urllib.request.urlopen(f"{base}/.well-known/openid-configuration") as r:
                    disco = json.load(r)
                break
            except OSError:
                if time.monotonic() - t0 > 60 or proc.poll() is not None:
                    raise RuntimeError("oidc-provider-mock did not start") from None
                time.sleep(0.2)
        yield disco
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def oidc_server(oidc_mock, served_ws, cookie_secret, tmp_path_factory):
    port = free_port()
    cfg = tmp_path_factory.mktemp("oidc") / "oidc.toml"
    cfg.write_text(
        f"""provider = "generic"
client_id = "planner-test"
authorize_url = "{oidc_mock["authorization_endpoint"]}"
token_url = "{oidc_mock["token_endpoint"]}"
user_url = "{oidc_mock["userinfo_endpoint"]}"
redirect_uri = "http://127.0.0.1:{port}/login"
user_key = "sub"
scope = ["openid", "profile", "email"]
[roles]
claim = "roles"
[roles.map]
"Planner.Intelligence" = {{ role = "intelligence" }}
"""
    )
    srv = serve(
        ["--workspace", str(served_ws), "--oidc", str(cfg), "--address", "127.0.0.1"],
        {
            "PLANNER_COOKIE_SECRET": cookie_secret,
            "PLANNER_OIDC_CLIENT_SECRET": "mock-accepts-any-secret",
            "PYTHONPATH": str(Path(__file__).parents[2]),
        },
        port,
    )
    srv.url = f"http://127.0.0.1:{port}"
    yield srv
    srv.stop()


def test_oidc_sign_in_in_the_browser(page, oidc_server, oidc_mock, served_ws):
    url = oidc_server.url
    idp = oidc_mock["issuer"]
    problems = _watch(page, url)
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith((url, idp)) else r.abort(),
    )
    page.goto(f"{url}/planner")
    assert page.url.startswith(f"{idp}/oauth2/authorize?")
    assert "client_id=planner-test" in page.url
    page.click("button[name=sub][value='jo.bloggs']")  # the predefined user with a role claim
    page.wait_for_url(f"{url}/planner")
    page.wait_for_function(APP_READY_JS, timeout=120_000)
    assert page.title() == "Hotspot and patrol planner"
    assert problems == []
    with open_store(None, workspace=served_ws) as s:
        ev = read_events(s, user="jo.bloggs")
    assert ev[["action", "role"]].values.tolist()[-1] == ["sign_in", "intelligence"]


def test_oidc_user_without_a_role_claim_gets_nothing(browser, oidc_server, oidc_mock, served_ws):
    url = oidc_server.url
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.route(
            "**/*",
            lambda r: (
                r.continue_() if r.request.url.startswith((url, oidc_mock["issuer"])) else r.abort()
            ),
        )
        page.goto(f"{url}/planner")
        page.fill("input[name=sub]", "someone.else")
        with page.expect_response(lambda r: r.url.startswith(f"{url}/planner")) as resp:
            page.click("button[type=submit]:has-text('Authorize')")
        assert resp.value.status == 403
        assert "Bokeh" not in page.content() and "WM-" not in page.content()
    finally:
        ctx.close()
    with open_store(None, workspace=served_ws) as s:
        ev = read_events(s, user="someone.else")
    assert ev["action"].tolist() == ["denied"]
    assert ev["detail"].iloc[0]["reason"] == "no role"


def test_an_open_session_ends_when_the_sign_in_expires(page, served_ws, users_file, cookie_secret):
    """A websocket session outlives the checked page request: it is emptied at expiry."""
    port = free_port()
    srv = serve(
        [
            "--workspace",
            str(served_ws),
            "--users",
            str(users_file),
            "--address",
            "127.0.0.1",
            "--session-hours",
            "0.008",  # 28.8 s
        ],
        {"PLANNER_COOKIE_SECRET": cookie_secret, "PYTHONPATH": str(Path(__file__).parents[2])},
        port,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
        page.goto(f"{url}/planner")
        page.fill("input[name=username]", "intel")
        page.fill("input[name=password]", PASSWORDS["intel"])
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/planner")
        page.wait_for_function(APP_READY_JS, timeout=120_000)
        page.wait_for_selector("text=Signed out (expired)", timeout=90_000)
        n = page.evaluate("() => [...Bokeh.index.query(v => v.model.type === 'Figure')].length")
        roots = page.evaluate("() => Bokeh.documents[0].roots().length")
        assert (n, roots) == (0, 1)
    finally:
        srv.stop()
    with open_store(None, workspace=served_ws) as s:
        ev = read_events(s, user="intel", action="sign_out")
    assert ev["detail"].iloc[-1] == {"reason": "expired"}


def test_a_form_save_in_the_browser_is_audited_with_the_user(page, users_server, served_ws):
    url = users_server.url
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
    page.goto(f"{url}/planner")
    page.fill("input[name=username]", "intel")
    page.fill("input[name=password]", PASSWORDS["intel"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/planner")
    page.goto(f"{url}/planner?page=neighbourhoods")
    page.wait_for_function(APP_READY_JS, timeout=120_000)
    page.locator(".form-submit").get_by_role("button").click(timeout=120_000)
    page.locator(".form-message").get_by_text("Saved engagement").wait_for(timeout=60_000)
    with open_store(None, workspace=served_ws) as s:
        ev = read_events(s, user="intel", action="insert")
        stored = s.frame("engagements")
    last = ev.iloc[-1]
    assert (last["role"], last["table_name"], last["source"]) == (
        "intelligence",
        "engagements",
        "app",
    )
    assert last["record_id"] in set(stored["record_id"])

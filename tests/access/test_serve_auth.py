"""`planner serve` sign-in: settings refused or accepted, and a plain HTTP client against the
served app (every route unauthenticated -> redirect to sign-in or 401/403 and no data)."""

from __future__ import annotations

import http.client
import io
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from planner.access.audit import read_events
from planner.access.roles import ClaimMapping
from planner.access.server import OIDC_SECRET_ENV, read_oidc_config
from planner.access.users import add_user, remove_user
from planner.cli import build_parser, main
from planner.cli.serve import sign_in_gate
from planner.errors import InputError, PlannerError
from planner.records.store import open_store

from .conftest import PASSWORDS

SECRET = "x" * 40


def _args(*argv: str):
    return build_parser().parse_args(["serve", *argv])


# ---- settings ------------------------------------------------------------------------------
def test_no_sign_in_is_local_only_unless_insecure(capsys):
    assert sign_in_gate(_args()) is None
    assert sign_in_gate(_args("--address", "127.0.0.1")) is None
    with pytest.raises(PlannerError, match="refusing to serve on 0.0.0.0 without sign-in"):
        sign_in_gate(_args("--address", "0.0.0.0"))
    assert main(["serve", "--address", "192.168.1.20"]) == 2
    err = capsys.readouterr().err
    assert "refusing to serve on 192.168.1.20 without sign-in" in err
    assert len(err.strip().splitlines()) == 1
    assert sign_in_gate(_args("--address", "0.0.0.0", "--insecure-no-auth")) is None


def test_sign_in_requires_a_cookie_secret(tmp_path, monkeypatch, capsys):
    users = tmp_path / "u.json"
    add_user(users, "a", "password-1", role="admin")
    monkeypatch.delenv("PLANNER_COOKIE_SECRET", raising=False)
    with pytest.raises(
        PlannerError, match="sign-in needs a cookie secret: set PLANNER_COOKIE_SECRET"
    ):
        sign_in_gate(_args("--users", str(users)))
    assert sign_in_gate(_args("--users", str(users), "--cookie-secret", "short")) is not None
    assert "WARNING: the cookie secret is short (5 characters)" in capsys.readouterr().err
    gate = sign_in_gate(_args("--users", str(users), "--cookie-secret", SECRET))
    assert gate.users is not None and gate.oidc is None
    monkeypatch.setenv("PLANNER_COOKIE_SECRET", SECRET)
    args = _args("--users", str(users), "--address", "0.0.0.0", "--session-hours", "2")
    gate = sign_in_gate(args)
    assert args.cookie_secret == SECRET and gate.expiry_days == pytest.approx(2 / 24)
    with pytest.raises(PlannerError, match="no such users file"):
        sign_in_gate(_args("--users", str(tmp_path / "missing.json")))
    with pytest.raises(PlannerError, match="not both"):
        sign_in_gate(_args("--users", str(users), "--oidc", str(users)))


def test_allowed_hosts_include_the_websocket_origins():
    from planner.cli.serve import allowed_hosts

    args = _args(
        "--port",
        "5010",
        "--allow-websocket-origin",
        "planner.lan:443",
        "--allowed-host",
        "10.0.0.5",
    )
    assert allowed_hosts(args) == [
        "localhost:5010",
        "127.0.0.1:5010",
        "planner.lan:443",
        "10.0.0.5",
    ]


OIDC_GENERIC = """
provider = "generic"
client_id = "planner"
authorize_url = "https://idp.example/authorize"
token_url = "https://idp.example/token"
user_url = "https://idp.example/userinfo"
redirect_uri = "https://planner.example/login"
user_key = "preferred_username"
[roles]
claim = "groups"
[roles.map]
"g-intel" = { role = "intelligence" }
"g-insp-cov" = { role = "inspector", lpas = ["Coventry"] }
"""


def test_oidc_config_generic_and_role_mapping(tmp_path):
    f = tmp_path / "oidc.toml"
    f.write_text(OIDC_GENERIC)
    cfg = read_oidc_config(f, environ={OIDC_SECRET_ENV: "s3"})
    assert cfg.serve_kwargs() == {
        "oauth_provider": "generic",
        "oauth_key": "planner",
        "oauth_secret": "s3",
        "oauth_redirect_uri": "https://planner.example/login",
        "oauth_extra_params": {
            "AUTHORIZE_URL": "https://idp.example/authorize",
            "TOKEN_URL": "https://idp.example/token",
            "USER_URL": "https://idp.example/userinfo",
            "USER_KEY": "preferred_username",
        },
    }
    assert cfg.user_key == "preferred_username"
    m = cfg.mapping
    assert m.principal("a", {"groups": ["x", "g-insp-cov"]}).lpas == ("Coventry",)
    assert m.principal("a", {"groups": "g-intel"}).role == "intelligence"
    assert m.principal("a", {"groups": ["x"]}) is None
    assert m.principal("a", {}) is None
    # the first matching rule in file order wins
    assert m.principal("a", {"groups": ["g-insp-cov", "g-intel"]}).role == "intelligence"


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        (OIDC_GENERIC, {}, "no client secret: set PLANNER_OIDC_CLIENT_SECRET"),
        (
            OIDC_GENERIC.replace('token_url = "https://idp.example/token"', ""),
            {"PLANNER_OIDC_CLIENT_SECRET": "s"},
            "needs token_url",
        ),
        ('provider = "azure"\nclient_id = "c"\nclient_secret = "s"\n', {}, "needs the tenant"),
        ('provider = "okta"\n', {}, "provider must be one of azure, azurev2, generic"),
        (
            'provider = "azure"\nclient_id = "c"\nclient_secret = "s"\ntenant = "t"\n',
            {},
            "no [roles] table",
        ),
        (
            OIDC_GENERIC.replace('{ role = "intelligence" }', '{ role = "chief" }'),
            {"PLANNER_OIDC_CLIENT_SECRET": "s"},
            "unknown role 'chief'",
        ),
        ("provider = = 1", {}, "not a readable TOML file"),
    ],
)
def test_oidc_config_errors_name_the_file(tmp_path, text, env, message):
    f = tmp_path / "oidc.toml"
    f.write_text(text)
    with pytest.raises(InputError) as exc:
        read_oidc_config(f, environ=env)
    assert message in str(exc.value) and str(f) in str(exc.value)


def test_azure_config(tmp_path):
    f = tmp_path / "oidc.toml"
    f.write_text(
        'provider = "azure"\nclient_id = "app-id"\ntenant = "tenant-guid"\n'
        '[roles]\nclaim = "roles"\n[roles.map]\n"Planner.Admin" = { role = "admin" }\n'
    )
    cfg = read_oidc_config(f, environ={OIDC_SECRET_ENV: "s"})
    kw = cfg.serve_kwargs()
    assert (kw["oauth_provider"], kw["oauth_extra_params"]) == ("azure", {"tenant": "tenant-guid"})
    assert cfg.mapping == ClaimMapping("roles", (("Planner.Admin", "admin", ()),))


def test_every_route_of_the_built_server_is_guarded(served_ws, users_file, monkeypatch):
    from planner.cli.serve import build_server
    from planner.testing import free_port

    monkeypatch.setenv("PLANNER_COOKIE_SECRET", SECRET)
    args = _args(
        "--workspace", str(served_ws), "--users", str(users_file), "--port", str(free_port())
    )
    server, store, _gate = build_server(args)
    try:
        rules = server._tornado.wildcard_router.rules
        names = {r.matcher.regex.pattern: r.target.__name__ for r in rules}
        assert len(names) >= 10
        assert {p: n for p, n in names.items() if not n.startswith("Guarded")} == {}
        assert any(p.startswith("/login") for p in names)
    finally:
        server.unlisten()
        store.close()


# ---- against the served app ---------------------------------------------------------------
def _request(url: str, path: str, *, method="GET", headers=None, body=None):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


ROUTES = [
    "/",
    "/planner",
    "/planner/",
    "/planner?bokeh-session-id=abc",
    "/planner/ws",
    "/planner/autoload.js?bokeh-autoload-element=x&bokeh-absolute-url=/planner",
    "/planner/metadata",
    "/static/js/bokeh.min.js",
    "/static/extensions/panel/panel.min.js",
    "/static/extensions/panel/css/loading.css",
    "/favicon.ico",
    "/planner/static/x",
]


def _officer_names(ws: Path) -> set[str]:
    with open_store(None, workspace=ws) as s:
        off = s.frame("officers")
    return {n for n in off["name"].dropna() if len(n) > 3} | set(off["officer_id"])


def test_every_route_unauthenticated_is_redirected_or_refused_without_data(users_server, served_ws):
    names = _officer_names(served_ws)
    for path in ROUTES:
        status, headers, body = _request(users_server.url, path)
        assert status in (302, 401, 403), (path, status)
        if status == 302:
            loc = headers["Location"]
            assert loc.startswith("/login?next="), (path, loc)
            assert urllib.parse.unquote(loc.split("next=", 1)[1]) == path
            assert body == b"", path
        assert len(body) < 200 and not any(n in body.decode() for n in names), path
    # the websocket upgrade and other methods
    ws_headers = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Origin": users_server.url,
    }
    status, _, body = _request(users_server.url, "/planner/ws", headers=ws_headers)
    assert status == 401 and b"WM-" not in body
    for method in ("POST", "PUT", "DELETE"):
        status, _, _ = _request(users_server.url, "/planner", method=method, body=b"x=1")
        assert status in (401, 403, 405), method
    # a forged (unsigned) cookie is no sign-in
    status, headers, _ = _request(users_server.url, "/planner", headers={"Cookie": "user=intel"})
    assert status == 302 and headers["Location"].startswith("/login")


def test_login_page_is_panels_form_and_offline(users_server):
    status, _, body = _request(users_server.url, "/login")
    html = body.decode()
    assert status == 200
    assert re.search(r'<form class="login-form" action="\./login" method="post">', html)
    assert '<input name="username"' in html and '<input name="password" type="password"' in html
    assert not re.search(r"(src|href)=\"https?://", html)  # nothing fetched from outside


class Client:
    """A tiny cookie-keeping HTTP client (no redirects followed)."""

    def __init__(self, url: str):
        self.url = url
        self.cookies: dict[str, str] = {}

    def request(self, path: str, **kw):
        headers = dict(kw.pop("headers", {}))
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, hdrs, body = _request(self.url, path, headers=headers, **kw)
        for k, v in hdrs.items():
            if k.lower() == "set-cookie":
                name, value = v.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
        return status, hdrs, body


def _http_client_with_all_set_cookies(c: Client, path: str):
    """http.client merges repeated Set-Cookie headers; read them one by one."""
    u = urllib.parse.urlparse(c.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        headers = (
            {"Cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items())} if c.cookies else {}
        )
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        for v in r.headers.get_all("Set-Cookie") or []:
            name, value = v.split(";", 1)[0].split("=", 1)
            c.cookies[name] = value
        return r.status, r.read()
    finally:
        conn.close()


def _post_login(c: Client, user: str, password: str):
    u = urllib.parse.urlparse(c.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if c.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
        conn.request(
            "POST",
            "/login",
            body=urllib.parse.urlencode({"username": user, "password": password}),
            headers=headers,
        )
        r = conn.getresponse()
        for v in r.headers.get_all("Set-Cookie") or []:
            name, value = v.split(";", 1)[0].split("=", 1)
            c.cookies[name] = value
        r.read()
        return r.status, r.headers.get("Location")
    finally:
        conn.close()


def _sign_in(url: str, user: str, password: str):
    c = Client(url)
    _http_client_with_all_set_cookies(c, "/login?next=%2Fplanner")
    return c, _post_login(c, user, password)


def test_sign_in_sign_out_and_the_audit_trail(users_server, served_ws):
    c, (status, loc) = _sign_in(users_server.url, "insp", "wrong-password")
    assert status == 302 and loc == "/login?error=Invalid+username+or+password%21"
    assert "user" not in c.cookies
    c, (status, loc) = _sign_in(users_server.url, "insp", PASSWORDS["insp"])
    assert (status, loc) == (302, "/planner")
    status, body = _http_client_with_all_set_cookies(c, "/planner")
    assert status == 200 and b"<title>Hotspot and patrol planner</title>" in body
    status, body = _http_client_with_all_set_cookies(c, "/static/js/bokeh.min.js")
    assert status == 200 and len(body) > 100_000
    # the Host header is checked even when signed in
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items()),
        "Host": "evil.example",
    }
    status, _, _ = _request(users_server.url, "/planner", headers=headers)
    assert status == 400
    status, body = _http_client_with_all_set_cookies(c, "/logout")
    assert status == 200
    status, headers, _ = c.request("/planner")
    assert status == 302 and headers["Location"].startswith("/login")
    with open_store(None, workspace=served_ws) as s:
        ev = read_events(s, user="insp")
    assert ev["action"].tolist()[-3:] == ["sign_in_failed", "sign_in", "sign_out"]
    assert ev["role"].tolist()[-2:] == ["inspector", "inspector"]
    assert ev["detail"].iloc[-1] == {"ip": "127.0.0.1"}
    assert PASSWORDS["insp"] not in json.dumps(ev["detail"].tolist())


def test_a_removed_user_loses_access_at_once(users_server, users_file):
    add_user(users_file, "temp", "temp-password-1", role="intelligence")
    c, (status, _) = _sign_in(users_server.url, "temp", "temp-password-1")
    assert status == 302
    assert _http_client_with_all_set_cookies(c, "/planner")[0] == 200
    remove_user(users_file, "temp")
    status, _ = _http_client_with_all_set_cookies(c, "/planner")
    assert status == 403
    status, _ = _http_client_with_all_set_cookies(c, "/static/js/bokeh.min.js")
    assert status == 403


def test_repeated_failures_lock_the_name(users_server, users_file):
    add_user(users_file, "target", "target-password-1", role="intelligence")
    try:
        for _ in range(5):
            assert _sign_in(users_server.url, "target", "guess")[1][1].startswith("/login?error=")
        c, (status, loc) = _sign_in(users_server.url, "target", "target-password-1")
        assert loc.startswith("/login?error=") and "user" not in c.cookies
    finally:
        remove_user(users_file, "target")


def test_session_status(tmp_path):
    from planner.access.server import Gate, SignInConfig, session_status
    from planner.access.users import UsersFile, set_role

    f = tmp_path / "u.json"
    add_user(f, "a", "password-1", role="inspector", lpas=["North"])
    gate = Gate(users=UsersFile(f), config=SignInConfig(session_hours=1))
    p = gate.principal("a", None)
    assert session_status(gate, p, 0.0, 3599.0) == "ok"
    assert session_status(gate, p, 0.0, 3600.0) == "expired"
    set_role(f, "a", role="inspector", lpas=["South"])
    assert session_status(gate, p, 0.0, 10.0) == "role changed"
    remove_user(f, "a")
    assert session_status(gate, p, 0.0, 10.0) == "revoked"


def test_principal_of_a_watched_session(tmp_path):
    from bokeh.document import Document

    from planner.access.server import Gate, principal_of, watch_session
    from planner.access.users import UsersFile

    f = tmp_path / "u.json"
    add_user(f, "a", "password-1", role="inspector", lpas=["North"])
    gate = Gate(users=UsersFile(f))
    doc, other = Document(), Document()
    p = gate.principal("a", None)
    watch_session(gate, p, doc)
    assert principal_of(doc) == p and principal_of(other) is None
    assert len(doc.session_callbacks) == 1
    assert doc.session_callbacks[0].period == 60_000


def _all_names(ws: Path) -> tuple[set[str], set[str]]:
    with open_store(None, workspace=ws) as s:
        off = s.frame("officers")
    names = {n for n in off["name"].dropna() if len(n) > 5}
    return names, set(off["officer_id"])


@pytest.mark.parametrize("user", ["insp", "pc"])
def test_the_page_before_the_websocket_holds_no_officer_data(users_server, served_ws, user):
    """The HTML page sent to an inspector or officer holds no officer's name or id (their
    scoped documents are checked in test_page_scope.py and test_browser_scope.py)."""
    c, (status, _) = _sign_in(users_server.url, user, PASSWORDS[user])
    assert status == 302
    status, body = _http_client_with_all_set_cookies(c, "/planner")
    html = body.decode()
    assert status == 200  # the page; its document comes over the websocket (browser test)
    names, ids = _all_names(served_ws)
    assert [n for n in names if n in html] == []
    assert [o for o in ids if re.search(rf"\b{re.escape(o)}\b", html)] == []


def test_intelligence_gets_the_app(users_server, served_ws):
    c, _ = _sign_in(users_server.url, "intel", PASSWORDS["intel"])
    status, body = _http_client_with_all_set_cookies(c, "/planner")
    assert status == 200 and b"<title>Hotspot and patrol planner</title>" in body


def test_every_download_is_audited_with_the_user(tmp_path):
    import panel_material_ui as pmui
    from bokeh.document import Document
    from panel.io.state import set_curdoc
    from panel.widgets import FileDownload

    from planner.access.server import Gate, audit_downloads, watch_session
    from planner.access.users import UsersFile

    f = tmp_path / "u.json"
    add_user(f, "a", "password-1", role="intelligence")
    calls: list = []
    gate = Gate(
        users=UsersFile(f), audit=lambda user, action, **kw: calls.append((user, action, kw))
    )
    audit_downloads(gate)
    audit_downloads(gate)  # idempotent: one row per transfer, not two
    doc = Document()
    watch_session(gate, gate.principal("a", None), doc)
    try:
        with set_curdoc(doc):
            w = pmui.FileDownload(callback=lambda: io.StringIO("a,b\n1,2\n"), filename="plan.csv")
            assert calls == []
            w._transfer()
            FileDownload(callback=lambda: io.BytesIO(b"x"), filename="brief.html")._transfer()
    finally:
        audit_downloads(None)
    FileDownload(callback=lambda: io.BytesIO(b"x"), filename="after.html")._transfer()
    assert [(u, a, kw["record_id"], kw["role"]) for u, a, kw in calls] == [
        ("a", "export", "plan.csv", "intelligence"),
        ("a", "export", "brief.html", "intelligence"),
    ]
    assert w.data.endswith(";base64,YSxiCjEsMgo=")  # the file still reaches the browser

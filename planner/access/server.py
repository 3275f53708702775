"""Sign-in for ``planner serve``, enforced on every route of the server.

Two ways to sign in, both Panel's own machinery:

* the users file (:mod:`planner.access.users`): Panel's login form at ``/login`` (fields
  ``username`` and ``password``), checked against the salted argon2 hashes;
* OpenID Connect through Panel's OAuth: Microsoft Entra ID (``azure``/``azurev2``) or any
  provider through the ``generic`` provider's endpoints, configured by a small TOML file
  (:func:`read_oidc_config`) that also maps a token claim to roles.

Panel guards the app's pages and websocket; :func:`guard_routes` additionally wraps every
other route of the Tornado application (static files, the favicon, extra routes) so that
nothing but the sign-in and sign-out pages answers before sign-in, and checks the Host header.
Sign-in, failed sign-in and sign-out are written to the audit trail.
"""

from __future__ import annotations

import inspect
import os
import time
import weakref
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from planner.access.roles import ClaimMapping, Principal, load_toml, read_claim_mapping
from planner.access.users import UsersFile
from planner.errors import AccessDenied, InputError, PlannerError

#: addresses that only the machine itself can reach
LOCAL_ADDRESSES = frozenset({"localhost", "127.0.0.1", "::1"})
#: environment variables read by ``planner serve``
COOKIE_SECRET_ENV = "PLANNER_COOKIE_SECRET"
OIDC_SECRET_ENV = "PLANNER_OIDC_CLIENT_SECRET"
TEMPLATES = Path(__file__).resolve().parent / "templates"
OIDC_PROVIDERS = ("azure", "azurev2", "generic")

Audit = Callable[..., None]


@dataclass(frozen=True)
class SignInConfig:
    """Sign-in settings (documented defaults).

    session_hours: how long a sign-in lasts (the signed cookies' lifetime); then sign in again.
    min_cookie_secret_length: a shorter cookie secret is accepted with a warning.
    max_failed_sign_ins: failed password sign-ins for one name within ``lockout_minutes``
    after which that name is refused until the window has passed.
    """

    session_hours: float = 8.0
    min_cookie_secret_length: int = 32
    max_failed_sign_ins: int = 5
    lockout_minutes: float = 15.0


DEFAULT_SIGN_IN = SignInConfig()


def is_local(address: str) -> bool:
    """Whether ``address`` is reachable from this machine only.

    Parameters
    ----------
    address : str
        The address the server listens on.

    Returns
    -------
    bool
        True for loopback addresses.
    """
    return address in LOCAL_ADDRESSES


def check_cookie_secret(secret: str | None, config: SignInConfig = DEFAULT_SIGN_IN) -> str:
    """The cookie secret, refusing a missing one (never invented silently); warns when short.

    Parameters
    ----------
    secret : str or None
        The cookie secret (from the environment).
    config : SignInConfig
        The minimum length.

    Returns
    -------
    str
        The secret; a :class:`~planner.errors.PlannerError` when missing.
    """
    if not secret:
        raise PlannerError(
            f"sign-in needs a cookie secret: set {COOKIE_SECRET_ENV} or pass --cookie-secret "
            "(e.g. the output of `python -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    if len(secret) < config.min_cookie_secret_length:
        import sys

        print(
            f"WARNING: the cookie secret is short ({len(secret)} characters); use at least "
            f"{config.min_cookie_secret_length} random characters",
            file=sys.stderr,
        )
    return secret


# ---- OIDC ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class OidcConfig:
    """An OpenID Connect client registration and its claim -> role mapping.

    File layout (TOML)::

        provider = "azure"            # Entra ID; or "azurev2", or "generic"
        client_id = "..."
        tenant = "..."                # azure: the directory (tenant) id
        redirect_uri = "https://planner.example.police.uk/login"
        user_key = "upn"              # the claim naming the user (default: provider's)
        scope = ["openid", "profile", "email"]
        # generic only:
        authorize_url = "https://idp/authorize"
        token_url = "https://idp/token"
        user_url = "https://idp/userinfo"
        [roles]
        claim = "roles"
        [roles.map]
        "Planner.Intelligence" = { role = "intelligence" }

    The client secret is read from ``PLANNER_OIDC_CLIENT_SECRET`` (or ``client_secret`` in
    the file, which must then be readable by the service account only).
    """

    provider: str
    client_id: str
    client_secret: str
    mapping: ClaimMapping
    redirect_uri: str | None = None
    extra_params: dict[str, Any] = field(default_factory=dict)
    user_key: str | None = None

    def serve_kwargs(self) -> dict[str, Any]:
        """The ``pn.serve`` keyword arguments of this provider.

        Returns
        -------
        dict
            ``oauth_provider``, ``oauth_key``, ``oauth_secret``, ... for :func:`panel.serve`.
        """
        kw: dict[str, Any] = {
            "oauth_provider": self.provider,
            "oauth_key": self.client_id,
            "oauth_secret": self.client_secret,
            "oauth_extra_params": dict(self.extra_params),
        }
        if self.redirect_uri:
            kw["oauth_redirect_uri"] = self.redirect_uri
        return kw


def read_oidc_config(path: str | Path, environ: dict[str, str] | None = None) -> OidcConfig:
    """Read an OIDC config file (see :class:`OidcConfig`).

    Parameters
    ----------
    path : str or Path
        The OIDC config file (TOML).
    environ : dict, optional
        Environment for the client secret (default ``os.environ``).

    Returns
    -------
    OidcConfig
        The provider settings and the claim mapping.

    Raises
    ------
    InputError
        Naming the file and the missing or wrong field.
    """
    environ = dict(os.environ) if environ is None else environ
    file = str(path)
    data = load_toml(path)
    provider = data.get("provider")
    if provider not in OIDC_PROVIDERS:
        raise InputError(
            file, f"provider must be one of {', '.join(OIDC_PROVIDERS)}", field="provider"
        )
    client_id = data.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise InputError(file, "no client_id", field="client_id")
    secret = environ.get(OIDC_SECRET_ENV) or data.get("client_secret")
    if not secret:
        raise InputError(
            file, f"no client secret: set {OIDC_SECRET_ENV} (or client_secret in the file)"
        )
    extra: dict[str, Any] = {}
    if provider == "generic":
        for key in ("authorize_url", "token_url", "user_url"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise InputError(file, f"the generic provider needs {key}", field=key)
            extra[key.upper()] = data[key]
        if data.get("logout_url"):
            extra["LOGOUT_URL"] = data["logout_url"]
        extra["USER_KEY"] = data.get("user_key", "email")
    else:
        tenant = data.get("tenant")
        if not isinstance(tenant, str) or not tenant:
            raise InputError(file, "Entra ID needs the tenant (directory) id", field="tenant")
        extra["tenant"] = tenant
    if data.get("scope"):
        scope = data["scope"]
        extra["scope"] = list(scope) if not isinstance(scope, str) else scope.split()
    redirect = data.get("redirect_uri")
    return OidcConfig(
        provider=provider,
        client_id=client_id,
        client_secret=str(secret),
        mapping=read_claim_mapping(data, file),
        redirect_uri=str(redirect) if redirect else None,
        extra_params=extra,
        user_key=str(data["user_key"]) if data.get("user_key") else None,
    )


# ---- who is signed in ---------------------------------------------------------------------
class Gate:
    """Decides who a request (or a session) belongs to, and records sign-in events.

    Parameters
    ----------
    users
        The users file (password sign-in), or None.
    oidc
        The OIDC configuration, or None (exactly one of ``users`` and ``oidc``).
    audit
        ``audit(user, action, **kwargs)`` writing to the audit trail
        (:func:`planner.access.audit.log_event` bound to the store).
    allowed_hosts
        Host header values accepted (``host`` or ``host:port``); empty = any.
    config
        :class:`SignInConfig`.
    """

    login_url = "/login"
    logout_url = "/logout"

    def __init__(
        self,
        *,
        users: UsersFile | None = None,
        oidc: OidcConfig | None = None,
        audit: Audit | None = None,
        allowed_hosts: Iterable[str] = (),
        config: SignInConfig = DEFAULT_SIGN_IN,
    ):
        if (users is None) == (oidc is None):
            raise PlannerError("configure one way to sign in: --users FILE or --oidc FILE")
        self.users = users
        self.oidc = oidc
        self.audit: Audit = audit or (lambda *a, **k: None)
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.config = config
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    @property
    def expiry_days(self) -> float:
        """The sign-in lifetime in days (cookie max age)."""
        return self.config.session_hours / 24

    # -- principals
    def principal(self, user: str | None, claims: dict[str, Any] | None) -> Principal | None:
        """The principal of a signed-in user (None: unknown user or no role).

        Parameters
        ----------
        user : str or None
            The signed-in user.
        claims : dict or None
            Their OIDC claims.

        Returns
        -------
        Principal or None
            The principal.
        """
        if not user:
            return None
        if self.users is not None:
            return self.users.principal(user)
        assert self.oidc is not None
        return self.oidc.mapping.principal(user, claims or {})

    def request_principal(self, handler: Any) -> Principal | None:
        """The principal of a Tornado request from its signed cookies.

        Parameters
        ----------
        handler : tornado.web.RequestHandler
            The request.

        Returns
        -------
        Principal or None
            The principal (None: not signed in).
        """
        raw = handler.get_secure_cookie("user", max_age_days=self.expiry_days)
        if not raw:
            return None
        claims = None
        if self.oidc is not None:
            token = handler.get_secure_cookie("id_token", max_age_days=self.expiry_days)
            claims = _claims(token)
        return self.principal(raw.decode("utf-8"), claims)

    def session_principal(self) -> Principal | None:
        """The principal of the current Panel session (``pn.state.user`` / ``user_info``).

        Returns
        -------
        Principal or None
            The principal (None: not signed in).
        """
        import panel as pn

        user = pn.state.user
        if not user or user == "guest":
            return None
        claims = pn.state.user_info if self.oidc is not None else None
        return self.principal(user, claims)

    # -- host header
    def host_ok(self, host: str) -> bool:
        """Whether a Host header value is allowed.

        Parameters
        ----------
        host : str
            The Host header.

        Returns
        -------
        bool
            True when allowed (always, when no hosts are set).
        """
        if not self.allowed_hosts:
            return True
        host = host.lower()
        return host in self.allowed_hosts or host.rsplit(":", 1)[0] in self.allowed_hosts

    # -- password sign-in throttle
    def locked(self, name: str) -> bool:
        """Whether a name is locked out after too many failed sign-ins.

        Parameters
        ----------
        name : str
            The sign-in name.

        Returns
        -------
        bool
            True while ``max_failed_sign_ins`` failures fall within the lockout window.
        """
        q = self._failures[name]
        cutoff = time.monotonic() - self.config.lockout_minutes * 60
        while q and q[0] < cutoff:
            q.popleft()
        return len(q) >= self.config.max_failed_sign_ins

    def failed(self, name: str) -> None:
        """Note a failed sign-in for ``name`` (for the lockout).

        Parameters
        ----------
        name : str
            The sign-in name.
        """
        self._failures[name].append(time.monotonic())


def _claims(token: bytes | None) -> dict[str, Any] | None:
    if not token:
        return None
    from panel.util import decode_token

    try:
        return decode_token(token.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _remote(handler: Any) -> dict[str, Any]:
    return {"ip": handler.request.remote_ip}


# ---- Panel auth providers -----------------------------------------------------------------
def _read_template(name: str):
    from panel.auth import _env

    return _env.from_string((TEMPLATES / name).read_text(encoding="utf-8"))


def make_auth_provider(gate: Gate) -> Any:
    """A Panel auth provider for the gate: the users-file login form or OAuth (OIDC).

    Both render the planner's offline copies of Panel's login and logout pages and write
    ``sign_in``, ``sign_in_failed`` and ``sign_out`` to the audit trail.

    Parameters
    ----------
    gate : Gate
        The server's sign-in gate.

    Returns
    -------
    panel.auth.BasicAuthProvider or panel.auth.OAuthProvider
        The provider (a subclass of Panel's, with the planner's pages).
    """
    import tornado.escape
    from panel.auth import (
        AUTH_PROVIDERS,
        BasicAuthProvider,
        BasicLoginHandler,
        LogoutHandler,
        OAuthProvider,
        _validate_next_url,
    )
    from panel.io.state import state

    login_template = _read_template("login.html")
    logout_template = _read_template("logout.html")

    class PlannerLogoutHandler(LogoutHandler):
        _login_endpoint = gate.login_url
        _logout_template = logout_template

        def get(self) -> None:
            p = gate.request_principal(self)
            if p is not None:
                gate.audit(p.user, "sign_out", role=p.role, detail=_remote(self), source="web")
            super().get()

    if gate.users is not None:

        class UsersFileLoginHandler(BasicLoginHandler):
            _login_endpoint = gate.login_url
            _login_template = login_template

            async def post(self) -> None:
                from tornado.ioloop import IOLoop

                name = self.get_argument("username", "")
                password = self.get_argument("password", "")
                ok = False
                if name and not gate.locked(name):
                    # argon2 takes ~0.2 s of CPU: off the event loop, so open sessions do not stall
                    users = gate.users
                    assert users is not None
                    ok = await IOLoop.current().run_in_executor(None, users.verify, name, password)
                if ok:
                    p = gate.principal(name, None)
                    self.set_current_user(name)
                    gate.audit(
                        name,
                        "sign_in",
                        role=p.role if p else None,
                        detail=_remote(self),
                        source="web",
                    )
                    next_url = _validate_next_url(self.get_cookie("next_url", state.base_url))
                    self.redirect(next_url or "/")
                    return
                gate.failed(name)
                gate.audit(
                    name[:255] or "(empty)",
                    "sign_in_failed",
                    detail=_remote(self) | {"locked": gate.locked(name)},
                    source="web",
                )
                msg = "?error=" + tornado.escape.url_escape("Invalid username or password!")
                self.redirect(self.request.path + msg)

        class UsersFileAuthProvider(BasicAuthProvider):
            @property
            def login_handler(self):
                return UsersFileLoginHandler

            @property
            def logout_handler(self):
                return PlannerLogoutHandler

        return UsersFileAuthProvider(
            login_endpoint=gate.login_url,
            logout_endpoint=gate.logout_url,
        )

    assert gate.oidc is not None
    base = AUTH_PROVIDERS[gate.oidc.provider]
    user_key = gate.oidc.user_key

    class PlannerOAuthLoginHandler(base):  # type: ignore[misc,valid-type]
        _login_endpoint = gate.login_url

        if user_key:
            _USER_KEY = user_key

        _planner_user: str | None = None
        _planner_claims: dict[str, Any] | None = None

        def set_secure_cookie(self, name: str, value: Any, *args: Any, **kwargs: Any) -> Any:
            if name == "user":
                self._planner_user = value.decode() if isinstance(value, bytes) else str(value)
            elif name == "id_token":
                raw = value if isinstance(value, bytes) else str(value).encode()
                self._planner_claims = _claims(raw)
            return super().set_secure_cookie(name, value, *args, **kwargs)

        async def get(self) -> None:
            self._planner_user = None
            self._planner_claims = None
            await super().get()
            user = self._planner_user
            if user:
                p = gate.principal(user, self._planner_claims)
                if p is None:
                    gate.audit(
                        user, "denied", detail=_remote(self) | {"reason": "no role"}, source="web"
                    )
                else:
                    gate.audit(user, "sign_in", role=p.role, detail=_remote(self), source="web")

    class PlannerOAuthProvider(OAuthProvider):
        @property
        def login_handler(self):
            return PlannerOAuthLoginHandler

        @property
        def logout_handler(self):
            return PlannerLogoutHandler

    return PlannerOAuthProvider(login_endpoint=gate.login_url, logout_endpoint=gate.logout_url)


# ---- every route -------------------------------------------------------------------------
def guard_routes(tornado_app: Any, gate: Gate | None, allowed_hosts: Iterable[str] = ()) -> int:
    """Wrap every route of a Tornado application with the sign-in and Host header checks.

    Unauthenticated requests get a redirect to the sign-in page (GET of a page) or 401 (the
    websocket, other methods); a signed-in user without a role gets 403. Only the sign-in
    and sign-out pages answer without sign-in. A Host header outside ``allowed_hosts`` (or
    the gate's) gets 400. Returns the number of routes wrapped.

    Parameters
    ----------
    tornado_app : tornado.web.Application
        The Bokeh server's application.
    gate : Gate or None
        The sign-in gate (None: Host checks only).
    allowed_hosts : iterable of str
        Host header values accepted.

    Returns
    -------
    int
        The number of routes wrapped.
    """
    from tornado.web import HTTPError, RequestHandler
    from tornado.websocket import WebSocketHandler

    hosts = {h.lower() for h in allowed_hosts} | (gate.allowed_hosts if gate else set())
    public = set() if gate is None else {gate.login_url, gate.logout_url}

    def host_ok(host: str) -> bool:
        host = host.lower()
        return not hosts or host in hosts or host.rsplit(":", 1)[0] in hosts

    def wrap(cls: type[RequestHandler]) -> type:
        async def prepare(self: Any) -> None:
            if not host_ok(self.request.host):
                raise HTTPError(400, "Host not allowed")
            if gate is not None and self.request.path not in public:
                raw = self.get_secure_cookie("user", max_age_days=gate.expiry_days)
                if not raw:
                    is_ws = isinstance(self, WebSocketHandler)
                    if self.request.method in ("GET", "HEAD") and not is_ws:
                        self.redirect(f"{gate.login_url}?next={quote(self.request.uri, safe='')}")
                        return
                    raise HTTPError(401, "sign in first")
                if gate.request_principal(self) is None:
                    raise HTTPError(403, "no planner role for this user")
            res = cls.prepare(self)
            if inspect.isawaitable(res):
                await res

        return type(f"Guarded{cls.__name__}", (cls,), {"prepare": prepare})

    n = 0
    for rule in tornado_app.wildcard_router.rules:
        target = rule.target
        if isinstance(target, type) and issubclass(target, RequestHandler):
            rule.target = wrap(target)
            n += 1
    return n


# ---- open sessions ------------------------------------------------------------------------
def session_status(
    gate: Gate, principal: Principal, started: float, now: float, claims: dict | None = None
) -> str:
    """Whether an open app session may go on.

    Whether an open app session may go on: ``"ok"``, ``"expired"`` (older than the sign-in
    lifetime), ``"revoked"`` (the user is gone) or ``"role changed"``.

    Parameters
    ----------
    gate
        The server's gate.
    principal
        The principal the session was opened with.
    started, now
        Session start and current time (seconds, same clock).
    claims
        The OIDC claims of the session (ignored for the users file).

    Returns
    -------
    str
        ``"ok"``, ``"expired"`` (older than the sign-in lifetime), ``"revoked"`` (the user
        is gone) or ``"role changed"``.
    """
    if now - started >= gate.config.session_hours * 3600:
        return "expired"
    current = gate.principal(principal.user, claims)
    if current is None:
        return "revoked"
    if current != principal:
        return "role changed"
    return "ok"


_SESSIONS: weakref.WeakKeyDictionary[Any, Principal] = weakref.WeakKeyDictionary()


def principal_of(doc: Any) -> Principal | None:
    """The principal an app session (Bokeh document) was opened for (None: no sign-in).

    The app's state layer reads this to select what the session may read.

    Parameters
    ----------
    doc : bokeh.document.Document
        The app session's document.

    Returns
    -------
    Principal or None
        The session's principal.
    """
    if doc is None:
        return None
    try:
        return _SESSIONS.get(doc)
    except TypeError:  # not weakly referenceable: not a session document
        return None


def watch_session(gate: Gate, principal: Principal, doc: Any, claims: dict | None = None) -> None:
    """End an open app session when its sign-in expires or the user's access changes.

    A websocket session outlives the page request that the route guard checked; this checks it
    periodically (every minute, or a quarter of a short session) and then empties the document
    (no further data reaches the browser), shows a sign-in link and audits the sign-out.

    Parameters
    ----------
    gate : Gate
        The server's sign-in gate.
    principal : Principal
        The principal the session was opened with.
    doc : bokeh.document.Document
        The app session's document.
    claims : dict, optional
        The OIDC claims of the session (ignored for the users file).
    """
    import panel as pn

    _SESSIONS[doc] = principal
    started = time.monotonic()
    period_ms = int(max(1.0, min(60.0, gate.config.session_hours * 3600 / 4)) * 1000)

    def check() -> None:
        status = session_status(gate, principal, started, time.monotonic(), claims)
        if status == "ok":
            return
        doc.remove_periodic_callback(cb)
        doc.clear()
        doc.add_root(
            pn.pane.Markdown(
                f"## Signed out ({status})\n\n[Sign in again]({gate.login_url})",
                css_classes=["signed-out"],
            ).get_root(doc)
        )
        gate.audit(
            principal.user,
            "sign_out",
            role=principal.role,
            detail={"reason": status},
            source="web",
        )

    cb = doc.add_periodic_callback(check, period_ms)


_DOWNLOAD_AUDIT: list[Gate] = []


def audit_downloads(gate: Gate | None) -> None:
    """Audit every file a session downloads (each export or download, with the user).

    Panel's ``FileDownload`` widgets (and panel-material-ui's, a subclass) hand every file to
    the browser through ``FileDownload._sync_data``; this wraps it once per process so that each
    transfer writes an ``export`` row naming the session's user and the file before the data
    is sent. ``None`` stops auditing.

    Parameters
    ----------
    gate : Gate or None
        The gate whose audit is written (None stops auditing).
    """
    from panel.io.state import state
    from panel.widgets.misc import FileDownload

    _DOWNLOAD_AUDIT[:] = [] if gate is None else [gate]
    _audit_refused_model_changes()
    if getattr(FileDownload._sync_data, "_planner_audited", False):
        return
    original = FileDownload._sync_data

    def _sync_data(self: Any, fileobj: Any) -> Any:
        g = _DOWNLOAD_AUDIT[0] if _DOWNLOAD_AUDIT else None
        if g is not None:
            p = principal_of(state.curdoc)
            name = self.filename or (
                Path(fileobj).name if isinstance(fileobj, str | Path) else None
            )
            g.audit(
                p.user if p else str(state.user or "(unknown)"),
                "export",
                role=p.role if p else None,
                table_name="download",
                record_id=None if name is None else str(name)[:80],
                detail={"filename": name, "widget": type(self).__name__},
                source="app",
            )
        return original(self, fileobj)

    _sync_data._planner_audited = True  # type: ignore[attr-defined]
    FileDownload._sync_data = _sync_data  # type: ignore[method-assign]


def _audit_refused_model_changes() -> None:
    """Audit a model change from the browser that the server refuses before any state sees it.

    A widget's value outside its options (e.g. another LPA sent for a Select that offers only
    the inspector's) fails in Panel's ``Syncable._process_events`` and never reaches the page
    state, so :func:`planner.access.scope.refuse` is not reached; this wraps it once per
    process so that such a refusal in a signed-in session is a ``denied`` row with the user,
    the widget and the values sent. Refusals raised as AccessDenied are audited where raised.
    """
    from panel.io.state import state
    from panel.reactive import Syncable

    if getattr(Syncable._process_events, "_planner_audited", False):
        return
    original = Syncable._process_events

    def _process_events(self: Any, events: dict[str, Any]) -> None:
        try:
            original(self, events)
        except AccessDenied:
            raise
        except Exception:
            p = principal_of(state.curdoc) if _DOWNLOAD_AUDIT else None
            if p is not None:
                sent = {str(k): str(v)[:80] for k, v in list(events.items())[:10]}
                audit_denied(
                    p, {"attempt": "model change", "widget": type(self).__name__, "sent": sent}
                )
            raise

    _process_events._planner_audited = True  # type: ignore[attr-defined]
    Syncable._process_events = _process_events  # type: ignore[method-assign]


def audit_denied(principal: Principal | None, detail: dict[str, Any]) -> None:
    """Write a refused read to the audit trail as ``denied`` with the user.

    A refused read is an LPA, drill-down or capability outside the scope. It is written when the
    server audits (:func:`audit_downloads` set a gate); without sign-in or outside a served
    process it does nothing.

    Parameters
    ----------
    principal
        The principal refused.
    detail
        What was asked for (JSON-serialisable).
    """
    g = _DOWNLOAD_AUDIT[0] if _DOWNLOAD_AUDIT else None
    if g is None or g.audit is None or principal is None:
        return
    g.audit(principal.user, "denied", role=principal.role, detail=detail, source="app")

"""`planner serve`: serve the planner app (the bundled demo workspace when none is given)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from planner.access.server import COOKIE_SECRET_ENV, DEFAULT_SIGN_IN, OIDC_SECRET_ENV
from planner.errors import PlannerError
from planner.paths import DEFAULT_WORKSPACE

DEFAULT_PORT = 5006
DEFAULT_ADDRESS = "localhost"


def register(sub) -> None:
    """Add ``planner serve`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    p = sub.add_parser(
        "serve",
        help="serve the planner app in the browser (default: the demo workspace)",
        description="Serve the planner app (Panel) on http://ADDRESS:PORT. Without --workspace the "
        f"bundled demo workspace ({DEFAULT_WORKSPACE}) is served, built first if it does not exist. "
        "The app makes no request outside its own server unless --tiles is given.",
    )
    p.add_argument(
        "--workspace",
        type=Path,
        default=None,
        help=f"workspace folder (default {DEFAULT_WORKSPACE})",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--address",
        default=DEFAULT_ADDRESS,
        help=f"address to listen on (default {DEFAULT_ADDRESS})",
    )
    p.add_argument(
        "--tiles",
        default=None,
        help="basemap tile URL template with {Z}/{X}/{Y} (default: no basemap, fully offline)",
    )
    p.add_argument(
        "--records",
        default=None,
        help="neighbourhood records store: a SQLite path or SQLAlchemy URL "
        "(default: the workspace's records.sqlite)",
    )
    p.add_argument("--show", action="store_true", help="open a browser tab")
    p.add_argument(
        "--prefetch-gap-ms",
        type=_milliseconds,
        default=None,
        metavar="MS",
        help="pause between two pages a session builds in the background, for the browser to "
        "draw the last one (default: $PLANNER_PREFETCH_GAP_MS, else 1500)",
    )
    p.add_argument(
        "--num-procs",
        type=int,
        default=1,
        metavar="N",
        help="server processes sharing the port (Bokeh num_procs; 0: one per core). The "
        "workspace is loaded once and forked; each process has its own sessions and caches. "
        "With N > 1 use a PostgreSQL records store (see docs/deploy.md, Many users)",
    )
    auth = p.add_argument_group(
        "sign-in and deployment",
        "Without --users or --oidc the app is served unauthenticated, on localhost only. "
        "See docs/deploy.md.",
    )
    auth.add_argument(
        "--users",
        type=Path,
        default=None,
        help="users file (salted argon2 hashes; `planner users add`): sign in with Panel's login "
        "form at /login",
    )
    auth.add_argument(
        "--oidc",
        type=Path,
        default=None,
        help="OpenID Connect config file (TOML: Entra ID or a generic provider, and the "
        f"claim -> role mapping); client secret from {OIDC_SECRET_ENV}",
    )
    auth.add_argument(
        "--cookie-secret",
        default=None,
        help=f"secret that signs the sign-in cookies (default: ${COOKIE_SECRET_ENV}; required "
        "with sign-in)",
    )
    auth.add_argument(
        "--session-hours",
        type=float,
        default=DEFAULT_SIGN_IN.session_hours,
        help=f"how long a sign-in lasts (default {DEFAULT_SIGN_IN.session_hours:g})",
    )
    auth.add_argument(
        "--allow-websocket-origin",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="a host browsers reach the app at (LAN name or reverse proxy); repeatable. Also "
        "accepted in the Host header",
    )
    auth.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="an extra accepted Host header value (requests for other hosts get 400); repeatable",
    )
    auth.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="allow serving on a non-local address WITHOUT sign-in (never for real data)",
    )
    p.set_defaults(func=run)


def _milliseconds(text: str) -> float:
    """``--prefetch-gap-ms``: a number of milliseconds, 0 or more (else argparse's usage error)."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of milliseconds, 0 or more: {text!r}")
    return value


def ensure_workspace(path: Path | None) -> Path:
    """The workspace to serve; builds the demo at the default path when it is missing.

    Parameters
    ----------
    path : Path, optional
        ``--workspace`` (must hold ``workspace.json``); None = the default demo workspace.

    Returns
    -------
    Path
        The workspace folder.
    """
    if path is not None:
        if not (path / "workspace.json").exists():
            raise PlannerError(
                f"{path} is not a planner workspace (no workspace.json); build one with `planner demo --out {path}`"
            )
        return path
    path = DEFAULT_WORKSPACE
    if not (path / "workspace.json").exists():
        from planner.demo import build_demo

        print(f"no demo workspace at {path}: building it (about a minute)", file=sys.stderr)
        t0 = time.perf_counter()
        build_demo(path)
        print(f"demo workspace built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return path


def sign_in_gate(args, audit=None):
    """Check the sign-in settings of ``planner serve`` before anything is loaded.

    The sign-in gate of ``planner serve`` (None: unauthenticated), checked before loading.

    Raises
    ------
    PlannerError
        Both or neither of --users/--oidc wrongly given, no cookie secret with sign-in, or a
        non-local address without sign-in and without --insecure-no-auth.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.
    audit : callable, optional
        ``audit(user, action, **kwargs)`` writing sign-in events to the audit trail.

    Returns
    -------
    Gate or None
        The sign-in gate (None: unauthenticated).
    """
    import os

    from planner.access.server import (
        Gate,
        SignInConfig,
        check_cookie_secret,
        is_local,
        read_oidc_config,
    )
    from planner.access.users import UsersFile

    if args.users is not None and args.oidc is not None:
        raise PlannerError("give one way to sign in: --users FILE or --oidc FILE, not both")
    if args.users is None and args.oidc is None:
        if not is_local(args.address) and not args.insecure_no_auth:
            raise PlannerError(
                f"refusing to serve on {args.address} without sign-in: give --users FILE or "
                "--oidc FILE (or --insecure-no-auth, never with real data)"
            )
        return None
    if args.session_hours <= 0:
        raise PlannerError("--session-hours must be positive")
    args.cookie_secret = check_cookie_secret(
        args.cookie_secret or os.environ.get(COOKIE_SECRET_ENV)
    )
    return Gate(
        users=UsersFile(args.users) if args.users is not None else None,
        oidc=read_oidc_config(args.oidc) if args.oidc is not None else None,
        audit=audit,
        allowed_hosts=allowed_hosts(args),
        config=SignInConfig(session_hours=args.session_hours),
    )


def allowed_hosts(args) -> list[str]:
    """The Host header values (and websocket origins) the server accepts.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (``--address``, ``--port``, ``--allow-websocket-origin``,
        ``--allowed-host``).

    Returns
    -------
    list of str
        ``host:port`` values.
    """
    hosts = [f"{args.address}:{args.port}", f"localhost:{args.port}", f"127.0.0.1:{args.port}"]
    return list(dict.fromkeys([*hosts, *args.allow_websocket_origin, *args.allowed_host]))


def build_server(args):
    """The configured (not yet started) Bokeh server of ``planner serve`` and its store.

    Checks the sign-in settings first (before the workspace is loaded), then wires Panel's
    auth provider, the audit trail and the route guard (:func:`planner.access.server.guard_routes`).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    tuple
        ``(server, store, gate)``: the Bokeh server, the records store (or None) and the
        sign-in gate (or None).
    """
    gate = sign_in_gate(args)
    ws = ensure_workspace(args.workspace)
    import panel as pn
    from panel.io.server import get_server

    from planner.access.audit import log_event
    from planner.access.server import guard_routes, make_auth_provider
    from planner.app import create_app
    from planner.app.main import prefetch_gap, warm
    from planner.records.store import open_store

    gap_ms = prefetch_gap(getattr(args, "prefetch_gap_ms", None))  # a bad environment value: exit 2
    t0 = time.perf_counter()
    print(f"loading workspace {ws} ...", file=sys.stderr)
    warm(ws)
    print(f"workspace loaded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    store = open_store(args.records, workspace=ws)
    kwargs: dict = {}
    if gate is not None:
        gate.audit = lambda user, action, **kw: log_event(store, user, action, **kw)
        pn.config.oauth_expiry = gate.expiry_days
        kwargs = {
            "auth_provider": make_auth_provider(gate),
            "cookie_secret": args.cookie_secret,
            "login_endpoint": gate.login_url,
            "logout_endpoint": gate.logout_url,
        }
        if gate.oidc is not None:
            kwargs |= gate.oidc.serve_kwargs()
            kwargs.pop("oauth_provider")
            pn.config.oauth_provider = gate.oidc.provider
        how = "the users file" if gate.users is not None else f"OIDC ({gate.oidc.provider})"
        print(f"sign-in required ({how}); sessions last {args.session_hours:g} h", file=sys.stderr)
    else:
        print(
            f"WARNING: UNAUTHENTICATED: no sign-in configured (--users or --oidc); anyone who "
            f"reaches {args.address}:{args.port} sees all data",
            file=sys.stderr,
        )
    hosts = allowed_hosts(args)
    num_procs = getattr(args, "num_procs", 1)
    if num_procs < 0:
        raise PlannerError(f"--num-procs must be 0 (one per core) or more, not {num_procs}")
    if num_procs != 1:
        import gc

        gc.freeze()  # the loaded workspace is shared by the forks: keep gc off its pages

    def app():
        if gate is None:
            return create_app(
                ws, tiles=args.tiles, records_url=args.records, prefetch_gap_ms=gap_ms
            )
        from planner.access.server import watch_session

        principal = gate.session_principal()
        if principal is None:
            return pn.pane.Markdown("## No planner role for this user")
        claims = pn.state.user_info if gate.oidc is not None else None
        watch_session(gate, principal, pn.state.curdoc, claims)
        # each role gets the pages its capabilities allow, each scoped in its state layer
        # (planner.access.scope); a role with none (admin) gets a notice and no data
        return create_app(
            ws,
            tiles=args.tiles,
            records_url=args.records,
            prefetch_gap_ms=gap_ms,
            principal=principal,
            audit=gate.audit,
        )

    server = get_server(
        {"planner": app},
        port=args.port,
        address=args.address,
        show=False,
        start=False,
        title="Hotspot and patrol planner",
        websocket_origin=hosts,
        index="planner",
        num_procs=num_procs,
        **kwargs,
    )
    # with --num-procs, each forked process runs from here on (the parent only watches them)
    if num_procs != 1:
        from planner.app.serving import die_with_parent

        die_with_parent()
        for engine in {store.engine, getattr(store, "_reader", store.engine)}:
            engine.dispose(close=False)  # no connection shared with the parent
    guard_routes(server._tornado, gate, hosts)
    from planner.app.serving import prepare

    prepare(server)  # /healthz without sign-in, sessions built off the event loop
    if gate is not None:
        from planner.access.server import audit_downloads

        audit_downloads(gate)
    return server, store, gate


def run(args) -> int:
    """Run ``planner serve``: serve the planner app in the browser (default: the demo workspace).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    server, store, gate = build_server(args)
    print(
        f"serving the planner app on http://{args.address}:{args.port}/ (Ctrl-C to stop)",
        file=sys.stderr,
    )
    if args.show:
        server.io_loop.add_callback(server.show, "/login" if gate else "/")
    server.start()
    try:
        server.io_loop.start()
    finally:
        store.close()
    return 0

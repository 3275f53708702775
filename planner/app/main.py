"""The app factory: a panel-material-ui ``Page`` with a menu of pages (no outside requests)."""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import panel as pn
import panel_material_ui as pmui
from panel.util import edit_readonly

from planner.access.roles import Principal
from planner.access.scope import allowed_pages
from planner.access.server import principal_of
from planner.app.bokeh_sync import keep_unsent_models_new
from planner.app.cache import get_data
from planner.app.components.background import quiet_closed_sockets
from planner.app.data import AppData
from planner.app.registry import PAGES, PHONE_PAGES, build_page
from planner.paths import DEFAULT_WORKSPACE

#: environment settings read by create_app when arguments are not given
ENV_WORKSPACE = "PLANNER_WORKSPACE"
ENV_TILES = "PLANNER_TILES"
#: the pause between background page builds (ms; ``planner serve --prefetch-gap-ms``)
ENV_PREFETCH_GAP = "PLANNER_PREFETCH_GAP_MS"

#: pause between two pages built in the background (ms), for the browser to draw the last one
#: (default; ``PLANNER_PREFETCH_GAP_MS`` or ``planner serve --prefetch-gap-ms`` sets another)
PREFETCH_GAP_MS = 1500
#: background page builds wait while more sessions than this are open in the process, or a
#: session was created within PREFETCH_IDLE_S: under load the other pages are built when first
#: chosen (each build holds the server's event loop for about a second, docs/benchmarks.md)
PREFETCH_MAX_SESSIONS = 3
PREFETCH_IDLE_S = 3.0
#: how often a waiting background build looks again (ms)
PREFETCH_RETRY_MS = 2000

#: every app built in this process and still referenced (sessions not yet released)
_LIVE_APPS: weakref.WeakSet = weakref.WeakSet()
#: when this process last built a page in the background (time.monotonic())
_LAST_PREFETCH = [0.0]


def live_apps() -> int:
    """Apps (sessions' page trees) of this process still in memory.

    Returns
    -------
    int
        Count of the apps :func:`create_app` built that are still referenced; it falls back
        once closed sessions have been discarded and garbage collected.
    """
    return len(_LIVE_APPS)


def prefetch_gap(value: float | str | None = None) -> int:
    """The pause between two pages built in the background, in milliseconds.

    Parameters
    ----------
    value : float or str, optional
        The pause asked for (``planner serve --prefetch-gap-ms``); without it the
        ``PLANNER_PREFETCH_GAP_MS`` environment variable, else :data:`PREFETCH_GAP_MS`.

    Returns
    -------
    int
        The pause (whole ms, 0 or more).

    Raises
    ------
    PlannerError
        When the value is not a number of 0 or more.
    """
    from planner.errors import PlannerError

    if value is None or value == "":
        value = os.environ.get(ENV_PREFETCH_GAP) or PREFETCH_GAP_MS
    try:
        gap = float(value)
    except (TypeError, ValueError):
        gap = -1.0
    if not 0 <= gap < float("inf"):  # also refuses NaN
        raise PlannerError(
            f"the background page gap must be a number of milliseconds, 0 or more, not {value!r} "
            f"(--prefetch-gap-ms or {ENV_PREFETCH_GAP})"
        )
    return round(gap)


def prefetch_allowed(gap_ms: float | None = None) -> bool:
    """Whether a session may build one of its other pages in the background now.

    Parameters
    ----------
    gap_ms : float, optional
        The pause between two background builds (ms); default :func:`prefetch_gap`.

    Returns
    -------
    bool
        False while the server is creating sessions (or did so within
        :data:`PREFETCH_IDLE_S`), while more than :data:`PREFETCH_MAX_SESSIONS` sessions are
        open, or when another session built a page less than ``gap_ms`` ago.
    """
    from planner.app.serving import busy, open_sessions

    if busy(PREFETCH_IDLE_S) or open_sessions() > PREFETCH_MAX_SESSIONS:
        return False
    gap = prefetch_gap() if gap_ms is None else gap_ms
    return time.monotonic() - _LAST_PREFETCH[0] >= gap / 1000


def _extensions() -> None:
    # no design= here: the material design pulls a stylesheet from a CDN. No HoloViews either:
    # every figure is plain Bokeh (planner.app.bokeh_views), so the server does not import the
    # HoloViews plotting backend and matplotlib with it (docs/app.md, Speed)
    pn.extension(notifications=False)
    # a Bokeh defect left pages it had not sent as sent after each browser change
    keep_unsent_models_new()


_extensions()


def create_app(
    workspace: str | Path | None = None,
    *,
    tiles: str | None = None,
    page: str | None = None,
    records_url: str | None = None,
    prefetch: bool = True,
    prefetch_gap_ms: int | None = None,
    principal: Principal | None = None,
    audit: Callable[..., None] | None = None,
) -> pmui.Page | pn.viewable.Viewable:
    """Build one session's app over ``workspace`` (default: ``PLANNER_WORKSPACE`` or the demo).

    Parameters
    ----------
    workspace : path, optional
        Workspace folder; the bundled demo (``planner.paths.DEFAULT_WORKSPACE``) by default.
    tiles : str, optional
        Basemap tile URL template (``{Z}/{X}/{Y}``), e.g. ``/tiles/{Z}/{X}/{Y}.png`` for a local
        folder served with ``--static-dirs``. Off by default (``PLANNER_TILES`` overrides):
        the app then makes no request outside its own server.
    page : str, optional
        The page shown first (a slug of :data:`planner.app.registry.PAGES`); the URL query
        ``?page=`` overrides it.
    records_url : str, optional
        Records store (path or SQLAlchemy URL); default the workspace's ``records.sqlite``.
    prefetch : bool
        Build the other pages in the background once the first is drawn (default). Without it
        a page is built when first chosen.
    prefetch_gap_ms : int, optional
        Pause between two pages built in the background (ms), for the browser to draw the last
        one; default ``PLANNER_PREFETCH_GAP_MS`` or :data:`PREFETCH_GAP_MS` (1500).
    principal : planner.access.roles.Principal, optional
        The signed-in user (default: the session's, :func:`planner.access.server.principal_of`;
        None without sign-in: every page). Only the pages its role may open
        (:func:`planner.access.scope.allowed_pages`) are built and in the menu, and each page's
        state reads only the data in its scope; ``?page=`` naming another page shows an access
        notice instead.
    audit : callable, optional
        ``audit(user, action, **fields)`` (:func:`planner.access.audit.log_event` bound to the
        store): a refused page is written to the audit trail.

    Returns
    -------
    panel_material_ui.Page or Viewable
        The app, or (for a role with no page, e.g. admin) a notice.
    """
    _extensions()
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        quiet_closed_sockets()  # a closed tab leaves no traceback in the server log
    ws_path = Path(workspace or os.environ.get(ENV_WORKSPACE) or DEFAULT_WORKSPACE)
    tiles = tiles if tiles is not None else (os.environ.get(ENV_TILES) or None)
    gap_ms = prefetch_gap(prefetch_gap_ms)
    if principal is None:
        principal = principal_of(pn.state.curdoc)
    every = [s for s, *_ in PAGES]
    labels = {s: label for s, label, *_ in PAGES}
    slugs = allowed_pages(principal, every)
    if not slugs:
        return no_pages_notice(principal)
    data = get_data(ws_path)
    query = {}
    if pn.state.curdoc is not None and pn.state.session_args:
        query = {k: v[0].decode() for k, v in pn.state.session_args.items() if v}
    asked = query.get("page") or page or slugs[0]
    first = asked if asked in slugs else slugs[0]
    refused = asked if asked in every and asked not in slugs else None
    if refused is not None and audit is not None and principal is not None:
        audit(
            principal.user,
            "denied",
            role=principal.role,
            detail={"attempt": "page", "page": refused},
            source="app",
        )

    # Every page lives in one tab set whose headings are hidden (the menu is the navigation).
    # The first page is built with the session; the others are built one after another once
    # the browser has drawn it, so that a page switch is a change of the visible tab in the
    # browser. Measured (docs/app.md): re-building a page's Bokeh views on each switch took
    # 1.1-3.6 s a page, a switch between built pages 0.4-0.6 s.
    holders = {s: pn.Column(sizing_mode="stretch_width", css_classes=[f"page-{s}"]) for s in slugs}
    tabs = pn.Tabs(
        *[(labels[s], holders[s]) for s in slugs],
        active=slugs.index(first),
        dynamic=False,
        sizing_mode="stretch_width",
        css_classes=["page-main"],
        # Panel hides an inactive tab with visibility, leaving it in the grid: give it no height,
        # so that the page scrolls only as far as the visible page goes
        stylesheets=[
            ":host .bk-header { display: none; }",
            'div[aria-hidden="true"] { max-height: 0px; overflow: hidden; }',
        ],
    )
    status = pn.pane.HTML(
        "",
        css_classes=["pages-status"],
        sizing_mode="stretch_width",
        styles={"font-size": "12px", "color": "#666"},
    )

    def build(slug: str) -> None:
        if holders[slug].objects:
            return
        try:
            page: pn.viewable.Viewer | pmui.Alert = build_page(
                slug, data, tiles, records_url=records_url, principal=principal
            )
        except Exception as e:  # noqa: BLE001  (the page says so; the other pages still work)
            page = pmui.Alert(
                object=f"This page could not be built: {e}",
                severity="error",
                sizing_mode="stretch_width",
            )
        holders[slug].objects = [page]
        done = sum(bool(h.objects) for h in holders.values())
        status.object = (
            "All pages ready."
            if done == len(slugs)
            else f"Loading the other pages in the background ({done} of {len(slugs)} ready)..."
        )

    def show(slug: str) -> None:
        build(slug)  # at once if the background has not reached it yet
        tabs.active = slugs.index(slug)

    def build_next() -> None:
        todo = [s for s in slugs if not holders[s].objects]
        if not todo:
            return
        if not prefetch_allowed(gap_ms):
            if doc is not None:
                doc.add_timeout_callback(build_next, PREFETCH_RETRY_MS)
            return
        build(todo[0])
        _LAST_PREFETCH[0] = time.monotonic()
        if len(todo) > 1 and doc is not None:  # doc is set whenever build_next is scheduled
            # one page at a time, leaving the browser time to draw it before the next arrives
            doc.add_timeout_callback(build_next, gap_ms)

    menu = pmui.MenuList(
        items=[{"label": labels[s], "slug": s} for s in slugs],
        active=slugs.index(first),
        css_classes=["page-menu"],
        sizing_mode="stretch_width",
    )

    def on_menu(event) -> None:
        item = event.new
        if item:
            show(item["slug"])

    menu.param.watch(on_menu, "value")
    build(first)
    doc = pn.state.curdoc  # the session's document (build_next is only scheduled on it)
    phone = first in PHONE_PAGES  # a phone view: no background pages, the menu closed
    if prefetch and not phone and doc is not None and doc.session_context is not None:
        # after the first page is drawn: onload runs when the browser has built its views,
        # the pause leaves it time to paint the figures before the next page arrives
        def after_load() -> None:
            doc.add_timeout_callback(build_next, gap_ms)

        pn.state.onload(after_load)
    about = pmui.Typography(
        f"Workspace: {data.name}. {data.notice}",
        variant="caption",
        sizing_mode="stretch_width",
    )
    who = []
    if principal is not None:
        lpas = f" ({', '.join(principal.lpas)})" if principal.lpas else ""
        who = [
            pn.pane.Markdown(
                f"Signed in as **{principal.user}**: {principal.role}{lpas}. [Sign out](/logout)",
                css_classes=["signed-in"],
                sizing_mode="stretch_width",
            )
        ]
    notice = []
    if refused is not None:
        notice = [
            pmui.Alert(
                object=f"Your role may not open the page {labels[refused]!r}; it is not shown.",
                severity="warning",
                css_classes=["access-notice"],
                sizing_mode="stretch_width",
            )
        ]
    app = pmui.Page(
        title="Hotspot and patrol planner",
        sidebar=[menu, *who, about, status],
        main=[*notice, tabs],
        sidebar_width=260,
        sidebar_open=not phone,
        theme_toggle=False,
        busy_indicator=None,
    )
    # The Page mirrors the server's busy flag, and every change of it makes panel-material-ui
    # walk the whole document (about half a second per click on the Hotspots page): unlink it.
    with edit_readonly(app):
        app.busy = False
    _unlink_from_state(app)
    _LIVE_APPS.add(app)
    return app


def _unlink_from_state(app: pmui.Page) -> None:
    """Drop the watcher the Page puts on the process-wide ``pn.state`` (its ``busy`` reference).

    That watcher is never removed, so every session's whole page tree stayed in memory after
    its tab closed (measured: the server's RSS grew with every session, docs/benchmarks.md).
    """
    from panel.io.state import state

    for what in state.param.watchers.get("busy", {}).values():
        for w in list(what):
            if getattr(getattr(w.fn, "__self__", None), "self", None) is app:
                state.param.unwatch(w)


def no_pages_notice(principal: Principal | None) -> pn.viewable.Viewable:
    """What a signed-in role with no app page (admin) sees: a notice, and no data.

    Parameters
    ----------
    principal
        The principal.

    Returns
    -------
    Viewable
    """
    user = principal.user if principal else "?"
    role = principal.role if principal else "?"
    what = (
        "Manage users with `planner users add|remove|list|passwd|role --users FILE` on the "
        "server (docs/deploy.md); this role sees no planner data."
        if role == "admin"
        else "This role opens no page of the planner."
    )
    return pn.pane.Markdown(
        f"## Signed in as {user}: {role}\n\n{what} [Sign out](/logout)",
        css_classes=["scope-notice"],
    )


def warm(workspace: str | Path, *, render: bool = False) -> AppData:
    """Load the shared data now so the first session is fast.

    Builds the crime index and the display layers (and their Bokeh polygon layout). With
    ``render``, also draws one app into a throwaway Bokeh document; that is off by default
    because it costs more than it saves: measured cold start (server launch to the first page's
    figures drawn in headless Chromium) median 6.8 s with the warm-up render, 6.1 s without.

    Parameters
    ----------
    workspace : str or Path
        The workspace folder.
    render : bool
        Also render one session's app (warms Panel and Bokeh).

    Returns
    -------
    AppData
        The shared data of the workspace.
    """
    data = get_data(workspace)
    data.crimes  # noqa: B018  (builds the crime index)
    for level in ("force", "LPAs", "neighbourhoods", "wards"):
        data.layer(level)
    for name in ("LPAs", "wards", *(("tgps",) if data.has("tgps") else ())):
        data.multipolygons(name)
    data.street_labels()  # the TGPs' main streets (map labels), about a second
    if render:
        from bokeh.document import Document

        create_app(workspace).get_root(Document())
    return data

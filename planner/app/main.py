"""The app factory: a panel-material-ui ``Page`` with a menu of pages (no outside requests)."""

from __future__ import annotations

import os
from pathlib import Path

import panel as pn
import panel_material_ui as pmui
from panel.util import edit_readonly

from planner.app.cache import get_data
from planner.app.components.background import quiet_closed_sockets
from planner.app.data import AppData
from planner.app.registry import PAGES, build_page
from planner.paths import DEFAULT_WORKSPACE

#: environment settings read by create_app when arguments are not given
ENV_WORKSPACE = "PLANNER_WORKSPACE"
ENV_TILES = "PLANNER_TILES"

#: pause between two pages built in the background (ms), for the browser to draw the last one
PREFETCH_GAP_MS = 1500


def _extensions() -> None:
    # no design= here: the material design pulls a stylesheet from a CDN. No HoloViews either:
    # every figure is plain Bokeh (planner.app.bokeh_views), so the server does not import the
    # HoloViews plotting backend and matplotlib with it (docs/app.md, Speed)
    pn.extension(notifications=False)


_extensions()


def create_app(
    workspace: str | Path | None = None,
    *,
    tiles: str | None = None,
    page: str | None = None,
    records_url: str | None = None,
    prefetch: bool = True,
) -> pmui.Page:
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
    """
    _extensions()
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        quiet_closed_sockets()  # a closed tab leaves no traceback in the server log
    ws_path = Path(workspace or os.environ.get(ENV_WORKSPACE) or DEFAULT_WORKSPACE)
    tiles = tiles if tiles is not None else (os.environ.get(ENV_TILES) or None)
    data = get_data(ws_path)
    slugs = [s for s, *_ in PAGES]
    labels = {s: label for s, label, *_ in PAGES}
    query = {}
    if pn.state.curdoc is not None and pn.state.session_args:
        query = {k: v[0].decode() for k, v in pn.state.session_args.items() if v}
    first = query.get("page") or page or slugs[0]
    if first not in slugs:
        first = slugs[0]

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
            page = build_page(slug, data, tiles, records_url=records_url)
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
        build(todo[0])
        if len(todo) > 1:
            # one page at a time, leaving the browser time to draw it before the next arrives
            doc.add_timeout_callback(build_next, PREFETCH_GAP_MS)

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
    if prefetch and doc is not None and doc.session_context is not None:
        # after the first page is drawn: onload runs when the browser has built its views,
        # the pause leaves it time to paint the figures before the next page arrives
        pn.state.onload(lambda: doc.add_timeout_callback(build_next, PREFETCH_GAP_MS))
    about = pmui.Typography(
        f"Workspace: {data.name}. {data.notice}",
        variant="caption",
        sizing_mode="stretch_width",
    )
    app = pmui.Page(
        title="Hotspot and patrol planner",
        sidebar=[menu, about, status],
        main=[tabs],
        sidebar_width=260,
        theme_toggle=False,
        busy_indicator=None,
    )
    # The Page mirrors the server's busy flag, and every change of it makes panel-material-ui
    # walk the whole document (about half a second per click on the Hotspots page): unlink it.
    with edit_readonly(app):
        app.busy = False
    return app


def warm(workspace: str | Path, *, render: bool = False) -> AppData:
    """Load the shared data now so the first session is fast.

    Builds the crime index and the display layers (and their Bokeh polygon layout). With
    ``render``, also draws one app into a throwaway Bokeh document; that is off by default
    because it costs more than it saves: measured cold start (server launch to the first page's
    figures drawn in headless Chromium) median 6.8 s with the warm-up render, 6.1 s without.
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

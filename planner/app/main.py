"""The app factory: a panel-material-ui ``Page`` with a menu of pages (no outside requests)."""

from __future__ import annotations

import os
from pathlib import Path

import holoviews as hv
import panel as pn
import panel_material_ui as pmui
from panel.util import edit_readonly

from planner.app.cache import get_data
from planner.app.pages import PAGES, build_page
from planner.paths import DEFAULT_WORKSPACE

#: environment settings read by create_app when arguments are not given
ENV_WORKSPACE = "PLANNER_WORKSPACE"
ENV_TILES = "PLANNER_TILES"


def _extensions() -> None:
    # no design= here: the material design pulls a stylesheet from a CDN
    pn.extension("tabulator", notifications=False)
    hv.extension("bokeh", logo=False)


_extensions()  # at import, so that serving sessions do not pay for loading the plotting backend


def create_app(
    workspace: str | Path | None = None,
    *,
    tiles: str | None = None,
    page: str | None = None,
    records_url: str | None = None,
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
        The page shown first (a slug of :data:`planner.app.pages.PAGES`); the URL query
        ``?page=`` overrides it.
    records_url : str, optional
        Records store (path or SQLAlchemy URL); default the workspace's ``records.sqlite``.
    """
    _extensions()
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

    built: dict[str, object] = {}
    main = pn.Column(sizing_mode="stretch_width", css_classes=["page-main"])

    def show(slug: str) -> None:
        # one page in the document at a time (a page built once is kept for the session and
        # re-rendered when shown again): keeping every visited page in the document, hidden,
        # made each later switch and click slower, as the document grew
        if slug not in built:
            built[slug] = build_page(slug, data, tiles, records_url=records_url)
        main.objects = [built[slug]]

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
    show(first)
    about = pmui.Typography(
        f"Workspace: {data.name}. {data.notice}",
        variant="caption",
        sizing_mode="stretch_width",
    )
    app = pmui.Page(
        title="Hotspot and patrol planner",
        sidebar=[menu, about],
        main=[main],
        sidebar_width=260,
        theme_toggle=False,
        busy_indicator=None,
    )
    # The Page mirrors the server's busy flag, and every change of it makes panel-material-ui
    # walk the whole document (about half a second per click on the Hotspots page): unlink it.
    with edit_readonly(app):
        app.busy = False
    return app

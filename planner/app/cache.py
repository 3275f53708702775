"""One :class:`~planner.app.data.AppData` per workspace, shared by every session of the server."""

from __future__ import annotations

from pathlib import Path

import panel as pn

from planner.app.data import AppData


def get_data(workspace: str | Path) -> AppData:
    """The shared data for ``workspace`` (created on first use, then reused by all sessions)."""
    path = str(Path(workspace).resolve())
    return pn.state.as_cached(f"planner-app-data:{path}", AppData, workspace=path)


def clear() -> None:
    """Forget every cached workspace (tests, or after rebuilding a workspace)."""
    for key in [
        k
        for k in pn.state.cache
        if str(k[0] if isinstance(k, tuple) else k).startswith("planner-app-data:")
    ]:
        del pn.state.cache[key]


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
    if render:
        from bokeh.document import Document

        from planner.app.main import create_app

        create_app(workspace).get_root(Document())
    return data

"""What every session of the server shares, kept in Panel's process-wide cache.

What every session of the server shares, kept in Panel's process-wide cache: one
:class:`~planner.app.data.AppData` per workspace and one records store per URL.
"""

from __future__ import annotations

from pathlib import Path

import panel as pn

from planner.app.data import AppData

#: key prefixes in ``pn.state.cache``
DATA_KEY = "planner-app-data:"
STORE_KEY = "planner-records:"


def get_data(workspace: str | Path) -> AppData:
    """The shared data for ``workspace`` (created on first use, then reused by all sessions).

    Parameters
    ----------
    workspace : str or Path
        Workspace folder.

    Returns
    -------
    AppData
    """
    path = str(Path(workspace).resolve())
    # as_cached passes its keywords on to fn; panel annotates fn as taking no arguments
    return pn.state.as_cached(f"{DATA_KEY}{path}", AppData, workspace=path)  # type: ignore[arg-type]


def get_store(url: str):
    """The records store at ``url``, shared by all sessions.

    Parameters
    ----------
    url : str
        Path of a SQLite file or an SQLAlchemy URL.

    Returns
    -------
    planner.records.store.RecordStore
    """
    from planner.records import open_store

    return pn.state.as_cached(f"{STORE_KEY}{url}", open_store, url=url)


def clear() -> None:
    """Forget every cached workspace (tests, or after rebuilding a workspace)."""
    for key in [
        k for k in pn.state.cache if str(k[0] if isinstance(k, tuple) else k).startswith(DATA_KEY)
    ]:
        del pn.state.cache[key]

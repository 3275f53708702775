"""The delivery chain of a force's own workspace: pings (and patrol logs) to place-days.

After ``planner import pings|patrol_logs|plans|tgps`` (and ``planner track --workspace DIR``,
``planner schedule --workspace DIR``) the workspace's tracked tables are rebuilt from what it
holds, so the Delivery page and ``planner status`` see them without another step:

* ``place_days`` (``track/place_days.parquet``): officer- and presence-minutes, visits and
  Koper-compliant visits per TGP and day, from *all* the stored pings (one file a month, a
  re-imported day replaces the stored day, so nothing is counted twice) and patrol logs;
* ``delivered_place_days`` (``track/delivered_place_days.parquet``): the same per delivery
  method, when the workspace has a plan (``plan_visits``);
* ``tracked_visits`` (``track/visits.parquet``): the GPS visits, entry to exit.

A quarter planned by ``planner schedule`` inside the workspace is merged into ``plan_visits``
(``plan/visits.parquet``), replacing that quarter's rows of an earlier run, so the Plan and
Delivery pages read every planned quarter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from planner.tracking.dwell import DwellConfig
from planner.workspace import Workspace

#: where the tracked tables live in a workspace
PLACE_DAYS = "track/place_days.parquet"
DELIVERED = "track/delivered_place_days.parquet"
TRACKED_VISITS = "track/visits.parquet"
PLAN_VISITS = "plan/visits.parquet"


def workspace_ping_files(ws: Workspace) -> list[Path]:
    """The workspace's ping files (``pings/<YYYY-MM>.parquet``), empty without pings.

    Parameters
    ----------
    ws
        The workspace.

    Returns
    -------
    list of Path
        The monthly files in month order.
    """
    if not ws.has_table("pings"):
        return []
    folder = Path(ws.table_path("pings"))
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else [folder]


def workspace_pings(ws: Workspace) -> pd.DataFrame | None:
    """All the GPS pings stored in a workspace (``pings/<YYYY-MM>.parquet``), or None.

    Parameters
    ----------
    ws
        The workspace.

    Returns
    -------
    pandas.DataFrame or None
        The canonical ping frame (:data:`planner.io.pings.PING_DTYPES`), None without pings.
    """
    from planner.io.pings import PING_DTYPES

    files = workspace_ping_files(ws)
    if not files:
        return None
    parts = [pd.read_parquet(f) for f in files]
    for p in parts:
        p["source_file"] = p["source_file"].astype(str)
    out = pd.concat(parts, ignore_index=True)
    return out.astype({k: v for k, v in PING_DTYPES.items() if k in out.columns})


def refresh_delivery(
    ws: Workspace,
    *,
    synthetic: bool | None = None,
    cfg: DwellConfig | None = None,
    stream_above: int | None = None,
) -> dict[str, Any] | None:
    """Rebuild ``place_days`` (and ``delivered_place_days`` with a plan) from the workspace.

    Parameters
    ----------
    ws
        The workspace; needs a TGP layer and pings or patrol logs.
    synthetic
        Flag the derived tables synthetic (default: when any input table is).
    cfg
        Dwell settings (default :class:`~planner.tracking.dwell.DwellConfig`).
    stream_above
        With more pings than this the pings are not read into memory: they are spilled to
        officer buckets and tracked one bucket at a time (:mod:`planner.tracking.stream`, the
        same result). Default :data:`planner.tracking.stream.STREAM_ABOVE`.

    Returns
    -------
    dict or None
        ``tables`` (name -> rows), ``officer_hours``, ``presence_hours``, ``pings`` (rows
        read) and ``logs`` (rows); None when the workspace lacks the TGP layer or has neither
        pings nor patrol logs (nothing is written then).
    """
    from planner.tracking.chain import track
    from planner.tracking.logs import check_logs
    from planner.tracking.stream import STREAM_ABOVE, estimate_pings

    if not ws.has_table("tgps"):
        return None
    files = workspace_ping_files(ws)
    limit = STREAM_ABOVE if stream_above is None else stream_above
    streamed = bool(files) and estimate_pings(files) > limit
    pings = None if streamed else workspace_pings(ws)
    logs = None
    if ws.has_table("patrol_logs"):
        raw = ws.read_table("patrol_logs")
        if len(raw):
            logs = check_logs(pd.DataFrame(raw), str(ws.table_path("patrol_logs")))
    if pings is None and logs is None and not streamed:
        return None
    if pings is None and not streamed:
        from planner.io.pings import empty_pings

        pings = empty_pings()
    plan = ws.read_table("plan_visits") if ws.has_table("plan_visits") else None
    officer_team = team_kind = None
    if plan is not None and ws.has_table("officers") and ws.has_table("teams"):
        o = ws.officers().dropna(subset=["team_id"])
        officer_team = o.set_index("officer_id")["team_id"]
        team_kind = ws.teams().set_index("team_id")["kind"]
    tgps = ws.tgps()
    after: dict[str, Any] = {
        "logs": logs,
        "plan": pd.DataFrame(plan) if plan is not None else None,
        "officer_team": officer_team,
        "team_kind": team_kind,
    }
    if streamed:
        tr, n_pings = _track_streamed(ws, files, tgps, cfg or DwellConfig(), after)
    else:
        assert pings is not None
        tr, n_pings = track(pings, tgps, cfg or DwellConfig(), **after), len(pings)
    inputs = ["tgps", "pings", "patrol_logs", "plan_visits"]
    if synthetic is None:
        synthetic = any(ws.has_table(t) and ws.is_synthetic(t) for t in inputs)
    flag = " (SYNTHETIC)" if synthetic else ""
    source = " + ".join(
        s for s, on in (("GPS pings", n_pings > 0), ("patrol logs", logs is not None)) if on
    )
    ws.path("track").mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}

    def _write(name: str, rel: str, df: pd.DataFrame, what: str) -> None:
        target = ws.path(rel)
        tmp = target.with_name(target.name + ".tmp")
        df.to_parquet(tmp, index=False)
        tmp.replace(target)
        ws.add_table(name, rel, synthetic=bool(synthetic), description=what + flag, rows=len(df))
        written[name] = len(df)

    pdays = tr.place_days
    _write(
        "place_days",
        PLACE_DAYS,
        pdays,
        f"tracked place-days from {source}: officer/presence minutes, visits and "
        "Koper-compliant visits per TGP and day",
    )
    _write("tracked_visits", TRACKED_VISITS, tr.visits, "officer visits from GPS (entry to exit)")
    if tr.delivered_place_days is not None:
        _write(
            "delivered_place_days",
            DELIVERED,
            tr.delivered_place_days,
            f"tracked place-days per delivery method (and 'all') from {source}, "
            "for plan against delivery",
        )
    elif ws.has_table("delivered_place_days"):
        _drop(ws, "delivered_place_days")  # a stale per-method table must not outlive its plan
    return {
        "tables": written,
        "pings": int(n_pings),
        "logs": 0 if logs is None else int(len(logs)),
        "officer_hours": round(float(pdays["officer_minutes"].sum()) / 60.0, 4),
        "presence_hours": round(float(pdays["presence_minutes"].sum()) / 60.0, 4),
    }


def _track_streamed(ws: Workspace, files: list[Path], tgps, cfg: DwellConfig, after: dict):
    """The workspace's pings tracked one officer bucket at a time, in a folder under ``track/``."""
    import tempfile

    from planner.tracking.stream import track_streamed

    ws.path("track").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(".spill", dir=ws.path("track")) as spill:
        sp, tr = track_streamed(files, tgps, cfg, spill, progress=False, **after)
    return tr, sp.accepted


def own_force(ws: Workspace) -> bool:
    """Whether ``planner init`` made the workspace (the demo builds its tracked tables itself).

    Parameters
    ----------
    ws
        The workspace.

    Returns
    -------
    bool
        True for a force's own workspace.
    """
    return ws.meta.get("created_by") == "planner init"


def auto_refresh(ws: Workspace) -> dict[str, Any] | None:
    """:func:`refresh_delivery` after an import or a plan, on a force's own workspace only.

    Parameters
    ----------
    ws
        The workspace.

    Returns
    -------
    dict or None
        What :func:`refresh_delivery` returns (None on the demo or with nothing to track).
    """
    return refresh_delivery(ws) if own_force(ws) else None


def _drop(ws: Workspace, name: str) -> None:
    meta = ws.meta
    entry = meta.get("tables", {}).pop(name, None)
    ws._write_meta(meta)
    if entry and entry.get("path"):
        p = ws.path(entry["path"])
        if p.is_file():
            p.unlink()


def merge_quarter_plan(
    ws: Workspace, quarter: str, visits: pd.DataFrame, *, synthetic: bool
) -> int:
    """Merge a planned quarter into the workspace's ``plan_visits`` (its earlier rows replaced).

    Parameters
    ----------
    ws
        The workspace.
    quarter
        The quarter planned, e.g. "2024Q2".
    visits
        Its visits (:attr:`planner.planning.schedule.QuarterPlan.visits`).
    synthetic
        Whether the plan's inputs are synthetic.

    Returns
    -------
    int
        Rows of ``plan_visits`` after the merge.
    """
    from planner.planning.allocate import parse_quarter
    from planner.planning.export import write_visits

    start, end = parse_quarter(quarter)
    new = pd.DataFrame(visits).copy()
    new["date"] = pd.to_datetime(new["date"]).dt.date
    frames = []
    if ws.has_table("plan_visits"):
        old = pd.DataFrame(ws.read_table("plan_visits"))
        d = pd.to_datetime(old["date"]).dt.date
        keep = ~((d >= start) & (d <= end))
        old = old[keep.to_numpy()]
        old = old[[c for c in new.columns if c in old.columns]]
        frames.append(old)
    frames.append(new)
    allv = pd.concat(frames, ignore_index=True) if len(frames) > 1 else new
    allv = allv.sort_values(["start", "tgp_id"], kind="stable").reset_index(drop=True)
    target = ws.path(PLAN_VISITS)
    tmp = target.with_name(target.name + ".tmp.parquet")
    write_visits(allv, tmp)
    tmp.replace(target)
    quarters = sorted({f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in allv["date"]})
    ws.add_table(
        "plan_visits",
        PLAN_VISITS,
        synthetic=synthetic,
        description=("SYNTHETIC " if synthetic else "")
        + f"patrol plans {', '.join(quarters)} (one row per planned visit; planner schedule)",
        rows=len(allv),
    )
    return len(allv)

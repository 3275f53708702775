"""The tracking chain in one call: pings (and patrol logs) to place-days, per method too.

Delivery per method is given when there is a plan. ``planner track`` and the demo's tracking
step both run it::

    r = track(pings, tgps, cfg, logs=logs, plan=plan)
    r.place_days            # officer/presence minutes, visits per TGP and day
    r.delivered_place_days  # the same per delivery method (and "all"), for delivery_report()

It only chains the library's steps (:func:`planner.tracking.dwell.dwell`,
:func:`planner.tracking.logs.log_rows`, :func:`planner.tracking.dwell.place_days`,
:func:`planner.tracking.delivery.row_methods`,
:func:`planner.tracking.delivery.delivered_place_days`); reading and writing files stays with
the callers.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.tracking.delivery import delivered_place_days, row_methods
from planner.tracking.dwell import DwellConfig, DwellResult, TGPIndex, dwell, place_days
from planner.tracking.logs import log_rows


@dataclass
class TrackResult:
    """What :func:`track` gives.

    ``dwell`` is the GPS step's :class:`~planner.tracking.dwell.DwellResult` (its visits,
    officers and stats); ``rows`` the visit-day rows of GPS then logs; ``officers`` the officer
    ids the rows index (GPS and logs); ``log_stats`` the log reconciliation figures (None
    without logs); ``methods`` the delivery method of each row and ``delivered_place_days``
    the place-days per method (both None without a plan).
    """

    index: TGPIndex
    dwell: DwellResult
    rows: pd.DataFrame
    officers: np.ndarray
    place_days: pd.DataFrame
    log_stats: dict | None = None
    methods: np.ndarray | None = None
    delivered_place_days: pd.DataFrame | None = None

    @property
    def visits(self) -> pd.DataFrame:
        """The GPS visits (entry to exit) of :attr:`dwell`."""
        return self.dwell.visits


def logged_methods(logs: pd.DataFrame, lrows: pd.DataFrame, officers, tgp_ids) -> np.ndarray | None:
    """The logged delivery method of each log visit-day row (by officer or crew member and TGP).

    Parameters
    ----------
    logs : DataFrame
        Patrol logs with ``officer_id``, ``tgp_id`` and ``method``.
    lrows : DataFrame
        Their visit-day rows from :func:`planner.tracking.logs.log_rows` (``officer``, ``tgp``
        positions).
    officers, tgp_ids : array
        The officer ids and TGP ids those positions index.

    Returns
    -------
    numpy.ndarray or None
        One method per row of ``lrows`` (``"la_patrol"`` where the log names none); None when
        there are no log rows.
    """
    if len(lrows) == 0:
        return None
    off = np.asarray(officers, dtype=object)[lrows["officer"].to_numpy()]
    tg = np.asarray(tgp_ids)[lrows["tgp"].to_numpy()]
    # anonymous crew members are named "log-<row>-<k>": their log row gives the method
    anon = pd.Series(off).str.extract(r"^log-(\d+)-\d+$")[0]
    by_row = logs["method"].astype(object).to_numpy()
    picked = by_row[anon.fillna("0").astype(int).to_numpy()]
    m = np.where(anon.notna().to_numpy(), picked, np.full(len(picked), None, dtype=object))
    named = (
        logs.dropna(subset=["officer_id"])
        .drop_duplicates(["officer_id", "tgp_id"])
        .set_index(["officer_id", "tgp_id"])["method"]
    )
    key = pd.MultiIndex.from_arrays([off.astype(object), tg.astype(object)])
    from_named = named.reindex(key).to_numpy()
    m = np.where(anon.notna(), m, from_named)
    return pd.Series(m).fillna("la_patrol").astype(str).to_numpy()


def track(
    pings: pd.DataFrame,
    tgps: gpd.GeoDataFrame | TGPIndex,
    cfg: DwellConfig | None = None,
    *,
    logs: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    officer_team: pd.Series | None = None,
    team_kind: pd.Series | None = None,
    methods_from_logs: bool = False,
    partitions: int = 1,
    client=None,
) -> TrackResult:
    """Pings, and patrol logs when given, to place-days; per delivery method with a plan.

    Parameters
    ----------
    pings : DataFrame
        Canonical pings (:func:`planner.io.pings.load_pings`).
    tgps : GeoDataFrame or TGPIndex
        The TGP layer (with ``tgp_id``) or its index.
    cfg : DwellConfig, optional
        Dwell settings (default :class:`~planner.tracking.dwell.DwellConfig`).
    logs : DataFrame, optional
        Patrol logs (:func:`planner.tracking.logs.read_logs`), reconciled with the GPS.
    plan : DataFrame, optional
        The plan (:func:`planner.tracking.delivery.read_plan`): rows then get a delivery method
        and :attr:`TrackResult.delivered_place_days` is filled.
    officer_team, team_kind : Series, optional
        Officer id -> team id and team id -> kind, for the methods of unplanned rows.
    methods_from_logs : bool
        Give log rows the method their log names (:func:`logged_methods`) rather than the one
        :func:`~planner.tracking.delivery.row_methods` infers.
    partitions : int
        Officer-day partitions for the dwell step (1: in process).
    client : distributed.Client, optional
        Run the dwell step's partitions on this Dask cluster (same result).

    Returns
    -------
    TrackResult
        Rows, place-days and, with a plan, the methods and per-method place-days.
    """
    cfg = cfg or DwellConfig()
    index = tgps if isinstance(tgps, TGPIndex) else TGPIndex.from_frame(tgps, cell_m=cfg.cell_m)
    res = dwell(pings, index, cfg, partitions=max(int(partitions), 1), client=client)
    return track_dwell(
        res,
        index,
        cfg,
        logs=logs,
        plan=plan,
        officer_team=officer_team,
        team_kind=team_kind,
        methods_from_logs=methods_from_logs,
    )


def track_dwell(
    res: DwellResult,
    index: TGPIndex,
    cfg: DwellConfig,
    *,
    logs: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    officer_team: pd.Series | None = None,
    team_kind: pd.Series | None = None,
    methods_from_logs: bool = False,
) -> TrackResult:
    """:func:`track` after the dwell step (logs, place-days, methods), e.g. of a streamed run.

    Parameters
    ----------
    res : DwellResult
        The dwell step's result (:func:`~planner.tracking.dwell.dwell`, or
        :func:`planner.tracking.stream.streamed_dwell`).
    index : TGPIndex
        The TGP index the dwell step used.
    cfg : DwellConfig
        Dwell rules.
    logs, plan, officer_team, team_kind, methods_from_logs
        As :func:`track`.

    Returns
    -------
    TrackResult
        As :func:`track`.
    """
    rows, officers, log_stats = res.rows, res.officers, None
    lrows = None
    if logs is not None:
        lrows, officers, log_stats = log_rows(logs, rows, officers, index.ids, cfg)
        rows = pd.concat([rows, lrows], ignore_index=True)
    pdays = place_days(rows, index.ids, cfg)
    out = TrackResult(index, res, rows, np.asarray(officers), pdays, log_stats)
    if plan is not None:
        methods = row_methods(
            rows, officers, index.ids, officer_team=officer_team, team_kind=team_kind, plan=plan
        )
        if methods_from_logs and logs is not None and lrows is not None:
            logged = logged_methods(logs, lrows, officers, index.ids)
            if logged is not None:
                methods[len(res.rows) :] = logged
        out.methods = methods
        out.delivered_place_days = delivered_place_days(rows, methods, index.ids, cfg)
    return out

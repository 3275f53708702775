"""Simulated GPS traces for the demo, tests and benchmarks (SYNTHETIC, never real data).

A patrol visit is a foot loop around a point inside the TGP (a Lissajous curve of the size of
the TGP, so officers sometimes step outside the boundary) with GPS jitter; between the visits
of one officer's shift the officer drives in a straight line at vehicle speed. Everything is
vectorised over visits and pings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.tracking.intervals import from_epoch, take_strings


@dataclass(frozen=True)
class TraceConfig:
    """Simulation settings (documented defaults)."""

    #: seconds between pings (Airwave/ESN radios and AVL commonly report every 30 s)
    interval_s: float = 30.0
    #: walking speed on patrol (m/s)
    foot_speed_ms: float = 1.2
    #: driving speed between TGPs (m/s, ~30 mph)
    vehicle_speed_ms: float = 13.0
    #: GPS position noise (m, standard deviation)
    jitter_m: float = 5.0
    #: probability that a ping is lost
    loss: float = 0.02


def visit_pings(
    rng: np.random.Generator,
    officer: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    radius: np.ndarray,
    start: np.ndarray,
    seconds: np.ndarray,
    cfg: TraceConfig | None = None,
    *,
    travel: bool = True,
) -> pd.DataFrame:
    """Simulate pings for patrol visits and the drives between an officer's consecutive visits.

    Parameters
    ----------
    rng : numpy.random.Generator
        The random stream.
    officer : numpy.ndarray
        Officer code (int) of each visit.
    cx, cy : numpy.ndarray
        Centre of the loop walked (EPSG:27700).
    radius : numpy.ndarray
        Loop size in metres.
    start : numpy.ndarray
        Visit start (epoch seconds).
    seconds : numpy.ndarray
        Visit length in seconds.
    cfg : TraceConfig, optional
        Ping interval, speeds and GPS noise.
    travel : bool
        Also simulate the drive between consecutive visits.

    Returns
    -------
    pandas.DataFrame
        ``officer`` (int), ``t`` (epoch s), ``x``, ``y``, ``speed`` (m/s), sorted by officer and
        time.
    """
    cfg = cfg or TraceConfig()
    officer = np.asarray(officer, np.int64)
    n = np.maximum(np.floor(np.asarray(seconds) / cfg.interval_s).astype(np.int64) + 1, 1)
    v = np.repeat(np.arange(len(officer)), n)
    k = np.arange(len(v)) - np.repeat(np.cumsum(n) - n, n)
    tt = k * cfg.interval_s
    a = np.maximum(np.asarray(radius, np.float64), 10.0)
    w = cfg.foot_speed_ms / a
    ph1 = rng.uniform(0, 2 * np.pi, len(officer))
    ph2 = rng.uniform(0, 2 * np.pi, len(officer))
    ratio = rng.uniform(1.2, 1.8, len(officer))
    x = cx[v] + a[v] * np.cos(w[v] * tt + ph1[v]) + rng.normal(0, cfg.jitter_m, len(v))
    y = cy[v] + a[v] * np.sin(w[v] * ratio[v] * tt + ph2[v]) + rng.normal(0, cfg.jitter_m, len(v))
    out = [
        pd.DataFrame(
            {"officer": officer[v], "t": start[v] + tt, "x": x, "y": y, "speed": cfg.foot_speed_ms}
        )
    ]
    if travel and len(officer) > 1:
        order = np.lexsort((start, officer))
        o, s, e = officer[order], start[order], (start + (n - 1) * cfg.interval_s)[order]
        same = o[1:] == o[:-1]
        last_x = x[np.cumsum(n)[order] - 1]
        last_y = y[np.cumsum(n)[order] - 1]
        first_x = x[(np.cumsum(n) - n)[order]]
        first_y = y[(np.cumsum(n) - n)[order]]
        i = np.flatnonzero(same)
        x0, y0, x1, y1 = last_x[i], last_y[i], first_x[i + 1], first_y[i + 1]
        t0, t1 = e[i], s[i + 1]
        dist = np.hypot(x1 - x0, y1 - y0)
        drive = np.minimum(dist / cfg.vehicle_speed_ms, np.maximum(t1 - t0, 0))
        m = np.floor(drive / cfg.interval_s).astype(np.int64)
        tv = np.repeat(np.arange(len(i)), m)
        kk = np.arange(len(tv)) - np.repeat(np.cumsum(m) - m, m) + 1
        f = kk * cfg.interval_s / np.maximum(drive[tv], 1e-9)
        f = np.minimum(f, 1.0)
        out.append(
            pd.DataFrame(
                {
                    "officer": o[i][tv],
                    "t": t0[tv] + kk * cfg.interval_s,
                    "x": x0[tv] + f * (x1 - x0)[tv] + rng.normal(0, cfg.jitter_m, len(tv)),
                    "y": y0[tv] + f * (y1 - y0)[tv] + rng.normal(0, cfg.jitter_m, len(tv)),
                    "speed": cfg.vehicle_speed_ms,
                }
            )
        )
    df = pd.concat(out, ignore_index=True)
    if cfg.loss > 0:
        df = df[rng.random(len(df)) >= cfg.loss]
    o, t = df["officer"].to_numpy(), df["t"].to_numpy()
    order = np.lexsort((t, o))
    o, t = o[order], t[order]
    keep = np.ones(len(o), bool)
    keep[1:] = (o[1:] != o[:-1]) | (t[1:] != t[:-1])
    return df.iloc[order[keep]].reset_index(drop=True)


def to_ping_frame(sim: pd.DataFrame, officer_ids, tz: str = "Europe/London") -> pd.DataFrame:
    """Turn simulated arrays into the canonical ping frame (officer_id, timestamp, x, y, speed).

    Parameters
    ----------
    sim : pandas.DataFrame
        :func:`visit_pings` output.
    officer_ids : array_like
        officer_id per officer code.
    tz : str
        Time zone of the timestamps.

    Returns
    -------
    pandas.DataFrame
        The canonical ping columns.
    """
    ids = np.asarray(officer_ids)
    return pd.DataFrame(
        {
            "officer_id": take_strings(ids, sim["officer"].to_numpy()),
            "timestamp": from_epoch(sim["t"].to_numpy(), tz),
            "x": sim["x"].to_numpy(),
            "y": sim["y"].to_numpy(),
            "speed": sim["speed"].to_numpy(np.float64),
        }
    )


def random_visits(
    tgps,
    *,
    n_visits: int,
    officers: int,
    seed: int,
    start: str,
    gap_s: tuple[float, float],
    dwell_s: tuple[float, float],
    speed: float,
    loss: float,
    id_width: int = 3,
) -> pd.DataFrame:
    """Canonical pings of officers visiting TGP centroids one after another (seeded, SYNTHETIC).

    Each visit goes to a random TGP's centroid; officers are drawn at random (sorted), the
    visits start ``gap_s`` seconds apart (uniform) from ``start`` (local time, Europe/London) and
    last ``dwell_s`` seconds (uniform); traces from :func:`visit_pings` at ``speed`` m/s with
    ``loss`` of the pings dropped.

    Parameters
    ----------
    tgps : geopandas.GeoDataFrame
        TGP polygons (EPSG:27700).
    n_visits, officers, seed
        Visits, officers and the random seed.
    start : str
        First visit's time.
    gap_s, dwell_s : tuple of float
        Bounds of the gaps between visit starts and of the visits' lengths (s).
    speed : float
        Walking or driving speed between places (m/s).
    loss : float
        Share of pings lost.
    id_width : int
        Digits of the officer ids (``PC001``).

    Returns
    -------
    pandas.DataFrame
        The canonical ping frame.
    """
    rng = np.random.default_rng(seed)
    off = np.sort(rng.integers(0, officers, n_visits))
    k = rng.integers(0, len(tgps), n_visits)
    c = tgps.geometry.centroid
    t0 = pd.Timestamp(start, tz="Europe/London").timestamp()
    begin = t0 + np.cumsum(rng.uniform(gap_s[0], gap_s[1], n_visits))
    sim = visit_pings(
        rng, off, c.x.to_numpy()[k], c.y.to_numpy()[k], np.full(n_visits, float(speed)), begin,
        rng.uniform(dwell_s[0], dwell_s[1], n_visits), TraceConfig(loss=loss),
    )  # fmt: skip
    return to_ping_frame(sim, np.array([f"PC{i:0{id_width}d}" for i in range(officers)]))

"""Demo step: simulated delivery of the demo plan (SYNTHETIC, not West Midlands Police data).

* **2025Q4** (Oct-Dec 2025, up to the demo's today): 30-second GPS pings of the officers on
  the planned Guardian Taskforce, LPA and ASB patrols (``pings/<YYYY-MM>.parquet``), with a
  briefing at their LPA station before the first patrol of a day and drives between TGPs;
  local-authority warden patrols (no GPS) as patrol logs.
* **April-September 2025**: daily delivered patrol logs following the 2025Q2/Q3 plans (no
  pings, to keep the demo fast) so the funding year's trajectory starts on 1 April.
* **Realistic under-delivery** (published trials: 45 minutes a day asked, 24-26 delivered):
  a share of planned visits is not done at all and the rest get a fraction of the planned
  minutes, improving over the year as daily feedback takes hold (:class:`DeliveryModel`).
* **Duty periods** for every officer (shift pattern, or the patrol day for officers on the
  plan), **custody and investigation episodes**, and a **stations** layer (one station per
  LPA plus custody suites; synthetic positions).
* The tracked **place-days** (GPS + logs, reconciled) to ``track/place_days.parquet``, and per
  delivery method to ``track/delivered_place_days.parquet`` (input of
  :func:`planner.tracking.delivery.delivery_report`).

Every table is registered with ``synthetic=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.io.pings import PING_DTYPES
from planner.tracking.chain import track
from planner.tracking.dwell import DwellConfig
from planner.tracking.intervals import NS, TZ, from_epoch, take_strings
from planner.tracking.logs import check_logs
from planner.tracking.simulate import TraceConfig, visit_pings

GPS_QUARTER = ("2025-10-01", "2025-12-31")
FY_START = "2025-04-01"
#: custody suites: the LPAs that host one (synthetic positions near the LPA's centre)
#: time a crew needs between two patrols (driving to the next TGP, s)
MOVE_ON_S = 15 * 60
#: a visit delayed by a busy crew by more than this is not delivered (s)
MAX_DELAY_S = 90 * 60
CUSTODY_LPAS = ("Birmingham", "Coventry", "Sandwell", "Wolverhampton", "Walsall", "Dudley")


@dataclass(frozen=True)
class DeliveryModel:
    """How the simulated teams under-deliver the plan (documented assumptions)."""

    #: share of planned visits not done at all (abstractions, calls for service)
    skip_start: float = 0.16
    skip_end: float = 0.06
    #: share of TGP-days abstracted entirely (every planned visit that day missed)
    day_skip_start: float = 0.06
    day_skip_end: float = 0.015
    #: delivered share of a visit's planned minutes, mean at 1 April and at 31 December
    #: (WMP trial: 24-26 of 45 minutes; daily feedback lifts it). The tracked figure is a
    #: little higher: officers also cross TGPs on the way and the gap cap holds their last
    #: position for up to 2 minutes before a patrol
    dose_start: float = 0.45
    dose_end: float = 0.62
    dose_sd: float = 0.15
    #: start time jitter (minutes, standard deviation)
    jitter_min: float = 12.0
    #: station briefing before the first patrol of a day (minutes)
    briefing_min: tuple[float, float] = (15.0, 35.0)
    #: probabilities per duty period of a custody / an investigation episode, and their hours
    p_custody: float = 0.35
    custody_hours: tuple[float, float] = (2.0, 6.0)
    p_investigation: float = 0.55
    investigation_hours: tuple[float, float] = (1.0, 4.0)
    #: shift length (hours) of officers not on the plan, and duty days per 8 (4 on 4 off)
    shift_hours: float = 9.0
    station_radius_m: float = 60.0


def _progress(dates: pd.Series, m: DeliveryModel) -> np.ndarray:
    d = pd.to_datetime(dates)
    f = ((d - pd.Timestamp(FY_START)).dt.days / 274.0).clip(0, 1).to_numpy()
    return f


def _delivered(plan: pd.DataFrame, rng: np.random.Generator, m: DeliveryModel) -> pd.DataFrame:
    """Planned visits -> delivered visits (skips, shortened, jittered)."""
    f = _progress(plan["date"], m)
    skip = rng.random(len(plan)) < m.skip_start + (m.skip_end - m.skip_start) * f
    # whole TGP-days abstracted
    pdays = pd.MultiIndex.from_arrays([plan["tgp_id"], plan["date"]])
    codes, uniq = pd.factorize(pdays)
    fday = _progress(pd.Series(uniq.get_level_values(1)), m)
    day_skip = rng.random(len(uniq)) < m.day_skip_start + (m.day_skip_end - m.day_skip_start) * fday
    skip |= day_skip[codes]
    dose = np.clip(rng.normal(m.dose_start + (m.dose_end - m.dose_start) * f, m.dose_sd), 0.1, 1.25)
    d = plan.loc[~skip].copy()
    start = (
        d["start"].dt.tz_convert("UTC").astype("datetime64[ns, UTC]").astype("int64").to_numpy()
        / NS
    )
    d["t0"] = start + rng.normal(0, m.jitter_min * 60, len(d))
    d["seconds"] = d["minutes"].to_numpy() * 60 * dose[~skip]
    return d.reset_index(drop=True)


def _crews(d: pd.DataFrame, officers: pd.DataFrame, rng) -> pd.DataFrame:
    """Expand delivered visits to one row per officer of the crew, from the visit's team.

    A team's officers work one of three shifts (early 06-14, late 14-22, night 22-06), four
    days on and four off; a visit goes to the officers on duty for the shift covering its
    start, round-robin within the team, day and shift, so one officer is rarely in two places. An officer's visit that still overlaps their
    previous one is dropped (not delivered).
    """
    offs = officers.sort_values(["team_id", "officer_id"])
    team_sizes = offs.groupby("team_id").size()
    first = pd.Series(np.r_[0, np.cumsum(team_sizes.to_numpy())[:-1]], index=team_sizes.index)
    d = d[d["team_id"].isin(team_sizes.index)].copy()
    hour = from_epoch(d["t0"].to_numpy(), TZ).hour.to_numpy()
    d["shift"] = np.where((hour >= 6) & (hour < 14), 0, np.where((hour >= 14) & (hour < 22), 1, 2))
    d = d.sort_values(["team_id", "date", "shift", "t0"]).reset_index(drop=True)
    n_team = d["team_id"].map(team_sizes).to_numpy()
    sh = d["shift"].to_numpy()
    n_group = np.maximum((n_team - sh + 2) // 3, 1)
    # 4 days on, 4 off: each shift group works in two halves alternating every four days
    half = (pd.to_datetime(d["date"]).to_numpy().astype("datetime64[D]").astype(np.int64) // 4) % 2
    half = np.where(n_group > 1, half, 0)
    n_half = np.maximum((n_group - half + 1) // 2, 1)
    crew = np.minimum(d["crew"].to_numpy(), n_half)
    rank = d.groupby(["team_id", "date", "shift"]).cumcount().to_numpy()
    day_off = (
        pd.Series(rng.integers(0, 1_000, len(d)))
        .groupby([d["team_id"], d["date"]])
        .transform("first")
        .to_numpy()
    )
    v = np.repeat(np.arange(len(d)), crew)
    k = np.arange(len(v)) - np.repeat(np.cumsum(crew) - crew, crew)
    pos = (day_off[v] + rank[v] * crew[v] + k) % n_half[v]
    idx = np.minimum(sh[v] + 3 * (2 * pos + half[v]), n_team[v] - 1)
    oid = offs["officer_id"].to_numpy()[d["team_id"].map(first).to_numpy()[v] + idx]
    out = d.iloc[v].reset_index(drop=True)
    out["officer_id"] = oid
    out = out.sort_values(["officer_id", "t0"]).reset_index(drop=True)
    # a crew still busy starts its next visit late (time to move on); a visit pushed
    # back by more than MAX_DELAY is not delivered. A few vectorised passes settle the chains.
    t0 = out["t0"].to_numpy().copy()
    planned = t0.copy()
    sec = out["seconds"].to_numpy()
    same = np.r_[False, out["officer_id"].to_numpy()[1:] == out["officer_id"].to_numpy()[:-1]]
    for _ in range(50):  # passes, not a loop over visits
        prev_end = np.r_[-np.inf, (t0 + sec)[:-1]]
        late = same & (prev_end + MOVE_ON_S > t0)
        if not late.any():
            break
        t0 = np.where(late, prev_end + MOVE_ON_S, t0)
    out["t0"] = t0
    return out[t0 - planned <= MAX_DELAY_S].reset_index(drop=True)


def stations_layer(ws, m: DeliveryModel) -> gpd.GeoDataFrame:
    """One station per LPA and custody suites (synthetic positions).

    Parameters
    ----------
    ws : Workspace
        The workspace (its LPAs).
    m : DeliveryModel
        Station and custody radii.

    Returns
    -------
    geopandas.GeoDataFrame
        ``station_id, name, kind, lpa`` and the station polygons.
    """
    lpas = ws.read_table("lpas")
    c = lpas.geometry.representative_point()
    rows = []
    for name, p in zip(lpas["lpa"], c):  # seven LPAs
        rows.append(
            {
                "station_id": f"STN-{name[:3].upper()}",
                "name": f"{name} LPA station (synthetic)",
                "kind": "station",
                "lpa": name,
                "geometry": p.buffer(m.station_radius_m),
            }
        )
        if name in CUSTODY_LPAS:
            q = shapely.Point(p.x + 900.0, p.y - 700.0)
            rows.append(
                {
                    "station_id": f"CUS-{name[:3].upper()}",
                    "name": f"{name} custody suite (synthetic)",
                    "kind": "custody_suite",
                    "lpa": name,
                    "geometry": q.buffer(m.station_radius_m),
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=27700)


def _epoch(ts) -> np.ndarray:
    return (
        pd.Series(ts).dt.tz_convert("UTC").astype("datetime64[ns, UTC]").astype("int64").to_numpy()
        / NS
    )


def _ts(sec) -> pd.DatetimeIndex:
    return from_epoch(sec, TZ)


def step(ws, rng) -> None:
    """Demo step (:data:`planner.demo.STEPS`): delivery of the plan.

    Writes patrol logs, pings, stations, place-days, delivery per method, tracked visits,
    duty periods and custody episodes.

    Parameters
    ----------
    ws : Workspace
        The demo workspace being built.
    rng : numpy.random.Generator
        The build's random stream.
    """
    m = DeliveryModel()
    tgps = ws.tgps()
    plan = ws.read_table("plan_visits")
    plan = plan[pd.to_datetime(plan["date"]) <= pd.Timestamp(ws.today)].copy()
    plan["date"] = pd.to_datetime(plan["date"]).dt.date
    officers = ws.officers()
    stations = stations_layer(ws, m)
    delivered = _delivered(plan, rng, m)
    in_q4 = pd.to_datetime(delivered["date"]) >= pd.Timestamp(GPS_QUARTER[0])
    gps_methods = delivered["method"] != "la_patrol"

    # ---- patrol logs: April-September (every method) and Q4 wardens ---------------------
    hist = delivered[~in_q4]
    la = _crews(delivered[in_q4 & ~gps_methods], officers, rng)
    logs = pd.concat(
        [
            pd.DataFrame(
                {
                    "officer_id": pd.array([pd.NA] * len(hist), dtype="string"),
                    "team_id": hist["team_id"].astype("string").to_numpy(),
                    "tgp_id": hist["tgp_id"].astype("string").to_numpy(),
                    "start": _ts(hist["t0"]),
                    "end": _ts(hist["t0"] + hist["seconds"]),
                    "method": hist["method"].astype("string").to_numpy(),
                    "crew": hist["crew"].to_numpy(),
                }
            ),
            pd.DataFrame(
                {
                    "officer_id": la["officer_id"].astype("string").to_numpy(),
                    "team_id": la["team_id"].astype("string").to_numpy(),
                    "tgp_id": la["tgp_id"].astype("string").to_numpy(),
                    "start": _ts(la["t0"]),
                    "end": _ts(la["t0"] + la["seconds"]),
                    "method": "la_patrol",
                    "crew": 1,
                }
            ),
        ],
        ignore_index=True,
    )
    logs = check_logs(logs)
    ws.path("track").mkdir(parents=True, exist_ok=True)
    logs.to_parquet(ws.path("track/patrol_logs.parquet"), index=False)
    ws.add_table(
        "patrol_logs",
        "track/patrol_logs.parquet",
        synthetic=True,
        description="SYNTHETIC patrol logs without GPS: delivered visits April-September 2025 (all methods, "
        "crew counts) and local-authority warden patrols October-December 2025",
        rows=len(logs),
    )

    # ---- Q4 GPS: crews, station briefings, pings ------------------------------------------
    q4 = _crews(delivered[in_q4 & gps_methods], officers, rng)
    geo = tgps.set_index("tgp_id").geometry
    cpt = geo.representative_point()
    radius = np.sqrt(geo.area / np.pi) * 0.5
    codes, off_ids = pd.factorize(q4["officer_id"], sort=True)
    cx = cpt.x.reindex(q4["tgp_id"]).to_numpy()
    cy = cpt.y.reindex(q4["tgp_id"]).to_numpy()
    rad = radius.reindex(q4["tgp_id"]).to_numpy()
    # station briefing before each officer's first patrol of the day
    lpa_of = officers.set_index("officer_id")["lpa"]
    st = stations[stations["kind"] == "station"].set_index("lpa").geometry.centroid
    fd = q4.assign(code=codes).groupby(["code", "date"], sort=False)["t0"].min().reset_index()
    brief = rng.uniform(*m.briefing_min, len(fd)) * 60
    off_lpa = (
        lpa_of.reindex(np.asarray(off_ids)[fd["code"].to_numpy()])
        .fillna(stations["lpa"].iloc[0])
        .to_numpy()
    )
    sx = st.x.reindex(off_lpa).fillna(st.x.iloc[0]).to_numpy()
    sy = st.y.reindex(off_lpa).fillna(st.y.iloc[0]).to_numpy()
    # leave the station in time to drive to the first TGP
    b_start = fd["t0"].to_numpy() - brief - 20 * 60
    sim = visit_pings(
        rng,
        np.r_[codes, fd["code"].to_numpy()],
        np.r_[cx, sx],
        np.r_[cy, sy],
        np.r_[rad, np.full(len(fd), 15.0)],
        np.r_[q4["t0"].to_numpy(), b_start],
        np.r_[q4["seconds"].to_numpy(), brief],
        TraceConfig(),
    )
    pings = pd.DataFrame(
        {
            "officer_id": take_strings(off_ids, sim["officer"].to_numpy()),
            "timestamp": _ts(sim["t"].to_numpy()),
            "x": sim["x"].to_numpy(),
            "y": sim["y"].to_numpy(),
            "speed": sim["speed"].to_numpy(),
            "device": pd.array(
                np.where(sim["speed"].to_numpy() > 2.5, "vehicle", "radio"), dtype="string"
            ),
            "source_file": "synthetic",
            "source_row": np.arange(1, len(sim) + 1, dtype=np.int64),
        }
    )
    pings["source_file"] = pings["source_file"].astype("category")
    pings = pings.astype({k: v for k, v in PING_DTYPES.items() if k != "source_file"})
    local = pings["timestamp"].dt
    month = (local.year * 100 + local.month).to_numpy()
    ws.path("pings").mkdir(parents=True, exist_ok=True)
    for mo in np.unique(month):  # one file a month
        pings[month == mo].to_parquet(
            ws.path(f"pings/{mo // 100}-{mo % 100:02d}.parquet"),
            index=False,
            row_group_size=500_000,
        )
    ws.add_table(
        "pings",
        "pings",
        synthetic=True,
        description=f"SYNTHETIC 30-second GPS pings of {len(off_ids):,} officers on planned patrols, "
        "October-December 2025 (pings/<YYYY-MM>.parquet; canonical ping frame)",
        rows=len(pings),
    )

    # ---- stations -----------------------------------------------------------------------
    stations.to_parquet(ws.path("track/stations.parquet"))
    ws.add_table(
        "stations",
        "track/stations.parquet",
        synthetic=True,
        description="SYNTHETIC stations and custody suites (positions invented)",
        rows=len(stations),
    )

    # ---- place-days: GPS + logs, reconciled ---------------------------------------------------
    # one chain (planner.tracking.chain.track): GPS dwell, logs reconciled, place-days, and
    # the same per delivery method (logs carry their own method)
    tr = track(
        pings,
        tgps,
        DwellConfig(),
        logs=logs,
        plan=plan,
        officer_team=officers.set_index("officer_id")["team_id"],
        team_kind=ws.teams().set_index("team_id")["kind"],
        methods_from_logs=True,
    )
    res, pdays = tr.dwell, tr.place_days
    pdays.to_parquet(ws.path("track/place_days.parquet"), index=False)
    ws.add_table(
        "place_days",
        "track/place_days.parquet",
        synthetic=True,
        description="SYNTHETIC tracked place-days (GPS October-December, patrol logs April-December): "
        "officer/presence minutes, visits and Koper-compliant visits per TGP and day",
        rows=len(pdays),
    )
    dpd = tr.delivered_place_days
    assert dpd is not None  # track() fills it when given a plan
    dpd.to_parquet(ws.path("track/delivered_place_days.parquet"), index=False)
    ws.add_table(
        "delivered_place_days",
        "track/delivered_place_days.parquet",
        synthetic=True,
        description="SYNTHETIC tracked place-days per delivery method (and 'all'), for plan against delivery",
        rows=len(dpd),
    )
    res.visits.to_parquet(ws.path("track/visits.parquet"), index=False)
    ws.add_table(
        "tracked_visits",
        "track/visits.parquet",
        synthetic=True,
        description="SYNTHETIC officer visits from GPS (entry to exit)",
        rows=len(res.visits),
    )

    # ---- duty periods and custody/investigation episodes ---------------------------------
    duty, episodes = _duty(q4, fd, brief, off_ids, officers, rng, m)
    duty.to_parquet(ws.path("track/duty_periods.parquet"), index=False)
    episodes.to_parquet(ws.path("track/custody_episodes.parquet"), index=False)
    ws.add_table(
        "duty_periods",
        "track/duty_periods.parquet",
        synthetic=True,
        description="SYNTHETIC duty periods October-December 2025",
        rows=len(duty),
    )
    ws.add_table(
        "custody_episodes",
        "track/custody_episodes.parquet",
        synthetic=True,
        description="SYNTHETIC custody and investigation episodes",
        rows=len(episodes),
    )


def _duty(q4, fd, brief, off_ids, officers, rng, m: DeliveryModel):
    """Duty periods: the patrol day for officers on the plan, a 4-on-4-off pattern otherwise."""
    # officers on the plan: from the briefing to 90 min after the last patrol (>= shift length)
    last = q4.assign(end=q4["t0"] + q4["seconds"]).groupby(["officer_id", "date"])["end"].max()
    first = pd.Series(
        fd["t0"].to_numpy() - brief - 20 * 60,
        index=pd.MultiIndex.from_arrays(
            [np.asarray(off_ids)[fd["code"].to_numpy()], fd["date"].to_numpy()]
        ),
    )
    first = first.groupby(level=[0, 1]).min()
    last = last.reindex(first.index)
    p_start = first.to_numpy() - 15 * 60
    p_end = np.maximum(last.to_numpy() + 90 * 60, p_start + m.shift_hours * 3600)
    p_off = first.index.get_level_values(0).to_numpy()
    # everyone else (and on-plan officers on their other days: none, they patrol when on duty)
    others = officers[~officers["officer_id"].isin(set(p_off))]
    days = pd.date_range(GPS_QUARTER[0], GPS_QUARTER[1], freq="D")
    phase = rng.integers(0, 8, len(others))
    n_d = len(days)
    on = ((np.arange(n_d)[None, :] + phase[:, None]) % 8) < 4
    oi, di = np.nonzero(on)
    shift_start = np.array([7.0, 15.0, 22.0])[(di // 8 + phase[oi]) % 3]
    local = days[di] + pd.to_timedelta(shift_start, unit="h")
    s0 = _epoch(local.tz_localize(TZ, ambiguous=True, nonexistent="shift_forward"))
    o_start = s0
    o_end = s0 + m.shift_hours * 3600
    off = np.r_[p_off, others["officer_id"].to_numpy()[oi]]
    start = np.r_[p_start, o_start]
    end = np.r_[p_end, o_end]
    duty = pd.DataFrame(
        {"officer_id": pd.array(off, dtype="string"), "start": _ts(start), "end": _ts(end)}
    )
    # episodes: custody more likely for response-style roles; on-plan officers after patrols
    role = officers.set_index("officer_id")["role"].reindex(off).fillna("PC").to_numpy()
    scale = np.where(np.isin(role, ["PC", "SGT", "LAT"]), 1.0, np.where(role == "DNO", 0.7, 0.25))
    on_plan = np.r_[np.ones(len(p_off), bool), np.zeros(len(oi), bool)]
    eps = []
    for kind, p, (h0, h1) in (
        ("custody", m.p_custody, m.custody_hours),
        ("investigation", m.p_investigation, m.investigation_hours),
    ):
        hit = rng.random(len(off)) < p * scale
        dur = rng.uniform(h0, h1, len(off)) * 3600
        # on-plan officers: at the end of the duty; others: anywhere in it
        s = np.where(
            on_plan,
            end - dur,
            start + rng.uniform(0, 1, len(off)) * np.maximum(end - start - dur, 0),
        )
        s = np.maximum(s, start)
        e = np.minimum(s + dur, end)
        eps.append(
            pd.DataFrame(
                {
                    "officer_id": pd.array(off[hit], dtype="string"),
                    "start": _ts(s[hit]),
                    "end": _ts(e[hit]),
                    "kind": kind,
                }
            )
        )
    episodes = pd.concat(eps, ignore_index=True)
    episodes["kind"] = episodes["kind"].astype("string")
    return duty.sort_values(["officer_id", "start"]).reset_index(drop=True), episodes.sort_values(
        ["officer_id", "start"]
    ).reset_index(drop=True)

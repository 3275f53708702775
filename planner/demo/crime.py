"""Demo step: the real 2018-06 month, and a synthetic, calibrated, timestamped crime series.

The synthetic series (2023-04 .. 2026-03, three funding years) is NOT real data. It is drawn so
that its marginals match real published figures:

* monthly counts per crime type: the real WMP police.uk totals for 2024-04 .. 2026-03
  (``geodata/reference/wmp_monthly_trends_2024-2026.csv``); 2023-04 .. 2024-03 repeats the same
  calendar month of 2024-25 (no open WMP counts for that year are bundled);
* LSOA volumes: the real WMP totals per LSOA 2024-26 (``wmp_lsoa_totals_2024-2026.csv``),
  combined with the real 2018-06 crime-type mix per LSOA by iterative proportional fitting
  (rows = type totals, columns = LSOA totals);
* locations: the real police.uk snap points of 2018-06 in each LSOA (weighted by how often each
  point recorded that type); LSOAs with no 2018 point get points sampled in their polygon;
* times: day-of-week and hour-of-day by crime type from ``planner/config/time_profiles.csv``
  (assumed shapes), Europe/London local time;
* trends: a seeded set of LSOAs gets rising violence/robbery/ASB (emerging and intensifying
  hotspots) and another set falling volumes (diminishing), so that emerging-hotspot and
  Op Advance analyses have something real to find in the synthetic data.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.io.crime import load_crimes, save_crimes
from planner.paths import GEODATA
from planner.profiles import default_profiles
from planner.schema import CRIME_DTYPES, CRIME_TYPES, TZ

REAL_MONTH_FILE = GEODATA / "crime" / "policeuk_api_2018-06_wm_area.csv.gz"
TREND_TYPES = (
    "Violence and sexual offences",
    "Robbery",
    "Anti-social behaviour",
    "Possession of weapons",
)


def monthly_counts(start: str = "2023-04", end: str = "2026-03") -> pd.DataFrame:
    """Months x crime types of counts: real WMP totals where bundled, else the same calendar month a year on."""
    mt = pd.read_csv(GEODATA / "reference" / "wmp_monthly_trends_2024-2026.csv")
    mt = mt[mt.crime_type.isin(CRIME_TYPES)]
    mt["month"] = mt["month"].str[:7]
    piv = (
        mt.pivot_table(index="month", columns="crime_type", values="crimes", aggfunc="sum")
        .reindex(columns=list(CRIME_TYPES))
        .fillna(0)
    )
    months = pd.period_range(start, end, freq="M").strftime("%Y-%m")
    rows = {}
    for m in months:
        src = m
        while src not in piv.index:
            src = str(pd.Period(src, "M") + 12)
        rows[m] = piv.loc[src]
    return pd.DataFrame(rows).T.astype("int64")


def ipf(seed: np.ndarray, row_tot: np.ndarray, col_tot: np.ndarray, iters: int = 50) -> np.ndarray:
    """Iterative proportional fitting of a positive matrix to row and column totals."""
    m = seed.astype(float).copy()
    col_tot = col_tot * (row_tot.sum() / col_tot.sum())
    for _ in range(iters):
        m *= (row_tot / np.maximum(m.sum(1), 1e-12))[:, None]
        m *= (col_tot / np.maximum(m.sum(0), 1e-12))[None, :]
    return m


def _snap_points(real: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame, rng) -> pd.DataFrame:
    """Unique snap points with their LSOA, street name and per-type counts; synthetic points
    for LSOAs without any real one."""
    pts = real.assign(x=real.geometry.x.round(1), y=real.geometry.y.round(1))
    j = gpd.sjoin(
        real[["geometry"]], lsoas[["lsoa_code", "geometry"]], predicate="within", how="left"
    )
    j = j[~j.index.duplicated()]
    pts["lsoa"] = j["lsoa_code"].to_numpy()
    pts = pts.dropna(subset=["lsoa"])
    tab = pts.pivot_table(
        index=["x", "y", "lsoa"], columns="crime_type", values="month", aggfunc="size", fill_value=0
    )
    tab = tab.reindex(columns=list(CRIME_TYPES), fill_value=0)
    loc = pts.groupby(["x", "y", "lsoa"])["location"].first()
    tab["location"] = loc.reindex(tab.index).to_numpy()
    tab = tab.reset_index()
    missing = lsoas.loc[~lsoas.lsoa_code.isin(tab.lsoa), ["lsoa_code", "geometry"]]
    if len(missing):
        sp = missing.geometry.sample_points(3, rng=rng)
        extra = []
        for code, mp in zip(missing.lsoa_code, sp):
            for p in getattr(mp, "geoms", [mp]):
                extra.append(
                    {
                        "x": round(p.x, 1),
                        "y": round(p.y, 1),
                        "lsoa": code,
                        "location": "On or near (synthetic point)",
                    }
                )
        ex = pd.DataFrame(extra)
        for t in CRIME_TYPES:
            ex[t] = 0
        tab = pd.concat([tab, ex[tab.columns]], ignore_index=True)
    return tab.sort_values(["lsoa", "x", "y"], kind="stable").reset_index(drop=True)


def synthesise(
    real: gpd.GeoDataFrame,
    lsoas: gpd.GeoDataFrame,
    rng: np.random.Generator,
    start="2023-04",
    end="2026-03",
) -> gpd.GeoDataFrame:
    """The synthetic timestamped series (canonical schema). Deterministic for ``rng``'s seed."""
    counts = monthly_counts(start, end)
    months = list(counts.index)
    count_of = counts.to_numpy(dtype=np.int64)  # [month, crime type]
    snaps = _snap_points(real, lsoas, rng)
    codes = lsoas.lsoa_code.to_numpy()
    code_idx = pd.Index(codes)
    snap_l = code_idx.get_indexer(snaps["lsoa"])
    tot = pd.read_csv(GEODATA / "reference" / "wmp_lsoa_totals_2024-2026.csv").set_index(
        "lsoa_code"
    )["crimes"]
    col_tot = tot.reindex(codes).fillna(tot.min()).to_numpy(float)
    T = len(CRIME_TYPES)
    seed_m = np.zeros((T, len(codes)))
    for k, t in enumerate(CRIME_TYPES):
        np.add.at(seed_m[k], snap_l, snaps[t].to_numpy())
    share_all = col_tot / col_tot.sum()
    seed_m = seed_m + 0.5 * seed_m.sum(1, keepdims=True).clip(1) * share_all[None, :] / 1.0 + 1e-3
    lsoa_p = ipf(seed_m, counts.sum(axis=0).to_numpy(float), col_tot)
    lsoa_p = lsoa_p / lsoa_p.sum(1, keepdims=True)

    # trend LSOAs: risers and fallers (violence, robbery, ASB, weapons)
    n_l = len(codes)
    busy = np.argsort(-col_tot)[: n_l // 3]
    risers = rng.choice(busy, 24, replace=False)
    fallers = rng.choice(np.setdiff1d(busy, risers), 16, replace=False)
    new_spots = rng.choice(
        np.setdiff1d(np.arange(n_l), np.concatenate([risers, fallers])), 8, replace=False
    )
    prog = np.linspace(0.0, 1.0, len(months))

    # snap-point weights per type, cumulative within LSOA blocks (snaps sorted by LSOA)
    all_w = snaps[list(CRIME_TYPES)].to_numpy(float).sum(axis=1)
    starts = np.searchsorted(snap_l, np.arange(n_l), side="left")
    ends = np.searchsorted(snap_l, np.arange(n_l), side="right")
    profiles = default_profiles()
    out = []
    for k, t in enumerate(CRIME_TYPES):
        w = snaps[t].to_numpy(float) + 0.3 * all_w + 0.05
        cw = np.cumsum(w)
        base = np.concatenate([[0.0], cw])
        lo, hi = base[starts], base[ends]
        dow_p, hour_p = profiles[t]
        for mi, m in enumerate(months):
            p = lsoa_p[k].copy()
            if t in TREND_TYPES:
                p[risers] *= 0.5 + 2.0 * prog[mi]
                p[fallers] *= 2.0 - 1.6 * prog[mi]
                p[new_spots] *= 1.0 if prog[mi] < 0.8 else 8.0
                p /= p.sum()
            n = int(count_of[mi, k])
            per_l = rng.multinomial(n, p)
            l_of = np.repeat(np.arange(n_l), per_l)
            u = rng.random(n)
            target = lo[l_of] + u * (hi[l_of] - lo[l_of])
            si = np.searchsorted(cw, target, side="right").clip(0, len(cw) - 1)
            # day of month by day-of-week profile, hour by hour profile, minute uniform
            per = pd.Period(m, "M")
            days = pd.date_range(per.start_time, per.end_time.normalize(), freq="D")
            dw = dow_p[days.day_of_week.to_numpy()]
            day = rng.choice(len(days), n, p=dw / dw.sum())
            hour = rng.choice(24, n, p=hour_p)
            minute = rng.integers(0, 60, n)
            y, mo = (int(v) for v in m.split("-"))
            out.append(
                pd.DataFrame(
                    {
                        "snap": si,
                        "type_k": k,
                        "mi": mi,
                        "year": y,
                        "month": mo,
                        "day": day + 1,
                        "hour": hour,
                        "minute": minute,
                    }
                )
            )
    df = pd.concat(out, ignore_index=True)
    naive = pd.to_datetime(df[["year", "month", "day", "hour", "minute"]])
    order = np.lexsort((naive.to_numpy(), df["type_k"].to_numpy(), df["mi"].to_numpy()))
    df, naive = df.iloc[order].reset_index(drop=True), naive.iloc[order].reset_index(drop=True)
    # ambiguous local times (the October clock change) are read as the first (BST) occurrence
    occ = naive.dt.tz_localize(
        TZ, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    df["month"] = np.asarray(months, dtype=object)[df["mi"].to_numpy()]
    ctype = np.asarray(CRIME_TYPES, dtype=object)[df["type_k"].to_numpy()]
    is_asb = ctype == "Anti-social behaviour"
    ids = pd.Series([f"SYN{i:08d}" for i in range(len(df))], dtype="string").mask(is_asb)
    from planner.harm import HarmTable

    harm = HarmTable.default()
    sn = snaps.iloc[df["snap"].to_numpy()]
    frame = pd.DataFrame(
        {
            "crime_id": ids,
            "month": df["month"].astype("string"),
            "occurred_at": occ,
            "crime_type": pd.Series(ctype, dtype="string"),
            "lsoa_code": sn["lsoa"].astype("string").to_numpy(),
            "location": sn["location"].astype("string").to_numpy(),
            "harm": harm.weights_for(pd.Series(ctype)),
            "knife_weight": harm.knife_for(pd.Series(ctype)),
            "source_file": pd.Series(
                "synthetic:planner.demo.crime", index=df.index, dtype="string"
            ),
            "source_row": np.arange(2, len(df) + 2, dtype="int64"),
        }
    ).astype(CRIME_DTYPES)
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(sn["x"].to_numpy(), sn["y"].to_numpy()), crs="EPSG:27700"
    )


def step(ws, rng) -> None:
    geo = ws.geography()
    res = load_crimes(REAL_MONTH_FILE, boundary=geo.force)
    (ws.root / "crime").mkdir(exist_ok=True)
    res.write_rejects(ws.root / "crime" / "real_2018-06_rejects.csv")
    save_crimes(res.crimes, ws.root / "crime" / "real_2018-06.parquet")
    ws.add_table(
        "crimes_real",
        "crime/real_2018-06.parquet",
        synthetic=False,
        description=f"police.uk API street-level crime, 2018-06, inside the WMP force area (real; OGL v3.0); "
        f"read {res.read}, accepted {res.accepted}, rejected {res.rejected} (see crime/real_2018-06_rejects.csv)",
        rows=res.accepted,
    )
    syn = synthesise(res.crimes, geo.lsoas, rng)
    save_crimes(syn, ws.root / "crime" / "synthetic.parquet")
    ws.add_table(
        "crimes_synthetic",
        "crime/synthetic.parquet",
        synthetic=True,
        description="SYNTHETIC timestamped West Midlands crime 2023-04..2026-03, calibrated on real police.uk "
        "monthly totals by type and LSOA totals (planner.demo.crime); not real records",
        rows=len(syn),
    )

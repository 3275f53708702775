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
* spatial concentration: within each LSOA, the snap-point weights of each crime type are
  raised to a power fitted (:func:`calibrate_concentration`) so that one synthetic month holds
  the same share of its offences in the busiest 100 m cells covering 0.5%, 1% and 2.2% of the
  force as the real 2018-06 month does, type by type, at the real month's volume;
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
#: concentration calibration: cell (m), the bisection range of the exponent, steps, draws
CALIBRATION_CELL = 100.0
CALIBRATION_RANGE = (0.1, 8.0)
CALIBRATION_STEPS = 14
CALIBRATION_DRAWS = 4
#: an area share at which the real month already holds this share of a type is not fitted
CALIBRATION_SATURATED = 0.98
TREND_TYPES = (
    "Violence and sexual offences",
    "Robbery",
    "Anti-social behaviour",
    "Possession of weapons",
)


def monthly_counts(start: str = "2023-04", end: str = "2026-03") -> pd.DataFrame:
    """Months x crime types of counts: real WMP totals where bundled, else a year on.

    Months without bundled totals take the same calendar month a year on.

    Parameters
    ----------
    start, end : str
        First and last month (``"YYYY-MM"``).

    Returns
    -------
    pandas.DataFrame
        Indexed by month, one column per crime type.
    """
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
    """Iterative proportional fitting of a positive matrix to row and column totals.

    Parameters
    ----------
    seed : numpy.ndarray
        The starting matrix (positive).
    row_tot, col_tot : numpy.ndarray
        Target totals (the column totals are rescaled to the row totals' sum).
    iters : int
        Fitting rounds.

    Returns
    -------
    numpy.ndarray
        The fitted matrix.

    Examples
    --------
    >>> import numpy as np
    >>> ipf(np.ones((2, 2)), np.array([1.0, 3.0]), np.array([2.0, 2.0])).round(3).tolist()
    [[0.5, 0.5], [1.5, 1.5]]
    """
    m = seed.astype(float).copy()
    col_tot = col_tot * (row_tot.sum() / col_tot.sum())
    for _ in range(iters):
        m *= (row_tot / np.maximum(m.sum(1), 1e-12))[:, None]
        m *= (col_tot / np.maximum(m.sum(0), 1e-12))[None, :]
    return m


def _snap_points(real: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame, rng) -> pd.DataFrame:
    """Unique snap points with their LSOA, street name and per-type counts.

    Unique snap points with their LSOA, street name and per-type counts; synthetic points
    for LSOAs without any real one.
    """
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


def _cells(x: np.ndarray, y: np.ndarray, cell: float) -> np.ndarray:
    """Integer key of the ``cell`` m lattice square holding each point."""
    return np.floor(x / cell).astype(np.int64) * 1_000_003 + np.floor(y / cell).astype(np.int64)


def _top(
    keys: np.ndarray, counts: np.ndarray, total_area: float, cell: float, shares
) -> np.ndarray:
    from planner.hotspots.concentration import top_share

    _, inv = np.unique(keys, return_inverse=True)
    per = np.bincount(inv, weights=counts)
    a = np.full(len(per), cell * cell)
    return np.array([top_share(per, a, total_area, s) for s in shares])


def _measure(g, w0, snap_l, p_lsoa, n, k, sk, area_f, use) -> float:
    """Mean top share of ``CALIBRATION_DRAWS`` draws at snap-point weights ``w0 ** g``.

    Mean top share (at the unsaturated shares ``use``) of ``CALIBRATION_DRAWS`` draws of
    ``n`` offences from the snap points, weights ``w0 ** g`` within each LSOA.
    """
    w = w0**g
    s_l = np.bincount(snap_l, weights=w, minlength=len(p_lsoa))
    p = p_lsoa[snap_l] * w / s_l[snap_l]
    p = p / p.sum()
    rng = np.random.default_rng([20180601, k])
    vals = [
        _top(sk, rng.multinomial(n, p).astype(float), *area_f)[use].mean()
        for _ in range(CALIBRATION_DRAWS)
    ]
    return float(np.mean(vals))


def calibrate_concentration(
    real: gpd.GeoDataFrame,
    snaps: pd.DataFrame,
    snap_l: np.ndarray,
    lsoa_p: np.ndarray,
    total_area: float,
    *,
    shares: tuple[float, ...] | None = None,
) -> dict[str, float]:
    """Per crime type, the snap-point weight exponent matching the real month's concentration.

    Per crime type, the exponent of the within-LSOA snap-point weights that makes a month
    of that type (drawn at the real 2018-06 volume) as concentrated as the real month.

    The measure is the share of offences in the busiest ``CALIBRATION_CELL`` cells covering
    each of ``shares`` (default 0.5%, 1%, 2.2%) of ``total_area``
    (:func:`planner.hotspots.concentration.top_share`), averaged over the shares at which the
    real month is not saturated (below ``CALIBRATION_SATURATED``); the exponent is found by
    bisection in log space over ``CALIBRATION_RANGE`` against the mean of
    ``CALIBRATION_DRAWS`` draws (a fixed random stream, so the result does not depend on the
    demo seed). Types with no unsaturated share, or absent from the real month, keep 1.

    Parameters
    ----------
    real : the real month (canonical schema, EPSG:27700).
    snaps : snap-point table of :func:`_snap_points` (sorted by LSOA).
    snap_l : LSOA index of each snap point.
    lsoa_p : (types, LSOAs) probability of each LSOA per type.
    total_area : force area (m2).
    shares : area shares (default :data:`planner.hotspots.concentration.SHARES`).

    Returns
    -------
    dict crime type -> exponent.
    """
    from planner.hotspots.concentration import SHARES

    shares = tuple(shares or SHARES)
    f = CALIBRATION_CELL
    sk = _cells(snaps["x"].to_numpy(float), snaps["y"].to_numpy(float), f)
    rx, ry = real.geometry.x.to_numpy(), real.geometry.y.to_numpy()
    rk = _cells(rx, ry, f)
    rtype = real["crime_type"].astype(str).to_numpy()
    all_w = snaps[list(CRIME_TYPES)].to_numpy(float).sum(axis=1)
    out: dict[str, float] = {}
    for k, t in enumerate(CRIME_TYPES):
        m = rtype == t
        n = int(m.sum())
        out[t] = 1.0
        if n == 0:
            continue
        want = _top(rk[m], np.ones(n), total_area, f, shares)
        use = want < CALIBRATION_SATURATED
        if not use.any():
            continue
        w0 = snaps[t].to_numpy(float) + 0.3 * all_w + 0.05

        area_f = (total_area, f, shares)
        target = float(want[use].mean())
        lo, hi = np.log(CALIBRATION_RANGE[0]), np.log(CALIBRATION_RANGE[1])
        for _ in range(CALIBRATION_STEPS):
            mid = 0.5 * (lo + hi)
            got = _measure(float(np.exp(mid)), w0, snap_l, lsoa_p[k], n, k, sk, area_f, use)
            if got < target:
                lo = mid
            else:
                hi = mid
        out[t] = float(np.exp(0.5 * (lo + hi)))
    return out


def synthesise(
    real: gpd.GeoDataFrame,
    lsoas: gpd.GeoDataFrame,
    rng: np.random.Generator,
    start="2023-04",
    end="2026-03",
) -> gpd.GeoDataFrame:
    """The synthetic timestamped series (canonical schema). Deterministic for ``rng``'s seed.

    Parameters
    ----------
    real : geopandas.GeoDataFrame
        The real month (snap points and their concentration).
    lsoas : geopandas.GeoDataFrame
        LSOAs 2021 (where offences fall).
    rng : numpy.random.Generator
        The random stream.
    start, end : str
        First and last month (``"YYYY-MM"``).

    Returns
    -------
    geopandas.GeoDataFrame
        Canonical crime table (EPSG:27700), flagged synthetic by the caller.
    """
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
    gamma = calibrate_concentration(real, snaps, snap_l, lsoa_p, float(lsoas.area.sum()))

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
        w = (snaps[t].to_numpy(float) + 0.3 * all_w + 0.05) ** gamma[t]
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
    """Demo step (:data:`planner.demo.STEPS`): the crime series.

    Loads the real 2018-06 month and writes the synthetic timestamped series calibrated on it.

    Parameters
    ----------
    ws : Workspace
        The demo workspace being built.
    rng : numpy.random.Generator
        The build's random stream.
    """
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

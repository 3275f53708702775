"""Patrol logs without GPS (e.g. local-authority wardens), reconciled with GPS.

A log row says who patrolled which TGP from ``start`` to ``end`` and how (``method``); its
``crew`` (default 1) is the number of people. Reconciliation rules (nothing counted twice):

* a log of an officer who also has GPS visits in the same TGP counts only the time the GPS
  does not already cover (GPS wins where both exist);
* overlapping logs of the same officer in the same TGP count once (their union);
* a log without ``officer_id`` counts ``crew`` people for its whole length (no GPS to
  compare with); their presence still joins the TGP's presence union, so presence-minutes
  never double count a period covered by GPS and a log.

The output is visit-day rows in the same form as :func:`planner.tracking.dwell.officer_visits`
so :func:`planner.tracking.dwell.place_days` combines both sources.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError, PlannerError
from planner.tracking.dwell import VISIT_DTYPES, DwellConfig
from planner.tracking.intervals import NS, TZ, Intervals, difference, split_days, union

LOG_COLUMNS = ("officer_id", "team_id", "tgp_id", "start", "end", "method", "crew")


def read_logs(path: str | Path) -> pd.DataFrame:
    """Read a patrol log file (CSV or Parquet) and validate it.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    pandas.DataFrame
        The checked logs (:func:`check_logs`).

    Raises
    ------
    PlannerError
        Naming the file, line and field of the first problem.
    """
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        df = pd.read_parquet(path)
        first = 1
    else:
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(path, f"malformed CSV ({exc})") from None
        first = 2
    return check_logs(df, str(path), first_line=first)


def check_logs(df: pd.DataFrame, file: str = "<logs>", *, first_line: int = 1) -> pd.DataFrame:
    """Normalise a log frame: tz-aware start/end (naive = Europe/London), crew >= 1.

    Parameters
    ----------
    df : pandas.DataFrame
        Raw logs (``tgp_id, start, end``, optional ``officer_id, crew, method``).
    file : str
        Named in errors.
    first_line : int
        File line of the first row (for error messages).

    Returns
    -------
    pandas.DataFrame
        The normalised logs.

    Raises
    ------
    InputError
        Naming the file, line and field of the first problem.
    """
    for c in ("tgp_id", "start", "end"):
        if c not in df.columns:
            raise InputError(
                file, f"missing column '{c}'", line=1 if first_line == 2 else None, field=c
            )
    out = pd.DataFrame(index=df.index)
    out["officer_id"] = (
        df["officer_id"].astype("string")
        if "officer_id" in df
        else pd.array([pd.NA] * len(df), dtype="string")
    )
    out.loc[out["officer_id"] == "", "officer_id"] = pd.NA
    out["team_id"] = (
        df["team_id"].astype("string")
        if "team_id" in df
        else pd.array([pd.NA] * len(df), dtype="string")
    )
    out["tgp_id"] = df["tgp_id"].astype("string")
    for c in ("start", "end"):
        s = df[c]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            t = s.dt.tz_convert(TZ)
        else:
            t = pd.to_datetime(s.astype(str), format="ISO8601", errors="coerce", utc=False)
            if not isinstance(t.dtype, pd.DatetimeTZDtype):
                t = t.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
            else:
                t = t.dt.tz_convert(TZ)
        bad = np.flatnonzero(t.isna().to_numpy())
        if len(bad):
            raise InputError(
                file,
                f"unparseable or ambiguous time {df[c].iloc[bad[0]]!r}",
                line=int(bad[0]) + first_line,
                field=c,
            )
        out[c] = t.astype(f"datetime64[ns, {TZ}]")
    bad = np.flatnonzero((out["end"] <= out["start"]).to_numpy())
    if len(bad):
        raise InputError(file, "end is not after start", line=int(bad[0]) + first_line, field="end")
    out["method"] = (
        df["method"].astype("string")
        if "method" in df
        else pd.array([pd.NA] * len(df), dtype="string")
    )
    crew = (
        pd.to_numeric(df["crew"], errors="coerce") if "crew" in df else pd.Series(1, index=df.index)
    )
    bad = np.flatnonzero(~(crew >= 1).to_numpy())
    if len(bad):
        raise InputError(
            file, "crew must be a whole number >= 1", line=int(bad[0]) + first_line, field="crew"
        )
    out["crew"] = crew.astype("int64")
    return out.reset_index(drop=True)


def _sec(ts: pd.Series) -> np.ndarray:
    return (
        ts.dt.tz_convert("UTC")
        .astype("datetime64[ns, UTC]")
        .to_numpy(dtype="datetime64[ns]")
        .astype(np.int64)
        / NS
    )


def log_rows(
    logs: pd.DataFrame,
    gps_rows: pd.DataFrame | None,
    officers: np.ndarray,
    tgp_ids: np.ndarray,
    cfg: DwellConfig | None = None,
) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """Reconcile logs with GPS visit-day rows; return log visit-day rows.

    Parameters
    ----------
    logs : pandas.DataFrame
        Checked logs (:func:`check_logs`).
    gps_rows : pandas.DataFrame or None
        Visit-day rows from the GPS (officer codes index ``officers``).
    officers : numpy.ndarray
        officer_id per GPS officer code.
    tgp_ids : numpy.ndarray
        TGP ids per TGP position.
    cfg : DwellConfig, optional
        Splitting at local midnight and the Koper threshold.

    Returns
    -------
    rows : pandas.DataFrame
        Log visit-day rows; officer codes continue after the GPS ones.
    officers : numpy.ndarray
        The extended officer-id array (GPS officers, then log-only people).
    stats : dict
        Logged, counted and already-covered minutes.
    """
    cfg = cfg or DwellConfig()
    tgp_ids = np.asarray(tgp_ids)
    officers = np.asarray(officers, dtype=object)
    pos = {t: i for i, t in enumerate(tgp_ids)}
    unknown = sorted(set(logs["tgp_id"].dropna()) - set(pos))
    if unknown:
        raise PlannerError(
            f"patrol logs name TGPs not in the layer: {', '.join(map(str, unknown[:5]))}"
        )
    tg = logs["tgp_id"].map(pos).to_numpy(np.int64)
    s, e = _sec(logs["start"]), _sec(logs["end"])
    crew = logs["crew"].to_numpy(np.int64)
    has_off = logs["officer_id"].notna().to_numpy()
    # officer codes: GPS officers keep theirs; new officers and anonymous crew members appended
    code_of = {o: i for i, o in enumerate(officers)}
    named = logs["officer_id"][has_off].astype(str)
    new_named = [o for o in pd.unique(named) if o not in code_of]
    anon_idx = np.flatnonzero(~has_off)
    anon_n = crew[anon_idx]
    anon_ids = [f"log-{r}-{k + 1}" for r, n in zip(anon_idx, anon_n) for k in range(n)]
    all_off = np.concatenate(
        [officers, np.asarray(new_named, dtype=object), np.asarray(anon_ids, dtype=object)]
    )
    code_of.update({o: len(officers) + i for i, o in enumerate(new_named)})
    ntg = max(len(tgp_ids), 1)
    # named logs minus GPS of the same officer and TGP
    ni = np.flatnonzero(has_off)
    nkey = (
        np.array([code_of[o] for o in named], dtype=np.int64) * ntg + tg[ni]
        if len(ni)
        else np.empty(0, np.int64)
    )
    a = Intervals(nkey, s[ni], e[ni])
    if gps_rows is not None and len(gps_rows):
        g = Intervals(
            gps_rows["officer"].to_numpy(np.int64) * ntg + gps_rows["tgp"].to_numpy(np.int64),
            gps_rows["start"].to_numpy(np.float64),
            gps_rows["end"].to_numpy(np.float64),
        )
        res = difference(a, g)
    else:
        res = union(a)
    # anonymous crew members: each log counted whole for each member
    arow = np.repeat(anon_idx, anon_n)
    acode = len(officers) + len(new_named) + np.arange(len(arow))
    akey = acode * ntg + tg[arow]
    key = np.concatenate([res.key, akey])
    start = np.concatenate([res.start, s[arow]])
    end = np.concatenate([res.end, e[arow]])
    rows = _rows_from_runs(key // ntg, key % ntg, start, end, cfg)
    logged = float(np.sum((e - s) * crew) / 60.0)
    counted = float(rows["seconds"].sum() / 60.0) if len(rows) else 0.0
    stats = {
        "logged_minutes": logged,
        "counted_minutes": counted,
        "covered_by_gps_minutes": logged - counted - _self_overlap(a) / 60.0,
    }
    return rows, all_off, stats


def _self_overlap(a: Intervals) -> float:
    """Seconds by which named logs overlap each other (counted once)."""
    return float(np.sum(a.end - a.start) - np.sum(union(a).end - union(a).start)) if len(a) else 0.0


def _rows_from_runs(officer, tgp, start, end, cfg: DwellConfig) -> pd.DataFrame:
    """Disjoint runs -> visit-day rows (each run is one visit)."""
    if len(start) == 0:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in VISIT_DTYPES.items()})
    order = np.lexsort((start, tgp, officer))
    officer, tgp, start, end = officer[order], tgp[order], start[order], end[order]
    row, day, lo, hi = split_days(start, end, cfg.tz)
    first = np.ones(len(row), bool)
    first[1:] = row[1:] != row[:-1]
    return pd.DataFrame(
        {
            "officer": officer[row].astype(np.int64),
            "tgp": tgp[row].astype(np.int32),
            "date": day.astype("datetime64[s]"),
            "start": lo,
            "end": hi,
            "seconds": hi - lo,
            "foot_seconds": hi - lo,
            "visit_start": first,
            "visit_seconds": (end - start)[row],
        }
    )

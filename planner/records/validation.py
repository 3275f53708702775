"""Vectorised row validation shared by file imports, forms and workspace table imports.

Vectorised row validation shared by file imports and forms (``planner.records.imports``,
``planner.records.forms``) and by the workspace table imports (``planner.ownforce``).

Every check adds a reason to the rows it fails (:class:`Reasons`); a row is valid when it has
none. Times without a UTC offset are local (Europe/London); ``DD/MM/YYYY HH:MM`` is accepted too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np
import pandas as pd

LOCAL_TZ = "Europe/London"
#: non-ISO local formats accepted (UK day-first), tried in order after ISO 8601
DAYFIRST_FORMATS: tuple[str, ...] = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y")


def utc_naive(t: datetime | None = None) -> datetime:
    """``t`` (default: now) as a naive UTC datetime; a naive ``t`` is taken to be UTC.

    Parameters
    ----------
    t : datetime.datetime, optional
        The time (default: now).

    Returns
    -------
    datetime.datetime
        Naive UTC.
    """
    if t is None:
        t = datetime.now(UTC)
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t


class _Reasons:
    """Collects per-row rejection reasons."""

    def __init__(self, index: pd.Index):
        self.s = pd.Series([""] * len(index), index=index, dtype=object)

    def add(
        self, mask: pd.Series | np.ndarray, reason: str, value: pd.Series | None = None
    ) -> None:
        """Add ``reason`` to the rows in ``mask``; ``{v}`` in it becomes the row's quoted ``value``."""
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        idx = self.s.index[m]
        if value is not None:
            pre, post = reason.split("{v}")
            v = value.reindex(idx).astype(object).astype(str)
            r = pd.Series([f"{pre}'{x}'{post}" for x in v], index=idx, dtype=object)
        else:
            r = pd.Series(reason, index=idx, dtype=object)
        cur = self.s[idx]
        self.s[idx] = np.where(cur == "", r, cur + "; " + r)

    @property
    def bad(self) -> pd.Series:
        return self.s != ""


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as a stripped Python string ("" for missing), object dtype (done once)."""
    vals = df.to_numpy(dtype=object)
    vals = np.where(pd.isna(vals), "", vals).astype(str)
    return pd.DataFrame(np.char.strip(vals).astype(object), index=df.index, columns=df.columns)


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    """Column ``col`` of a :func:`_normalise`-d frame (blank when absent)."""
    if col not in df:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    return df[col]


def parse_local_times(
    values: pd.Series, *, field: str, reasons: _Reasons, now: datetime | None = None
) -> pd.Series:
    """Parse date/times (ISO 8601 with or without offset, or UK day-first) to naive UTC.

    Naive values are Europe/London local time. Adds reasons for missing, unparseable,
    ambiguous (clocks went back), non-existent (clocks went forward) and future times.

    Parameters
    ----------
    values : pandas.Series
        The text (or datetimes).
    field : str
        Field name in the reasons.
    reasons : Reasons
        Collects a reason per failing row.
    now : datetime.datetime, optional
        Reference time for "in the future" (default: the current time).

    Returns
    -------
    pandas.Series
        Naive UTC datetimes (NaT where a reason was added).
    """
    s = values.astype(object)
    s = s.where(s.notna(), "").map(lambda x: str(x).strip())
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    missing = s == ""
    reasons.add(missing, f"missing {field}")
    has_off = s.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True) & ~missing
    if has_off.any():
        t = pd.to_datetime(s[has_off], format="ISO8601", utc=True, errors="coerce")
        out[has_off] = t.dt.tz_localize(None).astype("datetime64[us]")
    naive = ~has_off & ~missing
    if naive.any():
        t = pd.to_datetime(s[naive], format="ISO8601", errors="coerce")
        for fmt in DAYFIRST_FORMATS:
            todo = t.isna()
            if not todo.any():
                break
            t[todo] = pd.to_datetime(s[naive][todo], format=fmt, errors="coerce")
        t = t.astype("datetime64[us]")
        loc = t.dt.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="NaT")
        amb_try = t.dt.tz_localize(LOCAL_TZ, ambiguous=np.ones(len(t), bool), nonexistent="NaT")
        ambiguous = loc.isna() & amb_try.notna()
        gap = loc.isna() & amb_try.isna() & t.notna()
        reasons.add(
            ambiguous.reindex(s.index, fill_value=False),
            f"{field} {{v}} is ambiguous (clocks went back); add a UTC offset",
            value=s,
        )
        reasons.add(
            gap.reindex(s.index, fill_value=False),
            f"{field} {{v}} does not exist (clocks went forward)",
            value=s,
        )
        out[naive] = loc.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
        unparsed = t.isna().reindex(s.index, fill_value=False)
        reasons.add(
            unparsed,
            f"{field} {{v}} is not a date/time (use ISO 8601 such as 2025-09-29T14:30 or DD/MM/YYYY HH:MM)",
            value=s,
        )
    if has_off.any():
        reasons.add(
            has_off & out.isna(),
            f"{field} {{v}} is not a date/time (use ISO 8601 such as 2025-09-29T14:30+01:00)",
            value=s,
        )
    reasons.add(
        out.notna() & (out > pd.Timestamp(utc_naive(now))),
        f"{field} {{v}} is in the future",
        value=s,
    )
    return out


def _vocab_field(
    df: pd.DataFrame,
    col: str,
    allowed: Mapping[str, str],
    reasons: _Reasons,
    *,
    optional: bool = False,
) -> pd.Series:
    s = _text(df, col)
    canon = s.str.lower().map(allowed)
    blank = s == ""
    if not optional:
        reasons.add(blank, f"missing {col}")
    shown = ", ".join(sorted(set(allowed.values())))
    reasons.add(~blank & canon.isna(), f"unknown {col} {{v}} (allowed: {shown})", value=s)
    return canon.where(~blank, None)


def _required_text(df: pd.DataFrame, col: str, reasons: _Reasons) -> pd.Series:
    s = _text(df, col)
    reasons.add(s == "", f"missing {col}")
    return s


def _optional_text(df: pd.DataFrame, col: str) -> pd.Series:
    s = _text(df, col)
    return s.where(s != "", None)


def _number(df: pd.DataFrame, col: str, reasons: _Reasons, *, required: bool) -> pd.Series:
    s = _text(df, col)
    v = pd.to_numeric(s.where(s != "", None), errors="coerce").astype("float64")
    blank = s == ""
    if required:
        reasons.add(blank, f"missing {col}")
    reasons.add(~blank & v.isna(), f"{col} {{v}} is not a number", value=s)
    return v


Reasons = _Reasons
normalise = _normalise
text = _text
vocab_field = _vocab_field
required_text = _required_text
optional_text = _optional_text
number = _number

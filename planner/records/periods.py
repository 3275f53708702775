"""Reporting periods in the words leadership uses ("since July 2025", "week commencing 29
September", "FY2025", "last 28 days", "2025-07-01:2025-09-30"), resolved against a given today.

All periods are whole local (Europe/London) days, ``start`` and ``end`` inclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from planner.errors import PlannerError

#: first month of the police funding year (1 April - 31 March)
FY_START_MONTH = 4
_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        pd.date_range("2001-01-01", periods=12, freq="MS").strftime("%B"), start=1
    )
}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9


@dataclass(frozen=True)
class Period:
    """A span of whole days, both ends inclusive."""

    start: date
    end: date
    label: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PlannerError(
                f"period {self.label or ''} ends ({self.end}) before it starts ({self.start})".replace(
                    "  ", " "
                )
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        return self.days / 7

    def __str__(self) -> str:
        return f"{self.start.isoformat()}:{self.end.isoformat()}"


def _month_end(y: int, m: int) -> date:
    return (date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def _day_month(text: str, today: date, *, past: bool = True) -> date:
    """'29 September [2025]' or '2025-09-29'; a missing year is the latest one not after today."""
    t = text.strip().lower().rstrip(".")
    try:
        return date.fromisoformat(t)
    except ValueError:
        pass
    mt = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)(?:\s+(\d{4}))?", t)
    if not mt or mt.group(2) not in _MONTHS:
        raise PlannerError(f"cannot read the date '{text}' (try '29 September 2025' or 2025-09-29)")
    d, mon = int(mt.group(1)), _MONTHS[mt.group(2)]
    try:
        if mt.group(3):
            return date(int(mt.group(3)), mon, d)
        cand = date(today.year, mon, d)
        return cand if (cand <= today or not past) else date(today.year - 1, mon, d)
    except ValueError:
        raise PlannerError(f"'{text}' is not a calendar date") from None


def _month_year(text: str) -> tuple[int, int] | None:
    t = text.strip().lower()
    mt = re.fullmatch(r"([a-z]+)\s+(\d{4})", t)
    if mt and mt.group(1) in _MONTHS:
        return int(mt.group(2)), _MONTHS[mt.group(1)]
    mt = re.fullmatch(r"(\d{4})-(\d{2})", t)
    if mt and 1 <= int(mt.group(2)) <= 12:
        return int(mt.group(1)), int(mt.group(2))
    return None


def parse_period(text: str | Period | tuple, today: date | datetime | str) -> Period:
    """Resolve a period description against ``today``.

    Accepted: ``START:END`` or ``START..END`` (ISO dates or months), ``since July 2025``,
    ``since 3 July 2025``, ``week commencing 29 September`` (``w/c`` too; year inferred),
    ``July 2025`` / ``2025-07``, ``FY2025`` / ``2025/26`` (1 April - 31 March),
    ``last N days|weeks|months``, ``this week|month``, ``last week|month``, ``today``,
    ``year to date``.

    Examples
    --------
    >>> parse_period("since July 2025", date(2025, 12, 31))
    Period(start=datetime.date(2025, 7, 1), end=datetime.date(2025, 12, 31), label='since July 2025')
    >>> str(parse_period("week commencing 29 September", date(2025, 12, 31)))
    '2025-09-29:2025-10-05'
    """
    if isinstance(text, Period):
        return text
    today = pd.Timestamp(today).date()
    if isinstance(text, tuple):
        a, b = text
        return Period(pd.Timestamp(a).date(), pd.Timestamp(b).date(), f"{a}:{b}")
    raw = str(text).strip()
    t = re.sub(r"\s+", " ", raw.lower())
    for sep in ("..", ":"):
        if sep in t and not t.startswith(("since", "week", "w/c")):
            a, b = (x.strip() for x in t.split(sep, 1))
            ma, mb = _month_year(a), _month_year(b)
            start = date(*ma, 1) if ma else _day_month(a, today)
            end = _month_end(*mb) if mb else _day_month(b, today)
            return Period(start, end, raw)
    if t.startswith("since "):
        rest = t[6:]
        my = _month_year(rest)
        start = date(*my, 1) if my else _day_month(rest, today)
        if start > today:
            raise PlannerError(f"'{raw}': {start} is after today ({today})")
        return Period(start, today, raw)
    mt = re.fullmatch(r"(?:week commencing|w/c|week beginning|week starting) (.+)", t)
    if mt:
        start = _day_month(mt.group(1), today)
        return Period(start, start + timedelta(days=6), raw)
    mt = re.fullmatch(r"fy ?(\d{4})|(\d{4})/(\d{2})", t)
    if mt:
        y = int(mt.group(1) or mt.group(2))
        return Period(
            date(y, FY_START_MONTH, 1),
            _add_months(date(y, FY_START_MONTH, 1), 12) - timedelta(days=1),
            raw,
        )
    mt = re.fullmatch(r"last (\d+) (day|week|month)s?", t)
    if mt:
        n, unit = int(mt.group(1)), mt.group(2)
        if unit == "month":
            start = (pd.Timestamp(today) - pd.DateOffset(months=n)).date() + timedelta(days=1)
        else:
            start = today - timedelta(days=n * (7 if unit == "week" else 1) - 1)
        return Period(start, today, raw)
    monday = today - timedelta(days=today.weekday())
    fixed = {
        "today": (today, today),
        "this week": (monday, monday + timedelta(days=6)),
        "last week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "this month": (today.replace(day=1), _month_end(today.year, today.month)),
        "last month": (
            _add_months(today.replace(day=1), -1),
            today.replace(day=1) - timedelta(days=1),
        ),
        "year to date": (date(today.year, 1, 1), today),
    }
    if t in fixed:
        return Period(*fixed[t], raw)
    my = _month_year(t)
    if my:
        return Period(date(*my, 1), _month_end(*my), raw)
    try:
        d = date.fromisoformat(t)
        return Period(d, d, raw)
    except ValueError:
        pass
    raise PlannerError(
        f"cannot read the period '{raw}': use START:END (2025-07-01:2025-09-30), 'since July 2025', "
        "'week commencing 29 September', 'July 2025', 'FY2025' or 'last 28 days'"
    )


def period_choices(today: date | datetime | str, *, months: int = 3) -> dict[str, Period]:
    """The periods a dashboard offers, in the paper's words, resolved against ``today``.

    The last full week (``week commencing <Monday>``), this week, ``since <month>`` for the
    start of each of the last ``months`` months and of the funding year, the last full month,
    this month, the last 28 and 90 days and the current and previous funding years.

    Parameters
    ----------
    today
        The day to resolve against.
    months
        How many "since <month>" choices besides the funding year's start.

    Returns
    -------
    dict
        Label -> :class:`Period`, in display order (labels are unique).
    """
    t = pd.Timestamp(today).date()
    monday = t - timedelta(days=t.weekday())
    last_mon = monday - timedelta(days=7)
    fy = t.year if t.month >= FY_START_MONTH else t.year - 1
    labels = [
        f"week commencing {last_mon.day} {last_mon:%B %Y}",
        "this week",
        "last month",
        "this month",
        "last 28 days",
        "last 90 days",
    ]
    for k in range(months, 0, -1):
        m0 = _add_months(t.replace(day=1), -k)
        labels.append(f"since {m0:%B %Y}")
    labels.append(f"since {date(fy, FY_START_MONTH, 1):%B %Y}")
    labels += [f"FY{fy}", f"FY{fy - 1}"]
    out: dict[str, Period] = {}
    for lab in labels:
        if lab not in out:
            out[lab] = parse_period(lab, t)
    return out

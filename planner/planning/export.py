"""Plan exports: visits.parquet, CSV, iCalendar per team and a printable HTML briefing.

``visits.parquet`` is the contract tracking reads; the briefing is self-contained, with an
inline SVG map (no external requests).
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.schema import TZ

#: briefing default: how many days from the start of the plan it covers
BRIEFING_DAYS = 7
#: SVG map size (px) and the smallest radius a TGP marker is drawn with
MAP_WIDTH, MAP_HEIGHT, MIN_MARKER_PX = 640, 440, 4.0
#: polygon simplification for the map outline (metres)
OUTLINE_TOLERANCE_M = 150.0
#: margin around the highlighted TGPs when a map zooms on them (metres)
ZOOM_PAD_M = 1500.0
SYNTHETIC_NOTICE = "SYNTHETIC DEMO DATA: not real West Midlands Police deployments."


def write_visits(visits: pd.DataFrame, path: str | Path) -> Path:
    """Write ``visits.parquet`` (the plan contract; ``date`` as a date, times tz-aware).

    Parameters
    ----------
    visits : pandas.DataFrame
        :attr:`QuarterPlan.visits`.
    path : str or Path
        The Parquet file.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    v = visits.copy()
    v["date"] = pd.to_datetime(v["date"]).dt.date
    v.to_parquet(path, index=False)
    return path


def read_visits(path: str | Path) -> pd.DataFrame:
    """Read ``visits.parquet`` back with the contract dtypes.

    Parameters
    ----------
    path : str or Path
        The Parquet file.

    Returns
    -------
    pandas.DataFrame
        The visits (``start``/``end`` in Europe/London).
    """
    v = pd.read_parquet(path)
    for c in ("start", "end"):
        v[c] = pd.to_datetime(v[c]).dt.tz_convert(TZ)
    return v


def iso_local(times) -> pd.Series:
    """Format ISO 8601 local times with their UTC offset, vectorised.

    Parameters
    ----------
    times : array_like
        Timezone-aware times.

    Returns
    -------
    pandas.Series
        Strings like "2025-10-26T01:30:00+01:00" (Europe/London).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.to_datetime(["2025-10-26 00:30Z", "2025-10-26 01:30Z"])
    >>> iso_local(t).tolist()
    ['2025-10-26T01:30:00+01:00', '2025-10-26T01:30:00+00:00']
    """
    t = pd.Series(pd.DatetimeIndex(times).tz_convert(TZ))
    local = t.dt.tz_localize(None)
    off = ((local - t.dt.tz_convert("UTC").dt.tz_localize(None)) // pd.Timedelta(minutes=1)).astype(
        np.int64
    )
    sign = np.where(off < 0, "-", "+")
    hh = pd.Series(np.abs(off) // 60).astype(str).str.zfill(2)
    mm = pd.Series(np.abs(off) % 60).astype(str).str.zfill(2)
    return local.dt.strftime("%Y-%m-%dT%H:%M:%S") + sign + hh.to_numpy() + ":" + mm.to_numpy()


def write_csv(visits: pd.DataFrame, path: str | Path) -> Path:
    """Write the visits as CSV (ISO 8601 local times with their UTC offset).

    Parameters
    ----------
    visits : pandas.DataFrame
        :attr:`QuarterPlan.visits`.
    path : str or Path
        The CSV file.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    v = visits.copy()
    for c in ("start", "end"):
        v[c] = iso_local(v[c]).to_numpy()
    v.to_csv(path, index=False)
    return path


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name))


def team_calendar(
    visits: pd.DataFrame, team_id: str, *, synthetic: bool = False, tgp_names: dict | None = None
):
    """Build an :class:`icalendar.Calendar` with one event per visit of ``team_id``.

    Parameters
    ----------
    visits : pandas.DataFrame
        :attr:`QuarterPlan.visits`.
    team_id : str
        The team.
    synthetic : bool
        Prefix every event with ``[SYNTHETIC]``.
    tgp_names : dict, optional
        ``{tgp_id: place name}`` for the event locations.

    Returns
    -------
    icalendar.Calendar
        The calendar (Europe/London times).
    """
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//hotspot-planner//patrol plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{team_id} TGP patrols" + (" (SYNTHETIC)" if synthetic else ""))
    cal.add("x-wr-timezone", TZ)
    v = visits.loc[visits["team_id"].astype(str) == str(team_id)]
    stamp = pd.Timestamp("2000-01-01", tz="UTC").to_pydatetime()
    rows: Iterable[Any] = v.itertuples(index=False)  # named tuples of mixed fields
    for r in rows:
        ev = Event()
        ev.add("uid", f"{r.visit_id}@hotspot-planner")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", pd.Timestamp(r.start).to_pydatetime())
        ev.add("dtend", pd.Timestamp(r.end).to_pydatetime())
        where = (tgp_names or {}).get(r.tgp_id, r.tgp_id)
        ev.add(
            "summary",
            f"{'[SYNTHETIC] ' if synthetic else ''}Patrol {r.tgp_id} ({int(r.minutes)} min, crew {int(r.crew)})",
        )
        ev.add("location", str(where))
        ev.add(
            "description",
            f"Visible patrol in {r.tgp_id}: {int(r.minutes)} minutes in the area, crew {int(r.crew)} "
            f"({int(r.officer_minutes)} officer-minutes). Method {r.method}; band {r.band}"
            + ("; pinned by a planner" if r.pinned else "")
            + ".",
        )
        ev.add("categories", [str(r.method)])
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal


def _ics_escape(s: pd.Series) -> pd.Series:
    return (
        s.astype(str)
        .str.replace("\\", "\\\\", regex=False)
        .str.replace(";", "\\;", regex=False)
        .str.replace(",", "\\,", regex=False)
        .str.replace("\n", "\\n", regex=False)
    )


def _fold(line: str) -> str:
    """RFC 5545 line folding at 75 octets."""
    if line.isascii():
        if len(line) <= 75:
            return line
        return "\r\n ".join([line[:75], *(line[i : i + 74] for i in range(75, len(line), 74))])
    b = line.encode("utf-8")
    if len(b) <= 75:
        return line
    out: list[str] = []
    cur = b""
    for ch in line:
        e = ch.encode("utf-8")
        if len(cur) + len(e) > (75 if not out else 74):
            out.append(cur.decode("utf-8"))
            cur = b""
        cur += e
    out.append(cur.decode("utf-8"))
    return "\r\n ".join(out)


def _records(df: pd.DataFrame) -> Iterable[Any]:
    """Rows as named tuples (typed ``Any``: their fields hold strings, numbers and times)."""
    return df.itertuples(index=False)


@functools.lru_cache(maxsize=1)
def _vtimezone() -> str:
    """Build the Europe/London VTIMEZONE block with the icalendar library."""
    from icalendar import Calendar, Event

    cal = Calendar()
    ev = Event()
    ev.add("dtstart", pd.Timestamp("2025-06-01 12:00", tz=TZ).to_pydatetime())
    cal.add_component(ev)
    cal.add_missing_timezones()
    return "".join(tz.to_ical().decode("utf-8") for tz in cal.walk("VTIMEZONE"))


def ics_text(visits: pd.DataFrame, team_id: str, *, synthetic: bool = False) -> str:
    """Write the .ics text of one team's visits in bulk.

    The icalendar library builds the VTIMEZONE; events are formatted vectorised, since
    building tens of thousands of icalendar objects takes minutes. Read back with
    :func:`icalendar.Calendar.from_ical`.

    Parameters
    ----------
    visits : pandas.DataFrame
        :attr:`QuarterPlan.visits`.
    team_id : str
        The team.
    synthetic : bool
        Prefix every event with ``[SYNTHETIC]``.

    Returns
    -------
    str
        The calendar text (CRLF line endings, folded at 75 octets).
    """
    v = visits.loc[visits["team_id"].astype(str) == str(team_id)]
    tag = "[SYNTHETIC] " if synthetic else ""
    st = (
        pd.Series(pd.DatetimeIndex(v["start"]).tz_convert(TZ))
        .dt.strftime("%Y%m%dT%H%M%S")
        .to_numpy()
    )
    en = (
        pd.Series(pd.DatetimeIndex(v["end"]).tz_convert(TZ)).dt.strftime("%Y%m%dT%H%M%S").to_numpy()
    )
    mins = v["minutes"].astype(int).astype(str).to_numpy()
    crew = v["crew"].astype(int).astype(str).to_numpy()
    offm = v["officer_minutes"].astype(int).astype(str).to_numpy()
    tgp = _ics_escape(v["tgp_id"]).to_numpy()
    method = _ics_escape(v["method"]).to_numpy()
    band = _ics_escape(v["band"]).to_numpy()
    pinned = np.where(v["pinned"].to_numpy(dtype=bool), "\\; pinned by a planner", "")
    uid = v["visit_id"].astype(str).to_numpy()
    summary = (
        pd.Series("SUMMARY:" + tag + "Patrol " + tgp + " (" + mins + " min\\, crew " + crew + ")")
        .map(_fold)
        .to_numpy()
    )
    desc = (
        pd.Series(
            "DESCRIPTION:Visible patrol in "
            + tgp
            + ": "
            + mins
            + " minutes in the area\\, crew "
            + crew
            + " ("
            + offm
            + " officer-minutes). Method "
            + method
            + "\\; band "
            + band
            + pinned
        )
        .map(_fold)
        .to_numpy()
    )
    ev = (
        "BEGIN:VEVENT\r\nUID:"
        + uid
        + "@hotspot-planner\r\nDTSTAMP:20000101T000000Z\r\n"
        + "DTSTART;TZID="
        + TZ
        + ":"
        + st
        + "\r\nDTEND;TZID="
        + TZ
        + ":"
        + en
        + "\r\n"
        + summary
        + "\r\n"
        + "LOCATION:"
        + tgp
        + "\r\n"
        + desc
        + "\r\n"
        + "CATEGORIES:"
        + method
        + "\r\nEND:VEVENT\r\n"
    )
    head = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hotspot-planner//patrol plan//EN\r\n"
        + _fold(f"X-WR-CALNAME:{team_id} TGP patrols" + (" (SYNTHETIC)" if synthetic else ""))
        + f"\r\nX-WR-TIMEZONE:{TZ}\r\n"
    )
    return head + _vtimezone() + "".join(ev) + "END:VCALENDAR\r\n"


def write_ics(visits: pd.DataFrame, out_dir: str | Path, *, synthetic: bool = False) -> list[Path]:
    """Write one ``<team_id>.ics`` per team in ``out_dir``.

    Parameters
    ----------
    visits : pandas.DataFrame
        :attr:`QuarterPlan.visits`.
    out_dir : str or Path
        The folder (created when missing).
    synthetic : bool
        Prefix every event with ``[SYNTHETIC]``.

    Returns
    -------
    list of Path
        The files written, in team order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for team in sorted(visits["team_id"].astype(str).unique()):
        p = out_dir / f"{_safe(team)}.ics"
        p.write_bytes(ics_text(visits, team, synthetic=synthetic).encode("utf-8"))
        paths.append(p)
    return paths


# ---- briefing -------------------------------------------------------------------------------
def svg_map(
    tgps: gpd.GeoDataFrame,
    highlight: list[str] | None = None,
    *,
    outline: gpd.GeoDataFrame | None = None,
    labels: dict | None = None,
    zoom: bool = True,
) -> str:
    """Draw an inline SVG map of TGPs.

    The outline (e.g. LPAs), every TGP as a grey marker and the ``highlight`` TGPs in red,
    numbered by ``labels``; ``zoom`` frames the highlighted TGPs (with at least ``ZOOM_PAD_M``
    around them), else the whole outline.

    Parameters
    ----------
    tgps : geopandas.GeoDataFrame
        The TGP layer (EPSG:27700).
    highlight : list of str, optional
        TGP ids drawn in red.
    outline : geopandas.GeoDataFrame, optional
        Background polygons (e.g. the LPAs).
    labels : dict, optional
        ``{tgp_id: text}`` written on the highlighted TGPs.
    zoom : bool
        Frame the highlighted TGPs rather than the whole outline.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    geoms = tgps.geometry
    ids_all = tgps["tgp_id"].astype(str)
    sel = geoms[ids_all.isin(highlight or []).to_numpy()]
    if zoom and len(sel):
        # zoom on the highlighted TGPs (a neighbourhood team's map shows its patch)
        xmin, ymin, xmax, ymax = sel.total_bounds
        pad = max(ZOOM_PAD_M, 0.1 * max(xmax - xmin, ymax - ymin))
        xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    elif outline is not None and len(outline):
        xmin, ymin, xmax, ymax = outline.total_bounds
    else:
        xmin, ymin, xmax, ymax = geoms.total_bounds
        pad = max(xmax - xmin, ymax - ymin, 1000.0) * 0.05
        xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    sx = MAP_WIDTH / max(xmax - xmin, 1.0)
    sy = MAP_HEIGHT / max(ymax - ymin, 1.0)
    s = min(sx, sy)

    def px(x, y):
        return (np.asarray(x) - xmin) * s, (ymax - np.asarray(y)) * s

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{MAP_WIDTH}" height="{MAP_HEIGHT}" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" role="img" aria-label="map of patrol areas">'
    ]
    parts.append(f'<rect width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="#ffffff" stroke="#999"/>')
    if outline is not None and len(outline):
        simp = outline.geometry.simplify(OUTLINE_TOLERANCE_M)
        for g in simp:
            polys = getattr(g, "geoms", [g])
            for p in polys:
                xs, ys = px(*np.asarray(p.exterior.coords).T)
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys, strict=True))
                parts.append(
                    f'<polygon points="{pts}" fill="#f4f4f4" stroke="#888" stroke-width="0.8"/>'
                )
    c = geoms.centroid
    cx, cy = px(c.x.to_numpy(), c.y.to_numpy())
    r = np.maximum(np.sqrt(tgps.geometry.area.to_numpy() / np.pi) * s, MIN_MARKER_PX)
    hl = set(highlight or [])
    ids = tgps["tgp_id"].astype(str).to_numpy()
    for i in np.argsort([tid in hl for tid in ids], kind="stable"):
        on = ids[i] in hl
        fill = "#c0392b" if on else "#bbbbbb"
        parts.append(
            f'<circle cx="{cx[i]:.1f}" cy="{cy[i]:.1f}" r="{r[i]:.1f}" fill="{fill}" fill-opacity="0.85"><title>{html.escape(ids[i])}</title></circle>'
        )
        if on and labels and ids[i] in labels:
            parts.append(
                f'<text x="{cx[i] + r[i] + 1:.1f}" y="{cy[i] + 3:.1f}" font-size="10" font-family="sans-serif">{html.escape(str(labels[ids[i]]))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def briefing_html(
    visits: pd.DataFrame,
    tgps: gpd.GeoDataFrame,
    *,
    start=None,
    days: int = BRIEFING_DAYS,
    teams: list[str] | None = None,
    summary: dict | None = None,
    outline: gpd.GeoDataFrame | None = None,
    synthetic: bool = False,
    title: str = "Patrol briefing",
) -> str:
    """Render a printable, self-contained HTML briefing.

    Per team, per day and shift (time band): the TGPs to visit, times, dosage (minutes, crew,
    officer-minutes) and a map of the team's TGPs.

    Parameters
    ----------
    visits : pandas.DataFrame
        :attr:`QuarterPlan.visits`.
    tgps : geopandas.GeoDataFrame
        The TGP layer (for the maps and LPAs).
    start : date-like, optional
        First day of the briefing; default the first planned day.
    days : int
        Days covered.
    teams : list of str, optional
        Teams to include; default all.
    summary : dict, optional
        :attr:`QuarterPlan.summary` (shown at the top).
    outline : geopandas.GeoDataFrame, optional
        Background polygons of the maps.
    synthetic : bool
        Show the SYNTHETIC banner.
    title : str
        The page title.

    Returns
    -------
    str
        The HTML page (no external requests).
    """
    v = visits.copy()
    v["date"] = pd.to_datetime(v["date"])
    first = v["date"].min() if start is None else pd.Timestamp(start)
    v = v.loc[(v["date"] >= first) & (v["date"] < first + pd.Timedelta(days=days))]
    if teams is not None:
        v = v.loc[v["team_id"].astype(str).isin(teams)]
    lpa = (
        dict(zip(tgps["tgp_id"].astype(str), tgps["lpa"].astype(str), strict=True))
        if "lpa" in tgps.columns
        else {}
    )
    css = (
        "body{font-family:sans-serif;font-size:12px;margin:1.5em;color:#222}"
        "h1{font-size:20px}h2{font-size:16px;page-break-before:always;border-bottom:2px solid #333}"
        "h3{font-size:13px;margin:.8em 0 .2em}table{border-collapse:collapse;margin-bottom:.6em}"
        "td,th{border:1px solid #bbb;padding:2px 6px;text-align:left}th{background:#eee}"
        ".banner{background:#fde2e2;border:2px solid #c0392b;padding:.5em;font-weight:bold}"
        "@media print{.noprint{display:none}}"
    )
    out = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{css}</style></head><body>"
    ]
    if synthetic:
        out.append(f"<p class='banner'>{html.escape(SYNTHETIC_NOTICE)}</p>")
    out.append(f"<h1>{html.escape(title)}</h1>")
    end = first + pd.Timedelta(days=days - 1)
    out.append(
        f"<p>{first.date()} to {end.date()}: {len(v)} visits, {v['minutes'].sum() / 60:,.2f} patrol-hours, {v['officer_minutes'].sum() / 60:,.2f} officer-hours.</p>"
    )
    if summary:
        pr = summary.get("predictability", {})
        out.append(
            f"<p>Quarter {html.escape(str(summary.get('quarter')))}: {summary.get('total_hours', 0):,.2f} h planned of "
            f"{summary.get('target_hours', 0):,.2f} h target; unmet {summary.get('unmet_hours', 0):,.2f} h. "
            f"Predictability: mean entropy {pr.get('mean_entropy')}, mean repeat share {pr.get('mean_repeat_share')}.</p>"
        )
        for w in pr.get("warnings", []):
            out.append(f"<p class='banner'>Warning: {html.escape(w)}</p>")
    out.append(
        "<p>Dosage: stay the full time in the area, on foot and visible (about 15 minutes deters: the Koper curve); "
        "vary your route between places. Times are drawn at random from the plan's coverage: do not swap them for fixed habits.</p>"
    )
    for team, tv in v.groupby("team_id", sort=True):
        out.append(f"<h2>{html.escape(str(team))}</h2>")
        places = sorted(tv["tgp_id"].astype(str).unique())
        num = {p: str(i + 1) for i, p in enumerate(places)}
        out.append(svg_map(tgps, places, outline=outline, labels=num))
        out.append(
            "<p>"
            + "; ".join(
                f"{num[p]} = {html.escape(p)} ({html.escape(lpa.get(p, ''))})" for p in places
            )
            + "</p>"
        )
        for (d, band), sv in tv.sort_values("start").groupby(["date", "band"], sort=True):
            out.append(
                f"<h3>{pd.Timestamp(str(d)).strftime('%a %d %b %Y')}, shift band {html.escape(str(band))}: {sv['tgp_id'].nunique()} places, {sv['minutes'].sum():.0f} min</h3>"
            )
            rows = "".join(
                f"<tr><td>{pd.Timestamp(r.start):%H:%M}-{pd.Timestamp(r.end):%H:%M}</td><td>{html.escape(r.tgp_id)} ({num[r.tgp_id]})</td>"
                f"<td>{html.escape(lpa.get(r.tgp_id, ''))}</td><td>{int(r.minutes)}</td><td>{int(r.crew)}</td><td>{int(r.officer_minutes)}</td>"
                f"<td>{'pinned' if r.pinned else ''}</td></tr>"
                for r in _records(sv)
            )
            out.append(
                "<table><tr><th>time</th><th>TGP (map)</th><th>LPA</th><th>minutes</th><th>crew</th><th>officer-min</th><th></th></tr>"
                + rows
                + "</table>"
            )
    out.append("</body></html>")
    return "".join(out)


def write_plan(
    plan,
    out_dir: str | Path,
    *,
    synthetic: bool = False,
    outline: gpd.GeoDataFrame | None = None,
    briefing_days: int = BRIEFING_DAYS,
) -> dict[str, Path]:
    """Write a :class:`~planner.planning.schedule.QuarterPlan` to a folder.

    Parameters
    ----------
    plan : QuarterPlan
        The plan.
    out_dir : str or Path
        The folder (created when missing).
    synthetic : bool
        Label every export as synthetic.
    outline : geopandas.GeoDataFrame, optional
        Background polygons of the briefing maps.
    briefing_days : int
        Days covered by the briefing.

    Returns
    -------
    dict of str to Path
        ``visits`` (visits.parquet), ``csv`` (visits.csv), ``summary`` (summary.json),
        ``ics`` (the folder of ``<team>.ics``) and ``briefing`` (briefing.html).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = dict(plan.summary)
    if synthetic:
        summary["synthetic_inputs"] = True
    paths = {
        "visits": write_visits(plan.visits, out / "visits.parquet"),
        "csv": write_csv(plan.visits, out / "visits.csv"),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    paths["summary"] = out / "summary.json"
    write_ics(plan.visits, out / "ics", synthetic=synthetic)
    paths["ics"] = out / "ics"
    (out / "briefing.html").write_text(
        briefing_html(
            plan.visits,
            plan.tgps,
            days=briefing_days,
            summary=summary,
            outline=outline,
            synthetic=synthetic,
            title=f"Patrol briefing {plan.quarter}",
        )
    )
    paths["briefing"] = out / "briefing.html"
    return paths

"""The public community report: ``planner report community --area CODE --out FILE.html``.

For a ward, neighbourhood, sector or LPA and a stated period:

* the named officers of the area's neighbourhood team(s), name and role as a Single Online
  Home team page shows them (nothing else about them);
* engagement in the area: the total, per 1,000 residents against the LPA, and counts by type,
  method, priority group and minority group reached (group counts under
  :attr:`ReportConfig.small_count` shown as "fewer than N");
* visibility: the share of the team's duty time spent in the community, per month, for the
  team as a whole;
* local priorities: the most recorded crime and ASB types in the area in the last months.

By construction it holds no officer-level performance, no abstraction data and no individual
records (no record ids, times, places or notes). Synthetic data is labelled on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from planner.errors import PlannerError
from planner.records import analytics as an
from planner.records import neighbourhood as nb
from planner.records.periods import Period
from planner.records.store import RecordStore


@dataclass(frozen=True)
class ReportConfig:
    """Choices of the public report (documented defaults).

    Attributes
    ----------
    small_count
        Minority-group counts below this are shown as "fewer than N" (0 = no suppression).
    priority_months
        Months of recorded crime (up to the period's end) behind the local priorities.
    top_priorities
        How many crime types to list.
    visibility_months
        Most months of visibility shown (the latest months the period touches).
    """

    small_count: int = 5
    priority_months: int = 3
    top_priorities: int = 5
    visibility_months: int = 3


DEFAULT_REPORT = ReportConfig()


@dataclass
class CommunityReport:
    """What the public report shows (all aggregates; see the module docstring)."""

    area: nb.Area
    period: Period
    synthetic: bool
    teams: list[dict[str, Any]]
    population: float | None
    engagements: int
    per_1000: float | None
    lpa_per_1000: float | None
    breakdowns: dict[str, list[tuple[str, str]]]
    visibility: list[tuple[str, float]]
    visibility_note: str
    priorities: list[tuple[str, int]]
    priorities_note: str
    notes: list[str] = field(default_factory=list)


BREAKDOWN_TITLES = {
    "engagement_type": "By type",
    "method": "By method",
    "priority_group": "By priority group",
    "minority_group": "Minority groups reached",
}


def _counts(e: pd.DataFrame, col: str, small: int) -> list[tuple[str, str]]:
    vc = e[col].fillna("(not recorded)").value_counts()
    vc = vc.sort_values(ascending=False, kind="stable")
    out = []
    for k, v in vc.sort_index().sort_values(ascending=False, kind="stable").items():
        if col == "minority_group" and small and 0 < v < small:
            out.append((str(k), f"fewer than {small}"))
        else:
            out.append((str(k), str(int(v))))
    return out


def _visibility(
    ws: Any, area: nb.Area, p: Period, cfg: ReportConfig
) -> tuple[list[tuple[str, float]], str]:
    if ws is None or not ws.has_table("duty_periods"):
        return [], "Visibility is not available for this area (no duty records)."
    from planner.tracking.visibility import workspace_visibility

    months = pd.period_range(p.start, p.end, freq="M").strftime("%Y-%m").tolist()
    out = []
    for mo in months[-cfg.visibility_months :]:
        try:
            rep = workspace_visibility(ws, mo)
        except PlannerError:
            continue
        t = rep.by_team[rep.by_team["team_id"].isin(area.teams)]
        duty = float(t["duty_hours"].sum())
        if duty > 0:
            out.append((mo, float(t["community_hours"].sum()) / duty))
    note = (
        "Share of the neighbourhood team's duty time spent out in the community (the team as a "
        "whole; duty time without GPS counts as community time unless custody or investigation "
        "records cover it)."
    )
    if not out:
        note = "No duty records for the months of this period."
    return out, note


def _priorities(
    ws: Any, area: nb.Area, p: Period, cfg: ReportConfig
) -> tuple[list[tuple[str, int]], str]:
    if ws is None or not ws.has_table("crimes_synthetic") and not ws.has_table("crimes_real"):
        return [], "Local priorities are set with the community; no crime data to show here."
    geo = ws.geography()
    if geo.lsoas is None:
        return [], "No LSOA lookup to place recorded crime in the area."
    lsoas = set(geo.lsoas.loc[geo.lsoas["ward_code"].isin(area.wards), "lsoa_code"])
    end = pd.Period(p.end, freq="M")
    start = end - (cfg.priority_months - 1)
    synthetic = ws.has_table("crimes_synthetic")
    c = pd.read_parquet(
        ws.table_path("crimes_synthetic" if synthetic else "crimes_real"),
        columns=["crime_type", "lsoa_code"],
        filters=[("month", ">=", str(start)), ("month", "<=", str(end))],
    )
    c = c[c["lsoa_code"].isin(lsoas)]
    vc = c["crime_type"].value_counts()
    vc = vc.sort_index().sort_values(ascending=False, kind="stable").head(cfg.top_priorities)
    note = (
        f"The most recorded crime and anti-social behaviour types in the area, {start.strftime('%B %Y')}"
        f" to {end.strftime('%B %Y')}"
        + (" (SYNTHETIC crime series)" if synthetic and ws.is_synthetic("crimes_synthetic") else "")
        + ". The team agrees its priorities with residents at community meetings."
    )
    return [(str(k), int(v)) for k, v in vc.items()], note


def build_community_report(
    store: RecordStore,
    area_code: str,
    period: Any,
    *,
    today: date | None = None,
    ws: Any = None,
    kind: str | None = None,
    config: ReportConfig = DEFAULT_REPORT,
) -> CommunityReport:
    """Gather the community report's aggregates for an area and a period.

    Parameters
    ----------
    store
        The records store.
    area_code
        A ward code, team/neighbourhood code, sector code or LPA name.
    period
        The period (words need ``today``).
    today
        Reference date for a period given in words (``"last 28 days"``, ``"FY2025"``).
    ws
        The workspace (for visibility and local priorities; None leaves them out).
    kind
        Restrict the code to one area kind.
    config
        Report choices.

    Returns
    -------
    CommunityReport
    """
    p = an._period(period, today)
    area = nb.resolve_area(store, area_code, kind=kind)
    officers = nb.team_officers(store, area.teams, p.end)
    wards = store.frame("wards").set_index("ward_code")
    teams_t = store.frame("teams").set_index("team_id")
    teams = []
    for t in area.teams:
        sel = officers[officers["team_id"] == t]
        teams.append(
            {
                "name": str(teams_t["name"].get(t) or t) if len(teams_t) else t,
                "officers": [
                    {
                        "name": r.name,
                        "title": r.title,
                        "ward": str(wards["ward"].get(r.ward_code) or "")
                        if isinstance(r.ward_code, str)
                        else "",
                    }
                    for r in sel.itertuples()
                ],
            }
        )
    e = nb.area_engagements(store, area, p)
    pop = wards.loc[list(area.wards), "population"].astype(float).sum() if area.wards else None
    per_1000 = len(e) / pop * 1000 if pop else None
    lpa_per = None
    if area.lpa is not None:
        lw = wards[wards["lpa"] == area.lpa]
        lpop = lw["population"].astype(float).sum()
        le = an.engagements_frame(store, p)
        le = le[le["ward_code"].isin(lw.index)]
        lpa_per = len(le) / lpop * 1000 if lpop else None
    breakdowns = {BREAKDOWN_TITLES[c]: _counts(e, c, config.small_count) for c in an.ENGAGEMENT_BY}
    vis, vis_note = _visibility(ws, area, p, config)
    pri, pri_note = _priorities(ws, area, p, config)
    off = store.frame("officers")
    synthetic = bool(off["synthetic"].astype(bool).any()) if len(off) else False
    synthetic = synthetic or bool(e["synthetic"].astype(bool).any() if len(e) else False)
    return CommunityReport(
        area=area,
        period=p,
        synthetic=synthetic,
        teams=teams,
        population=pop,
        engagements=int(len(e)),
        per_1000=per_1000,
        lpa_per_1000=lpa_per,
        breakdowns=breakdowns,
        visibility=vis,
        visibility_note=vis_note,
        priorities=pri,
        priorities_note=pri_note,
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font-family:system-ui,Arial,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem} h2{font-size:1.25rem;margin-top:1.6rem;border-bottom:2px solid #1d3f74}
table{border-collapse:collapse;margin:.5rem 0} td,th{border:1px solid #bbb;padding:.25rem .6rem;text-align:left}
.synthetic{background:#fff3cd;border:2px solid #b8860b;padding:.6rem;font-weight:bold}
.grid{display:flex;flex-wrap:wrap;gap:1.5rem} .muted{color:#555;font-size:.9rem}
</style></head><body>
{% if r.synthetic %}<p class="synthetic">SYNTHETIC DEMO DATA: the officers, records and figures
below are simulated and are not real police data.</p>{% endif %}
<h1>{{ title }}</h1>
<p>{{ kind_label }} in {{ r.area.lpa or "the force" }}. Period: {{ period_label }}
({{ start }} to {{ end }}).</p>

<h2>Your neighbourhood team</h2>
{% for t in r.teams %}
<h3>{{ t.name }}</h3>
{% if t.officers %}<table><tr><th>Name</th><th>Role</th><th>Ward</th></tr>
{% for o in t.officers %}<tr><td>{{ o.name }}</td><td>{{ o.title }}</td><td>{{ o.ward }}</td></tr>
{% endfor %}</table>{% else %}<p>No named officers are recorded for this team.</p>{% endif %}
{% else %}<p>No neighbourhood team is recorded for this area.</p>{% endfor %}
<p class="muted">Contact the team through the force's Single Online Home pages or on 101.</p>

<h2>Engagement</h2>
<p>{{ r.engagements }} engagement{{ "" if r.engagements == 1 else "s" }} with the community were
recorded in {{ r.area.name }} in this period{% if r.per_1000 is not none %}: {{ "%.1f"|format(r.per_1000) }}
per 1,000 residents{% if r.lpa_per_1000 is not none %} ({{ r.area.lpa }} as a whole:
{{ "%.1f"|format(r.lpa_per_1000) }}){% endif %}{% endif %}.</p>
<div class="grid">
{% for title, rows in r.breakdowns.items() %}<div><h3>{{ title }}</h3>
{% if rows %}<table>{% for k, v in rows %}<tr><td>{{ k }}</td><td>{{ v }}</td></tr>{% endfor %}</table>
{% else %}<p>None recorded.</p>{% endif %}</div>
{% endfor %}</div>

<h2>Visibility</h2>
{% if r.visibility %}<table><tr><th>Month</th><th>Time in the community</th></tr>
{% for mo, share in r.visibility %}<tr><td>{{ mo }}</td><td>{{ "%.0f"|format(share * 100) }}%</td></tr>
{% endfor %}</table>{% endif %}
<p class="muted">{{ r.visibility_note }}</p>

<h2>Local priorities</h2>
{% if r.priorities %}<ol>{% for k, v in r.priorities %}<li>{{ k }} ({{ v }} recorded)</li>{% endfor %}</ol>{% endif %}
<p class="muted">{{ r.priorities_note }}</p>

<p class="muted">Produced {{ produced }} by the neighbourhood policing planner. Figures are for
the area as a whole; this report contains no individual records.</p>
</body></html>
"""

KIND_LABELS = {"ward": "Ward", "neighbourhood": "Neighbourhood", "sector": "Sector", "lpa": "LPA"}


def render_html(report: CommunityReport, *, produced: date | None = None) -> str:
    """The report as one self-contained HTML page (escaped; no scripts, no external links).

    Parameters
    ----------
    report
        From :func:`build_community_report`.
    produced
        The date printed as the production date (default: the period's end).

    Returns
    -------
    str
    """
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    r = report
    title = f"{r.area.name}: community report"
    return env.from_string(_TEMPLATE).render(
        r=r,
        title=title,
        kind_label=KIND_LABELS[r.area.kind],
        period_label=r.period.label or str(r.period),
        produced=(produced or r.period.end).isoformat(),
        start=f"{r.period.start.day} {r.period.start:%B %Y}",
        end=f"{r.period.end.day} {r.period.end:%B %Y}",
    )


def render_pdf(report: CommunityReport, path: Any, *, produced: date | None = None) -> None:
    """Write the report as a PDF (reportlab): the same sections and figures as the HTML page.

    Parameters
    ----------
    report
        From :func:`build_community_report`.
    path
        The output file.
    produced
        The production date printed (default: the period's end).
    """
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    r = report
    st = getSampleStyleSheet()

    def para(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(text), st[style])

    def table(rows: list[list[str]], header: bool = True) -> Table:
        # plain strings in cells are drawn as they are (no markup): no escaping needed
        t = Table([[str(c) for c in row] for row in rows], hAlign="LEFT")
        cmds: list[tuple[Any, ...]] = [("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]
        if header:
            cmds.append(("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey))
        t.setStyle(TableStyle(cmds))
        return t

    story: list[Any] = []
    if r.synthetic:
        story.append(
            para(
                "SYNTHETIC DEMO DATA: the officers, records and figures below are simulated "
                "and are not real police data.",
                "Heading3",
            )
        )
    story.append(para(f"{r.area.name}: community report", "Title"))
    p = r.period
    story.append(
        para(
            f"{KIND_LABELS[r.area.kind]} in {r.area.lpa or 'the force'}. Period: "
            f"{p.label or p} ({p.start.day} {p.start:%B %Y} to {p.end.day} {p.end:%B %Y})."
        )
    )
    story.append(para("Your neighbourhood team", "Heading2"))
    for t in r.teams:
        story.append(para(t["name"], "Heading3"))
        if t["officers"]:
            rows = [["Name", "Role", "Ward"]] + [
                [o["name"], o["title"], o["ward"]] for o in t["officers"]
            ]
            story.append(table(rows))
        else:
            story.append(para("No named officers are recorded for this team."))
    story.append(para("Contact the team through the force's Single Online Home pages or on 101."))
    story.append(para("Engagement", "Heading2"))
    line = f"{r.engagements} engagements with the community were recorded in {r.area.name}"
    if r.per_1000 is not None:
        line += f": {r.per_1000:.1f} per 1,000 residents"
        if r.lpa_per_1000 is not None:
            line += f" ({r.area.lpa} as a whole: {r.lpa_per_1000:.1f})"
    story.append(para(line + "."))
    for title, rows in r.breakdowns.items():
        story.append(para(title, "Heading4"))
        story.append(
            table([list(x) for x in rows], header=False) if rows else para("None recorded.")
        )
    story.append(para("Visibility", "Heading2"))
    if r.visibility:
        story.append(
            table([["Month", "Time in the community"]] + [[m, f"{s:.0%}"] for m, s in r.visibility])
        )
    story.append(para(r.visibility_note))
    story.append(para("Local priorities", "Heading2"))
    for i, (k, v) in enumerate(r.priorities, start=1):
        story.append(para(f"{i}. {k} ({v} recorded)"))
    story.append(para(r.priorities_note))
    story.append(Spacer(1, 12))
    story.append(
        para(
            f"Produced {(produced or p.end).isoformat()} by the neighbourhood policing planner. "
            "Figures are for the area as a whole; this report contains no individual records."
        )
    )
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, title=f"{r.area.name}: community report", invariant=1
    )
    doc.build(story)

"""The grant spend report as a self-contained HTML page (``planner pop spend --out``)."""

from __future__ import annotations

import html
from typing import Any


def _gbp(v: float | None) -> str:
    return "-" if v is None else f"GBP {v:,.2f}"


def spend_html(rep: dict[str, Any]) -> str:
    """Render :func:`planner.tasking.pop.spend_report` as HTML.

    Parameters
    ----------
    rep
        The report dict.

    Returns
    -------
    str
        A complete HTML document (no external resources).
    """
    unit = html.escape(rep["unit"])
    per = unit[:-1]
    tag = " (SYNTHETIC demo data)" if rep.get("synthetic") else ""

    def rows(items: list[dict[str, Any]], key: str) -> str:
        out = []
        for r in items:
            h = r["delivered_hours"]
            out.append(
                f"<tr><td>{html.escape(str(r[key] or '(no TGP)'))}</td>"
                f"<td>{_gbp(r['spent_gbp'])}</td>"
                f"<td>{'-' if h is None else f'{h:,.1f}'}</td>"
                f"<td>{_gbp(r['cost_per_hour'])}</td></tr>"
            )
        return "".join(out)

    head = "<tr><th>{}</th><th>spent</th><th>delivered {}</th><th>cost per {}</th></tr>"
    hrs = rep["delivered_hours"]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Grant spend</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}</style></head><body>"
        f"<h1>Hotspot grant spend{tag}</h1>"
        f"<p>{_gbp(rep['spent_gbp'])} of {_gbp(rep['grant_gbp'])} spent "
        f"({rep['spent_share']:.1%}); {_gbp(rep['remaining_gbp'])} remaining.</p>"
        f"<p>Delivered: {'-' if hrs is None else f'{hrs:,.1f}'} {unit} "
        f"({html.escape(rep['unit_meaning'])}); cost per {per}: {_gbp(rep['cost_per_hour'])}.</p>"
        f"<h2>By delivery method</h2><table>{head.format('method', unit, per)}"
        f"{rows(rep['by_method'], 'method')}</table>"
        f"<h2>By TGP</h2><table>{head.format('TGP', unit, per)}{rows(rep['by_tgp'], 'tgp_id')}"
        "</table></body></html>"
    )

"""Op Advance targeting: recent trends in one LPA, new and intensifying hotspots, top targets.

For an LPA and an "as of" date, each recent window (the last 28 and 56 days, ending on the
as-of date inclusive) is compared with the ``baseline_days`` (365) immediately before it:

* rate ratio = (recent count / window days) / (baseline count / baseline days), per crime type,
  for all crime and per ward, with an exact test: conditional on the total ``n = recent +
  baseline``, ``recent ~ Binomial(n, w / (w + B))`` under "no change"; the two-sided p-value
  doubles the smaller tail (capped at 1);
* hotspots: Gi* (FDR) on a ``cell`` grid of the LPA for the 56-day window and for the baseline:
  **new** = hot now and not in the baseline; **intensifying** = hot in both and the cell's own
  rate ratio significantly above 1; **persistent** = hot in both otherwise;
* targets: the cells with most harm in the last 28 days, with counts, harm, their status, the
  ward, the most common crime type and location.

Exact dates need ``occurred_at`` (force extracts, the synthetic demo). With police.uk data
(months only) the windows become the last 1 and 2 whole months and the baseline the 12 months
before, and the report says so.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.crs import BNG
from planner.errors import PlannerError
from planner.hotspots.config import AdvanceConfig
from planner.hotspots.grid import make_grid, xy
from planner.schema import VIOLENT_TYPES


def rate_test(recent, baseline, w_days, b_days) -> tuple[np.ndarray, np.ndarray]:
    """Rate ratio and exact two-sided p-value (conditional binomial test), vectorised.

    Given ``n = recent + baseline`` events, ``recent`` is binomial with
    ``p0 = w_days / (w_days + b_days)`` when the rate has not changed.

    Parameters
    ----------
    recent, baseline : array_like
        Counts in the recent window and in the baseline.
    w_days, b_days : float
        Lengths of the windows (any common unit).

    Returns
    -------
    tuple of numpy.ndarray
        ``(rate ratio, p)``; the ratio is inf when only the recent window has events and NaN
        when neither has.

    Examples
    --------
    >>> rr, p = rate_test([30, 10], [30, 40], 28, 56)
    >>> rr.round(2).tolist(), p.round(4).tolist()
    ([2.0, 0.5], [0.0111, 0.0569])
    """
    from scipy import stats  # here: importing scipy.stats takes ~1 s, the app imports this module

    recent = np.asarray(recent, dtype="float64")
    baseline = np.asarray(baseline, dtype="float64")
    n = recent + baseline
    p0 = w_days / (w_days + b_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = np.where(
            baseline > 0,
            (recent / w_days) / (baseline / b_days),
            np.where(recent > 0, np.inf, np.nan),
        )
    lo = stats.binom.cdf(recent, n, p0)
    hi = stats.binom.sf(recent - 1, n, p0)
    p = np.where(n > 0, np.minimum(1.0, 2.0 * np.minimum(lo, hi)), 1.0)
    return rr, p


@dataclass
class AdvanceBriefing:
    """Tables of an Op Advance briefing and its metadata."""

    lpa: str
    as_of: date
    rates: pd.DataFrame
    wards: pd.DataFrame
    targets: gpd.GeoDataFrame
    meta: dict = field(default_factory=dict)
    map_layers: dict = field(default_factory=dict, repr=False)

    def write(self, out: str | Path) -> dict[str, str]:
        """Write rates.csv, wards.csv, targets.csv, briefing.html and summary.json to ``out``.

        Parameters
        ----------
        out : str or Path
            Folder (created when missing).

        Returns
        -------
        dict of str to str
            Kind -> path of each file written.
        """
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        files = {
            "rates": out / "rates.csv",
            "wards": out / "wards.csv",
            "targets": out / "targets.csv",
            "html": out / "briefing.html",
            "summary": out / "summary.json",
        }
        self.rates.to_csv(files["rates"], index=False)
        self.wards.to_csv(files["wards"], index=False)
        pd.DataFrame(self.targets.drop(columns="geometry")).to_csv(files["targets"], index=False)
        files["html"].write_text(self.html(), encoding="utf-8")
        files["summary"].write_text(json.dumps(self.summary(), indent=2, default=str))
        return {k: str(v) for k, v in files.items()}

    def summary(self) -> dict:
        """Return the briefing's headline figures (the JSON summary).

        Returns
        -------
        dict
            LPA, as-of date, metadata, all-crime rate ratios per window, significant rises and
            target counts.
        """
        r = self.rates[self.rates["crime_type"] == "All crime"]
        return {
            "lpa": self.lpa,
            "as_of": str(self.as_of),
            **self.meta,
            "all_crime": {
                f"rr_{int(w)}": float(rr)
                for w, rr in zip(r["window"].to_numpy(), r["rate_ratio"].to_numpy())
            },
            "significant_rises": self.rates.loc[
                self.rates["change"] == "up", ["window", "crime_type"]
            ].to_dict("records"),
            "new_hotspots": int((self.targets["status"] == "new").sum()),
            "intensifying_hotspots": int((self.targets["status"] == "intensifying").sum()),
            "targets": len(self.targets),
        }

    def html(self) -> str:
        """Render a self-contained HTML page (inline SVG map, no external requests).

        Returns
        -------
        str
            The page, with a SYNTHETIC banner when the data are synthetic.
        """
        m = self.meta
        banner = (
            '<p class="syn">SYNTHETIC DATA: simulated records from the demo workspace, NOT real police data.</p>'
            if m.get("synthetic")
            else ""
        )

        def tab(df: pd.DataFrame, cols) -> str:
            d = df[cols].copy()
            for c in d.columns:
                if d[c].dtype.kind == "f":
                    d[c] = d[c].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
            return d.to_html(index=False, escape=True, border=0)

        rates = self.rates.sort_values(["window", "p_value"])
        sig = rates[rates["significant"]]
        svg = svg_map(self.map_layers)
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Op Advance briefing: {html.escape(self.lpa)} {self.as_of}</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5em;max-width:1100px}} table{{border-collapse:collapse;font-size:13px}}
td,th{{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}} th{{background:#f3f3f3}} .syn{{background:#fde2e2;color:#900;padding:6px;font-weight:bold}}
.key span{{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}}</style></head><body>
<h1>Op Advance briefing: {html.escape(self.lpa)}</h1>{banner}
<p>As of {self.as_of}. Windows: {html.escape(m.get("windows_text", ""))}. Baseline: {html.escape(m.get("baseline_text", ""))}.
Source: {html.escape(str(m.get("source", "")))}. Rate ratios tested with an exact conditional binomial test (alpha {m.get("alpha")}).
Knife share: {html.escape(str(m.get("knife_note", "knife-crime proxy (police.uk has no knife flag)")))}.</p>
<h2>Map: top targets</h2>
<p class="key"><span style="background:#d7301f"></span>new hotspot<span style="background:#fc8d59"></span>intensifying
<span style="background:#fdcc8a"></span>persistent<span style="background:#9ecae1"></span>other target</p>
{svg}
<h2>Significant changes</h2>{tab(sig, ["window", "crime_type", "recent", "baseline", "expected", "rate_ratio", "p_value", "change"]) if len(sig) else "<p>No significant change in any crime type.</p>"}
<h2>Top target locations (last {m.get("target_window")})</h2>
{tab(self.targets, ["rank", "cell_id", "status", "ward", "location", "top_type", "recent_28", "recent_56", "harm_28", "baseline_per_28", "rate_ratio"])}
<h2>Wards</h2>{tab(self.wards.sort_values(["window", "p_value"]), ["window", "ward_code", "ward", "recent", "baseline", "rate_ratio", "p_value", "change"])}
<h2>All crime types</h2>{tab(rates, ["window", "crime_type", "recent", "baseline", "expected", "rate_ratio", "p_value", "change"])}
<p style="font-size:11px">Boundaries: Source: Office for National Statistics licensed under the Open Government Licence v.3.0.
Contains OS data &copy; Crown copyright and database right.</p>
</body></html>"""


def svg_map(layers: dict, width: int = 760) -> str:
    """Draw polygon layers as inline SVG.

    Parameters
    ----------
    layers : dict
        ``{"outline": geometry, "wards": geometries, "targets": (geometries, colours, labels)}``
        in metres; only ``outline`` is required.
    width : int
        Width in pixels; the height follows the outline's aspect.

    Returns
    -------
    str
        An ``<svg>`` element, or "" without an outline.
    """
    outline = layers.get("outline")
    if outline is None:
        return ""
    minx, miny, maxx, maxy = shapely.bounds(outline)
    sx = width / max(maxx - minx, 1.0)
    height = int((maxy - miny) * sx) + 1

    def path(g) -> str:
        g = shapely.simplify(g, 0.5 / sx)
        parts = []
        for poly in getattr(g, "geoms", [g]):
            if poly.geom_type != "Polygon":
                continue
            for ring in (poly.exterior, *poly.interiors):
                c = np.asarray(ring.coords)
                px = (c[:, 0] - minx) * sx
                py = (maxy - c[:, 1]) * sx
                parts.append("M" + " L".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py)) + " Z")
        return " ".join(parts)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" style="border:1px solid #ccc;background:#fafafa">'
    ]
    for g in layers.get("wards", []):
        out.append(f'<path d="{path(g)}" fill="none" stroke="#bbb" stroke-width="0.6"/>')
    out.append(f'<path d="{path(outline)}" fill="none" stroke="#333" stroke-width="1.5"/>')
    geoms, colours, labels = layers.get("targets", ([], [], []))
    for g, col, lab in zip(geoms, colours, labels):
        out.append(
            f'<path d="{path(g)}" fill="{col}" stroke="#444" stroke-width="0.5"><title>{html.escape(str(lab))}</title></path>'
        )
        c = g.centroid
        out.append(
            f'<text x="{(c.x - minx) * sx:.1f}" y="{(maxy - c.y) * sx - 6:.1f}" font-size="10" text-anchor="middle">{html.escape(str(lab).split(":")[0])}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


STATUS_COLOURS = {
    "new": "#d7301f",
    "intensifying": "#fc8d59",
    "persistent": "#fdcc8a",
    "": "#9ecae1",
}


def advance_briefing(
    crimes: gpd.GeoDataFrame,
    geography,
    lpa: str,
    as_of,
    config: AdvanceConfig | None = None,
    *,
    synthetic: bool = False,
    source: str = "",
) -> AdvanceBriefing:
    """Build the Op Advance briefing for ``lpa`` as of ``as_of`` (see the module docstring).

    Parameters
    ----------
    crimes : geopandas.GeoDataFrame
        A canonical crime table (timestamped, or police.uk months).
    geography : ForceGeography
        The force's areas (LPA and ward boundaries).
    lpa : str
        The LPA to brief on.
    as_of : date-like
        The briefing date (the end of the recent windows).
    config : AdvanceConfig, optional
        Windows, baseline, significance level, targeting grid and number of targets.
    synthetic : bool
        Label the briefing as synthetic data.
    source : str
        Where the crimes came from (shown in the briefing).

    Returns
    -------
    AdvanceBriefing
        Rates, wards, targets and metadata; ``write`` saves them.
    """
    from planner.hotspots.gistar import grid_gistar

    config = config or AdvanceConfig()
    as_of = pd.Timestamp(as_of).date()
    lpa_geom = geography.lpa_geometry(lpa)
    shapely.prepare(lpa_geom)
    x, y = xy(crimes)
    inl = shapely.contains_xy(lpa_geom, x, y)
    c = crimes.loc[inl]
    x, y = x[inl], y[inl]
    wlist = sorted(config.windows)
    by_day = len(c) > 0 and not c["occurred_at"].isna().any()
    if by_day:
        day = (
            c["occurred_at"].dt.tz_localize(None).dt.normalize() - pd.Timestamp(as_of)
        ).dt.days.to_numpy()
        # age in days: 0 = the as-of date
        age = -day
        units = {w: float(w) for w in wlist}
        b_units = float(config.baseline_days)
        windows_text = ", ".join(f"last {w} days" for w in wlist)
        baseline_text = f"the {config.baseline_days} days before each window"
    else:
        ym = pd.Timestamp(as_of).year * 12 + pd.Timestamp(as_of).month - 1
        mm = c["month"].astype(str)
        age = ym - (mm.str[:4].astype(int) * 12 + mm.str[5:7].astype(int) - 1).to_numpy()
        units = {w: float(max(1, round(w / 28))) for w in wlist}  # 28 -> 1 month, 56 -> 2 months
        b_units = 12.0
        windows_text = ", ".join(
            f"last {int(units[w])} month(s) (police.uk has months only; stands in for {w} days)"
            for w in wlist
        )
        baseline_text = "the 12 months before each window"
    ages = {w: (age >= 0) & (age < units[w]) for w in wlist}
    bases = {w: (age >= units[w]) & (age < units[w] + b_units) for w in wlist}
    if not any(m.any() for m in ages.values()):
        raise PlannerError(
            f"no crimes in {lpa} in the windows before {as_of}; check --as-of against the data's dates"
        )

    ctype = c["crime_type"].astype(str).to_numpy()
    groups = {
        "All crime": np.ones(len(c), bool),
        "Violent crime (violence, robbery, weapons)": np.isin(ctype, VIOLENT_TYPES),
    }
    for t in sorted(set(ctype)):
        groups[t] = ctype == t
    rows = []
    for w in wlist:
        for name, g in groups.items():
            rows.append(
                {
                    "window": w,
                    "crime_type": name,
                    "recent": int((g & ages[w]).sum()),
                    "baseline": int((g & bases[w]).sum()),
                }
            )
    rates = pd.DataFrame(rows)
    _add_tests(rates, units, b_units, config.alpha, config.min_count)

    # wards
    wards = geography.wards[geography.wards["lpa"] == lpa]
    wi = _locate_polys(wards.geometry.to_numpy(), x, y)
    wrows = []
    for w in wlist:
        rc = np.bincount(wi[(wi >= 0) & ages[w]], minlength=len(wards))
        bc = np.bincount(wi[(wi >= 0) & bases[w]], minlength=len(wards))
        wrows.append(
            pd.DataFrame(
                {
                    "window": w,
                    "ward_code": wards["ward_code"].to_numpy(),
                    "ward": wards["ward"].to_numpy(),
                    "recent": rc,
                    "baseline": bc,
                }
            )
        )
    wtab = pd.concat(wrows, ignore_index=True)
    _add_tests(wtab, units, b_units, config.alpha, config.min_count)

    # hotspots on the LPA grid
    grid = make_grid(lpa_geom, config.cell)
    pos = grid.locate(x, y)
    okp = pos >= 0
    wlong, wshort = wlist[-1], wlist[0]
    harm = c["harm"].to_numpy(dtype="float64", na_value=0.0)

    def cellsum(mask, wts=None):
        m = mask & okp
        return np.bincount(pos[m], weights=None if wts is None else wts[m], minlength=grid.n)

    rec_long = cellsum(ages[wlong])
    base_long = cellsum(bases[wlong])
    g_now = grid_gistar(grid, rec_long, config.gistar)
    g_base = grid_gistar(grid, base_long, config.gistar)
    rr_cell, p_cell = rate_test(rec_long, base_long, units[wlong], b_units)
    status = np.full(grid.n, "", dtype=object)
    status[g_now.hot & ~g_base.hot] = "new"
    both = g_now.hot & g_base.hot
    status[both & (rr_cell > 1) & (p_cell < config.alpha)] = "intensifying"
    status[both & (status == "")] = "persistent"
    harm_s = cellsum(ages[wshort], harm)
    cnt_s = cellsum(ages[wshort])
    order = np.lexsort((np.arange(grid.n), -cnt_s, -harm_s))
    top = order[: config.top]
    top = top[harm_s[top] > 0]
    # most common crime type and location per target cell
    cell_of = np.where(okp & ages[wlong], pos, -1)
    df = pd.DataFrame(
        {
            "cell": cell_of,
            "type": ctype,
            "loc": c["location"].astype("string").fillna("").to_numpy(),
        }
    )
    df = df[df["cell"].isin(top)]
    top_type = (
        df.groupby("cell")["type"].agg(lambda s: s.value_counts().index[0])
        if len(df)
        else pd.Series(dtype=object)
    )
    top_loc = (
        df.groupby("cell")["loc"].agg(lambda s: s.value_counts().index[0])
        if len(df)
        else pd.Series(dtype=object)
    )
    tx, ty = grid.centres()
    ward_of = _locate_polys(wards.geometry.to_numpy(), tx[top], ty[top])
    targets = gpd.GeoDataFrame(
        {
            "rank": np.arange(1, len(top) + 1),
            "cell_id": grid.ids[top],
            "status": status[top].astype(str),
            "ward": np.where(ward_of >= 0, wards["ward"].to_numpy()[np.clip(ward_of, 0, None)], ""),
            "location": pd.Series(top).map(top_loc).fillna("").to_numpy(),
            "top_type": pd.Series(top).map(top_type).fillna("").to_numpy(),
            "recent_28": cnt_s[top].astype(int),
            "recent_56": rec_long[top].astype(int),
            "harm_28": harm_s[top],
            "baseline_per_28": base_long[top] / b_units * units[wshort],
            "rate_ratio": rr_cell[top],
            "gi_z": g_now.z[top],
            "x": tx[top],
            "y": ty[top],
        },
        geometry=grid.geometry[top],
        crs=BNG,
    )
    meta = {
        "synthetic": bool(synthetic),
        "source": source,
        "alpha": config.alpha,
        "by_day": bool(by_day),
        "windows_text": windows_text,
        "baseline_text": baseline_text,
        "target_window": f"{wshort} days" if by_day else f"{int(units[wshort])} month(s)",
        "cell_m": config.cell,
        "new_hotspot_cells": int((status == "new").sum()),
        "intensifying_hotspot_cells": int((status == "intensifying").sum()),
        "persistent_hotspot_cells": int((status == "persistent").sum()),
    }
    if "knife_weight" in crimes.columns and "crime_type" in crimes.columns:
        from planner.hotspots.coverage import KNIFE_NOTES, knife_source

        ksrc = knife_source(crimes)
        meta["knife_source"], meta["knife_note"] = ksrc, KNIFE_NOTES[ksrc]
    layers = {
        "outline": lpa_geom,
        "wards": list(wards.geometry.to_numpy()),
        "targets": (
            list(targets.geometry.to_numpy()),
            [STATUS_COLOURS.get(s, STATUS_COLOURS[""]) for s in targets["status"]],
            [
                f"{r}: {s or 'target'} {loc}"
                for r, s, loc in zip(targets["rank"], targets["status"], targets["location"])
            ],
        ),
    }
    return AdvanceBriefing(
        lpa=lpa, as_of=as_of, rates=rates, wards=wtab, targets=targets, meta=meta, map_layers=layers
    )


def _add_tests(df: pd.DataFrame, units: dict, b_units: float, alpha: float, min_count: int) -> None:
    w = df["window"].map(units).to_numpy(dtype="float64")
    rr, p = rate_test(df["recent"].to_numpy(), df["baseline"].to_numpy(), w, b_units)
    df["expected"] = df["baseline"].to_numpy() * w / b_units
    df["rate_ratio"] = rr
    df["p_value"] = p
    enough = (df["recent"] + df["baseline"]).to_numpy() >= min_count
    df["significant"] = (p < alpha) & enough
    df["change"] = np.where(df["significant"], np.where(rr > 1, "up", "down"), "")


def _locate_polys(polys: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index of the polygon holding each point (-1 for none; the lowest index on shared edges)."""
    out = np.full(len(x), -1, dtype=np.int64)
    if len(x) == 0 or len(polys) == 0:
        return out
    pi, gi = shapely.STRtree(polys).query(shapely.points(x, y), predicate="intersects")
    order = np.lexsort((gi, pi))
    pi, gi = pi[order], gi[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    out[pi[first]] = gi[first]
    return out


def default_as_of(crimes: pd.DataFrame) -> date:
    """Return the last day with a record (or the last day of the last month for police.uk data).

    Parameters
    ----------
    crimes : pandas.DataFrame
        A canonical crime table.

    Returns
    -------
    datetime.date
        The default briefing date.
    """
    if len(crimes) and not crimes["occurred_at"].isna().all():
        return crimes["occurred_at"].max().date()
    m = pd.Period(str(crimes["month"].max()), freq="M")
    return (m.to_timestamp(how="end")).date()


#: months of crime a workspace briefing reads before its as-of month: the longest window (56
#: days, or 2 months for police.uk data) and its 12-month baseline, with room to spare
LOOKBACK_MONTHS = 16


def workspace_briefing(
    ws,
    lpa: str,
    as_of=None,
    config: AdvanceConfig | None = None,
) -> AdvanceBriefing:
    """The Op Advance briefing for ``lpa`` from a workspace's own crime series.

    What ``planner advance --workspace`` and the app's Op Advance page show: the workspace's
    crime series (:attr:`~planner.workspace.Workspace.series_table`) from :data:`LOOKBACK_MONTHS` months before ``as_of`` through its
    month, labelled synthetic when the workspace says so.

    Parameters
    ----------
    ws : planner.workspace.Workspace
        The workspace (boundaries and its crime series).
    lpa : str
        The LPA's name.
    as_of : date or str, optional
        The briefing's date; by default the workspace's today, or the last day with a crime
        when the series ends earlier (:func:`default_as_of`).
    config : AdvanceConfig, optional
        Windows, baseline and test settings.

    Returns
    -------
    AdvanceBriefing
        As :func:`advance_briefing`.
    """
    table = ws.series_table
    if table is None:
        raise PlannerError(f"workspace {ws.root} has no crime series; pass --crimes")
    everything = None
    if as_of is None:
        everything = ws.crimes(table=table)
        as_of = min(ws.today, default_as_of(everything))
    try:
        day = pd.Timestamp(as_of)
    except ValueError:
        raise PlannerError(f"the as-of date must be YYYY-MM-DD, not {as_of}") from None
    start = (day - pd.DateOffset(months=LOOKBACK_MONTHS)).strftime("%Y-%m")
    end = day.strftime("%Y-%m")
    if everything is None:
        crimes = ws.crimes(start=start, end=end, table=table)
    else:
        month = everything["month"].astype(str)
        crimes = everything.loc[(month >= start) & (month <= end)].reset_index(drop=True)
    return advance_briefing(
        crimes,
        ws.geography(),
        lpa,
        as_of,
        config,
        synthetic=ws.is_synthetic(table),
        source=f"workspace {ws.root} ({table})",
    )

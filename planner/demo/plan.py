"""Demo step: the default delivery configuration and the patrol plans of funding year 2025/26 to date.

Writes ``plan/config.json`` (the documented default :class:`~planner.planning.config.PlanConfig`
with the teams of the ``people`` step: five Guardian Taskforce teams, the fifth from
2025-11-17; one LPA team and one local-authority warden team per LPA; the neighbourhood teams
for ASB hotspot patrols) and plans the calendar quarters 2025Q2, 2025Q3 and 2025Q4 (the demo's
today is 2025-12-31) against the ``tgps`` layer, with each quarter's harm profiles from the
12 months of synthetic timestamped crime before it. Each quarter goes to
``plan/<quarter>/visits.parquet`` + ``summary.json``; all visits together to
``plan/visits.parquet``, registered as table ``plan_visits`` (synthetic) for the tracking step.
(CSV, .ics and the briefing come from ``planner schedule``; the demo keeps to what the
tracking step needs so it stays fast.)
"""

from __future__ import annotations

import json

import pandas as pd

from planner.planning.config import default_config
from planner.planning.export import write_visits
from planner.planning.schedule import plan_quarter

QUARTERS: tuple[str, ...] = ("2025Q2", "2025Q3", "2025Q4")
#: harm profiles come from the 12 months before each quarter
PROFILE_MONTHS = 12


def step(ws, rng) -> None:
    """Demo step (:data:`planner.demo.STEPS`): write the planning configuration and the quarters' patrol plans.

    Parameters
    ----------
    ws : Workspace
        The demo workspace being built.
    rng : numpy.random.Generator
        The build's random stream.
    """
    cfg = default_config(ws.teams(), ws.officers())
    cfg.save(ws.path("plan/config.json"))
    tgps = ws.tgps()
    first = pd.Timestamp(QUARTERS[0].replace("Q2", "-04-01"))
    lo = (first - pd.DateOffset(months=PROFILE_MONTHS)).strftime("%Y-%m")
    crimes = ws.crimes(
        lo,
        "2025-09",
        types=list(cfg.profile_types),
        columns=["occurred_at", "harm", "month", "crime_type", "geometry"],
    )
    month = crimes["month"].astype(str).to_numpy()
    seeds = rng.integers(0, 2**31, size=len(QUARTERS))
    frames, summaries = [], {}
    for q, seed in zip(QUARTERS, seeds, strict=True):
        qs = pd.Timestamp(f"{q[:4]}-{3 * int(q[-1]) - 2:02d}-01")
        p_lo = (qs - pd.DateOffset(months=PROFILE_MONTHS)).strftime("%Y-%m")
        p_hi = (qs - pd.DateOffset(months=1)).strftime("%Y-%m")
        sub = crimes.loc[(month >= p_lo) & (month <= p_hi)]
        plan = plan_quarter(tgps, cfg, q, crimes=sub, seed=int(seed))
        plan.summary["synthetic_inputs"] = True
        out = ws.path(f"plan/{q}")
        write_visits(plan.visits, out / "visits.parquet")
        (out / "summary.json").write_text(json.dumps(plan.summary, indent=2))
        ws.add_table(
            f"plan_visits_{q}",
            f"plan/{q}/visits.parquet",
            synthetic=True,
            description=f"SYNTHETIC demo patrol plan {q}: {plan.summary['total_hours']:,.2f} patrol-hours "
            f"planned of {plan.summary['target_hours']:,.2f} h (planner.planning)",
            rows=len(plan.visits),
        )
        frames.append(plan.visits)
        summaries[q] = {
            k: plan.summary[k]
            for k in (
                "total_hours",
                "target_hours",
                "unmet_hours",
                "officer_hours",
                "visits",
                "feasible",
                "by_method",
            )
        }
    allv = pd.concat(frames, ignore_index=True)
    write_visits(allv, ws.path("plan/visits.parquet"))
    ws.path("plan/summary.json").write_text(json.dumps(summaries, indent=2))
    ws.add_table(
        "plan_visits",
        "plan/visits.parquet",
        synthetic=True,
        description="SYNTHETIC demo patrol plans 2025Q2-2025Q4 (one row per planned visit; planner.planning)",
        rows=len(allv),
    )

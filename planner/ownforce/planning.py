"""Planning on a force's own workspace before its people tables are imported.

``planner schedule --workspace DIR`` plans with the workspace's ``plan/config.json`` or, by
default, the teams built from its ``teams`` and ``officers`` tables. A workspace made by
``planner init`` holds neither until the force imports them; :func:`assumed_config` lets it plan
anyway on a stated capacity assumption: in every LPA of the workspace one LPA patrol team
(violent TGPs) and one neighbourhood team (ASB TGPs) of ``officers_per_lpa`` officers each, with
the documented per-method defaults (:data:`planner.planning.config.METHOD_TEAM_DEFAULTS`).
"""

from __future__ import annotations

import pandas as pd

from planner.errors import PlannerError
from planner.planning.config import (
    METHOD_TEAM_DEFAULTS,
    PlanConfig,
    ShiftPattern,
    TeamConfig,
    default_config,
)
from planner.workspace import Workspace


def has_people(ws: Workspace) -> bool:
    """Whether the workspace can give its own plan configuration (config file or people tables).

    Parameters
    ----------
    ws
        The workspace.

    Returns
    -------
    bool
        True with ``plan/config.json`` or both the ``teams`` and ``officers`` tables.
    """
    return ws.path("plan/config.json").exists() or (
        ws.has_table("teams") and ws.has_table("officers")
    )


def assumed_config(ws: Workspace, officers_per_lpa: int) -> PlanConfig:
    """The default configuration with an assumed capacity in every LPA of the workspace.

    Parameters
    ----------
    ws
        The workspace (its ``lpas`` table, else the LPAs of its TGPs).
    officers_per_lpa
        Officers of each assumed team (one ``lpa_patrol`` and one ``asb_patrol`` team an LPA).

    Returns
    -------
    PlanConfig
        The checked configuration (team ids ``ASSUMED-<method>-<LPA>``).
    """
    if officers_per_lpa < 1:
        raise PlannerError("--lpa-officers must be a whole number >= 1")
    if ws.has_table("lpas"):
        lpas = sorted(pd.DataFrame(ws.read_table("lpas"))["lpa"].astype(str).unique())
    elif ws.has_table("tgps"):
        lpas = sorted(ws.tgps()["lpa"].astype(str).unique())
    else:
        raise PlannerError(f"workspace {ws.root} has no LPAs (no lpas table, no TGP layer)")
    teams = []
    for lpa in lpas:
        for method in ("lpa_patrol", "asb_patrol"):
            d = METHOD_TEAM_DEFAULTS[method]
            teams.append(
                TeamConfig(
                    team_id=f"ASSUMED-{method}-{lpa}",
                    method=method,
                    lpa=lpa,
                    officers=int(officers_per_lpa),
                    shift=ShiftPattern(bands=d["bands"], weekdays=d["weekdays"]),
                    patrol_share=d["patrol_share"],
                    abstraction_rate=d["abstraction_rate"],
                    leave_rate=d["leave_rate"],
                )
            )
    return default_config().with_teams(tuple(teams)).check()


def no_people_message(ws: Workspace) -> str:
    """The one line ``planner schedule`` prints when a workspace has nothing to plan with.

    Parameters
    ----------
    ws
        The workspace.

    Returns
    -------
    str
        What to import (or pass) to plan.
    """
    d = ws.root
    return (
        f"workspace {d} has no teams and officers to plan with: import them "
        f"(planner import teams TEAMS.csv --workspace {d}; planner import officers OFFICERS.csv "
        f"--workspace {d}), give --config FILE, or plan on an assumed capacity with "
        "--lpa-officers N"
    )

"""The seeded demo workspace: real West Midlands geography and crime, synthetic records.

The seeded demo workspace: real West Midlands boundaries and crime month, plus synthetic,
calibrated records for everything that has no open data (timestamped crime, officers, patrols,
GPS pings, engagements, abstractions). Every synthetic table is flagged in ``workspace.json``.

``build_demo(out, seed)`` runs the steps in :data:`STEPS` in order; each step is a function
``step(ws, rng)`` in its own module (``planner/demo/<name>.py``). Same seed, same workspace.
"""

from __future__ import annotations

import importlib
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from planner.workspace import Workspace, building, create_workspace

DEMO_SEED = 20251231
DEMO_TODAY = date(2025, 12, 31)
#: synthetic crime series: three funding years (1 April - 31 March)
SERIES_START, SERIES_END = "2023-04", "2026-03"

#: (module, description) in run order; a module missing from this checkout is skipped
STEPS: tuple[tuple[str, str], ...] = (
    ("boundaries", "force, LPA, neighbourhood, ward and LSOA layers (real, ONS)"),
    ("crime", "real 2018-06 month and synthetic timestamped series 2023-04..2026-03"),
    ("people", "teams, officers and postings (synthetic)"),
    ("tgps", "TGP layer derived from the first two funding years"),
    ("plan", "patrol delivery methods, teams and the default plan"),
    ("pings", "simulated GPS pings, duty periods and custody episodes (synthetic)"),
    ("records", "engagements, abstractions and tenure records (synthetic)"),
    ("targeting", "nominals, tasking, Op Advance days, POP plans, grant spend (synthetic)"),
)


def build_demo(
    out: str | Path, seed: int = DEMO_SEED, *, steps: list[str] | None = None, progress: bool = True
) -> Workspace:
    """Build the demo workspace in ``out`` (replacing an earlier one). Deterministic for a seed.

    The workspace is built in a temporary sibling folder and moved to ``out`` only when every
    step has run (:func:`planner.workspace.building`), so an interrupted build never leaves a
    workspace that commands accept.

    Parameters
    ----------
    out
        Workspace folder.
    seed
        Random seed.
    steps
        Only these steps (default all).
    progress
        Print one line per step on stderr.

    Returns
    -------
    Workspace
        The finished workspace at ``out``.
    """
    out = Path(out)
    with building(out) as stage:
        _build(stage, seed, steps, progress)
    return Workspace(out)


def _build(stage: Path, seed: int, steps: list[str] | None, progress: bool) -> None:
    ws = create_workspace(
        stage,
        name="West Midlands demo",
        today=DEMO_TODAY,
        seed=seed,
        extra={
            "notice": "Boundaries and the 2018-06 crime month are real open data (OGL v3.0). "
            "Everything flagged synthetic is simulated by planner.demo and is NOT real West Midlands Police data.",
            "series": [SERIES_START, SERIES_END],
        },
        complete=False,
    )
    for i, (name, what) in enumerate(STEPS):
        if steps is not None and name not in steps:
            continue
        try:
            mod = importlib.import_module(f"planner.demo.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"planner.demo.{name}":
                raise
            continue
        t0 = time.perf_counter()
        # one independent, reproducible stream per step
        rng = np.random.default_rng([seed, i])
        mod.step(ws, rng)
        if progress:
            print(f"  demo: {name:<10} {time.perf_counter() - t0:6.1f} s  {what}", file=sys.stderr)

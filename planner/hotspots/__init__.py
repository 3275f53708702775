"""The hotspot engine: grids, KDE, Gi*, emerging hotspots, TGPs, coverage, backtests.

Also Op Advance targeting (issue 3). Modules, by job: :mod:`~planner.hotspots.grid` (square/hex cells clipped to the force),
:mod:`~planner.hotspots.kde` (quartic KDE by FFT), :mod:`~planner.hotspots.gistar` (Gi*, BH and
Holm), :mod:`~planner.hotspots.emerging` (Mann-Kendall and Esri's 17 categories),
:mod:`~planner.hotspots.tgps` (TGP derivation and stable IDs), :mod:`~planner.hotspots.coverage`
(the coverage report), :mod:`~planner.hotspots.evaluate` (rolling-origin backtest),
:mod:`~planner.hotspots.prospective`, :mod:`~planner.hotspots.advance` (Op Advance briefing);
defaults in :mod:`~planner.hotspots.config`.
"""

from __future__ import annotations

from planner.hotspots.grid import Grid, cell_totals, make_grid

__all__ = ["Grid", "cell_totals", "make_grid"]

"""Hotspot and patrol planner for UK neighbourhood policing.

The library is split by job: ``planner.io`` reads files, ``planner.geography`` holds the
force hierarchy, ``planner.hotspots`` finds where harm concentrates, ``planner.planning``
plans patrols, ``planner.tracking`` measures delivery, ``planner.records`` keeps the
neighbourhood records and ``planner.app`` shows it all.

The main jobs are importable from the top, as geopandas and osmnx present theirs::

    import planner

    ws = planner.Workspace("workspace/demo")
    crimes = ws.crimes("2023-04", "2025-03")
    layer = planner.derive_tgps(crimes, ws.geography().study_area, ws.geography())
    report = planner.coverage_report(layer.tgps, crimes, ws.geography().study_area)
    plan = planner.plan_workspace_quarter(ws, "2025Q4", seed=2025)
    store = planner.open_store(workspace=ws)

Names are imported on first use (module ``__getattr__``), so ``import planner`` stays fast and
never imports Panel or Bokeh; ``planner.app`` is not part of this API.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> (module, attribute in that module); resolved lazily by ``__getattr__``
_API: dict[str, tuple[str, str]] = {
    "Workspace": ("planner.workspace", "Workspace"),
    "create_workspace": ("planner.workspace", "create_workspace"),
    "DEFAULT_WORKSPACE": ("planner.paths", "DEFAULT_WORKSPACE"),
    "PlannerError": ("planner.errors", "PlannerError"),
    "InputError": ("planner.errors", "InputError"),
    "ForceGeography": ("planner.geography", "ForceGeography"),
    "HarmTable": ("planner.harm", "HarmTable"),
    "VIOLENT_TYPES": ("planner.schema", "VIOLENT_TYPES"),
    "make_crimes": ("planner.schema", "make_crimes"),
    "check_crimes": ("planner.schema", "check_crimes"),
    "BNG": ("planner.crs", "BNG"),
    "to_bng": ("planner.crs", "to_bng"),
    "load_crimes": ("planner.io.crime", "load_crimes"),
    "save_crimes": ("planner.io.crime", "save_crimes"),
    "read_layer": ("planner.io.boundaries", "read_layer"),
    "load_pings": ("planner.io.pings", "load_pings"),
    "save_pings": ("planner.io.pings", "save_pings"),
    "KDEConfig": ("planner.hotspots.config", "KDEConfig"),
    "GiStarConfig": ("planner.hotspots.config", "GiStarConfig"),
    "EmergingConfig": ("planner.hotspots.config", "EmergingConfig"),
    "TGPConfig": ("planner.hotspots.config", "TGPConfig"),
    "CoverageConfig": ("planner.hotspots.config", "CoverageConfig"),
    "BacktestConfig": ("planner.hotspots.config", "BacktestConfig"),
    "AdvanceConfig": ("planner.hotspots.config", "AdvanceConfig"),
    "Grid": ("planner.hotspots.grid", "Grid"),
    "make_grid": ("planner.hotspots.grid", "make_grid"),
    "cell_totals": ("planner.hotspots.grid", "cell_totals"),
    "kde_grid": ("planner.hotspots.kde", "kde_grid"),
    "gistar": ("planner.hotspots.gistar", "gistar"),
    "grid_gistar": ("planner.hotspots.gistar", "grid_gistar"),
    "emerging_hotspots": ("planner.hotspots.emerging", "emerging_hotspots"),
    "mann_kendall": ("planner.hotspots.emerging", "mann_kendall"),
    "derive_tgps": ("planner.hotspots.tgps", "derive_tgps"),
    "read_tgps": ("planner.hotspots.tgps", "read_tgps"),
    "coverage_report": ("planner.hotspots.coverage", "coverage_report"),
    "backtest": ("planner.hotspots.evaluate", "backtest"),
    "prospective_scores": ("planner.hotspots.prospective", "prospective_scores"),
    "advance_briefing": ("planner.hotspots.advance", "advance_briefing"),
    "PlanConfig": ("planner.planning.config", "PlanConfig"),
    "default_config": ("planner.planning.config", "default_config"),
    "quarter_target_minutes": ("planner.planning.allocate", "quarter_target_minutes"),
    "plan_quarter": ("planner.planning.schedule", "plan_quarter"),
    "plan_workspace_quarter": ("planner.planning.schedule", "plan_workspace_quarter"),
    "load_workspace_config": ("planner.planning.schedule", "load_workspace_config"),
    "write_plan": ("planner.planning.export", "write_plan"),
    "ServatorConfig": ("planner.planning.servator", "ServatorConfig"),
    "plan_servator": ("planner.planning.servator", "plan_servator"),
    "sites_from_tgps": ("planner.planning.servator", "sites_from_tgps"),
    "DwellConfig": ("planner.tracking.dwell", "DwellConfig"),
    "TGPIndex": ("planner.tracking.dwell", "TGPIndex"),
    "dwell": ("planner.tracking.dwell", "dwell"),
    "place_days": ("planner.tracking.dwell", "place_days"),
    "log_rows": ("planner.tracking.logs", "log_rows"),
    "read_logs": ("planner.tracking.logs", "read_logs"),
    "delivery_report": ("planner.tracking.delivery", "delivery_report"),
    "read_plan": ("planner.tracking.delivery", "read_plan"),
    "row_methods": ("planner.tracking.delivery", "row_methods"),
    "delivered_place_days": ("planner.tracking.delivery", "delivered_place_days"),
    "visibility": ("planner.tracking.visibility", "visibility"),
    "workspace_visibility": ("planner.tracking.visibility", "workspace_visibility"),
    "read_workspace_pings": ("planner.tracking.visibility", "read_workspace_pings"),
    "crimes_per_place_day": ("planner.tracking.effect", "crimes_per_place_day"),
    "place_day_panel": ("planner.tracking.effect", "place_day_panel"),
    "within_tgp_effect": ("planner.tracking.effect", "within_tgp_effect"),
    "wdd": ("planner.tracking.effect", "wdd"),
    "wdd_from_crimes": ("planner.tracking.effect", "wdd_from_crimes"),
    "RecordStore": ("planner.records.store", "RecordStore"),
    "open_store": ("planner.records.store", "open_store"),
    "load_reference": ("planner.records.store", "load_reference"),
    "import_engagements": ("planner.records.imports", "import_engagements"),
    "import_abstractions": ("planner.records.imports", "import_abstractions"),
    "record_engagement": ("planner.records.forms", "record_engagement"),
    "record_abstraction": ("planner.records.forms", "record_abstraction"),
    "ENGAGEMENT_LEVELS": ("planner.records.analytics", "LEVELS"),
    "engagements_frame": ("planner.records.analytics", "engagements_frame"),
    "abstractions_frame": ("planner.records.analytics", "abstractions_frame"),
    "in_post": ("planner.records.analytics", "in_post"),
    "missing_handovers": ("planner.records.analytics", "missing_handovers"),
    "engagement_counts": ("planner.records.analytics", "engagement_counts"),
    "engagement_drilldown": ("planner.records.analytics", "engagement_drilldown"),
    "engagement_gaps": ("planner.records.analytics", "engagement_gaps"),
    "abstraction_summary": ("planner.records.analytics", "abstraction_summary"),
    "abstraction_objectives": ("planner.records.analytics", "abstraction_objectives"),
    "dno_vacancies": ("planner.records.analytics", "dno_vacancies"),
    "short_tenures": ("planner.records.analytics", "short_tenures"),
    "tenure_comparison": ("planner.records.analytics", "tenure_comparison"),
    "named_officers": ("planner.records.analytics", "named_officers"),
    "npp1_completion": ("planner.records.analytics", "npp1_completion"),
    "records_summary": ("planner.records.analytics", "summary"),
}

#: subpackages and modules reachable as attributes (``planner.hotspots`` ...)
_SUBMODULES = frozenset(
    {
        "crs",
        "errors",
        "geography",
        "harm",
        "io",
        "hotspots",
        "planning",
        "tracking",
        "records",
        "schema",
        "workspace",
    }
)

#: the public API (kept equal to the keys of ``_API``; a test checks)
__all__ = [
    "__version__",
    "Workspace",
    "create_workspace",
    "DEFAULT_WORKSPACE",
    "PlannerError",
    "InputError",
    "ForceGeography",
    "HarmTable",
    "VIOLENT_TYPES",
    "make_crimes",
    "check_crimes",
    "BNG",
    "to_bng",
    "load_crimes",
    "save_crimes",
    "read_layer",
    "load_pings",
    "save_pings",
    "KDEConfig",
    "GiStarConfig",
    "EmergingConfig",
    "TGPConfig",
    "CoverageConfig",
    "BacktestConfig",
    "AdvanceConfig",
    "Grid",
    "make_grid",
    "cell_totals",
    "kde_grid",
    "gistar",
    "grid_gistar",
    "emerging_hotspots",
    "mann_kendall",
    "derive_tgps",
    "read_tgps",
    "coverage_report",
    "backtest",
    "prospective_scores",
    "advance_briefing",
    "PlanConfig",
    "default_config",
    "quarter_target_minutes",
    "plan_quarter",
    "plan_workspace_quarter",
    "load_workspace_config",
    "write_plan",
    "ServatorConfig",
    "plan_servator",
    "sites_from_tgps",
    "DwellConfig",
    "TGPIndex",
    "dwell",
    "place_days",
    "log_rows",
    "read_logs",
    "delivery_report",
    "read_plan",
    "row_methods",
    "delivered_place_days",
    "visibility",
    "workspace_visibility",
    "read_workspace_pings",
    "crimes_per_place_day",
    "place_day_panel",
    "within_tgp_effect",
    "wdd",
    "wdd_from_crimes",
    "RecordStore",
    "open_store",
    "load_reference",
    "import_engagements",
    "import_abstractions",
    "record_engagement",
    "record_abstraction",
    "ENGAGEMENT_LEVELS",
    "engagements_frame",
    "abstractions_frame",
    "in_post",
    "missing_handovers",
    "engagement_counts",
    "engagement_drilldown",
    "engagement_gaps",
    "abstraction_summary",
    "abstraction_objectives",
    "dno_vacancies",
    "short_tenures",
    "tenure_comparison",
    "named_officers",
    "npp1_completion",
    "records_summary",
]

if TYPE_CHECKING:  # static checkers and IDEs see the names; at run time they load lazily
    from planner.crs import BNG, to_bng
    from planner.errors import InputError, PlannerError
    from planner.geography import ForceGeography
    from planner.harm import HarmTable
    from planner.hotspots.advance import advance_briefing
    from planner.hotspots.config import (
        AdvanceConfig,
        BacktestConfig,
        CoverageConfig,
        EmergingConfig,
        GiStarConfig,
        KDEConfig,
        TGPConfig,
    )
    from planner.hotspots.coverage import coverage_report
    from planner.hotspots.emerging import emerging_hotspots, mann_kendall
    from planner.hotspots.evaluate import backtest
    from planner.hotspots.gistar import gistar, grid_gistar
    from planner.hotspots.grid import Grid, cell_totals, make_grid
    from planner.hotspots.kde import kde_grid
    from planner.hotspots.prospective import prospective_scores
    from planner.hotspots.tgps import derive_tgps, read_tgps
    from planner.io.boundaries import read_layer
    from planner.io.crime import load_crimes, save_crimes
    from planner.io.pings import load_pings, save_pings
    from planner.paths import DEFAULT_WORKSPACE
    from planner.planning.allocate import quarter_target_minutes
    from planner.planning.config import PlanConfig, default_config
    from planner.planning.export import write_plan
    from planner.planning.schedule import (
        load_workspace_config,
        plan_quarter,
        plan_workspace_quarter,
    )
    from planner.planning.servator import ServatorConfig, plan_servator, sites_from_tgps
    from planner.records.analytics import LEVELS as ENGAGEMENT_LEVELS
    from planner.records.analytics import (
        abstraction_objectives,
        abstraction_summary,
        abstractions_frame,
        dno_vacancies,
        engagement_counts,
        engagement_drilldown,
        engagement_gaps,
        engagements_frame,
        in_post,
        missing_handovers,
        named_officers,
        npp1_completion,
        short_tenures,
        tenure_comparison,
    )
    from planner.records.analytics import summary as records_summary
    from planner.records.forms import record_abstraction, record_engagement
    from planner.records.imports import import_abstractions, import_engagements
    from planner.records.store import RecordStore, load_reference, open_store
    from planner.schema import VIOLENT_TYPES, check_crimes, make_crimes
    from planner.tracking.delivery import (
        delivered_place_days,
        delivery_report,
        read_plan,
        row_methods,
    )
    from planner.tracking.dwell import DwellConfig, TGPIndex, dwell, place_days
    from planner.tracking.effect import (
        crimes_per_place_day,
        place_day_panel,
        wdd,
        wdd_from_crimes,
        within_tgp_effect,
    )
    from planner.tracking.logs import log_rows, read_logs
    from planner.tracking.visibility import read_workspace_pings, visibility, workspace_visibility
    from planner.workspace import Workspace, create_workspace


def __getattr__(name: str) -> Any:
    """Import a public name (or a subpackage) the first time it is used.

    Parameters
    ----------
    name : str
        An entry of ``__all__`` or a subpackage name such as ``"hotspots"``.

    Returns
    -------
    Any
        The function, class or constant (cached in the module afterwards).

    Raises
    ------
    AttributeError
        When ``name`` is not part of the public API.
    """
    if name in _API:
        module, attr = _API[name]
        value = getattr(importlib.import_module(module), attr)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public API with the module's own names (for tab completion).

    Returns
    -------
    list of str
        Sorted names.
    """
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)

"""Documented defaults for the hotspot engine, in one place.

Every threshold the engine uses lives in one of these dataclasses; functions take a config
object (or keyword overrides) and never hide numbers of their own. Sources:

* Op Savvy eligibility (36-150 crimes a year, radius <= 150 m plus a 100 m buffer, centres at
  least 500 m apart) and the TGP programme shape (84 areas: 50 violence-driven, 34 ASB; 2.2% of
  the force area) are West Midlands Police's published Grip figures (see ``FIELD_GUIDE.md``).
* Gi* significance level and the FDR default follow common analyst practice (sfhotspot
  ``hotspot_gistar`` uses an FDR-corrected 0.05).
* The 90% rule and the trend test of the emerging-hotspot categories are Esri's published rules
  ("How Emerging Hot Spot Analysis works", ArcGIS Pro documentation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.schema import VIOLENT_TYPES

ASB = "Anti-social behaviour"

#: TGP eligibility rule sets: the Op Savvy rules (default) or none (planner.hotspots.targeting)
RULES = ("op-savvy", "none")


@dataclass(frozen=True)
class KDEConfig:
    """Quartic-kernel density settings.

    ``bandwidth`` in metres; ``None`` applies the default rule ``bandwidth_cells * cell``
    (two cells: wide enough to smooth police.uk snap points onto neighbouring cells, narrow
    enough to keep street-scale detail; never below one cell, which raises an error).
    ``oversample`` (odd) sub-cells per cell side used for binning before the FFT convolution;
    with linear binning, 3 keeps the error against exact summation to about 1.2-1.7% of the
    peak density at worst and about 1% of the mean density on average for a bandwidth of 2
    cells on police.uk and demo points (measured in
    ``docs/benchmarks/hotspots.md``). On square grids, when the kernel needs at most
    ``direct_max_taps`` shifted additions (bandwidths up to about 4 cells) the convolution is
    evaluated at the cell centres only (phase decimation); wider kernels and hexagons use the
    FFT of the fine raster. Both give the same numbers. On square grids whose points sit on
    few distinct locations (police.uk snap points) the kernel is instead summed exactly from
    each location (``method="auto"``; see :mod:`planner.hotspots.kde`).
    """

    bandwidth: float | None = None
    bandwidth_cells: float = 2.0
    oversample: int = 3
    direct_max_taps: int = 1200
    #: "auto": on square grids, sum the kernel exactly from each distinct location when
    #: locations are few (police.uk snap points: ``snap_max_fraction`` of the points or fewer),
    #: else bin on the fine raster; "snap" or "binned" force one path.
    method: str = "auto"
    snap_resolution: float = 0.01
    snap_max_fraction: float = 0.5


@dataclass(frozen=True)
class GiStarConfig:
    """Getis-Ord Gi* settings.

    ``neighbours``: ``"queen"`` (the 8 surrounding squares or 6 hexagons, plus the cell itself)
    or ``"distance"`` (every cell whose centre is within ``distance`` metres, itself included).
    ``alpha`` is the significance level applied to the corrected p-values (``correction`` is
    ``"fdr_bh"``, ``"holm"`` or ``"none"``).
    """

    neighbours: str = "queen"
    distance: float | None = None
    alpha: float = 0.05
    correction: str = "fdr_bh"


@dataclass(frozen=True)
class EmergingConfig:
    """Emerging hotspot analysis (Esri's rules). ``share`` is the "90% of time steps" rule."""

    alpha: float = 0.05
    trend_alpha: float = 0.05
    share: float = 0.9
    correction: str = "fdr_bh"


@dataclass(frozen=True)
class TGPConfig:
    """TGP derivation defaults (WMP Op Savvy rules and the Grip programme shape).

    Counts are per year of the derivation window (annualised). ``cell`` is the resolution of the
    candidate-centre grid. A violent-crime TGP is labelled ``robbery`` (``knife``) when its
    robbery (knife-proxy) share of violent offences is at least ``driver_lq`` times the force
    share, checked in that order; otherwise ``violence``.

    ``rules``: ``"op-savvy"`` applies the eligibility rules above; ``"none"`` drops them and
    maximises the relevant offences (``rank_by="count"``) or their harm (``"harm"``) held in at
    most ``n_total`` areas within ``area_share``; its areas are unions of ``union_cell`` cells
    (joined over ``union_smooth`` cells; 100 m and 0 held the most offences out of sample on
    the demo and the Leicestershire series, ``docs/backtest.md``); when every area is complete
    and budget is left, further groups of offence cells are attached across at most
    ``union_gap`` empty cells. Under ``"none"``,
    ``n_violent`` is not used: an area's ``kind`` is the family with more offences in it.
    """

    area_share: float = 0.022
    n_total: int = 84
    n_violent: int = 50
    min_per_year: float = 36.0
    max_per_year: float = 150.0
    radius: float = 150.0
    buffer: float = 100.0
    min_separation: float = 500.0
    cell: float = 50.0
    violent_types: tuple[str, ...] = VIOLENT_TYPES
    asb_types: tuple[str, ...] = (ASB,)
    rank_by: str = "harm"
    require_hotspot: bool = True
    exclude_near_over_max: bool = True
    hotspot_cell: float = 150.0
    hotspot_alpha: float = 0.05
    driver_lq: float = 1.5
    min_ward_share: float = 0.05
    id_prefix: str = "TGP-"
    id_min_overlap: float = 0.25
    circle_resolution: int = 16
    rules: str = "op-savvy"
    union_cell: float = 100.0
    union_smooth: int = 0
    union_gap: int = 3

    @property
    def n_asb(self) -> int:
        """Number of ASB areas (the total less the violent-crime areas)."""
        return self.n_total - self.n_violent


#: the default TGP derivation window (YYYY-MM, inclusive): two funding years, FY2023 and FY2024,
#: as the demo derives its layer; the app re-derives over it when the crime table covers it
TGP_WINDOW: tuple[str, str] = ("2023-04", "2025-03")

#: columns a TGP derivation, coverage report or grid analysis reads from a crime table
ANALYSIS_COLUMNS: tuple[str, ...] = ("crime_type", "month", "harm", "knife_weight", "geometry")


def tgp_types(cfg: TGPConfig | None = None) -> list[str]:
    """The offence types a TGP derivation reads (violence, then ASB).

    Parameters
    ----------
    cfg : TGPConfig, optional
        The derivation's configuration (default :class:`TGPConfig`).

    Returns
    -------
    list of str
        ``[*cfg.violent_types, *cfg.asb_types]``.
    """
    cfg = cfg or TGPConfig()
    return [*cfg.violent_types, *cfg.asb_types]


@dataclass(frozen=True)
class CoverageConfig:
    """Which offences the coverage report calls "relevant", and how harm is counted.

    Default: violence, robbery, possession of weapons and ASB, the offences the TGPs target;
    harm is counted over the relevant offences only (default) or over all crime.
    """

    relevant_types: tuple[str, ...] = (*VIOLENT_TYPES, ASB)
    harm_relevant_only: bool = True


@dataclass(frozen=True)
class BacktestConfig:
    """Rolling-origin backtest settings.

    ``recent_months``: window of ``counts_recent``. ``prospective_*``: the prospective
    (Bowers-Johnson-Pease) weight ``1 / ((1 + d) (1 + t))`` with ``d`` in cells up to
    ``prospective_cells`` and ``t`` in months up to ``prospective_months`` back.
    ``curve`` area shares run from 0 to ``curve_max`` in ``curve_steps`` steps.
    """

    recent_months: int = 3
    kde_bandwidth_cells: float = 2.0
    prospective_cells: int = 2
    prospective_months: int = 6
    curve_max: float = 0.10
    curve_steps: int = 20
    n_origins: int | None = None
    step_months: int = 1
    types: tuple[str, ...] | None = None
    methods: tuple[str, ...] = ("counts", "counts_recent", "kde", "gistar", "prospective")


@dataclass(frozen=True)
class AdvanceConfig:
    """Op Advance briefing settings.

    Recent windows (days) against a baseline of ``baseline_days`` immediately before each
    window; ``alpha`` for the exact rate-ratio test; ``cell`` of the targeting grid; ``top``
    target locations listed.
    """

    windows: tuple[int, ...] = (28, 56)
    baseline_days: int = 365
    alpha: float = 0.05
    cell: float = 150.0
    top: int = 20
    min_count: int = 5
    gistar: GiStarConfig = field(default_factory=GiStarConfig)

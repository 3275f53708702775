"""Plausibility limits of a crime load (light: the CLI reads its defaults at parse time)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadLimits:
    """Plausibility limits of a crime load (refusals rather than silent wrong answers).

    Attributes
    ----------
    earliest_month
        Months (and timestamps) before this ``YYYY-MM`` are rejected as "date too early"
        (police.uk starts in 2010-12; older force records are kept back to 1990).
    max_outside_share
        When a boundary is given and more than this share of the rows with valid
        coordinates fall outside it, the load is refused: the boundary is almost certainly
        in the wrong CRS (or the wrong force). 1.0 turns the check off.
    """

    earliest_month: str = "1990-01"
    max_outside_share: float = 0.99

"""The unit of the patrol-hours target, one definition for planning, delivery and exports.

The Grip / Hotspot Grant target (33,323 h a year for West Midlands Police) can be counted in:

* ``"patrol-hours"`` (default): minutes of visible presence in a TGP, whatever the crew size
  (a double-crewed 15-minute visit counts 15 minutes); planned ``minutes`` of a plan compare
  with tracked ``presence_minutes``;
* ``"officer-hours"``: patrol-hours times the crew (the same visit counts 30 minutes); planned
  ``officer_minutes`` compare with tracked ``officer_minutes``.

A force chooses one (``PlanConfig.target_unit``, ``DeliveryConfig.target_unit``); every figure
that is compared with the target names the unit (:func:`label`).
"""

from __future__ import annotations

from planner.errors import PlannerError

PATROL_HOURS = "patrol-hours"
OFFICER_HOURS = "officer-hours"
#: the units the target can be counted in (the first is the default)
UNITS: tuple[str, ...] = (PATROL_HOURS, OFFICER_HOURS)
#: what each unit counts, for reports and exports
MEANING = {
    PATROL_HOURS: "patrol-hours: minutes of visible presence in a TGP, whatever the crew size",
    OFFICER_HOURS: "officer-hours: patrol-hours x crew (a double-crewed hour counts two)",
}
#: the planned column (visits) and the tracked column (place-days) of each unit
PLANNED_COLUMN = {PATROL_HOURS: "minutes", OFFICER_HOURS: "officer_minutes"}
TRACKED_COLUMN = {PATROL_HOURS: "presence_minutes", OFFICER_HOURS: "officer_minutes"}


def check_unit(unit: str) -> str:
    """``unit`` when it is one of :data:`UNITS`, else a :class:`PlannerError`.

    Parameters
    ----------
    unit : the unit name.

    Returns
    -------
    str
    """
    if unit not in UNITS:
        raise PlannerError(f"unknown hours unit {unit!r}; choose from {', '.join(UNITS)}")
    return unit


def label(hours: float, unit: str, digits: int = 1) -> str:
    """``"8,330.8 patrol-hours"``: a figure with its unit.

    Parameters
    ----------
    hours : the figure.
    unit : one of :data:`UNITS`.
    digits : decimals.

    Returns
    -------
    str
    """
    return f"{hours:,.{digits}f} {check_unit(unit)}"

"""Planned against delivered hours and visits per TGP and per LPA, up to a day.

What the app's Coverage and delivery page shows, as library calls: :func:`tgp_delivery` (hours
per TGP and the share delivered), :func:`tgp_visits` (one TGP's planned and delivered visits)
and :func:`lpa_delivery` (the same hours summed per LPA).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from planner.tracking.delivery import DeliveryReport, planned_place_days

#: columns :func:`tgp_delivery` adds
DELIVERY_COLUMNS: tuple[str, ...] = ("planned_hours", "delivered_hours", "delivered_pct")


def _to_day(frame: pd.DataFrame, as_of: date | str | None) -> pd.DataFrame:
    if as_of is None:
        return frame
    return frame[pd.to_datetime(frame["date"]) <= pd.Timestamp(as_of)]


def _delivered(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows that count each place-day once.

    Per-method tables (``delivered_place_days``) carry a ``method="all"`` row beside the
    per-method rows, and only that row is kept.
    """
    if "method" in frame and (frame["method"] == "all").any():
        return frame[frame["method"] == "all"]
    return frame


def _pct(delivered: pd.Series, planned: pd.Series) -> pd.Series:
    """100 x delivered / planned, to one decimal; NaN where nothing was planned."""
    return (100 * delivered / planned.where(planned > 0)).round(1)


def tgp_delivery(
    tgps: pd.DataFrame,
    plan_visits: pd.DataFrame | None = None,
    place_days: pd.DataFrame | None = None,
    as_of: date | str | None = None,
    *,
    report: DeliveryReport | None = None,
) -> pd.DataFrame:
    """Planned and delivered hours of every TGP, and the share delivered, up to ``as_of``.

    Parameters
    ----------
    tgps : DataFrame
        One row per TGP with ``tgp_id`` (other columns, e.g. ``lpa`` or a geometry, are kept).
    plan_visits : DataFrame, optional
        The plan (``tgp_id, date, minutes``...; :func:`planner.tracking.delivery.read_plan`).
        Planned hours are its planned place-day minutes
        (:func:`~planner.tracking.delivery.planned_place_days`) up to ``as_of``.
    place_days : DataFrame, optional
        Tracked place-days (``tgp_id, date, presence_minutes``); delivered hours are their
        presence minutes up to ``as_of``.
    as_of : date or str, optional
        Last day counted (all days when None).
    report : DeliveryReport, optional
        A :func:`~planner.tracking.delivery.delivery_report`: when given, its per-TGP planned
        and delivered hours are used instead of ``plan_visits`` and ``place_days``.

    Returns
    -------
    DataFrame
        ``tgps`` with ``planned_hours``, ``delivered_hours`` (0 for a TGP with none) and
        ``delivered_pct`` (100 x delivered / planned, one decimal; NaN when none planned).
    """
    if report is not None:
        by = report.by["tgp_id"].set_index("tgp_id")
        planned, delivered = by["planned_hours"], by["delivered_hours"]
    else:
        if plan_visits is None or place_days is None:
            raise ValueError("tgp_delivery needs a report, or plan_visits and place_days")
        plan = _to_day(plan_visits, as_of)
        planned = planned_place_days(plan).groupby("tgp_id")["planned_minutes"].sum() / 60.0
        pdays = _to_day(_delivered(place_days), as_of)
        delivered = pdays.groupby("tgp_id")["presence_minutes"].sum() / 60.0
    out = tgps.copy()
    out["planned_hours"] = out["tgp_id"].map(planned).fillna(0.0).to_numpy(dtype="float64")
    out["delivered_hours"] = out["tgp_id"].map(delivered).fillna(0.0).to_numpy(dtype="float64")
    out["delivered_pct"] = _pct(out["delivered_hours"], out["planned_hours"])
    return out.reset_index(drop=True)


def tgp_visits(
    tgp_id: str,
    plan_visits: pd.DataFrame,
    place_days: pd.DataFrame,
    as_of: date | str | None = None,
) -> tuple[int, int | None]:
    """One TGP's planned visits and delivered (tracked) visits up to ``as_of``.

    Parameters
    ----------
    tgp_id : str
        The TGP.
    plan_visits : DataFrame
        The plan, one row per planned visit (``tgp_id, date``).
    place_days : DataFrame
        Tracked place-days (``tgp_id, date`` and, when counted, ``visits``); of a per-method
        table only the ``method="all"`` rows are counted.
    as_of : date or str, optional
        Last day counted (all days when None).

    Returns
    -------
    tuple of (int, int or None)
        Planned visits, and delivered visits (None when ``place_days`` has no ``visits``).
    """
    plan = _to_day(plan_visits, as_of)
    planned = int((plan["tgp_id"] == tgp_id).sum())
    pdays = _to_day(_delivered(place_days), as_of)
    if "visits" not in pdays:
        return planned, None
    return planned, int(pdays.loc[pdays["tgp_id"] == tgp_id, "visits"].sum())


def lpa_delivery(per_tgp: pd.DataFrame) -> pd.DataFrame:
    """Planned and delivered hours summed per LPA, and the share delivered.

    Parameters
    ----------
    per_tgp : DataFrame
        :func:`tgp_delivery` output with an ``lpa`` column.

    Returns
    -------
    DataFrame
        ``lpa, planned_hours, delivered_hours, delivered_pct`` (hours to one decimal), one row
        per LPA in name order.
    """
    g = per_tgp.groupby("lpa")[["planned_hours", "delivered_hours"]].sum()
    g["delivered_pct"] = _pct(g["delivered_hours"], g["planned_hours"])
    return g.round(1).reset_index()

"""The tables a workspace can hold: schema, key, what reads them, and how to import them.

One :class:`TableSpec` per ``planner import KIND``; docs/data.md documents the same schemas.
Column types: ``text``, ``int``, ``float``, ``bool``, ``date`` (a calendar day),
``datetime`` (local Europe/London unless an offset is given) and ``category`` (one of the
allowed values, extended or translated by ``--vocabulary``).
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.planning.config import METHODS
from planner.records.vocab import ROLES

TEAM_KINDS: tuple[str, ...] = ("neighbourhood", "gtf", "lpa_patrol", "asb_patrol", "la_patrol")
EPISODE_KINDS: tuple[str, ...] = ("custody", "investigation")
STATION_KINDS: tuple[str, ...] = ("station", "custody_suite")
TGP_DRIVERS: tuple[str, ...] = ("violence", "robbery", "knife", "asb")


@dataclass(frozen=True)
class Column:
    """One column of a table schema.

    Attributes
    ----------
    name
        Canonical column name.
    type
        ``text``, ``int``, ``float``, ``bool``, ``date``, ``datetime`` or ``category``.
    required
        A blank value rejects the row (and the column must be present).
    allowed
        Allowed values of a ``category`` column.
    ref
        Checked against the workspace: ``ward_code``, ``lpa`` (name or code), ``nbh_code``
        or ``tgp_id`` (when the workspace has TGPs).
    description
        One line for docs and messages.
    """

    name: str
    type: str = "text"
    required: bool = True
    allowed: tuple[str, ...] = ()
    ref: str | None = None
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """How ``planner import KIND`` reads, checks and stores one table.

    Attributes
    ----------
    kind
        The ``planner import`` kind.
    table
        Workspace table name.
    path
        File (or folder) relative to the workspace.
    columns
        Schema (generic tables; crimes, tgps, pings and records have their own readers).
    key
        Columns identifying a row: a re-imported row with a stored key replaces it.
    unlocks
        Pages and commands that read the table.
    points
        The table has a point geometry from ``x, y`` (EPSG:27700) or ``longitude, latitude``.
    intervals
        ``start`` and ``end`` columns, ``end`` after ``start``.
    note
        How the table is imported when it is not a generic table.
    """

    kind: str
    table: str
    path: str
    columns: tuple[Column, ...] = ()
    key: tuple[str, ...] = ()
    unlocks: tuple[str, ...] = ()
    points: bool = False
    intervals: bool = False
    note: str = ""
    description: str = ""


_T, _I, _F, _B, _D, _DT, _C = "text", "int", "float", "bool", "date", "datetime", "category"

SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "crimes",
        "crimes_real",
        "crime/crimes.parquet",
        unlocks=(
            "Hotspots page",
            "planner hotspots/tgps/coverage/backtest/advance --workspace",
            "Advance page",
        ),
        note="police.uk street CSVs, month folders or zips, or a force extract with --mapping "
        "(planner load's formats); a re-imported month replaces the stored month",
        description="the force's crimes (canonical crime schema, EPSG:27700)",
    ),
    TableSpec(
        "tgps",
        "tgps",
        "tgps.gpkg",
        unlocks=("Hotspots page (TGP layer)", "Plan page", "Delivery page", "planner coverage"),
        note="a polygon layer (GeoJSON, GeoPackage, Shapefile, GeoParquet); tgp_id, driver and "
        "kind columns optional (--driver, --asb); the layer replaces the stored one",
        description="the force's own TGP polygons",
    ),
    TableSpec(
        "officers",
        "officers",
        "people/officers.parquet",
        (
            Column("officer_id", description="the force's officer or staff number"),
            Column("name", required=False),
            Column("role", _C, allowed=ROLES),
            Column("team_id", required=False),
            Column("lpa", required=False, ref="lpa"),
            Column("ward_code", required=False, ref="ward_code"),
            Column("start_date", _D, required=False),
            Column("npp1_trained", _B, required=False),
        ),
        key=("officer_id",),
        unlocks=("Neighbourhoods page", "planner records summary", "planner schedule"),
    ),
    TableSpec(
        "teams",
        "teams",
        "people/teams.parquet",
        (
            Column("team_id"),
            Column("name"),
            Column("kind", _C, allowed=TEAM_KINDS),
            Column("lpa", ref="lpa"),
            Column("nbh_code", required=False, ref="nbh_code"),
            Column("start_date", _D, required=False),
        ),
        key=("team_id",),
        unlocks=("Plan page", "planner schedule", "Neighbourhoods page"),
    ),
    TableSpec(
        "postings",
        "postings",
        "people/postings.parquet",
        (
            Column("officer_id"),
            Column("role", _C, allowed=ROLES),
            Column("ward_code", ref="ward_code"),
            Column("team_id", required=False),
            Column("start", _D),
            Column("end", _D, required=False, description="empty = in post"),
        ),
        key=("officer_id", "ward_code", "start"),
        unlocks=("Neighbourhoods page (tenure, vacancies)", "planner records summary"),
        intervals=True,
    ),
    TableSpec(
        "duty_periods",
        "duty_periods",
        "track/duty_periods.parquet",
        (Column("officer_id"), Column("start", _DT), Column("end", _DT)),
        key=("officer_id", "start"),
        unlocks=("Delivery page (visibility)", "planner visibility"),
        intervals=True,
    ),
    TableSpec(
        "custody_episodes",
        "custody_episodes",
        "track/custody_episodes.parquet",
        (
            Column("officer_id"),
            Column("start", _DT),
            Column("end", _DT),
            Column("kind", _C, allowed=EPISODE_KINDS),
        ),
        key=("officer_id", "start"),
        unlocks=("Delivery page (visibility)", "planner visibility"),
        intervals=True,
    ),
    TableSpec(
        "stations",
        "stations",
        "track/stations.parquet",
        (
            Column("station_id"),
            Column("name"),
            Column("kind", _C, allowed=STATION_KINDS),
            Column("lpa", required=False, ref="lpa"),
        ),
        key=("station_id",),
        unlocks=("Delivery page (visibility)", "planner visibility"),
        points=True,
    ),
    TableSpec(
        "patrol_logs",
        "patrol_logs",
        "track/patrol_logs.parquet",
        (
            Column("officer_id", required=False),
            Column("team_id", required=False),
            Column("tgp_id", ref="tgp_id"),
            Column("start", _DT),
            Column("end", _DT),
            Column("method", _C, allowed=METHODS),
            Column("crew", _I, required=False),
        ),
        key=("officer_id", "team_id", "tgp_id", "start"),
        unlocks=("Delivery page", "planner track"),
        intervals=True,
    ),
    TableSpec(
        "pings",
        "pings",
        "pings",
        unlocks=("Delivery page (GPS)", "planner track", "planner visibility"),
        note="GPS ping CSV or Parquet (planner.io.pings columns, --mapping for others); "
        "stored per month, a re-imported day replaces the stored day",
        description="GPS pings (canonical ping frame)",
    ),
    TableSpec(
        "plans",
        "plan_visits",
        "plan/visits.parquet",
        (
            Column("visit_id"),
            Column("tgp_id", ref="tgp_id"),
            Column("team_id"),
            Column("method", _C, allowed=METHODS),
            Column("date", _D),
            Column("start", _DT),
            Column("end", _DT),
            Column("minutes", _F, required=False),
            Column("crew", _I, required=False),
            Column("officer_minutes", _F, required=False),
            Column("band", required=False),
            Column("pinned", _B, required=False),
        ),
        key=("visit_id",),
        unlocks=("Plan page", "Delivery page (plan against delivery)"),
        intervals=True,
    ),
    TableSpec(
        "calls",
        "calls",
        "demand/calls.parquet",
        (
            Column("call_id", description="the force's incident or call reference"),
            Column("time", _DT, description="when the call was received"),
            Column("category", description="the force's call category (opening code)"),
            Column("priority", required=False, description="grade or priority, as recorded"),
        ),
        key=("call_id",),
        unlocks=("planner hotspots/tgps --workspace --demand calls",),
        points=True,
        description="calls for service (demand), an optional input layer for hotspots and TGPs",
    ),
    TableSpec(
        "engagements",
        "records_store",
        "records.sqlite",
        unlocks=("Neighbourhoods page", "planner records summary"),
        note="engagement-tracker export into the records store (planner.records.imports: "
        "record_id, occurred_at, officer_id, ward_code, engagement_type, method, priority_group, "
        "minority_group); --vocabulary maps the force's categories",
    ),
    TableSpec(
        "abstractions",
        "records_store",
        "records.sqlite",
        unlocks=("Neighbourhoods page", "planner records summary"),
        note="abstraction-app export into the records store (record_id, officer_id, "
        "authorised_by, authoriser_level, abstraction_type, destination, start, hours)",
    ),
    # issue 19: targeting by need, imported by planner.tasking.imports (schemas: docs/data.md)
    *(
        TableSpec(
            k,
            "records_store",
            "records.sqlite",
            unlocks=("Tasking page", f"planner {c}"),
            note=f"{d} into the records store (planner.tasking.imports)",
        )
        for k, c, d in (
            ("nominals", "people rank", "pseudonymised offender list, one row per offence"),
            ("victims", "people victims", "pseudonymised victim list, one row per victimisation"),
            ("tasking", "tasking list|review", "multi-agency tasking meeting items"),
            ("pop", "pop list", "SYV POP problem-solving plans per TGP (SARA)"),
            ("spend", "pop spend", "hotspot grant spend lines by method and TGP"),
        )
    ),
)

KINDS: dict[str, TableSpec] = {s.kind: s for s in SPECS}
#: geography tables written by ``planner init`` (not importable one by one)
GEOGRAPHY_TABLES: tuple[str, ...] = ("force", "lpas", "neighbourhoods", "wards", "lsoas")


def spec(kind: str) -> TableSpec:
    """The spec of an import kind.

    Parameters
    ----------
    kind
        One of :data:`KINDS`.

    Returns
    -------
    TableSpec
        Its schema and storage.
    """
    from planner.errors import PlannerError

    if kind not in KINDS:
        raise PlannerError(f"unknown table kind '{kind}'; choose one of {', '.join(sorted(KINDS))}")
    return KINDS[kind]


def import_command(kind: str, workspace: str = "DIR") -> str:
    """The ``planner import`` command that fills a table (for notices and ``planner status``).

    Parameters
    ----------
    kind
        Import kind.
    workspace
        Workspace folder as shown.

    Returns
    -------
    str
        The command line.
    """
    what = {"crimes": "MONTHS_FOLDER", "tgps": "TGPS.gpkg", "pings": "PINGS.csv"}.get(
        kind, f"{kind.upper()}.csv"
    )
    return f"planner import {kind} {what} --workspace {workspace}"


def kind_of_table(table: str) -> str | None:
    """The import kind that fills a workspace table (None for geography and derived tables).

    Parameters
    ----------
    table : str
        Workspace table name.

    Returns
    -------
    str or None
        The ``planner import`` kind.
    """
    for s in SPECS:
        if s.table == table:
            return s.kind
    return None

"""Planning configuration: target, dosage, time bands, delivery methods, teams and capacity.

Every number the planner uses lives here as a documented dataclass default, never inside a
function. A configuration is plain data: :meth:`PlanConfig.to_dict` / :meth:`PlanConfig.from_dict`
round-trip it through JSON (the demo writes ``plan/config.json``).

Counting convention
-------------------
The Grip / Hotspot Grant target (33,323 h a year for West Midlands Police) is counted here in
**patrol-hours**: minutes of visible presence in a TGP, whatever the crew size. Officer-hours
(patrol-hours x crew) are reported alongside and never mixed with patrol-hours: a double-crewed
15-minute visit is 15 patrol-minutes and 30 officer-minutes. Planned patrol-hours compare with
tracked presence-hours, planned officer-hours with tracked officer-hours.

Defaults marked *assumption* are planning assumptions for the demo, not published WMP figures;
a force replaces them with its own (duty rosters, abstraction returns).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from planner.errors import PlannerError

#: the funded visible-patrol target for WMP, hours per funding year (Home Office Grip)
ANNUAL_TARGET_HOURS = 33323
#: funding years run 1 April - 31 March
FY_START_MONTH = 4
#: delivery methods (the ``method`` column of ``visits.parquet``)
METHODS: tuple[str, ...] = ("gtf", "lpa_patrol", "asb_patrol", "la_patrol")


@dataclass(frozen=True)
class TimeBand:
    """A band of the day, ``[start_hour, end_hour)`` in local time (Europe/London)."""

    label: str
    start_hour: int
    end_hour: int

    @property
    def minutes(self) -> int:
        """Length of the band in minutes."""
        return (self.end_hour - self.start_hour) * 60


#: six four-hour bands (the benchmark's "6 time bands")
DEFAULT_BANDS: tuple[TimeBand, ...] = tuple(
    TimeBand(f"{h:02d}-{h + 4:02d}", h, h + 4) for h in range(0, 24, 4)
)

#: Default day-of-week x band harm profile for month-only data (rows Monday..Sunday, columns the
#: six default bands). *Assumption*, documented: the relative shape of violence and ASB in
#: England and Wales by time of day (peaks in the evening and late night, higher on Friday and
#: Saturday nights, lowest 04-08), as seen in force incident data and the ONS "nature of
#: violent crime" tables. Only the shape matters (rows are rescaled); replace with a force's
#: own profile when timestamped data exists (``profiles.harm_profiles`` does that per TGP).
DEFAULT_PROFILE: tuple[tuple[float, ...], ...] = (
    (0.6, 0.2, 0.8, 1.1, 1.3, 1.0),  # Monday
    (0.6, 0.2, 0.8, 1.1, 1.3, 1.0),  # Tuesday
    (0.6, 0.2, 0.8, 1.1, 1.3, 1.1),  # Wednesday
    (0.7, 0.2, 0.8, 1.1, 1.4, 1.2),  # Thursday
    (0.8, 0.2, 0.8, 1.2, 1.5, 1.6),  # Friday
    (1.5, 0.4, 0.7, 1.2, 1.5, 1.8),  # Saturday
    (1.5, 0.4, 0.6, 1.0, 1.2, 1.1),  # Sunday
)


@dataclass(frozen=True)
class Dosage:
    """Koper-curve dosage rules (see FIELD_GUIDE, Patrols).

    Attributes
    ----------
    visit_minutes : int
        Planned length of a visit (15: the Koper "sweet spot" is 11-15 minutes).
    min_visit_minutes : int
        Shortest visit that deters (10); no visit is ever planned shorter.
    max_visit_minutes : int
        Longest single visit (30); longer presence is split into more visits.
    min_gap_minutes : int
        Minimum time between the end of one visit to a TGP and the start of the next (45).
    max_visits_per_slot : int
        Cap on visits to one TGP in one time band on one day (3).
    top_tgps : int
        How many of the highest-harm TGPs get a guaranteed minimum number of visits a day (10).
    min_daily_visits_top : int
        That minimum (3 a day).
    min_daily_visits : int
        Minimum visits a day at every TGP (1), so no place goes a day unpatrolled.
    """

    visit_minutes: int = 15
    min_visit_minutes: int = 10
    max_visit_minutes: int = 30
    min_gap_minutes: int = 45
    max_visits_per_slot: int = 3
    top_tgps: int = 10
    min_daily_visits_top: int = 3
    min_daily_visits: int = 1

    def check(self, bands: tuple[TimeBand, ...]) -> None:
        """Check the dosage against the time bands.

        Parameters
        ----------
        bands : tuple of TimeBand
            The configured bands (a visit must fit in one).

        Raises
        ------
        PlannerError
            When the visit lengths are out of order, under 10 minutes or longer than a band.
        """
        if self.min_visit_minutes < 10:
            raise PlannerError("dosage: min_visit_minutes must be at least 10 (Koper curve)")
        if not self.min_visit_minutes <= self.visit_minutes <= self.max_visit_minutes:
            raise PlannerError(
                "dosage: need min_visit_minutes <= visit_minutes <= max_visit_minutes"
            )
        if self.max_visits_per_slot < 1:
            raise PlannerError("dosage: max_visits_per_slot must be at least 1")
        shortest = min(b.minutes for b in bands)
        k = self.max_visits_per_slot
        need = (
            k * self.max_visit_minutes
            + (k - 1) * self.min_gap_minutes
            + 2 * ((self.min_gap_minutes + 1) // 2)
        )
        if need > shortest:
            raise PlannerError(
                f"dosage: {k} visits of up to {self.max_visit_minutes} min with "
                f"{self.min_gap_minutes}-min gaps need {need} min but the shortest band is {shortest} min"
            )


@dataclass(frozen=True)
class MethodConfig:
    """A delivery method.

    Attributes
    ----------
    name : str
        One of :data:`METHODS`.
    crew : int
        Officers per visit (2 = double-crewed): officer-minutes = minutes x crew.
    eligible_kinds : tuple of str
        TGP kinds the method patrols ("violent", "asb").
    local : bool
        True when a team only patrols TGPs in its own LPA.
    preference : float
        Small tie-break in the objective (higher = used first when several methods could
        deliver a visit); it never outweighs harm.
    """

    name: str
    crew: int
    eligible_kinds: tuple[str, ...]
    local: bool
    preference: float = 0.0


#: *assumption*: Guardian Taskforce patrols double-crewed and force-wide; LPA teams single-crewed
#: on the violent-crime TGPs of their LPA; neighbourhood (local policing) ASB patrols single;
#: local-authority wardens in pairs on ASB hotspots. Preference: the committed local hours
#: (wardens, scheduled ASB patrols, LPA analytical schedule) are used first and the taskforce,
#: the flexible force-wide resource, covers the rest.
DEFAULT_METHODS: tuple[MethodConfig, ...] = (
    MethodConfig("gtf", 2, ("violent", "asb"), local=False, preference=0.0),
    MethodConfig("lpa_patrol", 1, ("violent",), local=True, preference=0.01),
    MethodConfig("asb_patrol", 1, ("asb",), local=True, preference=0.02),
    MethodConfig("la_patrol", 2, ("asb",), local=True, preference=0.03),
)


@dataclass(frozen=True)
class ShiftPattern:
    """When a team works.

    Attributes
    ----------
    bands : tuple of str
        Band labels the team's shifts cover (e.g. an early and a late shift cover 08-24).
    weekdays : tuple of int
        Weekdays the team works (0 = Monday).
    shift_hours : float
        Length of one officer's shift (8 h).
    duty_days : float
        Shifts an officer works per week (5 of 7 on a standard rota).

    Each officer's ``duty_days x shift_hours`` a week are spread evenly over the team's
    weekdays and bands: per band on a working day a team of ``n`` gives
    ``n x duty_days / len(weekdays) x shift_hours x 60 / covered minutes x band minutes``
    officer-minutes of duty time (:meth:`duty_share` is the factor).
    """

    bands: tuple[str, ...]
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    shift_hours: float = 8.0
    duty_days: float = 5.0

    def duty_share(self, band_minutes: dict[str, int]) -> float:
        """Share of a team's officers on duty at any moment of a covered band on a working day.

        Parameters
        ----------
        band_minutes : dict of str to int
            Minutes of each band (by label).

        Returns
        -------
        float
            Between 0 and 1 (0 for a pattern covering no band or no weekday).
        """
        covered = sum(band_minutes[b] for b in self.bands)
        if covered == 0 or not self.weekdays:
            return 0.0
        return min(1.0, self.duty_days / len(self.weekdays) * self.shift_hours * 60 / covered)


@dataclass(frozen=True)
class TeamConfig:
    """A team delivering one method.

    ``patrol_share`` is the share of on-duty time the team can give to TGP patrol (the rest is
    travel, briefings, response, paperwork); ``abstraction_rate`` and ``leave_rate`` remove the
    expected share of officers taken away (court, training, aid) or on leave/sick. ``wards``
    (ward codes) restricts a team to TGPs touching its own wards (neighbourhood teams); local
    methods are also restricted to the team's LPA.
    """

    team_id: str
    method: str
    lpa: str | None
    officers: int
    shift: ShiftPattern
    start_date: date | None = None
    end_date: date | None = None
    patrol_share: float = 0.5
    abstraction_rate: float = 0.10
    leave_rate: float = 0.12
    wards: tuple[str, ...] = ()

    @property
    def availability(self) -> float:
        """Share of officers not abstracted or on leave: ``(1 - abstraction) * (1 - leave)``."""
        return (1.0 - self.abstraction_rate) * (1.0 - self.leave_rate)


#: *assumption*: per-method team defaults used by :func:`default_config`
#: (shift bands, patrol share of duty time, abstraction and leave rates).
METHOD_TEAM_DEFAULTS: dict[str, dict[str, Any]] = {
    # taskforce: afternoon and late shifts 12:00-04:00 (the harm peaks), patrol is its main job
    "gtf": {
        "bands": ("12-16", "16-20", "20-24", "00-04"),
        "weekdays": (0, 1, 2, 3, 4, 5, 6),
        "patrol_share": 0.80,
        "abstraction_rate": 0.08,
        "leave_rate": 0.12,
    },
    # LPA teams: a share of their time on the analytical TGP schedule, incl. nights
    "lpa_patrol": {
        "bands": ("00-04", "08-12", "12-16", "16-20", "20-24"),
        "weekdays": (0, 1, 2, 3, 4, 5, 6),
        "patrol_share": 0.20,
        "abstraction_rate": 0.12,
        "leave_rate": 0.12,
    },
    # neighbourhood teams: scheduled ASB hotspot patrols in their own wards, days and evenings
    "asb_patrol": {
        "bands": ("08-12", "12-16", "16-20"),
        "weekdays": (0, 1, 2, 3, 4, 5, 6),
        "patrol_share": 0.03,
        "abstraction_rate": 0.12,
        "leave_rate": 0.12,
    },
    # local-authority wardens: Monday-Saturday daytime and early evening
    "la_patrol": {
        "bands": ("08-12", "12-16", "16-20"),
        "weekdays": (0, 1, 2, 3, 4, 5),
        "patrol_share": 0.15,
        "abstraction_rate": 0.05,
        "leave_rate": 0.12,
    },
}
#: team kind (``ws.teams().kind``) -> method
KIND_TO_METHOD: dict[str, str] = {
    "gtf": "gtf",
    "lpa_patrol": "lpa_patrol",
    "neighbourhood": "asb_patrol",
    "la_patrol": "la_patrol",
}


@dataclass(frozen=True)
class TgpLimits:
    """Floors and ceilings on a TGP's daily patrol minutes.

    As multiples of the equal share (total / number of TGPs), plus absolute per-TGP overrides ``{tgp_id: (floor, ceiling)}``
    in minutes a day.
    """

    floor_factor: float = 0.4
    ceiling_factor: float = 2.5
    overrides: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Predictability:
    """Thresholds for the predictability warning (applied to TGPs with pinned visits).

    ``min_entropy``: normalised entropy (0-1) of visit start hours below which the pattern is
    predictable; ``max_repeat_share``: share of visits starting within ``repeat_window_minutes``
    of the same clock time as a visit the day before above which it is predictable.
    """

    min_entropy: float = 0.6
    max_repeat_share: float = 0.25
    repeat_window_minutes: int = 5


@dataclass(frozen=True)
class PlanConfig:
    """Everything the quarterly plan needs besides the TGP layer and crimes."""

    annual_target_hours: float = ANNUAL_TARGET_HOURS
    fy_start_month: int = FY_START_MONTH
    #: "equal": each quarter gets a quarter of the year (33,323/4 = 8,330.75 h); "days": pro rata
    quarter_split: str = "equal"
    #: share of the quarterly target that must be planned (1.0: the full pro-rata quarter)
    floor_share: float = 1.0
    bands: tuple[TimeBand, ...] = DEFAULT_BANDS
    dosage: Dosage = field(default_factory=Dosage)
    methods: tuple[MethodConfig, ...] = DEFAULT_METHODS
    teams: tuple[TeamConfig, ...] = ()
    limits: TgpLimits = field(default_factory=TgpLimits)
    predictability: Predictability = field(default_factory=Predictability)
    default_profile: tuple[tuple[float, ...], ...] = DEFAULT_PROFILE
    #: crime types behind the harm profiles: what TGP patrols target (serious violence incl.
    #: robbery and weapons, and ASB); shoplifting's daytime peak should not pull patrols
    profile_types: tuple[str, ...] = (
        "Violence and sexual offences",
        "Robbery",
        "Possession of weapons",
        "Anti-social behaviour",
    )
    #: pseudo-count of crimes from the force profile added to each TGP's own profile
    profile_prior_weight: float = 20.0
    #: "sampled": staff the timetable drawn from the coverage probabilities (stage 1) and re-place
    #: only what capacity cannot take (stage 2); "full": one MILP chooses every visit's band
    #: and method for the whole quarter (deterministic bands: predictable, for comparison)
    assignment: str = "sampled"
    #: MILP time limit (s) and relative gap
    solver_time_limit: float = 60.0
    solver_gap: float = 1e-2
    #: the unit the annual target counts (planner.units): "patrol-hours" (presence whatever the
    #: crew; the allocation's own unit) or "officer-hours" (x crew: the quarter's target is
    #: converted to patrol-minutes by the teams' mean crew, and the plan states the result)
    target_unit: str = "patrol-hours"

    # ---- checks and helpers --------------------------------------------------------
    def check(self) -> PlanConfig:
        """Validate the configuration.

        Returns
        -------
        PlanConfig
            ``self``, so ``PlanConfig(...).check()`` chains.

        Raises
        ------
        PlannerError
            Naming the first invalid setting (target, dosage, shares, teams, methods).
        """
        self.dosage.check(self.bands)
        if self.annual_target_hours <= 0:
            raise PlannerError("annual_target_hours must be positive")
        minutes = Fraction(self.annual_target_hours).limit_denominator(10**6) * 60
        if minutes.denominator != 1:
            raise PlannerError(
                f"annual target {self.annual_target_hours} h is not a whole number of minutes"
            )
        names = {m.name for m in self.methods}
        for t in self.teams:
            if t.method not in names:
                raise PlannerError(f"team {t.team_id}: unknown method '{t.method}'")
            for b in t.shift.bands:
                if b not in self.band_labels:
                    raise PlannerError(f"team {t.team_id}: unknown band '{b}'")
        from planner.units import check_unit

        check_unit(self.target_unit)
        if self.assignment not in ("sampled", "full"):
            raise PlannerError(f"assignment must be 'sampled' or 'full', not {self.assignment!r}")
        if not 0 < self.floor_share <= 1:
            raise PlannerError("floor_share must be in (0, 1]")
        prof = np.asarray(self.default_profile, dtype=float)
        if prof.shape != (7, len(self.bands)) or (prof < 0).any() or (prof.sum(axis=1) <= 0).any():
            raise PlannerError(f"default_profile must be 7 x {len(self.bands)} non-negative rows")
        return self

    @property
    def band_labels(self) -> tuple[str, ...]:
        """Labels of the time bands, in order."""
        return tuple(b.label for b in self.bands)

    @property
    def annual_target_minutes(self) -> int:
        """The funded annual target in whole minutes (33,323 h = 1,999,380 min by default)."""
        return int(Fraction(self.annual_target_hours).limit_denominator(10**6) * 60)

    def mean_crew(self) -> float:
        """Mean crew of the patrol capacity.

        The teams' crews weighted by their officers x patrol share x availability (1.0
        without teams).

        Returns
        -------
        float
            Officers per patrol, on average over the teams' patrol capacity.
        """
        w = np.array([t.officers * t.patrol_share * t.availability for t in self.teams], float)
        crew = np.array([self.method(t.method).crew for t in self.teams], float)
        return float((w * crew).sum() / w.sum()) if len(w) and w.sum() > 0 else 1.0

    def method(self, name: str) -> MethodConfig:
        """Look up a delivery method by name.

        Parameters
        ----------
        name : str
            ``gtf``, ``lpa_patrol``, ``nbh_asb`` or ``la_patrol`` (the configured methods).

        Returns
        -------
        MethodConfig
            The method.

        Raises
        ------
        PlannerError
            For an unknown method.
        """
        for m in self.methods:
            if m.name == name:
                return m
        raise PlannerError(f"unknown delivery method '{name}'")

    def with_teams(self, teams: tuple[TeamConfig, ...] | list[TeamConfig]) -> PlanConfig:
        """Return a copy with other delivery teams.

        Parameters
        ----------
        teams : sequence of TeamConfig
            The teams.

        Returns
        -------
        PlanConfig
            The same settings with ``teams`` replaced.
        """
        return replace(self, teams=tuple(teams))

    # ---- (de)serialisation ----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as plain JSON-ready data (dates as ISO strings).

        Returns
        -------
        dict
            Nested dicts and lists; :meth:`from_dict` reads it back.

        Examples
        --------
        >>> cfg = PlanConfig()
        >>> PlanConfig.from_dict(cfg.to_dict()) == cfg
        True
        """
        d = asdict(self)
        for t in d["teams"]:
            for k in ("start_date", "end_date"):
                t[k] = None if t[k] is None else str(t[k])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlanConfig:
        """Build a configuration from :meth:`to_dict` data (missing keys take their defaults).

        Parameters
        ----------
        d : dict
            The data (as in ``plan/config.json``).

        Returns
        -------
        PlanConfig
            The checked configuration.

        Raises
        ------
        PlannerError
            For unknown or invalid settings.
        """
        d = dict(d)
        out: dict[str, Any] = {}
        if "bands" in d:
            out["bands"] = tuple(TimeBand(**b) for b in d.pop("bands"))
        if "dosage" in d:
            out["dosage"] = Dosage(**d.pop("dosage"))
        if "methods" in d:
            out["methods"] = tuple(
                MethodConfig(**{**m, "eligible_kinds": tuple(m["eligible_kinds"])})
                for m in d.pop("methods")
            )
        if "teams" in d:
            teams = []
            for t in d.pop("teams"):
                t = dict(t)
                sh = t.pop("shift")
                shift = ShiftPattern(
                    bands=tuple(sh["bands"]),
                    weekdays=tuple(sh.get("weekdays", range(7))),
                    shift_hours=float(sh.get("shift_hours", 8.0)),
                    duty_days=float(sh.get("duty_days", 5.0)),
                )
                t["wards"] = tuple(t.get("wards", ()))
                for k in ("start_date", "end_date"):
                    t[k] = date.fromisoformat(t[k]) if t.get(k) else None
                teams.append(TeamConfig(shift=shift, **t))
            out["teams"] = tuple(teams)
        if "limits" in d:
            lim = dict(d.pop("limits"))
            lim["overrides"] = {k: tuple(v) for k, v in lim.get("overrides", {}).items()}
            out["limits"] = TgpLimits(**lim)
        if "predictability" in d:
            out["predictability"] = Predictability(**d.pop("predictability"))
        if "default_profile" in d:
            out["default_profile"] = tuple(tuple(r) for r in d.pop("default_profile"))
        if "profile_types" in d:
            out["profile_types"] = tuple(d.pop("profile_types"))
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            raise PlannerError(f"plan config: unknown key(s) {', '.join(sorted(unknown))}")
        return cls(**d, **out).check()

    def save(self, path: str | Path) -> Path:
        """Write the configuration as JSON.

        Parameters
        ----------
        path : str or Path
            The file (folders are created).

        Returns
        -------
        Path
            The file written.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2))
        return path

    @classmethod
    def load(cls, path: str | Path) -> PlanConfig:
        """Read a configuration written by :meth:`save`.

        Parameters
        ----------
        path : str or Path
            The JSON file.

        Returns
        -------
        PlanConfig
            The checked configuration.

        Raises
        ------
        PlannerError
            When the file cannot be read or holds invalid settings.
        """
        path = Path(path)
        try:
            d = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise PlannerError(f"{path}: cannot read plan config ({exc})") from None
        return cls.from_dict(d)


def teams_from_people(teams, officers, *, base: PlanConfig | None = None) -> tuple[TeamConfig, ...]:
    """Build the delivery teams from the workspace ``teams`` and ``officers`` tables.

    Team kind maps to a method (:data:`KIND_TO_METHOD`); officer counts come from the officers
    table (neighbourhood teams patrol ASB TGPs in their officers' wards); start dates from
    ``teams.start_date`` (GTF-5 from 2025-11-17 in the demo); shift bands, patrol share and
    abstraction/leave rates from :data:`METHOD_TEAM_DEFAULTS`.

    Parameters
    ----------
    teams : pandas.DataFrame
        ``team_id, kind, lpa, start_date`` (the workspace's teams table).
    officers : pandas.DataFrame
        ``officer_id, team_id, ward_code`` (the officers table).
    base : PlanConfig, optional
        Its methods decide which kinds become teams.

    Returns
    -------
    tuple of TeamConfig
        One per delivery team, in team id order.
    """
    import pandas as pd

    counts = officers.groupby("team_id").size()
    wards = (
        officers.dropna(subset=["team_id", "ward_code"])
        .groupby("team_id")["ward_code"]
        .agg(lambda s: tuple(sorted(set(map(str, s)))))
    )
    out = []
    for row in teams.itertuples(index=False):
        method = KIND_TO_METHOD.get(str(row.kind))
        if method is None:
            continue
        n = int(counts.get(row.team_id, 0))
        if n == 0:
            continue
        dflt = METHOD_TEAM_DEFAULTS[method]
        sd = getattr(row, "start_date", None)
        sd = None if sd is None or pd.isna(sd) else pd.Timestamp(sd).date()
        lpa = None if method == "gtf" or pd.isna(row.lpa) else str(row.lpa)
        out.append(
            TeamConfig(
                team_id=str(row.team_id),
                method=method,
                lpa=lpa,
                officers=n,
                shift=ShiftPattern(bands=dflt["bands"], weekdays=dflt["weekdays"]),
                start_date=sd,
                patrol_share=dflt["patrol_share"],
                abstraction_rate=dflt["abstraction_rate"],
                leave_rate=dflt["leave_rate"],
                wards=wards.get(row.team_id, ()) if method == "asb_patrol" else (),
            )
        )
    return tuple(out)


def default_config(teams=None, officers=None) -> PlanConfig:
    """Return the documented default configuration, with teams from the people tables when given.

    Parameters
    ----------
    teams, officers : pandas.DataFrame, optional
        The workspace's teams and officers tables (:func:`teams_from_people`).

    Returns
    -------
    PlanConfig
        The checked configuration.

    Examples
    --------
    >>> cfg = default_config()
    >>> cfg.annual_target_hours, cfg.band_labels[:2], len(cfg.teams)
    (33323, ('00-04', '04-08'), 0)
    """
    cfg = PlanConfig()
    if teams is not None and officers is not None:
        cfg = cfg.with_teams(teams_from_people(teams, officers))
    return cfg.check()

"""Roles and the signed-in principal; OIDC claims mapped to roles by a small config file.

Roles (issue 15):

``intelligence``
    every LPA; derive TGPs, plans, exports.
``inspector``
    one or more LPAs: delivery, visibility, records and officer-level data of those LPAs only;
    force-wide figures only as aggregates.
``advance``
    Op Advance targeting for any LPA; no officer-level records.
``officer``
    records engagements and abstractions for themselves and sees their own records.
``admin``
    manages users.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.errors import InputError, PlannerError

#: the roles, in the order they are listed in help texts
ROLES = ("intelligence", "inspector", "advance", "officer", "admin")


def check_role(role: str, lpas: Iterable[str] = ()) -> tuple[str, tuple[str, ...]]:
    """Validate a role and its LPAs; returns ``(role, lpas)`` with the LPAs sorted, unique.

    Parameters
    ----------
    role : str
        The role (one of :data:`planner.access.roles.ROLES`).
    lpas : iterable of str
        The LPAs of an inspector's scope.

    Returns
    -------
    tuple of (str, tuple of str)
        The role and the sorted, unique LPAs.

    Raises
    ------
    PlannerError
        For an unknown role, an inspector without an LPA, or LPAs given to another role.
    """
    lpas = tuple(sorted({str(x).strip() for x in lpas if str(x).strip()}))
    if role not in ROLES:
        raise PlannerError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if role == "inspector" and not lpas:
        raise PlannerError("an inspector needs at least one LPA (--lpa NAME, repeatable)")
    if role != "inspector" and lpas:
        raise PlannerError(f"only inspectors are limited to LPAs; role {role!r} takes no --lpa")
    return role, lpas


@dataclass(frozen=True)
class Principal:
    """A signed-in user with their role.

    Parameters
    ----------
    user
        The identity (users-file name, or the OIDC user claim).
    role
        One of :data:`ROLES`.
    lpas
        The inspector's LPAs (empty for other roles).
    officer_id
        For an officer: the officer id they record as (default: ``user``).
    """

    user: str
    role: str
    lpas: tuple[str, ...] = ()
    officer_id: str | None = None

    def __post_init__(self) -> None:
        check_role(self.role, self.lpas)

    @property
    def all_lpas(self) -> bool:
        """Whether the role sees every LPA's data (intelligence, advance)."""
        return self.role in ("intelligence", "advance")

    def sees_lpa(self, lpa: str | None) -> bool:
        """Whether officer-level data of ``lpa`` is within this principal's scope.

        Parameters
        ----------
        lpa : str or None
            The LPA of the data.

        Returns
        -------
        bool
            True when it may be shown.
        """
        if self.role == "intelligence":
            return True
        if self.role == "inspector":
            return lpa in self.lpas
        return False

    @property
    def recorder_id(self) -> str | None:
        """The officer id an officer records as (None for roles that are not officers)."""
        if self.role != "officer":
            return None
        return self.officer_id or self.user

    def may_record_for(self, officer_id: str, officer_lpa: str | None) -> bool:
        """Whether this principal may save a record about ``officer_id`` (of ``officer_lpa``).

        Officers only for themselves; inspectors for officers of their LPAs; intelligence for
        anyone; advance and admin for nobody.

        Parameters
        ----------
        officer_id : str
            The officer the record is about.
        officer_lpa : str or None
            That officer's LPA.

        Returns
        -------
        bool
            True when allowed.
        """
        if self.role == "officer":
            return officer_id == self.recorder_id
        if self.role == "inspector":
            return officer_lpa in self.lpas
        return self.role == "intelligence"


@dataclass(frozen=True)
class ClaimMapping:
    """How an OIDC token's claims give a role.

    ``claim`` names the token claim holding the user's groups or app roles (a list or a
    string); ``rules`` maps a claim value to ``(role, lpas)``. A user whose values match
    several rules gets the first matching rule in file order; no match = no access.
    """

    claim: str = "roles"
    rules: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default_factory=tuple)

    def principal(self, user: str, claims: Mapping[str, Any]) -> Principal | None:
        """The principal for a user with these claims (None when no rule matches).

        Parameters
        ----------
        user : str
            The signed-in user.
        claims : mapping
            The user's OIDC claims.

        Returns
        -------
        Principal or None
            The first matching rule's role and LPAs.
        """
        raw = claims.get(self.claim)
        values = {raw} if isinstance(raw, str) else set(raw or ())
        for value, role, lpas in self.rules:
            if value in values:
                return Principal(user=user, role=role, lpas=lpas)
        return None


def read_claim_mapping(data: Mapping[str, Any], file: str) -> ClaimMapping:
    """The ``[roles]`` table of an OIDC config file as a :class:`ClaimMapping`.

    Layout::

        [roles]
        claim = "roles"                       # or "groups"
        [roles.map]
        "Planner.Intelligence" = { role = "intelligence" }
        "Planner.Inspector.Coventry" = { role = "inspector", lpas = ["Coventry"] }

    Parameters
    ----------
    data : mapping
        The parsed config file.
    file : str
        The file's name (for error messages).

    Returns
    -------
    ClaimMapping
        The claim name and its value -> role map.
    """
    roles = data.get("roles")
    if not isinstance(roles, Mapping):
        raise InputError(file, "no [roles] table (which claim values give which role)")
    claim = roles.get("claim", "roles")
    table = roles.get("map")
    if not isinstance(claim, str) or not isinstance(table, Mapping) or not table:
        raise InputError(file, "[roles] needs claim = NAME and a non-empty [roles.map] table")
    rules = []
    for value, rule in table.items():
        if not isinstance(rule, Mapping) or "role" not in rule:
            raise InputError(file, f"[roles.map] {value!r}: needs {{ role = ... }}")
        try:
            role, lpas = check_role(str(rule["role"]), rule.get("lpas", ()))
        except PlannerError as exc:
            raise InputError(file, f"[roles.map] {value!r}: {exc}") from None
        rules.append((str(value), role, lpas))
    return ClaimMapping(claim=claim, rules=tuple(rules))


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML config file; a missing or malformed file is a one-line error.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    dict
        The parsed file.
    """
    p = Path(path)
    if not p.is_file():
        raise PlannerError(f"{p}: no such file")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(str(p), f"not a readable TOML file ({exc})") from None

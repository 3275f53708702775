"""The abstraction policy as a documented config, checked when an abstraction is recorded.

What is and is not an abstraction, the longest one accepted, the lowest rank that may
authorise one by its duration and whether the authoriser must be of the abstracted officer's
LPA. :func:`check_abstraction` returns the refusals (the record is not saved) and warnings
(saved, the form shows them); :func:`planner.records.forms.record_abstraction` applies it.

Defaults (a force passes its own :class:`AbstractionPolicy`):

* counted reasons: every type in :data:`planner.records.vocab.ABSTRACTION_TYPES`;
  not abstractions (refused with the reason): annual leave, sickness, rest day, the officer's
  own neighbourhood duties - these are recorded elsewhere;
* at most 744 h (31 days; longer is a posting);
* authorising rank by duration: up to 12 h a sergeant, up to 40 h an inspector, up to 168 h a
  chief inspector, longer a superintendent;
* the authoriser must be of the same LPA ("warn": saved with a warning; "refuse"; "off").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from planner.records.vocab import ABSTRACTION_TYPES, AUTHORISER_LEVELS

SameLpa = Literal["refuse", "warn", "off"]


@dataclass(frozen=True)
class AbstractionPolicy:
    """Which abstractions count and who may authorise them.

    Attributes
    ----------
    counted_reasons
        Reasons that are abstractions (case-insensitive).
    not_abstractions
        Reasons that are explicitly not abstractions (refused, with a pointer).
    max_hours
        Longest single abstraction.
    authorisation
        ``(up to hours, lowest rank)`` pairs in increasing hours; a duration above the last
        bound needs :attr:`above_rank`.
    above_rank
        Lowest rank for durations above every bound.
    ranks
        Ranks lowest first.
    same_lpa
        "refuse", "warn" or "off": when the authoriser is of another (or an unknown) LPA.
    """

    counted_reasons: tuple[str, ...] = ABSTRACTION_TYPES
    not_abstractions: tuple[str, ...] = (
        "annual leave",
        "sickness",
        "rest day",
        "neighbourhood duties",
    )
    max_hours: float = 744.0
    authorisation: tuple[tuple[float, str], ...] = field(
        default=((12.0, "SGT"), (40.0, "INSP"), (168.0, "CI"))
    )
    above_rank: str = "SUPT"
    ranks: tuple[str, ...] = AUTHORISER_LEVELS
    same_lpa: SameLpa = "warn"

    def required_rank(self, hours: float) -> str:
        """The lowest rank that may authorise an abstraction of ``hours``.

        Parameters
        ----------
        hours : float
            The abstraction's length in hours.

        Returns
        -------
        str
            A rank (SGT, INSP, ...).
        """
        for bound, rank in self.authorisation:
            if hours <= bound:
                return rank
        return self.above_rank

    def describe(self) -> list[str]:
        """The policy in plain sentences (for the docs, the CLI and the form).

        Returns
        -------
        list of str
            One sentence per rule.
        """
        out = [
            "Abstractions are: " + ", ".join(self.counted_reasons) + ".",
            "Not abstractions (record elsewhere): " + ", ".join(self.not_abstractions) + ".",
            f"Longest single abstraction: {self.max_hours:g} hours.",
        ]
        lo = 0.0
        for bound, rank in self.authorisation:
            out.append(f"Over {lo:g} h up to {bound:g} h: authorised by {rank} or above.")
            lo = bound
        out.append(f"Over {lo:g} h: authorised by {self.above_rank} or above.")
        if self.same_lpa != "off":
            out.append(
                "The authoriser must be of the abstracted officer's LPA"
                + (
                    " (otherwise refused)."
                    if self.same_lpa == "refuse"
                    else " (otherwise a warning)."
                )
            )
        return out


DEFAULT_POLICY = AbstractionPolicy()


@dataclass(frozen=True)
class PolicyCheck:
    """The outcome of a check: refusals (not saved) and warnings (saved)."""

    refusals: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether nothing was refused."""
        return not self.refusals


def check_abstraction(
    policy: AbstractionPolicy,
    *,
    reason: str,
    hours: float,
    authoriser_level: str,
    officer_lpa: str | None,
    authoriser_lpa: str | None,
) -> PolicyCheck:
    """Check one abstraction against the policy.

    Parameters
    ----------
    policy
        The policy.
    reason
        The abstraction type given.
    hours
        Its duration.
    authoriser_level
        The rank the authoriser acted at.
    officer_lpa, authoriser_lpa
        The LPAs of the abstracted and the authorising officer (None = unknown).

    Returns
    -------
    PolicyCheck
    """
    refusals: list[str] = []
    warnings: list[str] = []
    r = (reason or "").strip().lower()
    counted = {x.lower() for x in policy.counted_reasons}
    if r in {x.lower() for x in policy.not_abstractions}:
        refusals.append(f"'{reason}' is not an abstraction under the policy; record it elsewhere")
    elif r not in counted:
        refusals.append(f"'{reason}' is not a reason the policy counts as an abstraction")
    if hours > policy.max_hours:
        refusals.append(
            f"{hours:g} hours is longer than the policy's maximum of {policy.max_hours:g} hours"
        )
    need = policy.required_rank(hours)
    rank = {x.upper(): i for i, x in enumerate(policy.ranks)}
    lvl = (authoriser_level or "").strip().upper()
    if lvl not in rank:
        refusals.append(
            f"'{authoriser_level}' is not an authorising rank ({', '.join(policy.ranks)})"
        )
    elif rank[lvl] < rank.get(need.upper(), 0):
        refusals.append(
            f"an abstraction of {hours:g} hours must be authorised by {need} or above, not {lvl}"
        )
    if policy.same_lpa != "off":
        if authoriser_lpa is None or officer_lpa is None:
            warnings.append("the authoriser's or the officer's LPA is not known: check it")
        elif authoriser_lpa != officer_lpa:
            msg = f"the authoriser is of {authoriser_lpa}, not the officer's LPA {officer_lpa}"
            (refusals if policy.same_lpa == "refuse" else warnings).append(msg)
    return PolicyCheck(tuple(refusals), tuple(warnings))

"""Controlled vocabularies and thresholds for the records (documented defaults).

Values are matched case-insensitively and with surrounding spaces ignored; the stored value is
the canonical label below. A force with its own lists passes its own :class:`Vocabulary`.
The defaults follow the force paper's engagement tracker and abstraction app (see
``../shared/FIELD_GUIDE.md``, "Neighbourhood policing records").
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: engagement types named in the paper, plus the usual tracker categories
ENGAGEMENT_TYPES: tuple[str, ...] = (
    "meeting",
    "event",
    "street briefing",
    "social media",
    "school visit",
    "community surgery",
    "business visit",
    "home visit",
    "partner meeting",
)
#: how the engagement was carried out
METHODS: tuple[str, ...] = ("face to face", "online", "telephone", "social media", "leaflet")
#: neighbourhood priority groups
PRIORITY_GROUPS: tuple[str, ...] = (
    "residents",
    "young people",
    "older people",
    "businesses",
    "victims of asb",
    "schools",
    "faith groups",
    "partners",
)
#: minority group reached: the officer's own assessment, never asked of the public
MINORITY_GROUPS: tuple[str, ...] = (
    "none",
    "black",
    "asian",
    "mixed",
    "other ethnic group",
    "gypsy, roma and traveller",
    "lgbt+",
    "disabled people",
    "new and emerging communities",
    "faith communities",
)
#: why a neighbourhood officer or PCSO was taken off their area
ABSTRACTION_TYPES: tuple[str, ...] = (
    "response cover",
    "public order / events",
    "custody cover",
    "training",
    "investigation support",
    "major incident",
    "court",
    "other",
)
#: the rank at which an abstraction was authorised (lowest first)
AUTHORISER_LEVELS: tuple[str, ...] = ("SGT", "INSP", "CI", "SUPT", "CSUPT", "ACC")
#: roles of officers and staff in the people tables (docs/architecture.md)
ROLES: tuple[str, ...] = ("DNO", "PCSO", "LAT", "PC", "SGT", "INSP", "LA_WARDEN")
#: roles that count as neighbourhood officers (abstractions are recorded for these)
NEIGHBOURHOOD_ROLES: tuple[str, ...] = ("DNO", "PCSO", "LAT")


@dataclass(frozen=True)
class Vocabulary:
    """Allowed values and limits used by imports and forms.

    Attributes
    ----------
    engagement_types, methods, priority_groups, minority_groups, abstraction_types, authoriser_levels
        Allowed labels (matched case-insensitively).
    max_abstraction_hours
        Longest single abstraction accepted (default 744 h = 31 days; longer ones are
        postings, not abstractions).
    bbox_wgs84
        (min lon, min lat, max lon, max lat) accepted for engagement locations (default: the UK).
    """

    engagement_types: tuple[str, ...] = ENGAGEMENT_TYPES
    methods: tuple[str, ...] = METHODS
    priority_groups: tuple[str, ...] = PRIORITY_GROUPS
    minority_groups: tuple[str, ...] = MINORITY_GROUPS
    abstraction_types: tuple[str, ...] = ABSTRACTION_TYPES
    authoriser_levels: tuple[str, ...] = AUTHORISER_LEVELS
    max_abstraction_hours: float = 744.0
    bbox_wgs84: tuple[float, float, float, float] = field(default=(-8.7, 49.8, 1.8, 60.9))

    def lookup(self, name: str) -> dict[str, str]:
        """Map normalised (lower-case, stripped) values of one vocabulary to their canonical labels.

        Parameters
        ----------
        name : str
            A vocabulary field, e.g. ``"engagement_types"``.

        Returns
        -------
        dict of str to str
            Normalised value -> canonical label.
        """
        return {v.strip().lower(): v for v in getattr(self, name)}


DEFAULT_VOCABULARY = Vocabulary()

"""State of the Neighbourhoods page (no Panel import): dashboards over the records store."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, cast

import pandas as pd
import param

from planner.app.data import AppData
from planner.app.state.common import DrillState, Scoped

if TYPE_CHECKING:
    from planner.records.analytics import Perspective

#: reporting periods offered on the Neighbourhoods page (words planner.records understands);
#: the funding years are those of the workspace's today (:func:`record_periods`)
RECORD_PERIODS: tuple[str, ...] = ("last 28 days", "last 90 days", "FY2025", "FY2024")


def record_periods(funding_year: int) -> list[str]:
    """The periods offered for a workspace whose today falls in ``funding_year``.

    Parameters
    ----------
    funding_year
        The current funding year (named by its first calendar year).

    Returns
    -------
    list[str]
        The rolling periods, then this and last funding year.
    """
    return [*RECORD_PERIODS[:2], f"FY{funding_year}", f"FY{funding_year - 1}"]


RECORD_MEASURES: tuple[str, ...] = ("engagements", "abstraction hours")
#: drill-down frames kept per session (the least recently used are dropped)
MEMO_SIZE = 64


class RecordsState(Scoped):
    """Neighbourhoods dashboards over the records store (``planner.records``)."""

    data = cast("param.ClassSelector[AppData]", param.ClassSelector(class_=AppData, constant=True))
    period: param.Selector[str] = param.Selector(
        default=RECORD_PERIODS[1], objects=list(RECORD_PERIODS)
    )
    measure: param.Selector[str] = param.Selector(
        default=RECORD_MEASURES[0], objects=list(RECORD_MEASURES)
    )
    perspective: param.Selector[str] = param.Selector(
        default="abstracted",
        objects=["abstracted", "authorising"],
        doc="Abstractions counted against the officer taken off their area, or the authoriser.",
    )
    version = param.Integer(default=0, doc="Bumped after a record is saved.")
    principal = param.Parameter(
        default=None,
        constant=True,
        doc="The signed-in planner.access.roles.Principal (None: no sign-in). Form saves are "
        "checked against it and audited with its user; drilling below the LPA level is "
        "limited to its LPAs.",
    )

    def __init__(self, data: AppData, store, **params):
        super().__init__(data=data, **params)
        from planner.records.periods import period_choices

        base = record_periods(data.funding_year)
        # the paper's periods too: "week commencing ...", "since <month>", months (issue 18)
        extra = [x for x in period_choices(data.ws.today) if x not in base]
        self.param.period.objects = [*base, *extra]
        self.store = store
        self._counts = functools.lru_cache(maxsize=MEMO_SIZE)(self._counts_for)

    @property
    def today(self):
        """The workspace's today (periods in words are read against it)."""
        return self.data.ws.today

    def counts(self, path: list[str]) -> pd.DataFrame:
        """key, label, value at the drill level below ``path`` (LPA -> team -> officer).

        Memoised per filters, path and :attr:`version` (a saved record bumps the version).

        Parameters
        ----------
        path : list of str
            The LPA and team drilled into so far.

        Returns
        -------
        pandas.DataFrame
            ``key, label, value``.
        """
        return self._counts(self.period, self.measure, self.perspective, self.version, tuple(path))

    def _counts_for(
        self,
        period: str,
        measure: str,
        perspective: Perspective,
        version: int,
        path: tuple[str, ...],
    ) -> pd.DataFrame:
        """:meth:`counts` for these filters (``version`` only tells saved records apart)."""
        from planner.records import analytics as ra

        level = ("lpa", "team", "officer")[len(path)]
        p = self.principal
        if path and p is not None and not p.sees_lpa(path[0]):
            from planner.access.scope import refuse

            raise refuse(
                p,
                f"{p.user} ({p.role}) may not see team or officer data of {path[0]}",
                {"attempt": "drill", "lpa": str(path[0])},
            )
        key = {"lpa": "lpa", "team": "team_id", "officer": "officer_id"}[level]
        lpa = path[0] if path else None
        team = path[1] if len(path) > 1 else None
        if measure == "engagements":
            c = ra.engagement_counts(
                self.store, period, level=level, lpa=lpa, team_id=team, today=self.today
            )
            val = c["engagements"].astype(float)
        else:
            c = ra.abstraction_summary(
                self.store, period, by=level, perspective=perspective, today=self.today
            )
            if lpa is not None:
                c = c[c["lpa"] == lpa]
            if team is not None:
                c = c[c["team_id"] == team]
            val = c["hours"].astype(float)
        keys = c[key].astype(object).where(c[key].notna(), "(none)").astype(str)
        labels = keys.map(self._names(level)).fillna(keys) if level != "lpa" else keys
        return pd.DataFrame(
            {"key": keys.to_numpy(), "label": labels.to_numpy(), "value": val.to_numpy()}
        )

    def _names(self, level: str) -> dict[str, str]:
        """Display names: team name, or "Name (officer_id)"."""
        if level == "team" and self.data.teams is not None:
            t = self.data.teams
            return dict(zip(t["team_id"].astype(str), t["name"].astype(str)))
        if level == "officer" and self.data.officers is not None:
            o = self.data.officers
            return dict(
                zip(
                    o["officer_id"].astype(str),
                    o["name"].astype(str) + " (" + o["officer_id"].astype(str) + ")",
                )
            )
        return {}

    def total(self) -> float:
        """The measure summed over the LPAs (the force figure).

        Returns
        -------
        float
            The total.
        """
        return float(self.counts([])["value"].sum())

    # ---- scope (planner.access.scope) ---------------------------------------------------
    def _scoped(
        self, df: pd.DataFrame, *, officer_col: str | None = None, ward_col: str | None = None
    ) -> pd.DataFrame:
        """``df`` limited to the principal's scope.

        Rows of its LPAs (by the frame's ``lpa``, the officer's LPA or the ward's LPA),
        officer-level rows with ``officer_col``.
        """
        from planner.access.scope import filter_rows

        if self.principal is None:
            return df
        lpa = None
        if "lpa" not in df:
            if officer_col is not None:
                o = self.store.frame("officers")
                lpa = df[officer_col].map(dict(zip(o["officer_id"], o["lpa"])))
            elif ward_col is not None:
                w = self.store.frame("wards")
                lpa = df[ward_col].map(dict(zip(w["ward_code"], w["lpa"])))
        t = df if lpa is None else df.assign(lpa=lpa.to_numpy())
        out = filter_rows(self.principal, t, officer_col=officer_col)
        out = out if lpa is None else out.drop(columns="lpa")
        return out.reset_index(drop=True)

    def form_options(self) -> dict:
        """The recording forms' choices within the principal's scope.

        Returns
        -------
        dict
            As :func:`planner.records.form_options`.
        """
        from planner.records import form_options

        return form_options(self.store, principal=self.principal)

    def own_records(self, limit: int = 50) -> pd.DataFrame:
        """The latest engagements and abstractions in the principal's scope, newest first.

        An officer: their own; an inspector: their LPAs' officers; intelligence and no sign-in:
        everyone's.

        Parameters
        ----------
        limit : int
            Most rows returned.

        Returns
        -------
        pandas.DataFrame
            ``kind, record_id, when, officer_id, what, where, hours``.
        """
        e = self.store.frame("engagements")
        a = self.store.frame("abstractions")
        e = self._scoped(e, officer_col="officer_id")
        a = self._scoped(a, officer_col="officer_id")
        rows = pd.concat(
            [
                pd.DataFrame(
                    {
                        "kind": "engagement",
                        "record_id": e["record_id"].astype(str),
                        "when": pd.to_datetime(e["occurred_at"], utc=True),
                        "officer_id": e["officer_id"].astype(str),
                        "what": e["engagement_type"].astype(str),
                        "where": e["ward_code"].astype(str),
                        "hours": float("nan"),
                    }
                ),
                pd.DataFrame(
                    {
                        "kind": "abstraction",
                        "record_id": a["record_id"].astype(str),
                        "when": pd.to_datetime(a["start"], utc=True),
                        "officer_id": a["officer_id"].astype(str),
                        "what": a["abstraction_type"].astype(str),
                        "where": a["destination"].astype(str),
                        "hours": a["hours"].astype(float),
                    }
                ),
            ],
            ignore_index=True,
        )
        rows = rows.sort_values(["when", "record_id"], ascending=[False, True], kind="stable")
        rows = rows.head(limit).reset_index(drop=True)
        return rows.assign(when=rows["when"].dt.strftime("%Y-%m-%d %H:%M"))

    def vacancies(self) -> pd.DataFrame:
        """Wards with no DNO in post today (:func:`planner.records.analytics.dno_vacancies`).

        Returns
        -------
        pandas.DataFrame
            One row per vacant ward.
        """
        from planner.records import analytics as ra

        return self._scoped(ra.dno_vacancies(self.store, self.today))

    # ---- tenure and vacancies (planner.records.analytics) -----------------------------------
    @property
    def tenure_baseline(self):
        """The annual review's baseline: a year before today."""
        return (pd.Timestamp(self.today) - pd.DateOffset(years=1)).date()

    def short_tenures(self) -> pd.DataFrame:
        """DNOs in post today for less than two years in their ward.

        Returns
        -------
        pandas.DataFrame
            ``officer_id, name, ward_code, team_id, start, tenure_years``.
        """
        from planner.records import analytics as ra

        cols = ["officer_id", "name", "ward_code", "team_id", "start", "tenure_years"]
        t = ra.short_tenures(self.store, self.today)
        t = self._scoped(pd.DataFrame(t[cols]), officer_col="officer_id")
        return t.assign(tenure_years=t["tenure_years"].round(2))

    def missing_handovers(self) -> pd.DataFrame:
        """DNO postings in the last year that began without a handover.

        Returns
        -------
        pandas.DataFrame
            As :func:`planner.records.analytics.missing_handovers`.
        """
        from planner.records import analytics as ra

        t = ra.missing_handovers(self.store, since=self.tenure_baseline, on=self.today)
        if self.principal is None or self.principal.role == "intelligence":
            return t
        # officer-level rows of the ward's LPA (the officer and their predecessor posted there)
        w = self.store.frame("wards")
        t = t.assign(lpa=t["ward_code"].map(dict(zip(w["ward_code"], w["lpa"]))).to_numpy())
        p = self.principal
        lpas = p.lpas if p.role == "inspector" else ()
        return t[t["lpa"].isin(lpas)].drop(columns="lpa").reset_index(drop=True)

    def tenure_comparison(self) -> pd.DataFrame:
        """Per ward, DNOs and PCSOs in post a year ago against today (wards that lost one first).

        Returns
        -------
        pandas.DataFrame
            One row per ward.
        """
        from planner.records import analytics as ra

        t = ra.tenure_comparison(self.store, self.tenure_baseline, self.today)
        t = t.drop(columns=["officers_baseline", "officers_now"], errors="ignore")
        t = self._scoped(t)
        return t.sort_values(["same_or_more", "ward_code"], kind="stable").reset_index(drop=True)

    def npp1_completion(self) -> pd.DataFrame:
        """Share of neighbourhood officers in post today with NPP1 training, per LPA.

        Returns
        -------
        pandas.DataFrame
            One row per LPA, shares rounded to 3 decimals.
        """
        from planner.records import analytics as ra

        return ra.npp1_completion(self.store, on=self.today, by="lpa").round(3)

    def save_abstraction(self, **fields) -> str:
        """Validate and store one abstraction via :func:`planner.records.forms.record_abstraction`.

        Parameters
        ----------
        **fields
            The abstraction's fields (as :func:`planner.records.forms.record_abstraction`).

        Returns
        -------
        str
            The record id, followed by the policy's warnings when there are any.
        """
        from planner.records.forms import record_abstraction_checked

        res = record_abstraction_checked(
            self.store, source="app", principal=self.principal, **fields
        )
        self.version += 1
        if res.warnings:  # saved; the abstraction policy's warnings follow the id
            return f"{res.record_id} (policy warning: {'; '.join(res.warnings)})"
        return res.record_id

    def record_abstraction(self, **fields):
        """Check, validate and store one abstraction; the form shows the policy's warnings.

        Parameters
        ----------
        **fields
            As for :func:`planner.records.forms.record_abstraction_checked`.

        Returns
        -------
        planner.records.forms.Recorded
            The record id and the abstraction policy's warnings (e.g. an authoriser of
            another LPA).

        Raises
        ------
        planner.errors.PlannerError
            With the policy's refusals (e.g. 30 hours authorised below inspector) or the
            validation problems; nothing is saved.
        """
        from planner.records.forms import record_abstraction_checked

        res = record_abstraction_checked(
            self.store, source="app", principal=self.principal, **fields
        )
        self.version += 1
        return res

    def save_engagement(self, **fields) -> str:
        """Validate and store one engagement via :func:`planner.records.record_engagement`.

        Parameters
        ----------
        **fields
            The engagement's fields (as :func:`planner.records.forms.record_engagement`).

        Returns
        -------
        str
            The record id.
        """
        from planner.records import record_engagement

        rid = record_engagement(self.store, source="app", principal=self.principal, **fields)
        self.version += 1
        return rid


class RecordsDrillState(DrillState):
    """LPA -> team -> officer drill-down of engagements or abstraction hours."""

    records = cast(
        "param.ClassSelector[RecordsState]",
        param.ClassSelector(class_=RecordsState, constant=True),
    )
    levels = ("LPA", "team", "officer")

    def frame_for(self, path: list[str]) -> pd.DataFrame:
        """Engagements or abstractions of the level below ``path`` (:meth:`RecordsState.counts`).

        Parameters
        ----------
        path : list of str
            The LPA and team drilled into so far.

        Returns
        -------
        pandas.DataFrame
            ``key, label, value``.
        """
        return self.records.counts(path)

    def drill(self, key: str) -> bool:
        """Go down into ``key``.

        Into another LPA than the principal's it is refused (AccessDenied) before the path
        changes, so the view stays at the LPA totals.

        Parameters
        ----------
        key : str
            The bar clicked.

        Returns
        -------
        bool
            Whether the path changed.
        """
        from planner.access.scope import check_lpa

        p = self.records.principal
        if not self.path and p is not None and not p.sees_lpa(key):
            check_lpa(p, key)  # raises, audited in a served session
        return super().drill(key)

    @param.depends(
        "records.period", "records.measure", "records.perspective", "records.version", watch=True
    )
    def _filters_changed(self):
        self.version += 1

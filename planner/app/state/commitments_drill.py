"""The Commitments page's click-to-drill-down states (no Panel import).

Engagements LPA > sector > neighbourhood team > officer, and abstraction hours LPA > team >
officer, where clicking an officer's bar selects the officer whose specific abstractions are
listed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import param

from planner.app.state.common import DrillState


def _labels(keys: pd.Series, names: dict[str, str]) -> pd.Series:
    return pd.Series([names.get(k, k) for k in keys], index=keys.index, dtype=object)


class _CommitmentsDrill(DrillState):
    """A drill-down over a :class:`~planner.app.state.commitments.CommitmentsState`."""

    commitments = param.Parameter(constant=True, doc="The CommitmentsState.")

    @param.depends("commitments.period", "commitments.version", watch=True)
    def _filters_changed(self) -> None:
        self.version += 1

    def drill(self, key: str) -> bool:
        """Go one level down into ``key``.

        Refused (AccessDenied) below an LPA outside the principal's scope, whatever the
        client asks for.

        Parameters
        ----------
        key : str
            A key of the level shown.

        Returns
        -------
        bool
            As :meth:`DrillState.drill`.
        """
        if self.can_drill:
            self.commitments.check_path([*self.path, str(key)])
        return super().drill(key)

    @param.depends("path", watch=True)
    def _check_path(self) -> None:
        # a path set directly (e.g. a model change from the browser) is checked too
        from planner.errors import AccessDenied

        try:
            self.commitments.check_path(self.path)
        except AccessDenied:
            self.path = []
            raise

    def names(self, level: str) -> dict[str, str]:
        """Display names of a level's keys (sector, team and officer names).

        Parameters
        ----------
        level : str
            A drill level ("lpa", "sector", "team", "officer").

        Returns
        -------
        dict of str to str
            Key -> name (empty for a level without names).
        """
        st = self.commitments
        if level == "sector":
            from planner.records import analytics as ra

            sec = ra.sectors(st.store)
            return {str(c): str(n or c) for c, n in zip(sec["sector_code"], sec["sector_name"])}
        if level == "team":
            t = st.store.frame("teams")
            return {str(k): str(n or k) for k, n in zip(t["team_id"], t["name"])}
        if level == "officer":
            o = st.store.frame("officers")
            return {str(k): f"{n or k} ({k})" for k, n in zip(o["officer_id"], o["name"])}
        return {}

    def _frame(self, rows: pd.DataFrame, level: str, value: str) -> pd.DataFrame:
        from planner.app.state.commitments import LEVEL_KEYS

        col = LEVEL_KEYS[level]
        keys = rows[col].astype(object).where(rows[col].notna(), "(none)").astype(str)
        return pd.DataFrame(
            {
                "key": keys.to_numpy(),
                "label": _labels(keys, self.names(level)).to_numpy(),
                "value": rows[value].astype(float).to_numpy(),
            }
        )


class EngagementDrill(_CommitmentsDrill):
    """Engagements LPA > sector > neighbourhood team > officer (the breakdown table follows)."""

    levels = ("LPA", "sector", "team", "officer")

    def frame_for(self, path: list[str]) -> pd.DataFrame:
        """Engagements at the level below ``path``.

        Parameters
        ----------
        path : list of str
            The LPA, sector and team drilled into so far.

        Returns
        -------
        pandas.DataFrame
            ``key``, ``label`` and ``value`` (engagements) columns.
        """
        from planner.app.state.commitments import DRILL_LEVELS

        rows = self.commitments.breakdown_at(list(path), None)
        return self._frame(rows, DRILL_LEVELS[len(path)], "engagements")


class AbstractionDrill(_CommitmentsDrill):
    """Abstraction hours LPA > team > officer.

    A click on an officer's bar selects them (:attr:`selected`, copied to the state's
    ``officer``) so their abstractions are listed.
    """

    levels = ("LPA", "team", "officer")
    selected = param.String(default="", doc="The officer whose bar was clicked.")

    def frame_for(self, path: list[str]) -> pd.DataFrame:
        """Abstraction hours at the level below ``path``.

        Parameters
        ----------
        path : list of str
            The LPA and team drilled into so far.

        Returns
        -------
        pandas.DataFrame
            ``key``, ``label`` and ``value`` (hours) columns.
        """
        from planner.app.state.commitments import ABSTRACTION_LEVELS

        rows = self.commitments.abstraction_counts(list(path))
        return self._frame(rows, ABSTRACTION_LEVELS[len(path)], "hours")

    def select(self, key: Any) -> None:
        """Select the officer ``key`` of the bottom level (their abstractions are listed).

        Parameters
        ----------
        key
            An officer id shown at the officer level.

        Raises
        ------
        ValueError
            Above the officer level, or when ``key`` is not an officer shown there.
        """
        if self.can_drill:
            raise ValueError(f"select an officer at the officer level, not the {self.level}")
        if str(key) not in set(self.frame()["key"]):
            raise ValueError(f"'{key}' is not an officer of {self.breadcrumb()}")
        self.selected = str(key)
        self.commitments.officer = str(key)

    @param.depends("path", watch=True)
    def _path_changed(self) -> None:
        # a new path: the clicked officer no longer stands for the list
        self.selected = ""
        self.commitments.officer = ""

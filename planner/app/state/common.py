"""What several page states share (no Panel import).

The "all LPAs" choice, the principal that scopes a state (:class:`Scoped`,
:class:`ScopedLPA`) and the click-to-drill-down state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import param

from planner.access import scope

ALL_LPAS = "All LPAs"


class ScopedLPA(param.Selector):
    """An LPA selector that refuses an LPA outside its state's principal's scope.

    The check runs when the value is set, before any watcher or dependent method sees it, so
    a value sent by the client (a widget change over the websocket) that is outside the scope
    raises :class:`~planner.errors.AccessDenied` and the state keeps its previous LPA. The
    state opts in with :func:`scope_lpas`.
    """

    def __set__(self, obj: Any, val: Any) -> None:
        if obj is not None and not isinstance(obj, type) and "_scope_lpas" in obj.__dict__:
            scope.check_lpa(obj.__dict__["_scope_lpas"], val, all_label=ALL_LPAS)
        super().__set__(obj, val)


class Scoped(param.Parameterized):
    """A page state read on behalf of a principal (:class:`planner.access.roles.Principal`)."""

    principal = param.Parameter(
        default=None,
        constant=True,
        doc="The signed-in planner.access.roles.Principal (None: no sign-in, every LPA).",
    )

    def __setattr__(self, name: str, value: Any) -> None:
        # a choice (TGP, team, month, day ...) outside the state's list, e.g. sent by the client
        # over the websocket, is refused as AccessDenied and audited as `denied` with the user
        try:
            super().__setattr__(name, value)
        except ValueError:
            p = getattr(self, "principal", None)
            sel = self.param.objects("existing").get(name)
            if p is None or not isinstance(sel, param.Selector):
                raise
            raise scope.refuse(
                p,
                f"{p.user} ({p.role}) may not choose {name} {value!r}: not one of theirs",
                {"attempt": name, "value": str(value)[:80]},
            ) from None

    def rows(self, df: pd.DataFrame, lpa_col: str = "lpa", officer_col: str | None = None):
        """``df`` limited to the principal's scope (:func:`planner.access.scope.filter_rows`).

        ``df`` itself (no copy, so memoised frames stay shared) when everything is in scope.

        Parameters
        ----------
        df : pandas.DataFrame
            The frame.
        lpa_col : str
            Its LPA column.
        officer_col : str, optional
            Its officer id column, for officer-level frames.

        Returns
        -------
        pandas.DataFrame
        """
        if self.principal is None or self.principal.role == "intelligence":
            return df
        return scope.filter_rows(self.principal, df, lpa_col=lpa_col, officer_col=officer_col)


def scope_lpas(
    state: param.Parameterized,
    principal: Any,
    lpas: Iterable[str],
    *,
    chosen: str | None = None,
    all_label: str | None = ALL_LPAS,
) -> None:
    """Limit ``state.lpa`` (a :class:`ScopedLPA`) to ``principal``'s LPAs and select one.

    Parameters
    ----------
    state
        The page state; its ``lpa`` parameter's choices become those of
        :func:`planner.access.scope.lpa_options`, and any later value outside them is refused.
    principal
        The principal (None: no sign-in).
    lpas
        Every LPA of the workspace.
    chosen
        The LPA asked for (refused with AccessDenied when outside the scope); default the
        first choice.
    all_label
        The "all LPAs" choice (offered only to roles that see the force), or None.
    """
    opts = scope.lpa_options(principal, lpas, all_label=all_label)
    if not opts:
        who = principal.user if principal else "?"
        raise scope.refuse(
            principal, f"{who} may not see any LPA's data here", {"attempt": "lpa", "lpa": None}
        )
    state.__dict__["_scope_lpas"] = principal
    state.param.lpa.objects = opts
    state.lpa = chosen if chosen is not None else opts[0]  # type: ignore[attr-defined]  # a ScopedLPA state


class DrillState(param.Parameterized):
    """Click-to-drill-down over a hierarchy (e.g. LPA -> neighbourhood -> ward, LPA -> team -> officer).

    ``path`` holds the keys chosen so far, top level first. Subclasses implement
    :meth:`frame_for` returning ``key, label, value`` rows for the level below ``path``.
    """

    path = param.List(default=[], doc="Keys chosen so far, top level first.")
    version = param.Integer(default=0, doc="Bumped when the underlying data or filters change.")
    levels: tuple[str, ...] = ()

    def frame_for(self, path: list[str]) -> pd.DataFrame:  # pragma: no cover - abstract
        """Rows of the level below ``path`` (each subclass reads its own records).

        Parameters
        ----------
        path : list of str
            The keys drilled into so far.

        Returns
        -------
        pandas.DataFrame
            ``key``, ``label`` and ``value`` columns.
        """
        raise NotImplementedError

    def scope_principal(self) -> Any:
        """The principal the drill-down is read for (None: no sign-in or no scope).

        Returns
        -------
        Principal or None
            The principal of the page state the drill-down reads.
        """
        return None

    @property
    def level(self) -> str:
        """The level shown (``levels[len(path)]``)."""
        return self.levels[len(self.path)]

    @property
    def can_drill(self) -> bool:
        """Whether there is a level below the one shown."""
        return len(self.path) < len(self.levels) - 1

    def frame(self) -> pd.DataFrame:
        """Rows of the current level, highest value first.

        Returns
        -------
        pandas.DataFrame
            :meth:`frame_for` of the current path, sorted by value (ties by label).
        """
        f = self.frame_for(list(self.path))
        return f.sort_values(
            ["value", "label"], ascending=[False, True], kind="stable"
        ).reset_index(drop=True)

    def drill(self, key: str) -> bool:
        """Go one level down into ``key`` (a key of the current frame); False at the bottom.

        Parameters
        ----------
        key : str
            A key of :meth:`frame` (a ``ValueError`` otherwise).

        Returns
        -------
        bool
            Whether the path changed.
        """
        if not self.can_drill:
            return False
        if key not in set(self.frame()["key"]):
            msg = f"'{key}' is not an item of the current level ({self.level})"
            p = self.scope_principal()
            if p is not None:  # e.g. a bar key forged by the client: refused and audited
                raise scope.refuse(p, msg, {"attempt": "drill", "key": str(key)[:80]})
            raise ValueError(msg)
        self.path = [*self.path, key]
        return True

    def drill_label(self, label: str) -> bool:
        """Like :meth:`drill` with the displayed label (what a click on a bar gives).

        Parameters
        ----------
        label : str
            A label of :meth:`frame`.

        Returns
        -------
        bool
            Whether the path changed (False for an unknown label or at the bottom).
        """
        f = self.frame()
        hit = f.loc[f["label"] == label, "key"]
        return self.drill(str(hit.iloc[0])) if len(hit) else False

    def up(self) -> None:
        """Go one level up (no-op at the top)."""
        if self.path:
            self.path = self.path[:-1]

    def breadcrumb(self) -> str:
        """The path as shown above the chart.

        Returns
        -------
        str
            ``"All > key > ..."``.
        """
        return " > ".join(["All", *self.path])

"""What several page states share (no Panel import).

What several page states share (no Panel import): the "all LPAs" choice and the
click-to-drill-down state.
"""

from __future__ import annotations

import pandas as pd
import param

ALL_LPAS = "All LPAs"


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
            raise ValueError(f"'{key}' is not an item of the current level ({self.level})")
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

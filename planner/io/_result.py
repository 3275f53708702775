"""The shared shape of every load: accepted rows, rejects with reasons, reconciled counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass
class Reconciled:
    """Base for load results: subclasses name their accepted table in ``accepted_table``."""

    rejects: pd.DataFrame
    read: int
    files: list[str]
    rejects_file: str | None = None

    accepted_table = ""  # attribute holding the accepted rows

    @property
    def accepted(self) -> int:
        """Number of accepted rows."""
        return len(getattr(self, self.accepted_table))

    @property
    def rejected(self) -> int:
        """Number of rejected rows (``read == accepted + rejected``)."""
        return len(self.rejects)

    @property
    def by_reason(self) -> dict[str, int]:
        """Rejected rows per reason, most common first."""
        return (
            {k: int(v) for k, v in Counter(self.rejects["reason"]).most_common()}
            if len(self.rejects)
            else {}
        )

    def summary(self) -> dict[str, Any]:
        """Return the counts as printed by ``--json``.

        Returns
        -------
        dict
            ``read``, ``accepted``, ``rejected``, ``rejects_file``, ``by_reason`` and ``files``.
        """
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rejects_file": self.rejects_file,
            "by_reason": self.by_reason,
            "files": len(self.files),
        }

    def write_rejects(self, path: str | Path) -> str:
        """Write the rejects table as CSV (always, even when empty, so the count is visible).

        Parameters
        ----------
        path : str or Path
            The CSV file (folders are created).

        Returns
        -------
        str
            The path written (also kept in ``rejects_file``).
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.rejects.to_csv(path, index=False)
        self.rejects_file = str(path)
        return self.rejects_file

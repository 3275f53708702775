"""Crime-harm weights: a documented, configurable table applied as a column at load.

The default table (``geodata/harm_weights.csv``, copied into ``planner/config``) gives one
weight per police.uk crime type: the unweighted mean ONS Crime Severity Score weight of the
offences a third party grouped into each category (see ``geodata/PROVENANCE.md`` for the
source and its limits). A force with Home Office offence codes should instead supply per-offence
CCHI or CSS weights with :meth:`HarmTable.from_offence_weights`.

The knife-crime proxy: police.uk has no knife flag. ``knife_share`` gives, per type, the
weight a record adds to the proxy (1 for Possession of weapons, an assumed share for robbery
and violence). It is a proxy and is labelled so wherever shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError, PlannerError
from planner.paths import GEODATA

DEFAULT_TABLE = GEODATA / "harm_weights.csv"


@dataclass(frozen=True)
class HarmTable:
    """Harm weight and knife-proxy share per crime type (and optionally per offence code)."""

    weights: dict[str, float]
    knife_share: dict[str, float]
    source: str = "default"
    offence_weights: dict[str, float] = field(default_factory=dict)

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> HarmTable:
        """Return the bundled table (ONS CSS grouped means; see module docstring).

        Returns
        -------
        HarmTable
            Cached after the first call.
        """
        return cls.from_csv(DEFAULT_TABLE)

    @classmethod
    def from_csv(cls, path: str | Path) -> HarmTable:
        """Read a table with columns ``crime_type, weight`` and optional ``knife_share``.

        Parameters
        ----------
        path : str or Path
            The CSV file.

        Returns
        -------
        HarmTable
            The weights.

        Raises
        ------
        InputError
            Naming the file, line and field of a bad value or a missing column.
        """
        path = Path(path)
        try:
            df = pd.read_csv(path)
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(path, f"cannot read harm table ({exc})") from None
        for col in ("crime_type", "weight"):
            if col not in df.columns:
                raise InputError(path, "missing column", field=col)
        w = pd.to_numeric(df["weight"], errors="coerce")
        bad = w.isna() | (w < 0)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, "weight must be a number >= 0", line=i + 2, field="weight")
        ks = pd.to_numeric(
            df.get("knife_share", pd.Series(0.0, index=df.index)), errors="coerce"
        ).fillna(0.0)
        if ((ks < 0) | (ks > 1)).any():
            i = int(np.flatnonzero(((ks < 0) | (ks > 1)).to_numpy())[0])
            raise InputError(
                path, "knife_share must be between 0 and 1", line=i + 2, field="knife_share"
            )
        return cls(
            weights=dict(zip(df["crime_type"], w.astype(float))),
            knife_share=dict(zip(df["crime_type"], ks.astype(float))),
            source=str(path),
        )

    @classmethod
    def from_offence_weights(cls, path: str | Path, base: HarmTable | None = None) -> HarmTable:
        """Add per-offence weights (columns ``ho_code, weight``: CCHI days or CSS) for force data.

        Records with an ``ho_code`` column are weighted by their offence; records whose code is
        not in the table fall back to their crime type's weight.

        Parameters
        ----------
        path : str or Path
            The CSV file.
        base : HarmTable, optional
            The per-type weights to fall back on (default the bundled table).

        Returns
        -------
        HarmTable
            ``base`` with the offence weights.

        Raises
        ------
        InputError
            Naming the file, line and field of a bad value or a missing column.
        """
        path = Path(path)
        base = base or cls.default()
        df = pd.read_csv(path, dtype={"ho_code": "string"})
        for col in ("ho_code", "weight"):
            if col not in df.columns:
                raise InputError(path, "missing column", field=col)
        w = pd.to_numeric(df["weight"], errors="coerce")
        if w.isna().any():
            i = int(np.flatnonzero(w.isna().to_numpy())[0])
            raise InputError(path, "weight is not a number", line=i + 2, field="weight")
        return cls(
            base.weights, base.knife_share, str(path), dict(zip(df["ho_code"].str.strip(), w))
        )

    def weights_for(self, crime_type: pd.Series, ho_code: pd.Series | None = None) -> np.ndarray:
        """Harm weight per record (NaN where the type is unknown).

        Parameters
        ----------
        crime_type : pandas.Series
            Crime types.
        ho_code : pandas.Series, optional
            Home Office offence codes (used when the table has offence weights).

        Returns
        -------
        numpy.ndarray
            float64 weights.

        Examples
        --------
        >>> import pandas as pd
        >>> HarmTable.default().weights_for(pd.Series(["Robbery", "Not a type"])).tolist()
        [746.0, nan]
        """
        out = pd.Series(crime_type, dtype="string").map(self.weights).astype("float64")
        if ho_code is not None and self.offence_weights:
            by_code = (
                pd.Series(ho_code, dtype="string")
                .str.strip()
                .map(self.offence_weights)
                .astype("float64")
            )
            out = by_code.fillna(out)
        return out.to_numpy()

    def knife_for(self, crime_type: pd.Series) -> np.ndarray:
        """Knife-crime proxy weight per record (0 where the type is unknown).

        Parameters
        ----------
        crime_type : pandas.Series
            Crime types.

        Returns
        -------
        numpy.ndarray
            float64 shares between 0 and 1.

        Examples
        --------
        >>> import pandas as pd
        >>> HarmTable.default().knife_for(pd.Series(["Robbery", "Not a type"])).tolist()
        [0.25, 0.0]
        """
        return (
            pd.Series(crime_type, dtype="string")
            .map(self.knife_share)
            .astype("float64")
            .fillna(0.0)
            .to_numpy()
        )

    def check_covers(self, types) -> None:
        """Check that every crime type has a weight.

        Parameters
        ----------
        types : iterable of str
            Crime types to be weighted.

        Raises
        ------
        PlannerError
            Naming the types without a weight.
        """
        missing = sorted(set(types) - set(self.weights))
        if missing:
            raise PlannerError(f"harm table {self.source} has no weight for: {', '.join(missing)}")

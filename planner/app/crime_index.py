"""The crime table as compact arrays for the app (no Panel import).

The crime table as compact arrays for the app (no Panel import): month index, type code, harm,
ward and coordinates, so that a filter change is a vectorised mask and a ``bincount``.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.schema import CRIME_TYPES

#: measures an area can be coloured by (what :meth:`CrimeIndex.ward_totals` sums)
MEASURES: tuple[str, ...] = ("crimes", "harm")


def month_index(month: pd.Series | np.ndarray | list[str]) -> np.ndarray:
    """Month strings "YYYY-MM" -> integer months since year 0 (year * 12 + month - 1).

    Parameters
    ----------
    month : pandas.Series, numpy.ndarray or list of str
        Month strings (unparseable ones give -1).

    Returns
    -------
    numpy.ndarray of int64
        The month numbers.

    Examples
    --------
    >>> month_index(["2025-01", "bad"]).tolist()
    [24300, -1]
    """
    s = pd.Series(np.asarray(month, dtype=object)).astype("string")
    y = pd.to_numeric(s.str.slice(0, 4), errors="coerce")
    m = pd.to_numeric(s.str.slice(5, 7), errors="coerce")
    return (y * 12 + m - 1).fillna(-1).astype("int64").to_numpy()


def month_label(idx: int) -> str:
    """Inverse of :func:`month_index` for one value.

    Parameters
    ----------
    idx : int
        A month number.

    Returns
    -------
    str
        ``"YYYY-MM"``.

    Examples
    --------
    >>> month_label(24300)
    '2025-01'
    """
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def _codes(col, categories: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """Dictionary-encode a pyarrow string column: (int codes, -1 for null; the categories)."""
    import pyarrow as pa

    enc = (
        col.dictionary_encode().combine_chunks()
        if isinstance(col, pa.ChunkedArray)
        else col.dictionary_encode()
    )
    cats = [str(v) for v in enc.dictionary.to_pylist()]
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int32")
    if categories is None:
        return codes, cats
    remap = np.array(
        [categories.index(c) if c in categories else -1 for c in cats] + [-1], dtype="int32"
    )
    return remap[codes], categories


def wkb_points_xy(wkb) -> np.ndarray:
    """(n, 2) coordinates of a pyarrow binary array of WKB points.

    Plain little-endian 2-D points (21 bytes each, the GeoParquet norm) are read straight from
    the buffer; anything else goes through shapely.

    Parameters
    ----------
    wkb : pyarrow.Array or pyarrow.ChunkedArray
        Binary WKB points.

    Returns
    -------
    numpy.ndarray
        (n, 2) float64 coordinates.
    """
    import pyarrow as pa
    import shapely

    arr = wkb.combine_chunks() if isinstance(wkb, pa.ChunkedArray) else wkb
    n = len(arr)
    if n and arr.null_count == 0 and arr.type in (pa.binary(), pa.large_binary()):
        offs_dtype = "int64" if arr.type == pa.large_binary() else "int32"
        bufs = arr.buffers()
        offsets = np.frombuffer(bufs[1], dtype=offs_dtype)[arr.offset : arr.offset + n + 1]
        data = np.frombuffer(bufs[2], dtype="uint8")
        if np.all(np.diff(offsets) == 21):
            rows = data[offsets[0] : offsets[-1]].reshape(n, 21)
            if np.all(rows[:, 0] == 1) and np.all(rows[:, 1:5].view("<u4")[:, 0] == 1):
                return rows[:, 5:21].copy().view("<f8").reshape(n, 2)
    return shapely.get_coordinates(shapely.from_wkb(np.asarray(arr.to_numpy(zero_copy_only=False))))


class CrimeIndex:
    """Compact columnar view of a crime table for fast filtering in the app.

    Attributes are numpy arrays of equal length: ``month`` (month index), ``type_code``
    (index into :attr:`types`), ``harm``, ``ward`` (index into :attr:`ward_codes`, -1 outside
    every ward), ``bng`` (n x 2 EPSG:27700 metres); ``x``/``y`` (EPSG:3857, float32) are
    computed on first use.

    Build with :meth:`from_parquet` (fast path for a workspace table) or :meth:`from_frame`.
    """

    def __init__(self, month, type_code, harm, lsoa_codes, lsoa_cats, bng, wards, lsoas):
        self.types: tuple[str, ...] = tuple(CRIME_TYPES)
        self.month = np.asarray(month, dtype="int32")
        self.type_code = np.asarray(type_code, dtype="int16")
        self.harm = np.asarray(harm, dtype="float64")
        self.bng = np.asarray(bng, dtype="float64")
        self.n = len(self.month)
        self.ward_codes: tuple[str, ...] = tuple(wards["ward_code"].astype(str))
        self.ward = self._assign_wards(lsoa_codes, lsoa_cats, wards, lsoas)
        valid = self.month[self.month >= 0]
        self.months: tuple[str, ...] = (
            tuple(month_label(m) for m in range(int(valid.min()), int(valid.max()) + 1))
            if valid.size
            else ()
        )

    #: arrays kept in a cache file by :meth:`save`
    _ARRAYS = ("month", "type_code", "harm", "bng", "ward")

    def save(self, path: str | Path, stamp: str) -> None:
        """Write the index arrays to ``path`` (``.npz``) tagged with ``stamp``, atomically.

        Write the index arrays to ``path`` (``.npz``) tagged with ``stamp`` (the source's
        identity, e.g. size and modification time), via a temporary file.

        Parameters
        ----------
        path : str or Path
            The ``.npz`` file.
        stamp : str
            The source's identity (e.g. size and modification time).
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            stamp=np.array(stamp),
            ward_codes=np.array(self.ward_codes, dtype=str),
            months=np.array(self.months, dtype=str),
            **{k: getattr(self, k) for k in self._ARRAYS},
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path, stamp: str) -> CrimeIndex | None:
        """The index saved at ``path`` if its stamp is ``stamp``, else None (stale or absent).

        Parameters
        ----------
        path : str or Path
            The ``.npz`` file.
        stamp : str
            The current source's identity.

        Returns
        -------
        CrimeIndex or None
            The index, or None when stale or absent.
        """
        path = Path(path)
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as z:
            if str(z["stamp"]) != stamp:
                return None
            idx = cls.__new__(cls)
            idx.types = tuple(CRIME_TYPES)
            for k in cls._ARRAYS:
                setattr(idx, k, z[k])
            idx.ward_codes = tuple(str(c) for c in z["ward_codes"])
            idx.months = tuple(str(m) for m in z["months"])
        idx.n = len(idx.month)
        return idx

    @classmethod
    def from_parquet(
        cls, path: str | Path, wards: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame | None
    ) -> CrimeIndex:
        """Read only the needed columns of a canonical crime GeoParquet file.

        Parameters
        ----------
        path : str or Path
            The crime GeoParquet file.
        wards : geopandas.GeoDataFrame
            Wards (for the ward of each crime).
        lsoas : geopandas.GeoDataFrame, optional
            LSOAs with ``ward_code`` (crimes are placed in wards through their LSOA).

        Returns
        -------
        CrimeIndex
            The index.
        """
        import pyarrow.parquet as pq

        tb = pq.read_table(path, columns=["month", "crime_type", "harm", "lsoa_code", "geometry"])
        mcodes, mcats = _codes(tb.column("month"))
        month = np.append(month_index(mcats), -1)[mcodes]
        tcodes, _ = _codes(tb.column("crime_type"), list(CRIME_TYPES))
        lcodes, lcats = _codes(tb.column("lsoa_code"))
        harm = tb.column("harm").to_numpy().astype("float64")
        return cls(
            month,
            tcodes,
            np.nan_to_num(harm),
            lcodes,
            lcats,
            wkb_points_xy(tb.column("geometry")),
            wards,
            lsoas,
        )

    @classmethod
    def from_frame(
        cls, crimes: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame | None
    ) -> CrimeIndex:
        """From a canonical crime GeoDataFrame (EPSG:27700).

        Parameters
        ----------
        crimes : geopandas.GeoDataFrame
            Canonical crime table (EPSG:27700).
        wards : geopandas.GeoDataFrame
            Wards.
        lsoas : geopandas.GeoDataFrame, optional
            LSOAs with ``ward_code``.

        Returns
        -------
        CrimeIndex
            The index.
        """
        ct = pd.Categorical(crimes["crime_type"].astype("string"), categories=list(CRIME_TYPES))
        lc = pd.Categorical(crimes["lsoa_code"].astype("string"))
        xy = (
            np.column_stack([crimes.geometry.x.to_numpy(), crimes.geometry.y.to_numpy()])
            if len(crimes)
            else np.empty((0, 2))
        )
        return cls(
            month_index(crimes["month"]),
            ct.codes,
            crimes["harm"].to_numpy(dtype="float64", na_value=0.0),
            lc.codes,
            [str(c) for c in lc.categories],
            xy,
            wards,
            lsoas,
        )

    def _assign_wards(self, lsoa_codes, lsoa_cats, wards, lsoas) -> np.ndarray:
        code_pos = pd.Series(np.arange(len(self.ward_codes)), index=list(self.ward_codes))
        out = np.full(self.n, -1, dtype="int32")
        if lsoas is not None and "ward_code" in lsoas.columns and len(lsoa_cats):
            lk = lsoas.set_index("lsoa_code")["ward_code"].map(code_pos)
            per_cat = pd.Series(lsoa_cats).map(lk).fillna(-1).astype("int32").to_numpy()
            codes = np.asarray(lsoa_codes)
            out = np.where(codes >= 0, np.append(per_cat, -1)[codes], -1).astype("int32")
        todo = np.flatnonzero(out < 0)
        if todo.size:
            import shapely

            geoms = shapely.points(self.bng[todo])
            pt, wi = wards.sindex.query(geoms, predicate="intersects")
            first = pd.Series(wi, index=pt).groupby(level=0).min()
            out[todo[first.index.to_numpy()]] = first.to_numpy()
        return out

    @cached_property
    def _web(self) -> tuple[np.ndarray, np.ndarray]:
        from pyproj import Transformer

        tr = Transformer.from_crs(27700, 3857, always_xy=True)
        x, y = tr.transform(self.bng[:, 0], self.bng[:, 1])
        return np.asarray(x, dtype="float32"), np.asarray(y, dtype="float32")

    @property
    def x(self) -> np.ndarray:
        """Web Mercator x of each crime (EPSG:3857)."""
        return self._web[0]

    @property
    def y(self) -> np.ndarray:
        """Web Mercator y of each crime (EPSG:3857)."""
        return self._web[1]

    def mask(
        self, start: str, end: str, types: list[str] | tuple[str, ...] | None = None
    ) -> np.ndarray:
        """Boolean mask of crimes in months ``start``..``end`` inclusive and of ``types``.

        Parameters
        ----------
        start : str
            First month.
        end : str
            Last month.
        types : sequence of str, optional
            Crime types (None: all).

        Returns
        -------
        numpy.ndarray of bool
            One flag per crime.
        """
        m0, m1 = month_index([start, end])
        keep = (self.month >= m0) & (self.month <= m1)
        if types is not None and set(types) != set(self.types):
            codes = [self.types.index(t) for t in types if t in self.types]
            keep &= np.isin(self.type_code, np.asarray(codes, dtype="int16"))
        return keep

    def ward_totals(self, mask: np.ndarray, measure: str = "crimes") -> pd.Series:
        """Crime count or harm sum per ward code for the masked crimes (all wards, 0 if none).

        Parameters
        ----------
        mask : numpy.ndarray of bool
            Crimes counted (:meth:`mask`).
        measure : str
            ``"crimes"`` or ``"harm"``.

        Returns
        -------
        pandas.Series
            Indexed by ``ward_code``, every ward.
        """
        if measure not in MEASURES:
            raise PlannerError(f"unknown measure '{measure}'; choose one of {', '.join(MEASURES)}")
        w = self.ward[mask]
        inside = w >= 0
        weights = None if measure == "crimes" else self.harm[mask][inside]
        vals = np.bincount(w[inside], weights=weights, minlength=len(self.ward_codes))
        return pd.Series(
            vals.astype("float64"), index=pd.Index(self.ward_codes, name="ward_code"), name=measure
        )

    def points(self, mask: np.ndarray) -> pd.DataFrame:
        """x, y (EPSG:3857) and harm of the masked crimes, for datashader.

        Parameters
        ----------
        mask : numpy.ndarray of bool
            Crimes kept (:meth:`mask`).

        Returns
        -------
        pandas.DataFrame
            ``x, y, harm``.
        """
        return pd.DataFrame({"x": self.x[mask], "y": self.y[mask], "harm": self.harm[mask]})

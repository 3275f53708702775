"""The Arrow path of the ping ingest (typed Parquet) against the pandas path on the same files:
the same accepted frame, the same rejects with the same reasons and values, in the same order;
with and without rejects, officer ids read as a dictionary or not, km/h speeds mapped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from planner.io.pings import R_IMPLAUSIBLE, PingMapping, load_pings

TZ = "Europe/London"


def _typed(n=2_000, bad=True, seed=1) -> pa.Table:
    rng = np.random.default_rng(seed)
    off = np.array([f"PC{i:02d}" for i in rng.integers(0, 9, n)], dtype=object)
    ts = pd.Timestamp("2025-10-26 00:30", tz=TZ) + pd.to_timedelta(np.arange(n) * 7, unit="s")
    x = rng.uniform(400_000, 401_000, n)
    y = rng.uniform(280_000, 281_000, n)
    sp = rng.uniform(0, 3, n)
    dev = np.array(["radio", " vehicle ", "radio"] * (n // 3 + 1), dtype=object)[:n]
    off[5] = "  PC03 "  # padded: trimmed, kept
    tsl = list(ts)
    if bad:
        off[10] = "   "  # missing officer (blank)
        off[11] = None  # missing officer (null)
        tsl[12] = None  # missing timestamp
        tsl[13] = pd.Timestamp("1970-01-01 00:00:05", tz="UTC")  # implausible (epoch zero)
        x[14] = np.nan  # missing easting
        x[15] = 9_000_000.0  # easting out of range
        y[16] = -5.0  # northing out of range
        sp[17] = -1.0  # negative speed
        off[18], x[18] = "", np.nan  # two faults: the first reason counts
    return pa.table(
        {
            "officer_id": pa.array(off, pa.string()),
            "timestamp": pa.array(tsl, pa.timestamp("ns", tz=TZ)),
            "easting": pa.array(x),
            "northing": pa.array(y),
            "speed": pa.array(sp),
            "device": pa.array(dev, pa.string()),
        }
    )


def _both(path, **kw):
    fast = load_pings(path, progress=False, chunk_rows=600, **kw)
    ref = load_pings(path, progress=False, chunk_rows=600, engine="pandas", **kw)
    return fast, ref


@pytest.mark.parametrize("bad", [True, False])
@pytest.mark.parametrize("dictionary", [True, False])
def test_arrow_path_equals_pandas_path(tmp_path, bad, dictionary):
    t = _typed(bad=bad)
    if dictionary:  # officer ids stored dictionary-encoded (as pandas categories write them)
        t = t.set_column(0, "officer_id", pc_dict(t.column(0)))
    p = tmp_path / "p.parquet"
    pq.write_table(t, p, row_group_size=700)
    fast, ref = _both(p)
    assert (fast.read, fast.accepted, fast.rejected) == (ref.read, ref.accepted, ref.rejected)
    pd.testing.assert_frame_equal(fast.pings, ref.pings)
    pd.testing.assert_frame_equal(fast.rejects, ref.rejects)
    assert fast.read == 2_000
    assert "PC03" in set(fast.pings["officer_id"]) and fast.pings["officer_id"].iloc[5] == "PC03"
    assert set(fast.pings["device"]) == {"radio", "vehicle"}
    if bad:
        by_row = fast.rejects.sort_values("source_row", kind="stable")
        assert list(by_row["source_row"]) == list(range(11, 20))
        assert list(by_row["reason"]) == [
            "missing officer",
            "missing officer",
            "missing timestamp",
            R_IMPLAUSIBLE,
            "missing easting",
            "easting out of range",
            "northing out of range",
            "negative speed",
            "missing officer",  # two faults: the first check's reason
        ]
    else:
        assert fast.rejected == 0


def pc_dict(a):
    import pyarrow.compute as pc

    return pc.dictionary_encode(a)


def test_speed_units_and_mapped_names(tmp_path):
    t = _typed(bad=False).rename_columns(["unit", "when", "e", "n", "kmh", "dev"])
    p = tmp_path / "m.parquet"
    pq.write_table(t, p)
    m = PingMapping(
        columns={"officer_id": "unit", "timestamp": "when", "x": "e", "y": "n", "speed": "kmh",
                 "device": "dev"},
        coords="bng",
        speed_unit="km/h",
    )  # fmt: skip
    fast, ref = _both(p, mapping=m)
    pd.testing.assert_frame_equal(fast.pings, ref.pings)
    np.testing.assert_allclose(fast.pings["speed"], t.column("kmh").to_numpy() / 3.6)


def test_lonlat_parquet_projected_like_the_pandas_path(tmp_path):
    from pyproj import Transformer

    t = _typed(bad=False)
    to_ll = Transformer.from_crs(27700, 4326, always_xy=True)
    lon, lat = to_ll.transform(t.column("easting").to_numpy(), t.column("northing").to_numpy())
    t = t.set_column(2, "longitude", pa.array(lon)).set_column(3, "latitude", pa.array(lat))
    p = tmp_path / "ll.parquet"
    pq.write_table(t, p)
    fast, ref = _both(p)
    assert fast.rejected == 0
    pd.testing.assert_frame_equal(fast.pings, ref.pings)
    np.testing.assert_allclose(fast.pings["x"], _typed(bad=False).column("easting"), atol=1e-3)

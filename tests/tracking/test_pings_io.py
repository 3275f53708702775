"""Ping ingest: formats, time zones, mappings, rejects and malformed files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from planner.errors import InputError
from planner.io.pings import PingMapping, load_pings

TZ = "Europe/London"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_lonlat_csv_with_offsets_and_naive(tmp_path):
    p = write(
        tmp_path,
        "a.csv",
        "officer_id,timestamp,longitude,latitude,speed,device\n"
        "PC1,2025-06-01T10:00:00+01:00,-1.8904,52.4862,1.2,radio\n"
        "PC1,2025-06-01T09:00:30Z,-1.8905,52.4863,,radio\n"
        "PC1,2025-06-01 10:01:00,-1.8906,52.4864,1.1,radio\n",
    )
    res = load_pings(p, progress=False)
    assert (res.read, res.accepted, res.rejected) == (3, 3, 0)
    ts = res.pings["timestamp"]
    assert str(ts.dtype) == "datetime64[ns, Europe/London]"
    assert list(ts) == [
        pd.Timestamp("2025-06-01 10:00:00", tz=TZ),
        pd.Timestamp("2025-06-01 10:00:30", tz=TZ),
        pd.Timestamp("2025-06-01 10:01:00", tz=TZ),
    ]
    e, n = Transformer.from_crs(4326, 27700, always_xy=True).transform(-1.8904, 52.4862)
    assert res.pings.x.iloc[0] == pytest.approx(e) and res.pings.y.iloc[0] == pytest.approx(n)
    assert np.isnan(res.pings.speed.iloc[1])
    assert list(res.pings.source_row) == [2, 3, 4]
    assert res.pings.device.iloc[0] == "radio"


def test_rejects_reasons_and_reconciled_counts(tmp_path):
    p = write(
        tmp_path,
        "b.csv",
        "officer_id,timestamp,easting,northing,speed\n"
        "PC1,2025-06-01T10:00:00+01:00,407000,286000,1\n"  # ok
        ",2025-06-01T10:00:00+01:00,407000,286000,1\n"  # missing officer
        "PC1,yesterday,407000,286000,1\n"  # bad time
        "PC1,2025-06-01T10:01:00+01:00,,286000,1\n"  # missing easting
        "PC1,2025-06-01T10:02:00+01:00,407000,abc,1\n"  # bad northing
        "PC1,2025-06-01T10:03:00+01:00,9000000,286000,1\n"  # out of range
        "PC1,2025-06-01T10:04:00+01:00,407000,286000,-3\n"  # negative speed
        "PC1,2025-03-30 01:30:00,407000,286000,1\n"  # does not exist (clocks forward)
        "PC1,2025-06-01T10:05:00+01:00,407010,286010,fast\n",  # bad speed
    )
    res = load_pings(p, rejects_path=tmp_path / "rej.csv", progress=False)
    assert res.read == 9 and res.accepted == 1 and res.rejected == 8
    assert res.read == res.accepted + res.rejected
    got = dict(zip(res.rejects.source_row, res.rejects.reason))
    assert got == {
        3: "missing officer",
        4: "unparseable timestamp",
        5: "missing easting",
        6: "unparseable northing",
        7: "easting out of range",
        8: "negative speed",
        9: "nonexistent local time (clocks went forward)",
        10: "unparseable speed",
    }
    written = pd.read_csv(tmp_path / "rej.csv")
    assert len(written) == 8 and set(written.columns) >= {
        "source_file",
        "source_row",
        "reason",
        "field",
        "value",
    }


def test_ambiguous_hour_resolved_by_order_per_officer(tmp_path):
    # 26 Oct 2025: 01:00-02:00 happens twice; the clock visibly goes back for PC1
    p = write(
        tmp_path,
        "c.csv",
        "officer_id,timestamp,easting,northing\n"
        "PC1,2025-10-26 01:30:00,407000,286000\n"
        "PC1,2025-10-26 01:59:30,407000,286000\n"
        "PC2,2025-10-26 01:45:00,407000,286000\n"
        "PC1,2025-10-26 01:00:00,407000,286000\n"
        "PC1,2025-10-26 01:40:00,407000,286000\n",
    )
    res = load_pings(p, progress=False)
    utc = res.pings.timestamp.dt.tz_convert("UTC").dt.strftime("%H:%M:%S").tolist()
    assert utc == ["00:30:00", "00:59:30", "00:45:00", "01:00:00", "01:40:00"]


def test_parquet_streamed_in_chunks_and_mapping(tmp_path):
    n = 2500
    t = pd.date_range("2025-10-01 08:00", periods=n, freq="30s", tz=TZ)
    df = pd.DataFrame(
        {
            "CallSign": np.where(np.arange(n) % 2, "M1", "M2"),
            "FixTime": t,
            "E": 407000.0 + np.arange(n),
            "N": 286000.0,
            "Kmh": 36.0,
        }
    )
    df.loc[7, "E"] = np.nan
    path = tmp_path / "p.parquet"
    df.to_parquet(path, row_group_size=500)
    m = PingMapping(
        columns={
            "officer_id": "CallSign",
            "timestamp": "FixTime",
            "x": "E",
            "y": "N",
            "speed": "Kmh",
        },
        coords="bng",
        speed_unit="km/h",
    )
    res = load_pings(path, mapping=m, chunk_rows=300, progress=False)
    assert (res.read, res.accepted, res.rejected) == (n, n - 1, 1)
    assert res.rejects.source_row.tolist() == [8]
    assert res.pings.speed.iloc[0] == pytest.approx(10.0)
    assert res.pings.timestamp.iloc[-1] == t[-1]
    # the same through a JSON mapping file
    mp = tmp_path / "map.json"
    mp.write_text(
        '{"columns": {"officer_id": "CallSign", "timestamp": "FixTime", "x": "E", "y": "N"}, "coords": "bng"}'
    )
    assert load_pings(path, mapping=mp, progress=False).accepted == n - 1


def test_malformed_files_give_one_clear_message(tmp_path):
    p = write(
        tmp_path,
        "d.csv",
        "officer_id,timestamp,easting,northing\nPC1,2025-06-01T10:00:00Z,1,2\nPC1,2025-06-01T10:00:30Z,1,2,3,4\n",
    )
    with pytest.raises(InputError, match=r"d\.csv, line 3, field '\(row\)': malformed CSV row"):
        load_pings(p, progress=False)
    p = write(tmp_path, "e.csv", "officer,when,lon,lat\nPC1,2025,1,2\n")
    with pytest.raises(InputError, match=r"e\.csv, line 1, field 'officer_id': missing column"):
        load_pings(p, progress=False)
    p = write(tmp_path, "f.csv", "officer_id,timestamp,lon,lat\nPC1,2025,1,2\n")
    with pytest.raises(InputError, match=r"f\.csv, line 1, field 'longitude'"):
        load_pings(p, progress=False)
    p = tmp_path / "g.parquet"
    p.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"g\.parquet: not a readable Parquet file"):
        load_pings(p, progress=False)
    m = PingMapping(
        columns={"officer_id": "Who", "timestamp": "When", "x": "E", "y": "N"}, coords="bng"
    )
    p = write(tmp_path, "h.csv", "Who,When,E\nA,2025-01-01T00:00:00Z,1\n")
    with pytest.raises(InputError, match=r"h\.csv, line 1, field 'N'"):
        load_pings(p, mapping=m, progress=False)


def test_csv_streaming_chunks_keep_line_numbers(tmp_path):
    lines = ["officer_id,timestamp,easting,northing"]
    for i in range(1000):
        lines.append(
            f"PC{i % 3},2025-06-01T10:{i // 60 % 60:02d}:{i % 60:02d}+01:00,{407000 + i},{'x' if i == 777 else 286000}"
        )
    p = write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    res = load_pings(p, chunk_rows=128, progress=False)
    assert (res.read, res.accepted, res.rejected) == (1000, 999, 1)
    assert res.rejects.source_row.tolist() == [779]
    assert res.pings.source_row.iloc[-1] == 1001

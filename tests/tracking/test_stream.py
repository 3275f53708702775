"""Streamed tracking (issue 16 item 2): pings checked chunk by chunk and spilled to officer
buckets, then tracked one bucket at a time - the same rejects, counts and results as the
in-memory run, on the same pings."""

from __future__ import annotations

import json
import zlib

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from planner.cli import main
from planner.io.pings import load_pings
from planner.tracking.dwell import DwellConfig, TGPIndex, dwell
from planner.tracking.simulate import random_visits
from planner.tracking.stream import bucket_of, estimate_pings, spill_pings, streamed_dwell


def _tgps():
    polys = [shapely.Point(400_000 + 600 * i, 280_000).buffer(220, 8) for i in range(5)]
    return gpd.GeoDataFrame({"tgp_id": [f"T{i}" for i in range(5)]}, geometry=polys, crs=27700)


def _pings(n_visits=300, officers=15, seed=7):
    # across midnight and the clocks going back (officer-day boundaries inside a bucket)
    return random_visits(
        _tgps(), n_visits=n_visits, officers=officers, seed=seed, start="2025-10-25 20:00",
        gap_s=(600, 3000), dwell_s=(300, 1200), speed=110.0, loss=0.02,
    )  # fmt: skip


def _csv_with_bad_rows(pings: pd.DataFrame, path):
    """The pings as CSV (easting/northing, ISO times), shuffled, with rows that must be rejected."""
    df = pd.DataFrame(
        {
            "officer_id": pings["officer_id"].astype(str),
            "timestamp": pings["timestamp"].map(lambda t: t.isoformat()),
            "easting": pings["x"].round(3),
            "northing": pings["y"].round(3),
            "speed": pings["speed"],
        }
    ).sample(frac=1.0, random_state=3)  # officers interleaved, as radios report them
    bad = pd.DataFrame(
        {
            "officer_id": ["", "PC001", "PC002", "PC003"],
            "timestamp": ["2025-10-26T10:00:00+00:00", "yesterday", "2025-10-26T10:00:00Z",
                          "2025-10-26T10:00:00Z"],
            "easting": [400_000.0, 400_000.0, 9_000_000.0, 400_000.0],
            "northing": [280_000.0, 280_000.0, 280_000.0, 280_000.0],
            "speed": [1.0, 1.0, 1.0, -2.0],
        }
    )  # fmt: skip
    pd.concat([df.iloc[:500], bad, df.iloc[500:]], ignore_index=True).to_csv(path, index=False)


def test_bucket_of_is_crc32_and_keeps_each_officer_whole():
    ids = pa.array(["PC001", "PC002", "PC001", "Z9", "PC002"])
    got = bucket_of(ids, 7)
    assert got.tolist() == [zlib.crc32(s.encode()) % 7 for s in ids.to_pylist()]
    assert bucket_of(pa.chunked_array([ids[:2], ids[2:]]), 7).tolist() == got.tolist()


def test_spill_keeps_every_check_and_tracks_like_the_in_memory_run(tmp_path):
    pings = _pings()
    src = tmp_path / "pings.csv"
    _csv_with_bad_rows(pings, src)
    ref = load_pings(src, progress=False, chunk_rows=700)
    sp = spill_pings(
        src, tmp_path / "spill", buckets=4, progress=False, chunk_rows=700,
        rejects_path=tmp_path / "rejects.csv",
    )  # fmt: skip
    assert (sp.read, sp.accepted, sp.rejected) == (ref.read, ref.accepted, ref.rejected)
    assert sp.read == len(pings) + 4 and sp.rejected == 4
    assert sp.by_reason == ref.by_reason
    pd.testing.assert_frame_equal(sp.rejects, ref.rejects)
    assert pd.read_csv(tmp_path / "rejects.csv")["source_row"].tolist() == [502, 503, 504, 505]
    # each officer's pings in exactly one bucket, and every accepted ping in some bucket
    seen = {}
    total = 0
    for b in sp.buckets:
        off = set(pq.read_table(b, columns=["officer_id"]).column(0).to_pylist())
        total += pq.ParquetFile(b).metadata.num_rows
        for o in off:
            assert o not in seen
            seen[o] = b
    assert total == ref.accepted and set(seen) == set(ref.pings["officer_id"])
    index = TGPIndex.from_frame(_tgps())
    cfg = DwellConfig()
    one = dwell(ref.pings, index, cfg)
    many = streamed_dwell(sp.buckets, index, cfg)
    assert len(one.place_days) > 0 and len(one.visits) > 10
    pd.testing.assert_frame_equal(one.rows, many.rows)
    pd.testing.assert_frame_equal(one.place_days, many.place_days)
    pd.testing.assert_frame_equal(one.visits, many.visits)
    assert one.stats == many.stats and list(one.officers) == list(many.officers)


def test_no_pings_accepted_gives_empty_results(tmp_path):
    src = tmp_path / "p.csv"
    src.write_text("officer_id,timestamp,easting,northing\n,2025-10-26T10:00:00Z,400000,280000\n")
    sp = spill_pings(src, tmp_path / "spill", progress=False)
    assert (sp.read, sp.accepted, sp.rejected, sp.buckets) == (1, 0, 1, [])
    res = streamed_dwell(sp.buckets, TGPIndex.from_frame(_tgps()))
    assert len(res.place_days) == 0 and len(res.visits) == 0


def test_estimate_pings_reads_parquet_metadata(tmp_path):
    _pings().to_parquet(tmp_path / "a.parquet")
    assert estimate_pings(tmp_path) == len(_pings())


def _track(capsys, *argv) -> dict:
    rc = main(["track", *map(str, argv), "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out), out.err


def test_track_command_streamed_equals_in_memory(tmp_path, capsys):
    pings = _pings()
    src = tmp_path / "pings.csv"
    _csv_with_bad_rows(pings, src)
    tg = tmp_path / "tgps.parquet"
    _tgps().to_parquet(tg)
    base = ["--pings", src, "--tgps", tg]
    a, _ = _track(capsys, *base, "--out", tmp_path / "a", "--stream", "never")
    b, err = _track(capsys, *base, "--out", tmp_path / "b", "--stream", "always")
    assert "officer bucket(s)" in err
    for s in (a, b):
        s.pop("out")
        s.pop("rejects_file")
    assert a == b and a["by_tgp"] and a["pings_rejected"] == 4
    for f in ("place_days.parquet", "visits.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "a" / f), pd.read_parquet(tmp_path / "b" / f)
        )
    # the temporary buckets are gone; the rejects file is written as in memory
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(
        p.name for p in (tmp_path / "a").iterdir()
    )
    assert (tmp_path / "a" / "pings_rejects.csv").read_text() == (
        tmp_path / "b" / "pings_rejects.csv"
    ).read_text()


@pytest.mark.parametrize("bad", ["--stream=sometimes"])
def test_stream_choice_is_checked(tmp_path, capsys, bad):
    with pytest.raises(SystemExit) as e:
        main(["track", "--pings", "x", "--tgps", "y", "--out", str(tmp_path), bad])
    assert e.value.code == 2
    assert "invalid choice: 'sometimes'" in capsys.readouterr().err


def test_an_unusable_spill_folder_is_one_line_exit_2(tmp_path, capsys):
    src = tmp_path / "pings.parquet"
    _pings().to_parquet(src)
    tg = tmp_path / "tgps.parquet"
    _tgps().to_parquet(tg)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    rc = main(["track", "--pings", str(src), "--tgps", str(tg), "--out", str(tmp_path / "o"),
               "--stream", "always", "--spill-dir", str(blocker / "spill")])  # fmt: skip
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"planner track: error: spill folder {blocker / 'spill'}: cannot create it (Not a directory)"
    )


def test_a_malformed_file_leaves_no_partial_buckets(tmp_path, monkeypatch):
    import planner.tracking.stream as stream
    from planner.errors import InputError

    monkeypatch.setattr(stream, "FLUSH_ROWS", 1)  # the first file's bucket is written at once
    good = tmp_path / "a.csv"
    good.write_text(
        "officer_id,timestamp,easting,northing\nA1,2025-06-01T10:00:00Z,400000,280000\n"
    )
    bad = tmp_path / "b.csv"
    bad.write_text("officer_id,timestamp,easting\nA2,2025-06-01T10:00:00Z,400000\n")
    with pytest.raises(InputError, match="northing"):
        spill_pings([good, bad], tmp_path / "spill", buckets=2, progress=False)
    assert list((tmp_path / "spill").iterdir()) == []

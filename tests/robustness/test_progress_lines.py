"""Progress lines (issue 17 item 6): every slow step of load, hotspots, tgps, track, init and
import says on stderr when it starts and how long it took; stdout stays one JSON object."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from planner.cli import main
from planner.paths import GEODATA

MONTH = GEODATA / "crime" / "policeuk_api_2018-06_wm_area.csv.gz"
CORPUS = Path(__file__).resolve().parents[1] / "data" / "malformed"
DONE = re.compile(r"^(.+): done in \d+\.\d s$")

pytestmark = pytest.mark.skipif(not MONTH.exists(), reason=f"{MONTH} not bundled")


def run(capsys, argv: list[str]) -> tuple[dict, list[str]]:
    assert main(argv) == 0
    out, err = capsys.readouterr()
    return json.loads(out), err.splitlines()


def steps(lines: list[str]) -> list[str]:
    """The steps that started and finished, in order (each start line followed by its done)."""
    started = [x[: -len(" ...")] for x in lines if x.endswith(" ...")]
    done = [m.group(1) for x in lines if (m := DONE.match(x))]
    assert started == done, lines
    return done


def test_load_hotspots_tgps_init_import_track_report_progress(capsys, tmp_path):
    out = tmp_path / "crimes.parquet"
    force = GEODATA / "force_area.parquet"
    s, err = run(
        capsys, ["load", str(MONTH), "--boundary", str(force), "--out", str(out), "--json"]
    )
    assert s["read"] == 30831
    assert steps(err) == ["load: reading, checking and writing crimes from 1 path(s)"]

    hot = tmp_path / "hot.parquet"
    argv = ["hotspots", "--crimes", str(out), "--boundary", str(force), "--out", str(hot)]
    s, err = run(capsys, [*argv, "--method", "kde", "--json"])
    assert s["crimes"] == 25088
    assert steps(err) == [
        f"boundary: reading {force}",
        "crimes: reading 1 path(s)",
        "hotspots: cell counts and the kde surface",
    ]
    assert "crimes: 25,088 inside the area" in err

    ws = tmp_path / "ws"
    wards = GEODATA / "wards_2024.parquet"
    argv = ["init", str(ws), "--name", "X", "--wards", str(wards), "--lpa-field", "lad"]
    s, err = run(capsys, [*argv, "--crimes", str(MONTH), "--json"])
    accepted = s["crimes"]["accepted"]
    assert steps(err) == [
        f"init: boundaries from {wards}",
        "init: reading and checking crimes from 1 path(s)",
        f"init: writing {accepted:,} crimes",
    ]

    s, err = run(capsys, ["tgps", "--workspace", str(ws), "--json"])
    assert steps(err)[-2:] == [
        "tgps: deriving 84 TGPs",
        "tgps: coverage and registering the layer in the workspace",
    ]

    db = f"sqlite:///{tmp_path}/r.sqlite"
    src = CORPUS / "engagements_overlong.csv"
    s, err = run(
        capsys,
        ["import", "engagements", str(src), "--db", db, "--rejects", str(tmp_path / "rej.csv"),
         "--json"],
    )  # fmt: skip
    assert (s["read"], s["inserted"], s["rejected"]) == (3, 1, 2)
    assert steps(err) == ["import: engagements from 1 file(s)"]

    pings = CORPUS / "pings_header_only.csv"
    s, err = run(
        capsys,
        ["track", "--pings", str(pings), "--tgps", str(ws / "tgps.gpkg"), "--out",
         str(tmp_path / "track"), "--json"],
    )  # fmt: skip
    assert s["pings_read"] == 0
    assert steps(err) == [
        "track: reading pings from 1 path(s)",
        "track: visits, dwell and place-days per officer",
    ]

"""The police.uk archive layout force by force: `planner load|hotspots|tgps --by-force` give
each force exactly what the single-force commands give on that force's files alone."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest

from planner.cli import main
from planner.errors import PlannerError
from planner.national import files_by_force, force_boundary, force_of
from planner.paths import GEODATA
from planner.testing import wm_two_force_archive

FORCE = GEODATA / "force_area.parquet"
FORCES = ("west-mids-a", "west-mids-b")


make_archive = wm_two_force_archive


def _cli(args, capsys) -> dict:
    capsys.readouterr()
    assert main([*map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_force_of_archive_names():
    assert force_of("2018-06/2018-06-west-midlands-street.csv") == "west-midlands"
    assert force_of("2019-12-leicestershire-street.csv.gz") == "leicestershire"
    assert force_of("2018-06-west-midlands-outcomes.csv") is None
    assert force_of("crimes.csv") is None


def test_files_by_force_groups_in_month_order(tmp_path):
    files = make_archive(tmp_path / "a", rows=50)
    g = files_by_force([tmp_path / "a"])
    assert list(g) == list(FORCES)
    assert [f.parent.name for f in g["west-mids-a"]] == ["2018-06", "2018-07"]
    assert sorted(sum(g.values(), [])) == sorted(files)
    (tmp_path / "a" / "2018-06" / "2018-06-outcomes.csv").write_text("x\n")  # skipped
    assert files_by_force([tmp_path / "a"]) == g
    (tmp_path / "a" / "2018-06" / "odd-street.csv").write_text("x\n")
    with pytest.raises(
        PlannerError, match="odd-street.csv: --by-force needs police.uk archive names"
    ):
        files_by_force([tmp_path / "a"])


def test_force_boundary_file_or_folder(tmp_path):
    assert force_boundary(FORCE, "any") == FORCE
    assert force_boundary(None, "any") is None
    (tmp_path / "west-mids-a.parquet").write_bytes(b"")
    assert force_boundary(tmp_path, "west-mids-a") == tmp_path / "west-mids-a.parquet"
    with pytest.raises(PlannerError, match="no boundary for force west-mids-b"):
        force_boundary(tmp_path, "west-mids-b")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    make_archive(root / "archive")
    return root


def test_load_by_force_equals_load_of_each_force(archive, tmp_path, capsys):
    s = _cli(
        ["load", archive / "archive", "--by-force", "--boundary", FORCE, "--out", tmp_path / "f"],
        capsys,
    )
    assert list(s["forces"]) == list(FORCES)
    assert s["read"] == s["accepted"] + s["rejected"] == 12000  # 6000 rows x 2 months
    assert s["read"] == sum(f["read"] for f in s["forces"].values())
    for force in FORCES:
        files = sorted((archive / "archive").rglob(f"*-{force}-street.csv"))
        one = _cli(
            ["load", *files, "--boundary", FORCE, "--out", tmp_path / f"{force}.parquet"], capsys
        )
        got = s["forces"][force]
        assert {k: got[k] for k in ("read", "accepted", "rejected", "by_reason", "files")} == {
            k: one[k] for k in ("read", "accepted", "rejected", "by_reason", "files")
        }
        pd.testing.assert_frame_equal(
            gpd.read_parquet(tmp_path / "f" / f"{force}.parquet"),
            gpd.read_parquet(tmp_path / f"{force}.parquet"),
        )
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "f" / f"{force}_rejects.csv", dtype=str),
            pd.read_csv(tmp_path / f"{force}_rejects.csv", dtype=str),
        )


@pytest.fixture(scope="module")
def loaded(archive):
    out = archive / "byforce"
    assert (
        main(
            [
                "load",
                str(archive / "archive"),
                "--by-force",
                "--boundary",
                str(FORCE),
                "--out",
                str(out),
            ]
        )  # fmt: skip
        == 0
    )
    return out


def test_tgps_by_force_equals_tgps_of_each_force(loaded, tmp_path, capsys):
    opts = ["--boundary", FORCE, "--count", "6", "--violent", "2"]
    s = _cli(["tgps", "--by-force", "--crimes", loaded, *opts, "--out", tmp_path / "t"], capsys)
    assert list(s["forces"]) == list(FORCES)
    for force in FORCES:
        one = _cli(
            ["tgps", "--crimes", loaded / f"{force}.parquet", *opts,
             "--out", tmp_path / f"{force}.gpkg"],
            capsys,
        )  # fmt: skip
        got = s["forces"][force]
        assert got["n_tgps"] == one["n_tgps"] > 0
        assert got["shortfall"] == one["shortfall"]
        assert got["load"] == one["load"]
        a = gpd.read_file(tmp_path / "t" / f"{force}.gpkg")
        b = gpd.read_file(tmp_path / f"{force}.gpkg")
        pd.testing.assert_frame_equal(a, b)
    assert s["n_tgps"] == sum(f["n_tgps"] for f in s["forces"].values())


def test_hotspots_by_force_equals_hotspots_of_each_force(loaded, tmp_path, capsys):
    opts = ["--boundary", FORCE, "--method", "gistar", "--cell", "500"]
    s = _cli(["hotspots", "--by-force", "--crimes", loaded, *opts, "--out", tmp_path / "h"], capsys)
    for force in FORCES:
        one = _cli(
            ["hotspots", "--crimes", loaded / f"{force}.parquet", *opts,
             "--out", tmp_path / f"{force}.parquet"],
            capsys,
        )  # fmt: skip
        got = s["forces"][force]
        for k in ("cells", "crimes", "hot_cells", "cold_cells", "load"):
            assert got[k] == one[k], k
        pd.testing.assert_frame_equal(
            gpd.read_parquet(tmp_path / "h" / f"{force}.parquet"),
            gpd.read_parquet(tmp_path / f"{force}.parquet"),
        )
    assert s["crimes"] == sum(f["crimes"] for f in s["forces"].values()) > 0


def test_by_force_needs_a_folder_out(archive, tmp_path, capsys):
    code = main(
        ["load", str(archive / "archive"), "--by-force", "--out", str(tmp_path / "x.parquet")]
    )
    err = capsys.readouterr().err
    assert code == 2 and "give --out a folder" in err and len(err.strip().splitlines()) == 1

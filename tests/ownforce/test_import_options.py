"""--vocabulary and --map on every import kind: an unknown vocabulary field is one clear line
(exit 2, file, line and field); crimes and pings honour --map; a crime vocabulary maps a force
extract's offence categories to police.uk types."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).parent))
from ownforce_builders import month_points, ward_centre, write_street  # noqa: E402

from planner.cli import main
from planner.ownforce.importer import RECORD_KIND_FIELDS
from planner.ownforce.tables import KINDS
from planner.testing import error_lines
from planner.workspace import Workspace

#: each kind's categorical fields, as the message lists them
CATEGORY_FIELDS = {
    k: ", ".join(c.name for c in s.columns if c.type == "category") for k, s in KINDS.items()
}
CATEGORY_FIELDS |= {"tgps": "driver", "crimes": "crime_type"}
CATEGORY_FIELDS |= {k: ", ".join(v) for k, v in RECORD_KIND_FIELDS.items()}


def _json(capsys, *argv) -> dict:
    rc = main([*map(str, argv), "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out)


def _input_for(kind: str, tmp_path: Path) -> Path:
    if kind == "crimes":
        d = tmp_path / "m"
        write_street(d / "2024-02-x-street.csv", "2024-02", month_points("2024-02"))
        return d
    if kind == "tgps":
        x, y = ward_centre("E05000001")
        p = tmp_path / "t.gpkg"
        gpd.GeoDataFrame(
            {"driver": ["violence"]}, geometry=[box(x - 50, y - 50, x + 50, y + 50)], crs=27700
        ).to_file(p)
        return p
    p = tmp_path / f"{kind}.csv"
    p.write_text("a,b\n1,2\n")
    return p


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_unknown_vocabulary_field_is_refused_for_every_kind(kind, ws_dir, tmp_path, capsys):
    voc = tmp_path / "voc.csv"
    voc.write_text("field,value,maps_to\nkind,x,\ncolour,Blue,\n")
    if kind in CATEGORY_FIELDS and "kind" in CATEGORY_FIELDS[kind].split(", "):
        voc.write_text("field,value,maps_to\nkind,Response,\ncolour,Blue,\n")
    before = json.loads((ws_dir / "workspace.json").read_text())
    rc = main(["import", kind, str(_input_for(kind, tmp_path)), "--workspace", str(ws_dir),
               "--vocabulary", str(voc)])  # fmt: skip
    err = error_lines(capsys.readouterr().err)  # the error, without the progress lines
    assert rc == 2 and len(err) == 1
    first = "kind" if "kind" not in CATEGORY_FIELDS[kind].split(", ") else "colour"
    line = 2 if first == "kind" else 3
    fields = CATEGORY_FIELDS[kind]
    hint = (
        f"{kind} has categorical field(s) {fields}"
        if fields
        else f"{kind} has no categorical field a vocabulary can map"
    )
    assert err[0] == (
        f"planner import: error: {voc}, line {line}, field 'field': unknown vocabulary field "
        f"'{first}' for {kind} ({hint})"
    )
    # nothing was imported
    assert json.loads((ws_dir / "workspace.json").read_text()) == before


def test_crimes_extract_with_map_and_a_vocabulary(ws_dir, tmp_path, capsys):
    x1, y1 = ward_centre("E05000001")
    x4, y4 = ward_centre("E05000004")
    f = tmp_path / "extract.csv"
    pd.DataFrame(
        [
            {"URN": "U1", "When": "2024-03-02T21:15", "Offence": "WOUNDING", "E": x1, "N": y1, "Knife": "Y"},
            {"URN": "U2", "When": "2024-03-05T10:00", "Offence": "STREET ROBBERY", "E": x4, "N": y4, "Knife": "N"},
            {"URN": "U3", "When": "2024-03-06T11:00", "Offence": "WOUNDING", "E": x4, "N": y4, "Knife": "N"},
            {"URN": "U4", "When": "2024-03-07T11:00", "Offence": "TRESPASS", "E": x4, "N": y4, "Knife": "N"},
        ]
    ).to_csv(f, index=False)  # fmt: skip
    maps = ["--map", "URN=crime_id", "--map", "When=occurred_at", "--map", "Offence=crime_type",
            "--map", "E=easting", "--map", "N=northing", "--map", "Knife=knife_flag"]  # fmt: skip
    # a crime vocabulary needs the extract's mapping; police.uk files carry police.uk types
    voc = tmp_path / "voc.csv"
    voc.write_text(
        "field,value,maps_to\ncrime_type,WOUNDING,Violence and sexual offences\n"
        "crime_type,STREET ROBBERY,robbery\n"
    )
    assert (
        main(["import", "crimes", str(f), "--workspace", str(ws_dir), "--vocabulary", str(voc)])
        == 2
    )
    assert "give the extract's --mapping or --map" in capsys.readouterr().err
    c = _json(capsys, "import", "crimes", f, "--workspace", ws_dir, *maps, "--vocabulary", voc)
    assert (c["read"], c["accepted"], c["rejected"]) == (4, 3, 1)
    assert c["months"] == ["2024-03"] and c["rows"] == 12 + 3
    rej = pd.read_csv(c["rejects_file"], dtype=str)
    assert rej["value"].tolist() == ["TRESPASS"]
    got = Workspace(ws_dir).crimes("2024-03", "2024-03", synthetic=None).set_index("crime_id")
    assert got.loc["U1", "crime_type"] == "Violence and sexual offences"
    assert got.loc["U2", "crime_type"] == "Robbery"
    assert got["knife_weight"].to_dict() == {"U1": 1.0, "U2": 0.0, "U3": 0.0}
    assert str(got.loc["U1", "occurred_at"]) == "2024-03-02 21:15:00+00:00"
    # a category mapped to something that is no police.uk type
    bad = tmp_path / "bad.csv"
    bad.write_text("field,value,maps_to\ncrime_type,TRESPASS,Trespassing\n")
    assert (
        main(
            [
                "import",
                "crimes",
                str(f),
                "--workspace",
                str(ws_dir),
                *maps,
                "--vocabulary",
                str(bad),
            ]
        )
        == 2
    )
    assert "\n".join(error_lines(capsys.readouterr().err)) == (
        f"planner import: error: {bad}, line 2, field 'maps_to': crime_type 'TRESPASS' maps to "
        "'Trespassing', which is not a police.uk crime type (a crime category must map to one "
        "of them; docs/data.md lists them)"
    )
    # a --map target that is not a crime column
    assert main(["import", "crimes", str(f), "--workspace", str(ws_dir), "--map", "URN=urn"]) == 2
    assert "--map URN=urn: 'urn' is not a crime column" in capsys.readouterr().err


def test_pings_with_map(ws_dir, tmp_path, capsys):
    x, y = ward_centre("E05000002")
    f = tmp_path / "avl.csv"
    pd.DataFrame(
        {"CallSign": ["K1", "K1", "K2"], "FixTime": ["2024-02-03T10:00:00", "2024-02-03T10:00:30", "x"],
         "E": [x, x + 5, x], "N": [y, y, y]}
    ).to_csv(f, index=False)  # fmt: skip
    assert main(["import", "pings", str(f), "--workspace", str(ws_dir)]) == 2
    assert "field 'timestamp': missing column 'timestamp'" in capsys.readouterr().err
    c = _json(capsys, "import", "pings", f, "--workspace", ws_dir, "--map", "CallSign=officer_id",
              "--map", "FixTime=timestamp", "--map", "E=easting", "--map", "N=northing")  # fmt: skip
    assert (c["read"], c["accepted"], c["rejected"], c["days"]) == (3, 2, 1, 1)
    p = pd.read_parquet(ws_dir / "pings" / "2024-02.parquet")
    assert p["officer_id"].tolist() == ["K1", "K1"]
    assert p["x"].tolist() == [x, x + 5] and p["y"].tolist() == [y, y]


def test_knife_source_follows_the_extracts_flag(ws_dir, tmp_path, capsys):
    # police.uk months only: the knife share is the proxy, and says so
    t = _json(capsys, "tgps", "--workspace", ws_dir, "--min-per-year", "1", "--area-share", "0.5")
    assert t["knife_source"] == "proxy" and t["knife_note"].startswith("knife-crime proxy")
    assert t["coverage"]["knife_source"] == "proxy"
    # a month of a force extract with a knife flag: the flag is used where the records carry it
    x1, y1 = ward_centre("E05000001")
    f = tmp_path / "extract.csv"
    pd.DataFrame(
        {"URN": ["K1", "K2"], "When": ["2024-03-02T21:15", "2024-03-03T22:00"],
         "Offence": ["Robbery", "Violence and sexual offences"], "E": [x1, x1 + 5],
         "N": [y1, y1], "Knife": ["yes", "no"]}
    ).to_csv(f, index=False)  # fmt: skip
    _json(capsys, "import", "crimes", f, "--workspace", ws_dir, "--map", "URN=crime_id",
          "--map", "When=occurred_at", "--map", "Offence=crime_type", "--map", "E=easting",
          "--map", "N=northing", "--map", "Knife=knife_flag")  # fmt: skip
    t = _json(capsys, "tgps", "--workspace", ws_dir, "--min-per-year", "1", "--area-share", "0.5")
    assert t["knife_source"] == "flag"
    assert t["knife_note"] == "knife flag of the force extract (proxy where a record has none)"
    cov = _json(capsys, "coverage", "--workspace", ws_dir)
    assert cov["knife_source"] == "flag"
    # the knife share held: flagged records count 1 or 0, police.uk records their type's proxy
    from planner.harm import HarmTable

    c = Workspace(ws_dir).crimes(synthetic=None)
    kw = c.set_index("crime_id")["knife_weight"]
    assert (kw["K1"], kw["K2"]) == (1.0, 0.0)
    pu = c[~c["crime_id"].isin(["K1", "K2"])]
    assert pu["knife_weight"].tolist() == list(HarmTable.default().knife_for(pu["crime_type"]))


def test_every_kind_is_documented_in_data_md():
    text = (Path(__file__).resolve().parents[2] / "docs" / "data.md").read_text()
    table = text[text.index("| kind (table) | key | columns | read by |") :]
    assert [k for k in sorted(KINDS) if f"| `{k}`" not in table] == []

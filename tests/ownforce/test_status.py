"""planner status: tables present (rows, months, synthetic), what each page and command can do,
and the exact command for each missing table."""

from __future__ import annotations

import json

from planner.cli import main
from planner.ownforce.status import CATALOG, missing_notice


def test_status_of_a_fresh_own_force_workspace(ws_dir, capsys):
    assert main(["status", "--workspace", str(ws_dir), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["name"] == "Test Police" and s["today"] == "2024-02-29" and s["synthetic"] is False
    assert s["crime_series"] == "crimes_real"
    t = s["tables"]
    assert set(t) == set(CATALOG)
    assert t["crimes_real"] | {"description": ""} == {
        "present": True, "rows": 12, "synthetic": False, "description": "",
        "months": 2, "first": "2024-01", "last": "2024-02",
    }  # fmt: skip
    assert [n for n, v in t.items() if v["present"]] == [
        "force",
        "lpas",
        "neighbourhoods",
        "wards",
        "crimes_real",
    ]
    assert t["officers"] == {
        "present": False,
        "fill": f"planner import officers OFFICERS.csv --workspace {ws_dir}",
    }
    assert t["tgps"]["fill"].startswith(f"planner tgps --workspace {ws_dir}")
    uses = {u["name"]: u for u in s["uses"]}
    assert uses["planner hotspots --workspace"]["ready"]
    assert uses["Op Advance"]["ready"]
    assert not uses["Hotspots and TGPs"]["ready"]
    assert [m["table"] for m in uses["Coverage and delivery"]["missing"]] == [
        "plan_visits",
        "place_days",
        "tgps",
    ]
    assert uses["Patrol plan"]["missing"] == [
        {
            "table": "plan_visits",
            "command": f"planner schedule --workspace {ws_dir} --quarter YYYYQN  (or your own: "
            f"planner import plans PLANS.csv --workspace {ws_dir})",
        }
    ]
    assert s["missing"]["stations"] == f"planner import stations STATIONS.csv --workspace {ws_dir}"
    # the terminal form lists the same commands
    assert main(["status", "--workspace", str(ws_dir)]) == 0
    text = capsys.readouterr().out
    assert f"planner import postings POSTINGS.csv --workspace {ws_dir}" in text
    assert "crimes_real                   12  real      2024-01..2024-02 (2 months)" in text


def test_status_after_tgps_and_an_import(ws_dir, tmp_path, capsys):
    assert (
        main(
            [
                "tgps",
                "--workspace",
                str(ws_dir),
                "--min-per-year",
                "1",
                "--area-share",
                "0.5",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["registered"] is True
    assert main(["status", "--workspace", str(ws_dir), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["tables"]["tgps"]["present"] and s["tables"]["tgps"]["rows"] == out["n_tgps"]
    assert {u["name"]: u["ready"] for u in s["uses"]}["Hotspots and TGPs"] is True
    from planner.workspace import Workspace

    assert missing_notice(Workspace(ws_dir), ("crimes", "tgps")) == []


def test_workspace_context_for_the_app(ws_dir):
    from planner.workspace import Workspace

    ws = Workspace(ws_dir)
    assert ws.force_name == "Test Police"
    assert (ws.fy_start_month, ws.funding_year, ws.funding_year_label) == (4, 2023, "FY2023")
    assert ws.synthetic_tables() == []
    meta = ws.meta
    meta["today"] = "2024-04-01"
    ws._write_meta(meta)
    assert ws.funding_year_label == "FY2024"

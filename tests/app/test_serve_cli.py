"""`planner serve` argument handling (the server itself is exercised by the browser tests)."""

from __future__ import annotations

import pytest

from planner.cli import build_parser, main
from planner.cli.serve import DEFAULT_PORT, ensure_workspace
from planner.errors import PlannerError


def test_serve_defaults_and_options():
    args = build_parser().parse_args(["serve"])
    assert (args.workspace, args.port, args.address, args.tiles, args.records) == (
        None,
        DEFAULT_PORT,
        "localhost",
        None,
        None,
    )
    args = build_parser().parse_args(
        ["serve", "--workspace", "/x", "--port", "5010", "--address", "0.0.0.0"]
    )
    assert (str(args.workspace), args.port, args.address) == ("/x", 5010, "0.0.0.0")
    args = build_parser().parse_args(["serve", "--records", "postgresql://u@h/records"])
    assert args.records == "postgresql://u@h/records"


def test_serve_prefetch_gap_option(monkeypatch, capsys, small_ws):
    """--prefetch-gap-ms, else PLANNER_PREFETCH_GAP_MS, else the 1500 ms default; a bad value
    is refused (argparse's usage error; one line and exit 2 for the environment variable)."""
    from planner.app.main import ENV_PREFETCH_GAP, PREFETCH_GAP_MS, prefetch_gap

    assert build_parser().parse_args(["serve"]).prefetch_gap_ms is None
    assert build_parser().parse_args(["serve", "--prefetch-gap-ms", "50"]).prefetch_gap_ms == 50.0
    for bad in ("-1", "soon", "nan", "inf"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["serve", "--prefetch-gap-ms", bad])
    monkeypatch.delenv(ENV_PREFETCH_GAP, raising=False)
    assert prefetch_gap() == PREFETCH_GAP_MS == 1500
    assert prefetch_gap(0) == 0
    assert prefetch_gap(12.4) == 12
    monkeypatch.setenv(ENV_PREFETCH_GAP, "250")
    assert prefetch_gap() == 250.0
    assert prefetch_gap(40) == 40.0  # the option wins over the environment
    monkeypatch.setenv(ENV_PREFETCH_GAP, "later")
    with pytest.raises(PlannerError, match="0 or more"):
        prefetch_gap()
    capsys.readouterr()
    assert main(["serve", "--workspace", str(small_ws.root)]) == 2  # before loading it
    err = capsys.readouterr().err
    assert "0 or more" in err and ENV_PREFETCH_GAP in err and len(err.strip().splitlines()) == 1


def test_serve_rejects_a_folder_that_is_not_a_workspace(tmp_path, capsys):
    with pytest.raises(PlannerError, match="not a planner workspace"):
        ensure_workspace(tmp_path)
    assert main(["serve", "--workspace", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not a planner workspace" in err and len(err.strip().splitlines()) == 1


def test_serve_uses_an_existing_workspace(small_ws):
    assert ensure_workspace(small_ws.root) == small_ws.root


@pytest.mark.slow
def test_panel_serve_entry_point(small_ws):
    """`panel serve apps/planner_app.py` serves the app (the script must not shadow the package)."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    panel = Path(sys.executable).with_name("panel")
    env = {**os.environ, "PLANNER_WORKSPACE": str(small_ws.root)}
    cmd = [
        str(panel),
        "serve",
        "apps/planner_app.py",
        "--port",
        str(port),
        "--address",
        "127.0.0.1",
    ]
    proc = subprocess.Popen(
        cmd, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        html, t0 = "", time.monotonic()
        while time.monotonic() - t0 < 90:
            try:
                html = (
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/planner_app", timeout=30)
                    .read()
                    .decode()
                )
                break
            except OSError:
                time.sleep(0.3)
        assert "<title>Hotspot and patrol planner</title>" in html
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "Traceback" not in out and "Error running application handler" not in out


def test_entry_points_do_not_shadow_packages():
    """`panel serve apps/X.py` puts apps/ on sys.path: no script there may be named like a
    package the app imports (apps/planner.py used to shadow `planner`)."""
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    scripts = sorted(p.stem for p in (repo / "apps").glob("*.py"))
    assert scripts == ["planner_app"]
    packages = {p.parent.name for p in repo.glob("*/__init__.py")}
    assert "planner" in packages
    assert not set(scripts) & packages

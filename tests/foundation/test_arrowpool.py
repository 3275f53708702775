"""The batch commands run on Arrow's jemalloc pool; the server and an explicit
ARROW_DEFAULT_MEMORY_POOL keep theirs (each case in a fresh interpreter: the pool is
process-wide)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

REPO = Path(__file__).resolve().parents[2]

try:
    pa.jemalloc_memory_pool()
    HAVE_JEMALLOC = True
except NotImplementedError:  # pragma: no cover - depends on the pyarrow build
    HAVE_JEMALLOC = False


def _backend(command: str, **env: str) -> str:
    code = f"from planner.arrowpool import use_batch_pool; print(use_batch_pool({command!r}))"
    e = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"} | env
    e["PYTHONPATH"] = str(REPO)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.skipif(not HAVE_JEMALLOC, reason="this pyarrow is built without jemalloc")
def test_batch_commands_use_jemalloc_and_the_server_keeps_the_default():
    fresh = subprocess.run(
        [sys.executable, "-c", "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"],
        capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"},
    ).stdout.strip()  # fmt: skip
    assert _backend("serve") == fresh and _backend("report") == fresh
    for cmd in ("load", "track", "import"):
        assert _backend(cmd) == "jemalloc"


@pytest.mark.skipif(not HAVE_JEMALLOC, reason="this pyarrow is built without jemalloc")
def test_the_environment_names_the_pool():
    assert _backend("track", ARROW_DEFAULT_MEMORY_POOL="system") == "system"


def test_planner_track_reports_its_pool_in_the_cli(tmp_path):
    """The command line applies it before the command runs (a bad file: exit 2, one line)."""
    e = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    e["PYTHONPATH"] = str(REPO)
    code = (
        "import sys, pyarrow as pa; from planner.cli import main; "
        "rc = main(sys.argv[1:]); print(pa.default_memory_pool().backend_name); sys.exit(rc)"
    )
    bad = tmp_path / "none.parquet"
    out = subprocess.run(
        [sys.executable, "-c", code, "track", "--pings", str(bad), "--tgps", str(bad),
         "--out", str(tmp_path / "o")],  # fmt: skip
        capture_output=True, text=True, env=e,
    )  # fmt: skip
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stdout.strip() == (
        "jemalloc" if HAVE_JEMALLOC else pa.default_memory_pool().backend_name
    )

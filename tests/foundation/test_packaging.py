"""The packaging files agree with each other and with the layout the README promises."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*([^#]*?)\s*(#.*)?$")


def _norm(spec: str) -> tuple[str, str]:
    m = NAME.match(spec)
    assert m, spec
    return m.group(1).lower().replace("_", "-"), m.group(3).replace(" ", "")


def _pyproject_deps() -> set[tuple[str, str]]:
    d = tomllib.loads((REPO / "pyproject.toml").read_text())
    deps = list(d["project"]["dependencies"])
    for extra in d["project"]["optional-dependencies"].values():
        deps += extra
    return {_norm(s) for s in deps}


def _environment_deps() -> set[tuple[str, str]]:
    lines = (REPO / "environment.yml").read_text().splitlines()
    start = lines.index("dependencies:")
    out = set()
    for line in lines[start + 1 :]:
        m = re.match(r"^  - (\S.*)$", line)
        if not m or m.group(1).startswith("pip:"):
            continue
        out.add(_norm(m.group(1)))
    return {d for d in out if d[0] not in ("python", "pip")}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    py, env = _pyproject_deps(), _environment_deps()
    assert py - env == set(), f"in pyproject.toml but not environment.yml: {sorted(py - env)}"
    assert env - py == set(), f"in environment.yml but not pyproject.toml: {sorted(env - py)}"


def test_required_layout_exists():
    for p in (
        "planner",
        "geodata",
        "notebooks",
        "apps",
        "tests",
        "environment.yml",
        "pyproject.toml",
        "Makefile",
        ".ci/run",
        "README.md",
        "geodata/PROVENANCE.md",
        "planner/py.typed",
    ):
        assert (REPO / p).exists(), p


def test_console_script_help_lists_every_command():
    out = subprocess.run(
        [sys.executable, "-m", "planner", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for cmd in ("demo", "load", "serve"):
        assert re.search(rf"^\s+{cmd}\s", out, re.M), f"`planner {cmd}` missing from --help"

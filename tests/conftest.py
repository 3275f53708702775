"""Shared fixtures. Real-data tests skip with a reason when ../shared is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PLANNER_SHARED", REPO.parent / "shared")) / "data" / "real"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data/real (the real open-data bundle); skip when it is not beside the repo."""
    if not SHARED.is_dir():
        pytest.skip(
            f"real open data not found at {SHARED} (set PLANNER_SHARED or place ../shared beside the repo)"
        )
    return SHARED


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory):
    """The full demo workspace, built once per test session.

    Set PLANNER_TEST_WORKSPACE to a prebuilt demo folder to reuse it while developing.
    """
    from planner.demo import build_demo
    from planner.workspace import Workspace

    pre = os.environ.get("PLANNER_TEST_WORKSPACE")
    if pre and Path(pre, "workspace.json").exists():
        return Workspace(pre)
    return build_demo(tmp_path_factory.mktemp("demo") / "ws", progress=False)

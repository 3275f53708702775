"""In a real browser: a workspace built by `planner init` from small test data, with TGPs, a
planned quarter and imported GPS pings, shows the Patrol plan and Coverage and delivery pages
with figures (no notice), no console error and no synthetic banner."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from ownforce_builders import month_points, wards_frame, write_street  # noqa: E402

from planner.cli import main
from planner.testing import ServerProcess, free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
]

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
FIGURES_JS = """() => window.Bokeh && Bokeh.index ?
    [...Bokeh.index.query(v => v.model.type === 'Figure')].filter(v => v.el && v.el.isConnected
      && v.el.getBoundingClientRect().width > 0).length : 0"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("chain")
    wards = root / "wards.geojson"
    wards_frame().to_crs("EPSG:4326").to_file(wards, driver="GeoJSON")
    for m in ("2024-01", "2024-02"):
        write_street(root / "months" / m / f"{m}-t-street.csv", m, month_points(m))
    ws = root / "ws"
    pings = root / "pings.csv"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["init", str(ws), "--name", "Test Police", "--wards", str(wards),
                     "--lpa-field", "LAD_CD", "--crimes", str(root / "months")]) == 0  # fmt: skip
        assert (
            main(["tgps", "--workspace", str(ws), "--min-per-year", "1", "--area-share", "0.5"])
            == 0
        )
        assert main(["schedule", "--workspace", str(ws), "--quarter", "2024Q1", "--seed", "1",
                     "--lpa-officers", "4"]) == 0  # fmt: skip
    from planner.workspace import Workspace

    tg = Workspace(ws).tgps()
    v = tg[tg["kind"] == "violent"].iloc[0]
    t0 = pd.Timestamp("2024-01-01T00:20:00")
    pd.DataFrame(
        {"officer_id": "A1", "timestamp": [(t0 + pd.Timedelta(seconds=30 * i)).isoformat() for i in range(73)],
         "easting": v["centre_x"], "northing": v["centre_y"]}
    ).to_csv(pings, index=False)  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["import", "pings", str(pings), "--workspace", str(ws)]) == 0
    assert Workspace(ws).has_table("delivered_place_days")
    port = free_port()
    app = ServerProcess(
        [sys.executable, "-m", "planner", "serve", "--workspace", str(ws), "--port", str(port),
         "--address", "127.0.0.1"],
        cwd=REPO,
    )  # fmt: skip
    try:
        app.wait_port(port)
        yield {"url": f"http://127.0.0.1:{port}/planner", "ws": ws, "log": app.log}
    finally:
        app.stop()


def test_plan_and_delivery_pages_work_on_an_init_workspace(page, served):
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.set_default_timeout(90_000)
    page.goto(served["url"])
    page.wait_for_function(f"() => ({FIGURES_JS})() >= 1")
    for label in ("Patrol plan", "Coverage and delivery"):
        page.locator(".page-menu").get_by_text(label, exact=True).click()
        page.locator(".page-title").filter(has_text=label).first.wait_for()
        page.wait_for_function("() => Bokeh.documents[0].is_idle")
        page.wait_for_function(f"() => ({FIGURES_JS})() >= 1")
        assert page.locator(".missing-tables:visible").count() == 0, label
        assert page.locator(".synthetic-label").count() == 0, label
    assert problems == []
    errors = [x for _, x in served["log"] if "Traceback" in x or "ERROR" in x]
    assert errors == [], "".join(errors)

"""The demo step (paper patterns, idempotent re-import of its exports) and the notebook."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.records import analytics as an
from planner.records.imports import import_abstractions, import_engagements
from planner.records.store import open_store
from planner.testing import run_notebook

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def records_ws(demo_ws, tmp_path_factory):
    """The demo workspace with the records step; when a prebuilt workspace lacks it, a copy
    of that workspace's boundaries and people with the records step run on it."""
    from planner.demo import STEPS
    from planner.demo import records as step
    from planner.workspace import Workspace

    if demo_ws.has_table("records_store") and demo_ws.has_table("engagements_export"):
        # a mirror with its own copy of the store: opening a store migrates it to this
        # checkout's head, and a prebuilt workspace shared by several engineers is never
        # written to (another branch could not open a store at a revision it lacks)
        root = tmp_path_factory.mktemp("records_ws") / "ws"
        root.mkdir()
        for item in demo_ws.root.iterdir():
            if item.name == "records.sqlite" or item.name == "workspace.json":
                shutil.copyfile(item, root / item.name)
            elif not item.name.startswith("records.sqlite"):
                (root / item.name).symlink_to(item)
        return Workspace(root)
    root = tmp_path_factory.mktemp("records_ws") / "ws"
    root.mkdir()
    shutil.copy(demo_ws.root / "workspace.json", root / "workspace.json")
    for sub in ("boundaries", "people"):
        shutil.copytree(demo_ws.root / sub, root / sub)
    if (demo_ws.root / "crime").exists():
        (root / "crime").symlink_to(demo_ws.root / "crime")
    ws = Workspace(root)
    i = [n for n, _ in STEPS].index("records")
    step.step(ws, np.random.default_rng([ws.meta["seed"], i]))
    return ws


def test_demo_tables_registered_synthetic(records_ws):
    for name in ("records_store", "engagements_export", "abstractions_export"):
        assert records_ws.is_synthetic(name), name
        assert records_ws.has_table(name), name
    store = open_store(workspace=records_ws)
    off = store.frame("officers")
    assert off["synthetic"].astype(bool).all()
    assert store.frame("engagements")["synthetic"].astype(bool).all()
    assert store.count("officers") == len(records_ws.officers()) + int(
        (~off["verified"].astype(bool)).sum()
    )
    store.close()


def test_importing_demo_exports_twice_leaves_same_counts(records_ws, tmp_path):
    # work on a copy: a prebuilt workspace shared by several engineers is never written to
    shutil.copyfile(records_ws.root / "records.sqlite", tmp_path / "records.sqlite")
    store = open_store(tmp_path / "records.sqlite")
    before = {t: store.count(t) for t in ("engagements", "abstractions", "officers", "audit_log")}
    now = pd.Timestamp(records_ws.today).tz_localize("Europe/London") + pd.Timedelta(days=1)
    e = import_engagements(
        store, records_ws.table_path("engagements_export"), rejects_path=tmp_path / "e.csv", now=now
    )
    a = import_abstractions(
        store,
        records_ws.table_path("abstractions_export"),
        rejects_path=tmp_path / "a.csv",
        now=now,
    )
    assert (e.inserted, e.updated, a.inserted, a.updated) == (0, 0, 0, 0)
    assert e.duplicates == before["engagements"] and a.duplicates == before["abstractions"]
    assert e.rejected == a.rejected == 12
    assert {t: store.count(t) for t in before} == before
    store.close()


def test_demo_patterns(records_ws):
    from planner.demo.records import SANDWELL_TRAINING

    store = open_store(workspace=records_ws)
    today = records_ws.today
    e = an.engagements_frame(store, ("2025-04-01", today))
    t0 = pd.Timestamp(SANDWELL_TRAINING)
    per_lpa = e.groupby(["lpa", e["date"] >= t0]).size().unstack()
    days = np.array([(t0 - pd.Timestamp("2025-04-01")).days, (pd.Timestamp(today) - t0).days + 1])
    rate = per_lpa / days  # engagements per day, before / after training
    s, w = rate.loc["Sandwell"], rate.loc["Wolverhampton"]
    assert s[False] / w[False] < 0.6  # Sandwell records far less before training ...
    assert s[True] / s[False] > 1.8  # ... and improves after it
    assert 0.8 < w[True] / w[False] < 1.25  # Wolverhampton steady
    # abstractions: several types and authoriser levels; unknown superintendents are unverified
    a = an.abstraction_summary(store, by="abstraction_type")
    assert len(a) == 8
    lv = an.abstraction_summary(store, by="authoriser_level")
    assert set(lv["authoriser_level"]) == {"SGT", "INSP", "SUPT"}
    off = store.frame("officers")
    assert off.loc[~off["verified"].astype(bool), "officer_id"].str.startswith("SUPT-").all()
    # tenure: vacancies, short tenures and missing handovers exist
    assert len(an.dno_vacancies(store, today)) >= 1
    assert len(an.short_tenures(store, today)) >= 1
    assert len(an.missing_handovers(store)) >= 1
    # the abstracted / authorising switch agrees on the demo too
    for by in ("lpa", "team", "officer"):
        x = an.abstraction_summary(store, "FY2025", today=today, by=by)
        y = an.abstraction_summary(store, "FY2025", today=today, by=by, perspective="authorising")
        assert x["hours"].sum() == pytest.approx(y["hours"].sum())
    d = an.engagement_drilldown(store, "since July 2025", today=today)
    totals = d.groupby("level")["engagements"].sum()
    assert totals.nunique() == 1
    store.close()


@pytest.mark.slow
def test_notebook_runs(records_ws):
    text = run_notebook(REPO / "notebooks" / "04_neighbourhood_records.ipynb", records_ws.root)
    assert "before training" in text and "SYNTHETIC" in text
    assert "engagement not saved: unknown ward_code 'E05999999'; unknown method 'fax'" in text


def test_store_frames_equal_pandas_read_sql(records_ws):
    """`RecordStore.frame` (rows turned into tuples) gives what pandas reads from the same table,
    column for column and value for value, and a filter keeps exactly the matching rows."""
    from planner.records import models as m

    store = open_store(workspace=records_ws)
    for table in ("officers", "engagements", "abstractions", "postings"):
        got = store.frame(table)
        with store.engine.connect() as conn:
            ref = pd.read_sql_table(table, conn)
        assert list(got.columns) == list(ref.columns)
        assert len(got) == len(ref) > 0
        for col in got.columns:
            a, b = got[col], ref[col]
            if pd.api.types.is_datetime64_any_dtype(b):
                a = pd.to_datetime(a)
            # missing values: None in the store's object columns, NaN in pandas' string dtype
            assert a.isna().tolist() == b.isna().tolist(), (table, col)
            assert a[a.notna()].tolist() == b[b.notna()].tolist(), (table, col)
    t = m.Base.metadata.tables["engagements"]
    every = store.frame("engagements")
    officer = every["officer_id"].iloc[0]
    some = store.frame("engagements", where=t.c.officer_id == officer)
    assert len(some) == (every["officer_id"] == officer).sum() > 0
    assert set(some["officer_id"]) == {officer}
